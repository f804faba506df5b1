#!/usr/bin/env python3
"""Seed 003's watchdog with the seed's own config.yaml and scripts, unchanged:
`nslookup` asks a real dnsmasq, `curl` reaches a real HTTP health endpoint, and
`kubectl` patches a Harbor custom resource in the Kubernetes simulator.

The agent runs in a private mount namespace whose /etc/resolv.conf names our
dnsmasq, so the machine's resolver is never touched (this needs root).
usage: seed_scripts_e2e.py <kube-sim> <harborrobot-agent>"""
import http.server
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "sim", "kube", "tests"))
from harness import REPO, Simulator, expect_equal, expect_in, wait_until  # noqa: E402

SEED = os.path.join(REPO, "tests", "fixtures", "seed003")
HARBOR_CRD = """apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: harbors.operator.alaudadevops.io
spec:
  group: operator.alaudadevops.io
  scope: Namespaced
  names: {kind: Harbor, plural: harbors, singular: harbor}
  versions:
  - name: v1alpha1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            x-kubernetes-preserve-unknown-fields: true
"""
COMPONENTS = ("core", "portal", "jobservice", "registry", "trivy")


class HealthEndpoint:
    """harbor-core's /api/v2.0/health on port 80 of its own loopback address;
    stopped means connection refused, which the status script reads as down."""

    def __init__(self, address):
        self.address = address
        self.server = None

    def start(self):
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200 if self.path == "/api/v2.0/health" else 404)
                self.end_headers()
                self.wfile.write(b'{"status":"healthy"}')

            def log_message(self, *args):
                pass

        http.server.ThreadingHTTPServer.allow_reuse_address = True
        self.server = http.server.ThreadingHTTPServer((self.address, 80), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


class Dns:
    def __init__(self, root, address):
        self.hosts = os.path.join(root, "hosts")
        self.address = address
        self.pid_file = os.path.join(root, "dnsmasq.pid")
        self.process = None

    def set(self, records):
        with open(self.hosts + ".tmp", "w") as f:
            for name, address in records.items():
                f.write(f"{address} {name}\n")
        os.replace(self.hosts + ".tmp", self.hosts)
        if self.process:
            self.process.send_signal(signal.SIGHUP)  # dnsmasq re-reads --addn-hosts

    def start(self):
        self.process = subprocess.Popen(
            ["dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv",
             "--no-hosts", f"--addn-hosts={self.hosts}", f"--listen-address={self.address}",
             "--bind-interfaces", "--port=53", f"--pid-file={self.pid_file}", "--local-ttl=0",
             "--user=root", "--local=/example.com/", "--local=/svc/"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def resolve(self, name):
        found = subprocess.run(["nslookup", name, self.address], capture_output=True, text=True)
        match = re.search(r"Name:\s*\S+\nAddress: (\S+)", found.stdout)
        return match.group(1) if match else None

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def metric(port, name, labels):
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    for line in text.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def harbor_replicas(sim):
    spec = json.loads(sim.ok("get", "harbor", "harbor", "-n", "harbor-ns", "-o",
                             "jsonpath={.spec.helmValues}"))
    return {spec[component]["replicas"] for component in COMPONENTS}


def main():
    if os.geteuid() != 0:
        print("seed_scripts_e2e needs root (a private mount namespace, port 53 and 80)")
        sys.exit(77)  # ctest SKIP_RETURN_CODE
    kube_sim, agent = sys.argv[1], sys.argv[2]
    net = f"127.{random.randint(64, 250)}.{random.randint(1, 250)}"
    site_ip, other_ip, core_ip, dns_ip = (f"{net}.10", f"{net}.20", f"{net}.30", f"{net}.53")
    sim = Simulator(kube_sim)
    dns = Dns(sim.root, dns_ip)
    health = HealthEndpoint(core_ip)
    watchdog = None
    try:
        sim.ok("apply", "-f", "-", stdin=HARBOR_CRD)
        sim.ok("wait", "--for=condition=Established", "crd/harbors.operator.alaudadevops.io")
        sim.ok("create", "namespace", "harbor-ns")
        stopped = {component: {"replicas": 0} for component in COMPONENTS}
        sim.ok("apply", "-f", "-", stdin=json.dumps({
            "apiVersion": "operator.alaudadevops.io/v1alpha1", "kind": "Harbor",
            "metadata": {"name": "harbor", "namespace": "harbor-ns"},
            "spec": {"helmValues": stopped}}))

        dns.set({"harbor.example.com": site_ip, "harbor-core.harbor-ns.svc": core_ip})
        dns.start()
        wait_until(lambda: dns.resolve("harbor.example.com") == site_ip, 20, "dnsmasq answering")

        scripts = os.path.join(sim.root, "scripts")
        shutil.copytree(SEED, scripts)
        with open(os.path.join(SEED, "config.yaml")) as f:
            config = f.read().replace("/path/to/", scripts + "/")
        # The seed's keys and comments stay; only the timings shrink for a test.
        config = re.sub(r"check_interval: \S+", "check_interval: 1s", config)
        config = re.sub(r"failure_threshold: \S+", "failure_threshold: 2", config)
        config = re.sub(r"script_timeout: \S+", "script_timeout: 30s", config)
        config_path = sim.write("config.yaml", config)
        resolv = sim.write("resolv.conf", f"nameserver {dns_ip}\n")
        incluster = os.path.join(sim.root, "serviceaccount")
        os.mkdir(incluster)
        shutil.copy(os.path.join(sim.state, "pki", "ca.crt"), incluster)
        with open(os.path.join(incluster, "token"), "w") as f:
            f.write("sim-token")
        metrics_port = free_port()
        env = dict(sim.env, HARBOR_DOMAIN="harbor.example.com", HARBOR_IP=site_ip,
                   HARBOR_NAMESPACE="harbor-ns", HARBOR_NAME="harbor", HARBOR_REPLICAS="1",
                   POD_NAME="dr-watchdog", POD_NAMESPACE="harbor-ns",
                   KUBERNETES_SERVICE_HOST="127.0.0.1", KUBERNETES_SERVICE_PORT=str(sim.port))
        watchdog = subprocess.Popen(
            ["unshare", "--mount", "--", "/bin/sh", "-c",
             'mount --bind "$0" /etc/resolv.conf && exec "$@"', resolv,
             agent, "failover", "-config", config_path, "--listen", f"127.0.0.1:{metrics_port}",
             "--in-cluster-dir", incluster], env=env, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)

        # harbor.example.com points here, Harbor is down: start.sh scales it up.
        wait_until(lambda: harbor_replicas(sim) == {1}, 60, "start.sh to scale Harbor up")
        expect_in("StartingInstance", sim.ok("get", "events", "-n", "harbor-ns"),
                  "an Event for the start")

        # Play the operator: five running pods and a healthy core make status.sh
        # say "started", so further checks skip the start script.
        for component in COMPONENTS:
            sim.ok("apply", "-f", "-", stdin=json.dumps({
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": f"harbor-{component}", "namespace": "harbor-ns",
                             "labels": {"release": "harbor"}},
                "spec": {"containers": [{"name": component, "image": f"goharbor/{component}"}]}}))
            sim.ok("patch", "pod", f"harbor-{component}", "-n", "harbor-ns",
                   "--subresource=status", "--type=merge", "-p", '{"status":{"phase":"Running"}}')
        health.start()
        # Until then every check re-ran the (idempotent) start script, as the
        # seed's flow does while Harbor comes up.
        skips = lambda: metric(metrics_port, "harborrobot_failover_decisions_total",  # noqa: E731
                               {"decision": "skip-start-already-started"})
        wait_until(lambda: skips() >= 1, 60, "a check that skips the start")
        starts = metric(metrics_port, "harborrobot_failover_script_runs_total",
                        {"script": "start", "result": "success"})
        wait_until(lambda: skips() >= 3, 60, "two more skipping checks")
        expect_equal(metric(metrics_port, "harborrobot_failover_script_runs_total",
                            {"script": "start", "result": "success"}), starts,
                     "no start while status.sh says started")

        # DR switch: harbor.example.com moves to the other site. After
        # failure_threshold consecutive "stop" checks, stop.sh scales Harbor down.
        dns.set({"harbor.example.com": other_ip, "harbor-core.harbor-ns.svc": core_ip})
        wait_until(lambda: harbor_replicas(sim) == {0}, 60, "stop.sh to scale Harbor down")
        expect_equal(metric(metrics_port, "harborrobot_failover_decisions_total",
                            {"decision": "stop-below-threshold"}) >= 1, True,
                     "the first stop was below the threshold")
        expect_in("StoppingInstance", sim.ok("get", "events", "-n", "harbor-ns"),
                  "an Event for the stop")
        watchdog.send_signal(signal.SIGTERM)
        expect_equal(watchdog.wait(timeout=60), 0, "watchdog exit code")
        print("seed_scripts_e2e: passed")
    finally:
        if watchdog and watchdog.poll() is None:
            watchdog.kill()
            watchdog.wait()
        health.stop()
        dns.stop()
        sim.stop()


if __name__ == "__main__":
    main()
