#!/usr/bin/env python3
"""Seed 000's Quick Start on the sandbox, end to end with real processes: the
hub (two replicas) and the namespace agents it deploys, the real kubectl, the
sandbox kubelet pulling with skopeo.

Steps 1-2 apply the seed's YAML verbatim (the sandbox Harbors know its
api-user/api-password administrator). Then, as the seed's Step 3
checks: the binding is Ready with both refresh times, each target namespace has
harbor-secret-for-team.robot (kubernetes.io/dockerconfigjson, 1 key) for
https://harbor.example.com with a robot$team+… user, `default` lists it in
imagePullSecrets, and a Pod pulling from the team project runs. After that: a
Secret deleted by hand comes back with the next generation and the old robot
goes after the grace period; a hand-made imagePullSecrets entry is never
touched; deleting the binding removes our Secrets, our SA entries, the agents
and our robots, and nothing else.
usage: quickstart_test.py <build dir>   (needs root; exits 77 otherwise)"""
import base64
import json
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(ROOT, "tests", "sandbox"))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e", "hub"))
sys.path.insert(0, os.path.join(ROOT, "tests", "sim", "harbor", "tests"))
sys.path.insert(0, os.path.join(ROOT, "tests", "sim", "harbor", "tools"))
import harbor_seed_image  # noqa: E402
from harness import expect_equal, expect_true, wait_for  # noqa: E402
from hub_test import SEED, World  # noqa: E402
from sandbox_test import processes_mentioning, sandbox  # noqa: E402

BINDING = "harbor-secret-for-team"
SECRET = "harbor-secret-for-team.robot"
NAMESPACES = ("team-ns1", "team-ns2")
IMAGE = "harbor.example.com/team/app:v1"


def install(world):
    kubectl = world.kubectl
    world.plugin("install")
    # The kubelet pulls and unpacks the agent's image before the first hub starts:
    # on two busy cores that alone can take most of a minute.
    wait_for(lambda: json.loads(kubectl("get", "deployment", "-n", "harbor-robot-gen-system",
                                        "harborrobot-hub", "-o", "json"))
             .get("status", {}).get("readyReplicas") == 2, "two hub replicas", timeout=180)


def main():
    if os.geteuid() != 0:
        print("quickstart_test needs root (the sandbox)")
        return 77
    build = sys.argv[1]
    state = tempfile.mkdtemp(prefix="harborrobot-quickstart-")
    try:
        sandbox(state, build, "up")
        world = World(state, build)
        kubectl = world.kubectl
        install(world)
        harbor = world.record["components"]["harbor-1"]
        for ns in NAMESPACES:
            kubectl("create", "namespace", ns)
            kubectl("label", "namespace", ns, "cpaas.io/inner-namespace=team")
        # A pull secret someone else manages: never touched.
        kubectl("create", "secret", "docker-registry", "someone-elses", "-n", "team-ns1",
                "--docker-server=example.org", "--docker-username=u", "--docker-password=p")
        kubectl("patch", "serviceaccount", "default", "-n", "team-ns1", "-p",
                '{"imagePullSecrets":[{"name":"someone-elses"}]}')

        # Step 1 and Step 2, the seed's YAML.
        kubectl("apply", "-f", os.path.join(SEED, "connection-harbor-quickstart.yaml"))
        kubectl("apply", "-f", os.path.join(SEED, "binding-harbor-secret-for-team-quickstart.yaml"))

        # Step 3.
        def ready():
            row = kubectl("get", "harborrobotbinding", "--no-headers").split()
            return row if len(row) >= 5 and row[1] == "True" else None
        row = wait_for(ready, "the binding to be Ready", timeout=180)  # agents pull their image first
        expect_equal(row[0], BINDING, "kubectl get harborrobotbinding: NAME")
        expect_true(row[2].endswith("Z") and row[3].endswith("Z"),
                    f"LASTREFRESHTIME and NEXTREFRESHTIME are times: {row}")
        header = kubectl("get", "harborrobotbinding").splitlines()[0].split()
        expect_equal(header, ["NAME", "READY", "LASTREFRESHTIME", "NEXTREFRESHTIME", "AGE"],
                     "the seed's columns")
        robots = {}
        for ns in NAMESPACES:
            listing = kubectl("get", "secret", "-n", ns, SECRET, "--no-headers").split()
            expect_equal(listing[:3], [SECRET, "kubernetes.io/dockerconfigjson", "1"],
                         f"the generated Secret in {ns}")
            data = json.loads(kubectl("get", "secret", "-n", ns, SECRET, "-o", "json"))["data"]
            expect_equal(list(data), [".dockerconfigjson"], "one key")
            config = json.loads(base64.b64decode(data[".dockerconfigjson"]))
            entry = config["auths"]["https://harbor.example.com"]
            expect_equal(list(config["auths"]), ["https://harbor.example.com"], "keyed by url")
            expect_true(entry["username"].startswith(f"robot$team+{BINDING}-{ns}-"),
                        f"a robot of this binding and namespace: {entry['username']}")
            expect_equal(base64.b64decode(entry["auth"]).decode(),
                         f"{entry['username']}:{entry['password']}", "auth is user:password")
            robots[ns] = entry["username"]
        expect_equal(json.loads(kubectl("get", "sa", "default", "-n", "team-ns2", "-o", "json"))
                     ["imagePullSecrets"], [{"name": SECRET}], "default lists the Secret")
        expect_equal(json.loads(kubectl("get", "sa", "default", "-n", "team-ns1", "-o", "json"))
                     ["imagePullSecrets"], [{"name": "someone-elses"}, {"name": SECRET}],
                     "another entry is kept, ours appended")

        harbor_seed_image.seed("harbor-1.example.com", harbor["ca"], "admin", "Harbor12345",
                               "team/app:v1",
                               command_prefix=[os.path.join(ROOT, "tests", "sandbox", "sandbox"),
                                               "--state", state, "--build", build, "exec", "--"])
        kubectl("run", "pull-test", "-n", "team-ns2", f"--image={IMAGE}")
        wait_for(lambda: json.loads(kubectl("get", "pod", "pull-test", "-n", "team-ns2", "-o",
                                            "json")).get("status", {}).get("phase") == "Running",
                 "a Pod pulling from the team project to run", timeout=60)

        # A Secret deleted by hand comes back, with a new robot; the old one goes
        # after the grace period.
        kubectl("patch", "harborrobotbinding", BINDING, "--type", "merge", "-p",
                '{"spec":{"rotation":{"gracePeriod":"1s"}}}')
        kubectl("delete", "secret", "-n", "team-ns1", SECRET)

        def new_robot():
            try:
                data = json.loads(kubectl("get", "secret", "-n", "team-ns1", SECRET, "-o",
                                          "json"))["data"]
            except AssertionError:
                return None
            user = json.loads(base64.b64decode(data[".dockerconfigjson"]))["auths"][
                "https://harbor.example.com"]["username"]
            return user if user != robots["team-ns1"] else None
        replaced = wait_for(new_robot, "the Secret to come back with a new robot", timeout=60)
        wait_for(lambda: robots["team-ns1"] not in [r["name"] for r in world.robots()],
                 "the old robot to be deleted after the grace period", timeout=60)
        expect_true(replaced in [r["name"] for r in world.robots()], "the new robot exists")

        # Deleting the binding: our Secrets, SA entries, agents and robots go.
        kubectl("delete", "harborrobotbinding", BINDING)
        for ns in NAMESPACES:
            wait_for(lambda: kubectl("get", "secret", "-n", ns, SECRET, check=False) == "",
                     f"the Secret in {ns} to be removed", timeout=60)
        wait_for(lambda: json.loads(kubectl("get", "sa", "default", "-n", "team-ns1", "-o",
                                            "json")).get("imagePullSecrets")
                 == [{"name": "someone-elses"}], "only someone else's entry to remain",
                 timeout=60)
        wait_for(lambda: kubectl("get", "deployment", "-n", "team-ns1", "-o", "name") == "",
                 "the agent to be removed", timeout=60)
        expect_equal([r["name"] for r in world.robots()], [], "our robots are deleted")
        expect_equal(kubectl("get", "secret", "-n", "team-ns1", "someone-elses", "-o", "name")
                     .strip(), "secret/someone-elses", "someone else's Secret stays")

        sandbox(state, build, "down")
        expect_equal(processes_mentioning(state), [], "down leaves no process")
        print("quickstart_test: passed")
        return 0
    finally:
        sandbox(state, build, "down", check=False)
        shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
