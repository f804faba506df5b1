#!/usr/bin/env python3
"""The hub under load on the sandbox: N namespaces × B bindings (each binding
selects every namespace), with N agents played by a load generator that speaks
the hub API as the real agent does (its own ServiceAccount token, audience
harborrobot-hub): list bindings, ask for generation 1 of each, activate it,
report. Prints the time until every binding is Ready (its Ready condition True
for its current generation), the Harbor floor measured in the same run (as many
robot creations sent straight to the Harbor simulator by as many workers, in a
throw-away project, before the hub's run) and the ratio of the two, Harbor
calls per robot (the hub's own harborrobot_hub_harbor_requests_total), the
largest HarborRobotBinding object (read at the end, and while polling), the
leader's RSS and CPU seconds, the kube simulator's peak RSS, the hub's API
server requests per robot by Kubernetes verb (the simulator's per-user counts,
/debug/requests?by=verb), and, once every binding is Ready, how long
`kubectl harborrobot status <binding>` and `kubectl get harborrobotcredentials
-A` take (each checked to show every namespace, every record).
usage: hub_load_bench.py <build dir> [--namespaces N] [--bindings B] [--workers W]
(needs root; exits 77 otherwise)"""
import argparse
import base64
import concurrent.futures
import http.client
import json
import os
import re
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "e2e"))
from world import HUB_NS, binding, require_root, sandboxed, wait_for  # noqa: E402

HUB_USERS = f"system:serviceaccount:{HUB_NS}:"  # the hub's replicas, as the API server sees them
BINDINGS = "/apis/harbor-robot-gen.alaudadevops.alauda.io/v1alpha1/harborrobotbindings"
FLOOR_PROJECT = "floor"
# The verbs printed always, in this order; any other (deletecollection, or the
# lowercase method of a non-resource request such as discovery's) is printed
# after them when the hub sent it.
VERBS = ("get", "list", "watch", "create", "update", "patch", "delete")
TICKS = os.sysconf("SC_CLK_TCK")


# One kept-alive HTTPS connection per thread and server, shared by the Api
# objects of every namespace that thread plays: a real agent keeps its
# connection to the hub (the core's HTTP client pools them), so the load
# generator does too, rather than paying a TLS handshake per call on both sides.
CONNECTIONS = threading.local()


class Api:
    """HTTPS JSON calls with a bearer token and a CA, safe across threads."""

    def __init__(self, base, token, ca):
        self.base, self.token = base, token
        parsed = urllib.parse.urlsplit(base)
        self.host, self.port = parsed.hostname, parsed.port or 443
        self.context = ssl.create_default_context(cafile=ca)
        self.context.check_hostname = False

    def connection(self, fresh=False):
        pool = CONNECTIONS.__dict__.setdefault("pool", {})
        key = (self.host, self.port)
        if fresh and key in pool:
            pool.pop(key).close()
        if key not in pool:
            pool[key] = http.client.HTTPSConnection(self.host, self.port, context=self.context,
                                                    timeout=60)
        return pool[key]

    def call(self, method, path, body=None, content_type="application/json", attempts=5):
        status, text = self.call_raw(method, path, body, content_type, attempts)
        return status, json.loads(text) if text else None

    def call_raw(self, method, path, body=None, content_type="application/json", attempts=5):
        """(status, the answer's bytes as sent; None on an error)."""
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Authorization": "Bearer " + self.token, "Content-Type": content_type}
        for attempt in range(attempts):
            try:
                connection = self.connection(fresh=attempt > 0)
                connection.request(method, path, body=data, headers=headers)
                answer = connection.getresponse()
                text = answer.read()
                if answer.will_close:
                    self.connection(fresh=True)
            except (http.client.HTTPException, OSError):
                # A kept-alive connection the server closed (idle, or its
                # per-address cap): open another and try again.
                if attempt + 1 == attempts:
                    raise
                time.sleep(0.2 * attempt)
                continue
            if answer.status in (409, 429, 500, 502, 503) and attempt + 1 < attempts:
                time.sleep(0.5 * (attempt + 1))
                continue
            return answer.status, text if answer.status < 400 else None
        return 0, None


class Harbor:
    """harbor-1's API with Basic credentials over one kept-alive HTTPS connection
    per thread, as the hub's Harbor client keeps its connections."""

    def __init__(self, component, user):
        self.address, self.port = component["address"], component["port"]
        self.context = ssl.create_default_context(cafile=component["ca"])
        self.context.check_hostname = False
        self.auth = "Basic " + base64.b64encode(f"{user[0]}:{user[1]}".encode()).decode()
        self.local = threading.local()
        self.lock = threading.Lock()
        self.connections = []

    def call(self, method, path, body=None):
        """(status, parsed JSON body or None); a connection the server closed is
        opened again once."""
        for attempt in range(2):
            connection = getattr(self.local, "connection", None)
            if connection is None:
                connection = http.client.HTTPSConnection(self.address, self.port,
                                                         context=self.context, timeout=60)
                self.local.connection = connection
                with self.lock:
                    self.connections.append(connection)
            try:
                connection.request(method, "/api/v2.0" + path,
                                   body=json.dumps(body) if body is not None else None,
                                   headers={"Authorization": self.auth,
                                            "Content-Type": "application/json"})
                answer = connection.getresponse()
                text = answer.read()
            except (http.client.HTTPException, OSError):
                connection.close()
                self.local.connection = None
                if attempt == 1:
                    raise
                continue
            try:
                return answer.status, json.loads(text) if text else None
            except ValueError:
                return answer.status, None
        return 0, None

    def close(self):
        with self.lock:
            for connection in self.connections:
                connection.close()
            self.connections.clear()


def harbor_floor(world, robots, workers):
    """What Harbor alone needs for `robots` creations: POST /robots straight to
    harbor-1 from `workers` threads (the load generator's concurrency, so the
    hub's toward Harbor), with the hub's credentials and request body, in a
    throw-away project. The robots and the project are deleted afterwards so
    the hub's run starts from the Harbor it would have met. Seconds."""
    harbor = Harbor(world.record["components"]["harbor-1"], ("api-user", "api-password"))
    try:
        status, _ = harbor.call("POST", "/projects",
                                {"project_name": FLOOR_PROJECT, "metadata": {"public": "false"}})
        if status != 201:
            raise AssertionError(f"POST /projects {FLOOR_PROJECT}: {status}")

        def create(i):
            status, robot = harbor.call("POST", "/robots", {
                "name": f"floor-{i:06d}",
                "description": f"harborrobot load bench: the Harbor floor, robot {i}",
                "level": "project", "duration": -1,
                "permissions": [{"kind": "project", "namespace": FLOOR_PROJECT,
                                 "access": [{"resource": "repository", "action": "pull"}]}]})
            if status != 201 or not (robot or {}).get("id"):
                raise AssertionError(f"floor robot {i}: POST /robots answered {status}")
            return robot["id"]

        def delete(robot_id):
            status, _ = harbor.call("DELETE", f"/robots/{robot_id}")
            if status != 200:
                raise AssertionError(f"floor robot {robot_id}: DELETE answered {status}")
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            started = time.monotonic()
            ids = list(pool.map(create, range(robots)))
            elapsed = time.monotonic() - started
            list(pool.map(delete, ids))
        status, _ = harbor.call("DELETE", f"/projects/{FLOOR_PROJECT}")
        if status != 200:
            raise AssertionError(f"DELETE /projects/{FLOOR_PROJECT}: {status}")
        return elapsed
    finally:
        harbor.close()


def proc_figures(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / TICKS
    return cpu, status_mib(pid, "VmRSS")


def status_mib(pid, field):
    """A /proc/<pid>/status figure (VmRSS, VmHWM: the peak RSS) in MiB."""
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":")) / 1024


def hub_requests(before, after):
    """The hub's API server requests between two /debug/requests?by=verb
    answers, by Kubernetes verb, summed over the hub's ServiceAccounts."""
    counts = {}
    for user, verbs in after.items():
        if user.startswith(HUB_USERS):
            for verb, count in verbs.items():
                counts[verb] = (counts.get(verb, 0) + count
                                - before.get(user, {}).get(verb, 0))
    return counts


def timed(command, env):
    """(seconds, stdout) of a command that must succeed."""
    started = time.monotonic()
    done = subprocess.run(command, env=env, text=True, capture_output=True, timeout=600)
    elapsed = time.monotonic() - started
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(command)}: exit {done.returncode}\n{done.stderr}")
    return elapsed, done.stdout


def status_rows(text):
    """The rows of `kubectl harborrobot status NAME`'s namespace table, as
    {namespace: READY}: the lines between "Namespaces:" and "Events:" after the
    table's header."""
    rows, inside = {}, False
    for line in text.splitlines():
        if line.startswith("Namespaces:"):
            inside = True
        elif line.startswith("Events:"):
            break
        elif inside:
            words = line.split()
            if words and words[0] != "NAMESPACE":
                if words[0] in rows:
                    raise AssertionError(f"status shows {words[0]} twice:\n{text}")
                rows[words[0]] = words[1] if len(words) > 1 else ""
    return rows


def credential_rows(text):
    """The (namespace, name) of each row of `kubectl get harborrobotcredentials
    -A`'s table."""
    lines = [line.split() for line in text.splitlines() if line.strip()]
    if not lines or lines[0][:2] != ["NAMESPACE", "NAME"]:
        raise AssertionError(f"kubectl get harborrobotcredentials -A printed:\n{text[:2000]}")
    return [(words[0], words[1]) for words in lines[1:]]


def is_ready(binding):
    """Its Ready condition is True for its current generation."""
    generation = binding["metadata"].get("generation")
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               and c.get("observedGeneration") == generation
               for c in (binding.get("status") or {}).get("conditions", []))


def compact_size(value):
    return len(json.dumps(value, separators=(",", ":")).encode())


def main():
    require_root()
    parser = argparse.ArgumentParser()
    parser.add_argument("build")
    parser.add_argument("--namespaces", type=int, default=1000)
    parser.add_argument("--bindings", type=int, default=10)
    # The hub API admits 32 connections per client address (hub_api_limits.h):
    # every worker here holds one from the same address, as a real agent holds
    # one from its Pod's own address.
    parser.add_argument("--workers", type=int, default=32)
    args = parser.parse_args()
    robots = args.namespaces * args.bindings
    with sandboxed(args.build, label="load") as world:
        kube_pid = world.record["components"]["kube"]["pid"]
        with open(f"/proc/{kube_pid}/cmdline", "rb") as f:
            if b"harborrobot-kube-sim" not in f.read():
                raise AssertionError(f"pid {kube_pid} is not the kube simulator")
        world.plugin("install", "--agents", "external", "--wait", "--timeout", "90s")
        world.connect()
        raw = json.loads(world.kubectl("config", "view", "--raw", "-o", "json"))
        cluster = raw["clusters"][0]["cluster"]
        admin = Api(cluster["server"],
                    next(u["user"]["token"] for u in raw["users"] if u["name"] == "token-user"),
                    cluster["certificate-authority"])
        world.create_project("load")
        names = [f"load-{i:04d}" for i in range(args.namespaces)]
        pool = concurrent.futures.ThreadPoolExecutor(args.workers)

        # Before the hub's run, not beside it: Harbor serves one of them at a time.
        floor = harbor_floor(world, robots, args.workers)

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
        ca_file = world.hub_ca()
        leader_pid = next(iter(world.processes()[f"{HUB_NS}/{leader['metadata']['name']}"]
                               .values()))

        def request_counts():
            status, counts = admin.call("GET", "/debug/requests?by=verb")
            if status != 200:
                raise AssertionError(f"GET /debug/requests?by=verb: {status}")
            # A simulator built before ?by=verb ignores it and counts by method.
            if any(key.isupper() for verbs in counts.values() for key in verbs):
                raise AssertionError("the kube simulator counts by HTTP method, not verb: "
                                     "rebuild harborrobot-kube-sim")
            return counts

        # Every binding as read while polling: the largest, in bytes of compact JSON.
        largest_polled = [0]

        def poll_bindings():
            status, listed = admin.call("GET", BINDINGS)
            if status != 200:
                raise AssertionError(f"listing the bindings: {status}")
            for binding in listed["items"]:
                largest_polled[0] = max(largest_polled[0], compact_size(binding))
            return listed["items"]
        requests_before = request_counts()
        cpu_start, _ = proc_figures(leader_pid)

        started = time.monotonic()
        for b in range(args.bindings):
            admin.call("POST", BINDINGS, binding(f"load-{b}", selector={"load": "yes"},
                                                 secret=f"load-{b}-pull", project="load",
                                                 service_account=None))

        # The bindings' sizes while the agents work, every half second: often
        # enough to see them grow, seldom enough not to load the API server.
        agents_finished = threading.Event()
        sampler_errors = []

        def sample():
            try:
                while not agents_finished.wait(0.5):
                    poll_bindings()
            except Exception as error:  # noqa: BLE001 - reported by the main thread
                sampler_errors.append(error)
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()

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
        try:
            list(pool.map(play_agent, names))
        finally:
            agents_finished.set()
            sampler.join(timeout=120)
        if sampler_errors:
            raise sampler_errors[0]
        agents_done = time.monotonic() - started

        # How far the bindings' summaries trail the agents: their ready counts
        # when the last agent got its answer, and when they caught up.
        lag = []

        def all_ready():
            items = poll_bindings()
            lag.append((time.monotonic() - started, sum(
                b.get("status", {}).get("readyNamespaces", 0) for b in items)))
            return len(items) == args.bindings and all(is_ready(b) for b in items)
        wait_for(all_ready, "every binding Ready", timeout=1800, interval=0.1)
        elapsed = time.monotonic() - started
        cpu_end, rss = proc_figures(leader_pid)
        requests = hub_requests(requests_before, request_counts())

        # What a user waits for once everything is Ready: one binding's status
        # (its records, Secrets and ServiceAccounts listed once each, not per
        # namespace) and the whole fleet's records. Through the real kubectl,
        # which finds the plugin on PATH (a link to build/bin's), as a user runs them.
        cli_env = world.plugin_env
        status_name = "load-0"
        status_seconds, status_text = timed(
            ["kubectl", "harborrobot", "status", status_name], cli_env)
        shown = status_rows(status_text)
        if sorted(shown) != names:
            missing = sorted(set(names) - set(shown))
            extra = sorted(set(shown) - set(names))
            raise AssertionError(f"status {status_name} shows {len(shown)} namespaces of "
                                 f"{len(names)} (missing {missing[:5]}, extra {extra[:5]})")
        if any(ready != "True" for ready in shown.values()):
            raise AssertionError(f"status {status_name}: not every namespace is READY True")
        records_seconds, records_text = timed(
            ["kubectl", "get", "harborrobotcredentials", "-A"], cli_env)
        records = credential_rows(records_text)
        expected = sorted((ns, f"load-{b}") for ns in names for b in range(args.bindings))
        if sorted(records) != expected:
            raise AssertionError(f"kubectl get harborrobotcredentials -A lists {len(records)} "
                                 f"records, expected {len(expected)} (namespaces x bindings)")

        # Each binding as the API server sends it, once everything is Ready.
        largest_end = 0
        for b in range(args.bindings):
            status, text = admin.call_raw("GET", f"{BINDINGS}/load-{b}")
            if status != 200:
                raise AssertionError(f"GET binding load-{b}: {status}")
            largest_end = max(largest_end, len(text))
        kube_peak = status_mib(kube_pid, "VmHWM")
        kube_cpu, _ = proc_figures(kube_pid)
        with urllib.request.urlopen(f"http://{hub_ip}:8080/metrics", timeout=30) as answer:
            metrics = answer.read().decode()
        harbor_calls = sum(float(v) for v in re.findall(
            r"^harborrobot_hub_harbor_requests_total\{[^}]*\} (\S+)$", metrics, re.M))
        print(f"{args.namespaces} namespaces x {args.bindings} bindings = {robots} robots")
        print(f"agents done after {agents_done:.1f} s")
        print(f"every binding Ready after {elapsed:.1f} s")
        print(f"  summaries when the agents were done: {lag[0][1]} of {robots} namespaces ready; "
              + ", ".join(f"{count} at {at:.0f} s" for at, count in lag[1::max(1, len(lag) // 8)]))
        print(f"Harbor floor: {robots} creations alone take {floor:.2f} s "
              f"(ratio {elapsed / floor:.1f})")
        print(f"Harbor calls per robot: {harbor_calls / robots:.2f} ({harbor_calls:.0f} in all)")
        print(f"largest binding object: {max(largest_end, largest_polled[0]) / 1024:.1f} KiB")
        print(f"  read at the end {largest_end / 1024:.1f} KiB, "
              f"largest while polling {largest_polled[0] / 1024:.1f} KiB")
        print(f"hub leader: RSS {rss:.1f} MiB, CPU {cpu_end - cpu_start:.1f} s")
        print(f"API server (simulator): peak RSS {kube_peak:.1f} MiB, CPU {kube_cpu:.1f} s "
              "(since the sandbox started)")
        verbs = list(VERBS) + sorted(v for v in requests if v not in VERBS and requests[v])
        print("API requests per robot: " + ", ".join(
            f"{v} {requests.get(v, 0) / robots:.2f}" for v in verbs))
        print(f"  (the hub's ServiceAccounts from binding creation to Ready, "
              f"{sum(requests.values())} requests: "
              + ", ".join(f"{v} {requests.get(v, 0)}" for v in verbs)
              + "; a watch is counted once when it starts, however long it streams)")
        print(f"kubectl harborrobot status {status_name}: {status_seconds:.2f} s for "
              f"{len(shown)} namespaces")
        print(f"kubectl get harborrobotcredentials -A: {records_seconds:.2f} s for "
              f"{len(records)} records")
        pool.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
