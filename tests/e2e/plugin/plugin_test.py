#!/usr/bin/env python3
"""kubectl harborrobot, run by the real kubectl as a plugin found on PATH, against
the sandbox: install (--dry-run and --wait), validate, connect (the hub's verdict,
good and bad), connections, bind (--dry-run output applied with kubectl equals
bind's own object), status, rotate (-n, --wait), doctor (--local, OK then FAIL),
version, completion (the kubectl_complete-harborrobot shim), kubeconfig handling
(exec credential plugin, client certificate, wrong context, unreachable server,
bad flag values) and uninstall (refused with bindings, then --delete-bindings
removes the robots).
usage: plugin_test.py <build dir>   (needs root; exits 77 otherwise)"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from world import PASSWORD, expect_equal, expect_true, sandboxed, wait_for  # noqa: E402

NAMESPACES = ("plug-a", "plug-b")
WRONG = "N0t-The-Passw0rd-7"


def main():
    with sandboxed(sys.argv[1]) as world:
        kubectl = world.kubectl
        run = world.run_plugin
        state = world.state
        harbor_ca = world.harbor_ca()

        # The plugin is found by kubectl and answers without a cluster.
        listed = subprocess.run(["kubectl", "plugin", "list"], env=world.plugin_env,
                                capture_output=True, text=True)
        expect_true(os.path.join(world.plugin_bin, "kubectl-harborrobot") in listed.stdout,
                    f"kubectl plugin list shows it: {listed.stdout}")
        expect_equal(run("version", "--client").stdout.strip(), "Client Version: 0.1.0",
                     "version --client")
        helped = run("--help").stdout
        expect_true("kubectl harborrobot" in helped and "rotate" in helped, "help names commands")

        # Bad flag values name the flag, the value and what was expected.
        bad = run("status", "--request-timeout", "soon", expect=1)
        expect_true('--request-timeout: "soon" is not a duration' in bad.stderr, bad.stderr)
        bad = run("install", "--agents", "sometimes", "--dry-run", expect=1)
        expect_true('--agents: "sometimes" is not a mode (expected managed or external)'
                    in bad.stderr, bad.stderr)
        bad = run("bind", "x", "--project", "p", "--namespaces", "a", "--refresh", "6 hours",
                  "--dry-run", expect=1)
        expect_true("spec.refreshInterval" in bad.stderr and "6 hours" in bad.stderr, bad.stderr)

        # Kubeconfig handling: wrong context, unreachable server, exec plugin, client cert.
        bad = run("status", "--context", "nope", expect=1)
        expect_true('context "nope" does not exist' in bad.stderr, bad.stderr)
        raw = json.loads(kubectl("config", "view", "--raw", "-o", "json"))
        token = next(u["user"]["token"] for u in raw["users"] if u["name"] == "token-user")
        cluster = raw["clusters"][0]["cluster"]
        helper = os.path.join(state, "exec-helper")
        with open(helper, "w") as f:
            f.write("#!/bin/sh\n[ -n \"$KUBERNETES_EXEC_INFO\" ] || exit 9\n"
                    "printf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":"
                    f"\"ExecCredential\",\"status\":{{\"token\":\"{token}\"}}}}'\n")
        os.chmod(helper, 0o755)
        exec_config = os.path.join(state, "exec.kubeconfig")
        unreachable = os.path.join(state, "unreachable.kubeconfig")
        for path, server, user in (
                (exec_config, cluster["server"],
                 {"exec": {"apiVersion": "client.authentication.k8s.io/v1", "command": helper,
                           "interactiveMode": "Never", "provideClusterInfo": True}}),
                (unreachable, "https://127.0.0.1:1", {"token": "x"})):
            with open(path, "w") as f:
                json.dump({"apiVersion": "v1", "kind": "Config", "current-context": "c",
                           "clusters": [{"name": "c", "cluster": dict(cluster, server=server)}],
                           "users": [{"name": "u", "user": user}],
                           "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u"}}]},
                          f)
        bad = run("status", "--kubeconfig", unreachable, "--request-timeout", "5s",
                  expect=1)
        expect_true("127.0.0.1:1" in bad.stderr, f"unreachable server named: {bad.stderr}")

        # install: --dry-run prints what install applies; install --wait applies it.
        dry = run("install", "--dry-run").stdout
        kinds = [line.split(": ", 1)[1] for line in dry.splitlines() if line.startswith("kind: ")]
        for kind in ("Namespace", "CustomResourceDefinition", "ClusterRole", "Deployment",
                     "PodDisruptionBudget", "Service"):
            expect_true(kind in kinds, f"install --dry-run has a {kind}")
        applied = run("install", "--wait", "--timeout", "90s").stdout
        expect_true("hub ready" in applied, applied)
        deployment = json.loads(kubectl("get", "deployment", "-n", "harbor-robot-gen-system",
                                        "harborrobot-hub", "-o", "json"))
        expect_equal(deployment["spec"]["replicas"], 2, "two hub replicas")
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        expect_equal(container["securityContext"]["allowPrivilegeEscalation"], False,
                     "no privilege escalation")
        expect_true("requests" in container["resources"], "resource requests")
        run("install")  # again: an upgrade in place, not an error
        version = run("version", "-o", "json").stdout
        expect_equal(json.loads(version)["hubVersion"], "0.1.0", "hub version from the cluster")

        # validate: offline, errors name file, document, field and value.
        good = os.path.join(state, "good.yaml")
        broken = os.path.join(state, "broken.yaml")
        with open(good, "w") as f:
            f.write(run("bind", "v", "--project", "p", "--namespaces", "a",
                        "--dry-run").stdout)
        with open(broken, "w") as f:
            f.write("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other}\n---\n" +
                    open(good).read().replace("refreshInterval: 6h", "refreshInterval: 6x"))
        run("validate", "-f", good)
        bad = run("validate", "-f", good, "-f", broken, expect=1)
        expect_true(f"{broken}: document 2 (HarborRobotBinding v): spec.refreshInterval: \"6x\""
                    in bad.stderr, bad.stderr)
        expect_true("1 other object(s) skipped" in bad.stdout, bad.stdout)

        # connect: the hub's verdict; a wrong password fails and is never printed.
        connected = run("connect", "harbor", "--url", "https://harbor.example.com",
                        "--username", "api-user", "--password-stdin", "--check-local",
                        "--ca-file", harbor_ca, "--project-fields-path",
                        "{.metadata.labels.team}", stdin=PASSWORD + "\n",
                        in_sandbox_dns=True)
        expect_true("OK  the hub: https://harbor.example.com answers as Harbor" in
                    connected.stdout, connected.stdout)
        expect_true("OK  from this machine" in connected.stdout, connected.stdout)
        again = run("connect", "harbor", "--url", "https://harbor.example.com",
                    "--username", "api-user", "--password-stdin", "--ca-file", harbor_ca,
                    "--project-fields-path",
                    "{.metadata.labels.team}", stdin=PASSWORD)
        expect_true("unchanged" in again.stdout and "OK" in again.stdout, again.stdout)
        missing = run("connect", "x", "--url", "https://harbor.example.com", "--username",
                      "api-user", expect=1)
        expect_true("--password-stdin" in missing.stderr, missing.stderr)

        # bind: the --dry-run output applied by kubectl is the object bind writes.
        for ns in NAMESPACES:
            kubectl("create", "namespace", ns)
        flags = ["--project", "plugteam", "--namespaces", ",".join(NAMESPACES), "--access",
                 "pull", "--refresh", "1h"]
        dry = run("bind", "plug", *flags, "--dry-run", "-o", "yaml").stdout
        subprocess.run(["kubectl", "apply", "-f", "-"], env=world.env, input=dry, text=True,
                       check=True, capture_output=True)
        via_kubectl = world.binding("plug")
        kubectl("delete", "harborrobotbinding", "plug", "--wait=true")
        wait_for(lambda: "plug" not in kubectl("get", "harborrobotbindings", "-o", "name")
                 .replace("plug-", ""), "the dry-run binding is gone", timeout=60)
        world.create_project("plugteam")
        created = run("bind", "plug", *flags)
        expect_true("created" in created.stdout, created.stdout)
        via_plugin = world.binding("plug")
        expect_equal(via_plugin["spec"], via_kubectl["spec"], "same spec both ways")

        def ready():
            report = json.loads(run("status", "plug", "-o", "json").stdout)
            namespaces = report["namespaces"]
            return report if report["ready"] == "True" and len(namespaces) == 2 and all(
                n.get("ready") and n["secret"]["exists"] and n["serviceAccount"]["attached"]
                for n in namespaces) else None
        report = wait_for(ready, "binding plug Ready with Secrets attached", timeout=90)
        robot_password = next(iter(world.auths(NAMESPACES[0],
                                               "plug-harbor-pull").values()))["password"]
        text = run("status", "plug").stdout
        for expected in ("Name:            plug", "Ready:           True", NAMESPACES[0],
                         "attached", "Project:         plugteam"):
            expect_true(expected in text, f"status shows {expected!r}:\n{text}")
        expect_true(robot_password not in text and robot_password not in json.dumps(report),
                    "status never shows the credential")
        table = run("status").stdout
        expect_true("plug" in table and "2/2" in table, f"status table: {table}")

        # rotate: one namespace, waited for; the other keeps its generation.
        generation = {ns: json.loads(kubectl("get", "secret", "-n", ns, "plug-harbor-pull",
                                             "-o", "json"))["metadata"]["annotations"]
                      ["harborrobot.io/generation"] for ns in NAMESPACES}
        bad = run("rotate", "plug", expect=1)
        expect_true("-n/--all" in bad.stderr, bad.stderr)
        rotated = run("rotate", "plug", "-n", NAMESPACES[0], "--wait", "--timeout", "90s")
        expect_true(f"{NAMESPACES[0]}: rotated" in rotated.stdout, rotated.stdout)
        after = {ns: json.loads(kubectl("get", "secret", "-n", ns, "plug-harbor-pull", "-o",
                                        "json"))["metadata"]["annotations"]
                 ["harborrobot.io/generation"] for ns in NAMESPACES}
        expect_true(int(after[NAMESPACES[0]]) > int(generation[NAMESPACES[0]]),
                    f"generation moved in {NAMESPACES[0]}: {generation} → {after}")
        expect_equal(after[NAMESPACES[1]], generation[NAMESPACES[1]],
                     "the other namespace was not rotated")
        bad = run("rotate", "plug", "-n", "default", expect=1)
        expect_true("not a target" in bad.stderr, bad.stderr)

        # doctor: all OK, then a broken connection turns it into FAIL with a fix.
        # Every check passes once the agents are available (a readiness probe may
        # still be settling on a busy machine).
        doctor = wait_for(lambda: (lambda d: d if d.returncode == 0 else None)(
            run("doctor", "plug", "--local", in_sandbox_dns=True, expect=None)),
            "doctor to find no problem", timeout=60)
        expect_true("[OK  ] hub:" in doctor.stdout and "No problems found." in doctor.stdout,
                    doctor.stdout)
        expect_true("accepted by Harbor's token service" in doctor.stdout, doctor.stdout)
        expect_true(robot_password not in doctor.stdout, "doctor never prints a credential")
        wrong = run("connect", "wrong", "--url", "https://harbor.example.com",
                    "--username", "api-user", "--password-stdin", stdin=WRONG, expect=1)
        expect_true("FAIL  the hub: HarborAuthenticationFailed" in wrong.stdout, wrong.stdout)
        expect_true(WRONG not in wrong.stdout + wrong.stderr, "the password is never printed")
        doctor = run("doctor", expect=1)
        expect_true("[FAIL] connection wrong: HarborAuthenticationFailed" in doctor.stdout and
                    "fix:" in doctor.stdout, doctor.stdout)
        listed = json.loads(run("connections", "-o", "json").stdout)
        verdicts = {c["name"]: c["verdict"]["verified"] for c in listed}
        expect_equal(verdicts, {"harbor": True, "wrong": False}, "connections with verdicts")
        expect_true(WRONG not in json.dumps(listed) and PASSWORD not in json.dumps(listed),
                    "connections never show a password")
        kubectl("delete", "secret", "-n", "harbor-robot-gen-system", "wrong")

        # Other credential kinds reach the same cluster.
        via_exec = run("status", "--kubeconfig", exec_config).stdout
        expect_true("plug" in via_exec, f"exec credential plugin works: {via_exec}")
        denied = run("status", "--context", "kube-sim-cert", expect=1).stderr
        expect_true('User "kube-sim-admin" cannot list' in denied,
                    f"the client certificate authenticates (RBAC then decides): {denied}")
        subprocess.run(["kubectl", "apply", "-f", "-"], env=world.env, check=True, text=True,
                       capture_output=True, input=json.dumps({
                           "apiVersion": "rbac.authorization.k8s.io/v1",
                           "kind": "ClusterRoleBinding", "metadata": {"name": "cert-admin"},
                           "roleRef": {"apiGroup": "rbac.authorization.k8s.io",
                                       "kind": "ClusterRole", "name": "cluster-admin"},
                           "subjects": [{"apiGroup": "rbac.authorization.k8s.io",
                                         "kind": "User", "name": "kube-sim-admin"}]}))
        via_cert = run("status", "--context", "kube-sim-cert").stdout
        expect_true("plug" in via_cert, "client certificate works")

        # Completion through the shim kubectl uses for plugins.
        shim = subprocess.run(["kubectl_complete-harborrobot", "status", ""], env=world.plugin_env,
                              capture_output=True, text=True)
        lines = shim.stdout.splitlines()
        expect_true("plug" in lines and lines[-1] == ":4", f"shim completes bindings: {lines}")
        names = run("__complete", "rotate", "plug", "-n", "plug-").stdout.splitlines()
        expect_equal(names[:-1], list(NAMESPACES), "namespace names complete")
        expect_true("complete -F" in run("completion", "bash").stdout, "bash script")

        # uninstall: refused while bindings exist; --delete-bindings cleans up first.
        bad = run("uninstall", expect=1)
        expect_true("--delete-bindings" in bad.stderr, bad.stderr)
        run("uninstall", "--delete-bindings", "--timeout", "120s")
        expect_equal(world.harbor("GET", "/projects/plugteam")[0], 200,
                     "the Harbor project is kept")
        expect_equal([r["name"] for r in world.robots("plugteam")], [], "the robots are gone")
        gone = subprocess.run(["kubectl", "get", "crd",
                               "harborrobotbindings.harbor-robot-gen.alaudadevops.alauda.io"],
                              env=world.env, capture_output=True, text=True)
        expect_true(gone.returncode != 0, "the CRD is gone")
    print("plugin_test: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
