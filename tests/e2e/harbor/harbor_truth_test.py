#!/usr/bin/env python3
"""Issue 19 "Harbor as it is", its "Done when" on the sandbox: one scenario per
run, each on a fresh sandbox with the hub (two replicas) and the agents it
deploys, driven only through the real kubectl, `kubectl harborrobot` and HTTP
to Harbor. What Harbor holds is read the way Harbor itself lists it: a
project's robots through `GET /api/v2.0/robots?q=Level%3Dproject%2CProjectID%3D<id>`
as its admin (NOTES.md §3), never through the simulator's private endpoints.

  rotation_deletes_superseded  a requested rotation puts a new robot in the
      Secret; the superseded robot stays listed during the grace period and is
      gone from Harbor's listing after it, leaving only the active robot.
  binding_deletion_deletes_robots  deleting a binding deletes its robots in
      both namespaces (a hand-made robot in the project stays), its Secrets and
      its ServiceAccount entries; Harbor no longer knows the credentials.
  read_list_access_pulls  a binding granting repository:pull, read and list
      plus artifact:read gets a Secret whose robot carries those permissions in
      Harbor, and the real skopeo pulls team/app:v1 with it (anonymously it
      cannot), and so does a Pod through the ServiceAccount.
  doctor_dead_robot  with the agent stopped (its Deployment scaled to 0, so
      nothing replaces the credential while doctor looks), the Secret's robot is
      deleted in Harbor: `doctor --local` exits 1 with a FAIL line for that
      credential and a fix, the only new problem; again once the project is
      public (an anonymous token then carries pull: only `sub` tells). Started
      again, the agent replaces the dead robot.
  admin_group_user  a Harbor user who is an administrator only through an
      LDAP/OIDC admin group (admin_role_in_auth true, sysadmin_flag false) is
      accepted as a connection: the hub's verdict, `connections`, `doctor
      --local`, and a binding Ready with a Secret.
  read_only_rotation_waits  with Harbor switched to read-only
      (PUT /configurations {"read_only": true}) a requested rotation waits: the
      binding's Ready reason is HarborReadOnly, the Secret keeps its working
      credential; after read_only false the rotation completes.

Throughout every scenario where a credential must survive, a watcher samples
every 200 ms that the Secret exists and decodes, the ServiceAccount lists it,
and Harbor's token service grants its credential pull as that very robot.
usage: harbor_truth_test.py <build dir> <scenario>   (needs root; exits 77 otherwise)"""
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from world import (REGISTRY, TEAM_LABEL, binding, expect_equal, expect_true,  # noqa: E402
                   require_root, sandboxed, wait_for)

BINDING = "truth"
SECRET = "truth-pull"
PROJECT = "team"
NAMESPACES = ("truth-ns1", "truth-ns2")
NS = NAMESPACES[0]
IMAGE = "harbor.example.com/team/app:v1"
PULL = (("repository", "pull"),)
# The sandbox's harbor-1 knows this user as an administrator through an admin
# group only (tests/sandbox/sandbox, --admin-group-user).
GROUP_ADMIN = ("ldap-admin", "ldap-password")
AGENT_PODS = "app.kubernetes.io/name=harborrobot-agent"


def names(robots):
    return sorted(robot["name"] for robot in robots)


def binding_manifest(namespaces, access, grace):
    return binding(BINDING, namespaces=namespaces, secret=SECRET, project=PROJECT, access=access,
                   grace=grace)


def ready_condition(world):
    """The binding's Ready condition, with its not-ready namespaces."""
    status = world.binding(BINDING).get("status", {})
    ready = [c for c in status.get("conditions", []) if c["type"] == "Ready"]
    return dict(ready[0] if ready else {},
                notReadyNamespaces=status.get("notReadyNamespaces", []))


def last_seen(world):
    """What a timeout shows: the Ready condition and each namespace's
    HarborRobotCredential status."""
    return dict(ready_condition(world), credentials=world.credentials(BINDING))


def generation(world, ns=NS):
    secret = world.get("secret", "-n", ns, SECRET)
    return int(secret["metadata"]["annotations"]["harborrobot.io/generation"])


def start(world, namespaces=(NS,), access=PULL, grace="5s", user=("api-user", "api-password")):
    """The hub, a connection made with `kubectl harborrobot connect` (the Harbor's
    CA included, so `doctor --local` can reach it), namespaces labelled for the
    team project (the seed's projectFieldsPath), the binding, and Ready."""
    world.install()
    world.create_namespaces(namespaces, TEAM_LABEL)
    connected = world.run_plugin("connect", "harbor", "--url", REGISTRY, "--username", user[0],
                                 "--password-stdin", "--ca-file", world.harbor_ca(),
                                 "--project-fields-path",
                                 "{.metadata.labels.cpaas\\.io/inner-namespace}",
                                 stdin=user[1] + "\n", expect=None)
    expect_equal(connected.returncode, 0,
                 f"the hub accepts {user[0]} as a Harbor administrator (connect's verdict); "
                 f"stdout: {connected.stdout} stderr: {connected.stderr}")
    world.apply(binding_manifest(namespaces, access, grace))
    wait_for(lambda: ready_condition(world).get("status") == "True",
             f"binding {BINDING} to be Ready with a Secret in {', '.join(namespaces)}",
             timeout=90, show=lambda: last_seen(world))
    for ns in namespaces:
        expect_true(world.pull_credential(ns, SECRET) is not None,
                    f"Ready means {ns}/{SECRET} holds a credential for {REGISTRY}")


class CredentialWatch(threading.Thread):
    """Every 200 ms until finish(): in each namespace the generated Secret exists
    and holds a credential for harbor.example.com, the default ServiceAccount
    lists it in imagePullSecrets, and (with check_token) Harbor's token service
    grants that credential pull on team/app as that very robot: a pull would
    work at every moment. Problems are collected and asserted by finish()."""

    def __init__(self, world, namespaces=(NS,), check_token=True):
        super().__init__(daemon=True)
        self.world, self.namespaces, self.check_token = world, namespaces, check_token
        self.stopping = threading.Event()
        self.samples = 0
        self.problems = []

    def sample(self):
        for ns in self.namespaces:
            credential = self.world.pull_credential(ns, SECRET)
            if credential is None:
                yield f"{ns}/{SECRET} is missing or holds no credential for {REGISTRY}"
                continue
            account = json.loads(self.world.kubectl("get", "serviceaccount", "default", "-n", ns,
                                                    "-o", "json"))
            if {"name": SECRET} not in account.get("imagePullSecrets", []):
                yield (f"{ns}/default does not list {SECRET}: "
                       f"{account.get('imagePullSecrets')}")
            if self.check_token:
                claims = self.world.token_claims(*credential)
                granted = [action for entry in (claims or {}).get("access", [])
                           for action in entry.get("actions", [])]
                if not claims or claims.get("sub") != credential[0] or "pull" not in granted:
                    yield (f"{ns}: Harbor's token service does not grant {credential[0]} pull "
                           f"as itself: {claims}")

    def run(self):
        while not self.stopping.wait(0.2):
            try:
                found = list(self.sample())
            except Exception as error:  # noqa: BLE001 (a sample that fails is a problem)
                found = [f"sampling failed: {error}"]
            self.samples += 1
            self.problems += [f"{time.strftime('%H:%M:%S')} {p}" for p in found]

    def finish(self):
        self.stopping.set()
        self.join(timeout=60)
        expect_true(self.samples >= 1, "the credentials were sampled")
        expect_equal(self.problems[:10], [],
                     f"no pull credential was lost at any of {self.samples} samples "
                     f"({len(self.problems)} problems)")
        print(f"harbor_truth_test: {self.samples} samples, no pull credential lost")


def doctor(world):
    """`kubectl harborrobot doctor --local` from the sandbox's DNS view:
    (exit code, output, the set of FAIL lines' checks, {check: fix})."""
    done = world.run_plugin("doctor", "--local", in_sandbox_dns=True, expect=None)
    lines = done.stdout.splitlines()
    failed, fixes = set(), {}
    for index, line in enumerate(lines):
        if line.startswith("[FAIL] "):
            check = line[len("[FAIL] "):].split(": ", 1)[0]
            failed.add(check)
            following = lines[index + 1].strip() if index + 1 < len(lines) else ""
            fixes[check] = following.removeprefix("fix:").strip() \
                if following.startswith("fix:") else ""
    return done.returncode, done.stdout, failed, fixes


def scaled_agent(world, replicas):
    """The namespace agent's Deployment scaled by patching spec.replicas (the
    Kubernetes simulator serves no deployments/scale subresource for `kubectl
    scale`). The hub leaves the replica count alone (it replaces the Deployment
    only when its template hash changes); the sandbox kubelet stops or starts
    the process."""
    world.kubectl("patch", "deployment", "harborrobot-agent", "-n", NS, "--type", "merge", "-p",
                  json.dumps({"spec": {"replicas": replicas}}))

    def settled():
        pods = json.loads(world.kubectl("get", "pods", "-n", NS, "-l", AGENT_PODS, "-o", "json"))
        if replicas == 0:
            return not pods["items"]
        return any(c.get("type") == "Ready" and c.get("status") == "True"
                   for p in pods["items"] for c in p.get("status", {}).get("conditions", []))
    wait_for(settled, f"the agent in {NS} at {replicas} replica(s)", timeout=60,
             show=lambda: world.kubectl("get", "pods", "-n", NS, "-o", "wide"))


# ---- the scenarios ---------------------------------------------------------
SCENARIOS = {}


def scenario(function):
    SCENARIOS[function.__name__] = function
    return function


@scenario
def rotation_deletes_superseded(world):
    grace = 15
    start(world, grace=f"{grace}s")
    first, first_password = world.pull_credential(NS, SECRET)
    expect_equal(names(world.robots()), [first],
                 "Harbor's own listing (q=Level=project,ProjectID=<id>) shows the robot the "
                 "Secret names, and only it")
    watch = CredentialWatch(world)
    watch.start()
    requested = time.monotonic()
    rotated = world.run_plugin("rotate", BINDING, "--namespace", NS, "--wait", "--timeout", "90s",
                               expect=None)
    expect_equal(rotated.returncode, 0, f"rotate --wait: {rotated.stdout}{rotated.stderr}")
    second = world.pull_credential(NS, SECRET)[0]
    expect_true(second != first, f"the rotation put a new robot in the Secret ({first})")
    listed = names(world.robots())
    listed_after = time.monotonic() - requested
    expect_true(second in listed, f"Harbor's listing shows the new robot {second}: {listed}")
    if listed_after < grace - 1:
        expect_true(first in listed, f"the superseded robot {first} stays during the "
                                     f"{grace} s grace period ({listed_after:.1f} s after the "
                                     f"request): {listed}")
    else:
        print(f"harbor_truth_test: the listing came {listed_after:.1f} s after the request, "
              "past the grace period; not checking that the superseded robot was kept")
    wait_for(lambda: names(world.robots()) == [second],
             f"Harbor's listing to hold only the active robot {second}: the superseded "
             f"{first} deleted after the {grace} s grace period", timeout=grace + 60,
             show=lambda: names(world.robots()))
    gone_after = time.monotonic() - requested
    expect_true(gone_after >= grace - 1, f"the superseded robot was deleted after the grace "
                                         f"period, not before ({gone_after:.1f} s)")
    claims = world.token_claims(first, first_password)
    expect_true(claims is None or claims.get("sub") != first,
                f"the superseded credential no longer works: Harbor does not know {first} "
                f"({claims})")
    watch.finish()
    expect_equal(ready_condition(world).get("status"), "True", "the binding stays Ready")
    print(f"harbor_truth_test: superseded robot gone {gone_after:.1f} s after the rotation "
          f"request (grace {grace} s)")


@scenario
def binding_deletion_deletes_robots(world):
    start(world, namespaces=NAMESPACES)
    status, _, body = world.harbor_call("POST", "/robots", {
        "name": "by-hand", "level": "project", "duration": -1, "permissions": [
            {"kind": "project", "namespace": PROJECT,
             "access": [{"resource": "repository", "action": "pull"}]}]})
    expect_equal(status, 201, f"a robot made by hand in {PROJECT} ({body})")
    credentials = {ns: world.pull_credential(ns, SECRET) for ns in NAMESPACES}
    ours = sorted(credential[0] for credential in credentials.values())
    expect_equal(names(world.robots()), sorted(ours + [f"robot${PROJECT}+by-hand"]),
                 "Harbor's own listing (q=Level=project,ProjectID=<id>) shows one robot per "
                 "namespace and the hand-made one")

    world.kubectl("delete", "harborrobotbinding", BINDING, "--wait=false")
    wait_for(lambda: world.kubectl("get", "harborrobotbinding", "-o", "name") == "",
             "the binding to be finalized", timeout=60,
             show=lambda: last_seen(world))
    expect_equal(names(world.robots()), [f"robot${PROJECT}+by-hand"],
                 "once the binding's finalizer is done, Harbor's listing holds none of its "
                 "robots and still the hand-made one")
    for ns, (username, password) in credentials.items():
        claims = world.token_claims(username, password)
        expect_true(claims is None or claims.get("sub") != username,
                    f"Harbor no longer knows {username}: {claims}")
        wait_for(lambda: world.pull_credential(ns, SECRET) is None and world.kubectl(
                     "get", "secret", "-n", ns, SECRET, "--ignore-not-found", "-o",
                     "name") == "",
                 f"{ns}/{SECRET} to be deleted", timeout=60,
                 show=lambda: world.kubectl("get", "secret", "-n", ns))
        wait_for(lambda: {"name": SECRET} not in json.loads(world.kubectl(
                     "get", "serviceaccount", "default", "-n", ns, "-o", "json")).get(
                     "imagePullSecrets", []),
                 f"{ns}/default to drop {SECRET} from imagePullSecrets", timeout=60,
                 show=lambda: world.kubectl("get", "serviceaccount", "default", "-n", ns,
                                            "-o", "json"))


@scenario
def read_list_access_pulls(world):
    access = (("repository", "pull"), ("repository", "read"), ("repository", "list"),
              ("artifact", "read"))
    start(world, access=access)
    world.push_image("team/app:v1")
    credential = world.pull_credential(NS, SECRET)
    robot = [r for r in world.robots() if r["name"] == credential[0]]
    expect_equal(len(robot), 1, f"Harbor's listing shows the Secret's robot {credential[0]}")
    granted = {(a["resource"], a["action"]) for p in robot[0]["permissions"]
               for a in p["access"]}
    expect_true(set(access) <= granted,
                f"the robot holds the binding's permissions in Harbor: {sorted(granted)}")
    watch = CredentialWatch(world)
    watch.start()
    pulled = world.pull(credential, IMAGE, whole=True)
    expect_equal(pulled.returncode, 0, f"skopeo copy {IMAGE} with the Secret's credential: "
                                       f"{pulled.stderr.strip()[-500:]}")
    anonymous = world.pull(None, IMAGE, whole=True)
    expect_true(anonymous.returncode != 0, "the project is private: without the Secret, "
                                           "skopeo cannot pull (the Secret is what works)")
    world.kubectl("run", "pull-test", "-n", NS, f"--image={IMAGE}")
    wait_for(lambda: json.loads(world.kubectl("get", "pod", "pull-test", "-n", NS, "-o", "json"))
             .get("status", {}).get("phase") == "Running",
             "a Pod pulling through the ServiceAccount's imagePullSecrets to run", timeout=60,
             show=lambda: world.kubectl("get", "events", "-n", NS,
                                        "--field-selector", "involvedObject.name=pull-test"))
    watch.finish()


@scenario
def doctor_dead_robot(world):
    start(world)
    credential_check = f"credential {BINDING} in {NS} (from here)"
    wait_for(lambda: doctor(world)[0] == 0, "doctor --local to find no problem", timeout=60,
             show=lambda: doctor(world)[1])
    watch = CredentialWatch(world, check_token=False)
    watch.start()
    # Nothing may replace the credential while doctor looks at it: the agent
    # checks the credential in place at start and every 15 minutes, and would
    # rotate a dead one. Scaled to 0, it is stopped for as long as this takes.
    scaled_agent(world, 0)
    code, text, before, _ = doctor(world)
    expect_true(f"[OK  ] {credential_check}: " in text,
                f"with the robot alive, doctor --local accepts the credential:\n{text}")
    dead, password = world.pull_credential(NS, SECRET)
    robot = [r for r in world.robots() if r["name"] == dead]
    expect_equal(len(robot), 1, f"Harbor's listing shows the Secret's robot {dead}")
    status, _, body = world.harbor_call("DELETE", f"/robots/{robot[0]['id']}")
    expect_equal(status, 200, f"DELETE /robots/{robot[0]['id']} as admin ({body})")
    expect_true(dead not in names(world.robots()), f"{dead} is gone from Harbor's listing")

    def dead_robot_fails(project_kind):
        code, text, after, fixes = doctor(world)
        expect_equal(code, 1, f"doctor --local exits 1 for a Secret whose robot was deleted "
                              f"({project_kind} project):\n{text}")
        expect_true(credential_check in after - before,
                    f"the deleted robot gives a new FAIL line for the credential "
                    f"({project_kind} project):\n{text}")
        expect_true(fixes.get(credential_check), f"the FAIL line names a fix:\n{text}")
        expect_equal(world.pull_credential(NS, SECRET), (dead, password),
                     "doctor looked at the dead credential (nothing replaced it)")
        print(f"harbor_truth_test: {project_kind} project: "
              + next(line for line in text.splitlines() if credential_check in line))

    claims = world.token_claims(dead, password)
    expect_true(claims is not None and claims.get("sub") != dead,
                f"Harbor's token service no longer knows {dead}: {claims}")
    dead_robot_fails("private")

    status, _, body = world.harbor_call("PUT", f"/projects/{PROJECT}",
                                        {"metadata": {"public": "true"}})
    expect_equal(status, 200, f"PUT /projects/{PROJECT} public ({body})")
    expect_equal(world.harbor("GET", f"/projects/{PROJECT}")[1]["metadata"].get("public"),
                 "true", f"{PROJECT} is public")
    claims = world.token_claims(dead, password)
    granted = [a for entry in (claims or {}).get("access", []) for a in entry.get("actions", [])]
    expect_true(claims is not None and claims.get("sub") == "" and "pull" in granted,
                f"on a public project the dead robot's credential gets an anonymous token that "
                f"carries pull (NOTES.md §6b), so only `sub` tells: {claims}")
    dead_robot_fails("public")

    # Started again, the agent checks the credential in place (by `sub`, as
    # doctor does) and replaces the dead robot, the Secret never missing.
    scaled_agent(world, 1)
    replaced = wait_for(lambda: (lambda c: c if c and c[0] != dead else None)(
                            world.pull_credential(NS, SECRET)),
                        f"the restarted agent to replace the dead robot {dead} (its check "
                        "must read the token's sub: on a public project an anonymous token "
                        "still carries pull)", timeout=90,
                        show=lambda: last_seen(world))
    expect_true(replaced[0] in names(world.robots()), f"Harbor lists the new robot {replaced[0]}")
    wait_for(lambda: doctor(world)[0] == 0, "doctor --local to find no problem again",
             timeout=60, show=lambda: doctor(world)[1])
    watch.finish()


@scenario
def admin_group_user(world):
    status, _, user = world.harbor_call("GET", "/users/current", user=GROUP_ADMIN)
    expect_equal(status, 200, f"harbor-1 knows {GROUP_ADMIN[0]} (the sandbox starts it with "
                              f"--admin-group-user): {user}")
    expect_equal((user.get("sysadmin_flag"), user.get("admin_role_in_auth")), (False, True),
                 f"{GROUP_ADMIN[0]} is an administrator only through an admin group")
    start(world, user=GROUP_ADMIN)
    credential = world.pull_credential(NS, SECRET)
    expect_true(credential[0] in names(world.robots()),
                f"the robot {credential[0]} was made through {GROUP_ADMIN[0]}")
    listed = json.loads(world.run_plugin("connections", "-o", "json").stdout)
    verdicts = {c["name"]: (c.get("username"), c.get("verdict", {}).get("verified"))
                for c in listed}
    expect_equal(verdicts, {"harbor": (GROUP_ADMIN[0], True)},
                 f"kubectl harborrobot connections shows it accepted: {listed}")
    code, text, failed, _ = wait_for(
        lambda: (lambda d: d if d[0] == 0 else None)(doctor(world)),
        "doctor --local to find no problem", timeout=60, show=lambda: doctor(world)[1])
    for line in ("[OK  ] connection harbor: ", "[OK  ] connection harbor (from here): "):
        expect_true(line in text, f"doctor --local shows {line.strip()}…:\n{text}")


@scenario
def read_only_rotation_waits(world):
    start(world)
    before = world.pull_credential(NS, SECRET)
    generation_before = generation(world)
    watch = CredentialWatch(world)
    watch.start()

    status, _, body = world.harbor_call("PUT", "/configurations", {"read_only": True})
    expect_equal(status, 200, f"PUT /configurations read_only true, Harbor's operator "
                              f"switch ({body})")
    expect_equal(world.harbor("GET", "/systeminfo")[1].get("read_only"), True,
                 "/systeminfo says read_only")
    status, _, body = world.harbor_call("POST", "/robots", {
        "name": "refused", "level": "project", "duration": -1, "permissions": [
            {"kind": "project", "namespace": PROJECT,
             "access": [{"resource": "repository", "action": "pull"}]}]})
    expect_equal(status, 403, f"in read-only mode Harbor refuses every write ({body})")

    requested = world.run_plugin("rotate", BINDING, "--namespace", NS, expect=None)
    expect_equal(requested.returncode, 0, f"rotate: {requested.stdout}{requested.stderr}")
    condition = wait_for(
        lambda: (lambda c: c if c.get("reason") == "HarborReadOnly" else None)(
            ready_condition(world)),
        "the binding's Ready reason to be HarborReadOnly", timeout=60,
        show=lambda: last_seen(world))
    message = condition.get("message", "").lower()
    expect_true("read-only" in message or "read only" in message,
                f"the condition's message says Harbor is in read-only mode: {condition}")
    # The rotation waits as long as Harbor stays read-only: held a while longer.
    held_until = time.monotonic() + 10
    while time.monotonic() < held_until:
        expect_equal(world.pull_credential(NS, SECRET), before,
                     "while Harbor is read-only the Secret keeps its credential")
        time.sleep(0.2)
    expect_equal(ready_condition(world).get("reason"), "HarborReadOnly",
                 "the binding still says why the rotation waits")
    expect_equal(generation(world), generation_before, "no rotation happened while read-only")

    status, _, body = world.harbor_call("PUT", "/configurations", {"read_only": False})
    expect_equal(status, 200, f"PUT /configurations read_only false ({body})")
    writable_at = time.monotonic()
    after = wait_for(lambda: (lambda c: c if c and c[0] != before[0] else None)(
                         world.pull_credential(NS, SECRET)),
                     "the requested rotation to complete once read-only ends", timeout=120,
                     show=lambda: last_seen(world))
    print(f"harbor_truth_test: while read-only the binding said {condition['reason']}: "
          f"{condition['message']!r}; rotated {time.monotonic() - writable_at:.1f} s after "
          "read-only ended")
    expect_true(generation(world) > generation_before, "a new generation in the Secret")
    wait_for(lambda: ready_condition(world).get("status") == "True", "Ready again",
             timeout=60, show=lambda: last_seen(world))
    wait_for(lambda: names(world.robots()) == [after[0]],
             f"the superseded robot {before[0]} deleted after the grace period",
             timeout=60, show=lambda: names(world.robots()))
    watch.finish()


def main():
    if len(sys.argv) != 3 or sys.argv[2] not in SCENARIOS:
        print(f"usage: harbor_truth_test.py <build dir> {'|'.join(SCENARIOS)}", file=sys.stderr)
        return 2
    require_root()
    name = sys.argv[2]
    with sandboxed(sys.argv[1], label=f"truth-{name}") as world:
        SCENARIOS[name](world)
    print(f"harbor_truth_test {name}: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
