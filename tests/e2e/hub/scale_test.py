#!/usr/bin/env python3
"""Many namespaces join a selector binding at once (sandbox, managed agents):
N namespaces (default 100) created with the matching label in one `kubectl
apply` all get their agent, Secret and ServiceAccount entry, one robot each,
and a ready HarborRobotCredential record each, and the binding becomes Ready
counting them all. Then one namespace is deleted: the binding no longer counts
it and its robot is deleted, and the others are untouched.
With --max-inflight-per-user M the API simulator answers 429 past M requests
in flight per user, as API Priority and Fairness does when a thousand agents
start: every namespace must still become Ready, the retries must show in the
hub's metrics, and no log may report a request that failed for good.
usage: scale_test.py <build dir> [N] [--max-inflight-per-user M]
(needs root; exits 77 otherwise)"""
import datetime
import json
import os
import re
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from world import (HUB_NS, QUICKSTART_CONNECTION, binding, expect_equal,  # noqa: E402
                   expect_true, sandboxed, wait_for)


def hub_metrics(world):
    """The hub leader's /metrics lines."""
    leader = world.get("pods", "-n", HUB_NS, "-l", "harborrobot.io/hub-leader=true")["items"]
    if not leader:
        return []
    url = f"http://{leader[0]['status']['podIP']}:8080/metrics"
    with urllib.request.urlopen(url, timeout=30) as answer:
        return answer.read().decode().splitlines()


def print_costs(world):
    """What it cost: the hub's reconciles and Harbor calls, and API calls per user."""
    for line in hub_metrics(world):
        if line.startswith(("harborrobot_hub_reconciles_total",
                            "harborrobot_hub_reconcile_duration_seconds_sum",
                            "harborrobot_hub_api_requests_total",
                            "harborrobot_hub_harbor_requests_total",
                            "harborrobot_hub_harbor_request_duration_seconds_sum",
                            "harborrobot_kube_request_retries_total")):
            print("scale_test: hub " + line)
    counts = world.api_requests()
    totals = sorted(((sum(v.values()), user) for user, v in counts.items()), reverse=True)
    for calls, user in totals[:4]:
        print(f"scale_test: API calls by {user}: {calls} {json.dumps(counts[user])}")


def seconds_since(started_wall, stamp):
    """Seconds from the namespaces' creation to an RFC 3339 time (whole seconds)."""
    moment = datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc)
    return moment.timestamp() - started_wall


def print_timeline(world, names, started_wall):
    """Where the time went: when the namespaces' agent Deployments, their Pods,
    the Pods' readiness and the pull Secrets appeared (median and last)."""
    wanted = set(names)

    def listed(*args):
        items = json.loads(world.kubectl("get", *args, "-A", "-o", "json"))["items"]
        return [i for i in items if i["metadata"]["namespace"] in wanted]

    def ready_time(pod):
        return next((c["lastTransitionTime"] for c in pod.get("status", {}).get("conditions", [])
                     if c["type"] == "Ready" and c["status"] == "True"), None)
    milestones = {
        "agent Deployment created": [d["metadata"]["creationTimestamp"]
                                     for d in listed("deployments")],
        "agent Pod created": [p["metadata"]["creationTimestamp"] for p in listed("pods")],
        "agent Pod Ready": [ready_time(p) for p in listed("pods")],
        "pull Secret created": [s["metadata"]["creationTimestamp"]
                                for s in listed("secrets", "--field-selector",
                                                "type=kubernetes.io/dockerconfigjson")],
    }
    for what, stamps in milestones.items():
        offsets = sorted(seconds_since(started_wall, s) for s in stamps if s)
        if offsets:
            print(f"scale_test: {what}: median {offsets[len(offsets) // 2]:.0f} s, "
                  f"last {offsets[-1]:.0f} s ({len(offsets)} of {len(names)})")


# A 429 in an error message (not in a timestamp such as 05:34:07.429Z, nor
# inside a word such as a robot's random suffix, ...-053c9d818e9bc429), or the
# body the simulator sends with it.
REFUSED = re.compile(r"(?<![\w.:])429(?!\w)|Too many requests")


def check_throttled(world):
    """Under the simulator's 429s: the hub retried (its metrics say so), and no
    hub or agent log line reports a request refused for good."""
    retries = sum(float(line.rsplit(" ", 1)[1]) for line in hub_metrics(world)
                  if line.startswith("harborrobot_kube_request_retries_total{code=\"429\"}"))
    print(f"scale_test: the hub retried {retries:.0f} requests the API server answered 429")
    expect_true(retries > 0, "the 429s were met and retried (harborrobot_kube_request_retries_"
                             "total{code=\"429\"} > 0)")
    failed = []
    pods = os.path.join(world.state, "kubelet", "pods")
    for pod in os.listdir(pods):
        for log in ("hub.log", "agent.log"):
            path = os.path.join(pods, pod, log)
            if os.path.exists(path):
                with open(path, errors="replace") as f:
                    failed += [f"{pod}/{log}: {line.strip()}" for line in f
                               if REFUSED.search(line)]
    expect_equal(failed[:5], [], "no log reports a request that failed with 429")


def main():
    arguments = sys.argv[1:]
    max_inflight = 0
    if "--max-inflight-per-user" in arguments:
        at = arguments.index("--max-inflight-per-user")
        max_inflight = int(arguments[at + 1])
        del arguments[at:at + 2]
    build = arguments[0]
    count = int(arguments[1]) if len(arguments) > 1 else 100
    with sandboxed(build, *(["--max-inflight-per-user", str(max_inflight)]
                            if max_inflight else [])) as world:
        kubectl = world.kubectl
        world.install()
        world.apply_fixture(QUICKSTART_CONNECTION)
        world.create_project("team")
        world.apply(binding("by-label", selector={"pulls-from": "team"}, secret="team-pull"))
        names = [f"scale-{i:03d}" for i in range(count)]
        started = time.monotonic()
        started_wall = time.time()
        kubectl("apply", "-f", "-", stdin="".join(
            f"---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n  labels:\n"
            f"    pulls-from: team\n" for ns in names))

        def by_label():
            return world.binding("by-label")

        def all_ready():
            status = by_label().get("status", {})
            ready = [c for c in status.get("conditions", []) if c["type"] == "Ready"]
            if not (ready and ready[0]["status"] == "True"):
                return False
            records = world.credentials("by-label")
            return len(records) == count and all(r.get("ready") for r in records.values())
        wait_for(all_ready, f"{count} namespaces ready", timeout=780)
        elapsed = time.monotonic() - started
        print(f"scale_test: {count} namespaces joined and were ready after {elapsed:.1f} s")
        print_costs(world)
        print_timeline(world, names, started_wall)
        if max_inflight:
            check_throttled(world)
        expect_equal(sorted(world.credentials("by-label")), names,
                     "every namespace holds a record of the binding")
        status = by_label()["status"]
        expect_equal((status.get("targetNamespaces"), status.get("readyNamespaces")),
                     (count, count), "the binding counts every namespace, all ready")
        secrets = json.loads(kubectl("get", "secrets", "-A", "--field-selector",
                                     "type=kubernetes.io/dockerconfigjson", "-o", "json"))
        holders = sorted(s["metadata"]["namespace"] for s in secrets["items"]
                         if s["metadata"]["name"] == "team-pull")
        expect_equal(holders, names, "each namespace holds team-pull")
        accounts = json.loads(kubectl("get", "sa", "-A", "-o", "json"))
        attached = sorted(a["metadata"]["namespace"] for a in accounts["items"]
                          if a["metadata"]["name"] == "default" and
                          {"name": "team-pull"} in a.get("imagePullSecrets", []))
        expect_equal(attached, names, "each default ServiceAccount lists team-pull")
        wait_for(lambda: len(world.robots()) == count, "one robot per namespace", timeout=60)
        robots = world.robots()

        gone = names[0]
        gone_robot = [r["name"] for r in robots if f"-{gone}-" in r["name"]]
        expect_equal(len(gone_robot), 1, f"{gone}'s robot")
        kubectl("delete", "namespace", gone, "--wait=false")
        wait_for(lambda: (lambda s: s.get("targetNamespaces") == count - 1 and
                          gone not in [e["name"] for e in s.get("notReadyNamespaces", [])])(
                              by_label()["status"]),
                 f"the binding to no longer count {gone}", timeout=120)
        wait_for(lambda: gone_robot[0] not in [r["name"] for r in world.robots()],
                 f"{gone}'s robot to be deleted", timeout=120)
        expect_equal(len(world.robots()), count - 1, "the other robots are kept")
        ready = [c for c in by_label()["status"]["conditions"] if c["type"] == "Ready"][0]
        expect_equal(ready["status"], "True", "the binding stays Ready")
    print("scale_test: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
