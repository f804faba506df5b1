#!/usr/bin/env python3
"""One kubectl version against the sandbox, called directly (not through the
`kubectl` dispatcher) with its own --cache-dir: the seed's Quick Start
(apply the connection Secret and the binding, wait for Ready, the
`get harborrobotbinding` columns, the generated Secret), then
`apply --server-side`, `diff`, `explain`, `auth can-i --as` and
`kubectl harborrobot version --client` through this version's plugin lookup,
and the disaster-recovery walkthrough's commands (Steps 1-3).
kubectl 1.27 and 1.28 download /openapi/v2 for apply and validation.
usage: kubectl_versions_test.py <build dir> <1.27|...|1.33>
(needs root and the kubectl.<version> binary; exits 77 otherwise)"""
import base64
import json
import os
import shutil
import subprocess
import sys

import yaml

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from world import (BINDING, NAMESPACES, QUICKSTART_BINDING_FILE,  # noqa: E402
                   QUICKSTART_CONNECTION, SECRET, FIXTURES, TEAM_LABEL, expect_equal, expect_true,
                   require_root, sandboxed)

HUB_SA = "system:serviceaccount:harbor-robot-gen-system:harborrobot-hub"


def versioned_kubectl(version):
    """kubectl.<version> beside the real kubectl (/usr/bin/kubectl is a link)."""
    found = shutil.which(f"kubectl.{version}")
    if found:
        return found
    kubectl = shutil.which("kubectl")
    if not kubectl:
        return None
    candidate = os.path.join(os.path.dirname(os.path.realpath(kubectl)), f"kubectl.{version}")
    return candidate if os.access(candidate, os.X_OK) else None


class Kubectl:
    def __init__(self, binary, cache_dir, env):
        self.binary, self.cache_dir, self.env = binary, cache_dir, env

    def run(self, *args, stdin=None, expect=0, plugin=False):
        # kubectl refuses flags before a plugin's name (traces §11); a plugin
        # call makes no request, so it needs no cache directory.
        flags = [] if plugin else ["--cache-dir", self.cache_dir]
        done = subprocess.run([self.binary, *flags, *args], env=self.env,
                              input=stdin, capture_output=True, text=True, timeout=120)
        if expect is not None and done.returncode != expect:
            raise AssertionError(f"{os.path.basename(self.binary)} {' '.join(args)}: exit "
                                 f"{done.returncode}, expected {expect}\nstdout: {done.stdout}\n"
                                 f"stderr: {done.stderr}")
        return done

    def __call__(self, *args, stdin=None):
        return self.run(*args, stdin=stdin).stdout


DR_NS = "team1-demo"


def dr_walkthrough(kubectl):
    """The disaster-recovery walkthrough's commands, Steps 1-3, as Alauda's
    document gives them: the YAML piped to `apply -f -`, `get harborrobotbinding`,
    `get secret`, the `-ojsonpath` read of a dockerconfigjson, `get sa -oyaml`
    and the three `kubectl run` Pods. (Step 4's DNS switch changes no command;
    e2e.dr_walkthrough times it with the default kubectl.)"""
    kubectl("create", "namespace", DR_NS)
    for name in ("connection-harbor1.yaml", "connection-harbor2.yaml",
                 "binding-harbor1-for-team1.yaml", "binding-harbor2-for-team1.yaml"):
        with open(os.path.join(FIXTURES, name)) as f:
            kubectl("apply", "-f", "-", stdin=f.read())
    kubectl("wait", "--for=condition=Ready", "harborrobotbinding/harbor1-for-team1",
            "harborrobotbinding/harbor2-for-team1", "--timeout=90s")
    rows = {line.split()[0]: line.split()[1]
            for line in kubectl("get", "harborrobotbinding").splitlines()[1:]}
    expect_equal((rows.get("harbor1-for-team1"), rows.get("harbor2-for-team1")),
                 ("True", "True"), "get harborrobotbinding: both DR bindings Ready")
    names = [line.split()[0] for line in
             kubectl("get", "secret", "-n", DR_NS).splitlines()[1:] if ".robot" in line]
    expect_equal(names, ["harbor1-for-team1.robot", "harbor1-for-team1.robot.alias",
                         "harbor2-for-team1.robot"], "get secret -n team1-demo")
    alias = kubectl("get", "secret", "-n", DR_NS, "harbor1-for-team1.robot.alias",
                    "-ojsonpath={ .data.\\.dockerconfigjson }")
    expect_equal(list(json.loads(base64.b64decode(alias))["auths"]),
                 ["https://harbor.example.com"], "the alias Secret read with -ojsonpath")
    account = yaml.safe_load(kubectl("get", "sa", "-n", DR_NS, "default", "-oyaml"))
    expect_equal([entry["name"] for entry in account.get("imagePullSecrets", [])],
                 ["harbor1-for-team1.robot", "harbor2-for-team1.robot",
                  "harbor1-for-team1.robot.alias"], "get sa -oyaml: the walkthrough's order")
    for pod, host in (("demo", "harbor.example.com"), ("demo1", "harbor-1.example.com"),
                      ("demo2", "harbor-2.example.com")):
        kubectl("run", pod, "--image-pull-policy=Always",
                f"--image={host}/team1/busybox:stable", "-n", DR_NS, "--", "sleep", "3600")
    kubectl("wait", "--for=jsonpath={.status.phase}=Running", "pod/demo", "pod/demo1",
            "pod/demo2", "-n", DR_NS, "--timeout=90s")
    print("kubectl_versions_test: the DR walkthrough's Steps 1-3 passed")


def main():
    require_root()
    build, version = sys.argv[1], sys.argv[2]
    binary = versioned_kubectl(version)
    if not binary:
        print(f"kubectl.{version} is not installed")
        return 77
    with sandboxed(build, label=f"kubectl-{version}") as world:
        world.install()
        kubectl = Kubectl(binary, os.path.join(world.state, "kube-cache"), world.plugin_env)

        client = kubectl("version", "--client")
        expect_true(f"v{version}." in client, f"{binary} is kubectl {version}: {client}")
        for ns in NAMESPACES:
            kubectl("create", "namespace", ns)
            kubectl("label", "namespace", ns, TEAM_LABEL)

        # The Quick Start, Steps 1-3.
        connection = os.path.join(FIXTURES, QUICKSTART_CONNECTION)
        binding = os.path.join(FIXTURES, QUICKSTART_BINDING_FILE)
        expect_true("secret/harbor created" in kubectl("apply", "-f", connection),
                    "the connection Secret is created")
        expect_true("created" in kubectl("apply", "-f", binding), "the binding is created")
        waited = kubectl("wait", "--for=condition=Ready", f"harborrobotbinding/{BINDING}",
                         "--timeout=90s")
        expect_true("condition met" in waited, f"wait prints condition met: {waited}")
        table = kubectl("get", "harborrobotbinding").splitlines()
        expect_equal(table[0].split(), ["NAME", "READY", "LASTREFRESHTIME", "NEXTREFRESHTIME",
                                        "AGE"], "the seed's columns")
        row = table[1].split()
        expect_equal(row[:2], [BINDING, "True"], "the binding row")
        expect_true(row[2].endswith("Z") and row[3].endswith("Z"), f"refresh times: {row}")
        for ns in NAMESPACES:
            listing = kubectl("get", "secret", "-n", ns, SECRET, "--no-headers").split()
            expect_equal(listing[:3], [SECRET, "kubernetes.io/dockerconfigjson", "1"],
                         f"the generated Secret in {ns}")

        # Re-applying the unchanged seed YAML, client-side then server-side.
        kubectl("apply", "-f", binding)
        applied = kubectl("apply", "--server-side", "-f", binding)
        expect_true("serverside-applied" in applied, f"apply --server-side: {applied}")

        # diff: nothing to show for the applied file, a change for an edited one.
        kubectl.run("diff", "-f", binding, expect=0)
        with open(binding) as f:
            edited = f.read().replace("refreshInterval: 6h", "refreshInterval: 12h")
        changed = kubectl.run("diff", "-f", "-", stdin=edited, expect=1).stdout
        expect_true("-  refreshInterval: 6h" in changed and "+  refreshInterval: 12h" in changed,
                    f"diff shows the change: {changed}")

        explained = kubectl("explain", "harborrobotbinding.spec")
        expect_true("HarborRobotBinding" in explained and "generatedSecret" in explained,
                    f"explain harborrobotbinding.spec: {explained}")

        # auth can-i as someone else: the hub's ServiceAccount and a namespace's.
        expect_equal(kubectl("auth", "can-i", "list", "harborrobotbindings", "--as", HUB_SA)
                     .strip(), "yes", "the hub may list bindings")
        denied = kubectl.run("auth", "can-i", "create", "secrets", "-n", "team-ns1", "--as",
                             "system:serviceaccount:team-ns1:default", expect=1)
        expect_equal(denied.stdout.strip(), "no", "a namespace's default SA may not")

        dr_walkthrough(kubectl)

        # The plugin through this version's plugin lookup on PATH.
        expect_equal(kubectl.run("harborrobot", "version", "--client", plugin=True).stdout.strip(),
                     "Client Version: 0.1.0", "kubectl harborrobot version --client")
    print(f"kubectl_versions_test {version}: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
