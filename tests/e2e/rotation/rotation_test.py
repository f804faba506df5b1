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
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from world import BINDING, REGISTRY, SECRET, expect_equal, sandboxed, wait_for  # noqa: E402

NS = "team-ns1"


class Puller(threading.Thread):
    """Pulls team/app:v1 in a loop with whatever the Secret holds right now."""

    def __init__(self, world):
        super().__init__(daemon=True)
        self.world = world
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
            done = self.world.pull(credential)
            self.pulls += 1
            if done.returncode != 0:
                self.failures.append(f"{credential[0]}: {done.stderr.strip()[-300:]}")


def main():
    rotations = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    with sandboxed(sys.argv[1]) as world:
        kubectl = world.kubectl
        world.install()
        world.apply_quickstart(namespaces=(NS,))
        # Superseded robots live 10 s: far longer than a pull that read the
        # Secret just before a rotation needs.
        kubectl("patch", "harborrobotbinding", BINDING, "--type", "merge", "-p",
                '{"spec":{"rotation":{"gracePeriod":"10s"}}}')
        world.push_image("team/app:v1")

        def annotations():
            try:
                return world.get("secret", "-n", NS, SECRET)["metadata"]["annotations"]
            except AssertionError:
                return None
        wait_for(annotations, "the generated Secret", timeout=60)
        puller = Puller(world)
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
    print("rotation_test: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
