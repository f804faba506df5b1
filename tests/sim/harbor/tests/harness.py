"""Test harness for harborrobot-harbor-sim: starts an instance in a fresh state
dir, talks to it over HTTPS with urllib (verifying its own CA), and drives the
real skopeo against its registry path."""
import base64
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
import harbor_seed_image  # noqa: E402  (the image-seeding helper under test too)

ADMIN = ("admin", "Harbor12345")


def expect_equal(actual, expected, what):
    if actual != expected:
        raise AssertionError(f"{what}: expected {expected!r}, got {actual!r}")


def expect_true(condition, what):
    if not condition:
        raise AssertionError(what)


def wait_for(condition, what, timeout=30.0, interval=0.05):
    """Polls `condition` until it returns a truthy value or `timeout` passes."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def basic(user):
    return "Basic " + base64.b64encode(f"{user[0]}:{user[1]}".encode()).decode()


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body) if self.body.strip() else None


class Harbor:
    def __init__(self, binary, extra_args=(), state=None, failed_login_delay_ms=0,
                 snapshot=False):
        self.binary = binary
        self.owns_state = state is None
        self.state = state or tempfile.mkdtemp(prefix="harborsim-")
        self.extra_args = list(extra_args)
        if snapshot:
            self.extra_args += ["--snapshot", os.path.join(self.state, "state.json")]
        self.failed_login_delay_ms = failed_login_delay_ms
        self.start()

    def start(self):
        port_file = os.path.join(self.state, "port")
        if os.path.exists(port_file):
            os.remove(port_file)
        self.stderr = open(os.path.join(self.state, "stderr.log"), "ab")
        self.process = subprocess.Popen(
            [self.binary, "--state-dir", self.state,
             "--failed-login-delay-ms", str(self.failed_login_delay_ms)] + self.extra_args,
            stdout=subprocess.DEVNULL, stderr=self.stderr)
        wait_for(lambda: os.path.exists(port_file) or self.process.poll() is not None,
                 "the simulator to write its port")
        if self.process.poll() is not None:
            raise AssertionError(f"simulator exited with {self.process.returncode}: "
                                 f"{self.log_text()}")
        with open(port_file) as f:
            self.port = int(f.read().strip())
        self.host = f"127.0.0.1:{self.port}"
        self.url = f"https://{self.host}"
        self.ca = os.path.join(self.state, "pki", "ca.crt")
        self.context = ssl.create_default_context(cafile=self.ca)

    def log_text(self):
        with open(os.path.join(self.state, "stderr.log"), "rb") as f:
            return f.read().decode(errors="replace")

    def raw(self, method, path, body=None, headers=None, timeout=30):
        """One HTTPS request; returns a Response whatever the status."""
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, method=method, data=data)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, context=self.context, timeout=timeout) as answer:
                return Response(answer.status, answer.headers, answer.read().decode())
        except urllib.error.HTTPError as error:
            return Response(error.code, error.headers, error.read().decode())

    def call(self, method, path, body=None, user=ADMIN, headers=None):
        """An /api/v2.0 call as `user`: (status, headers, parsed JSON or None)."""
        all_headers = dict(headers or {})
        if user:
            all_headers["Authorization"] = basic(user)
        answer = self.raw(method, "/api/v2.0" + path, body, all_headers)
        return answer.status, answer.headers, answer.json()

    def admin(self, method, path, body=None):
        """The test-only /_sim/ endpoint, as the Harbor admin."""
        answer = self.raw(method, "/_sim/" + path, body, {"Authorization": basic(ADMIN)})
        return answer.status, answer.json()

    def seed_image(self, image, content="hello\n", user=ADMIN):
        return harbor_seed_image.seed(self.host, self.ca, user[0], user[1], image, content)

    def skopeo_inspect(self, image, user):
        """`skopeo inspect` with an authfile holding `user`; (exit code, stderr)."""
        work = tempfile.mkdtemp(prefix="harborsim-skopeo-")
        try:
            certs = os.path.join(work, "certs")
            os.makedirs(certs)
            shutil.copy(self.ca, os.path.join(certs, "ca.crt"))
            auth = os.path.join(work, "auth.json")
            with open(auth, "w") as f:
                token = base64.b64encode(f"{user[0]}:{user[1]}".encode()).decode()
                json.dump({"auths": {self.host: {"auth": token}}}, f)
            result = subprocess.run(
                ["skopeo", "copy", "--quiet", "--src-authfile", auth, "--src-cert-dir", certs,
                 f"docker://{self.host}/{image}", f"dir:{os.path.join(work, 'out')}"],
                capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
            return result.returncode, result.stderr
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=30)
        self.stderr.close()
        return code

    def close(self):
        """Stops the instance (checking a clean exit) and removes its state."""
        try:
            expect_equal(self.stop(), 0, "simulator exit code")
        finally:
            if self.owns_state:
                shutil.rmtree(self.state, ignore_errors=True)


def robot_body(name, project="team", actions=("pull",), duration=30, level="project"):
    return {"name": name, "level": level, "duration": duration,
            "permissions": [{"kind": "project", "namespace": project,
                             "access": [{"resource": "repository", "action": action}
                                        for action in actions]}]}


def create_robot(harbor, name, project="team", actions=("pull",), duration=30):
    status, _, robot = harbor.call("POST", "/robots", robot_body(name, project, actions, duration))
    expect_equal(status, 201, f"create robot {name}")
    return robot
