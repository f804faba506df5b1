#!/usr/bin/env python3
"""The agent's OCI image: skopeo reads the archive and shows the non-root user,
the entrypoint and the OCI labels; the SBOM names every Debian package with
its version; the entrypoint runs `--version` chrooted into the image's own
unpacked root as user 65532 (so no library can come from the host); packing
the same binaries twice gives one digest; a layer without libharborrobot.so
fails with the loader's message.
usage: image_test.py <build dir>   (root: it chroots)"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "sim", "harbor", "tests"))
import oci_image  # noqa: E402
from harness import expect_equal, expect_true  # noqa: E402


def unpack(archive, root):
    """Applies the image's layers in order into `root` with skopeo + tar, as a
    node would (oci-archive -> dir, then each layer)."""
    work = root + ".blobs"
    subprocess.run(["skopeo", "copy", "--quiet", f"oci-archive:{archive}", f"dir:{work}"],
                   check=True)
    with open(os.path.join(work, "manifest.json")) as f:
        manifest = json.load(f)
    os.makedirs(root)
    for layer in manifest["layers"]:
        blob = os.path.join(work, layer["digest"].split(":", 1)[1])
        subprocess.run(["tar", "-xzf", blob, "-C", root, "--same-owner", "-p"], check=True)
    return manifest


def chroot_run(root, argv):
    """As a container runtime starts it: its own mount and PID namespaces, /proc
    mounted (the loader finds $ORIGIN through /proc/self/exe), user 65532."""
    script = 'mount -t proc proc "$0/proc" && exec /usr/sbin/chroot --userspec=65532:65532 "$@"'
    return subprocess.run(["unshare", "--mount", "--propagation", "private", "--pid", "--fork",
                           "sh", "-c", script, root, root, *argv], capture_output=True, text=True,
                          env={"PATH": "/usr/sbin:/usr/bin"})


def main():
    build = os.path.abspath(sys.argv[1])
    if os.geteuid() != 0:
        print("image_test: needs root (chroot); skipped")
        return 77
    version = oci_image.version_of(build)
    work = tempfile.mkdtemp(prefix="harborrobot-image-")
    try:
        # A snapshot of the binaries, so a rebuild meanwhile cannot change them.
        snapshot = os.path.join(work, "build")
        os.makedirs(os.path.join(snapshot, "bin"))
        shutil.copy2(os.path.join(build, "bin", "harborrobot-agent"),
                     os.path.join(snapshot, "bin"))
        shutil.copytree(os.path.join(build, "lib"), os.path.join(snapshot, "lib"),
                        symlinks=True)
        build = snapshot
        first = oci_image.pack(build, os.path.join(work, "one"), version)
        second = oci_image.pack(build, os.path.join(work, "two"), version)
        expect_equal(second["digest"], first["digest"], "two packings give one digest")
        with open(first["archive"], "rb") as a, open(second["archive"], "rb") as b:
            expect_true(a.read() == b.read(), "the two archives are byte for byte equal")

        inspected = json.loads(subprocess.run(
            ["skopeo", "inspect", "--config", f"oci-archive:{first['archive']}"],
            capture_output=True, text=True, check=True).stdout)
        config = inspected["config"]
        expect_equal(config["User"], "65532:65532", "the image runs as a non-root user")
        expect_equal(config["Entrypoint"], ["/usr/local/bin/harborrobot-agent"], "entrypoint")
        labels = config["Labels"]
        for key in ("version", "revision", "source", "licenses"):
            expect_true(labels.get(f"org.opencontainers.image.{key}"), f"label {key}: {labels}")
        expect_equal(labels["org.opencontainers.image.version"], version, "version label")
        summary = json.loads(subprocess.run(
            ["skopeo", "inspect", f"oci-archive:{first['archive']}"], capture_output=True,
            text=True, check=True).stdout)
        expect_equal(summary["Digest"], first["digest"], "skopeo sees the manifest digest")

        with open(first["sbom"]) as f:
            sbom = json.load(f)
        expect_equal(sbom["spdxVersion"], "SPDX-2.3", "SBOM format")
        listed = {p["name"]: p["versionInfo"] for p in sbom["packages"]}
        for package in ("libc6", "libstdc++6", "libpoconet80", "ca-certificates"):
            expect_true(package in listed, f"the SBOM lists {package}: {sorted(listed)}")
        installed = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "libc6"],
                                   capture_output=True, text=True).stdout
        expect_equal(listed["libc6"], installed, "the SBOM gives the package's version")

        root = os.path.join(work, "root")
        unpack(first["archive"], root)
        ran = chroot_run(root, ["/usr/local/bin/harborrobot-agent", "--version"])
        expect_equal((ran.returncode, ran.stdout.strip()), (0, f"harborrobot-agent {version}"),
                     f"--version in the image's root: {ran.stderr}")
        stat = os.stat(os.path.join(root, "tmp"))
        expect_equal(oct(stat.st_mode & 0o7777), oct(0o1777), "/tmp is writable by everyone")
        with open(os.path.join(root, "etc", "passwd")) as f:
            expect_true(":65532:65532:" in f.read(), "/etc/passwd has user 65532")

        # Without the core library the loader refuses to start the agent.
        broken = oci_image.pack(build, os.path.join(work, "broken"), version,
                                omit=["usr/local/lib/libharborrobot.so.0"])
        expect_true(broken["digest"] != first["digest"], "the broken image differs")
        broken_root = os.path.join(work, "broken-root")
        unpack(broken["archive"], broken_root)
        ran = chroot_run(broken_root, ["/usr/local/bin/harborrobot-agent", "--version"])
        expect_true(ran.returncode == 127 and "libharborrobot.so.0: cannot open shared object "
                    "file" in ran.stderr, f"the loader's message: {ran.returncode} {ran.stderr}")
        print(f"image_test: passed ({first['digest']}, "
              f"{oci_image.human(first['compressed'])} compressed, "
              f"{oci_image.human(first['unpacked'])} unpacked)")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
