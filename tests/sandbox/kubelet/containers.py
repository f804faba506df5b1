"""Agent containers as local processes: the built harborrobot-agent started with
the container's command, args and environment, in a private mount namespace
where a fresh tmpfs covers /run and the Pod's volumes are bind-mounted
read-only at their mountPaths, so the agent reads the real in-cluster paths
(/var/run/secrets/...) while nothing outside the sandbox's state changes."""
import base64
import os
import re
import shlex
import subprocess

from volumes import field_value, VolumeError

AGENT_IMAGE_NAME = "harborrobot-agent"
MOUNTABLE_PREFIXES = ("/run/", "/var/run/")


def is_agent_image(image):
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return last.split(":", 1)[0] == AGENT_IMAGE_NAME


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


def agent_argv(container, agent_binary, env):
    command = [expand(part, env) for part in container.get("command", [])]
    args = [expand(part, env) for part in container.get("args", [])]
    if command and os.path.basename(command[0]) == AGENT_IMAGE_NAME:
        command = [agent_binary] + command[1:]
    elif not command:
        command = [agent_binary]
    else:
        raise VolumeError(f"command {command[0]!r}: the sandbox runs only {AGENT_IMAGE_NAME}")
    return command + args


SYSTEM_TRUST = "/etc/ssl/certs/ca-certificates.crt"


def mount_script(mounts, resolv_conf, trust_bundle=None):
    """The shell run inside `unshare --mount`: /run becomes a private tmpfs, each
    volume is bound read-only at its mountPath, resolv.conf survives when the
    machine's is a link into /run, and the node's trust bundle (the system CAs
    plus the sandbox Harbors', as a company CA would be) replaces the system one
    for this process only."""
    lines = ["set -e",
             "resolv_target=$(readlink -f /etc/resolv.conf)",
             "mount -t tmpfs -o mode=755 tmpfs /run",
             'case "$resolv_target" in /run/*) mkdir -p "$(dirname "$resolv_target")"; '
             f'cp {shlex.quote(resolv_conf)} "$resolv_target";; esac']
    for mount_path, source in sorted(mounts.items()):
        if not mount_path.startswith(MOUNTABLE_PREFIXES):
            raise VolumeError(f"mountPath {mount_path!r}: the sandbox mounts volumes only "
                              "under /run or /var/run")
        target = shlex.quote(mount_path)
        lines.append(f"mkdir -p {target}")
        lines.append(f"mount --bind {shlex.quote(source)} {target}")
        lines.append(f"mount -o remount,bind,ro {target}")
    if trust_bundle:
        lines.append(f"[ -e {SYSTEM_TRUST} ] && mount --bind {shlex.quote(trust_bundle)} "
                     f"{SYSTEM_TRUST}")
    lines.append('exec "$@"')
    return "\n".join(lines)


def start_agent(argv, env, mounts, resolv_conf, log_path, trust_bundle=None):
    log = open(log_path, "ab")
    try:
        return subprocess.Popen(
            ["unshare", "--mount", "--propagation", "private", "sh", "-c",
             mount_script(mounts, resolv_conf, trust_bundle), "container", *argv],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env, start_new_session=True)
    finally:
        log.close()
