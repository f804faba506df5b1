"""The end-to-end world, written once: the sandbox (tests/sandbox: a cluster, two
Harbors and DNS on loopback) brought up for one test and always torn down the
same way, and what the tests do in it through the product's real interfaces.

A test (tests/e2e/<suite>/*_test.py, tests/bench/*_bench.py) starts with

    sys.path.insert(0, <tests/e2e>)
    from world import expect_equal, sandboxed, wait_for

and runs its steps in `with sandboxed(build) as world:`, which exits 77 (ctest's
skip) without root, brings the sandbox up in a fresh state directory, yields a
World, and on the way out brings it down, checks no process of it is left (when
the steps passed) and removes the directory."""
import base64
import contextlib
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
# The sandbox driver, the Harbor simulator's harness (expect_*, wait_for), its
# image-pushing tool and krew/oci_image.py (the product image's writer).
for relative in (("tests", "sandbox"), ("tests", "sim", "harbor", "tests"),
                 ("tests", "sim", "harbor", "tools"), ("krew",)):
    if os.path.join(ROOT, *relative) not in sys.path:
        sys.path.insert(0, os.path.join(ROOT, *relative))
import harbor_seed_image  # noqa: E402
import harness  # noqa: E402
from harness import ADMIN, expect_equal, expect_true  # noqa: E402,F401
from sandbox_test import SANDBOX, request_log, sandbox, sandbox_up  # noqa: E402,F401

HUB_NS = "harbor-robot-gen-system"
HUB = f"https://harborrobot-hub.{HUB_NS}.svc:8443"
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "seed")
REGISTRY = "https://harbor.example.com"
API_GROUP = "harbor-robot-gen.alaudadevops.alauda.io"
# The Harbor administrator every connection of the tests uses: the sandbox
# Harbors know api-user/api-password (the Quick Start's credentials).
API_USER = "api-user"
PASSWORD = "api-password"

# The documentation's Quick Start (as YAML in FIXTURES): its connection Secret, its
# binding, and the namespaces that binding names, labelled for project `team`
# (the connection's projectFieldsPath reads cpaas.io/inner-namespace).
QUICKSTART_CONNECTION = "connection-harbor-quickstart.yaml"
QUICKSTART_BINDING_FILE = "binding-harbor-secret-for-team-quickstart.yaml"
BINDING = "harbor-secret-for-team"
SECRET = "harbor-secret-for-team.robot"
NAMESPACES = ("team-ns1", "team-ns2")
TEAM_LABEL = "cpaas.io/inner-namespace=team"


def script_name():
    return os.path.splitext(os.path.basename(sys.argv[0]))[0]


def require_root():
    """Exits 77 (the sandbox's tests skip) unless running as root: the sandbox
    binds ports 443 and 53 and uses a private mount namespace."""
    if os.geteuid() != 0:
        print(f"{script_name()} needs root (the sandbox)")
        sys.exit(77)


@contextlib.contextmanager
def sandboxed(build, *up_flags, label=None):
    """The World of a sandbox brought up (with `sandbox up` flags) in a fresh
    state directory. Leaving the block brings it down; after steps that passed,
    `down` must leave no process of it. The directory is removed either way."""
    require_root()
    build = os.path.abspath(build)
    with sandbox_up(build, f"harborrobot-{label or script_name()}-", *up_flags) as state:
        yield World(state, build)


def wait_for(condition, what, timeout=30.0, interval=0.05, show=None):
    """harness.wait_for (polls `condition` until it returns a truthy value, which
    it returns, or `timeout` passes); with `show`, the timeout's error also says
    what show() saw last."""
    try:
        return harness.wait_for(condition, what, timeout=timeout, interval=interval)
    except AssertionError as error:
        if show is None:
            raise
        raise AssertionError(f"{error}; last seen: {show()}") from None


def dockerconfig_auths(secret):
    """The `auths` of a kubernetes.io/dockerconfigjson Secret's JSON."""
    return json.loads(base64.b64decode(secret["data"][".dockerconfigjson"]))["auths"]


def connection_secret(name, annotations=None, **data):
    """A connection Secret in the hub's namespace to the sandbox's harbor-1 as
    api-user; `data` changes its keys (a None value leaves a key out)."""
    values = {"url": REGISTRY, "username": API_USER, "password": PASSWORD}
    values.update(data)
    metadata = {"name": name, "namespace": HUB_NS, "labels": {"harbor-robot-gen": "true"}}
    if annotations is not None:
        metadata["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/opaque",
            "metadata": metadata,
            "stringData": {key: value for key, value in values.items() if value is not None}}


def binding(name, namespaces=None, selector=None, secret=None, project="team",
            access=(("repository", "pull"),), connection="harbor", refresh="6h", grace=None,
            service_account="default"):
    """A HarborRobotBinding: for the listed `namespaces`, or those whose labels
    match `selector` (matchLabels); its Secret named `secret` (default
    <name>.robot), attached to `service_account` unless None."""
    spec = {"namespaces": {"names": list(namespaces)} if selector is None else
            {"selector": {"matchLabels": dict(selector)}},
            "generatedSecret": {"name": secret or f"{name}.robot"}}
    if service_account is not None:
        spec["serviceAccount"] = {"name": service_account}
    spec["harbor"] = {"project": project,
                      "robot": {"access": [{"action": action, "resource": resource}
                                           for resource, action in access]},
                      "secret": {"name": connection, "namespace": HUB_NS}}
    spec["refreshInterval"] = refresh
    if grace is not None:
        spec["rotation"] = {"gracePeriod": grace}
    return {"apiVersion": f"{API_GROUP}/v1alpha1", "kind": "HarborRobotBinding",
            "metadata": {"name": name}, "spec": spec}


class World:
    """One sandbox, as the tests use it: kubectl with its kubeconfig, the built
    plugin through the real kubectl, Harbor's API, the hub API."""

    def __init__(self, state, build):
        self.state, self.build = state, build
        with open(os.path.join(state, "sandbox.json")) as f:
            self.record = json.load(f)
        self.env = dict(os.environ, KUBECONFIG=self.record["components"]["kube"]["kubeconfig"])

    # ---- the sandbox itself -------------------------------------------------
    def sandbox(self, *args, check=True):
        """`tests/sandbox/sandbox ARGS` on this sandbox (e.g. dns NAME HARBOR)."""
        return sandbox(self.state, self.build, *args, check=check)

    def in_sandbox(self, *argv):
        """argv run through `sandbox exec`: with the sandbox's DNS, where the
        Harbors' names and the cluster's Service names resolve."""
        return [SANDBOX, "--state", self.state, "--build", self.build, "exec", "--", *argv]

    def processes(self):
        """The sandbox kubelet's running containers: {"<ns>/<pod>": {container: pid}}."""
        with open(os.path.join(self.state, "kubelet", "processes.json")) as f:
            return json.load(f)

    # ---- kubectl and the plugin ----------------------------------------------
    def kubectl(self, *args, stdin=None, check=True):
        done = subprocess.run(["kubectl", *args], env=self.env, input=stdin,
                              capture_output=True, text=True, timeout=60)
        if check and done.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)}: {done.stderr}")
        return done.stdout

    def get(self, *args):
        """`kubectl get ARGS -o json`, parsed."""
        return json.loads(self.kubectl("get", *args, "-o", "json"))

    def apply(self, manifest):
        """`kubectl apply -f -` of an object (as JSON) or of YAML text."""
        return self.kubectl("apply", "-f", "-", stdin=manifest if isinstance(manifest, str)
                            else json.dumps(manifest))

    @property
    def plugin_bin(self):
        """A directory first on the plugin's PATH holding kubectl-harborrobot and
        its completion shim kubectl_complete-harborrobot, both links to the
        build's binary: kubectl finds the plugin as it finds an installed one."""
        bin_dir = os.path.join(self.state, "bin")
        os.makedirs(bin_dir, exist_ok=True)
        for name in ("kubectl-harborrobot", "kubectl_complete-harborrobot"):
            if not os.path.lexists(os.path.join(bin_dir, name)):
                os.symlink(os.path.join(self.build, "bin", "kubectl-harborrobot"),
                           os.path.join(bin_dir, name))
        return bin_dir

    @property
    def plugin_env(self):
        return dict(self.env, PATH=self.plugin_bin + ":" + os.environ["PATH"], NO_COLOR="1")

    def run_plugin(self, *args, stdin=None, env=None, expect=0, in_sandbox_dns=False,
                   timeout=300):
        """`kubectl harborrobot ARGS` through the real kubectl: the finished
        process, whose exit code must be `expect` (None: any). in_sandbox_dns
        runs it where Harbor's names resolve (connect --check-local, doctor
        --local)."""
        argv = ["kubectl", "harborrobot", *args]
        done = subprocess.run(self.in_sandbox(*argv) if in_sandbox_dns else argv,
                              env=env or self.plugin_env, input=stdin, capture_output=True,
                              text=True, timeout=timeout)
        if expect is not None and done.returncode != expect:
            raise AssertionError(f"kubectl harborrobot {' '.join(args)}: exit "
                                 f"{done.returncode}, expected {expect}\n"
                                 f"stdout: {done.stdout}\nstderr: {done.stderr}")
        return done

    def plugin(self, *args, stdin=None, in_sandbox_dns=False):
        """`kubectl harborrobot ARGS`, which must succeed: its output."""
        return self.run_plugin(*args, stdin=stdin, in_sandbox_dns=in_sandbox_dns).stdout

    # ---- the product, set up as the tests need it ----------------------------
    def hub_deployment(self):
        return self.get("deployment", "-n", HUB_NS, "harborrobot-hub")

    def install(self, *flags, timeout=180):
        """`kubectl harborrobot install FLAGS`, then both hub replicas Ready. The
        kubelet pulls and unpacks the image before the first hub starts: on two
        busy cores that alone can take most of a minute."""
        self.plugin("install", *flags)
        wait_for(lambda: self.hub_deployment().get("status", {}).get("readyReplicas") == 2,
                 "two hub replicas", timeout=timeout)

    def connect(self, *flags, name="harbor"):
        """`kubectl harborrobot connect` of harbor.example.com as api-user."""
        return self.plugin("connect", name, "--url", REGISTRY, "--username", API_USER,
                           "--password-stdin", *flags, stdin=PASSWORD)

    def create_namespaces(self, names, label=None):
        for ns in names:
            self.kubectl("create", "namespace", ns)
            if label:
                self.kubectl("label", "namespace", ns, label)

    def create_project(self, name):
        """A Harbor project on harbor-1, made by its admin."""
        return self.harbor("POST", "/projects", {"project_name": name, "metadata": {}})

    def apply_fixture(self, *names):
        """Files of FIXTURES (the documentation's YAML), applied as they are."""
        for name in names:
            self.kubectl("apply", "-f", os.path.join(FIXTURES, name))

    def apply_quickstart(self, namespaces=NAMESPACES):
        """The Quick Start, Steps 1 and 2: `namespaces` (some of its two)
        created and labelled for project team, its connection Secret, and its
        binding naming only those namespaces."""
        self.create_namespaces(namespaces, TEAM_LABEL)
        self.apply_fixture(QUICKSTART_CONNECTION)
        with open(os.path.join(FIXTURES, QUICKSTART_BINDING_FILE)) as f:
            text = f.read()
        for ns in NAMESPACES:
            if ns not in namespaces:
                text = text.replace(f"    - {ns}\n", "")
        self.apply(text)

    def binding(self, name=BINDING):
        return self.get("harborrobotbinding", name)

    def ready_condition(self, name=BINDING):
        """The binding's Ready condition ({} before it has one)."""
        conditions = self.binding(name).get("status", {}).get("conditions", [])
        return next((c for c in conditions if c["type"] == "Ready"), {})

    def credentials(self, binding=BINDING):
        """The binding's HarborRobotCredential records across the fleet, as
        {namespace: status}: one per target namespace whose agent has reported
        (a target that never reported has none; the binding's
        status.notReadyNamespaces names it). Listed the way the documentation
        says, by name in every namespace (GET /apis/harbor-robot-gen.alaudadevops.
        alauda.io/v1alpha1/harborrobotcredentials?fieldSelector=metadata.name%3D<binding>)."""
        listed = self.get("harborrobotcredentials", "--all-namespaces",
                          "--field-selector", f"metadata.name={binding}")
        return {item["metadata"]["namespace"]: item.get("status", {})
                for item in listed.get("items", [])}

    def not_ready(self, binding=BINDING):
        """The binding's status.notReadyNamespaces as {namespace: reason} (at most
        5, sorted by name)."""
        return {entry["name"]: entry.get("reason", "")
                for entry in self.binding(binding).get("status", {}).get(
                    "notReadyNamespaces", [])}

    def lease_holder(self):
        """The hub replica holding the leader Lease."""
        return self.get("lease", "-n", HUB_NS, "harborrobot-hub")["spec"]["holderIdentity"]

    def api_requests(self, query=""):
        """The Kubernetes simulator's request counts per user so far
        (/debug/requests; ?by=verb counts by Kubernetes verb)."""
        return json.loads(self.kubectl("get", "--raw", f"/debug/requests{query}"))

    # ---- generated Secrets ---------------------------------------------------
    def auths(self, ns, secret):
        """The `auths` of a generated Secret (which must exist)."""
        return dockerconfig_auths(self.get("secret", "-n", ns, secret))

    def pull_credential(self, ns, secret, registry=REGISTRY):
        """(username, password) for `registry` in a generated Secret, or None when
        the Secret is missing or holds no such entry."""
        done = subprocess.run(["kubectl", "get", "secret", "-n", ns, secret, "-o", "json"],
                              env=self.env, capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            return None
        try:
            entry = dockerconfig_auths(json.loads(done.stdout))[registry]
            return entry["username"], entry["password"]
        except (KeyError, ValueError, TypeError):
            return None

    # ---- Harbor --------------------------------------------------------------
    def harbor_ca(self, harbor="harbor-1"):
        return self.record["components"][harbor]["ca"]

    def push_image(self, image, harbor="harbor-1"):
        """Pushes a small image (PROJECT/NAME:TAG) into a sandbox Harbor as its admin."""
        return harbor_seed_image.seed(f"{harbor}.example.com", self.harbor_ca(harbor), *ADMIN,
                                      image, command_prefix=self.in_sandbox())

    def harbor_call(self, method, path, body=None, user=ADMIN, harbor="harbor-1",
                    api="/api/v2.0"):
        """A sandbox Harbor's API (harbor.example.com points to harbor-1), as its
        admin unless told: (status, headers, parsed JSON body or None), whatever
        the status."""
        component = self.record["components"][harbor]
        context = ssl.create_default_context(cafile=component["ca"])
        # The certificate names the Harbor; connect by address, verify by name.
        context.check_hostname = False
        request = urllib.request.Request(
            f"https://{component['address']}{api}{path}", method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Content-Type": "application/json", "Authorization": "Basic " +
                     base64.b64encode(f"{user[0]}:{user[1]}".encode()).decode()})
        try:
            with urllib.request.urlopen(request, context=context, timeout=30) as answer:
                text = answer.read()
                return answer.status, answer.headers, json.loads(text) if text else None
        except urllib.error.HTTPError as error:
            text = error.read()
            try:
                return error.code, error.headers, json.loads(text) if text else None
            except ValueError:
                return error.code, error.headers, text.decode(errors="replace")

    def harbor(self, method, path, body=None):
        """harbor-1's API as its admin: (status, parsed JSON body, None on an error)."""
        status, _, parsed = self.harbor_call(method, path, body)
        return status, parsed if status < 400 else None

    def harbor_sim(self, method, path, body=None, harbor="harbor-1"):
        """The Harbor simulator's own /_sim endpoints (faults, request log) as the
        admin, which must answer below 400: the parsed body or None."""
        status, _, parsed = self.harbor_call(method, path, body, harbor=harbor, api="/_sim")
        expect_true(status < 400, f"{method} /_sim{path} on {harbor}: {status} {parsed}")
        return parsed

    def robots(self, project="team"):
        """The project's robots as Harbor itself lists them: Level and ProjectID
        inside q (NOTES.md §3; Harbor ignores them as query parameters of their
        own), every page of 100 until X-Total-Count are read. [] when the project
        does not exist; a failed listing raises, it never reads as empty."""
        status, _, found = self.harbor_call("GET", f"/projects/{project}")
        if status == 404:
            return []
        expect_equal(status, 200, f"GET /projects/{project} ({found})")
        q = urllib.parse.quote(f"Level=project,ProjectID={found['project_id']}", safe="")
        robots = []
        while True:
            path = f"/robots?q={q}&page={len(robots) // 100 + 1}&page_size=100"
            status, headers, page = self.harbor_call("GET", path)
            expect_equal(status, 200, f"GET {path} ({page})")
            robots += page
            if not page or len(robots) >= int(headers["X-Total-Count"]):
                return robots

    def token_claims(self, username, password, scope="repository:team/app:pull"):
        """What harbor-1's token service grants these Basic credentials for
        `scope`: the claims of the JWT it issues, or None when it answers
        anything but 200. (NOTES.md §6b: a 200 alone proves nothing, since a
        deleted robot gets an anonymous token; read `sub` and `access`.)"""
        harbor = self.record["components"]["harbor-1"]
        context = ssl.create_default_context(cafile=harbor["ca"])
        context.check_hostname = False
        query = urllib.parse.urlencode({"service": "harbor-registry", "scope": scope})
        request = urllib.request.Request(
            f"https://{harbor['address']}/service/token?{query}", headers={
                "Authorization": "Basic " + base64.b64encode(
                    f"{username}:{password}".encode()).decode()})
        try:
            with urllib.request.urlopen(request, context=context, timeout=30) as answer:
                token = json.load(answer)["token"]
        except urllib.error.HTTPError:
            return None
        payload = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))

    def registry_certs(self, harbor="harbor-1"):
        """A --cert-dir for skopeo that trusts a sandbox Harbor, made once."""
        certs = os.path.join(self.state, f"{harbor}-certs")
        if not os.path.exists(os.path.join(certs, "ca.crt")):
            os.makedirs(certs, exist_ok=True)
            shutil.copy(self.harbor_ca(harbor), os.path.join(certs, "ca.crt"))
        return certs

    def pull(self, credential, image=f"{REGISTRY.removeprefix('https://')}/team/app:v1",
             whole=False):
        """One pull with the real skopeo, resolving names through the sandbox's
        DNS, with credential (username, password), or anonymously when it is
        None: the manifest (`skopeo inspect --raw`), or with whole=True every blob
        of the image too (`skopeo copy`). Returns the finished process."""
        certs = self.registry_certs()
        creds = [f"--creds={credential[0]}:{credential[1]}"] if credential else ["--no-creds"]
        if not whole:
            return subprocess.run(self.in_sandbox("skopeo", "inspect", "--raw", "--retry-times",
                                                  "0", "--cert-dir", certs, *creds,
                                                  f"docker://{image}"),
                                  capture_output=True, text=True, timeout=60,
                                  stdin=subprocess.DEVNULL)
        target = tempfile.mkdtemp(prefix="pulled-", dir=self.state)
        try:
            return subprocess.run(self.in_sandbox("skopeo", "copy", "--quiet", "--retry-times",
                                                  "0", "--src-cert-dir", certs,
                                                  *(flag.replace("--", "--src-", 1)
                                                    for flag in creds),
                                                  f"docker://{image}", f"dir:{target}"),
                                  capture_output=True, text=True, timeout=120,
                                  stdin=subprocess.DEVNULL)
        finally:
            shutil.rmtree(target, ignore_errors=True)

    # ---- the hub API ---------------------------------------------------------
    def hub_ca(self):
        """A file holding the hub's CA (from its ConfigMap, which install writes)."""
        path = os.path.join(self.state, "hub-ca.crt")
        if not os.path.exists(path):
            ca = self.get("configmap", "-n", HUB_NS, "harborrobot-hub-ca")["data"]["ca.crt"]
            with open(path, "w") as f:
                f.write(ca)
        return path

    def hub_token(self, ns, service_account="harborrobot-agent"):
        """A token of a ServiceAccount for the hub API (audience harborrobot-hub),
        as an agent's projected token is."""
        return self.kubectl("create", "token", service_account, "-n", ns, "--audience",
                            "harborrobot-hub").strip()

    def hub(self, method, path, token=None, body=None):
        """The hub API by its Service name from inside the sandbox's DNS view, as
        an agent reaches it: (status, parsed JSON body or None)."""
        argv = ["curl", "-s", "-o", "-", "-w", "\n%{http_code}", "--cacert", self.hub_ca(),
                "-X", method, f"{HUB}{path}"]
        if token:
            argv += ["-H", f"Authorization: Bearer {token}"]
        if body is not None:
            argv += ["-H", "Content-Type: application/json", "--data", json.dumps(body)]

        def attempt():
            done = self.sandbox("exec", "--", *argv, check=False)
            text, _, code = done.stdout.rpartition("\n")
            return int(code or 0), json.loads(text) if text.strip() else None
        # Like an agent: a moment without a leader (a failover) is retried.
        return wait_for(lambda: (lambda r: r if r[0] not in (0, 503) else None)(attempt()),
                        f"the hub to answer {method} {path}", timeout=30)
