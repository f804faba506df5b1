"""Cluster DNS for Services, the sandbox's stand-in for kube-proxy and CoreDNS:
`<service>.<namespace>.svc` and `….svc.cluster.local` resolve, through the
sandbox's dnsmasq, to the IPs of the ready Pods the Service selects (each Pod
has its own loopback address, so ports need no translation)."""
import os
import signal


def selects(selector, pod):
    labels = pod["metadata"].get("labels", {})
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def ready(pod):
    return pod.get("status", {}).get("podIP") and any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in pod.get("status", {}).get("conditions", []))


class ServiceDns:
    def __init__(self, hosts_file, dnsmasq_pid):
        self.hosts_file = hosts_file
        self.dnsmasq_pid = dnsmasq_pid
        self.written = None

    def sync(self, services, pods):
        lines = []
        for (ns, name), service in sorted(services.items()):
            selector = service.get("spec", {}).get("selector", {})
            names = f"{name}.{ns}.svc {name}.{ns}.svc.cluster.local"
            for pod in sorted(pods.values(), key=lambda p: p["metadata"]["name"]):
                if pod["metadata"]["namespace"] == ns and selects(selector, pod) and ready(pod):
                    lines.append(f"{pod['status']['podIP']} {names}")
        text = "\n".join(lines) + "\n"
        if text == self.written:
            return
        temporary = self.hosts_file + ".tmp"
        with open(temporary, "w") as f:
            f.write(text)
        os.replace(temporary, self.hosts_file)
        self.written = text
        if self.dnsmasq_pid:
            try:
                os.kill(self.dnsmasq_pid, signal.SIGHUP)
            except ProcessLookupError:
                pass
