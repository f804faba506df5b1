"""Containers as local processes run from their image: the entrypoint (or the
container's command) of the pulled, unpacked image, started in a private mount
namespace chrooted into that image's root (an overlay with a private writable
layer), as the image's or the Pod's user, with the Pod's volumes bind-mounted
read-only at their mountPaths, so a missing library or file fails exactly as
on a node while nothing outside the sandbox's state changes."""
import base64
import os
import re
import shlex
import subprocess

from volumes import field_value, VolumeError

def expand(value, env):
    """Kubernetes' $(VAR) expansion: defined variables are replaced, $$ escapes,
    anything else stays as written."""
    def replace(match):
        if match.group(0) == "$$":
            return "$"
        name = match.group(1)
        return env.get(name, match.group(0))
    return re.sub(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)", replace, value)


def container_env(api, pod, container, base):
    env = dict(base)
    ns = pod["metadata"]["namespace"]
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = expand(item["value"], env)
        elif "valueFrom" in item:
            source = item["valueFrom"]
            if "fieldRef" in source:
                env[item["name"]] = field_value(pod, source["fieldRef"]["fieldPath"])
            elif "secretKeyRef" in source or "configMapKeyRef" in source:
                secret = "secretKeyRef" in source
                ref = source["secretKeyRef" if secret else "configMapKeyRef"]
                plural = "secrets" if secret else "configmaps"
                obj = api.get(f"/api/v1/namespaces/{ns}/{plural}/{ref['name']}")
                data = obj.get("data", {})
                if ref["key"] not in data:
                    raise VolumeError(f"couldn't find key {ref['key']} in "
                                      f"{'Secret' if secret else 'ConfigMap'} {ns}/{ref['name']}")
                value = data[ref["key"]]
                if secret:
                    value = base64.b64decode(value).decode()
                env[item["name"]] = value
            else:
                raise VolumeError(f"env {item['name']}: unsupported valueFrom")
        else:
            env[item["name"]] = ""
    return env


def container_argv(container, config, env):
    """Kubernetes' rule: `command` replaces the image's Entrypoint, `args` its Cmd
    (and a command without args drops the Cmd)."""
    command = [expand(part, env) for part in container.get("command", [])]
    args = [expand(part, env) for part in container.get("args", [])]
    if command:
        return command + args
    argv = list(config.get("Entrypoint") or []) + (args or list(config.get("Cmd") or []))
    if not argv:
        raise VolumeError("no command specified")
    return argv


def run_as(pod, container, config):
    """(uid, gid): the container's securityContext, then the Pod's, then the
    image's USER; runAsNonRoot refuses root as the kubelet does."""
    pod_context = pod["spec"].get("securityContext", {}) or {}
    context = container.get("securityContext", {}) or {}
    user, _, group = str(config.get("User") or "0").partition(":")
    if not user.isdigit() or (group and not group.isdigit()):
        raise VolumeError(f"image user {config.get('User')!r}: the sandbox needs numeric "
                          "ids (uid:gid)")
    uid = context.get("runAsUser", pod_context.get("runAsUser", int(user)))
    gid = context.get("runAsGroup", pod_context.get("runAsGroup", int(group or uid)))
    non_root = context.get("runAsNonRoot", pod_context.get("runAsNonRoot", False))
    if non_root and uid == 0:
        raise VolumeError("container has runAsNonRoot and image will run as root")
    return int(uid), int(gid)


SYSTEM_TRUST = "/etc/ssl/certs/ca-certificates.crt"
DEVICES = ("null", "zero", "full", "random", "urandom", "tty")


def mount_script(rootfs, scratch, mounts, resolv_conf, user, trust_bundle=None):
    """The shell run inside `unshare --mount`: the image's root as the lower layer
    of an overlay whose upper layer is a tmpfs (the container's writable layer),
    /proc, a tmpfs /tmp, /run and /dev with the usual devices, each volume bound
    read-only at its mountPath, the node's resolv.conf and trust bundle (system
    CAs plus the sandbox Harbors', as a company CA would be) bound in; then
    chroot into it as the container's user. Nothing of the host's /usr is seen."""
    q = shlex.quote
    root = os.path.join(scratch, "root")
    lines = ["set -e",
             f"mount -t tmpfs -o mode=700 tmpfs {q(scratch)}",
             f"mkdir {q(scratch)}/upper {q(scratch)}/work {q(root)}",
             f"mount -t overlay overlay -o lowerdir={q(rootfs)},upperdir={q(scratch)}/upper,"
             f"workdir={q(scratch)}/work {q(root)}",
             f"mkdir -p {q(root)}/proc {q(root)}/tmp {q(root)}/run {q(root)}/dev {q(root)}/etc",
             f"mount -t proc proc {q(root)}/proc",
             f"mount -t tmpfs -o mode=1777 tmpfs {q(root)}/tmp",
             f"mount -t tmpfs -o mode=755 tmpfs {q(root)}/run",
             f"mount -t tmpfs -o mode=755 tmpfs {q(root)}/dev"]
    for device in DEVICES:
        lines.append(f"touch {q(root)}/dev/{device} && mount --bind /dev/{device} "
                     f"{q(root)}/dev/{device}")
    lines.append(f"ln -s /proc/self/fd {q(root)}/dev/fd")
    for mount_path, source in sorted(mounts.items()):
        if not mount_path.startswith("/") or ".." in mount_path.split("/"):
            raise VolumeError(f"mountPath {mount_path!r}: must be an absolute path")
        target = q(root + mount_path)
        lines.append(f"mkdir -p {target}")
        lines.append(f"mount --bind {q(source)} {target}")
        lines.append(f"mount -o remount,bind,ro {target}")
    lines.append(f"touch {q(root)}/etc/resolv.conf && mount --bind {q(resolv_conf)} "
                 f"{q(root)}/etc/resolv.conf")
    if trust_bundle:
        lines.append(f"if [ -e {q(root + SYSTEM_TRUST)} ]; then mount --bind {q(trust_bundle)} "
                     f"{q(root + SYSTEM_TRUST)}; fi")
    lines.append(f'exec /usr/sbin/chroot --userspec={user[0]}:{user[1]} {q(root)} "$@"')
    return "\n".join(lines)


def start_container(argv, env, rootfs, scratch, mounts, resolv_conf, user, log_path,
                    trust_bundle=None):
    os.makedirs(scratch, exist_ok=True)
    log = open(log_path, "ab")
    try:
        return subprocess.Popen(
            ["unshare", "--mount", "--propagation", "private", "sh", "-c",
             mount_script(rootfs, scratch, mounts, resolv_conf, user, trust_bundle),
             "container", *argv],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env, start_new_session=True)
    finally:
        log.close()
