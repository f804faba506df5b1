"""Builds the Krew release archive (bin/kubectl-harborrobot, its completion shim,
lib/ with libharborrobot.so.0 and every other shared library the plugin loads
except glibc's, LICENSE; regular files only, owner root, binaries 0755) and
fills the manifest's version, uri and sha256, then checks it against Krew's
rules. The binary's RUNPATH is $ORIGIN/../lib and each bundled library's is
$ORIGIN, so the archive runs on any x86-64 Linux with glibc (2.36 or newer:
GCC 12's libstdc++ asks for it), whatever else the machine has installed. The
agent's OCI image travels in share/harborrobot/ for `image push`."""
import hashlib
import io
import os
import string
import subprocess
import sys
import tarfile
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import krew_rules  # noqa: E402
import oci_image  # noqa: E402

# glibc stays the machine's: it must match the machine's loader and kernel ABI.
SYSTEM_PACKAGES = {"libc6"}

SHIM = ("#!/bin/sh\n# kubectl's completion of `kubectl harborrobot …` runs this.\n"
        "exec kubectl-harborrobot __complete \"$@\"\n")


def version_of(build):
    with open(os.path.join(build, "CMakeCache.txt")) as f:
        for line in f:
            if line.startswith("CMAKE_PROJECT_VERSION:"):
                return "v" + line.strip().split("=", 1)[1]
    raise SystemExit("package: no CMAKE_PROJECT_VERSION in the build's CMakeCache.txt")


def add(tar, name, data, mode):
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.uid, info.gid = len(data), mode, 0, 0
    info.uname = info.gname = "root"
    info.mtime = 0  # reproducible archives
    tar.addfile(info, io.BytesIO(data))


def with_runpath(path, runpath):
    """The ELF's bytes, debug sections stripped, with its RUNPATH set (patchelf)."""
    with tempfile.TemporaryDirectory() as scratch:
        copy = os.path.join(scratch, os.path.basename(path))
        done = subprocess.run(["strip", "--strip-debug", "-o", copy, path], capture_output=True,
                              text=True)
        if done.returncode == 0:
            done = subprocess.run(["patchelf", "--set-rpath", runpath, copy],
                                  capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"package: {path}: {done.stderr.strip()}")
        with open(copy, "rb") as f:
            return f.read()


def bundled_libraries(binary):
    """{soname: path} of the libraries the plugin loads that glibc does not provide."""
    bundled = {}
    for soname, path in sorted(oci_image.shared_library_closure([binary]).items()):
        try:
            owner = oci_image.debian_owner(path)[0]
        except oci_image.PackError:
            owner = None  # the build's own (libharborrobot.so.0)
        if owner not in SYSTEM_PACKAGES:
            bundled[soname] = path
    return bundled


def image_archive(build):
    """build/dist's OCI image of the agent (the `image` target writes it)."""
    name = f"{oci_image.image_name(version_of(build)[1:])}.oci.tar"
    path = os.path.join(build, "dist", name)
    if not os.path.exists(path):
        raise SystemExit(f"package: {path} is missing; build the image target first")
    return path


def package(build, out, uri_base, image=None):
    version = version_of(build)
    image = image or image_archive(build)
    os.makedirs(out, exist_ok=True)
    archive = os.path.join(out, f"kubectl-harborrobot_{version}_linux_amd64.tar.gz")
    binary = os.path.join(build, "bin", "kubectl-harborrobot")
    with tarfile.open(archive, "w:gz", format=tarfile.GNU_FORMAT) as tar:
        add(tar, "bin/kubectl-harborrobot", with_runpath(binary, "$ORIGIN/../lib"), 0o755)
        add(tar, "bin/kubectl_complete-harborrobot", SHIM.encode(), 0o755)
        # Krew refuses links: each library is stored once, under its soname.
        for soname, path in bundled_libraries(binary).items():
            add(tar, f"lib/{soname}", with_runpath(os.path.realpath(path), "$ORIGIN"), 0o644)
        with open(os.path.join(ROOT, "LICENSE"), "rb") as f:
            add(tar, "LICENSE", f.read(), 0o644)
        with open(image, "rb") as f:
            add(tar, f"share/harborrobot/{os.path.basename(image)}", f.read(), 0o644)
    with open(archive, "rb") as f:
        sha256 = hashlib.sha256(f.read()).hexdigest()
    with open(os.path.join(HERE, "harborrobot.yaml")) as f:
        template = string.Template(f.read())
    manifest = os.path.join(out, "harborrobot.yaml")
    with open(manifest, "w") as f:
        f.write(template.substitute(VERSION=version, SHA256=sha256,
                                    URI=f"{uri_base}/{version}/{os.path.basename(archive)}"))
    problems = krew_rules.validate(manifest)
    for problem in problems:
        print(f"package: {manifest}: {problem}", file=sys.stderr)
    return archive, manifest, problems


