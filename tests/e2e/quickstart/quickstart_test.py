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
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from world import (BINDING, NAMESPACES, QUICKSTART_BINDING_FILE,  # noqa: E402
                   QUICKSTART_CONNECTION, REGISTRY, SECRET, TEAM_LABEL, dockerconfig_auths,
                   expect_equal, expect_true, sandboxed, wait_for)

IMAGE = "harbor.example.com/team/app:v1"


def main():
    with sandboxed(sys.argv[1]) as world:
        kubectl = world.kubectl
        world.install()
        world.create_namespaces(NAMESPACES, TEAM_LABEL)
        # A pull secret someone else manages: never touched.
        kubectl("create", "secret", "docker-registry", "someone-elses", "-n", "team-ns1",
                "--docker-server=example.org", "--docker-username=u", "--docker-password=p")
        kubectl("patch", "serviceaccount", "default", "-n", "team-ns1", "-p",
                '{"imagePullSecrets":[{"name":"someone-elses"}]}')

        # Step 1 and Step 2, the seed's YAML.
        world.apply_fixture(QUICKSTART_CONNECTION, QUICKSTART_BINDING_FILE)

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
            secret = world.get("secret", "-n", ns, SECRET)
            expect_equal(list(secret["data"]), [".dockerconfigjson"], "one key")
            auths = dockerconfig_auths(secret)
            entry = auths[REGISTRY]
            expect_equal(list(auths), [REGISTRY], "keyed by url")
            expect_true(entry["username"].startswith(f"robot$team+{BINDING}-{ns}-"),
                        f"a robot of this binding and namespace: {entry['username']}")
            expect_equal(base64.b64decode(entry["auth"]).decode(),
                         f"{entry['username']}:{entry['password']}", "auth is user:password")
            robots[ns] = entry["username"]
        expect_equal(world.get("sa", "default", "-n", "team-ns2")["imagePullSecrets"],
                     [{"name": SECRET}], "default lists the Secret")
        expect_equal(world.get("sa", "default", "-n", "team-ns1")["imagePullSecrets"],
                     [{"name": "someone-elses"}, {"name": SECRET}],
                     "another entry is kept, ours appended")

        world.push_image("team/app:v1")
        kubectl("run", "pull-test", "-n", "team-ns2", f"--image={IMAGE}")
        wait_for(lambda: world.get("pod", "pull-test", "-n", "team-ns2").get(
                     "status", {}).get("phase") == "Running",
                 "a Pod pulling from the team project to run", timeout=60)

        # A Secret deleted by hand comes back, with a new robot; the old one goes
        # after the grace period.
        kubectl("patch", "harborrobotbinding", BINDING, "--type", "merge", "-p",
                '{"spec":{"rotation":{"gracePeriod":"1s"}}}')
        kubectl("delete", "secret", "-n", "team-ns1", SECRET)

        def new_robot():
            user = (world.pull_credential("team-ns1", SECRET) or (None,))[0]
            return user if user and user != robots["team-ns1"] else None
        replaced = wait_for(new_robot, "the Secret to come back with a new robot", timeout=60)
        wait_for(lambda: robots["team-ns1"] not in [r["name"] for r in world.robots()],
                 "the old robot to be deleted after the grace period", timeout=60)
        expect_true(replaced in [r["name"] for r in world.robots()], "the new robot exists")

        # Deleting the binding: our Secrets, SA entries, agents and robots go.
        kubectl("delete", "harborrobotbinding", BINDING)
        for ns in NAMESPACES:
            wait_for(lambda: kubectl("get", "secret", "-n", ns, SECRET, check=False) == "",
                     f"the Secret in {ns} to be removed", timeout=60)
        wait_for(lambda: world.get("sa", "default", "-n", "team-ns1").get("imagePullSecrets")
                 == [{"name": "someone-elses"}], "only someone else's entry to remain",
                 timeout=60)
        wait_for(lambda: kubectl("get", "deployment", "-n", "team-ns1", "-o", "name") == "",
                 "the agent to be removed", timeout=60)
        expect_equal([r["name"] for r in world.robots()], [], "our robots are deleted")
        expect_equal(kubectl("get", "secret", "-n", "team-ns1", "someone-elses", "-o", "name")
                     .strip(), "secret/someone-elses", "someone else's Secret stays")
    print("quickstart_test: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
