#!/usr/bin/env python3
"""Bad input never crashes the hub (issue 23), on the sandbox.

With the seed's Quick Start Ready (the sampler of invalid_spec_test.py checking
its Secrets and ServiceAccount entries throughout), a connection Secret whose
`url` holds bytes that are not UTF-8 (https://harbor\\xff.example.com, through
`data`) and a binding using it are applied. The binding says InvalidConnection
naming data[url], the Secret gets an InvalidConnection event, neither quotes
the bytes, and the hub keeps running: no hub container restarts, the seed's
binding stays Ready.
usage: bad_input_test.py <build dir>   (needs root; exits 77 otherwise)"""
import base64
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from abuse_test import hub_restarts  # noqa: E402
from invalid_spec_test import run_scenario  # noqa: E402
from world import HUB_NS, expect_equal, expect_true, wait_for  # noqa: E402


def utf8_url(world, sampler):
    """A connection whose url is not UTF-8, and a binding on it: InvalidConnection
    naming data[url], and the hub keeps running."""
    kubectl = world.kubectl
    restarts = hub_restarts(world)
    bad = base64.b64encode(b"https://harbor\xff.example.com").decode()
    world.apply({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "harbor-utf8", "namespace": HUB_NS,
                     "labels": {"harbor-robot-gen": "true"}},
        "type": "kubernetes.io/opaque",
        "data": {"url": bad,
                 "username": base64.b64encode(b"api-user").decode(),
                 "password": base64.b64encode(b"api-password").decode()}})
    other = world.binding()
    other = {"apiVersion": other["apiVersion"], "kind": other["kind"],
             "metadata": {"name": "b-utf8"}, "spec": other["spec"]}
    other["spec"]["generatedSecret"]["name"] = "b-utf8.robot"
    other["spec"]["harbor"]["secret"]["name"] = "harbor-utf8"
    world.apply(other)
    condition = wait_for(
        lambda: (lambda c: c if c.get("reason") == "InvalidConnection" else None)(
            world.ready_condition("b-utf8")), "b-utf8: InvalidConnection", timeout=60)
    expect_true("data[url]" in condition["message"] and
                "UTF-8" in condition["message"],
                f"the message names data[url] and UTF-8: {condition['message']}")
    events = json.loads(kubectl("get", "events", "-n", HUB_NS, "--field-selector",
                                "involvedObject.name=harbor-utf8", "-o", "json"))
    reasons = [e["reason"] for e in events["items"]]
    expect_true("InvalidConnection" in reasons, f"an event on the Secret ({reasons})")
    expect_true(all("\ufffd" not in e.get("message", "") for e in events["items"]),
                "no event quotes the bytes")
    sampler.more(3)
    expect_equal(hub_restarts(world), restarts, "no hub container restarted")
    expect_equal(world.ready_condition().get("status"), "True",
                 "the Quick Start's binding stays Ready")
    print(f"bad_input_test: InvalidConnection: {condition['message']}")


def main():
    return run_scenario(utf8_url)


if __name__ == "__main__":
    sys.exit(main())
