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
import base64
import json
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
for relative in (("tests", "sandbox"), ("tests", "e2e", "hub"), ("tests", "e2e", "quickstart"),
                 ("tests", "e2e", "plugin"), ("tests", "sim", "harbor", "tests"),
                 ("tests", "sim", "harbor", "tools")):
    sys.path.insert(0, os.path.join(ROOT, *relative))
from harness import expect_equal, expect_true, wait_for  # noqa: E402
from hub_test import SEED, World  # noqa: E402
from plugin_test import PASSWORD, Plugin  # noqa: E402
from quickstart_test import install  # noqa: E402
from sandbox_test import sandbox  # noqa: E402

SYSTEM = "harbor-robot-gen-system"
LONG_NS = "rotate-" + "x" * 55 + "1"  # 63 characters, the longest namespace name
BINDING = "long-namespace"


def secret(world, name):
    return json.loads(world.kubectl("get", "secret", "-n", SYSTEM, name, "-o", "json",
                                    "--show-managed-fields"))


def robot_of(world):
    data = json.loads(world.kubectl("get", "secret", "-n", LONG_NS, f"{BINDING}.robot", "-o",
                                    "json"))["data"]
    config = json.loads(base64.b64decode(data[".dockerconfigjson"]))
    return next(iter(config["auths"].values()))["username"]


def main():
    if os.geteuid() != 0:
        print("kube_limits_test needs root (the sandbox)")
        return 77
    build = os.path.abspath(sys.argv[1])
    state = tempfile.mkdtemp(prefix="harborrobot-kube-limits-")
    try:
        sandbox(state, build, "up")
        world = World(state, build)
        kubectl = world.kubectl
        install(world)
        bin_dir = os.path.join(state, "bin")
        os.makedirs(bin_dir)
        os.symlink(os.path.join(build, "bin", "kubectl-harborrobot"),
                   os.path.join(bin_dir, "kubectl-harborrobot"))
        plugin = Plugin(world, bin_dir)

        # connect owns data.*: a key left out of a later connect goes.
        base = ["connect", "aliased", "--url", "https://harbor.example.com", "--username",
                "api-user", "--password-stdin", "--no-wait"]
        plugin.run(*base, "--alias", "https://harbor-1.example.com", "--alias-policy", "Always",
                   stdin=PASSWORD)
        written = secret(world, "aliased")
        expect_equal(sorted(written["data"]),
                     ["password", "url", "url.alias", "url.alias.policy", "username"],
                     "connect --alias writes the alias keys")
        applied = [entry for entry in written["metadata"]["managedFields"]
                   if entry["manager"] == "kubectl-harborrobot"]
        expect_equal([entry["operation"] for entry in applied], ["Apply"], "one apply entry")
        expect_true("f:url.alias" in applied[0]["fieldsV1"].get("f:data", {}),
                    f"connect owns data.url.alias: {applied[0]['fieldsV1']}")
        plugin.run(*base, stdin=PASSWORD)
        expect_equal(sorted(secret(world, "aliased")["data"]), ["password", "url", "username"],
                     "connect without --alias removes the alias keys")

        # A 63-character namespace, rotated alone.
        expect_equal(len(LONG_NS), 63, "the namespace name is 63 characters")
        kubectl("create", "namespace", LONG_NS)
        # The seed's connection names the project by this label (projectFieldsPath).
        kubectl("label", "namespace", LONG_NS, "cpaas.io/inner-namespace=team")
        kubectl("apply", "-f", os.path.join(SEED, "connection-harbor-quickstart.yaml"))
        kubectl("apply", "-f", "-", stdin=json.dumps({
            "apiVersion": "harbor-robot-gen.alaudadevops.alauda.io/v1alpha1",
            "kind": "HarborRobotBinding", "metadata": {"name": BINDING},
            "spec": {"namespaces": {"names": [LONG_NS]},
                     "generatedSecret": {"name": f"{BINDING}.robot"},
                     "serviceAccount": {"name": "default"},
                     "harbor": {"project": "team",
                                "robot": {"access": [{"action": "pull",
                                                      "resource": "repository"}]},
                                "secret": {"name": "harbor", "namespace": SYSTEM}},
                     "refreshInterval": "6h"}}))
        wait_for(lambda: kubectl("get", "harborrobotbinding", BINDING, "-o",
                                 "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}")
                 == "True", "the binding to be Ready", timeout=90)
        before = robot_of(world)
        rotated = plugin.run("rotate", BINDING, "-n", LONG_NS, "--wait", "--timeout", "90s")
        expect_true(f"in {LONG_NS}" in rotated.stdout, rotated.stdout)
        annotations = json.loads(kubectl("get", "harborrobotbinding", BINDING, "-o", "json"))[
            "metadata"]["annotations"]
        expect_true(f"{LONG_NS}.rotate.harborrobot.io/requested-at" in annotations,
                    f"the per-namespace key: {sorted(annotations)}")
        expect_true(robot_of(world) != before, "a new robot in the 63-character namespace")

        sandbox(state, build, "down")
        print("kube_limits_test: passed")
        return 0
    finally:
        sandbox(state, build, "down", check=False)
        shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
