"""core/v1 Events as the kubelet and controllers record them: a repeat of the
same reason and message on the same object bumps `count` instead of adding
another Event (client-go's event correlator)."""
import datetime
import secrets
import threading

from api import ApiError


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class EventRecorder:
    def __init__(self, api, component, host, log):
        self.api = api
        self.component = component
        self.host = host
        self.log = log
        self.seen = {}  # (uid, fieldPath, reason, message) -> (namespace, name, count)
        self.lock = threading.Lock()

    def record(self, obj, kind, reason, message, event_type="Normal", field_path=""):
        metadata = obj["metadata"]
        namespace = metadata.get("namespace", "default")
        key = (metadata.get("uid"), field_path, reason, message)
        stamp = now_rfc3339()
        with self.lock:
            previous = self.seen.get(key)
        try:
            if previous:
                ns, name, count = previous
                self.api.merge_patch(f"/api/v1/namespaces/{ns}/events/{name}",
                                     {"count": count + 1, "lastTimestamp": stamp})
                with self.lock:
                    self.seen[key] = (ns, name, count + 1)
                return
            name = f"{metadata['name']}.{secrets.token_hex(8)}"
            involved = {"kind": kind, "namespace": namespace, "name": metadata["name"],
                        "uid": metadata.get("uid", ""),
                        "apiVersion": obj.get("apiVersion", "v1"),
                        "resourceVersion": metadata.get("resourceVersion", "")}
            if field_path:
                involved["fieldPath"] = field_path
            self.api.create(f"/api/v1/namespaces/{namespace}/events", {
                "apiVersion": "v1", "kind": "Event",
                "metadata": {"name": name, "namespace": namespace},
                "involvedObject": involved, "reason": reason, "message": message,
                "type": event_type, "count": 1, "firstTimestamp": stamp, "lastTimestamp": stamp,
                "source": {"component": self.component, "host": self.host},
                "reportingComponent": self.component, "reportingInstance": self.host})
            with self.lock:
                self.seen[key] = (namespace, name, 1)
        except (ApiError, OSError) as error:
            # An object deleted meanwhile takes its namespace's events with it.
            self.log(f"event {reason} on {namespace}/{metadata['name']} not recorded: {error}")
