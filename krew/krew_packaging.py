"""Builds the Krew release archive (bin/kubectl-harborrobot, its completion shim,
lib/libharborrobot.so.0, LICENSE; regular files only, owner root, binaries 0755)
and fills the manifest's version, uri and sha256, then checks it against Krew's
rules."""
import hashlib
import io
import os
import string
import sys
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import krew_rules  # noqa: E402

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


def package(build, out, uri_base):
    version = version_of(build)
    os.makedirs(out, exist_ok=True)
    archive = os.path.join(out, f"kubectl-harborrobot_{version}_linux_amd64.tar.gz")
    library = os.path.realpath(os.path.join(build, "lib", "libharborrobot.so.0"))
    with tarfile.open(archive, "w:gz", format=tarfile.GNU_FORMAT) as tar:
        with open(os.path.join(build, "bin", "kubectl-harborrobot"), "rb") as f:
            add(tar, "bin/kubectl-harborrobot", f.read(), 0o755)
        add(tar, "bin/kubectl_complete-harborrobot", SHIM.encode(), 0o755)
        with open(library, "rb") as f:
            add(tar, "lib/libharborrobot.so.0", f.read(), 0o644)
        with open(os.path.join(ROOT, "LICENSE"), "rb") as f:
            add(tar, "LICENSE", f.read(), 0o644)
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


