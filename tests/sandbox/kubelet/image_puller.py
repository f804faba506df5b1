"""Image pulls with the real skopeo and the Pod's imagePullSecrets, matched to
the registry the way the kubelet's credential keyring matches them: every
credential whose key matches the image's host, port and path is tried in
turn; with none, the pull is anonymous. A node's registry mirrors (containerd's
hosts.toml) rewrite a repository prefix to another registry. An image with an
entrypoint is unpacked, layer by layer, into a root file system cached by its
manifest digest, from which its containers run."""
import base64
import fnmatch
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.parse


def parse_image(image):
    """(registry host[:port], repository path, reference) with Docker's defaults."""
    name, reference = image, "latest"
    if "@" in name:
        name, reference = name.split("@", 1)
    elif ":" in name.rsplit("/", 1)[-1]:
        name, reference = name.rsplit(":", 1)
    first, _, rest = name.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        return first, rest, reference
    return "docker.io", name if "/" in name else f"library/{name}", reference


def key_matches(key, registry, repository):
    """The kubelet's URL match: host glob per dot-separated label, equal port,
    and the key's path a prefix of the repository."""
    parsed = urllib.parse.urlsplit(key if "://" in key else f"https://{key}")
    image = urllib.parse.urlsplit(f"https://{registry}/{repository}")
    key_labels = (parsed.hostname or "").split(".")
    image_labels = (image.hostname or "").split(".")
    if len(key_labels) != len(image_labels) or not all(
            fnmatch.fnmatchcase(label, pattern) for pattern, label in zip(key_labels,
                                                                          image_labels)):
        return False
    if parsed.port != image.port:
        return False
    key_path = parsed.path.strip("/")
    if key_path in ("", "v1", "v2"):
        return True
    return repository == key_path or repository.startswith(key_path + "/")


def credentials_from_secret(secret):
    """(key, username, password) entries of a dockerconfigjson or dockercfg Secret."""
    data = secret.get("data", {})
    try:
        if secret.get("type") == "kubernetes.io/dockerconfigjson":
            auths = json.loads(base64.b64decode(data[".dockerconfigjson"])).get("auths", {})
        elif secret.get("type") == "kubernetes.io/dockercfg":
            auths = json.loads(base64.b64decode(data[".dockercfg"]))
        else:
            return []
    except (KeyError, ValueError):
        return []
    entries = []
    for key, entry in auths.items():
        username, password = entry.get("username", ""), entry.get("password", "")
        if entry.get("auth"):
            try:
                username, _, password = base64.b64decode(entry["auth"]).decode().partition(":")
            except ValueError:
                continue
        entries.append((key, username, password))
    return entries


def skopeo_reason(stderr):
    """skopeo's fatal message without its logrus decoration."""
    match = re.search(r'msg="((?:[^"\\]|\\.)*)"', stderr)
    text = match.group(1).replace('\\"', '"') if match else stderr.strip().splitlines()[-1:]
    return text if isinstance(text, str) else (text[0] if text else "unknown error")


def mirrored(registry, repository, mirrors):
    """(registry, repository) after the first mirror whose prefix matches."""
    for source, target in mirrors:
        name = f"{registry}/{repository}"
        if name.startswith(source.rstrip("/") + "/"):
            rest = name[len(source.rstrip("/")) + 1:]
            host, _, prefix = target.partition("/")
            return host, f"{prefix}/{rest}" if prefix else rest
    return registry, repository


class ImagePuller:
    def __init__(self, cert_dir, work_dir, mirrors=()):
        self.cert_dir = cert_dir
        self.work_dir = work_dir
        self.mirrors = list(mirrors)  # (source prefix, target registry[/prefix])
        self.images_dir = os.path.join(work_dir, "images")
        self.images = {}  # image id -> {"rootfs": dir or None, "config": image config}
        # Pods pull on threads of their own: two replicas of one image must not
        # unpack into the same directory at once (one would delete the other's).
        self.unpack_lock = threading.Lock()

    def pull(self, image, credentials):
        """Returns (ok, image_id or error message, seconds, size in bytes); a
        runnable image's root and config are then in `images[image_id]`."""
        registry, repository, reference = parse_image(image)
        source_registry, source_repository = mirrored(registry, repository, self.mirrors)
        matching = [c for c in credentials if key_matches(c[0], registry, repository) or
                    key_matches(c[0], source_registry, source_repository)]
        attempts = matching or [None]
        started = time.monotonic()
        error = ""
        for credential in attempts:
            ok, result, size = self._copy(source_registry, source_repository, reference,
                                          credential)
            if ok:
                return True, result, time.monotonic() - started, size
            error = result
        return (False, f'failed to pull and unpack image "{image}": {error}',
                time.monotonic() - started, 0)

    def _copy(self, registry, repository, reference, credential):
        separator = "@" if reference.startswith("sha256:") else ":"
        source = f"docker://{registry}/{repository}{separator}{reference}"
        with tempfile.TemporaryDirectory(dir=self.work_dir) as scratch:
            argv = ["skopeo", "copy", "--quiet", "--retry-times", "0",
                    "--src-cert-dir", self.cert_dir]
            if credential:
                authfile = os.path.join(scratch, "auth.json")
                token = base64.b64encode(f"{credential[1]}:{credential[2]}".encode()).decode()
                fd = os.open(authfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w") as f:
                    json.dump({"auths": {registry: {"auth": token}}}, f)
                argv += ["--src-authfile", authfile]
            else:
                argv += ["--src-no-creds"]
            target = os.path.join(scratch, "image")
            digest_file = os.path.join(scratch, "digest")
            argv += ["--digestfile", digest_file, source, f"dir:{target}"]
            try:
                done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
            except subprocess.TimeoutExpired:
                return False, "pull timed out after 120s", 0
            if done.returncode != 0:
                return False, skopeo_reason(done.stderr), 0
            size = sum(os.path.getsize(os.path.join(target, f)) for f in os.listdir(target))
            digest = open(digest_file).read().strip() if os.path.exists(digest_file) else ""
            image_id = f"{registry}/{repository}@{digest}"
            try:
                self.images[image_id] = self._unpack(target, digest)
            except (OSError, ValueError, KeyError, subprocess.CalledProcessError) as error:
                return False, f"unpacking {digest}: {error}", 0
            return True, image_id, size

    def _unpack(self, blobs, digest):
        """The image's config, and its layers applied in order into
        images/<digest>/rootfs when it has an entrypoint (kept: a cache by digest)."""
        with open(os.path.join(blobs, "manifest.json")) as f:
            manifest = json.load(f)
        with open(os.path.join(blobs, manifest["config"]["digest"].split(":", 1)[1])) as f:
            config = json.load(f).get("config") or {}
        if not config.get("Entrypoint"):
            return {"rootfs": None, "config": config}
        final = os.path.join(self.images_dir, digest.replace(":", "-"), "rootfs")
        with self.unpack_lock:
            self._unpack_layers(blobs, manifest, final)
        return {"rootfs": final, "config": config}

    @staticmethod
    def _unpack_layers(blobs, manifest, final):
        if not os.path.isdir(final):
            partial = final + ".partial"
            shutil.rmtree(partial, ignore_errors=True)
            os.makedirs(partial)
            for layer in manifest["layers"]:
                blob = os.path.join(blobs, layer["digest"].split(":", 1)[1])
                subprocess.run(["tar", "-xzf", blob, "-C", partial, "--same-owner",
                                "--preserve-permissions", "--numeric-owner"], check=True,
                               capture_output=True)
            os.rename(partial, final)
