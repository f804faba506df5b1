"""The sandbox kubelet: one node that runs every Pod of the simulated cluster.

  python3 tests/sandbox/kubelet --kubeconfig K --state DIR --registry-certs DIR
                                [--registry-mirror FROM=TO] [--service-hosts FILE --dnsmasq-pid N]

Every Pod's image is pulled with skopeo (the Pod's imagePullSecrets); an image
with an entrypoint is unpacked and its containers run from that root file
system (chroot, the image's user); others only count as running. Deployments get their Pods
from the folded-in Deployment controller. `DIR/processes.json` maps each
running container to its process id (tests kill them by it)."""
import argparse
import ipaddress
import json
import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from api import KubeApi  # noqa: E402
from deployments import DeploymentController  # noqa: E402
from events import EventRecorder  # noqa: E402
from image_puller import ImagePuller  # noqa: E402
from informer import Informer, wait_synced  # noqa: E402
from pod_workers import PodWorkerThread  # noqa: E402
from pods import PodWorker  # noqa: E402
from services import ServiceDns  # noqa: E402

POD_NETWORK = ipaddress.ip_network("127.1.0.0/16")


def args_text(mirror):
    return f"{mirror[0]} -> {mirror[1]}"


class Node:
    def __init__(self, args):
        self.name = "sandbox"
        self.host_ip = "127.0.0.1"
        self.api = KubeApi(args.kubeconfig)
        self.state = os.path.abspath(args.state)
        self.pods_dir = os.path.join(self.state, "pods")
        os.makedirs(self.pods_dir, exist_ok=True)
        self.resolv_conf = args.resolv_conf
        self.trust_bundle = args.trust_bundle
        self.backoff = args.backoff
        self.events = EventRecorder(self.api, "kubelet", self.name, self.log)
        self.scheduler_events = EventRecorder(self.api, "default-scheduler", "", self.log)
        self.puller = ImagePuller(args.registry_certs, self.state,
                                  [m.split("=", 1) for m in args.registry_mirror])
        self.present_images = {}
        self.workers = {}  # pod uid -> PodWorkerThread
        self.used_ips = set()
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.pods = Informer(self.api, "/api/v1/pods", self.wake.set, self.log)
        self.deployments = Informer(self.api, "/apis/apps/v1/deployments", self.wake.set,
                                    self.log)
        self.services = Informer(self.api, "/api/v1/services", self.wake.set, self.log)
        self.controller = DeploymentController(self.api, EventRecorder(
            self.api, "deployment-controller", "", self.log), self.log)
        self.service_dns = ServiceDns(args.service_hosts, args.dnsmasq_pid) \
            if args.service_hosts else None
        self.written_processes = None

    @staticmethod
    def log(message):
        print(f"{time.strftime('%H:%M:%S')} kubelet: {message}", flush=True)

    def allocate_ip(self):
        for host in POD_NETWORK.hosts():
            address = str(host)
            if address not in self.used_ips and not address.endswith((".0", ".255")):
                self.used_ips.add(address)
                return address
        raise RuntimeError("the sandbox pod network 127.1.0.0/16 is full")

    def run(self):
        for informer in (self.pods, self.deployments, self.services):
            informer.start()
        wait_synced([self.pods, self.deployments, self.services], 30)
        self.log("ready; mirrors " + ", ".join(args_text(m) for m in self.puller.mirrors))
        while not self.stopping.is_set():
            self.wake.wait(0.25)
            self.wake.clear()
            try:
                self.sync()
            except Exception as error:  # an API hiccup must not stop the node
                self.log(f"sync failed: {error!r}")
        self.shutdown()

    def sync(self):
        pods = self.pods.snapshot()
        self.controller.sync(self.deployments.snapshot(), pods)
        live = set()
        for pod in pods.values():
            uid = pod["metadata"]["uid"]
            if pod["metadata"].get("deletionTimestamp"):
                continue
            live.add(uid)
            thread = self.workers.get(uid)
            if thread is None:
                ip = pod.get("status", {}).get("podIP") or self.allocate_ip()
                self.used_ips.add(ip)
                self.workers[uid] = PodWorkerThread(PodWorker(self, pod, ip), self.log)
            else:
                thread.update(pod)
        for uid in [uid for uid in self.workers if uid not in live]:
            thread = self.workers.pop(uid)
            threading.Thread(target=thread.stop, daemon=True).start()
            self.used_ips.discard(thread.worker.ip)
        if self.service_dns:
            self.service_dns.sync(self.services.snapshot(), pods)
        self.write_processes()

    def write_processes(self):
        processes = {}
        for thread in self.workers.values():
            worker = thread.worker
            for container in worker.containers:
                if container.process is not None:
                    processes.setdefault(worker.ref, {})[container.name] = container.process.pid
        if processes == self.written_processes:
            return
        temporary = os.path.join(self.state, "processes.json.tmp")
        with open(temporary, "w") as f:
            json.dump(processes, f, indent=1, sort_keys=True)
        os.replace(temporary, os.path.join(self.state, "processes.json"))
        self.written_processes = processes

    def shutdown(self):
        self.log("stopping every container")
        threads = [threading.Thread(target=w.stop) for w in self.workers.values()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kubeconfig", required=True)
    parser.add_argument("--state", required=True)
    parser.add_argument("--registry-mirror", action="append", default=[],
                        help="FROM=TO: pull images under the prefix FROM (host/path) from TO "
                             "(host[/path]), as containerd's hosts.toml mirrors do")
    parser.add_argument("--registry-certs", required=True,
                        help="a directory of CA certificates (*.crt) trusted for pulls")
    parser.add_argument("--resolv-conf", default="/etc/resolv.conf")
    parser.add_argument("--trust-bundle",
                        help="CA bundle agent containers see as the system trust store")
    parser.add_argument("--service-hosts", help="hosts file of Service names for dnsmasq")
    parser.add_argument("--dnsmasq-pid", type=int, default=0)
    parser.add_argument("--backoff", type=float, default=1.0,
                        help="first restart/pull back-off in seconds (the kubelet's is 10)")
    args = parser.parse_args()
    node = Node(args)
    signal.signal(signal.SIGTERM, lambda *_: node.stopping.set())
    signal.signal(signal.SIGINT, lambda *_: node.stopping.set())
    node.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
