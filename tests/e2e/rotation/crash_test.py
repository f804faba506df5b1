#!/usr/bin/env python3
"""Kill -9 at every step of a rotation (DESIGN.md "Rotation"): the namespace
agent is started with HARBORROBOT_FAILPOINTS naming one step (after the hub
issued the robot, after Harbor's token service accepted it, after the Secret
write, after the activation, after the event), so it SIGKILLs itself right after
that API call; the kubelet restarts it and it dies again there, until the
failpoint is removed. Throughout, the Secret must decode and Harbor must accept
its credential; afterwards the rotation completes, the binding is Ready, and in
the end Harbor holds exactly the one robot the Secret names (nothing leaked).
usage: crash_test.py <build dir>   (needs root; exits 77 otherwise)"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from world import (HUB_NS, REGISTRY, binding, dockerconfig_auths, expect_true,  # noqa: E402
                   sandboxed, wait_for)

NS = "crash-ns"
SECRET = "crash-pull"
STEPS = ("after-issue", "after-verify", "after-secret", "after-activate", "after-event")
BINDING = binding("crash", namespaces=[NS], secret=SECRET, project="crash", refresh="1h",
                  grace="5s")


def main():
    with sandboxed(sys.argv[1]) as world:
        kubectl = world.kubectl
        plugin = world.plugin

        def credential():
            secret = world.get("secret", "-n", NS, SECRET)
            entry = dockerconfig_auths(secret)[REGISTRY]
            return entry["username"], entry["password"], secret["metadata"]["annotations"]

        def accepted(username, password):
            """Harbor's token service grants pull on the project (a pull's first step)."""
            claims = world.token_claims(username, password, "repository:crash/app:pull")
            return claims is not None and any("pull" in a.get("actions", [])
                                              for a in claims.get("access", []))

        def agent():
            return world.get("deployment", "-n", NS, "harborrobot-agent")

        def agent_pod():
            pods = world.get("pods", "-n", NS, "-l", "app.kubernetes.io/name=harborrobot-agent")
            live = [p for p in pods["items"] if not p["metadata"].get("deletionTimestamp")]
            return live[0] if len(live) == 1 else None

        def rolled_out(generation):
            status = agent().get("status", {})
            pod = agent_pod()
            return (status.get("observedGeneration", 0) >= generation and
                    status.get("updatedReplicas") == 1 and status.get("availableReplicas") == 1
                    and pod is not None)

        def set_failpoint(step):
            env_list = agent()["spec"]["template"]["spec"]["containers"][0]["env"]
            kept = [e for e in env_list if e["name"] != "HARBORROBOT_FAILPOINTS"]
            if step:
                kept.append({"name": "HARBORROBOT_FAILPOINTS", "value": f"rotate.{step}"})
            patch = [{"op": "replace", "path": "/spec/template/spec/containers/0/env",
                      "value": kept}]
            kubectl("patch", "deployment", "-n", NS, "harborrobot-agent", "--type=json", "-p",
                    json.dumps(patch))
            generation = agent()["metadata"]["generation"]
            if step:
                # The new Pod runs (and keeps dying only once a rotation starts).
                wait_for(lambda: agent().get("status", {}).get("observedGeneration", 0) >=
                         generation and agent_pod() is not None and any(
                             e.get("value") == f"rotate.{step}" for e in agent_pod()["spec"]
                             ["containers"][0].get("env", [])), f"agent with failpoint {step}",
                         timeout=60)
            else:
                wait_for(lambda: rolled_out(generation), "agent without failpoint", timeout=90)

        plugin("install", "--wait", "--timeout", "90s")
        world.connect()
        kubectl("create", "namespace", NS)
        world.create_project("crash")
        world.apply(BINDING)
        wait_for(lambda: json.loads(plugin("status", "crash", "-o", "json"))["ready"] == "True",
                 "binding crash Ready", timeout=90)
        wait_for(lambda: rolled_out(1), "the managed agent", timeout=60)
        # From here the test edits the agent itself: the hub leaves agents alone
        # in external mode, and abandoned robots count as such after 20 s.
        args = world.hub_deployment()["spec"]["template"]["spec"]["containers"][0]["args"]
        args[args.index("--agents") + 1] = "external"
        args += ["--pending-timeout", "20s"]
        kubectl("patch", "deployment", "-n", HUB_NS, "harborrobot-hub",
                "--type=json", "-p", json.dumps([{
                    "op": "replace", "path": "/spec/template/spec/containers/0/args",
                    "value": args}]))
        hub_generation = world.hub_deployment()["metadata"]["generation"]
        wait_for(lambda: (lambda s: s.get("observedGeneration", 0) >= hub_generation and
                          s.get("updatedReplicas") == 2 and s.get("availableReplicas") == 2)(
            world.hub_deployment().get("status", {})),
            "the hub restarted in external mode", timeout=120)

        checks = 0
        for step in STEPS:
            username, password, annotations = credential()
            generation = int(annotations["harborrobot.io/generation"])
            set_failpoint(step)
            pod = agent_pod()["metadata"]["name"]
            plugin("rotate", "crash", "--all")

            def crashed():
                current = agent_pod()
                statuses = (current or {}).get("status", {}).get("containerStatuses", [])
                return current and current["metadata"]["name"] == pod and statuses and \
                    statuses[0].get("restartCount", 0) >= 1

            def crashed_with_credential_working():
                # The credential in place works at every moment of the crash loop.
                nonlocal checks
                if crashed():
                    return True
                user, secret, _ = credential()
                expect_true(accepted(user, secret), f"{step}: the Secret's credential works")
                checks += 1
                return False
            wait_for(crashed_with_credential_working, f"{step}: the agent to reach its failpoint",
                     timeout=60, interval=0.3)
            user, secret, _ = credential()
            expect_true(accepted(user, secret), f"{step}: the Secret works right after the kill")
            set_failpoint(None)

            def rotated():
                user, secret, notes = credential()
                return (int(notes["harborrobot.io/generation"]) > generation and
                        accepted(user, secret) and json.loads(
                            plugin("status", "crash", "-o", "json"))["ready"] == "True")
            wait_for(rotated, f"{step}: the rotation completes after the crash", timeout=90)
            print(f"crash_test: killed {step}: converged, generation "
                  f"{generation} -> {credential()[2]['harborrobot.io/generation']}")

        def only_active_robot():
            username, _, _ = credential()
            names = sorted(r["name"] for r in world.robots("crash"))
            return names if names == [username] else None
        wait_for(only_active_robot, "Harbor to hold only the active robot", timeout=120)
        expect_true(checks > 0, "the credential was checked during the crash loops")
        print(f"crash_test: {len(STEPS)} kill points, {checks} credential checks during crash "
              "loops, all accepted; no robot leaked")
    print("crash_test: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
