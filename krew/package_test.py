#!/usr/bin/env python3
"""The Krew archive and manifest: built from the template, valid by Krew's rules
(and a broken manifest is caught), installed the way Krew installs into a temp
KREW_ROOT, and then run through the real kubectl: `kubectl plugin list` finds it,
`kubectl harborrobot version --client` and `--help` answer, and the completion
shim answers kubectl's completion protocol. Then the installed plugin runs in a
root that holds only glibc (the libc6 package's files) and the unpacked
archive: `version --client` and `validate -f` of a fixture from the Generator documentation (as root: chroot).
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
import oci_image  # noqa: E402


def copy_package_files(package, root):
    """Every file and link the Debian package installed, at its path under root
    (merged /usr as on the machine: /lib, /lib64 and /bin are links)."""
    for link in ("lib", "lib64", "bin", "sbin"):
        os.makedirs(os.path.join(root, "usr", link), exist_ok=True)
        os.symlink(f"usr/{link}", os.path.join(root, link))
    listing = subprocess.run(["dpkg-query", "-L", package], capture_output=True, text=True,
                             check=True).stdout.split()
    for path in listing:
        if os.path.isdir(path) and not os.path.islink(path) or path.count("/") == 1:
            continue  # directories, and the merged-/usr links made above
        real = path
        for top in ("/lib/", "/lib64/", "/bin/", "/sbin/"):
            if path.startswith(top):
                real = "/usr" + path
        target = root + real
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if os.path.islink(path):
            os.symlink(os.readlink(path), target)
        elif os.path.isfile(path):
            shutil.copy2(path, target)


def glibc_only_root(work, store):
    root = os.path.join(work, "glibc-root")
    copy_package_files("libc6", root)
    shutil.copytree(store, os.path.join(root, "plugin"))
    fixture = os.path.join(ROOT, "tests", "fixtures", "seed",
                           "binding-harbor-secret-for-team-quickstart.yaml")
    shutil.copy(fixture, os.path.join(root, "binding.yaml"))
    for mount_point in ("proc", "tmp"):
        os.makedirs(os.path.join(root, mount_point))
    present = sorted(os.listdir(os.path.join(root, "usr", "lib", "x86_64-linux-gnu")))
    expect_true("libc.so.6" in present and not any(n.startswith("libstdc++") for n in present),
                f"the root holds glibc and nothing else: {present}")

    def run(*args):
        # /proc, as on any machine: the loader finds $ORIGIN through /proc/self/exe.
        script = 'mount -t proc proc "$0/proc" && exec /usr/sbin/chroot "$@"'
        return subprocess.run(["unshare", "--mount", "--propagation", "private", "--pid",
                               "--fork", "sh", "-c", script, root, root,
                               "/plugin/bin/kubectl-harborrobot", *args],
                              capture_output=True, text=True, env={"PATH": "/usr/sbin:/usr/bin",
                                                                   "HOME": "/tmp"})
    version = run("version", "--client")
    expect_equal((version.returncode, version.stdout.strip()), (0, "Client Version: 0.1.0"),
                 f"version --client with only glibc: {version.stderr}")
    validated = run("validate", "-f", "/binding.yaml")
    expect_equal(validated.returncode, 0, f"validate with only glibc: {validated.stdout}"
                                          f"{validated.stderr}")
    expect_true("0 error(s)" in validated.stdout, f"validate: {validated.stdout}")
    # `image push` finds the image the archive carries (then fails to connect).
    pushed = run("image", "push", "127.0.0.1:1/library")
    expect_true(pushed.returncode == 1 and "reaching the registry" in pushed.stderr,
                f"image push reads the carried image: {pushed.stderr}")


def main():
    build = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="harborrobot-krew-")
    try:
        image = oci_image.pack(build, os.path.join(work, "image"),
                               package_module.version_of(build)[1:])["archive"]
        archive, manifest, problems = package_module.package(build, os.path.join(work, "dist"),
                                                             "https://example.invalid/releases",
                                                             image)
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
        if os.geteuid() == 0:
            glibc_only_root(work, store)
        else:
            print("package_test: not root, the glibc-only root is skipped")
        print("package_test: passed")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
