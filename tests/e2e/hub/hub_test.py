#!/usr/bin/env python3
"""The hub on the sandbox, through its real interfaces: two replicas installed
with `kubectl harborrobot install`, the Generator documentation's Quick Start
connection Secret and binding, verbatim, the real kubectl, the hub API over HTTPS
reached by its Service name with a projected ServiceAccount token, and the
Harbor simulator's API to see what exists in Harbor.

Proves: the team project is created from the namespaces' label; the binding
counts its namespaces and names them as not reported (no HarborRobotCredential
record yet); an agent of team-ns1 sees the binding,
gets 403 for team-ns2 and 401 without a token (the hub runs with
--agents external: the test is the agent); a credential request is
idempotent and makes robot$team+harbor-secret-for-team-team-ns1-…; activation
and reports make the binding Ready (the seed's printer columns filled); a
second generation retires the first after the grace period; deleting the
binding deletes exactly our robots (a hand-made robot in the project stays).
usage: hub_test.py <build dir>   (needs root; exits 77 otherwise)"""
import json
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from world import (BINDING, HUB_NS, NAMESPACES, expect_equal, expect_true,  # noqa: E402
                   sandboxed, wait_for)


def main():
    with sandboxed(sys.argv[1]) as world:
        kubectl = world.kubectl
        # This test plays the agents itself: the hub must not start real ones.
        world.install("--agents", "external", timeout=60)
        hub_args = world.hub_deployment()["spec"]["template"]["spec"]["containers"][0]["args"]
        expect_true("external" in hub_args, f"the hub runs with --agents external: {hub_args}")
        world.apply_quickstart()

        wait_for(lambda: world.harbor("GET", "/projects/team")[0] == 200,
                 "the team project, from the namespaces' label", timeout=30)
        # No agent has reported: no namespace has a record yet, and the binding
        # counts both targets and names them as not reported.
        wait_for(lambda: world.not_ready().get("team-ns1") == "AgentNotReported",
                 "the binding to list its namespaces", timeout=30)
        expect_equal(world.binding()["status"].get("targetNamespaces"), 2,
                     "the binding counts its two target namespaces")
        expect_equal(world.credentials(), {}, "no record before an agent reports")
        ready = [c for c in world.binding()["status"]["conditions"] if c["type"] == "Ready"][0]
        expect_equal((ready["status"], ready["reason"]), ("False", "NamespacesNotReady"),
                     "not ready until agents report")
        expect_true(f"{BINDING}" in kubectl("get", "harborrobotbinding", "-o", "json"),
                    "kubectl lists the binding")
        expect_true("harbor-robot-gen.alaudadevops.alauda.io/robots" in
                    world.binding()["metadata"].get("finalizers", []), "our finalizer is set")

        tokens = {ns: world.hub_token(ns, "default") for ns in NAMESPACES}
        code, listing = world.hub("GET", "/v1/namespaces/team-ns1/bindings", tokens["team-ns1"])
        expect_equal(code, 200, f"the agent of team-ns1 lists its bindings: {listing}")
        item = listing["items"][0]
        expect_equal((item["name"], item["secretName"], item["registryUrl"], item["project"]),
                     (BINDING, "harbor-secret-for-team.robot", "https://harbor.example.com",
                      "team"), "the binding as an agent sees it")
        expect_true("password" not in json.dumps(listing), "no admin credential reaches agents")
        code, _ = world.hub("GET", "/v1/namespaces/team-ns2/bindings", tokens["team-ns1"])
        expect_equal(code, 403, "team-ns1's token cannot read team-ns2")
        code, _ = world.hub("GET", "/v1/namespaces/team-ns1/bindings")
        expect_equal(code, 401, "no token, no answer")
        default_audience = kubectl("create", "token", "default", "-n", "team-ns1").strip()
        code, _ = world.hub("GET", "/v1/namespaces/team-ns1/bindings", default_audience)
        expect_equal(code, 401, "a token for another audience is refused")

        hand_made = world.harbor("POST", "/robots", {
            "name": "by-hand", "level": "project", "duration": -1, "permissions": [
                {"kind": "project", "namespace": "team",
                 "access": [{"resource": "repository", "action": "pull"}]}]})
        expect_equal(hand_made[0], 201, "a robot made by hand")

        issued = {}
        for ns in NAMESPACES:
            path = f"/v1/namespaces/{ns}/bindings/{BINDING}/credentials"
            code, first = world.hub("POST", path, tokens[ns],
                                    {"rotationId": f"{ns}-r1", "generation": 1})
            expect_equal(code, 200, f"a credential for {ns}: {first}")
            code, again = world.hub("POST", path, tokens[ns],
                                    {"rotationId": f"{ns}-r1", "generation": 1})
            expect_equal((code, again), (200, first), "a retried request gets the same robot")
            expect_true(first["username"].startswith(f"robot$team+{BINDING}-{ns}-"),
                        f"the robot's name: {first['username']}")
            issued[ns] = first
            code, _ = world.hub("POST", f"/v1/namespaces/{ns}/bindings/{BINDING}/activation",
                                tokens[ns], {"generation": 1, "rotationId": f"{ns}-r1"})
            expect_equal(code, 200, "activation")
            code, _ = world.hub("PUT", f"/v1/namespaces/{ns}/status", tokens[ns], {
                "agentVersion": "test", "bindings": [{
                    "binding": BINDING, "ready": True, "generation": 1,
                    "robotName": first["robotName"],
                    "lastRefreshTime": "2026-11-24T10:00:00Z",
                    "nextRefreshTime": "2026-11-24T16:00:00Z"}]})
            expect_equal(code, 200, "the report")
        expect_equal(sorted(r["name"] for r in world.robots()),
                     sorted(["robot$team+by-hand"] + [c["username"] for c in issued.values()]),
                     "one robot per namespace, besides the hand-made one")

        def binding_ready():
            conditions = world.binding().get("status", {}).get("conditions", [])
            return any(c["type"] == "Ready" and c["status"] == "True" for c in conditions)
        wait_for(binding_ready, "the binding to be Ready", timeout=30)
        row = kubectl("get", "harborrobotbinding", BINDING, "--no-headers").split()
        expect_equal(row[:4], [BINDING, "True", "2026-11-24T10:00:00Z", "2026-11-24T16:00:00Z"],
                     "the seed's columns: READY, LASTREFRESHTIME, NEXTREFRESHTIME")
        for secret in (c["secret"] for c in issued.values()):
            expect_true(secret not in json.dumps(world.binding()), "no secret in the status")
            expect_true(secret not in json.dumps(world.credentials()),
                        "no secret in the namespaces' records")
            expect_true(secret not in kubectl("get", "events", "-A", "-o", "json"),
                        "no secret in any event")

        # A second generation for team-ns1 retires the first after the grace period.
        kubectl("patch", "harborrobotbinding", BINDING, "--type", "merge", "-p",
                '{"spec":{"rotation":{"gracePeriod":"1s"}}}')
        path = f"/v1/namespaces/team-ns1/bindings/{BINDING}"
        code, second = world.hub("POST", f"{path}/credentials", tokens["team-ns1"],
                                 {"rotationId": "team-ns1-r2", "generation": 2})
        expect_equal(code, 200, f"generation 2: {second}")
        code, _ = world.hub("POST", f"{path}/credentials", tokens["team-ns1"],
                            {"rotationId": "team-ns1-r0", "generation": 1})
        expect_equal(code, 409, "an older generation than the active one is refused")
        world.hub("POST", f"{path}/activation", tokens["team-ns1"],
                  {"generation": 2, "rotationId": "team-ns1-r2"})
        wait_for(lambda: issued["team-ns1"]["username"] not in [r["name"] for r in world.robots()],
                 "the superseded robot to be deleted", timeout=30)
        names = [r["name"] for r in world.robots()]
        expect_true(second["username"] in names and issued["team-ns2"]["username"] in names,
                    f"the active robots stay: {names}")

        # Leader failover: the leader hangs (SIGSTOP: a frozen node); the standby
        # takes the Lease once it expires (15 s) and the label that routes the
        # Service to it. (A kill -9 is restarted at once under the same name and
        # simply keeps the Lease.)
        leader = world.lease_holder()
        labelled = kubectl("get", "pods", "-n", HUB_NS, "-l",
                           "harborrobot.io/hub-leader=true", "-o", "name").split()
        expect_equal(labelled, [f"pod/{leader}"], "only the leader carries the Service label")
        pid = world.processes()[f"{HUB_NS}/{leader}"]["hub"]
        killed_at = time.monotonic()
        os.kill(pid, signal.SIGSTOP)
        try:
            wait_for(lambda: world.lease_holder() != leader, "another replica to lead", timeout=30)
            code, _ = world.hub("GET", "/v1/namespaces/team-ns1/bindings", tokens["team-ns1"])
            failover = time.monotonic() - killed_at
        finally:
            os.kill(pid, signal.SIGCONT)
        expect_equal(code, 200, "the new leader answers")
        print(f"hub_test: leader failover took {failover:.1f}s (lease 15s)")
        expect_true(failover < 20, f"failover under 20 s, took {failover:.1f}s")

        kubectl("delete", "harborrobotbinding", BINDING, "--wait=false")
        wait_for(lambda: kubectl("get", "harborrobotbinding", "-o", "name") == "",
                 "the binding to be finalized", timeout=30)
        expect_equal([r["name"] for r in world.robots()], ["robot$team+by-hand"],
                     "deleting the binding deleted exactly our robots")
        expect_equal(world.harbor("GET", "/projects/team")[0], 200, "projects are never deleted")
    print("hub_test: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
