#!/usr/bin/env python3
"""Seed 000's disaster-recovery walkthrough on the sandbox, Steps 1-4, with the
seed's YAML verbatim: the harbor1/harbor2 connection Secrets with url.alias,
the two bindings, the Pods of Step 3, then the DNS switch of Step 4.

Proves: both bindings Ready; team1-demo holds harbor1-for-team1.robot,
harbor1-for-team1.robot.alias (keyed by https://harbor.example.com, the same
robot as harbor1's) and harbor2-for-team1.robot; `default` lists them in the
seed's order; the three Pods run. After `harbor.example.com` moves to
harbor-2, harbor2-for-team1.robot.alias replaces harbor1-for-team1.robot.alias
within the check interval (the seed's default, 1m) + 2 s, `default` matches
the seed's second listing, and a new pull from harbor.example.com reaches
harbor-2 (its request log).
usage: dr_test.py <build dir>   (needs root; exits 77 otherwise)"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from world import expect_equal, expect_true, request_log, sandboxed, wait_for  # noqa: E402

NS = "team1-demo"
CHECK_INTERVAL = 60  # url.alias.check.interval's default; the seed sets none


def main():
    with sandboxed(sys.argv[1]) as world:
        kubectl = world.kubectl
        world.install()
        kubectl("create", "namespace", NS)

        # Steps 1 and 2.
        world.apply_fixture("connection-harbor1.yaml", "connection-harbor2.yaml",
                         "binding-harbor1-for-team1.yaml", "binding-harbor2-for-team1.yaml")

        def both_ready():
            rows = [line.split() for line in
                    kubectl("get", "harborrobotbinding", "--no-headers").splitlines()]
            return len(rows) == 2 and all(row[1] == "True" for row in rows)
        wait_for(both_ready, "both bindings to be Ready", timeout=60)

        def secret_names():
            return [line.split()[0] for line in
                    kubectl("get", "secret", "-n", NS, "--no-headers").splitlines()
                    if ".robot" in line]

        def auths(name):
            return world.auths(NS, name)

        def pull_secrets():
            return [e["name"] for e in world.get("sa", "default", "-n", NS)["imagePullSecrets"]]
        before = ["harbor1-for-team1.robot", "harbor1-for-team1.robot.alias",
                  "harbor2-for-team1.robot"]
        wait_for(lambda: secret_names() == before, "the seed's three Secrets", timeout=60)
        main1 = auths("harbor1-for-team1.robot")
        alias1 = auths("harbor1-for-team1.robot.alias")
        expect_equal(list(main1), ["https://harbor-1.example.com"], "harbor1's Secret")
        expect_equal(list(alias1), ["https://harbor.example.com"], "the alias Secret's key")
        expect_equal(alias1["https://harbor.example.com"], main1["https://harbor-1.example.com"],
                     "the alias holds harbor1's credential")
        wait_for(lambda: pull_secrets() == ["harbor1-for-team1.robot", "harbor2-for-team1.robot",
                                            "harbor1-for-team1.robot.alias"],
                 "default's imagePullSecrets as the seed lists them", timeout=30)

        # Step 3.
        for pod, host in (("demo", "harbor.example.com"), ("demo1", "harbor-1.example.com"),
                          ("demo2", "harbor-2.example.com")):
            kubectl("run", pod, "--image-pull-policy=Always",
                    f"--image={host}/team1/busybox:stable", "-n", NS, "--", "sleep", "3600")

        def running(pod):
            return world.get("pod", pod, "-n", NS).get("status", {}).get("phase") == "Running"
        for pod in ("demo", "demo1", "demo2"):
            wait_for(lambda: running(pod), f"{pod} to run", timeout=60)

        # Step 4: the DNS switch.
        switched_at = time.monotonic()
        world.sandbox("dns", "harbor.example.com", "harbor-2")
        after = ["harbor1-for-team1.robot", "harbor2-for-team1.robot",
                 "harbor2-for-team1.robot.alias"]
        wait_for(lambda: secret_names() == after, "the alias Secret to move to harbor2",
                 timeout=CHECK_INTERVAL + 30)
        moved = time.monotonic() - switched_at
        print(f"dr_test: the alias moved {moved:.1f}s after the DNS switch "
              f"(check interval {CHECK_INTERVAL}s)")
        expect_true(moved <= CHECK_INTERVAL + 2, f"within the check interval + 2 s: {moved:.1f}s")
        main2 = auths("harbor2-for-team1.robot")
        expect_equal(auths("harbor2-for-team1.robot.alias")["https://harbor.example.com"],
                     main2["https://harbor-2.example.com"], "the alias holds harbor2's credential")
        wait_for(lambda: pull_secrets() == after, "default's imagePullSecrets as the seed lists "
                 "them after the switch", timeout=30)

        kubectl("delete", "pod", "demo", "-n", NS)
        pulls_before = len(request_log(world.record, "harbor-2"))
        kubectl("run", "demo", "--image-pull-policy=Always",
                "--image=harbor.example.com/team1/busybox:stable", "-n", NS, "--", "sleep", "3600")
        wait_for(lambda: running("demo"), "demo to run from harbor-2", timeout=60)
        expect_true(len(request_log(world.record, "harbor-2")) > pulls_before,
                    "the pull from harbor.example.com reached harbor-2")
    print("dr_test: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
