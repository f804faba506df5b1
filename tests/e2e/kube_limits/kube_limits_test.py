#!/usr/bin/env python3
"""The product within what a real API server allows, on the sandbox's
simulator (which follows the apiserver's source on both points):
- `kubectl harborrobot connect` server-side applies `data`, so it owns data.*
  and re-running it without --alias removes the alias keys (with stringData
  the applier would own stringData.* only and the keys would stay for ever);
- a namespace name of 63 characters can be rotated alone: the per-namespace
  rotate annotation key fits Kubernetes' key rules
  (`kubectl harborrobot rotate NAME -n <63 characters> --wait`).
usage: kube_limits_test.py <build dir>   (needs root; exits 77 otherwise)"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from world import (HUB_NS, QUICKSTART_CONNECTION, TEAM_LABEL, binding,  # noqa: E402
                   expect_equal, expect_true, sandboxed, wait_for)

LONG_NS = "rotate-" + "x" * 55 + "1"  # 63 characters, the longest namespace name
BINDING = "long-namespace"


def secret(world, name):
    return world.get("secret", "-n", HUB_NS, name, "--show-managed-fields")


def robot_of(world):
    return next(iter(world.auths(LONG_NS, f"{BINDING}.robot").values()))["username"]


def main():
    with sandboxed(sys.argv[1]) as world:
        kubectl = world.kubectl
        world.install()

        # connect owns data.*: a key left out of a later connect goes.
        world.connect("--no-wait", "--alias", "https://harbor-1.example.com", "--alias-policy",
                      "Always", name="aliased")
        written = secret(world, "aliased")
        expect_equal(sorted(written["data"]),
                     ["password", "url", "url.alias", "url.alias.policy", "username"],
                     "connect --alias writes the alias keys")
        applied = [entry for entry in written["metadata"]["managedFields"]
                   if entry["manager"] == "kubectl-harborrobot"]
        expect_equal([entry["operation"] for entry in applied], ["Apply"], "one apply entry")
        expect_true("f:url.alias" in applied[0]["fieldsV1"].get("f:data", {}),
                    f"connect owns data.url.alias: {applied[0]['fieldsV1']}")
        world.connect("--no-wait", name="aliased")
        expect_equal(sorted(secret(world, "aliased")["data"]), ["password", "url", "username"],
                     "connect without --alias removes the alias keys")

        # A 63-character namespace, rotated alone.
        expect_equal(len(LONG_NS), 63, "the namespace name is 63 characters")
        # The seed's connection names the project by this label (projectFieldsPath).
        world.create_namespaces([LONG_NS], TEAM_LABEL)
        world.apply_fixture(QUICKSTART_CONNECTION)
        world.apply(binding(BINDING, namespaces=[LONG_NS]))
        wait_for(lambda: kubectl("get", "harborrobotbinding", BINDING, "-o",
                                 "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}")
                 == "True", "the binding to be Ready", timeout=90)
        before = robot_of(world)
        rotated = world.plugin("rotate", BINDING, "-n", LONG_NS, "--wait", "--timeout", "90s")
        expect_true(f"in {LONG_NS}" in rotated, rotated)
        annotations = world.binding(BINDING)["metadata"]["annotations"]
        expect_true(f"{LONG_NS}.rotate.harborrobot.io/requested-at" in annotations,
                    f"the per-namespace key: {sorted(annotations)}")
        expect_true(robot_of(world) != before, "a new robot in the 63-character namespace")
    print("kube_limits_test: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
