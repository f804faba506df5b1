#!/usr/bin/env python3
"""An agent beside 5,000 unrelated Secrets of about 100 KiB each (500 MB held
by the Kubernetes simulator) stays under its 64 Mi memory limit: its watch
selects only the Secrets harborrobot made. Prints the agent's RSS (and peak)
beside that of an agent in an empty namespace, and the simulator's RSS.
usage: agent_memory_bench.py <build dir> [secret count] [KiB each]
(needs root; exits 77 otherwise; label bench: heavy)"""
import base64
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "e2e"))
from world import binding, expect_true, sandboxed, wait_for  # noqa: E402

LIMIT_KIB = 64 * 1024
BATCH = 100


def memory_kib(pid):
    """(VmRSS, VmHWM) of a process, in KiB."""
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.split()[0] if value.split() else "0"
    return int(fields.get("VmRSS", 0)), int(fields.get("VmHWM", 0))


def agent_pid(world, ns):
    pods = json.loads(world.kubectl("get", "pods", "-n", ns, "-l",
                                    "app.kubernetes.io/name=harborrobot-agent", "-o", "json"))
    names = [p["metadata"]["name"] for p in pods["items"]
             if p.get("status", {}).get("phase") == "Running"]
    if not names:
        return None
    return world.processes().get(f"{ns}/{names[0]}", {}).get("agent")


def create_secrets(world, ns, count, kib):
    payload = base64.b64encode(os.urandom(kib * 1024)).decode()

    def batch(start):
        items = [{"apiVersion": "v1", "kind": "Secret",
                  "metadata": {"name": f"unrelated-{i:05d}", "namespace": ns,
                               "labels": {"app.kubernetes.io/managed-by": "Helm"}},
                  "type": "Opaque", "data": {"blob": payload}}
                 for i in range(start, min(start + BATCH, count))]
        done = subprocess.run(["kubectl", "create", "-f", "-", "-o", "name"], env=world.env,
                              input=json.dumps({"apiVersion": "v1", "kind": "List",
                                                "items": items}),
                              capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise AssertionError(f"creating Secrets from {start}: {done.stderr[-2000:]}")
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(batch, range(0, count, BATCH)))


def main():
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
    kib = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    with sandboxed(sys.argv[1], label="memory") as world:
        kubectl = world.kubectl
        world.plugin("install", "--wait", "--timeout", "90s")
        world.connect("--ca-file", world.harbor_ca())
        world.create_project("team")
        for ns in ("crowded", "empty"):
            kubectl("create", "namespace", ns)
        create_secrets(world, "crowded", count, kib)
        kube_pid = world.record["components"]["kube"].get("pid")
        for ns in ("crowded", "empty"):
            kubectl("label", "namespace", ns, "pulls-from=team")
        world.apply(binding("team", selector={"pulls-from": "team"}, secret="team-pull"))

        def ready():
            spaces = {ns: status.get("ready") for ns, status in world.credentials("team").items()}
            return spaces.get("crowded") and spaces.get("empty")
        wait_for(ready, "both namespaces Ready", timeout=300)
        # A rotation in the crowded namespace: the agent works with them there.
        world.plugin("rotate", "team", "-n", "crowded", "--wait", "--timeout", "120s")
        crowded, empty = (agent_pid(world, ns) for ns in ("crowded", "empty"))
        expect_true(crowded and empty, "both agents run")
        rss, peak = memory_kib(crowded)
        empty_rss, empty_peak = memory_kib(empty)
        print(f"agent beside {count} unrelated Secrets of {kib} KiB: RSS {rss / 1024:.1f} MiB, "
              f"peak {peak / 1024:.1f} MiB (limit 64 MiB)")
        print(f"agent in an empty namespace: RSS {empty_rss / 1024:.1f} MiB, "
              f"peak {empty_peak / 1024:.1f} MiB")
        if kube_pid:
            kube_rss, _ = memory_kib(kube_pid)
            print(f"Kubernetes simulator holding them: RSS {kube_rss / 1024:.0f} MiB")
        expect_true(peak < LIMIT_KIB, f"the agent's peak {peak} KiB stays under 64 MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
