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
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from invalid_spec_test import (HUB_NS, Sampler, binding_object, quickstart,  # noqa: E402
                               ready_condition)
from harness import expect_equal, expect_true, wait_for  # noqa: E402
from sandbox_test import processes_mentioning, sandbox  # noqa: E402


def hub_restarts(world):
    pods = json.loads(world.kubectl("get", "pods", "-n", HUB_NS, "-o", "json"))["items"]
    return sum(status.get("restartCount", 0) for pod in pods
               if pod["metadata"]["name"].startswith("harborrobot-hub")
               for status in pod.get("status", {}).get("containerStatuses", []))


def main():
    if os.geteuid() != 0:
        print("bad_input_test needs root (the sandbox)")
        return 77
    build = sys.argv[1]
    state = tempfile.mkdtemp(prefix="harborrobot-bad-input-")
    try:
        world = quickstart(state, build)
        kubectl = world.kubectl
        sampler = Sampler(world)
        sampler.start()
        try:
            restarts = hub_restarts(world)
            bad = base64.b64encode(b"https://harbor\xff.example.com").decode()
            kubectl("apply", "-f", "-", stdin=json.dumps({
                "apiVersion": "v1", "kind": "Secret",
                "metadata": {"name": "harbor-utf8", "namespace": HUB_NS,
                             "labels": {"harbor-robot-gen": "true"}},
                "type": "kubernetes.io/opaque",
                "data": {"url": bad,
                         "username": base64.b64encode(b"api-user").decode(),
                         "password": base64.b64encode(b"api-password").decode()}}))
            other = binding_object(world)
            other = {"apiVersion": other["apiVersion"], "kind": other["kind"],
                     "metadata": {"name": "b-utf8"}, "spec": other["spec"]}
            other["spec"]["generatedSecret"]["name"] = "b-utf8.robot"
            other["spec"]["harbor"]["secret"]["name"] = "harbor-utf8"
            kubectl("apply", "-f", "-", stdin=json.dumps(other))
            condition = wait_for(
                lambda: (lambda c: c if c.get("reason") == "InvalidConnection" else None)(
                    ready_condition(world, "b-utf8")), "b-utf8: InvalidConnection", timeout=60)
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
            expect_equal(ready_condition(world).get("status"), "True",
                         "the seed's binding stays Ready")
            print(f"bad_input_test: InvalidConnection: {condition['message']}")
        finally:
            sampler.finish()
        sandbox(state, build, "down")
        expect_equal(processes_mentioning(state), [], "down leaves no process")
        print(f"bad_input_test: passed ({sampler.samples} samples, no credential lost)")
        return 0
    finally:
        sandbox(state, build, "down", check=False)
        shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
