"""List-then-watch caches of one resource across all namespaces, as a kubelet
and a controller keep them: a watch that ends resumes from its last version,
one that is too old (410) re-lists."""
import threading
import time

from api import ApiError


class Informer:
    def __init__(self, api, path, on_change, log):
        self.api = api
        self.path = path
        self.on_change = on_change
        self.log = log
        self.objects = {}  # (namespace, name) -> object
        self.lock = threading.Lock()
        self.synced = threading.Event()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"informer {path}", daemon=True)

    def start(self):
        self.thread.start()

    def snapshot(self):
        with self.lock:
            return dict(self.objects)

    @staticmethod
    def key(item):
        metadata = item["metadata"]
        return metadata.get("namespace", ""), metadata["name"]

    def _apply(self, kind, item):
        with self.lock:
            if kind == "DELETED":
                self.objects.pop(self.key(item), None)
            else:
                self.objects[self.key(item)] = item
        self.on_change()

    def _relist(self):
        listing = self.api.get(self.path)
        with self.lock:
            self.objects = {self.key(item): item for item in listing.get("items", [])}
        self.synced.set()
        self.on_change()
        return listing["metadata"]["resourceVersion"]

    def _run(self):
        version = None
        while not self.stop.is_set():
            try:
                if version is None:
                    version = self._relist()
                version = self.api.watch(self.path, version, self._apply, self.stop)
            except ApiError as error:
                if error.status == 410:
                    version = None
                    continue
                self.log(f"watch {self.path}: {error}; retrying")
                version = None
                self.stop.wait(1)
            except (OSError, ValueError) as error:
                self.log(f"watch {self.path}: {error}; retrying")
                version = None
                self.stop.wait(1)


def wait_synced(informers, timeout):
    deadline = time.monotonic() + timeout
    for informer in informers:
        if not informer.synced.wait(max(0.0, deadline - time.monotonic())):
            raise TimeoutError(f"no initial list of {informer.path} within {timeout}s")
