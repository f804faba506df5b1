"""One Pod's life on the sandbox node: every container's image pulled; one with
an entrypoint run from its own root file system, restarted with back-off and
probed (an image without one, like the seeded stand-ins, only counts as
running); its status and events written as the kubelet writes them."""
import datetime
import os
import shutil
import signal
import ssl
import subprocess
import threading
import time
import urllib.request

from api import ApiError
from containers import container_argv, container_env, run_as, start_container
from image_puller import credentials_from_secret
from volumes import PodVolumes, VolumeError


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Backoff:
    """The kubelet's doubling back-off; `base` scales its 10 s start and 300 s cap."""

    def __init__(self, base):
        self.base = base
        self.delay = 0.0

    def next(self):
        self.delay = self.base if self.delay == 0 else min(self.delay * 2, self.base * 30)
        return self.delay

    def reset(self):
        self.delay = 0.0


class Probe:
    def __init__(self, spec, pod_ip, container):
        self.spec = spec
        self.pod_ip = pod_ip
        self.container = container
        self.successes = 0
        self.failures = 0
        self.next_at = time.monotonic() + spec.get("initialDelaySeconds", 0)
        self.healthy = None
        self.last_error = ""

    def _port(self, value):
        if isinstance(value, int):
            return value
        for port in self.container.get("ports", []):
            if port.get("name") == value:
                return port["containerPort"]
        raise ValueError(f"port {value!r} is not a named container port")

    def due(self):
        return time.monotonic() >= self.next_at

    def run(self):
        self.next_at = time.monotonic() + self.spec.get("periodSeconds", 10)
        get = self.spec.get("httpGet")
        ok = True
        if get:
            scheme = get.get("scheme", "HTTP").lower()
            url = f"{scheme}://{get.get('host') or self.pod_ip}:{self._port(get['port'])}" \
                  f"{get.get('path', '/')}"
            context = ssl._create_unverified_context() if scheme == "https" else None
            try:
                with urllib.request.urlopen(url, timeout=self.spec.get("timeoutSeconds", 1),
                                            context=context) as response:
                    ok = 200 <= response.status < 400
                    self.last_error = f"HTTP probe failed with statuscode: {response.status}"
            except urllib.error.HTTPError as error:
                ok = False
                self.last_error = f"HTTP probe failed with statuscode: {error.code}"
            except (OSError, ValueError) as error:
                ok = False
                reason = getattr(error, "reason", error)
                self.last_error = f'Get "{url}": {reason}'
        if ok:
            self.successes, self.failures = self.successes + 1, 0
            if self.successes >= self.spec.get("successThreshold", 1):
                self.healthy = True
        else:
            self.failures, self.successes = self.failures + 1, 0
            if self.failures >= self.spec.get("failureThreshold", 3):
                self.healthy = False
        return ok


class Container:
    def __init__(self, spec, backoff_base):
        self.spec = spec
        self.name = spec["name"]
        self.image = spec["image"]
        self.agent = False  # runs a process: known once its image is pulled
        self.rootfs = None
        self.image_config = {}
        self.state = "waiting"
        self.reason = "ContainerCreating"
        self.message = ""
        self.started_at = None
        self.started_monotonic = 0.0
        self.restart_count = 0
        self.last_terminated = None
        self.next_attempt = 0.0
        self.backoff = Backoff(backoff_base)
        self.process = None
        self.ready = False
        self.image_id = ""
        self.readiness = None
        self.liveness = None
        self.pull_thread = None
        self.pull_result = None
        self.ever_started = False


class PodWorker:
    def __init__(self, node, pod, pod_ip):
        self.node = node
        self.uid = pod["metadata"]["uid"]
        self.pod = pod
        self.ip = pod_ip
        self.directory = os.path.join(node.pods_dir, f"{pod['metadata']['namespace']}_"
                                                     f"{pod['metadata']['name']}_{self.uid[:8]}")
        self.start_time = now_rfc3339()
        self.containers = [Container(c, node.backoff) for c in pod["spec"]["containers"]]
        self.volumes = None
        self.volume_mounts = None
        self.published = None
        self.scheduled = False
        self.config_error = ""

    @property
    def ref(self):
        return f"{self.pod['metadata']['namespace']}/{self.pod['metadata']['name']}"

    def event(self, reason, message, event_type="Normal", container=None):
        field = f"spec.containers{{{container.name}}}" if container else ""
        self.node.events.record(self.pod, "Pod", reason, message, event_type, field)

    # ---- the sync loop -----------------------------------------------------
    def sync(self, pod):
        self.pod = pod
        if not self.scheduled:
            self.scheduled = True
            self.node.scheduler_events.record(
                pod, "Pod", "Scheduled",
                f"Successfully assigned {self.ref} to {self.node.name}")
        if self.volumes is not None:
            try:
                self.volumes.renew_tokens()
            except (ApiError, OSError) as error:
                self.node.log(f"{self.ref}: token renewal failed: {error}")
        for container in self.containers:
            if container.agent:
                self._sync_agent(container)
            else:
                self._sync_image(container)
        self.publish()

    def _prepare_volumes(self, owner):
        os.makedirs(self.directory, exist_ok=True)
        volumes = PodVolumes(self.node.api, self.pod, self.directory, owner)
        try:
            self.volume_mounts = volumes.materialise()
            self.volumes = volumes
            self.config_error = ""
            return True
        except (VolumeError, ApiError, KeyError) as error:
            message = f"MountVolume.SetUp failed: {error}"
            if message != self.config_error:
                self.event("FailedMount", message, "Warning")
            self.config_error = message
            return False

    # ---- agent containers: local processes ---------------------------------
    def _sync_agent(self, container):
        now = time.monotonic()
        if container.process is not None:
            code = container.process.poll()
            if code is None:
                self._probe(container)
                return
            self._terminated(container, code)
        if container.state == "waiting" and now >= container.next_attempt:
            self._start_agent(container)

    def _start_agent(self, container):
        config = container.image_config
        base = dict(item.split("=", 1) for item in config.get("Env", []) if "=" in item)
        base.update({"HOSTNAME": self.pod["metadata"]["name"],
                "KUBERNETES_SERVICE_HOST": self.node.api.host,
                "KUBERNETES_SERVICE_PORT": str(self.node.api.port),
                "KUBERNETES_SERVICE_PORT_HTTPS": str(self.node.api.port)})
        status_view = dict(self.pod, status={"podIP": self.ip, "hostIP": self.node.host_ip})
        try:
            env = container_env(self.node.api, status_view, container.spec, base)
            argv = container_argv(container.spec, config, env)
            user = run_as(self.pod, container.spec, config)
        except (VolumeError, ApiError) as error:
            container.state, container.reason = "waiting", "CreateContainerConfigError"
            container.message = str(error)
            container.next_attempt = time.monotonic() + container.backoff.next()
            self.event("Failed", f"Error: {error}", "Warning", container)
            return
        if self.volume_mounts is None and not self._prepare_volumes(user):
            container.next_attempt = time.monotonic() + container.backoff.next()
            return
        if container.ever_started:
            self.event("Pulled", f'Container image "{container.image}" already present on '
                                 "machine", container=container)
        self.event("Created", f"Created container: {container.name}", container=container)
        try:
            container.process = start_container(
                argv, env, container.rootfs, os.path.join(self.directory, f"{container.name}.root"),
                self.volume_mounts, self.node.resolv_conf, user,
                os.path.join(self.directory, f"{container.name}.log"), self.node.trust_bundle)
        except (VolumeError, OSError) as error:
            container.state, container.reason = "waiting", "CreateContainerError"
            container.message = str(error)
            container.next_attempt = time.monotonic() + container.backoff.next()
            self.event("Failed", f"Error: {error}", "Warning", container)
            return
        if container.ever_started:
            container.restart_count += 1
        container.ever_started = True
        container.state, container.reason, container.message = "running", "", ""
        container.started_at = now_rfc3339()
        container.started_monotonic = time.monotonic()
        spec = container.spec
        container.readiness = Probe(spec["readinessProbe"], self.ip, spec) \
            if "readinessProbe" in spec else None
        container.liveness = Probe(spec["livenessProbe"], self.ip, spec) \
            if "livenessProbe" in spec else None
        container.ready = container.readiness is None
        self.event("Started", f"Started container {container.name}", container=container)

    def _probe(self, container):
        if container.liveness and container.liveness.due():
            if not container.liveness.run():
                self.event("Unhealthy", f"Liveness probe failed: {container.liveness.last_error}",
                           "Warning", container)
            if container.liveness.healthy is False:
                self.event("Killing", f"Container {container.name} failed liveness probe, "
                                      "will be restarted", container=container)
                self._stop_process(container, 5)
                return
        if container.readiness and container.readiness.due():
            if not container.readiness.run():
                self.event("Unhealthy",
                           f"Readiness probe failed: {container.readiness.last_error}",
                           "Warning", container)
            if container.readiness.healthy is not None:
                container.ready = container.readiness.healthy

    def _terminated(self, container, code):
        finished = now_rfc3339()
        if code < 0:
            reason = "Error"
            exit_code = 128 - code
        else:
            reason = "Completed" if code == 0 else "Error"
            exit_code = code
        container.process = None
        container.ready = False
        container.last_terminated = {"exitCode": exit_code, "reason": reason,
                                     "startedAt": container.started_at, "finishedAt": finished,
                                     "containerID": ""}
        message = self._log_tail(container) if exit_code != 0 else ""
        if message:
            # terminationMessagePolicy FallbackToLogsOnError: the log's tail.
            container.last_terminated["message"] = message
            self.event("Failed", f"Error: container exited with code {exit_code}: {message}",
                       "Warning", container)
        # A container that ran long enough earns a fresh back-off, as the kubelet's does.
        if time.monotonic() - container.started_monotonic > 20 * self.node.backoff:
            container.backoff.reset()
        delay = 0.0 if container.backoff.delay == 0 and container.restart_count == 0 \
            else container.backoff.next()
        if delay == 0.0:
            container.backoff.next()
        container.next_attempt = time.monotonic() + delay
        container.state, container.reason = "waiting", "CrashLoopBackOff"
        meta = self.pod["metadata"]
        container.message = (f"back-off {delay:.0f}s restarting failed container={container.name} "
                             f"pod={meta['name']}_{meta['namespace']}({self.uid})")
        self.event("BackOff", f"Back-off restarting failed container {container.name} in pod "
                              f"{meta['name']}_{meta['namespace']}({self.uid})", "Warning",
                   container)

    def _log_tail(self, container, lines=5, limit=2048):
        try:
            with open(os.path.join(self.directory, f"{container.name}.log"), "rb") as f:
                f.seek(0, os.SEEK_END)
                f.seek(max(0, f.tell() - limit))
                tail = f.read().decode(errors="replace").strip().splitlines()[-lines:]
        except OSError:
            return ""
        return "\n".join(tail)

    def _stop_process(self, container, grace):
        process = container.process
        if process is None:
            return
        try:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        except ProcessLookupError:
            pass
        self._terminated(container, process.returncode)

    # ---- other containers: an image pull ------------------------------------
    def _sync_image(self, container):
        now = time.monotonic()
        if container.pull_thread is not None:
            if container.pull_thread.is_alive():
                return
            container.pull_thread = None
            self._pull_finished(container)
            return
        if container.state == "waiting" and container.reason == "ErrImagePull" and \
                now < container.next_attempt:
            container.reason = "ImagePullBackOff"
            container.message = f'Back-off pulling image "{container.image}": ErrImagePull: ' \
                                f"{container.message}"
            self.event("BackOff", f'Back-off pulling image "{container.image}"',
                       container=container)
            self.event("Failed", "Error: ImagePullBackOff", "Warning", container)
            return
        if container.state != "waiting" or now < container.next_attempt:
            return
        policy = container.spec.get("imagePullPolicy", "IfNotPresent")
        if policy != "Always" and container.image in self.node.present_images:
            self.event("Pulled", f'Container image "{container.image}" already present on '
                                 "machine", container=container)
            container.pull_result = (True, self.node.present_images[container.image], 0.0, 0)
            self._pull_finished(container)
            return
        if policy == "Never":
            container.reason = "ErrImageNeverPull"
            container.message = f'Container image "{container.image}" is not present with ' \
                                "pull policy of Never"
            container.next_attempt = now + container.backoff.next()
            self.event("ErrImageNeverPull", container.message, "Warning", container)
            return
        credentials, missing = self._pull_credentials()
        if missing:
            self.event("FailedToRetrieveImagePullSecret",
                       "Unable to retrieve some image pull secrets (" +
                       ", ".join(f"<{m}>" for m in missing) +
                       "); attempting to pull the image may not succeed.", "Warning")
        self.event("Pulling", f'Pulling image "{container.image}"', container=container)

        def pull():
            container.pull_result = self.node.puller.pull(container.image, credentials)
        container.pull_thread = threading.Thread(target=pull, daemon=True)
        container.pull_thread.start()

    def _pull_credentials(self):
        """Only the Pod's list counts here: the ServiceAccount's was copied into it
        at admission when the Pod named none."""
        ns = self.pod["metadata"]["namespace"]
        credentials, missing = [], []
        for reference in self.pod["spec"].get("imagePullSecrets", []):
            try:
                secret = self.node.api.get(f"/api/v1/namespaces/{ns}/secrets/{reference['name']}")
            except ApiError:
                missing.append(reference["name"])
                continue
            credentials += credentials_from_secret(secret)
        return credentials, missing

    def _pull_finished(self, container):
        ok, detail, seconds, size = container.pull_result
        if not ok:
            container.state, container.reason, container.message = "waiting", "ErrImagePull", \
                detail
            container.next_attempt = time.monotonic() + container.backoff.next()
            self.event("Failed", f'Failed to pull image "{container.image}": {detail}',
                       "Warning", container)
            self.event("Failed", "Error: ErrImagePull", "Warning", container)
            return
        if seconds:
            self.event("Pulled", f'Successfully pulled image "{container.image}" in '
                                 f"{seconds:.3f}s ({seconds:.3f}s including waiting). "
                                 f"Image size: {size} bytes.", container=container)
        self.node.present_images[container.image] = detail
        container.backoff.reset()
        container.image_id = detail
        unpacked = self.node.puller.images.get(detail, {})
        if unpacked.get("rootfs"):
            container.agent = True
            container.rootfs = unpacked["rootfs"]
            container.image_config = unpacked["config"]
            container.state, container.reason = "waiting", "ContainerCreating"
            container.next_attempt = 0.0
            self._start_agent(container)
            return
        self.event("Created", f"Created container: {container.name}", container=container)
        container.state, container.reason, container.message = "running", "", ""
        container.started_at = now_rfc3339()
        container.ever_started = True
        container.ready = True
        self.event("Started", f"Started container {container.name}", container=container)

    # ---- status --------------------------------------------------------------
    def status(self):
        statuses = []
        for c in self.containers:
            if c.state == "running":
                state = {"running": {"startedAt": c.started_at}}
            else:
                waiting = {"reason": c.reason}
                if c.message:
                    waiting["message"] = c.message
                state = {"waiting": waiting}
            entry = {"name": c.name, "image": c.image, "imageID": c.image_id,
                     "ready": c.ready, "started": c.state == "running",
                     "restartCount": c.restart_count, "state": state, "lastState": {}}
            if c.last_terminated:
                entry["lastState"] = {"terminated": c.last_terminated}
            statuses.append(entry)
        all_ready = all(c.ready for c in self.containers)
        started = all(c.ever_started for c in self.containers)
        stamp = self.start_time

        def condition(kind, value, reason=None):
            result = {"type": kind, "status": "True" if value else "False",
                      "lastProbeTime": None, "lastTransitionTime": stamp}
            if not value and reason:
                result["reason"] = reason
            return result
        not_ready = "ContainersNotReady"
        return {
            "phase": "Running" if started else "Pending",
            "conditions": [condition("PodReadyToStartContainers", self.volume_mounts is not None
                                     or not any(c.agent for c in self.containers)),
                           condition("Initialized", True),
                           condition("Ready", all_ready, not_ready),
                           condition("ContainersReady", all_ready, not_ready),
                           condition("PodScheduled", True)],
            "hostIP": self.node.host_ip, "hostIPs": [{"ip": self.node.host_ip}],
            "podIP": self.ip, "podIPs": [{"ip": self.ip}],
            "startTime": self.start_time, "qosClass": "BestEffort",
            "containerStatuses": statuses,
        }

    def publish(self):
        status = self.status()
        # Transition times change only when a condition's status does.
        if self.published:
            old = {c["type"]: c for c in self.published["conditions"]}
            for c in status["conditions"]:
                before = old.get(c["type"])
                c["lastTransitionTime"] = before["lastTransitionTime"] \
                    if before and before["status"] == c["status"] else now_rfc3339()
        if status == self.published:
            return
        meta = self.pod["metadata"]
        try:
            self.node.api.merge_patch(
                f"/api/v1/namespaces/{meta['namespace']}/pods/{meta['name']}/status",
                {"status": status})
            self.published = status
        except ApiError as error:
            if error.status != 404:
                self.node.log(f"{self.ref}: status not written: {error}")

    # ---- teardown ------------------------------------------------------------
    def stop(self):
        grace = min(int(self.pod["spec"].get("terminationGracePeriodSeconds", 30)), 10)
        for container in self.containers:
            if container.process is not None:
                self.event("Killing", f"Stopping container {container.name}",
                           container=container)
                self._stop_process(container, grace)
        shutil.rmtree(self.directory, ignore_errors=True)

    def pids(self):
        return [c.process.pid for c in self.containers if c.process is not None]
