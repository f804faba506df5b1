#!/usr/bin/env python3
"""Harbor down for a minute (sandbox, managed agents): every connection to
harbor-1 is reset for 60 s while a rotation is requested. Nothing is lost:
the Secret keeps its working credential throughout, no robot is deleted, the
binding says HarborUnavailable; when Harbor is back the rotation happens and
the binding is Ready again, with no one touching anything.
usage: outage_test.py <build dir>   (needs root; exits 77 otherwise)"""
import datetime
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from world import BINDING, SECRET, expect_equal, expect_true, sandboxed, wait_for  # noqa: E402

OUTAGE = 60


def main():
    with sandboxed(sys.argv[1]) as world:
        kubectl = world.kubectl
        world.install()
        world.apply_quickstart(namespaces=("team-ns1",))

        def secret():
            return world.get("secret", "-n", "team-ns1", SECRET)

        ready = world.ready_condition
        wait_for(lambda: ready().get("status") == "True", "Ready", timeout=60)
        before = secret()
        robots_before = [r["name"] for r in world.robots()]

        world.harbor_sim("PUT", "/faults", {"outageSeconds": OUTAGE})
        down_at = time.monotonic()
        rotated = before["metadata"]["annotations"]["harborrobot.io/rotated-at"]
        # A request counts when it is later than the last rotation (whole seconds).
        wait_for(lambda: datetime.datetime.now(datetime.timezone.utc).strftime(
            "%Y-%m-%dT%H:%M:%SZ") > rotated, "the next second", timeout=5)
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        kubectl("annotate", "--overwrite", "harborrobotbinding", BINDING,
                f"harborrobot.io/rotate-requested-at={now}")
        wait_for(lambda: ready().get("reason") == "HarborUnavailable",
                 "the binding to report Harbor unavailable", timeout=OUTAGE)
        samples = 0
        while time.monotonic() - down_at < OUTAGE - 5:  # sampled across the outage
            expect_equal(secret()["data"], before["data"], "the working credential stays")
            samples += 1
        expect_true(samples > 10, f"the Secret was sampled through the outage ({samples})")

        wait_for(lambda: secret()["metadata"]["annotations"]["harborrobot.io/generation"] == "2",
                 "the rotation once Harbor is back", timeout=OUTAGE + 60)
        recovered = time.monotonic() - down_at
        wait_for(lambda: ready().get("status") == "True", "Ready again", timeout=60)
        print(f"outage_test: Harbor down {OUTAGE}s; rotated {recovered:.1f}s after it went down")
        names = [r["name"] for r in world.robots()]
        expect_true(all(name in names for name in robots_before),
                    f"no robot was deleted by the outage: {names}")
        expect_equal(len(names), 2, "the old robot waits out its grace period, the new one exists")
    print("outage_test: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
