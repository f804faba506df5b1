"""Krew's manifest rules (pkg/index/validation and validate-krew-manifest, as
recorded in ../shared/krew/NOTES.md), checked without krew, and Krew's install
mechanics (unpack under store/<name>/<version>, apply files, link bin)."""
import fnmatch
import glob
import os
import re
import shutil
import tarfile

import yaml

API_VERSION = "krew.googlecontainertools.github.com/v1alpha2"
SUPPORTED = {"windows": ["386", "amd64", "arm64"],
             "linux": ["386", "amd64", "arm", "arm64", "ppc64le"],
             "darwin": ["386", "amd64", "arm64"]}
DEVICE_NAMES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                *(f"lpt{i}" for i in range(1, 10))}
LICENSE_NAMES = {"license", "license.txt", "license.md", "licenses", "licenses.txt",
                 "licenses.md", "copying", "copying.txt"}
SEMVER = re.compile(r"^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
                    r"(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")


def selector_matches(selector, os_name, arch):
    labels = {"os": os_name, "arch": arch}
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        value = labels.get(expression.get("key"))
        operator, values = expression.get("operator"), expression.get("values") or []
        if operator == "In" and value not in values:
            return False
        if operator == "NotIn" and value in values:
            return False
    return True


def validate(manifest_path):
    """Every problem Krew (and krew-index CI and review) would raise, as text."""
    problems = []
    with open(manifest_path) as f:
        plugin = yaml.safe_load(f)
    file_name = os.path.basename(manifest_path)
    if not file_name.endswith(".yaml"):
        problems.append('expected manifest extension ".yaml"')
    name = (plugin.get("metadata") or {}).get("name", "")
    if plugin.get("apiVersion") != API_VERSION:
        problems.append(f'plugin manifest has apiVersion="{plugin.get("apiVersion")}", '
                        "not supported in this version of krew")
    if plugin.get("kind") != "Plugin":
        problems.append(f'plugin manifest has kind="{plugin.get("kind")}", '
                        'but only "Plugin" is supported')
    if not re.fullmatch(r"[\w-]+", name or "") or name.lower() in DEVICE_NAMES:
        problems.append(f'the plugin name "{name}" is not allowed, must match "^[\\w-]+$"')
    if file_name[:-len(".yaml")] != name:
        problems.append(f'plugin should be named "{file_name[:-5]}", not "{name}"')
    spec = plugin.get("spec") or {}
    short = spec.get("shortDescription") or ""
    if not short:
        problems.append("should have a short description")
    elif "\n" in short or "\r" in short:
        problems.append("should not have line breaks in short description")
    elif len(short) > 50:
        problems.append(f"shortDescription is {len(short)} characters; krew-index asks for "
                        "at most 50")
    if not spec.get("description"):
        problems.append("should have a description")
    version = spec.get("version") or ""
    if not version:
        problems.append("should have a version specified")
    elif not version.startswith("v"):
        problems.append(f"version string \"{version}\" not starting with 'v'")
    elif not SEMVER.match(version):
        problems.append(f'version string "{version}" is not semver')
    platforms = spec.get("platforms") or []
    if not platforms:
        problems.append("should have a platform specified")
    for index, platform in enumerate(platforms):
        where = f"platforms[{index}]"
        if not platform.get("uri"):
            problems.append(f"{where}: `uri` has to be set")
        sha = platform.get("sha256")
        if not isinstance(sha, str) or not re.fullmatch(r"[a-f0-9]{64}", sha):
            problems.append(f"{where}: `sha256` value {sha!r} is not valid, must match "
                            "pattern ^[a-f0-9]{64}$")
        if not platform.get("bin"):
            problems.append(f"{where}: `bin` has to be set")
        files = platform.get("files")
        if files is not None:
            if not files:
                problems.append(f"{where}: `files` has to be unspecified or non-empty")
            for item in files:
                if not item.get("from"):
                    problems.append(f"{where}: `from` field has to be set")
                if not item.get("to"):
                    problems.append(f"{where}: `to` field has to be set")
                elif os.path.normpath(item["to"]) != item["to"]:
                    problems.append(f"{where}: `to` {item['to']!r} is not a clean path")
        selector = platform.get("selector")
        if not selector:
            problems.append(f"{where}: nil selector is not supported")
            continue
        for part in ("matchLabels", "matchExpressions"):
            if part in selector and not selector[part]:
                problems.append(f"{where}: {part} must not be empty")
        keys = set((selector.get("matchLabels") or {}).keys()) | {
            e.get("key") for e in selector.get("matchExpressions") or []}
        for key in keys - {"os", "arch"}:
            problems.append(f'{where}: key "{key}" not supported')
        if not any(selector_matches(selector, o, a) for o, arches in SUPPORTED.items()
                   for a in arches):
            problems.append(f"{where}: selector matches no supported os/arch")
    for os_name, arches in SUPPORTED.items():
        for arch in arches:
            matching = [i for i, p in enumerate(platforms)
                        if p.get("selector") and selector_matches(p["selector"], os_name, arch)]
            if len(matching) > 1:
                problems.append(f"overlapping selectors: {os_name}/{arch} matches platforms "
                                f"{matching}")
    return problems


def install(manifest_path, archive, krew_root, os_name="linux", arch="amd64"):
    """Installs like `kubectl krew install --manifest --archive`; returns the bin link."""
    with open(manifest_path) as f:
        plugin = yaml.safe_load(f)
    name, version = plugin["metadata"]["name"], plugin["spec"]["version"]
    platform = next(p for p in plugin["spec"]["platforms"]
                    if selector_matches(p["selector"], os_name, arch))
    with open(archive, "rb") as f:
        head = f.read(2)
    if head != b"\x1f\x8b":
        raise ValueError(f"{archive}: not gzip (Krew accepts only zip and tar.gz)")
    unpacked = os.path.join(krew_root, "tmp", name)
    os.makedirs(unpacked)
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            if not (member.isfile() or member.isdir()):
                raise ValueError(f"{member.name}: unable to handle file type")
            if ".." in member.name.split("/") or member.name.startswith(("/", "\\")):
                raise ValueError(f"{member.name}: path outside the archive")
        tar.extractall(unpacked)
    store = os.path.join(krew_root, "store", name, version)
    os.makedirs(store)
    for item in platform.get("files") or [{"from": "*", "to": "."}]:
        matches = glob.glob(os.path.join(unpacked, item["from"]))
        if not matches:
            raise ValueError(f"files: {item['from']} matches nothing in the archive")
        for match in matches:
            target = os.path.join(store, item["to"])
            if item["to"] == ".":
                target = os.path.join(store, os.path.basename(match))
            shutil.move(match, target)
    binary = os.path.realpath(os.path.join(store, platform["bin"]))
    if not binary.startswith(os.path.realpath(store) + os.sep) or not os.path.isfile(binary):
        raise ValueError(f"bin {platform['bin']} is not a file inside {store}")
    licensed = [f for _, _, files in os.walk(os.path.join(krew_root, "store"))
                for f in files if f.lower() in LICENSE_NAMES]
    if not licensed:
        raise ValueError("no license file under store/ (krew-index requires one)")
    os.makedirs(os.path.join(krew_root, "bin"), exist_ok=True)
    link = os.path.join(krew_root, "bin", "kubectl-" + name.replace("-", "_"))
    os.symlink(binary, link)
    os.makedirs(os.path.join(krew_root, "receipts"), exist_ok=True)
    shutil.copy(manifest_path, os.path.join(krew_root, "receipts", name + ".yaml"))
    return link


def matches_any(patterns, path):
    return any(fnmatch.fnmatch(path, p) for p in patterns)
