#!/usr/bin/env python3
"""Seeds an image into a Harbor (real or simulated) project repository.

Builds a small OCI image layout (one gzip layer holding /hello.txt with the
given content, a config and a manifest), then pushes it with the real skopeo,
through the registry's token flow, exactly as a CI job would push.

usage: harbor_seed_image.py --registry 127.0.0.1:PORT --ca CA.crt
           --user admin --password Harbor12345 --image project/repo:tag
           [--content TEXT]
The password may come from the HARBOR_PASSWORD environment variable instead,
so it stays out of process listings."""
import argparse
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile


def write_blob(layout, data):
    digest = hashlib.sha256(data).hexdigest()
    path = os.path.join(layout, "blobs", "sha256", digest)
    with open(path, "wb") as blob:
        blob.write(data)
    return {"digest": f"sha256:{digest}", "size": len(data)}


def build_layout(layout, tag, content):
    """An OCI image layout (image-spec v1.0) with one image tagged `tag`."""
    os.makedirs(os.path.join(layout, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(layout, "oci-layout"), "w") as marker:
        json.dump({"imageLayoutVersion": "1.0.0"}, marker)
    tar_bytes = io.BytesIO()
    with tarfile.open(fileobj=tar_bytes, mode="w", format=tarfile.PAX_FORMAT) as archive:
        payload = content.encode()
        info = tarfile.TarInfo("hello.txt")
        info.size = len(payload)
        info.mtime = 0
        archive.addfile(info, io.BytesIO(payload))
    uncompressed = tar_bytes.getvalue()
    layer = write_blob(layout, gzip.compress(uncompressed, mtime=0))
    config = write_blob(layout, json.dumps({
        "architecture": "amd64", "os": "linux",
        "config": {"Cmd": ["/hello.txt"]},
        "rootfs": {"type": "layers",
                   "diff_ids": ["sha256:" + hashlib.sha256(uncompressed).hexdigest()]},
    }, sort_keys=True).encode())
    manifest = write_blob(layout, json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": dict(config, mediaType="application/vnd.oci.image.config.v1+json"),
        "layers": [dict(layer, mediaType="application/vnd.oci.image.layer.v1.tar+gzip")],
    }, sort_keys=True).encode())
    with open(os.path.join(layout, "index.json"), "w") as index:
        json.dump({"schemaVersion": 2, "manifests": [dict(
            manifest, mediaType="application/vnd.oci.image.manifest.v1+json",
            annotations={"org.opencontainers.image.ref.name": tag})]}, index)
    return manifest["digest"]


def seed(registry, ca, user, password, image, content="hello from harborrobot\n",
         command_prefix=()):
    """Pushes `image` ("project/repo:tag"); returns the manifest digest.
    `command_prefix` wraps skopeo (e.g. to resolve through a sandbox's DNS)."""
    repository, _, tag = image.rpartition(":")
    if not repository or "/" not in repository:
        raise ValueError(f"--image: {image!r} is not project/repo:tag")
    work = tempfile.mkdtemp(prefix="harbor-seed-")
    try:
        layout = os.path.join(work, "layout")
        digest = build_layout(layout, tag, content)
        certs = os.path.join(work, "certs")
        os.makedirs(certs)
        shutil.copy(ca, os.path.join(certs, "ca.crt"))
        auth = os.path.join(work, "auth.json")
        with open(auth, "w") as authfile:
            import base64
            token = base64.b64encode(f"{user}:{password}".encode()).decode()
            json.dump({"auths": {registry: {"auth": token}}}, authfile)
        os.chmod(auth, 0o600)
        subprocess.run([*command_prefix, "skopeo", "copy", "--quiet", "--dest-authfile", auth,
                        "--dest-cert-dir", certs, f"oci:{layout}:{tag}",
                        f"docker://{registry}/{repository}:{tag}"],
                       check=True, stdin=subprocess.DEVNULL)
        return digest
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry", required=True, help="host:port of the Harbor")
    parser.add_argument("--ca", required=True, help="the Harbor's CA certificate (PEM)")
    parser.add_argument("--user", default="admin")
    parser.add_argument("--password", default=os.environ.get("HARBOR_PASSWORD"))
    parser.add_argument("--image", required=True, help="project/repo:tag")
    parser.add_argument("--content", default="hello from harborrobot\n")
    args = parser.parse_args()
    if not args.password:
        parser.error("--password (or HARBOR_PASSWORD) is required")
    try:
        print(seed(args.registry, args.ca, args.user, args.password, args.image, args.content))
    except (ValueError, subprocess.CalledProcessError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
