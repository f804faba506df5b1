#!/usr/bin/env python3
# Drives the real /usr/bin/kubectl against a fresh harborrobot-kube-sim process:
# usage kubesim_test.py <sim-binary> <scenario>. Exits non-zero on any mismatch.
import json
import os
import subprocess
import sys
import tempfile
import time

KUBECTL = "/usr/bin/kubectl"
READY_DEADLINE_SECONDS = 30


class Simulator:
    """One simulator process with its own state dir, kubectl cache and HOME."""

    def __init__(self, binary):
        self.root = tempfile.mkdtemp(prefix="kubesim-")
        self.state = os.path.join(self.root, "state")
        os.mkdir(self.state)
        self.process = subprocess.Popen(
            [binary, "--port", "0", "--state-dir", self.state, "--token", "sim-token"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        port_file = os.path.join(self.state, "port")
        deadline = time.monotonic() + READY_DEADLINE_SECONDS
        # Wait on a condition (the port file appears) with a deadline.
        while not os.path.exists(port_file):
            if self.process.poll() is not None:
                raise AssertionError("simulator exited: " + self.process.stderr.read())
            if time.monotonic() > deadline:
                raise AssertionError("simulator not ready within deadline")
            time.sleep(0.02)
        with open(port_file) as f:
            self.port = int(f.read().strip())
        self.env = dict(os.environ, HOME=self.root, KUBECONFIG=os.path.join(self.state, "kubeconfig"),
                        KUBECACHEDIR=os.path.join(self.root, "cache"))

    def kubectl(self, *args):
        return subprocess.run([KUBECTL, *args], env=self.env, capture_output=True, text=True,
                              timeout=60)

    def stop(self):
        self.process.terminate()
        code = self.process.wait(timeout=30)
        assert code == 0, f"simulator exit code {code}"


def expect_equal(actual, expected, what):
    if actual != expected:
        raise AssertionError(f"{what}: expected {expected!r}, got {actual!r}")


def version_and_auth(sim):
    with open(os.path.join(sim.state, "kubeconfig")) as f:
        expect_equal(f"server: https://127.0.0.1:{sim.port}\n" in f.read(), True,
                     "kubeconfig names the bound port")
    result = sim.kubectl("version", "-o", "json")
    expect_equal(result.returncode, 0, "kubectl version exit code; stderr=" + result.stderr)
    server = json.loads(result.stdout)["serverVersion"]
    expect_equal((server["major"], server["minor"], server["gitVersion"]), ("1", "32", "v1.32.4"),
                 "serverVersion")

    raw = sim.kubectl("get", "--raw", "/version")
    expect_equal(json.loads(raw.stdout)["minor"], "32", "token user GET /version")
    cert = sim.kubectl("--context", "kube-sim-cert", "get", "--raw", "/api")
    expect_equal(cert.returncode, 0, "client-cert user exit code; stderr=" + cert.stderr)
    expect_equal(json.loads(cert.stdout)["versions"], ["v1"], "client-cert user GET /api")

    denied = sim.kubectl("--token", "wrong-token", "get", "--raw", "/version")
    expect_equal(denied.returncode, 1, "wrong token exit code")
    expect_equal(denied.stderr.strip().splitlines()[-1],
                 "error: You must be logged in to the server (Unauthorized)", "wrong token message")

    missing = sim.kubectl("get", "--raw", "/no/such/path")
    expect_equal(missing.returncode, 1, "unknown path exit code")
    expect_equal(missing.stderr.strip().splitlines()[-1],
                 "Error from server (NotFound): the server could not find the requested resource",
                 "unknown path message")


def namespaces(sim):
    manifest = os.path.join(sim.root, "ns.json")
    with open(manifest, "w") as f:
        json.dump({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}}, f)
    # No OpenAPI is served yet, so client-side validation must be off.
    created = sim.kubectl("create", "-f", manifest, "--validate=false")
    expect_equal((created.returncode, created.stdout), (0, "namespace/team-a created\n"), "create")
    again = sim.kubectl("create", "-f", manifest, "--validate=false")
    expect_equal(again.returncode, 1, "second create exit code")
    expect_equal(again.stderr, f'Error from server (AlreadyExists): error when creating "{manifest}": '
                 'namespaces "team-a" already exists\n', "second create message")
    expect_equal(sim.kubectl("get", "ns", "-o", "name").stdout, "namespace/team-a\n", "get -o name")
    phase = sim.kubectl("get", "namespace", "team-a", "-o", "jsonpath={.status.phase}")
    expect_equal(phase.stdout, "Active", "status.phase")
    missing = sim.kubectl("get", "ns", "nope")
    expect_equal((missing.returncode, missing.stderr),
                 (1, 'Error from server (NotFound): namespaces "nope" not found\n'), "get missing")


def write_json(sim, filename, document):
    path = os.path.join(sim.root, filename)
    with open(path, "w") as f:
        json.dump(document, f)
    return path


def namespace_defaults_and_secrets(sim):
    secret = write_json(sim, "secret.json", {
        "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
        "metadata": {"name": "pull", "namespace": "x"}, "data": {"token": "aGVsbG8="}})
    early = sim.kubectl("create", "-f", secret, "--validate=false")
    expect_equal((early.returncode, early.stderr),
                 (1, f'Error from server (NotFound): error when creating "{secret}": '
                     'namespaces "x" not found\n'), "secret before its namespace")
    namespace = write_json(sim, "ns.json",
                           {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}})
    expect_equal(sim.kubectl("create", "-f", namespace, "--validate=false").returncode, 0, "create ns")
    expect_equal(sim.kubectl("create", "-f", secret, "--validate=false").stdout,
                 "secret/pull created\n", "create secret")
    names = sim.kubectl("get", "sa,cm,secret", "-n", "x", "-o", "name")
    expect_equal(names.stdout, "serviceaccount/default\nconfigmap/kube-root-ca.crt\nsecret/pull\n",
                 "objects in namespace x")
    token = sim.kubectl("get", "secret", "pull", "-n", "x", "-o", "jsonpath={.data.token}")
    expect_equal(token.stdout, "aGVsbG8=", "secret data")
    ca = sim.kubectl("get", "cm", "kube-root-ca.crt", "-n", "x", "-o", "jsonpath={.data.ca\\.crt}")
    with open(os.path.join(sim.state, "pki", "ca.crt")) as f:
        expect_equal(ca.stdout, f.read(), "kube-root-ca.crt holds the simulator CA")
    expect_equal(sim.kubectl("get", "secret", "-A", "-o", "name").stdout, "secret/pull\n",
                 "secrets across namespaces")
    deleted = sim.kubectl("delete", "secret", "pull", "-n", "x")
    expect_equal(deleted.stdout, 'secret "pull" deleted\n', "delete secret")
    gone = sim.kubectl("delete", "secret", "pull", "-n", "x")
    expect_equal((gone.returncode, gone.stderr),
                 (1, 'Error from server (NotFound): secrets "pull" not found\n'), "delete again")
    expect_equal(sim.kubectl("delete", "ns", "x", "--wait=false").stdout,
                 'namespace "x" deleted\n', "delete namespace")
    expect_equal(sim.kubectl("get", "sa", "-A", "-o", "name").stdout, "",
                 "namespace contents removed")


SCENARIOS = {
    "version_and_auth": version_and_auth,
    "namespaces": namespaces,
    "namespace_defaults_and_secrets": namespace_defaults_and_secrets,
}


def main():
    binary, scenario = sys.argv[1], sys.argv[2]
    sim = Simulator(binary)
    try:
        SCENARIOS[scenario](sim)
    finally:
        sim.stop()
    print(f"{scenario}: passed")


if __name__ == "__main__":
    main()
