#!/usr/bin/env python3
"""The namespace agent's footprint on the sandbox, running from its image as on a
node (the kubelet pulls it from the sandbox Harbor and runs it chrooted into the
image's root): RSS and private memory (the pages no other process shares, from
smaps_rollup), the shared libraries it maps, CPU seconds per idle hour
(measured over --idle-seconds and scaled to an hour), API server calls while
idle, and API server calls per rotation (agent and hub, from the kube
simulator's per-user request counts).
usage: agent_footprint_bench.py <build dir> [--idle-seconds N] [--rotations N]
(needs root; exits 77 otherwise)"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "e2e"))
from world import require_root, sandboxed, wait_for  # noqa: E402

NS = "bench-footprint"
AGENT_USER = f"system:serviceaccount:{NS}:harborrobot-agent"
HUB_USER = "system:serviceaccount:harbor-robot-gen-system:harborrobot-hub"
TICKS = os.sysconf("SC_CLK_TCK")


def total(counts, user):
    return sum(counts.get(user, {}).values())


def agent_pid(world):
    processes = world.processes()
    for ref, containers in processes.items():
        if ref.startswith(NS + "/"):
            return next(iter(containers.values()))
    raise AssertionError(f"no agent process in {NS}: {processes}")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def memory_mib(pid):
    """VmRSS with its anonymous and file parts, and private memory: Private_Clean
    + Private_Dirty, what the process alone holds (the USS)."""
    figures = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "RssAnon", "RssFile"):
                figures[key] = int(value.split()[0]) / 1024
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("Private_Clean", "Private_Dirty"):
                figures["Private"] = figures.get("Private", 0) + int(value.split()[0]) / 1024
    return figures


def largest_mappings(pid, count=12):
    """(MiB resident, private MiB, object) of the objects holding the most memory."""
    sizes = {}
    current = None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            fields = line.split()
            if "-" in fields[0] and len(fields) >= 5 and ":" not in fields[0]:
                current = os.path.basename(fields[5]) if len(fields) > 5 else "[anonymous]"
            elif fields[0] == "Rss:":
                sizes.setdefault(current, [0, 0])[0] += int(fields[1])
            elif fields[0] in ("Private_Clean:", "Private_Dirty:"):
                sizes.setdefault(current, [0, 0])[1] += int(fields[1])
    ranked = sorted(sizes.items(), key=lambda item: -item[1][0])[:count]
    return [(rss / 1024, private / 1024, name) for name, (rss, private) in ranked]


def mapped_libraries(pid):
    """The shared objects the process maps, and the root it runs in."""
    root = os.readlink(f"/proc/{pid}/root")
    with open(f"/proc/{pid}/maps") as f:
        paths = {line.split()[-1] for line in f if ".so" in line.split()[-1]}
    return root, sorted(p[len(root):] if root != "/" else p for p in paths)


def main():
    require_root()
    parser = argparse.ArgumentParser()
    parser.add_argument("build")
    parser.add_argument("--idle-seconds", type=int, default=300)
    parser.add_argument("--rotations", type=int, default=10)
    parser.add_argument("--image", help="the OCI archive the sandbox serves (default: the "
                                        "build's; e.g. build/release/dist/…oci.tar)")
    args = parser.parse_args()
    if args.image:
        os.environ["HARBORROBOT_SANDBOX_IMAGE"] = os.path.abspath(args.image)
    with sandboxed(args.build, label="footprint") as world:
        plugin = world.plugin
        plugin("install", "--wait", "--timeout", "90s")
        world.connect()
        world.kubectl("create", "namespace", NS)
        world.create_project("bench")
        plugin("bind", "footprint", "--project", "bench", "--namespaces", NS)
        wait_for(lambda: json.loads(plugin("status", "footprint", "-o", "json"))["ready"] ==
                 "True", "binding footprint Ready", timeout=90)
        pid = agent_pid(world)
        time.sleep(5)  # let the first pass's echoes (its own writes) settle

        before, cpu_before = world.api_requests(), cpu_seconds(pid)
        time.sleep(args.idle_seconds)
        after, cpu_after = world.api_requests(), cpu_seconds(pid)
        idle_calls = total(after, AGENT_USER) - total(before, AGENT_USER)
        idle_hub = total(after, HUB_USER) - total(before, HUB_USER)
        cpu_per_hour = (cpu_after - cpu_before) * 3600 / args.idle_seconds

        start = world.api_requests()
        for _ in range(args.rotations):
            plugin("rotate", "footprint", "-n", NS, "--wait", "--timeout", "60s")
        end = world.api_requests()
        time.sleep(2)
        agent_per_rotation = (total(end, AGENT_USER) - total(start, AGENT_USER)) / args.rotations
        hub_per_rotation = (total(end, HUB_USER) - total(start, HUB_USER)) / args.rotations

        memory = memory_mib(pid)
        root, libraries = mapped_libraries(pid)
        print(f"agent runs from {root} (the image's root), mapping {len(libraries)} shared "
              "objects: " + " ".join(os.path.basename(p) for p in libraries))
        print(f"agent RSS: {memory['VmRSS']:.2f} MiB ({memory['RssAnon']:.1f} MiB anonymous, "
              f"{memory['RssFile']:.1f} MiB file pages); private memory "
              f"{memory['Private']:.2f} MiB (targets: RSS <= 16 MiB, private <= 4 MiB)")
        print("largest: " + ", ".join(f"{name} {rss:.1f}/{private:.1f}"
                                      for rss, private, name in largest_mappings(pid)) +
              " (MiB resident/private)")
        print(f"agent CPU while idle: {cpu_per_hour:.2f} s per hour (measured over "
              f"{args.idle_seconds} s and scaled)")
        print(f"API server calls while idle for {args.idle_seconds} s: agent {idle_calls}, "
              f"hub {idle_hub}")
        print(f"API server calls per rotation (mean of {args.rotations}): agent "
              f"{agent_per_rotation:.1f}, hub {hub_per_rotation:.1f}")
        print("agent calls by method over the whole run: " + json.dumps(end.get(AGENT_USER, {})))
    return 0


if __name__ == "__main__":
    sys.exit(main())
