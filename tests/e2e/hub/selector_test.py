#!/usr/bin/env python3
"""A selector binding follows its namespaces (sandbox, managed agents): a
namespace labelled to match gets the agent, the Secret and the SA entry, and
a HarborRobotCredential record of the binding (counted in the binding's
status.targetNamespaces); unlabelled, it loses all three and its robot is
deleted and the binding no longer counts it, while the other namespace's
credential is untouched.
usage: selector_test.py <build dir>   (needs root; exits 77 otherwise)"""
import json
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
for relative in (("tests", "sandbox"), ("tests", "e2e", "hub"), ("tests", "e2e", "quickstart"),
                 ("tests", "sim", "harbor", "tests")):
    sys.path.insert(0, os.path.join(ROOT, *relative))
from harness import expect_equal, expect_true, wait_for  # noqa: E402
from hub_test import SEED, World  # noqa: E402
from quickstart_test import install  # noqa: E402
from sandbox_test import processes_mentioning, sandbox  # noqa: E402

BINDING = """\
apiVersion: harbor-robot-gen.alaudadevops.alauda.io/v1alpha1
kind: HarborRobotBinding
metadata:
  name: by-label
spec:
  namespaces:
    selector:
      matchLabels:
        pulls-from: team
  generatedSecret:
    name: team-pull
  serviceAccount:
    name: default
  harbor:
    project: team
    robot:
      access:
      - action: pull
        resource: repository
    secret:
      name: harbor
      namespace: harbor-robot-gen-system
  refreshInterval: 6h
"""


def main():
    if os.geteuid() != 0:
        print("selector_test needs root (the sandbox)")
        return 77
    build = sys.argv[1]
    state = tempfile.mkdtemp(prefix="harborrobot-selector-")
    try:
        sandbox(state, build, "up")
        world = World(state, build)
        kubectl = world.kubectl
        install(world)
        for ns in ("app-1", "app-2"):
            kubectl("create", "namespace", ns)
        kubectl("label", "namespace", "app-2", "cpaas.io/inner-namespace=team")  # the project
        kubectl("apply", "-f", os.path.join(SEED, "connection-harbor-quickstart.yaml"))
        kubectl("apply", "-f", "-", stdin=BINDING)

        def target_count():
            binding = json.loads(kubectl("get", "harborrobotbinding", "by-label", "-o", "json"))
            return binding.get("status", {}).get("targetNamespaces")

        def recorded():
            return sorted(world.credentials("by-label"))

        def has_secret(ns):
            return kubectl("get", "secret", "-n", ns, "team-pull", "-o", "name",
                           check=False).strip() == "secret/team-pull"
        wait_for(lambda: world.harbor("GET", "/projects/team")[0] == 200, "the team project")
        ready = json.loads(kubectl("get", "harborrobotbinding", "by-label", "-o", "json"))
        wait_for(lambda: json.loads(kubectl("get", "harborrobotbinding", "by-label", "-o",
                                            "json")).get("status", {}).get("conditions"),
                 "the binding's status", timeout=30)
        ready = [c for c in json.loads(kubectl("get", "harborrobotbinding", "by-label", "-o",
                                               "json"))["status"]["conditions"]][0]
        expect_equal(ready["reason"], "NoTargetNamespaces", "nothing matches yet")

        kubectl("label", "namespace", "app-1", "pulls-from=team")
        wait_for(lambda: has_secret("app-1"), "app-1 to get its Secret", timeout=60)
        # The record is written when app-1's agent reports, which may follow the
        # Secret by a moment.
        wait_for(lambda: recorded() == ["app-1"], "app-1's record of the binding", timeout=30)
        expect_equal(target_count(), 1, "the binding counts app-1")
        # The agent learns of changes from the hub's signal in its namespace.
        signal = json.loads(kubectl("get", "configmap", "harborrobot-signal", "-n", "app-1",
                                    "-o", "json"))
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
        wait_for(lambda: json.loads(kubectl("get", "sa", "default", "-n", "app-1", "-o",
                                            "json")).get("imagePullSecrets") is None,
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

        sandbox(state, build, "down")
        expect_equal(processes_mentioning(state), [], "down leaves no process")
        print("selector_test: passed")
        return 0
    finally:
        sandbox(state, build, "down", check=False)
        shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
