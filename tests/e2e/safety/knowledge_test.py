#!/usr/bin/env python3
"""Act only on complete knowledge (issue 23), on the sandbox, with the sampler
of invalid_spec_test.py checking every pull Secret and ServiceAccount entry
throughout.

Scenario `slow_namespaces`: both hub replicas are killed (kill -9) while the
Kubernetes simulator answers every LIST of namespaces 10 s late (the fault
`slowListResource: namespaces, slowListMs: 10000`), so the restarted hub has
its bindings long before its namespaces. It must not reconcile meanwhile:
zero robots deleted, both namespaces keep their HarborRobotCredential record
and the binding's status still counts both (targetNamespaces) in every sample,
and once the caches have synced a spec change is reconciled.

Scenario `two_connections`: a second connection Secret (harbor-b) to the same
Harbor and a second binding (team-b) on it, same project and namespaces. Each
binding is rotated twice (`kubectl harborrobot rotate`); each keeps its own
robots (one per namespace, the ones its Secrets hold). Then the seed's binding
is deleted: its robots go, team-b's stay and keep working.

Scenario `stopped_leader`: the leader is stopped (SIGSTOP) past its lease; the
other replica takes over within 20 s (and serves a rotation meanwhile). The
old one, resumed (SIGCONT), logs no deletion, no issued credential and no
status write: its log after the resume holds nothing but its stepping down.
usage: knowledge_test.py <build dir> slow_namespaces|two_connections|stopped_leader"""
import json
import os
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from invalid_spec_test import kill_hubs, patch, run_scenario  # noqa: E402
from world import (BINDING, HUB_NS, NAMESPACES, SECRET, expect_equal,  # noqa: E402
                   expect_true, wait_for)

OTHER = "team-b"
OTHER_SECRET = "team-b.robot"


def faults(world, plan=None):
    """The Kubernetes simulator's fault plan: set (POST) or cleared (DELETE)."""
    if plan is None:
        world.kubectl("delete", "--raw", "/_sim/faults")
        return
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(plan, f)
    try:
        world.kubectl("create", "--raw", "/_sim/faults", "-f", f.name)
    finally:
        os.unlink(f.name)


def robot_names(world):
    return sorted(r["name"] for r in world.robots())


def hub_pods_ready(world):
    pods = json.loads(world.kubectl("get", "pods", "-n", HUB_NS, "-o", "json"))["items"]
    hubs = [p for p in pods if p["metadata"]["name"].startswith("harborrobot-hub")]
    return len(hubs) == 2 and all(
        any(c["type"] == "Ready" and c["status"] == "True"
            for c in p.get("status", {}).get("conditions", [])) for p in hubs)


def slow_namespaces(world, sampler):
    before = robot_names(world)
    expect_equal(len(before), 2, f"one robot per namespace ({before})")
    plan = {"slowListResource": "namespaces", "slowListMs": 10000}
    faults(world, plan)
    try:
        started = time.monotonic()
        kill_hubs(world)
        sampler.more(3)  # samples while the restarted hubs wait for namespaces
        wait_for(lambda: hub_pods_ready(world), "both hubs Ready (caches synced)", timeout=90)
        synced_after = time.monotonic() - started
    finally:
        faults(world)
    expect_true(synced_after >= 10, f"the fault held the namespaces back ({synced_after:.1f}s)")
    # The hub acts again once its caches are complete: a spec change is reconciled.
    expect_equal(patch(world, {"refreshInterval": "7h"}).returncode, 0, "a spec change")
    generation = world.binding()["metadata"]["generation"]
    wait_for(lambda: world.binding().get("status", {}).get("observedGeneration") ==
             generation, "the change reconciled", timeout=60)
    wait_for(lambda: world.ready_condition().get("status") == "True", "Ready", timeout=60)
    sampler.more(2)
    expect_equal(robot_names(world), before, "zero robots deleted")
    print(f"knowledge_test: fault {plan}; both hubs killed; caches synced after "
          f"{synced_after:.1f}s; robots kept: {before}")


def held_usernames(world, secret):
    return {ns: (world.pull_credential(ns, secret) or (None,))[0] for ns in NAMESPACES}


def robots_of(world, name):
    return sorted(n for n in robot_names(world) if n.startswith(f"robot$team+{name}-"))


def two_connections(world, sampler):
    kubectl = world.kubectl
    connection = json.loads(kubectl("get", "secret", "-n", HUB_NS, "harbor", "-o", "json"))
    for key in ("uid", "resourceVersion", "creationTimestamp", "managedFields", "annotations"):
        connection["metadata"].pop(key, None)
    connection["metadata"]["name"] = "harbor-b"
    kubectl("apply", "-f", "-", stdin=json.dumps(connection))
    other = world.binding()
    other = {"apiVersion": other["apiVersion"], "kind": other["kind"],
             "metadata": {"name": OTHER}, "spec": other["spec"]}
    other["spec"]["generatedSecret"]["name"] = OTHER_SECRET
    other["spec"]["harbor"]["secret"]["name"] = "harbor-b"
    other["spec"]["rotation"] = {"gracePeriod": "1s"}
    kubectl("apply", "-f", "-", stdin=json.dumps(other))
    expect_equal(patch(world, {"rotation": {"gracePeriod": "1s"}}).returncode, 0, "grace 1s")
    wait_for(lambda: world.ready_condition(OTHER).get("status") == "True", "team-b Ready",
             timeout=90)
    sampler.pairs += [(ns, OTHER_SECRET) for ns in NAMESPACES]

    def settled(name, secret):
        """The binding's robots are exactly the ones its Secrets hold."""
        held = held_usernames(world, secret)
        mine = robots_of(world, name)
        return mine if sorted(held.values()) == mine else None

    for rounds in range(2):
        for name, secret in ((BINDING, SECRET), (OTHER, OTHER_SECRET)):
            before = held_usernames(world, secret)
            world.plugin("rotate", name, "--all")
            wait_for(lambda: all(v != before[ns] for ns, v in
                                 held_usernames(world, secret).items()),
                     f"{name} rotated (round {rounds + 1})", timeout=90)
            for each, each_secret in ((BINDING, SECRET), (OTHER, OTHER_SECRET)):
                wait_for(lambda: settled(each, each_secret),
                         f"{each} holds exactly its active robots", timeout=60)
    sampler.more(2)
    kept = robots_of(world, OTHER)
    expect_equal(len(kept), 2, f"team-b's robots ({kept})")
    sampler.pairs[:] = [(ns, OTHER_SECRET) for ns in NAMESPACES]
    kubectl("delete", "harborrobotbinding", BINDING, "--wait=false")
    wait_for(lambda: not robots_of(world, BINDING), "the seed binding's robots deleted",
             timeout=90)
    wait_for(lambda: kubectl("get", "harborrobotbinding", BINDING, check=False) == "",
             "the seed binding finalized", timeout=60)
    sampler.more(2)
    expect_equal(robots_of(world, OTHER), kept, "team-b's robots survive the other's deletion")
    expect_equal(sorted(held_usernames(world, OTHER_SECRET).values()), kept,
                 "team-b's Secrets hold them")
    print(f"knowledge_test: two bindings, two connections, one project: 2 rotations each; "
          f"team-b kept {kept} through the seed binding's deletion")


def stopped_leader(world, sampler):
    leader = world.lease_holder()
    pid = world.processes()[f"{HUB_NS}/{leader}"]["hub"]
    logs = [os.path.join(root, name) for root, _, names in
            os.walk(os.path.join(world.state, "kubelet", "pods"))
            for name in names if name == "hub.log" and f"_{leader}_" in root]
    expect_equal(len(logs), 1, f"the leader's log ({logs})")
    before = held_usernames(world, SECRET)
    os.kill(pid, signal.SIGSTOP)
    stopped_at = time.monotonic()
    try:
        wait_for(lambda: world.lease_holder() != leader, "another replica to lead", timeout=30)
        takeover = time.monotonic() - stopped_at
        # The new leader works: a rotation, whose superseded robots it deletes.
        world.plugin("rotate", BINDING, "--all")
        wait_for(lambda: all(v != before[ns] for ns, v in held_usernames(world, SECRET).items()),
                 "the rotation served by the new leader", timeout=90)
        offset = os.path.getsize(logs[0])
    finally:
        os.kill(pid, signal.SIGCONT)
    expect_true(takeover < 20, f"takeover within 20 s (took {takeover:.1f}s)")

    def resumed_log():
        with open(logs[0]) as f:
            f.seek(offset)
            return f.read()
    wait_for(lambda: "no longer leading" in resumed_log(), "the old leader to step down",
             timeout=60)
    sampler.more(2)
    after = resumed_log()
    for forbidden in ("robot deleted", "credential issued", "RobotDeleted", "\"leading\""):
        expect_true(forbidden not in after,
                    f"the resumed replica did not log {forbidden!r}: {after[-2000:]}")
    expect_true(world.lease_holder() != leader, "the lease stays with the new leader")
    print(f"knowledge_test: leader stopped past its lease; takeover after {takeover:.1f}s; the "
          f"resumed replica stepped down and deleted/issued nothing")


def main():
    scenario = sys.argv[2]
    return run_scenario({"slow_namespaces": slow_namespaces, "two_connections": two_connections,
                         "stopped_leader": stopped_leader}[scenario],
                        status_of=BINDING if scenario == "slow_namespaces" else None)


if __name__ == "__main__":
    sys.exit(main())
