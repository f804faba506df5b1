#!/usr/bin/env python3
"""The latency of a credential issue, without and with abuse of the hub API,
on the sandbox (issue 23, item 5).

The hub is installed as hub_load_bench.py does (`kubectl harborrobot install
--agents external`: this bench plays the agents), with one binding selecting
N namespaces (default 20), each with a `harborrobot-agent` ServiceAccount and
its token (audience harborrobot-hub). A credential issue is what an agent
sends when it rotates: POST /v1/namespaces/<ns>/bindings/<binding>/credentials
with a new rotation id and the next generation, on a fresh TLS connection to
the leader (an agent issues seldom; the connection's acceptance is part of
what the abuse may slow), each answered by a new robot in Harbor; each is then
activated (not timed) so the hub retires the one before it. The issues go
round the namespaces one at a time, so no namespace nears its rate limit.

First `--issues` issues (default 200) without abuse, then as many again while
abuse_test.py's abuse runs against the leader from addresses of its own: 100
MiB bodies, 500 idle connections, 10,000 bad tokens (at least; they go on
until the issues are done). Prints

  credential issue latency without abuse: p50 X ms, p99 Y ms
  credential issue latency with abuse (100 MiB body, 500 idle connections,
  10,000 bad tokens): p50 X ms, p99 Y ms

and what the abuse did. Figures, not pass/fail timings: it fails only when an
issue is not answered 200.
usage: hub_api_latency_bench.py <build dir> [--issues N] [--namespaces N]
(needs root; exits 77 otherwise)"""
import argparse
import os
import sys
import time

E2E = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "e2e")
sys.path.insert(0, os.path.join(E2E, "safety"))  # abuse_test's abuse, and how it calls the hub
sys.path.insert(0, E2E)
from abuse_test import Abuse, RssSampler, call, hub_context, leader, rss_mib  # noqa: E402
from world import binding, require_root, sandboxed, wait_for  # noqa: E402

BINDING = "latency"
MEASURED_FROM = "127.3.0.1"  # the measured agent's own address, as a Pod has
ABUSER_NS = "abuser"         # the bodies' valid token: a namespace of its own


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


class Agents:
    """The played agents: one generation after another, round the namespaces."""

    def __init__(self, address, context, tokens):
        self.address, self.context, self.tokens = address, context, tokens
        self.generation = {ns: 0 for ns in tokens}
        self.throttled = 0

    def call(self, method, ns, path, body):
        return call(self.address, self.context, method, f"/v1/namespaces/{ns}{path}",
                    self.tokens[ns], body, source=MEASURED_FROM, timeout=60)

    def issue(self, ns, label):
        """One credential issue and its activation: the issue's seconds."""
        self.generation[ns] += 1
        request = {"rotationId": f"{label}-{ns}-{self.generation[ns]}",
                   "generation": self.generation[ns]}
        path = f"/bindings/{BINDING}/credentials"
        started = time.monotonic()
        status, issued = self.call("POST", ns, path, request)
        elapsed = time.monotonic() - started
        if status == 429:
            raise AssertionError(f"{ns}: the issue was rate limited (the bench spaces them)")
        if status != 200 or not (issued or {}).get("username"):
            raise AssertionError(f"{ns}: credential issue answered {status}: {issued}")
        status, answer = self.call("POST", ns, f"/bindings/{BINDING}/activation", request)
        if status != 200:
            raise AssertionError(f"{ns}: activation answered {status}: {answer}")
        return elapsed

    def round(self, count, label):
        names = sorted(self.tokens)
        return [self.issue(names[i % len(names)], label) for i in range(count)]


def main():
    require_root()
    parser = argparse.ArgumentParser()
    parser.add_argument("build")
    parser.add_argument("--issues", type=int, default=200)
    parser.add_argument("--namespaces", type=int, default=20)
    args = parser.parse_args()
    with sandboxed(args.build, label="latency") as world:
        world.plugin("install", "--agents", "external", "--wait", "--timeout", "90s")
        world.connect()
        world.create_project(BINDING)
        names = [f"latency-{i:02d}" for i in range(args.namespaces)]
        tokens = {}
        for ns in names + [ABUSER_NS]:
            world.kubectl("create", "namespace", ns)
            if ns != ABUSER_NS:
                world.kubectl("label", "namespace", ns, "latency=yes")
            world.kubectl("create", "serviceaccount", "harborrobot-agent", "-n", ns)
            tokens[ns] = world.hub_token(ns)
        world.apply(binding(BINDING, selector={"latency": "yes"}, secret=f"{BINDING}-pull",
                            project=BINDING, grace="1s", service_account=None))
        _, address, pid = leader(world)
        context = hub_context(world)
        abuser_token = tokens.pop(ABUSER_NS)
        agents = Agents(address, context, tokens)

        def listed_everywhere():
            for ns in names:
                status, listed = agents.call("GET", ns, "/bindings", None)
                items = (listed or {}).get("items", []) if status == 200 else []
                if not any(i.get("name") == BINDING and i.get("registryUrl") for i in items):
                    return False
            return True
        wait_for(listed_everywhere, "the binding listed to every namespace", timeout=90,
                 interval=0.5)
        agents.round(len(names), "warm-up")  # first robots, connections to Harbor made

        quiet = agents.round(args.issues, "quiet")
        rss_quiet = rss_mib(pid)
        abuse = Abuse(address, context, abuser_token, ABUSER_NS, BINDING)
        rss = RssSampler(pid)
        rss.start()
        abuse.start()
        try:
            wait_for(abuse.in_full_swing, "the abuse in full swing", timeout=120, interval=0.2)
            abused = agents.round(args.issues, "abused")
            wait_for(abuse.tokens_done, "10,000 bad tokens answered", timeout=300,
                     interval=0.2)
        finally:
            abuse.stop()
            rss.finish()

        def figures(latencies):
            return (f"p50 {percentile(latencies, 0.5) * 1000:.1f} ms, "
                    f"p99 {percentile(latencies, 0.99) * 1000:.1f} ms")
        print(f"{args.issues} credential issues each, round {len(names)} namespaces, "
              f"one at a time, each on a fresh TLS connection")
        print(f"credential issue latency without abuse: {figures(quiet)}")
        print("credential issue latency with abuse (100 MiB body, 500 idle connections, "
              f"10,000 bad tokens): {figures(abused)}")
        print("the abuse: " + abuse.summary().replace("\n", "\n  "))
        print(f"hub leader RSS: {rss_quiet:.1f} MiB before the abuse, peak {rss.peak:.1f} MiB "
              f"during it, {rss_mib(pid):.1f} MiB after")
    return 0


if __name__ == "__main__":
    sys.exit(main())
