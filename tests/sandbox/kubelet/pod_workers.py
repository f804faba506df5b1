"""One thread per Pod, as the kubelet's pod workers have one goroutine per Pod
(pkg/kubelet/pod_workers.go, podWorkers.UpdatePod starts podWorkerLoop for a
new UID and hands it each update): a slow Pod (a probe timing out, a volume's
API calls, a process start) never holds up the others."""
import threading

# How often a worker syncs its Pod when nothing changed: probes and back-offs
# fall due on this tick (the kubelet's resync is coarser; this keeps tests quick).
RESYNC_SECONDS = 0.25


class PodWorkerThread:
    def __init__(self, worker, log):
        self.worker = worker
        self.log = log
        self.lock = threading.Lock()
        self.latest = worker.pod
        self.wake = threading.Event()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True,
                                       name=f"pod {worker.ref}")
        self.thread.start()

    def update(self, pod):
        """Hands the worker the newest version of its Pod; only the last counts."""
        with self.lock:
            self.latest = pod
        self.wake.set()

    def _loop(self):
        while not self.stopped.is_set():
            with self.lock:
                pod = self.latest
            try:
                self.worker.sync(pod)
            except Exception as error:  # one Pod's trouble must not stop its worker
                self.log(f"{self.worker.ref}: sync failed: {error!r}")
            self.wake.wait(RESYNC_SECONDS)
            self.wake.clear()

    def stop(self):
        """Ends the loop (a sync under way finishes first), then kills the containers."""
        self.stopped.set()
        self.wake.set()
        self.thread.join()
        self.worker.stop()
