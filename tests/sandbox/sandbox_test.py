#!/usr/bin/env python3
"""The sandbox brought up and down through its own entry point: kubectl works
against it, the Harbor names resolve through its dnsmasq, switching
harbor.example.com moves pulls to harbor-2 (proved by the Harbors' request
logs) without touching /etc, and `down` leaves no process behind.
usage: sandbox_test.py <build dir>   (needs root; exits 77 otherwise)"""
import base64
import contextlib
import hashlib
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SANDBOX = os.path.join(HERE, "sandbox")
sys.path.insert(0, os.path.join(HERE, "..", "sim", "harbor", "tests"))
from harness import expect_equal, expect_true  # noqa: E402


def sandbox(state, build, *args, check=True):
    result = subprocess.run([SANDBOX, "--state", state, "--build", build, *args],
                            capture_output=True, text=True, timeout=120)
    if check and result.returncode != 0:
        raise AssertionError(f"sandbox {' '.join(args)} failed: {result.stdout}{result.stderr}")
    return result


@contextlib.contextmanager
def sandbox_up(build, prefix, *up_flags):
    """A sandbox brought up (with `sandbox up` flags) in a fresh state directory,
    which is yielded. Leaving the block brings it down; after steps that passed,
    `down` must leave no process of it. The directory is removed either way."""
    state = tempfile.mkdtemp(prefix=prefix)
    try:
        sandbox(state, build, "up", *up_flags)
        yield state
        sandbox(state, build, "down")
        expect_equal(processes_mentioning(state), [], "down leaves no process of the sandbox")
    finally:
        sandbox(state, build, "down", check=False)
        shutil.rmtree(state, ignore_errors=True)


def request_log(record, name):
    harbor = record["components"][name]
    context = ssl.create_default_context(cafile=harbor["ca"])
    request = urllib.request.Request(
        f"https://{harbor['address']}/_sim/requests?path=/v2/team1",
        headers={"Authorization": "Basic " + base64.b64encode(b"admin:Harbor12345").decode()})
    # The certificate names the Harbor; connect by address, verify by name.
    context.check_hostname = False
    with urllib.request.urlopen(request, context=context, timeout=30) as answer:
        return json.load(answer)["items"]


def processes_mentioning(text):
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if text.encode() in f.read():
                    found.append(int(pid))
        except OSError:
            pass
    return found


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    if os.geteuid() != 0:
        print("sandbox_test needs root (port 443, 53 and a private mount namespace)")
        return 77
    build = sys.argv[1]
    state = tempfile.mkdtemp(prefix="harborrobot-sandbox-")
    resolv_before = digest("/etc/resolv.conf")
    try:
        up = sandbox(state, build, "up")
        expect_true("sandbox: up in" in up.stdout, f"up reports: {up.stdout}")
        again = sandbox(state, build, "up")
        expect_true(again.stdout.startswith("sandbox: already up"), "up is idempotent")
        with open(os.path.join(state, "sandbox.json")) as f:
            record = json.load(f)

        kubectl = subprocess.run(["kubectl", "get", "ns", "default", "-o", "name"],
                                 env=dict(os.environ,
                                          KUBECONFIG=record["components"]["kube"]["kubeconfig"]),
                                 capture_output=True, text=True, timeout=30)
        expect_equal(kubectl.stdout.strip(), "namespace/default", "kubectl reaches the cluster")

        resolved = sandbox(state, build, "exec", "--", "getent", "hosts",
                           "harbor.example.com").stdout.split()
        expect_equal(resolved[:1], ["127.0.77.1"], "harbor.example.com starts on harbor-1")

        switched = sandbox(state, build, "dns", "harbor.example.com", "harbor-2")
        expect_equal(switched.stdout.strip(),
                     "harbor.example.com: 127.0.77.1 (harbor-1) -> 127.0.77.2 (harbor-2)",
                     "the switch is reported")
        certs = os.path.join(state, "test-certs")
        os.makedirs(certs)
        with open(os.path.join(certs, "ca.crt"), "w") as bundle:
            for name in ("harbor-1", "harbor-2"):
                with open(record["components"][name]["ca"]) as ca:
                    bundle.write(ca.read())
        before = {name: len(request_log(record, name)) for name in ("harbor-1", "harbor-2")}
        pulled = sandbox(state, build, "exec", "--", "skopeo", "inspect", "--creds",
                         "admin:Harbor12345", "--cert-dir", certs,
                         "docker://harbor.example.com/team1/busybox:stable")
        expect_equal(json.loads(pulled.stdout)["RepoTags"], ["stable"], "the seeded image")
        after = {name: len(request_log(record, name)) for name in ("harbor-1", "harbor-2")}
        expect_true(after["harbor-2"] > before["harbor-2"], "the pull reached harbor-2")
        expect_equal(after["harbor-1"], before["harbor-1"], "and not harbor-1")
        expect_equal(digest("/etc/resolv.conf"), resolv_before, "/etc/resolv.conf untouched")

        pids = [c["pid"] for c in record["components"].values()]
        sandbox(state, build, "down")
        expect_equal(processes_mentioning(state), [], "down leaves no process of the sandbox")
        expect_true(all(not os.path.exists(f"/proc/{pid}") or
                        open(f"/proc/{pid}/stat").read().split()[2] == "Z" for pid in pids),
                    "every component stopped")
        expect_equal(sandbox(state, build, "status", check=False).returncode, 3, "status: down")
        print("sandbox_test: passed")
        return 0
    finally:
        sandbox(state, build, "down", check=False)
        shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
