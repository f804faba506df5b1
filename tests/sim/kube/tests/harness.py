"""A fresh harborrobot-kube-sim process per scenario, and the real kubectl
pointed at it with its own HOME and cache dir (so the dispatcher's cached
/version and discovery never leak between runs)."""
import http.client
import json
import os
import re
import ssl
import subprocess
import tempfile
import threading
import time

KUBECTL = "/usr/bin/kubectl"
READY_DEADLINE_SECONDS = 30
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
SEED_FIXTURES = os.path.join(REPO, "tests", "fixtures", "seed")
CRD_MANIFEST = os.path.join(REPO, "kubectl-harborrobot", "manifests",
                            "harborrobotbinding-crd.yaml")
CRD_NAME = "harborrobotbindings.harbor-robot-gen.alaudadevops.alauda.io"


class Simulator:
    def __init__(self, binary, extra_args=()):
        self.binary = binary
        self.extra_args = list(extra_args)
        self.root = tempfile.mkdtemp(prefix="kubesim-")
        self.state = os.path.join(self.root, "state")
        self.snapshot = os.path.join(self.root, "snapshot.json")
        os.mkdir(self.state)
        self.start()

    def start(self):
        port_file = os.path.join(self.state, "port")
        if os.path.exists(port_file):
            os.remove(port_file)
        self.process = subprocess.Popen(
            [self.binary, "--port", "0", "--state-dir", self.state, "--token", "sim-token",
             "--snapshot", self.snapshot, *self.extra_args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wait_until(lambda: os.path.exists(port_file) or self.process.poll() is not None,
                   READY_DEADLINE_SECONDS, "simulator ready")
        if self.process.poll() is not None:
            raise AssertionError("simulator exited: " + self.process.stderr.read())
        with open(port_file) as f:
            self.port = int(f.read().strip())
        self.env = dict(os.environ, HOME=self.root,
                        KUBECONFIG=os.path.join(self.state, "kubeconfig"),
                        KUBECACHEDIR=os.path.join(self.root, "cache"))

    def kubectl(self, *args, stdin=None, env=None):
        return subprocess.run([KUBECTL, *args], env=dict(self.env, **(env or {})),
                              capture_output=True, text=True, input=stdin, timeout=60)

    def ok(self, *args, stdin=None, env=None):
        """Runs kubectl and insists on exit 0; returns stdout."""
        result = self.kubectl(*args, stdin=stdin, env=env)
        if result.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} exited {result.returncode}: "
                                 f"{result.stderr}")
        return result.stdout

    def fails(self, *args, stdin=None):
        """Runs kubectl and insists on exit 1; returns stderr."""
        result = self.kubectl(*args, stdin=stdin)
        if result.returncode != 1:
            raise AssertionError(f"kubectl {' '.join(args)} should fail but exited "
                                 f"{result.returncode}: {result.stdout}{result.stderr}")
        return result.stderr

    def popen(self, *args):
        return subprocess.Popen([KUBECTL, *args], env=self.env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    def connect(self, timeout=30):
        context = ssl.create_default_context(cafile=os.path.join(self.state, "pki", "ca.crt"))
        return http.client.HTTPSConnection("127.0.0.1", self.port, context=context,
                                           timeout=timeout)

    def raw_response(self, method, path, body=b"", content_type="application/json",
                     token="sim-token"):
        """One HTTPS request (the admin token unless another is given); returns
        (status, headers, parsed JSON body)."""
        connection = self.connect()
        try:
            connection.request(method, path, body=body, headers={
                "Authorization": f"Bearer {token}", "Content-Type": content_type})
            response = connection.getresponse()
            return response.status, response.headers, json.loads(response.read() or b"null")
        finally:
            connection.close()

    def raw(self, method, path, body=b"", content_type="application/json", token="sim-token"):
        status, _, parsed = self.raw_response(method, path, body, content_type, token)
        return status, parsed

    def install_crd(self):
        expect_equal(self.ok("apply", "-f", CRD_MANIFEST),
                     f"customresourcedefinition.apiextensions.k8s.io/{CRD_NAME} created\n",
                     "CRD apply")
        self.ok("wait", "--for=condition=Established", f"crd/{CRD_NAME}", "--timeout=20s")

    def apply_namespace(self, name):
        self.ok("apply", "-f", "-",
                stdin=f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n")

    def write(self, filename, text):
        path = os.path.join(self.root, filename)
        with open(path, "w") as f:
            f.write(text)
        return path

    def stop(self):
        self.process.terminate()
        code = self.process.wait(timeout=30)
        if code != 0:
            raise AssertionError(f"simulator exit code {code}: {self.process.stderr.read()}")


def seed(name):
    with open(os.path.join(SEED_FIXTURES, name)) as f:
        return f.read()


def wait_until(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def expect_equal(actual, expected, what):
    if actual != expected:
        raise AssertionError(f"{what}: expected {expected!r}, got {actual!r}")


def expect_match(pattern, text, what):
    if not re.fullmatch(pattern, text, re.DOTALL):
        raise AssertionError(f"{what}: {text!r} does not match {pattern!r}")


def expect_in(needle, text, what):
    if needle not in text:
        raise AssertionError(f"{what}: {needle!r} not in {text!r}")


class LineReader:
    """Collects a process's stdout lines on a thread, so the test can wait
    for a line with a deadline instead of sleeping."""

    def __init__(self, process):
        self.process = process
        self.lines = []
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for line in self.process.stdout:
            with self.lock:
                self.lines.append(line.rstrip("\n"))

    def wait_for(self, predicate, what, seconds=20):
        wait_until(lambda: any(predicate(line) for line in self.snapshot()), seconds, what)

    def snapshot(self):
        with self.lock:
            return list(self.lines)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
