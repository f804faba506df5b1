#!/usr/bin/env python3
"""Rotation under load on the sandbox: a puller reads team-ns1's generated
Secret before every pull, as the kubelet does, and pulls with the real skopeo
through harbor.example.com without pause, while 100 rotations are requested
(the binding's harborrobot.io/rotate-requested-at annotation, what
`kubectl harborrobot rotate` sets). Asserts zero failed pulls, that every
rotation produced a new robot, and that superseded robots are deleted after
the grace period; prints the counts.
usage: rotation_test.py <build dir> [rotations]   (needs root; exits 77 otherwise)"""
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
for relative in (("tests", "sandbox"), ("tests", "e2e", "hub"), ("tests", "e2e", "quickstart"),
                 ("tests", "sim", "harbor", "tests"), ("tests", "sim", "harbor", "tools")):
    sys.path.insert(0, os.path.join(ROOT, *relative))
import harbor_seed_image  # noqa: E402
from harness import expect_equal, expect_true, wait_for  # noqa: E402
from hub_test import SEED, World  # noqa: E402
from quickstart_test import install  # noqa: E402
from sandbox_test import processes_mentioning, sandbox  # noqa: E402

BINDING = "harbor-secret-for-team"
SECRET = "harbor-secret-for-team.robot"
NS = "team-ns1"
REGISTRY = "https://harbor.example.com"


def registry_certs(world):
    """A --cert-dir for skopeo that trusts harbor-1 (harbor.example.com), made once."""
    certs = os.path.join(world.state, "pull-certs")
    os.makedirs(certs, exist_ok=True)
    shutil.copy(world.record["components"]["harbor-1"]["ca"], os.path.join(certs, "ca.crt"))
    return certs


def pull(world, certs, credential, image=f"{REGISTRY.removeprefix('https://')}/team/app:v1",
         whole=False):
    """One pull with the real skopeo, resolving names through the sandbox's DNS,
    with credential (username, password), or anonymously when it is None: the
    manifest (`skopeo inspect --raw`), or with whole=True every blob of the image
    too (`skopeo copy`). Returns the finished process."""
    skopeo = [os.path.join(ROOT, "tests", "sandbox", "sandbox"), "--state", world.state,
              "--build", world.build, "exec", "--", "skopeo"]
    creds = [f"--creds={credential[0]}:{credential[1]}"] if credential else ["--no-creds"]
    if not whole:
        return subprocess.run([*skopeo, "inspect", "--raw", "--retry-times", "0", "--cert-dir",
                               certs, *creds, f"docker://{image}"],
                              capture_output=True, text=True, timeout=60,
                              stdin=subprocess.DEVNULL)
    target = tempfile.mkdtemp(prefix="pulled-", dir=world.state)
    try:
        return subprocess.run([*skopeo, "copy", "--quiet", "--retry-times", "0",
                               "--src-cert-dir", certs,
                               *(flag.replace("--", "--src-", 1) for flag in creds),
                               f"docker://{image}", f"dir:{target}"],
                              capture_output=True, text=True, timeout=120,
                              stdin=subprocess.DEVNULL)
    finally:
        shutil.rmtree(target, ignore_errors=True)


class Puller(threading.Thread):
    """Pulls team/app:v1 in a loop with whatever the Secret holds right now."""

    def __init__(self, world, certs):
        super().__init__(daemon=True)
        self.world, self.certs = world, certs
        self.stop = threading.Event()
        self.pulls = 0
        self.failures = []

    def credential(self):
        return self.world.pull_credential(NS, SECRET, REGISTRY)

    def run(self):
        while not self.stop.is_set():
            credential = self.credential()
            if credential is None:
                self.failures.append(f"{NS}/{SECRET} holds no credential for {REGISTRY}")
                continue
            done = pull(self.world, self.certs, credential)
            self.pulls += 1
            if done.returncode != 0:
                self.failures.append(f"{credential[0]}: {done.stderr.strip()[-300:]}")


def main():
    if os.geteuid() != 0:
        print("rotation_test needs root (the sandbox)")
        return 77
    build = sys.argv[1]
    rotations = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    state = tempfile.mkdtemp(prefix="harborrobot-rotation-")
    try:
        sandbox(state, build, "up")
        world = World(state, build)
        kubectl = world.kubectl
        install(world)
        kubectl("create", "namespace", NS)
        kubectl("label", "namespace", NS, "cpaas.io/inner-namespace=team")
        kubectl("apply", "-f", os.path.join(SEED, "connection-harbor-quickstart.yaml"))
        with open(os.path.join(SEED, "binding-harbor-secret-for-team-quickstart.yaml")) as f:
            binding = f.read().replace("    - team-ns2\n", "")
        kubectl("apply", "-f", "-", stdin=binding)
        # Superseded robots live 10 s: far longer than a pull that read the
        # Secret just before a rotation needs.
        kubectl("patch", "harborrobotbinding", BINDING, "--type", "merge", "-p",
                '{"spec":{"rotation":{"gracePeriod":"10s"}}}')
        harbor = world.record["components"]["harbor-1"]
        harbor_seed_image.seed("harbor-1.example.com", harbor["ca"], "admin", "Harbor12345",
                               "team/app:v1",
                               command_prefix=[os.path.join(ROOT, "tests", "sandbox", "sandbox"),
                                               "--state", state, "--build", build, "exec", "--"])

        def annotations():
            try:
                return json.loads(kubectl("get", "secret", "-n", NS, SECRET, "-o", "json"))[
                    "metadata"]["annotations"]
            except AssertionError:
                return None
        wait_for(annotations, "the generated Secret", timeout=60)
        puller = Puller(world, registry_certs(world))
        puller.start()
        wait_for(lambda: puller.pulls >= 2, "the puller to get going", timeout=60)
        users = {puller.credential()[0]}
        started = time.monotonic()
        for _ in range(rotations):
            current = annotations()
            generation = int(current["harborrobot.io/generation"])
            rotated = datetime.datetime.strptime(current["harborrobot.io/rotated-at"],
                                                 "%Y-%m-%dT%H:%M:%SZ").replace(
                tzinfo=datetime.timezone.utc)
            # A request counts when it is later than the last rotation (whole seconds).
            wait_for(lambda: datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
                     > rotated, "the next second", timeout=5)
            now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            kubectl("annotate", "--overwrite", "harborrobotbinding", BINDING,
                    f"harborrobot.io/rotate-requested-at={now}")
            wait_for(lambda: int((annotations() or {}).get("harborrobot.io/generation", 0))
                     > generation, "the rotation", timeout=30)
            users.add(puller.credential()[0])
        elapsed = time.monotonic() - started
        # Pull on across the grace period of the last rotations.
        pulls_at_end = puller.pulls
        wait_for(lambda: puller.pulls >= pulls_at_end + 3, "a few more pulls", timeout=60)
        puller.stop.set()
        puller.join(timeout=120)
        print(f"rotation_test: {rotations} rotations in {elapsed:.1f}s, {puller.pulls} pulls, "
              f"{len(puller.failures)} failed")
        expect_equal(puller.failures, [], "no pull failed")
        expect_equal(len(users), rotations + 1, "every rotation made a new robot")
        wait_for(lambda: len(world.robots()) == 1, "superseded robots to be deleted", timeout=60)

        sandbox(state, build, "down")
        expect_equal(processes_mentioning(state), [], "down leaves no process")
        print("rotation_test: passed")
        return 0
    finally:
        sandbox(state, build, "down", check=False)
        shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
