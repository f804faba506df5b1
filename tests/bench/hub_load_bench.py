#!/usr/bin/env python3
"""The hub under load on the sandbox: N namespaces × B bindings (each binding
selects every namespace), with N agents played by a load generator that speaks
the hub API as the real agent does (its own ServiceAccount token, audience
harborrobot-hub): list bindings, ask for generation 1 of each, activate it,
report. Prints the time until every binding is Ready, Harbor calls per robot
(the hub's own harborrobot_hub_harbor_requests_total), and the leader's RSS and
CPU seconds.
usage: hub_load_bench.py <build dir> [--namespaces N] [--bindings B] [--workers W]
(needs root; exits 77 otherwise)"""
import argparse
import concurrent.futures
import json
import os
import re
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
for relative in (("tests", "sandbox"), ("tests", "e2e", "hub"), ("tests", "sim", "harbor", "tests")):
    sys.path.insert(0, os.path.join(ROOT, *relative))
from harness import wait_for  # noqa: E402
from hub_test import World  # noqa: E402
from sandbox_test import sandbox  # noqa: E402

HUB_NS = "harbor-robot-gen-system"
TICKS = os.sysconf("SC_CLK_TCK")


class Api:
    """HTTPS JSON calls with a bearer token and a CA, safe across threads."""

    def __init__(self, base, token, ca):
        self.base, self.token = base, token
        self.context = ssl.create_default_context(cafile=ca)
        self.context.check_hostname = False
        self.local = threading.local()

    def call(self, method, path, body=None, content_type="application/json", attempts=5):
        for attempt in range(attempts):
            request = urllib.request.Request(
                self.base + path, method=method,
                data=json.dumps(body).encode() if body is not None else None,
                headers={"Authorization": "Bearer " + self.token, "Content-Type": content_type})
            try:
                with urllib.request.urlopen(request, context=self.context, timeout=60) as answer:
                    text = answer.read()
                    return answer.status, json.loads(text) if text else None
            except urllib.error.HTTPError as error:
                if error.code in (409, 429, 500, 502, 503) and attempt + 1 < attempts:
                    time.sleep(0.5 * (attempt + 1))
                    continue
                return error.code, None
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if attempt + 1 == attempts:
                    raise
                time.sleep(0.5 * (attempt + 1))
        return 0, None


def proc_figures(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / TICKS
    with open(f"/proc/{pid}/status") as f:
        rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024
    return cpu, rss


def main():
    if os.geteuid() != 0:
        print("hub_load_bench needs root (the sandbox)")
        return 77
    parser = argparse.ArgumentParser()
    parser.add_argument("build")
    parser.add_argument("--namespaces", type=int, default=1000)
    parser.add_argument("--bindings", type=int, default=10)
    parser.add_argument("--workers", type=int, default=64)
    args = parser.parse_args()
    build = os.path.abspath(args.build)
    state = tempfile.mkdtemp(prefix="harborrobot-load-")
    try:
        sandbox(state, build, "up")
        world = World(state, build)
        env = dict(world.env, PATH=os.path.join(build, "bin") + ":" + os.environ["PATH"])

        def plugin(*words, stdin=None):
            return subprocess.run(["kubectl-harborrobot", *words], env=env, input=stdin,
                                  text=True, capture_output=True, check=True).stdout
        plugin("install", "--agents", "external", "--wait", "--timeout", "90s")
        plugin("connect", "harbor", "--url", "https://harbor.example.com", "--username",
               "api-user", "--password-stdin", stdin="api-password")
        raw = json.loads(world.kubectl("config", "view", "--raw", "-o", "json"))
        cluster = raw["clusters"][0]["cluster"]
        admin = Api(cluster["server"],
                    next(u["user"]["token"] for u in raw["users"] if u["name"] == "token-user"),
                    cluster["certificate-authority"])
        world.harbor("POST", "/projects", {"project_name": "load", "metadata": {}})
        names = [f"load-{i:04d}" for i in range(args.namespaces)]
        pool = concurrent.futures.ThreadPoolExecutor(args.workers)

        def prepare(ns):
            admin.call("POST", "/api/v1/namespaces", {
                "apiVersion": "v1", "kind": "Namespace",
                "metadata": {"name": ns, "labels": {"load": "yes"}}})
            admin.call("POST", f"/api/v1/namespaces/{ns}/serviceaccounts", {
                "apiVersion": "v1", "kind": "ServiceAccount",
                "metadata": {"name": "harborrobot-agent"}})
            status, review = admin.call(
                "POST", f"/api/v1/namespaces/{ns}/serviceaccounts/harborrobot-agent/token", {
                    "apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
                    "spec": {"audiences": ["harborrobot-hub"], "expirationSeconds": 3600}})
            if status != 201 and status != 200:
                raise AssertionError(f"TokenRequest for {ns}: {status}")
            return ns, review["status"]["token"]
        prepared = time.monotonic()
        tokens = dict(pool.map(prepare, names))
        print(f"prepared {len(names)} namespaces with agent tokens in "
              f"{time.monotonic() - prepared:.1f} s")

        leader = wait_for(lambda: (json.loads(world.kubectl(
            "get", "pods", "-n", HUB_NS, "-l", "harborrobot.io/hub-leader=true", "-o",
            "json"))["items"] or [None])[0], "a hub leader", timeout=60)
        hub_ip = leader["status"]["podIP"]
        ca_file = os.path.join(state, "hub-ca.crt")
        with open(ca_file, "w") as f:
            f.write(json.loads(world.kubectl("get", "configmap", "-n", HUB_NS,
                                             "harborrobot-hub-ca", "-o", "json"))["data"]["ca.crt"])
        with open(os.path.join(state, "kubelet", "processes.json")) as f:
            processes = json.load(f)
        leader_pid = next(iter(processes[f"{HUB_NS}/{leader['metadata']['name']}"].values()))
        cpu_start, _ = proc_figures(leader_pid)

        started = time.monotonic()
        for b in range(args.bindings):
            admin.call("POST", "/apis/harbor-robot-gen.alaudadevops.alauda.io/v1alpha1/"
                               "harborrobotbindings", {
                "apiVersion": "harbor-robot-gen.alaudadevops.alauda.io/v1alpha1",
                "kind": "HarborRobotBinding", "metadata": {"name": f"load-{b}"},
                "spec": {"namespaces": {"selector": {"matchLabels": {"load": "yes"}}},
                         "generatedSecret": {"name": f"load-{b}-pull"},
                         "harbor": {"project": "load",
                                    "robot": {"access": [{"action": "pull",
                                                          "resource": "repository"}]},
                                    "secret": {"name": "harbor", "namespace": HUB_NS}},
                         "refreshInterval": "6h"}})

        def play_agent(ns):
            hub = Api(f"https://{hub_ip}:8443", tokens[ns], ca_file)
            deadline = time.monotonic() + 1800
            while True:
                status, listed = hub.call("GET", f"/v1/namespaces/{ns}/bindings")
                items = (listed or {}).get("items", [])
                if status == 200 and len(items) == args.bindings and all(
                        i.get("registryUrl") for i in items):
                    break
                if time.monotonic() > deadline:
                    raise AssertionError(f"{ns}: the hub listed {len(items)} bindings")
                time.sleep(1)
            report = []
            for item in items:
                rotation = f"r{ns}{item['name']}"
                status, issued = hub.call("POST", f"/v1/namespaces/{ns}/bindings/{item['name']}"
                                                  "/credentials",
                                          {"rotationId": rotation, "generation": 1})
                if status != 200:
                    raise AssertionError(f"{ns}/{item['name']}: credentials answered {status}")
                hub.call("POST", f"/v1/namespaces/{ns}/bindings/{item['name']}/activation",
                         {"generation": 1, "rotationId": rotation})
                now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
                report.append({"binding": item["name"], "ready": True, "generation": 1,
                               "robotName": issued["robotName"], "aliasActive": False,
                               "reason": "", "lastError": "", "lastRefreshTime": now,
                               "credentialVerifiedAt": now})
            status, _ = hub.call("PUT", f"/v1/namespaces/{ns}/status",
                                 {"agentVersion": "load-generator", "bindings": report})
            if status != 200:
                raise AssertionError(f"{ns}: status report answered {status}")
        list(pool.map(play_agent, names))
        agents_done = time.monotonic() - started

        def all_ready():
            listed = json.loads(world.kubectl("get", "harborrobotbindings", "-o", "json"))
            ready = [b for b in listed["items"] if any(
                c["type"] == "Ready" and c["status"] == "True"
                for c in b.get("status", {}).get("conditions", []))]
            return len(ready) == args.bindings
        wait_for(all_ready, "every binding Ready", timeout=1800)
        elapsed = time.monotonic() - started
        cpu_end, rss = proc_figures(leader_pid)
        with urllib.request.urlopen(f"http://{hub_ip}:8080/metrics", timeout=30) as answer:
            metrics = answer.read().decode()
        harbor_calls = sum(float(v) for v in re.findall(
            r"^harborrobot_hub_harbor_requests_total\{[^}]*\} (\S+)$", metrics, re.M))
        robots = args.namespaces * args.bindings
        print(f"{args.namespaces} namespaces x {args.bindings} bindings = {robots} robots")
        print(f"agents done after {agents_done:.1f} s; every binding Ready after {elapsed:.1f} s")
        print(f"Harbor calls per robot: {harbor_calls / robots:.2f} ({harbor_calls:.0f} in all)")
        print(f"hub leader: RSS {rss:.1f} MiB, CPU {cpu_end - cpu_start:.1f} s during the run")
        pool.shutdown()
        sandbox(state, build, "down")
        return 0
    finally:
        sandbox(state, build, "down", check=False)
        shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
