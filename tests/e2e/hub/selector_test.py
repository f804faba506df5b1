#!/usr/bin/env python3
"""A selector binding follows its namespaces (sandbox, managed agents): a
namespace labelled to match gets the agent, the Secret and the SA entry, and
a HarborRobotCredential record of the binding (counted in the binding's
status.targetNamespaces); unlabelled, it loses all three and its robot is
deleted and the binding no longer counts it, while the other namespace's
credential is untouched.
usage: selector_test.py <build dir>   (needs root; exits 77 otherwise)"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from world import (QUICKSTART_CONNECTION, binding, expect_equal, expect_true,  # noqa: E402
                   sandboxed, wait_for)

# Every namespace labelled pulls-from=team, in project team.
BINDING = binding("by-label", selector={"pulls-from": "team"}, secret="team-pull")


def main():
    with sandboxed(sys.argv[1]) as world:
        kubectl = world.kubectl
        world.install()
        for ns in ("app-1", "app-2"):
            kubectl("create", "namespace", ns)
        kubectl("label", "namespace", "app-2", "cpaas.io/inner-namespace=team")  # the project
        world.apply_fixture(QUICKSTART_CONNECTION)
        world.apply(BINDING)

        def target_count():
            return world.binding("by-label").get("status", {}).get("targetNamespaces")

        def recorded():
            return sorted(world.credentials("by-label"))

        def has_secret(ns):
            return kubectl("get", "secret", "-n", ns, "team-pull", "-o", "name",
                           check=False).strip() == "secret/team-pull"
        wait_for(lambda: world.harbor("GET", "/projects/team")[0] == 200, "the team project")
        wait_for(lambda: world.binding("by-label").get("status", {}).get("conditions"),
                 "the binding's status", timeout=30)
        ready = world.binding("by-label")["status"]["conditions"][0]
        expect_equal(ready["reason"], "NoTargetNamespaces", "nothing matches yet")

        kubectl("label", "namespace", "app-1", "pulls-from=team")
        wait_for(lambda: has_secret("app-1"), "app-1 to get its Secret", timeout=60)
        # The record is written when app-1's agent reports, which may follow the
        # Secret by a moment.
        wait_for(lambda: recorded() == ["app-1"], "app-1's record of the binding", timeout=30)
        expect_equal(target_count(), 1, "the binding counts app-1")
        # The agent learns of changes from the hub's signal in its namespace.
        signal = world.get("configmap", "harborrobot-signal", "-n", "app-1")
        fingerprint = signal["metadata"]["annotations"]["harborrobot.io/bindings-fingerprint"]
        expect_equal(len(fingerprint), 16, "a fingerprint in the signal")
        expect_equal(kubectl("get", "configmap", "harborrobot-signal", "-n", "app-2", "-o",
                             "name", check=False).strip(), "", "no signal where nothing targets")
        expect_true(not has_secret("app-2"), "app-2 does not match")
        kubectl("label", "namespace", "app-2", "pulls-from=team")
        wait_for(lambda: has_secret("app-2"), "app-2 to get its Secret", timeout=60)
        wait_for(lambda: len(world.robots()) == 2, "one robot per namespace", timeout=30)
        app2_robot = [r["name"] for r in world.robots() if "-app-2-" in r["name"]]
        expect_equal(len(app2_robot), 1, "app-2's robot")

        kubectl("label", "namespace", "app-1", "pulls-from-")
        wait_for(lambda: not has_secret("app-1"), "app-1's Secret to go", timeout=60)
        wait_for(lambda: world.get("sa", "default", "-n", "app-1").get("imagePullSecrets") is None,
                 "app-1's SA entry to go", timeout=30)
        wait_for(lambda: kubectl("get", "deployment", "-n", "app-1", "-o", "name") == "",
                 "app-1's agent to go", timeout=60)
        wait_for(lambda: [r["name"] for r in world.robots()] == app2_robot,
                 "app-1's robot deleted, app-2's kept", timeout=60)
        expect_true(has_secret("app-2"), "app-2 keeps its Secret")
        expect_equal(kubectl("get", "configmap", "harborrobot-signal", "-n", "app-1", "-o",
                             "name", check=False).strip(), "", "app-1's signal is gone")
        # app-1's record goes only once its robots are gone, so the binding's
        # count and not-ready list say it is no longer a target.
        expect_equal((target_count(), "app-1" in world.not_ready("by-label")), (1, False),
                     "the binding counts app-2 only")
        expect_true("app-2" in recorded(), "app-2 keeps its record")
    print("selector_test: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
