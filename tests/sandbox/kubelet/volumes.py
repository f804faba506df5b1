"""Pod volumes written as files, the way the kubelet materialises them: the
automatic ServiceAccount token volume, projected volumes (TokenRequest tokens
with their audience and expiry, ConfigMap and Secret keys, downward API),
ConfigMap, Secret and emptyDir volumes. Tokens are renewed past 80% of their
lifetime, as the kubelet does, by an atomic rename the container sees."""
import base64
import os
import time

from api import ApiError

SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"
DEFAULT_TOKEN_SECONDS = 3607  # the kubelet's kube-api-access token


class VolumeError(Exception):
    pass


def write_atomically(path, data, mode=0o644, owner=None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = path + ".tmp"
    with open(temporary, "wb") as f:
        f.write(data)
    os.chmod(temporary, mode)
    if owner is not None:
        os.chown(temporary, *owner)
    os.replace(temporary, path)


def field_value(pod, field_path):
    metadata, spec, status = pod["metadata"], pod["spec"], pod.get("status", {})
    values = {
        "metadata.name": metadata["name"], "metadata.namespace": metadata["namespace"],
        "metadata.uid": metadata.get("uid", ""), "spec.nodeName": spec.get("nodeName", ""),
        "spec.serviceAccountName": spec.get("serviceAccountName", "default"),
        "status.podIP": status.get("podIP", ""), "status.hostIP": status.get("hostIP", ""),
    }
    if field_path.startswith("metadata.labels['") or field_path.startswith(
            "metadata.annotations['"):
        section, key = field_path.split("['", 1)
        return metadata.get(section.split(".")[1], {}).get(key.rstrip("']"), "")
    if field_path not in values:
        raise VolumeError(f"fieldRef.fieldPath: unsupported value {field_path!r}")
    return values[field_path]


class PodVolumes:
    """The volumes of one Pod under `directory`/volumes/NAME."""

    def __init__(self, api, pod, directory, owner=None):
        self.api = api
        self.pod = pod
        self.directory = directory
        # The kubelet gives a projected token (0600) to the containers' runAsUser.
        self.owner = owner
        self.tokens = []  # (file, audience, seconds, written_at)

    def path_of(self, volume):
        return os.path.join(self.directory, "volumes", volume)

    def _object_data(self, kind, name, optional):
        ns = self.pod["metadata"]["namespace"]
        plural = "configmaps" if kind == "ConfigMap" else "secrets"
        try:
            obj = self.api.get(f"/api/v1/namespaces/{ns}/{plural}/{name}")
        except ApiError as error:
            if error.status == 404 and optional:
                return {}
            raise VolumeError(f'{kind.lower()} "{name}" not found' if error.status == 404
                              else f"{kind} {name}: {error}")
        if kind == "ConfigMap":
            return {k: v.encode() for k, v in obj.get("data", {}).items()}
        return {k: base64.b64decode(v) for k, v in obj.get("data", {}).items()}

    def _write_keys(self, target, data, items, mode):
        selected = [(item["key"], item.get("path", item["key"]), item.get("mode", mode))
                    for item in items] if items else [(key, key, mode) for key in data]
        for key, path, file_mode in selected:
            if key not in data:
                raise VolumeError(f'couldn\'t find key {key}')
            write_atomically(os.path.join(target, path), data[key], file_mode)

    def _request_token(self, audience, seconds):
        ns, pod_name = self.pod["metadata"]["namespace"], self.pod["metadata"]["name"]
        account = self.pod["spec"].get("serviceAccountName", "default")
        spec = {"expirationSeconds": seconds,
                "boundObjectRef": {"kind": "Pod", "apiVersion": "v1", "name": pod_name,
                                   "uid": self.pod["metadata"].get("uid", "")}}
        if audience:
            spec["audiences"] = [audience]
        review = self.api.create(f"/api/v1/namespaces/{ns}/serviceaccounts/{account}/token",
                                 {"apiVersion": "authentication.k8s.io/v1",
                                  "kind": "TokenRequest", "spec": spec})
        return review["status"]["token"].encode()

    def _write_token(self, file, audience, seconds):
        write_atomically(file, self._request_token(audience, seconds), 0o600, self.owner)
        self.tokens = [t for t in self.tokens if t[0] != file]
        self.tokens.append((file, audience, seconds, time.monotonic()))

    def _projected(self, target, sources):
        for source in sources:
            if "serviceAccountToken" in source:
                token = source["serviceAccountToken"]
                self._write_token(os.path.join(target, token["path"]), token.get("audience", ""),
                                  int(token.get("expirationSeconds", 3600)))
            elif "configMap" in source or "secret" in source:
                kind = "ConfigMap" if "configMap" in source else "Secret"
                spec = source["configMap" if kind == "ConfigMap" else "secret"]
                data = self._object_data(kind, spec["name"], spec.get("optional", False))
                self._write_keys(target, data, spec.get("items"), 0o644)
            elif "downwardAPI" in source:
                for item in source["downwardAPI"].get("items", []):
                    value = field_value(self.pod, item["fieldRef"]["fieldPath"])
                    write_atomically(os.path.join(target, item["path"]), value.encode())

    def materialise(self):
        """Writes every volume; returns {mountPath: host directory} for the
        containers' mounts (the automatic token volume included)."""
        mounts = {}
        for volume in self.pod["spec"].get("volumes", []):
            target = self.path_of(volume["name"])
            os.makedirs(target, exist_ok=True)
            if "projected" in volume:
                self._projected(target, volume["projected"].get("sources", []))
            elif "configMap" in volume:
                spec = volume["configMap"]
                self._write_keys(target, self._object_data("ConfigMap", spec["name"],
                                                           spec.get("optional", False)),
                                 spec.get("items"), spec.get("defaultMode", 0o644))
            elif "secret" in volume:
                spec = volume["secret"]
                self._write_keys(target, self._object_data("Secret", spec["secretName"],
                                                           spec.get("optional", False)),
                                 spec.get("items"), spec.get("defaultMode", 0o644))
            elif "emptyDir" not in volume:
                raise VolumeError(f"volume {volume['name']}: only projected, configMap, secret "
                                  "and emptyDir volumes run in the sandbox")
        for container in self.pod["spec"]["containers"]:
            for mount in container.get("volumeMounts", []):
                mounts[mount["mountPath"]] = self.path_of(mount["name"])
        if self.pod["spec"].get("automountServiceAccountToken", True) and \
                SERVICE_ACCOUNT_DIR not in mounts:
            target = self.path_of("kube-api-access")
            self._write_token(os.path.join(target, "token"), "", DEFAULT_TOKEN_SECONDS)
            self._write_keys(target, self._object_data("ConfigMap", "kube-root-ca.crt", False),
                             [{"key": "ca.crt"}], 0o644)
            write_atomically(os.path.join(target, "namespace"),
                             self.pod["metadata"]["namespace"].encode())
            mounts[SERVICE_ACCOUNT_DIR] = target
        return mounts

    def renew_tokens(self):
        for file, audience, seconds, written in list(self.tokens):
            if time.monotonic() - written >= 0.8 * seconds:
                self._write_token(file, audience, seconds)
