#!/usr/bin/env python3
"""Harbor down for a minute (sandbox, managed agents): every connection to
harbor-1 is reset for 60 s while a rotation is requested. Nothing is lost:
the Secret keeps its working credential throughout, no robot is deleted, the
binding says HarborUnavailable; when Harbor is back the rotation happens and
the binding is Ready again, with no one touching anything.
usage: outage_test.py <build dir>   (needs root; exits 77 otherwise)"""
import base64
import datetime
import json
import os
import shutil
import ssl
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
for relative in (("tests", "sandbox"), ("tests", "e2e", "hub"), ("tests", "e2e", "quickstart"),
                 ("tests", "sim", "harbor", "tests")):
    sys.path.insert(0, os.path.join(ROOT, *relative))
from harness import expect_equal, expect_true, wait_for  # noqa: E402
from hub_test import SEED, World  # noqa: E402
from quickstart_test import install  # noqa: E402
from sandbox_test import processes_mentioning, sandbox  # noqa: E402

BINDING = "harbor-secret-for-team"
SECRET = "harbor-secret-for-team.robot"
OUTAGE = 60


def faults(world, body):
    harbor = world.record["components"]["harbor-1"]
    context = ssl.create_default_context(cafile=harbor["ca"])
    context.check_hostname = False
    request = urllib.request.Request(
        f"https://{harbor['address']}/_sim/faults", method="PUT" if body else "DELETE",
        data=json.dumps(body).encode() if body else None,
        headers={"Content-Type": "application/json", "Authorization": "Basic " +
                 base64.b64encode(b"admin:Harbor12345").decode()})
    urllib.request.urlopen(request, context=context, timeout=30).close()


def main():
    if os.geteuid() != 0:
        print("outage_test needs root (the sandbox)")
        return 77
    build = sys.argv[1]
    state = tempfile.mkdtemp(prefix="harborrobot-outage-")
    try:
        sandbox(state, build, "up")
        world = World(state, build)
        kubectl = world.kubectl
        install(world)
        kubectl("create", "namespace", "team-ns1")
        kubectl("label", "namespace", "team-ns1", "cpaas.io/inner-namespace=team")
        kubectl("apply", "-f", os.path.join(SEED, "connection-harbor-quickstart.yaml"))
        with open(os.path.join(SEED, "binding-harbor-secret-for-team-quickstart.yaml")) as f:
            kubectl("apply", "-f", "-", stdin=f.read().replace("    - team-ns2\n", ""))

        def secret():
            return json.loads(kubectl("get", "secret", "-n", "team-ns1", SECRET, "-o", "json"))

        def ready():
            binding = json.loads(kubectl("get", "harborrobotbinding", BINDING, "-o", "json"))
            return [c for c in binding.get("status", {}).get("conditions", [])
                    if c["type"] == "Ready"]
        wait_for(lambda: ready() and ready()[0]["status"] == "True", "Ready", timeout=60)
        before = secret()
        robots_before = [r["name"] for r in world.robots()]

        faults(world, {"outageSeconds": OUTAGE})
        down_at = time.monotonic()
        rotated = before["metadata"]["annotations"]["harborrobot.io/rotated-at"]
        # A request counts when it is later than the last rotation (whole seconds).
        wait_for(lambda: datetime.datetime.now(datetime.timezone.utc).strftime(
            "%Y-%m-%dT%H:%M:%SZ") > rotated, "the next second", timeout=5)
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        kubectl("annotate", "--overwrite", "harborrobotbinding", BINDING,
                f"harborrobot.io/rotate-requested-at={now}")
        wait_for(lambda: ready() and ready()[0]["reason"] == "HarborUnavailable",
                 "the binding to report Harbor unavailable", timeout=OUTAGE)
        samples = 0
        while time.monotonic() - down_at < OUTAGE - 5:  # sampled across the outage
            expect_equal(secret()["data"], before["data"], "the working credential stays")
            samples += 1
        expect_true(samples > 10, f"the Secret was sampled through the outage ({samples})")

        wait_for(lambda: secret()["metadata"]["annotations"]["harborrobot.io/generation"] == "2",
                 "the rotation once Harbor is back", timeout=OUTAGE + 60)
        recovered = time.monotonic() - down_at
        wait_for(lambda: ready()[0]["status"] == "True", "Ready again", timeout=60)
        print(f"outage_test: Harbor down {OUTAGE}s; rotated {recovered:.1f}s after it went down")
        names = [r["name"] for r in world.robots()]
        expect_true(all(name in names for name in robots_before),
                    f"no robot was deleted by the outage: {names}")
        expect_equal(len(names), 2, "the old robot waits out its grace period, the new one exists")

        sandbox(state, build, "down")
        expect_equal(processes_mentioning(state), [], "down leaves no process")
        print("outage_test: passed")
        return 0
    finally:
        sandbox(state, build, "down", check=False)
        shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
