#!/usr/bin/env python3
"""The Krew archive and manifest: built from the template, valid by Krew's rules
(and a broken manifest is caught), installed the way Krew installs into a temp
KREW_ROOT, and then run through the real kubectl: `kubectl plugin list` finds it,
`kubectl harborrobot version --client` and `--help` answer, and the completion
shim answers kubectl's completion protocol.
usage: package_test.py <build dir>"""
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "sim", "harbor", "tests"))
import krew_rules  # noqa: E402
from harness import expect_equal, expect_true  # noqa: E402

import krew_packaging as package_module  # noqa: E402


def main():
    build = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="harborrobot-krew-")
    try:
        archive, manifest, problems = package_module.package(build, os.path.join(work, "dist"),
                                                             "https://example.invalid/releases")
        expect_equal(problems, [], "the filled manifest passes Krew's rules")
        with open(manifest) as f:
            text = f.read()
        expect_true("${" not in text, "every placeholder is filled")

        # The rules catch what Krew would refuse.
        broken = os.path.join(work, "harborrobot.yaml")
        with open(broken, "w") as f:
            f.write(text.replace("version: v", "version: ").replace(
                "Rotate Harbor robot pull secrets per namespace",
                "A kubectl plugin that rotates Harbor robot pull secrets per namespace"))
        found = krew_rules.validate(broken)
        expect_true(any("not starting with 'v'" in p for p in found), f"version rule: {found}")
        expect_true(any("at most 50" in p for p in found), f"short description rule: {found}")

        listing = subprocess.run(["tar", "-tvzf", archive], capture_output=True, text=True,
                                 check=True).stdout
        expect_true("-rwxr-xr-x root/root" in listing and "bin/kubectl-harborrobot" in listing,
                    f"the binary is 0755 and owned by root: {listing}")
        mime = subprocess.run(["file", "--brief", "--mime-type", archive], capture_output=True,
                              text=True).stdout.strip()
        expect_equal(mime, "application/gzip", "Krew detects the archive as gzip")

        krew_root = os.path.join(work, "krew")
        link = krew_rules.install(manifest, archive, krew_root)
        expect_true(os.path.islink(link), "bin/kubectl-harborrobot is a link")
        env = {"PATH": os.path.join(krew_root, "bin") + ":/usr/bin:/bin", "HOME": work,
               "NO_COLOR": "1"}
        listed = subprocess.run(["kubectl", "plugin", "list"], env=env, capture_output=True,
                                text=True)
        expect_equal(listed.returncode, 0, f"kubectl plugin list: {listed.stderr}")
        expect_true(link in listed.stdout, f"kubectl finds the plugin: {listed.stdout}")
        version = subprocess.run(["kubectl", "harborrobot", "version", "--client"], env=env,
                                 capture_output=True, text=True)
        expect_equal((version.returncode, version.stdout.strip()), (0, "Client Version: 0.1.0"),
                     f"version through kubectl: {version.stderr}")
        helped = subprocess.run(["kubectl", "harborrobot", "--help"], env=env,
                                capture_output=True, text=True)
        expect_true(helped.returncode == 0 and "Usage: kubectl harborrobot" in helped.stdout,
                    f"help: {helped.stdout}")
        store = os.path.dirname(os.path.dirname(os.path.realpath(link)))
        shim = subprocess.run(
            [os.path.join(store, "bin", "kubectl_complete-harborrobot"), "ro"],
            env=dict(env, PATH=os.path.dirname(os.path.realpath(link)) + ":" + env["PATH"]),
            capture_output=True, text=True)
        expect_equal(shim.stdout.splitlines(), ["rotate", ":4"], "the completion shim")
        print("package_test: passed")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
