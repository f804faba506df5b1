#!/usr/bin/env python3
"""Invalid edits of a live binding never cost a pull credential (issue 23).

The seed's Quick Start runs on the sandbox (two hub replicas, managed agents)
until the binding is Ready in team-ns1 and team-ns2. From then on a sampler
thread reads, every few hundred milliseconds, both namespaces' generated
Secret (a dockerconfigjson credential for https://harbor.example.com) and the
`default` ServiceAccount's imagePullSecrets entry; a single sample without
either fails the test.

Scenario `door`: three typos of a live binding (a Go-style `1d` interval, an
upper-case project, an unknown action) are refused by the API server (the
CRD's schema): kubectl fails naming the field, the binding's generation does
not move, it stays Ready.

Scenario `frozen`: invalid edits the schema cannot see (an interval under the
1m minimum, an action Harbor has but not for that resource) pass the API
server; the hub freezes the binding at its last valid spec (status
.lastValidSpec): Ready False, reason InvalidSpec, the message naming the
field, the value and what was expected, an InvalidSpec event; both hub
replicas are killed (kill -9) while frozen and the restarted hub stays frozen
(it reconciles a further invalid edit, still deleting nothing); both
namespaces keep their HarborRobotCredential record and the binding still counts
both; no robot is deleted in Harbor. Fixing the spec
makes the binding Ready again (a SpecValid event).
usage: invalid_spec_test.py <build dir> door|frozen   (needs root; exits 77 otherwise)"""
import base64
import json
import os
import signal
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from world import (BINDING, HUB_NS, NAMESPACES, REGISTRY, SECRET,  # noqa: E402
                   expect_equal, expect_true, sandboxed, script_name, wait_for)


class Sampler(threading.Thread):
    """Checks, over and over until stopped, that every namespace holds a pull
    credential in the generated Secret and that `default` names it."""

    def __init__(self, world, pairs=None, status_of=None):
        super().__init__(daemon=True)
        self.world = world
        # (namespace, Secret name) pairs that must hold a credential named by
        # `default`; `status_of`: a binding whose records must be exactly those
        # of NAMESPACES and whose status.targetNamespaces must count them.
        self.pairs = pairs or [(ns, SECRET) for ns in NAMESPACES]
        self.status_of = status_of
        self.stopping = threading.Event()
        self.samples = 0
        self.failures = []

    def sample(self):
        kinds = "secrets,serviceaccounts" + (",harborrobotbindings,harborrobotcredentials"
                                             if self.status_of else "")
        done = subprocess.run(["kubectl", "get", kinds, "--all-namespaces",
                               "-o", "json"], env=self.world.env, capture_output=True, text=True,
                              timeout=60)
        if done.returncode != 0:
            return  # the API server did not answer: no evidence either way
        items = json.loads(done.stdout)["items"]
        if self.status_of:
            recorded = sorted(i["metadata"]["namespace"] for i in items
                              if i["kind"] == "HarborRobotCredential" and
                              i["metadata"]["name"] == self.status_of)
            if recorded != list(NAMESPACES):
                self.failures.append(f"{self.status_of}'s records: {recorded}")
            counted = [i.get("status", {}).get("targetNamespaces") for i in items
                       if i["kind"] == "HarborRobotBinding" and
                       i["metadata"]["name"] == self.status_of]
            if counted != [len(NAMESPACES)]:
                self.failures.append(f"{self.status_of}'s targetNamespaces: {counted}")
        for ns, secret_name in list(self.pairs):
            secret = [i for i in items if i["kind"] == "Secret" and
                      i["metadata"]["namespace"] == ns and i["metadata"]["name"] == secret_name]
            try:
                config = json.loads(base64.b64decode(secret[0]["data"][".dockerconfigjson"]))
                held = bool(config["auths"][REGISTRY]["password"])
            except (IndexError, KeyError, ValueError, TypeError):
                held = False
            if not held:
                self.failures.append(f"{ns}/{secret_name} holds no credential")
            account = [i for i in items if i["kind"] == "ServiceAccount" and
                       i["metadata"]["namespace"] == ns and i["metadata"]["name"] == "default"]
            names = [e.get("name") for e in (account[0].get("imagePullSecrets") or [])] \
                if account else []
            if secret_name not in names:
                self.failures.append(f"{ns}/default lacks {secret_name}: {names}")
        self.samples += 1

    def more(self, count=2):
        """Waits until `count` more samples were taken (the state held meanwhile)."""
        target = self.samples + count
        wait_for(lambda: self.samples >= target, f"{count} more samples", timeout=60)

    def run(self):
        while not self.stopping.is_set():
            self.sample()
            self.stopping.wait(0.2)

    def finish(self, minimum=5):
        """Stops once at least `minimum` samples were taken (a fast run waits for
        them rather than judging on fewer), then checks none lost a credential."""
        if self.is_alive() and not self.stopping.is_set():
            wait_for(lambda: self.samples >= minimum or not self.is_alive(),
                     f"{minimum} samples", timeout=60)
        self.stopping.set()
        self.join(timeout=60)
        expect_true(self.samples >= minimum, f"the sampler ran ({self.samples} samples)")
        expect_equal(self.failures[:5], [], f"no credential lost in {self.samples} samples")


def fingerprints(world):
    """What the hub told each namespace's agent (the signal ConfigMap's annotation)."""
    out = {}
    for ns in NAMESPACES:
        found = world.kubectl("get", "configmap", "harborrobot-signal", "-n", ns, "-o", "json",
                              check=False)
        out[ns] = json.loads(found).get("metadata", {}).get("annotations", {}).get(
            "harborrobot.io/bindings-fingerprint") if found else None
    return out


def patch(world, change):
    return subprocess.run(["kubectl", "patch", "harborrobotbinding", BINDING, "--type", "merge",
                           "-p", json.dumps({"spec": change})], env=world.env,
                          capture_output=True, text=True, timeout=60)


def events(world, reason):
    text = world.kubectl("get", "events", "-A", "--field-selector",
                         f"involvedObject.name={BINDING},reason={reason}", "-o", "json")
    return [item.get("message", "") for item in json.loads(text).get("items", [])]


def door(world, sampler):
    """Typos the CRD's schema refuses: kubectl fails naming the field."""
    generation = world.binding()["metadata"]["generation"]
    typos = [("a Go-style 1d interval", {"refreshInterval": "1d"}, "spec.refreshInterval"),
             ("an upper-case project", {"harbor": {"project": "Team"}}, "spec.harbor.project"),
             ("an unknown action",
              {"harbor": {"robot": {"access": [{"action": "fly", "resource": "repository"}]}}},
              "spec.harbor.robot.access[0].action")]
    for what, change, field in typos:
        done = patch(world, change)
        expect_true(done.returncode != 0, f"{what}: refused at the door ({done.stdout})")
        expect_true(field in done.stderr, f"{what}: kubectl's error names {field}: {done.stderr}")
        print(f"invalid_spec_test: {what} refused: {done.stderr.strip()[:160]}")
        sampler.more()
    expect_equal(world.binding()["metadata"]["generation"], generation,
                 "the binding's generation did not move")
    expect_equal(world.ready_condition().get("status"), "True", "the binding stays Ready")


def kill_hubs(world):
    before = {}
    for key, containers in world.processes().items():
        if key.startswith(f"{HUB_NS}/harborrobot-hub") and "hub" in containers:
            before[key] = containers["hub"]
            os.kill(containers["hub"], signal.SIGKILL)
    expect_equal(len(before), 2, f"two hub processes killed ({before})")

    def restarted():
        now = world.processes()
        return all(now.get(key, {}).get("hub") not in (None, pid) for key, pid in before.items())
    wait_for(restarted, "both hub replicas to be restarted", timeout=60)


def frozen(world, sampler):
    robots_before = sorted(r["name"] for r in world.robots())
    expect_equal(len(robots_before), 2, f"one robot per namespace ({robots_before})")
    edits = [("an interval under the minimum", {"refreshInterval": "30s"},
              ["spec.refreshInterval", '"30s"', "expected at least 1m"]),
             ("an action Harbor has, not for that resource",
              {"harbor": {"robot": {"access": [{"action": "push", "resource": "project"}]}}},
              ["spec.harbor.robot.access[0]", "project:push", "expected"])]
    for what, change, texts in edits:
        signalled = fingerprints(world)
        done = patch(world, change)
        expect_equal(done.returncode, 0, f"{what}: the schema lets it in ({done.stderr})")
        condition = wait_for(lambda: (lambda c: c if c.get("reason") == "InvalidSpec" and
                                      texts[0] in c.get("message", "") else None)(
                                          world.ready_condition()),
                             f"{what}: Ready says InvalidSpec", timeout=60)
        expect_equal(condition["status"], "False", f"{what}: not Ready")
        for text in texts:
            expect_true(text in condition["message"],
                        f"{what}: the message holds {text!r}: {condition['message']}")
        expect_true("frozen" in condition["message"], f"{what}: says frozen")
        wait_for(lambda: any(texts[0] in m for m in events(world, "InvalidSpec")),
                 f"{what}: an InvalidSpec event", timeout=30)
        status = world.binding()["status"]
        expect_equal(sorted(world.credentials(BINDING)), list(NAMESPACES),
                     f"{what}: both namespace records kept")
        expect_equal(status.get("targetNamespaces"), len(NAMESPACES),
                     f"{what}: the binding still counts both namespaces")
        expect_equal(status.get("lastValidSpec", {}).get("spec", {}).get("refreshInterval"),
                     "6h", f"{what}: the last valid spec is recorded")
        print(f"invalid_spec_test: {what}: frozen: {condition['message'][:200]}")
        # The agents were told (their signal changed) and acted on it: the
        # credentials stay for several samples after.
        wait_for(lambda: all(v != signalled[ns] for ns, v in fingerprints(world).items()),
                 f"{what}: the agents signalled", timeout=30)
        sampler.more(4)
        # Back to the valid spec before the next edit.
        fixed = patch(world, {"refreshInterval": "6h", "harbor": {"robot": {"access": [
            {"action": "pull", "resource": "repository"}]}}})
        expect_equal(fixed.returncode, 0, f"the fix applies ({fixed.stderr})")
        wait_for(lambda: world.ready_condition().get("status") == "True",
                 f"{what}: Ready again after the fix", timeout=60)

    # Frozen across a restart of both hub replicas: the restarted hub reads the
    # last valid spec from the status and reconciles a further invalid edit.
    expect_equal(patch(world, {"refreshInterval": "30s"}).returncode, 0, "frozen again")
    wait_for(lambda: world.ready_condition().get("reason") == "InvalidSpec", "frozen again",
             timeout=60)
    kill_hubs(world)
    sampler.more()
    expect_equal(patch(world, {"refreshInterval": "20s"}).returncode, 0, "a further edit")
    wait_for(lambda: '"20s"' in world.ready_condition().get("message", ""),
             "the restarted hub to see the further invalid edit", timeout=90)
    sampler.more()
    status = world.binding()["status"]
    expect_equal(sorted(world.credentials(BINDING)), list(NAMESPACES),
                 "after the restart: both namespace records kept")
    expect_equal(status.get("targetNamespaces"), len(NAMESPACES),
                 "after the restart: the binding still counts both namespaces")
    robots_frozen = sorted(r["name"] for r in world.robots())
    expect_true(set(robots_before) <= set(robots_frozen),
                f"no robot deleted while frozen: {robots_before} -> {robots_frozen}")
    expect_equal(patch(world, {"refreshInterval": "6h"}).returncode, 0, "the fix")
    wait_for(lambda: world.ready_condition().get("status") == "True", "Ready again after the fix",
             timeout=90)
    wait_for(lambda: events(world, "SpecValid"), "a SpecValid event", timeout=30)
    print(f"invalid_spec_test: frozen across a restart of both hubs; robots {robots_frozen}")


def sampled(world, scenario, status_of=None):
    """The safety scenarios' frame: the hub installed and the Quick Start Ready,
    then scenario(world, sampler) while a Sampler (status_of as its own) checks
    every pull credential throughout; the sampler's verdict last. Returns the
    sampler."""
    world.install()
    world.apply_quickstart()
    wait_for(lambda: world.ready_condition().get("status") == "True", "the binding Ready",
             timeout=90)
    sampler = Sampler(world, status_of=status_of)
    sampler.sample()
    expect_equal(sampler.failures, [], "both namespaces hold their credential")
    sampler.start()
    try:
        scenario(world, sampler)
    finally:
        sampler.finish()
    return sampler


def run_scenario(scenario, status_of=None):
    """A safety test's main: `scenario` sampled on a fresh sandbox (the build
    directory is argv[1])."""
    name = f"{script_name()} {scenario.__name__}"
    with sandboxed(sys.argv[1], label=name.replace(" ", "-")) as world:
        sampler = sampled(world, scenario, status_of)
    print(f"{name}: passed ({sampler.samples} samples, no credential lost)")
    return 0


def main():
    return run_scenario({"door": door, "frozen": frozen}[sys.argv[2]])


if __name__ == "__main__":
    sys.exit(main())
