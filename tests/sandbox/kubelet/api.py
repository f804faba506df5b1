"""A small Kubernetes REST client for the sandbox kubelet: JSON in and out over
HTTPS with the kubeconfig's CA and bearer token, and streamed watches."""
import http.client
import json
import os
import ssl
import threading
import urllib.parse

import yaml


class ApiError(Exception):
    def __init__(self, status, message):
        super().__init__(f"HTTP {status}: {message}")
        self.status = status


class KubeApi:
    def __init__(self, kubeconfig_path):
        with open(kubeconfig_path) as f:
            config = yaml.safe_load(f)
        context_name = config["current-context"]
        context = next(c["context"] for c in config["contexts"] if c["name"] == context_name)
        cluster = next(c["cluster"] for c in config["clusters"] if c["name"] == context["cluster"])
        user = next(u["user"] for u in config["users"] if u["name"] == context["user"])
        server = urllib.parse.urlparse(cluster["server"])
        self.host, self.port = server.hostname, server.port or 443
        ca = cluster["certificate-authority"]
        if not os.path.isabs(ca):
            ca = os.path.join(os.path.dirname(kubeconfig_path), ca)
        self.ca_file = ca
        self.tls = ssl.create_default_context(cafile=ca)
        self.token = user["token"]
        # One kept-alive connection per thread, as client-go's transport reuses
        # its connections: a TLS handshake per request costs more than the request.
        self.local = threading.local()

    @property
    def server(self):
        return f"https://{self.host}:{self.port}"

    def _connection(self, timeout):
        return http.client.HTTPSConnection(self.host, self.port, context=self.tls, timeout=timeout)

    def _kept_connection(self, timeout):
        """This thread's connection (new when it has none) and whether it is new."""
        connection = getattr(self.local, "connection", None)
        fresh = connection is None
        if fresh:
            connection = self.local.connection = self._connection(timeout)
        connection.timeout = timeout
        if connection.sock is not None:
            connection.sock.settimeout(timeout)
        return connection, fresh

    def _drop_connection(self):
        connection = getattr(self.local, "connection", None)
        self.local.connection = None
        if connection is not None:
            connection.close()

    def request(self, method, path, body=None, content_type="application/json", timeout=30):
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json",
                   "User-Agent": "harborrobot-sandbox-kubelet"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = content_type
        while True:
            connection, fresh = self._kept_connection(timeout)
            try:
                connection.request(method, path, body=data, headers=headers)
                response = connection.getresponse()
                payload = response.read()
            except TimeoutError:
                # The server may have acted on it: never sent twice.
                self._drop_connection()
                raise
            except (http.client.HTTPException, OSError):
                # A kept connection the server closed while idle fails at once
                # (a reset, a broken pipe, TLS's EOF, no status line): once more on
                # a new one, as urllib3 does for a stale pooled connection. A new
                # connection's failure is the answer.
                self._drop_connection()
                if fresh:
                    raise
                continue
            except BaseException:
                self._drop_connection()
                raise
            if response.will_close:
                self._drop_connection()
            break
        if response.status >= 300:
            try:
                message = json.loads(payload).get("message", payload.decode(errors="replace"))
            except ValueError:
                message = payload.decode(errors="replace")
            raise ApiError(response.status, message)
        return json.loads(payload) if payload else {}

    def get(self, path):
        return self.request("GET", path)

    def create(self, path, body):
        return self.request("POST", path, body)

    def merge_patch(self, path, body):
        return self.request("PATCH", path, body, "application/merge-patch+json")

    def delete(self, path):
        try:
            return self.request("DELETE", path)
        except ApiError as error:
            if error.status != 404:
                raise
            return {}

    def watch(self, path, resource_version, on_event, stop, timeout_seconds=60):
        """Streams watch events to on_event(type, object) until the server ends
        the watch or `stop` is set. Returns the last resourceVersion seen; raises
        ApiError(410) when the version is too old."""
        query = urllib.parse.urlencode({"watch": "1", "resourceVersion": resource_version,
                                        "allowWatchBookmarks": "true",
                                        "timeoutSeconds": str(timeout_seconds)})
        connection = self._connection(timeout_seconds + 15)
        try:
            connection.request("GET", f"{path}?{query}",
                               headers={"Authorization": f"Bearer {self.token}",
                                        "Accept": "application/json"})
            response = connection.getresponse()
            if response.status != 200:
                raise ApiError(response.status, response.read().decode(errors="replace"))
            while not stop.is_set():
                line = response.readline()
                if not line:
                    break
                event = json.loads(line)
                if event["type"] == "ERROR":
                    raise ApiError(event["object"].get("code", 500),
                                   event["object"].get("message", ""))
                resource_version = event["object"]["metadata"].get("resourceVersion",
                                                                   resource_version)
                if event["type"] != "BOOKMARK":
                    on_event(event["type"], event["object"])
            return resource_version
        finally:
            connection.close()
