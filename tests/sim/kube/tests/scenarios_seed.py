"""The seed's Quick Start and DR walkthrough, run verbatim through kubectl.
The hub is not part of this test: what it would write (status through
/status, the generated Secret, the ServiceAccount's imagePullSecrets) is
written here with kubectl, so the outputs the seed shows can be compared."""
import base64
import json

from harness import expect_equal, expect_match, seed

QUICKSTART_POD = """kind: Pod
apiVersion: v1
metadata:
  name: test-pod
  namespace: team-ns1
spec:
  containers:
  - name: test
    image: harbor.example.com/team/busybox:stable
    imagePullPolicy: Always
    command: ["sleep"]
    args: ["3600"]
"""


def dockerconfig_secret(name, namespace, registry):
    auth = {"auths": {registry: {"auth": base64.b64encode(b"robot$x:pw").decode(),
                                 "username": "robot$x", "password": "pw"}}}
    return json.dumps({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson",
                       "metadata": {"name": name, "namespace": namespace},
                       "data": {".dockerconfigjson": base64.b64encode(
                           json.dumps(auth).encode()).decode()}}), auth


def write_ready_status(sim, binding, last, next_):
    patch = {"status": {"lastRefreshTime": last, "nextRefreshTime": next_, "conditions": [
        {"type": "Ready", "status": "True", "reason": "Synced", "message": "all namespaces ready",
         "lastTransitionTime": last}]}}
    expect_match(r"harborrobotbinding\.harbor-robot-gen\.alaudadevops\.alauda\.io/\S+ patched\n",
                 sim.ok("patch", "harborrobotbinding", binding, "--subresource=status",
                        "--type=merge", "-p", json.dumps(patch)), "status patch")


def attach_to_default_sa(sim, namespace, secret):
    # What NOTES.md tells the agent to do: a JSON patch guarded by the
    # resourceVersion, appending to imagePullSecrets.
    version = sim.ok("get", "sa", "default", "-n", namespace, "-o",
                     "jsonpath={.metadata.resourceVersion}")
    current = sim.ok("get", "sa", "default", "-n", namespace, "-o", "jsonpath={.imagePullSecrets}")
    operations = [{"op": "test", "path": "/metadata/resourceVersion", "value": version}]
    if current:
        operations.append({"op": "add", "path": "/imagePullSecrets/-", "value": {"name": secret}})
    else:
        operations.append({"op": "add", "path": "/imagePullSecrets", "value": [{"name": secret}]})
    sim.ok("patch", "sa", "default", "-n", namespace, "--type=json", "-p", json.dumps(operations))


def quickstart(sim):
    sim.install_crd()
    for namespace in ("harbor-robot-gen-system", "team-ns1", "team-ns2"):
        sim.apply_namespace(namespace)
    expect_equal(sim.ok("apply", "-f", "-", stdin=seed("connection-harbor-quickstart.yaml")),
                 "secret/harbor created\n", "Step 1")
    expect_equal(sim.ok("apply", "-f", "-",
                        stdin=seed("binding-harbor-secret-for-team-quickstart.yaml")),
                 "harborrobotbinding.harbor-robot-gen.alaudadevops.alauda.io/"
                 "harbor-secret-for-team created\n", "Step 2")
    # Before the hub writes status, the status cells are empty.
    expect_match(r"NAME\s+READY\s+LASTREFRESHTIME\s+NEXTREFRESHTIME\s+AGE\n"
                 r"harbor-secret-for-team\s+\d+s\n", sim.ok("get", "HarborRobotBinding", "-A"),
                 "no status yet")
    write_ready_status(sim, "harbor-secret-for-team", "2025-05-15T10:33:41Z",
                       "2025-05-15T16:33:41Z")
    lines = sim.ok("get", "HarborRobotBinding", "-A").splitlines()
    expect_equal(lines[0], "NAME                     READY   LASTREFRESHTIME        "
                 "NEXTREFRESHTIME        AGE", "Step 3.3 header")
    expect_match(r"harbor-secret-for-team   True    2025-05-15T10:33:41Z   "
                 r"2025-05-15T16:33:41Z   \d+s", lines[1], "Step 3.3 row")

    for namespace in ("team-ns1", "team-ns2"):
        manifest, _ = dockerconfig_secret("harbor-secret-for-team.robot", namespace,
                                          "https://harbor.example.com")
        sim.ok("apply", "-f", "-", stdin=manifest)
        attach_to_default_sa(sim, namespace, "harbor-secret-for-team.robot")
    lines = sim.ok("get", "secret", "-n", "team-ns1").splitlines()
    expect_equal(lines[0].split(), ["NAME", "TYPE", "DATA", "AGE"], "Step 3.4 header")
    expect_match(r"harbor-secret-for-team\.robot   kubernetes\.io/dockerconfigjson   1      \d+s",
                 lines[1], "Step 3.4 row")
    sa_yaml = sim.ok("get", "sa", "default", "-n", "team-ns1", "-o", "yaml")
    expect_match(r"apiVersion: v1\nimagePullSecrets:\n- name: harbor-secret-for-team\.robot\n"
                 r"kind: ServiceAccount\nmetadata:\n  creationTimestamp: \"[^\"]+\"\n"
                 r"  name: default\n  namespace: team-ns1\n  resourceVersion: \"\d+\"\n"
                 r"  uid: [0-9a-f-]+\n", sa_yaml, "Step 3.5")
    expect_equal(sim.ok("apply", "-f", "-", stdin=QUICKSTART_POD), "pod/test-pod created\n",
                 "Step 3.6")
    pod = json.loads(sim.ok("get", "pod", "test-pod", "-n", "team-ns1", "-o", "json"))
    expect_equal((pod["spec"]["serviceAccountName"], pod["status"]["phase"]),
                 ("default", "Pending"), "pod defaults")


def dr_walkthrough(sim):
    sim.install_crd()
    for namespace in ("harbor-robot-gen-system", "team1-demo"):
        sim.apply_namespace(namespace)
    for name in ("connection-harbor1.yaml", "connection-harbor2.yaml"):
        expect_match(r"secret/harbor\d created\n", sim.ok("apply", "-f", "-", stdin=seed(name)),
                     name)
    for name in ("binding-harbor1-for-team1.yaml", "binding-harbor2-for-team1.yaml"):
        expect_match(r"harborrobotbinding\.harbor-robot-gen\.alaudadevops\.alauda\.io/"
                     r"harbor\d-for-team1 created\n", sim.ok("apply", "-f", "-", stdin=seed(name)),
                     name)
    for binding in ("harbor1-for-team1", "harbor2-for-team1"):
        write_ready_status(sim, binding, "2025-06-19T05:28:12Z", "2025-06-19T06:28:12Z")
    lines = sim.ok("get", "harborrobotbinding").splitlines()
    expect_equal(lines[0], "NAME                READY   LASTREFRESHTIME        NEXTREFRESHTIME"
                 "        AGE", "DR header")
    for index, binding in enumerate(("harbor1-for-team1", "harbor2-for-team1"), start=1):
        expect_match(binding + r"   True    2025-06-19T05:28:12Z   2025-06-19T06:28:12Z   \d+s",
                     lines[index], "DR row")
    secrets = [("harbor1-for-team1.robot", "https://harbor-1.example.com"),
               ("harbor1-for-team1.robot.alias", "https://harbor.example.com"),
               ("harbor2-for-team1.robot", "https://harbor-2.example.com")]
    for name, registry in secrets:
        manifest, auth = dockerconfig_secret(name, "team1-demo", registry)
        sim.ok("apply", "-f", "-", stdin=manifest)
        attach_to_default_sa(sim, "team1-demo", name)
        # The seed's exact command, quoting and escaped dot included.
        encoded = sim.ok("get", "secret", "-n", "team1-demo", name,
                         "-ojsonpath={ .data.\\.dockerconfigjson }")
        expect_equal(json.loads(base64.b64decode(encoded)), auth, f"{name} dockerconfigjson")
    pulls = sim.ok("get", "sa", "-n", "team1-demo", "default", "-oyaml")
    expect_match(r"apiVersion: v1\nimagePullSecrets:\n- name: harbor1-for-team1\.robot\n"
                 r"- name: harbor1-for-team1\.robot\.alias\n- name: harbor2-for-team1\.robot\n"
                 r"kind: ServiceAccount\n.*", pulls, "DR service account")
    for pod, host in (("demo", "harbor.example.com"), ("demo1", "harbor-1.example.com"),
                      ("demo2", "harbor-2.example.com")):
        expect_equal(sim.ok("run", pod, "--image-pull-policy=Always",
                            f"--image={host}/team1/busybox:stable", "-n", "team1-demo", "--",
                            "sleep", "3600"), f"pod/{pod} created\n", f"kubectl run {pod}")
    args = sim.ok("get", "pod", "demo", "-n", "team1-demo", "-o",
                  "jsonpath={.spec.containers[0].image} {.spec.containers[0].args}")
    expect_equal(args, 'harbor.example.com/team1/busybox:stable ["sleep","3600"]', "run args")
    lines = sim.ok("get", "pods", "-n", "team1-demo").splitlines()
    expect_equal(lines[0].split(), ["NAME", "READY", "STATUS", "RESTARTS", "AGE"], "pod columns")
    expect_match(r"demo\s+0/1\s+Pending\s+0\s+\d+s", lines[1], "pod row")


SCENARIOS = {"seed_quickstart": quickstart, "seed_dr_walkthrough": dr_walkthrough}
