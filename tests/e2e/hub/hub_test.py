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
import base64
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(ROOT, "tests", "sandbox"))
sys.path.insert(0, os.path.join(ROOT, "tests", "sim", "harbor", "tests"))
from harness import expect_equal, expect_true, wait_for  # noqa: E402
from sandbox_test import processes_mentioning, sandbox  # noqa: E402

HUB = "https://harborrobot-hub.harbor-robot-gen-system.svc:8443"
SEED = os.path.join(ROOT, "tests", "fixtures", "seed")
BINDING = "harbor-secret-for-team"


class World:
    def __init__(self, state, build):
        self.state, self.build = state, build
        with open(os.path.join(state, "sandbox.json")) as f:
            self.record = json.load(f)
        self.env = dict(os.environ, KUBECONFIG=self.record["components"]["kube"]["kubeconfig"])
        self.hub_ca = os.path.join(state, "hub-ca.crt")

    def kubectl(self, *args, stdin=None, check=True):
        done = subprocess.run(["kubectl", *args], env=self.env, input=stdin,
                              capture_output=True, text=True, timeout=60)
        if check and done.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)}: {done.stderr}")
        return done.stdout

    def plugin(self, *args, stdin=None, timeout=300):
        """`kubectl harborrobot ARGS` through the real kubectl, which finds the
        built plugin on PATH as it finds any installed plugin."""
        env = dict(self.env, PATH=os.path.join(self.build, "bin") + ":" + os.environ["PATH"])
        done = subprocess.run(["kubectl", "harborrobot", *args], env=env, input=stdin,
                              capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise AssertionError(f"kubectl harborrobot {' '.join(args)}: {done.stderr}")
        return done.stdout

    def harbor_call(self, method, path, body=None, user=("admin", "Harbor12345")):
        """harbor-1's API (harbor.example.com points there), as its admin unless
        told: (status, headers, parsed JSON body or None), whatever the status."""
        harbor = self.record["components"]["harbor-1"]
        context = ssl.create_default_context(cafile=harbor["ca"])
        context.check_hostname = False
        request = urllib.request.Request(
            f"https://{harbor['address']}/api/v2.0{path}", method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Content-Type": "application/json", "Authorization": "Basic " +
                     base64.b64encode(f"{user[0]}:{user[1]}".encode()).decode()})
        try:
            with urllib.request.urlopen(request, context=context, timeout=30) as answer:
                text = answer.read()
                return answer.status, answer.headers, json.loads(text) if text else None
        except urllib.error.HTTPError as error:
            text = error.read()
            try:
                return error.code, error.headers, json.loads(text) if text else None
            except ValueError:
                return error.code, error.headers, text.decode(errors="replace")

    def harbor(self, method, path, body=None):
        """harbor-1's API as its admin: (status, parsed JSON body, None on an error)."""
        status, _, parsed = self.harbor_call(method, path, body)
        return status, parsed if status < 400 else None

    def robots(self, project="team"):
        """The project's robots as Harbor itself lists them: Level and ProjectID
        inside q (NOTES.md §3; Harbor ignores them as query parameters of their
        own), every page of 100 until X-Total-Count are read. [] when the project
        does not exist; a failed listing raises, it never reads as empty."""
        status, _, found = self.harbor_call("GET", f"/projects/{project}")
        if status == 404:
            return []
        expect_equal(status, 200, f"GET /projects/{project} ({found})")
        q = urllib.parse.quote(f"Level=project,ProjectID={found['project_id']}", safe="")
        robots = []
        while True:
            path = f"/robots?q={q}&page={len(robots) // 100 + 1}&page_size=100"
            status, headers, page = self.harbor_call("GET", path)
            expect_equal(status, 200, f"GET {path} ({page})")
            robots += page
            if not page or len(robots) >= int(headers["X-Total-Count"]):
                return robots

    def token_claims(self, username, password, scope="repository:team/app:pull"):
        """What harbor-1's token service grants these Basic credentials for
        `scope`: the claims of the JWT it issues, or None when it answers
        anything but 200. (NOTES.md §6b: a 200 alone proves nothing, since a
        deleted robot gets an anonymous token; read `sub` and `access`.)"""
        harbor = self.record["components"]["harbor-1"]
        context = ssl.create_default_context(cafile=harbor["ca"])
        context.check_hostname = False
        query = urllib.parse.urlencode({"service": "harbor-registry", "scope": scope})
        request = urllib.request.Request(
            f"https://{harbor['address']}/service/token?{query}", headers={
                "Authorization": "Basic " + base64.b64encode(
                    f"{username}:{password}".encode()).decode()})
        try:
            with urllib.request.urlopen(request, context=context, timeout=30) as answer:
                token = json.load(answer)["token"]
        except urllib.error.HTTPError:
            return None
        payload = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))

    def pull_credential(self, ns, secret, registry="https://harbor.example.com"):
        """(username, password) for `registry` in a generated Secret, or None when
        the Secret is missing or holds no such entry."""
        done = subprocess.run(["kubectl", "get", "secret", "-n", ns, secret, "-o", "json"],
                              env=self.env, capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            return None
        try:
            data = json.loads(done.stdout)["data"][".dockerconfigjson"]
            entry = json.loads(base64.b64decode(data))["auths"][registry]
            return entry["username"], entry["password"]
        except (KeyError, ValueError, TypeError):
            return None

    def hub(self, method, path, token=None, body=None):
        """The hub API from inside the sandbox's DNS view, like an agent."""
        argv = ["curl", "-s", "-o", "-", "-w", "\n%{http_code}", "--cacert", self.hub_ca,
                "-X", method, f"{HUB}{path}"]
        if token:
            argv += ["-H", f"Authorization: Bearer {token}"]
        if body is not None:
            argv += ["-H", "Content-Type: application/json", "--data", json.dumps(body)]
        def attempt():
            done = sandbox(self.state, self.build, "exec", "--", *argv, check=False)
            text, _, code = done.stdout.rpartition("\n")
            return int(code or 0), json.loads(text) if text.strip() else None
        # Like an agent: a moment without a leader (a failover) is retried.
        return wait_for(lambda: (lambda r: r if r[0] not in (0, 503) else None)(attempt()),
                        f"the hub to answer {method} {path}", timeout=30)

    def binding(self):
        return json.loads(self.kubectl("get", "harborrobotbinding", BINDING, "-o", "json"))

    def credentials(self, binding=BINDING):
        """The binding's HarborRobotCredential records across the fleet, as
        {namespace: status}: one per target namespace whose agent has reported
        (a target that never reported has none; the binding's
        status.notReadyNamespaces names it). Listed the way the documentation
        says, by name in every namespace (GET /apis/harbor-robot-gen.alaudadevops.
        alauda.io/v1alpha1/harborrobotcredentials?fieldSelector=metadata.name%3D<binding>)."""
        listed = json.loads(self.kubectl("get", "harborrobotcredentials", "--all-namespaces",
                                         "--field-selector", f"metadata.name={binding}",
                                         "-o", "json"))
        return {item["metadata"]["namespace"]: item.get("status", {})
                for item in listed.get("items", [])}

    def not_ready(self, binding=BINDING):
        """The binding's status.notReadyNamespaces as {namespace: reason} (at most
        5, sorted by name)."""
        found = json.loads(self.kubectl("get", "harborrobotbinding", binding, "-o", "json"))
        return {entry["name"]: entry.get("reason", "")
                for entry in found.get("status", {}).get("notReadyNamespaces", [])}


def main():
    if os.geteuid() != 0:
        print("hub_test needs root (the sandbox)")
        return 77
    build = sys.argv[1]
    state = tempfile.mkdtemp(prefix="harborrobot-hub-")
    try:
        sandbox(state, build, "up")
        world = World(state, build)
        kubectl = world.kubectl
        # This test plays the agents itself: the hub must not start real ones.
        world.plugin("install", "--agents", "external")
        hub_args = json.loads(kubectl("get", "deployment", "-n", "harbor-robot-gen-system",
                                      "harborrobot-hub", "-o", "json"))
        hub_args = hub_args["spec"]["template"]["spec"]["containers"][0]["args"]
        expect_true("external" in hub_args, f"the hub runs with --agents external: {hub_args}")
        wait_for(lambda: json.loads(kubectl("get", "deployment", "-n", "harbor-robot-gen-system",
                                            "harborrobot-hub", "-o", "json"))
                 .get("status", {}).get("readyReplicas") == 2, "two hub replicas", timeout=60)
        ca = json.loads(kubectl("get", "configmap", "-n", "harbor-robot-gen-system",
                                "harborrobot-hub-ca", "-o", "json"))["data"]["ca.crt"]
        with open(world.hub_ca, "w") as f:
            f.write(ca)

        for ns in ("team-ns1", "team-ns2"):
            kubectl("create", "namespace", ns)
            kubectl("label", "namespace", ns, "cpaas.io/inner-namespace=team")
        kubectl("apply", "-f", os.path.join(SEED, "connection-harbor-quickstart.yaml"))
        kubectl("apply", "-f", os.path.join(SEED, "binding-harbor-secret-for-team-quickstart.yaml"))

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

        tokens = {ns: kubectl("create", "token", "default", "-n", ns, "--audience",
                              "harborrobot-hub").strip() for ns in ("team-ns1", "team-ns2")}
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
        for ns in ("team-ns1", "team-ns2"):
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
        def lease_holder():
            return json.loads(kubectl("get", "lease", "-n", "harbor-robot-gen-system",
                                      "harborrobot-hub", "-o", "json"))["spec"]["holderIdentity"]
        leader = lease_holder()
        labelled = kubectl("get", "pods", "-n", "harbor-robot-gen-system", "-l",
                           "harborrobot.io/hub-leader=true", "-o", "name").split()
        expect_equal(labelled, [f"pod/{leader}"], "only the leader carries the Service label")
        with open(os.path.join(state, "kubelet", "processes.json")) as f:
            pid = json.load(f)[f"harbor-robot-gen-system/{leader}"]["hub"]
        killed_at = time.monotonic()
        os.kill(pid, signal.SIGSTOP)
        try:
            wait_for(lambda: lease_holder() != leader, "another replica to lead", timeout=30)
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

        sandbox(state, build, "down")
        expect_equal(processes_mentioning(state), [], "down leaves no process")
        print("hub_test: passed")
        return 0
    finally:
        sandbox(state, build, "down", check=False)
        shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
