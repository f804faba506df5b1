#!/usr/bin/env python3
"""The sandbox's kubelet, driven only through the real kubectl and processes:
- a Pod without pull credentials ends in ErrImagePull/ImagePullBackOff with the
  kubelet's events; with a dockerconfigjson Secret of a Harbor robot attached to
  `default`, `kubectl run` gives a Running Pod (the Secret copied into the Pod
  by ServiceAccount admission);
- an agent Deployment with the default image (the node mirrors it to harbor-1's
  `library`, where `sandbox up` pushed the build's image) runs harborrobot-agent
  from that image's root as user 65532, with the in-cluster files at their real
  paths (it records Events on its own Pod with them), gets Ready from its
  /readyz probe, and a kill -9 is restarted and counted;
- a deliberately broken image (no libharborrobot.so) crash-loops with the
  loader's message in the Pod's status and events;
- `down` leaves no process behind.
usage: kubelet_test.py <build dir>   (needs root; exits 77 otherwise)"""
import base64
import json
import os
import signal
import ssl
import subprocess
import sys
import urllib.request

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
SANDBOX = os.path.join(HERE, "sandbox")
IMAGE = "harbor-1.example.com/team1/busybox:stable"
sys.path.insert(0, os.path.join(HERE, "..", "sim", "harbor", "tests"))
from harness import expect_equal, expect_true, wait_for  # noqa: E402
from sandbox_test import sandbox, sandbox_up  # noqa: E402
sys.path.insert(0, os.path.join(HERE, "..", "..", "krew"))
import oci_image  # noqa: E402

WATCHDOG_CONFIG = """\
condition_check_script: /var/run/failover/condition_check.sh
start_script: /var/run/failover/start.sh
stop_script: /var/run/failover/stop.sh
status_script: /var/run/failover/status.sh
check_interval: 1s
failure_threshold: 3
script_timeout: 10s
"""


def agent_manifests(image):
    scripts = {"condition_check.sh": "#!/bin/sh\necho start\n",
               "status.sh": "#!/bin/sh\necho stopped\n",
               "start.sh": "#!/bin/sh\nexit 0\n", "stop.sh": "#!/bin/sh\nexit 0\n"}
    config_map = {"apiVersion": "v1", "kind": "ConfigMap",
                  "metadata": {"name": "watchdog", "namespace": "default"},
                  "data": dict(scripts, **{"config.yaml": WATCHDOG_CONFIG})}
    env = [{"name": name, "valueFrom": {"fieldRef": {"fieldPath": path}}}
           for name, path in (("POD_NAME", "metadata.name"), ("POD_NAMESPACE",
                                                               "metadata.namespace"),
                              ("POD_UID", "metadata.uid"), ("POD_IP", "status.podIP"))]
    deployment = {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "watchdog", "namespace": "default"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "watchdog"}},
                 "template": {
                     "metadata": {"labels": {"app": "watchdog"}},
                     "spec": {"containers": [{
                         "name": "agent", "image": image,
                         "args": ["failover", "--config", "/var/run/failover/config.yaml",
                                  "--listen", "$(POD_IP):8080"],
                         "env": env,
                         "ports": [{"name": "health", "containerPort": 8080}],
                         "readinessProbe": {"httpGet": {"path": "/readyz", "port": "health"},
                                            "periodSeconds": 1},
                         "volumeMounts": [{"name": "scripts",
                                           "mountPath": "/var/run/failover"}]}],
                         "volumes": [{"name": "scripts",
                                      "configMap": {"name": "watchdog", "defaultMode": 0o755}}]}}}}
    # RBAC is enforced: the agent may record Events, nothing more.
    role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
            "metadata": {"name": "watchdog-events", "namespace": "default"},
            "rules": [{"apiGroups": [""], "resources": ["events"], "verbs": ["create", "patch"]}]}
    binding = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
               "metadata": {"name": "watchdog-events", "namespace": "default"},
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role",
                           "name": "watchdog-events"},
               "subjects": [{"kind": "ServiceAccount", "name": "default",
                             "namespace": "default"}]}
    service = {"apiVersion": "v1", "kind": "Service",
               "metadata": {"name": "watchdog", "namespace": "default"},
               "spec": {"selector": {"app": "watchdog"},
                        "ports": [{"port": 8080, "targetPort": "health"}]}}
    return yaml.safe_dump_all([role, binding, config_map, deployment, service])


def main():
    if os.geteuid() != 0:
        print("kubelet_test needs root (port 443, 53 and private mount namespaces)")
        return 77
    build = sys.argv[1]
    with sandbox_up(build, "harborrobot-kubelet-") as state:
        with open(os.path.join(state, "sandbox.json")) as f:
            record = json.load(f)
        env = dict(os.environ, KUBECONFIG=record["components"]["kube"]["kubeconfig"])

        def kubectl(*args, stdin=None, check=True):
            done = subprocess.run(["kubectl", *args], env=env, input=stdin, capture_output=True,
                                  text=True, timeout=60)
            if check and done.returncode != 0:
                raise AssertionError(f"kubectl {' '.join(args)}: {done.stderr}")
            return done.stdout

        def pod(name):
            return json.loads(kubectl("get", "pod", name, "-o", "json"))

        def waiting_reason(name):
            statuses = pod(name).get("status", {}).get("containerStatuses", [])
            return statuses[0]["state"].get("waiting", {}).get("reason") if statuses else None

        # Without credentials: the kubelet's pull failure and back-off.
        kubectl("run", "nopull", f"--image={IMAGE}")
        wait_for(lambda: waiting_reason("nopull") in ("ErrImagePull", "ImagePullBackOff"),
                 "nopull to fail its pull", timeout=30)
        events = kubectl("get", "events", "--field-selector", "involvedObject.name=nopull",
                         "-o", "jsonpath={range .items[*]}{.reason}: {.message}{'\\n'}{end}")
        expect_true(f'Failed: Failed to pull image "{IMAGE}"' in events and
                    "unauthorized" in events, f"the pull failure is an event: {events}")
        expect_true("Failed: Error: ErrImagePull" in events, "and ErrImagePull is named")
        wait_for(lambda: waiting_reason("nopull") == "ImagePullBackOff", "the back-off",
                 timeout=30)

        # A robot of project team1 on harbor-1, by hand, as the Secret's owner.
        harbor = record["components"]["harbor-1"]
        context = ssl.create_default_context(cafile=harbor["ca"])
        context.check_hostname = False
        body = json.dumps({"name": "pull", "level": "project", "duration": -1, "permissions": [
            {"kind": "project", "namespace": "team1",
             "access": [{"resource": "repository", "action": "pull"}]}]}).encode()
        request = urllib.request.Request(
            f"https://{harbor['address']}/api/v2.0/robots", data=body, method="POST",
            headers={"Content-Type": "application/json", "Authorization": "Basic " +
                     base64.b64encode(b"admin:Harbor12345").decode()})
        with urllib.request.urlopen(request, context=context, timeout=30) as answer:
            robot = json.load(answer)
        kubectl("create", "secret", "docker-registry", "harbor-pull",
                "--docker-server=harbor-1.example.com", f"--docker-username={robot['name']}",
                f"--docker-password={robot['secret']}")
        kubectl("patch", "serviceaccount", "default", "-p",
                '{"imagePullSecrets":[{"name":"harbor-pull"}]}')
        kubectl("run", "demo", f"--image={IMAGE}")
        wait_for(lambda: pod("demo").get("status", {}).get("phase") == "Running",
                 "demo to run", timeout=30)
        expect_equal(pod("demo")["spec"].get("imagePullSecrets"), [{"name": "harbor-pull"}],
                     "admission copied the ServiceAccount's pull secret into the Pod")
        row = kubectl("get", "pod", "demo", "--no-headers").split()
        expect_equal(row[1:4], ["1/1", "Running", "0"], "kubectl get pod shows it Running")
        expect_true("Successfully pulled image" in kubectl("describe", "pod", "demo"),
                    "describe shows the pull")
        expect_true(robot["secret"] not in kubectl("get", "events", "-o", "json"),
                    "no event carries the robot's secret")

        # An agent Deployment: a real harborrobot-agent process.
        version = oci_image.version_of(build)
        kubectl("apply", "-f", "-",
                stdin=agent_manifests(f"ghcr.io/harborrobot/harborrobot-agent:{version}"))

        def deployment_ready():
            status = json.loads(kubectl("get", "deployment", "watchdog", "-o", "json")).get(
                "status", {})
            return status.get("readyReplicas") == 1 and status.get("updatedReplicas") == 1
        wait_for(deployment_ready, "the agent Deployment to be ready", timeout=30)
        expect_equal(kubectl("get", "deployment", "watchdog", "--no-headers").split()[1], "1/1",
                     "kubectl shows the Deployment ready")
        pod_name = kubectl("get", "pods", "-l", "app=watchdog", "-o",
                           "jsonpath={.items[0].metadata.name}")
        pod_ip = pod(pod_name)["status"]["podIP"]

        # The Service name resolves (sandbox DNS) to the ready Pod, and reaches it.
        def service_answer():
            done = sandbox(state, build, "exec", "--", "curl", "-sf",
                           "http://watchdog.default.svc:8080/readyz", check=False)
            return done.returncode == 0 and done.stdout
        wait_for(service_answer, "watchdog.default.svc to answer", timeout=30)
        resolved = sandbox(state, build, "exec", "--", "getent", "hosts",
                           "watchdog.default.svc.cluster.local").stdout.split()
        expect_equal(resolved[:1], [pod_ip], "the Service name resolves to the Pod's IP")

        def agent_events():
            return kubectl("get", "events", "--field-selector",
                           f"involvedObject.name={pod_name}", "-o",
                           "jsonpath={range .items[*]}{.source.component}/{.reason}{'\\n'}{end}")
        # The watchdog's own Events prove the token, ca.crt and namespace files.
        wait_for(lambda: "harborrobot-failover/" in agent_events(),
                 "the agent to record events with its in-cluster credentials", timeout=30)

        processes_file = os.path.join(state, "kubelet", "processes.json")

        def agent_pid():
            try:
                with open(processes_file) as f:
                    return json.load(f).get(f"default/{pod_name}", {}).get("agent")
            except (OSError, ValueError):
                return None
        first = agent_pid()
        expect_true(first is not None, "the kubelet reports the agent's process")
        with open(f"/proc/{first}/cmdline", "rb") as f:
            expect_true(f.read().startswith(b"/usr/local/bin/harborrobot-agent\0failover"),
                        "it is the image's harborrobot-agent")
        expect_equal(os.stat(f"/proc/{first}").st_uid, 65532, "it runs as the image's user")
        root = os.readlink(f"/proc/{first}/root")
        expect_true(root.startswith(state) and root.endswith("agent.root/root"),
                    f"its root is the image's (an overlay in the Pod's directory): {root}")
        with open(f"/proc/{first}/maps") as f:
            mapped = {line.split()[-1] for line in f if line.split()[-1].startswith("/")}
        # Seen from the node, every file it maps lies inside the image's root.
        expect_true(all(path.startswith(root + "/") for path in mapped) and
                    root + "/usr/local/lib/libharborrobot.so.0" in mapped and
                    root + "/usr/lib/x86_64-linux-gnu/libc.so.6" in mapped,
                    f"its libraries come from the image: {sorted(mapped)}")
        os.kill(first, signal.SIGKILL)

        def restarted():
            statuses = pod(pod_name)["status"]["containerStatuses"]
            return statuses[0]["restartCount"] == 1 and statuses[0]["ready"]
        wait_for(restarted, "the kubelet to restart the agent", timeout=30)
        status = pod(pod_name)["status"]["containerStatuses"][0]
        expect_equal(status["lastState"]["terminated"]["exitCode"], 137,
                     "the kill is recorded as exit code 137")
        expect_true(agent_pid() not in (None, first), "a new process runs")
        expect_equal(kubectl("get", "pod", pod_name, "--no-headers").split()[3], "1",
                     "kubectl shows one restart")

        # A broken image: the loader's message, in the status and the events.
        broken = oci_image.pack(build, os.path.join(state, "broken-image"), version,
                                omit=["usr/local/lib/libharborrobot.so.0"], name="broken")
        certs = os.path.join(state, "push-certs")
        pushed = sandbox(state, build, "exec", "--", "skopeo", "copy", "--quiet",
                         "--dest-cert-dir", certs, "--dest-creds", "admin:Harbor12345",
                         f"oci-archive:{broken['archive']}",
                         "docker://harbor-1.example.com/library/harborrobot-agent:broken",
                         check=False)
        expect_equal(pushed.returncode, 0, f"the broken image is pushed: {pushed.stderr}")
        kubectl("run", "broken", "--image=harbor-1.example.com/library/harborrobot-agent:broken",
                "--", "--version")
        loader = "libharborrobot.so.0: cannot open shared object file"

        def crash_looping():
            statuses = pod("broken").get("status", {}).get("containerStatuses", [])
            if not statuses or statuses[0]["restartCount"] < 1:
                return None
            return statuses[0]
        status = wait_for(crash_looping, "the broken Pod to crash-loop", timeout=60)
        terminated = status["lastState"]["terminated"]
        expect_equal(terminated["exitCode"], 127, "the loader's exit code")
        expect_true(loader in terminated.get("message", ""), f"status: {terminated}")
        wait_for(lambda: loader in kubectl("get", "events", "--field-selector",
                                           "involvedObject.name=broken"),
                 "an event with the loader's message", timeout=30)
        expect_true("CrashLoopBackOff" in kubectl("get", "pod", "broken", "-o",
                                                  "jsonpath={.status.containerStatuses[0]."
                                                  "state.waiting.reason}") or
                    status["state"].get("running") is not None, "CrashLoopBackOff")
        kubectl("delete", "pod", "broken", "--wait=false")

        # Deleting the Deployment stops its process.
        second = agent_pid()
        kubectl("delete", "deployment", "watchdog")
        wait_for(lambda: not os.path.exists(f"/proc/{second}"), "the agent to stop", timeout=30)

    print("kubelet_test: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
