"""Packs the agent's OCI image from the build tree and the machine's installed
Debian packages alone (no base image is pulled): the agent, its plugins, the
exact closure of the shared libraries they load (the ELF NEEDED closure as the
loader resolves it), CA certificates, /etc/passwd and /etc/group with the
non-root user 65532 and a writable /tmp. Reproducible: sorted entries, fixed
owners, every time stamp SOURCE_DATE_EPOCH, gzip without name or time, so
packing the same binaries twice gives the same digest. An SPDX 2.3 SBOM lists
every Debian package whose files are in the image."""
import datetime
import gzip
import hashlib
import io
import json
import os
import re
import subprocess
import tarfile
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

USER_ID = 65532
PREFIX = "usr/local"  # the agent finds ../lib and ../lib/harborrobot/plugins from its bin/
LIBDIR = "usr/lib/x86_64-linux-gnu"
INTERPRETER = "/lib64/ld-linux-x86-64.so.2"
# The failover role runs the user's condition/start/stop scripts (#!/bin/sh):
# Debian's dash is the image's only program besides the agent.
SHELL = "/usr/bin/dash"
CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
PATH_ENV = "PATH=/usr/local/bin:/usr/bin:/bin"
# One agent runs per namespace: glibc's default of 8 malloc arenas per core
# would give each of its threads a heap of its own (private pages, multiplied
# by the fleet); two arenas serve its few mostly idle threads.
MALLOC_ENV = "MALLOC_ARENA_MAX=2"
SOURCE_URL = "https://github.com/harborrobot/harborrobot"
LICENSE_ID = "MIT"

MEDIA_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MEDIA_CONFIG = "application/vnd.oci.image.config.v1+json"
MEDIA_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
MEDIA_INDEX = "application/vnd.oci.image.index.v1+json"


class PackError(Exception):
    pass


# ---- what goes in ------------------------------------------------------------
def shared_library_closure(elves):
    """{soname: path on this machine} of every library the loader maps for any
    of `elves` (ldd walks the NEEDED closure with each object's RUNPATH)."""
    found = {}
    for elf in elves:
        done = subprocess.run(["ldd", elf], capture_output=True, text=True)
        if done.returncode != 0:
            raise PackError(f"ldd {elf}: {done.stderr.strip() or done.stdout.strip()}")
        for line in done.stdout.splitlines():
            line = line.strip()
            match = re.match(r"(\S+) => (\S+) \(0x[0-9a-f]+\)$", line)
            if match:
                found[match.group(1)] = match.group(2)
            elif "not found" in line:
                raise PackError(f"ldd {elf}: {line}")
            elif line.startswith("/"):  # the interpreter
                found[os.path.basename(line.split()[0])] = line.split()[0]
    return found


def debian_owner(path):
    """(package, version) that installed `path`, asking dpkg about the path as
    given and as merged /usr spells it."""
    real = os.path.realpath(path)
    candidates = [path, real]
    for p in (path, real):  # merged /usr: dpkg may know either spelling
        if p.startswith(("/usr/lib/", "/usr/bin/", "/usr/sbin/")):
            candidates.append(p[len("/usr"):])
        elif p.startswith(("/lib/", "/bin/", "/sbin/")):
            candidates.append("/usr" + p)
    for candidate in dict.fromkeys(candidates):
        done = subprocess.run(["dpkg-query", "-S", candidate], capture_output=True, text=True)
        if done.returncode == 0:
            package = done.stdout.split(":", 1)[0].strip()
            if "," in package:
                package = package.split(",")[0].strip()
            return package, package_version(package)
    raise PackError(f"{path}: no installed Debian package owns it (dpkg-query -S)")


def package_version(package):
    done = subprocess.run(["dpkg-query", "-W", "-f=${Version}\t${source:Package}\t"
                           "${Homepage}", package], capture_output=True, text=True)
    if done.returncode != 0:
        raise PackError(f"dpkg-query -W {package}: {done.stderr.strip()}")
    return done.stdout.split("\t", 1)[0]


def read(path):
    with open(path, "rb") as f:
        return f.read()


def stripped(path):
    """The ELF without its debug sections (strip is deterministic); the build
    keeps them for debuggers, the image does not need them to run."""
    with tempfile.TemporaryDirectory() as scratch:
        out = os.path.join(scratch, "stripped")
        done = subprocess.run(["strip", "--strip-debug", "-o", out, path], capture_output=True,
                              text=True)
        if done.returncode != 0:
            raise PackError(f"strip {path}: {done.stderr.strip()}")
        return read(out)


class Tree:
    """The image's files: path (no leading /) -> (kind, data or link target, mode)."""

    def __init__(self):
        self.entries = {}

    def directory(self, path, mode=0o755):
        if not path.strip("/"):
            return
        parts = path.strip("/").split("/")
        for i in range(1, len(parts) + 1):
            self.entries.setdefault("/".join(parts[:i]), ("dir", None, mode if i == len(parts)
                                                          else 0o755))

    def file(self, path, data, mode=0o644):
        self.directory(os.path.dirname(path))
        self.entries[path] = ("file", data, mode)

    def link(self, path, target):
        self.directory(os.path.dirname(path))
        self.entries[path] = ("symlink", target, 0o777)

    def without(self, path):
        self.entries.pop(path.strip("/"), None)


def relative_link(path, target):
    return os.path.relpath(target, os.path.dirname("/" + path))


def base_layer(libraries, packages):
    """The Debian part: libraries, CA bundle, users, /tmp, the merged-/usr links."""
    tree = Tree()
    tree.link("lib", "usr/lib")
    tree.link("lib64", "usr/lib64")
    tree.link("bin", "usr/bin")
    tree.file(SHELL.lstrip("/"), read(SHELL), 0o755)
    tree.link("usr/bin/sh", os.path.basename(SHELL))
    packages.add(debian_owner(SHELL))
    tree.directory("tmp", 0o1777)
    for mount_point in ("proc", "dev", "sys", "run"):  # the runtime mounts these
        tree.directory(mount_point)
    tree.directory("home/nonroot", 0o700)
    for soname, path in sorted(libraries.items()):
        real = os.path.realpath(path)
        name = os.path.basename(real)
        tree.file(f"{LIBDIR}/{name}", read(real), 0o755 if soname.startswith("ld-linux") else 0o644)
        if soname != name:
            tree.link(f"{LIBDIR}/{soname}", name)
        packages.add(debian_owner(path))
    interpreter = os.path.basename(os.path.realpath(INTERPRETER))
    tree.link("usr/lib64/" + os.path.basename(INTERPRETER),
              relative_link("usr/lib64/x", f"/{LIBDIR}/{interpreter}"))
    tree.file(CA_BUNDLE.lstrip("/"), read(CA_BUNDLE))
    packages.add(debian_owner("/usr/share/ca-certificates"))
    tree.link("usr/lib/ssl/cert.pem", relative_link("usr/lib/ssl/cert.pem", CA_BUNDLE))
    tree.link("usr/lib/ssl/certs", relative_link("usr/lib/ssl/certs", "/etc/ssl/certs"))
    tree.file("etc/passwd", (f"root:x:0:0:root:/root:/sbin/nologin\n"
                             f"nonroot:x:{USER_ID}:{USER_ID}:nonroot:/home/nonroot:"
                             "/sbin/nologin\n").encode())
    tree.file("etc/group", f"root:x:0:\nnonroot:x:{USER_ID}:\n".encode())
    tree.file("etc/nsswitch.conf", b"passwd: files\ngroup: files\nhosts: files dns\n")
    tree.file("etc/hosts", b"127.0.0.1 localhost\n::1 localhost\n")
    # Each package's copyright file travels with its code, as its license asks.
    for package, _ in sorted(packages):
        copyright_file = f"/usr/share/doc/{package}/copyright"
        if os.path.exists(copyright_file):
            tree.file(copyright_file.lstrip("/"), read(copyright_file))
    return tree


def app_layer(build):
    tree = Tree()
    agent = os.path.join(build, "bin", "harborrobot-agent")
    tree.file(f"{PREFIX}/bin/harborrobot-agent", stripped(agent), 0o755)
    tree.file(f"{PREFIX}/lib/libharborrobot.so.0",
              stripped(os.path.realpath(os.path.join(build, "lib", "libharborrobot.so.0"))))
    plugins = os.path.join(build, "lib", "harborrobot", "plugins")
    for name in sorted(os.listdir(plugins)):
        if name.endswith(".so"):
            tree.file(f"{PREFIX}/lib/harborrobot/plugins/{name}",
                      stripped(os.path.join(plugins, name)))
    tree.file(f"{PREFIX}/share/doc/harborrobot/LICENSE", read(os.path.join(ROOT, "LICENSE")))
    return tree


def elves_of(build):
    plugins = os.path.join(build, "lib", "harborrobot", "plugins")
    return [os.path.join(build, "bin", "harborrobot-agent"), SHELL] + sorted(
        os.path.join(plugins, n) for n in os.listdir(plugins) if n.endswith(".so"))


# ---- how it is written -----------------------------------------------------------
def layer_tar(tree, epoch):
    """(uncompressed tar bytes, gzip bytes): sorted, root-owned, time = epoch."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(tree.entries):
            kind, data, mode = tree.entries[path]
            info = tarfile.TarInfo(path)
            info.mtime, info.uid, info.gid, info.uname, info.gname = epoch, 0, 0, "", ""
            info.mode = mode
            if kind == "dir":
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            elif kind == "symlink":
                info.type = tarfile.SYMTYPE
                info.linkname = data
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    uncompressed = raw.getvalue()
    compressed = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=compressed, mtime=0,
                       compresslevel=6) as gz:
        gz.write(uncompressed)
    return uncompressed, compressed.getvalue()


def digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def git(args, default=""):
    done = subprocess.run(["git", "-C", ROOT, *args], capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else default


def source_date_epoch():
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return int(os.environ["SOURCE_DATE_EPOCH"])
    return int(git(["log", "-1", "--format=%ct"], "0") or 0)


def rfc3339(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def image_name(version):
    return f"harborrobot-agent_{version}_linux_amd64"


def pack(build, out, version, omit=(), name=None):
    """Writes OUT/<name>.oci.tar and OUT/<name>.spdx.json. Returns a dict with
    the archive, sbom, manifest digest, compressed and unpacked sizes. `omit`
    drops paths (a test builds a deliberately broken image with it)."""
    epoch = source_date_epoch()
    revision = git(["rev-parse", "HEAD"], "unknown")
    packages = set()
    libraries = {k: v for k, v in shared_library_closure(elves_of(build)).items()
                 if k != "libharborrobot.so.0"}
    layers = [base_layer(libraries, packages), app_layer(build)]
    for path in omit:
        for tree in layers:
            tree.without(path)
    blobs = {}
    descriptors, diff_ids, unpacked = [], [], 0
    for tree in layers:
        raw, gz = layer_tar(tree, epoch)
        unpacked += sum(len(d) for k, d, _ in tree.entries.values() if k == "file")
        diff_ids.append(digest(raw))
        blobs[digest(gz)] = gz
        descriptors.append({"mediaType": MEDIA_LAYER, "digest": digest(gz), "size": len(gz)})
    labels = {"org.opencontainers.image.version": version,
              "org.opencontainers.image.revision": revision,
              "org.opencontainers.image.source": SOURCE_URL,
              "org.opencontainers.image.licenses": LICENSE_ID,
              "org.opencontainers.image.title": "harborrobot-agent",
              "org.opencontainers.image.created": rfc3339(epoch)}
    config = canonical({
        "architecture": "amd64", "os": "linux", "created": rfc3339(epoch),
        "config": {"User": f"{USER_ID}:{USER_ID}", "Env": [PATH_ENV, MALLOC_ENV],
                   "Entrypoint": [f"/{PREFIX}/bin/harborrobot-agent"], "WorkingDir": "/",
                   "Labels": labels},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created": rfc3339(epoch), "created_by": "krew/oci_image.py: "
                     + what} for what in ("Debian packages' files", "harborrobot")]})
    blobs[digest(config)] = config
    manifest = canonical({
        "schemaVersion": 2, "mediaType": MEDIA_MANIFEST,
        "config": {"mediaType": MEDIA_CONFIG, "digest": digest(config), "size": len(config)},
        "layers": descriptors, "annotations": labels})
    blobs[digest(manifest)] = manifest
    index = canonical({"schemaVersion": 2, "mediaType": MEDIA_INDEX, "manifests": [
        {"mediaType": MEDIA_MANIFEST, "digest": digest(manifest), "size": len(manifest),
         "annotations": {"org.opencontainers.image.ref.name": version}}]})
    name = name or image_name(version)
    os.makedirs(out, exist_ok=True)
    archive = os.path.join(out, f"{name}.oci.tar")
    layout = Tree()
    layout.file("oci-layout", canonical({"imageLayoutVersion": "1.0.0"}))
    layout.file("index.json", index)
    for blob_digest, data in blobs.items():
        layout.file("blobs/sha256/" + blob_digest.split(":", 1)[1], data)
    raw, _ = layer_tar(layout, epoch)
    temporary = archive + ".tmp"
    with open(temporary, "wb") as f:
        f.write(raw)
    os.replace(temporary, archive)
    sbom = os.path.join(out, f"{name}.spdx.json")
    with open(sbom, "w") as f:
        json.dump(spdx(name, version, digest(manifest), packages, epoch), f, indent=1,
                  sort_keys=True)
        f.write("\n")
    return {"archive": archive, "sbom": sbom, "digest": digest(manifest),
            "compressed": sum(d["size"] for d in descriptors) + len(config),
            "unpacked": unpacked, "packages": sorted(packages)}


def spdx(name, version, manifest_digest, packages, epoch):
    image_id = "SPDXRef-Image"
    entries = [{"SPDXID": image_id, "name": "harborrobot-agent", "versionInfo": version,
                "downloadLocation": SOURCE_URL, "licenseConcluded": LICENSE_ID,
                "licenseDeclared": LICENSE_ID, "copyrightText": "NOASSERTION",
                "primaryPackagePurpose": "CONTAINER",
                "checksums": [{"algorithm": "SHA256",
                               "checksumValue": manifest_digest.split(":", 1)[1]}]}]
    relationships = [{"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES",
                      "relatedSpdxElement": image_id}]
    for package, package_version in sorted(packages):
        ref = "SPDXRef-Package-deb-" + re.sub(r"[^A-Za-z0-9.-]", "-", package)
        entries.append({
            "SPDXID": ref, "name": package, "versionInfo": package_version,
            "supplier": "Organization: Debian", "downloadLocation": "NOASSERTION",
            "licenseConcluded": "NOASSERTION", "licenseDeclared": "NOASSERTION",
            "copyrightText": "NOASSERTION",
            "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                              "referenceLocator": f"pkg:deb/debian/{package}@{package_version}"
                                                  "?arch=amd64&distro=debian-12"}]})
        relationships.append({"spdxElementId": image_id, "relationshipType": "CONTAINS",
                              "relatedSpdxElement": ref})
    return {"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT",
            "name": name, "documentNamespace": f"{SOURCE_URL}/spdx/{name}-"
                                               f"{manifest_digest.split(':', 1)[1]}",
            "creationInfo": {"created": rfc3339(epoch), "creators": ["Tool: krew/oci_image.py"]},
            "packages": entries, "relationships": relationships}


def version_of(build):
    with open(os.path.join(build, "CMakeCache.txt")) as f:
        for line in f:
            if line.startswith("CMAKE_PROJECT_VERSION:"):
                return line.strip().split("=", 1)[1]
    raise PackError("no CMAKE_PROJECT_VERSION in the build's CMakeCache.txt")


def human(size):
    return f"{size / (1024 * 1024):.1f} MiB"
