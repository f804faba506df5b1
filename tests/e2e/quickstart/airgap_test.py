#!/usr/bin/env python3
"""The air-gapped path on the sandbox, as a platform engineer whose clusters
reach only their own Harbor would take it: `kubectl harborrobot image push`
copies the agent's image (the build's OCI archive) into harbor-2's `library`
project through the registry API (token flow, the Harbor's CA given with
--ca-file); a second push finds every blob there; a wrong password fails with
the registry's answer; then `install --image harbor-2.example.com/library/...`
runs the hub and the agents from that image (the kubelet pulls it from
harbor-2) and seed 000's Quick Start gets Ready.
usage: airgap_test.py <build dir>   (needs root; exits 77 otherwise)"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from world import NAMESPACES, SECRET, expect_equal, expect_true, sandboxed, wait_for  # noqa: E402
import oci_image  # noqa: E402  (krew/oci_image.py, on the path world sets)


def main():
    with sandboxed(sys.argv[1]) as world:  # up packs build/dist's image when it is stale
        kubectl = world.kubectl
        build = world.build
        version = oci_image.version_of(build)
        archive = os.path.join(build, "dist", f"{oci_image.image_name(version)}.oci.tar")
        harbor_ca = world.harbor_ca("harbor-2")

        def push(password):
            # Through the sandbox's DNS, where harbor-2.example.com resolves.
            return subprocess.run(world.in_sandbox(
                os.path.join(build, "bin", "kubectl-harborrobot"), "image", "push",
                "harbor-2.example.com/library", "--archive", archive, "--username", "admin",
                "--password-stdin", "--ca-file", harbor_ca),
                input=password, capture_output=True, text=True, timeout=300)

        refused = push("wrong-password")
        expect_equal(refused.returncode, 1, f"a wrong password fails: {refused.stdout}")
        # The sim's token service, as Harbor's, grants a wrong password only what an
        # anonymous caller gets (pull on a public project): the upload is refused.
        expect_true("HTTP 401" in refused.stderr and "pushing " in refused.stderr,
                    f"the blob and the registry's answer: {refused.stderr}")
        pushed = push("Harbor12345")
        expect_equal(pushed.returncode, 0, f"image push: {pushed.stdout}{pushed.stderr}")
        reference = f"harbor-2.example.com/library/harborrobot-agent:{version}"
        expect_true(f"pushed {reference} (3 uploaded, 0 already there)" in pushed.stdout,
                    f"the push's report: {pushed.stdout}")
        expect_true("layer 2/2 sha256:" in pushed.stderr, f"progress per layer: {pushed.stderr}")
        again = push("Harbor12345")
        expect_true(again.returncode == 0 and "(0 uploaded, 3 already there)" in again.stdout,
                    f"a second push skips every blob: {again.stdout}{again.stderr}")
        inspected = world.sandbox("exec", "--", "skopeo", "inspect", "--cert-dir",
                                  world.registry_certs("harbor-2"), "--creds",
                                  "admin:Harbor12345", "--config", f"docker://{reference}").stdout
        config = json.loads(inspected)
        expect_equal(config["config"]["User"], "65532:65532", "the pushed image's user")

        world.plugin("install", "--image", reference, "--wait", "--timeout", "90s")
        hub = json.loads(kubectl("get", "pods", "-n", "harbor-robot-gen-system", "-o", "json"))
        images = {status["imageID"].split("@")[0] for pod in hub["items"]
                  for status in pod["status"].get("containerStatuses", [])}
        expect_equal(images, {"harbor-2.example.com/library/harborrobot-agent"},
                     "the hub runs from the image pulled out of harbor-2")

        world.apply_quickstart()

        def ready():
            row = kubectl("get", "harborrobotbinding", "--no-headers").split()
            return row if len(row) >= 5 and row[1] == "True" else None
        wait_for(ready, "the Quick Start binding to be Ready", timeout=90)
        for ns in NAMESPACES:
            expect_true(SECRET in kubectl("get", "secret", "-n", ns),
                        f"the generated Secret in {ns}")
            agents = json.loads(kubectl("get", "pods", "-n", ns, "-o", "json"))["items"]
            expect_true(agents and all(
                s["imageID"].startswith("harbor-2.example.com/library/harborrobot-agent@")
                for pod in agents for s in pod["status"].get("containerStatuses", [])),
                f"the agent in {ns} runs from harbor-2's image")
    print("airgap_test: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
