"""kube-apiserver behaviours found missing (NOTES.md §10, issue 21), each
checked against what the apiserver's source does: /openapi/v2 for kubectl
1.27/1.28, server-side apply of a Secret's stringData, impersonation, etcd's
request size limit and a per-user in-flight limit answering 429."""
import base64
import json
import os
import shutil
import subprocess
import threading

from harness import expect_equal, expect_in, seed, wait_until

FAULTS = "/_sim/faults"
BINDINGS = "/apis/harbor-robot-gen.alaudadevops.alauda.io/v1alpha1/harborrobotbindings"
PROTOBUF = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"


def request(sim, method, path, body=b"", headers=None, token="sim-token"):
    """One HTTPS request; returns (status, headers, raw body bytes)."""
    connection = sim.connect()
    try:
        connection.request(method, path, body=body, headers={
            "Authorization": f"Bearer {token}", **(headers or {})})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def versioned_kubectl(version):
    found = shutil.which(f"kubectl.{version}")
    if found:
        return found
    real = os.path.realpath(shutil.which("kubectl") or "/usr/bin/kubectl")
    candidate = os.path.join(os.path.dirname(real), f"kubectl.{version}")
    return candidate if os.access(candidate, os.X_OK) else None


def openapi_v2(sim):
    sim.install_crd()
    status, headers, body = request(sim, "GET", "/openapi/v2", headers={"Accept":
                                                                         "application/json"})
    expect_equal((status, headers["Content-Type"]), (200, "application/json"), "JSON spec")
    spec = json.loads(body)
    expect_equal(spec["swagger"], "2.0", "Swagger 2.0")
    binding = spec["definitions"][
        "io.alauda.alaudadevops.harbor-robot-gen.v1alpha1.HarborRobotBinding"]
    expect_equal(binding["x-kubernetes-group-version-kind"],
                 [{"group": "harbor-robot-gen.alaudadevops.alauda.io", "version": "v1alpha1",
                   "kind": "HarborRobotBinding"}], "the CR definition carries its GVK")
    expect_equal(binding["properties"]["metadata"]["$ref"],
                 "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
                 "metadata is ObjectMeta")
    patch = spec["paths"][BINDINGS + "/{name}"]["patch"]
    expect_in("fieldValidation", [p["name"] for p in patch["parameters"]],
              "PATCH advertises fieldValidation")
    expect_equal(spec["definitions"]["io.k8s.api.core.v1.ServiceAccount"]["properties"]["secrets"]
                 ["x-kubernetes-patch-merge-key"], "name", "the SA's secrets merge by name")

    status, headers, body = request(sim, "GET", "/openapi/v2", headers={"Accept": PROTOBUF})
    expect_equal((status, headers["Content-Type"]),
                 (200, "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"),
                 "the deprecated protobuf subtype is answered under the current one")
    expect_equal(body[:5], b"\x0a\x032.0", "Document.swagger = 2.0 comes first")
    status, _, _ = request(sim, "GET", "/openapi/v2", headers={"Accept": "application/xml"})
    expect_equal(status, 406, "an unknown media type is 406")

    # kubectl 1.27 and 1.28 download /openapi/v2 (protobuf) for apply and explain.
    for version in ("1.27", "1.28"):
        binary = versioned_kubectl(version)
        if not binary:
            continue
        env = dict(sim.env, KUBECACHEDIR=os.path.join(sim.root, f"cache-{version}"))

        def run(*args, stdin=None):
            done = subprocess.run([binary, *args], env=env,
                                  input=stdin, capture_output=True, text=True, timeout=60)
            if done.returncode != 0:
                raise AssertionError(f"kubectl {version} {' '.join(args)}: {done.stderr}")
            return done.stdout
        sim.apply_namespace(f"v{version.replace('.', '')}")
        expect_equal(run("apply", "-f", "-", stdin=seed("binding-harbor1-for-team1.yaml")
                         .replace("harbor1-for-team1", f"b{version.replace('.', '')}")),
                     f"harborrobotbinding.harbor-robot-gen.alaudadevops.alauda.io/"
                     f"b{version.replace('.', '')} created\n", f"kubectl {version} apply")
        explained = run("explain", "serviceaccount.secrets", "--output=plaintext-openapiv2")
        expect_in("RESOURCE: secrets <[]Object>", explained, f"kubectl {version} explain (v2)")


def secret_string_data_apply(sim):
    """pkg/apis/core/v1/conversion.go folds stringData into data when the v1
    object is converted for storage, after the field manager ran on it: an
    applier of stringData owns stringData.* only, so a key it drops stays."""
    sim.apply_namespace("s")

    def apply(body):
        return sim.ok("apply", "--server-side", "--field-manager=conn", "-f", "-",
                      stdin=json.dumps(body))

    def secret():
        return json.loads(sim.ok("get", "secret", "conn", "-n", "s", "-o", "json",
                                 "--show-managed-fields"))

    meta = {"name": "conn", "namespace": "s"}
    apply({"apiVersion": "v1", "kind": "Secret", "metadata": meta,
           "stringData": {"url": "https://h", "url.alias": "https://a"}})
    stored = secret()
    expect_equal(sorted(stored["data"]), ["url", "url.alias"], "stringData folded into data")
    expect_equal("stringData" in stored, False, "stringData is never stored")
    managed = [e for e in stored["metadata"]["managedFields"] if e["manager"] == "conn"]
    expect_equal(managed[0]["fieldsV1"], {"f:stringData": {"f:url": {}, "f:url.alias": {}}},
                 "the applier owns stringData.* only")
    apply({"apiVersion": "v1", "kind": "Secret", "metadata": meta,
           "stringData": {"url": "https://h"}})
    expect_equal(sorted(secret()["data"]), ["url", "url.alias"],
                 "a key left out of a later stringData apply stays in data")

    # Applying data (base64): the applier owns data.*, and a key left out goes.
    encoded = {k: base64.b64encode(v.encode()).decode()
               for k, v in {"url": "https://h", "url.alias": "https://a"}.items()}
    apply({"apiVersion": "v1", "kind": "Secret", "metadata": meta, "data": encoded})
    apply({"apiVersion": "v1", "kind": "Secret", "metadata": meta,
           "data": {"url": encoded["url"]}})
    expect_equal(sorted(secret()["data"]), ["url"], "a key left out of a data apply is removed")


def impersonation(sim):
    """apiserver endpoints/filters/impersonation.go."""
    sim.ok("create", "serviceaccount", "alice", "-n", "default")
    token = sim.ok("create", "token", "alice", "-n", "default").strip()
    status, _, body = request(sim, "GET", "/api/v1/namespaces/default/configmaps",
                              headers={"Impersonate-User": "bob"}, token=token)
    expect_equal((status, json.loads(body)["message"]),
                 (403, 'users "bob" is forbidden: User "system:serviceaccount:default:alice" '
                       'cannot impersonate resource "users" in API group "" at the cluster scope'),
                 "impersonating needs the impersonate verb")
    status, _, body = request(sim, "GET", "/api", headers={"Impersonate-Group": "g"}, token=token)
    expect_equal(status, 500, "a group without a user is an internal error")
    sim.ok("create", "clusterrole", "impersonator", "--verb=impersonate",
           "--resource=users,groups,serviceaccounts")
    sim.ok("create", "clusterrolebinding", "alice-impersonates", "--clusterrole=impersonator",
           "--serviceaccount=default:alice")
    status, _, body = request(sim, "GET", "/api/v1/namespaces/default/configmaps",
                              headers={"Impersonate-User": "bob"}, token=token)
    expect_equal((status, json.loads(body)["message"]),
                 (403, 'configmaps is forbidden: User "bob" cannot list resource "configmaps" in '
                       'API group "" in the namespace "default"'),
                 "the request is authorized as bob")
    status, _, _ = request(sim, "GET", "/api/v1/namespaces/default/configmaps",
                           headers={"Impersonate-User": "bob",
                                    "Impersonate-Group": "system:masters"}, token=token)
    expect_equal(status, 200, "impersonated groups count")
    denied = sim.kubectl("auth", "can-i", "create", "secrets", "-n", "default", "--as",
                         "system:serviceaccount:default:default")
    expect_equal((denied.returncode, denied.stdout.strip()), (1, "no"),
                 "kubectl auth can-i --as a ServiceAccount")
    allowed = sim.kubectl("auth", "can-i", "create", "secrets", "-n", "default", "--as", "bob",
                          "--as-group", "system:masters")
    expect_equal((allowed.returncode, allowed.stdout.strip()), (0, "yes"),
                 "kubectl auth can-i --as --as-group")


def etcd_request_size(sim):
    """etcd refuses a request over 1.5 MiB; the apiserver answers 500."""
    sim.install_crd()
    sim.ok("apply", "-f", "-", stdin=seed("binding-harbor1-for-team1.yaml"))
    message = "x" * (1024 * 1024)
    patch = json.dumps({"status": {"conditions": [
        {"type": "Ready", "status": "False", "reason": "Failed", "message": message,
         "lastTransitionTime": "2026-01-01T00:00:00Z"}]}}).encode()
    status, body = sim.raw("PATCH", BINDINGS + "/harbor1-for-team1/status", patch,
                           "application/merge-patch+json")
    expect_equal(status, 200, "1 MiB of status fits")
    patch = patch.replace(message.encode(), (message * 2).encode())
    status, body = sim.raw("PATCH", BINDINGS + "/harbor1-for-team1/status", patch,
                           "application/merge-patch+json")
    expect_equal((status, body if status != 200 else "the stored object"),
                 (500, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                        "status": "Failure", "message": "etcdserver: request is too large",
                        "code": 500}),
                 "2 MiB of status is refused by etcd")
    status, body = sim.raw("PATCH", BINDINGS + "/harbor1-for-team1/status?dryRun=All", patch,
                           "application/merge-patch+json")
    expect_equal(status, 200, "a dry run never reaches etcd")


def inflight_limit(sim):
    """--max-inflight-per-user: the apiserver's 429 (filters/maxinflight.go)."""
    sim.ok("create", "serviceaccount", "busy", "-n", "default")
    sim.ok("create", "clusterrolebinding", "busy-view", "--clusterrole=view",
           "--serviceaccount=default:busy")
    token = sim.ok("create", "token", "busy", "-n", "default").strip()
    status, _ = sim.raw("POST", FAULTS, json.dumps({"latencyMs": 400}))
    expect_equal(status, 200, "latency injected")
    results = []

    def get():
        results.append(request(sim, "GET", "/api/v1/namespaces/default/configmaps",
                               token=token))
    threads = [threading.Thread(target=get) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    codes = sorted(status for status, _, _ in results)
    expect_equal(codes, [200, 429, 429], "one request in flight per user, the others 429")
    refused = [r for r in results if r[0] == 429][0]
    expect_equal((refused[1]["Retry-After"], refused[1]["Content-Type"], refused[2]),
                 ("1", "text/plain; charset=utf-8",
                  b"Too many requests, please try again later.\n"), "the 429's shape")
    admin = []
    threads = [threading.Thread(target=lambda: admin.append(
        request(sim, "GET", "/api/v1/namespaces/default/configmaps")[0])) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    expect_equal(admin, [200, 200, 200], "system:masters is never limited")
    sim.raw("DELETE", FAULTS)


def option_errors(sim):
    """Option errors are 422 Invalid on PatchOptions/ListOptions (handlers/patch.go,
    get.go; meta internalversion/validation ValidateListOptions)."""
    sim.apply_namespace("o")
    status, body = sim.raw("PATCH", "/api/v1/namespaces/o/configmaps/c",
                           b"apiVersion: v1\nkind: ConfigMap\n", "application/apply-patch+yaml")
    expect_equal((status, body["reason"], body["message"]),
                 (422, "Invalid", 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: '
                                  'Required value: is required for apply patch'),
                 "apply without fieldManager")
    cases = {
        "resourceVersionMatch=NotOlderThan":
            'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: '
            'resourceVersionMatch is forbidden unless resourceVersion is provided',
        "resourceVersionMatch=Exact&resourceVersion=0":
            'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: '
            'resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
        "resourceVersionMatch=Newest&resourceVersion=5":
            'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Unsupported value: '
            '"Newest": supported values: "Exact", "NotOlderThan", ""',
        "watch=true&resourceVersionMatch=NotOlderThan&resourceVersion=1":
            'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: '
            'resourceVersionMatch is forbidden for watch',
    }
    for query, message in cases.items():
        status, body = sim.raw("GET", f"/api/v1/namespaces/o/configmaps?{query}")
        expect_equal((status, body["message"]), (422, message), query)
    status, _ = sim.raw("GET", "/api/v1/namespaces/o/configmaps?resourceVersionMatch=NotOlderThan"
                               "&resourceVersion=1")
    expect_equal(status, 200, "NotOlderThan with a resourceVersion")


def deletion_generation(sim):
    """registry/generic/registry/store.go markAsDeleting bumps metadata.generation."""
    sim.install_crd()
    binding = json.loads(sim.ok("apply", "-f", "-", "-o", "json", stdin=seed(
        "binding-harbor1-for-team1.yaml").replace("metadata:\n",
                                                   "metadata:\n  finalizers: [example.com/x]\n",
                                                   1)))
    expect_equal(binding["metadata"]["generation"], 1, "created at generation 1")
    sim.ok("delete", "hrb", "harbor1-for-team1", "--wait=false")
    marked = json.loads(sim.ok("get", "hrb", "harbor1-for-team1", "-o", "json"))
    expect_equal((marked["metadata"]["generation"], "deletionTimestamp" in marked["metadata"]),
                 (2, True), "deleting with a finalizer bumps the generation")


def watch_selector_mismatch(sim):
    """storage/cacher/cache_watcher.go convertToWatchEvent: an object that stops
    matching the selector is DELETED with its previous content, at the new
    resourceVersion; one that starts matching is ADDED."""
    sim.apply_namespace("w")
    cms = "/api/v1/namespaces/w/configmaps"
    status, created = sim.raw("POST", cms, json.dumps(
        {"metadata": {"name": "c", "labels": {"team": "a"}}, "data": {"k": "1"}}).encode())
    expect_equal(status, 201, "created")
    connection = sim.connect()
    try:
        connection.request("GET", f"{cms}?watch=true&labelSelector=team%3Da&resourceVersion="
                                   f"{created['metadata']['resourceVersion']}",
                           headers={"Authorization": "Bearer sim-token"})
        response = connection.getresponse()
        expect_equal(response.status, 200, "watch started")
        patch = json.dumps({"metadata": {"labels": {"team": "b"}}, "data": {"k": "2"}}).encode()
        status, moved = sim.raw("PATCH", f"{cms}/c", patch, "application/merge-patch+json")
        expect_equal(status, 200, "relabelled")
        event = json.loads(response.readline())
        expect_equal((event["type"], event["object"]["metadata"]["labels"],
                      event["object"]["data"], event["object"]["metadata"]["resourceVersion"]),
                     ("DELETED", {"team": "a"}, {"k": "1"}, moved["metadata"]["resourceVersion"]),
                     "DELETED carries the previous object at the new resourceVersion")
        patch = json.dumps({"metadata": {"labels": {"team": "a"}}}).encode()
        sim.raw("PATCH", f"{cms}/c", patch, "application/merge-patch+json")
        event = json.loads(response.readline())
        expect_equal((event["type"], event["object"]["metadata"]["labels"]),
                     ("ADDED", {"team": "a"}), "matching again is ADDED")
    finally:
        connection.close()


def lease_micro_time(sim):
    """meta/v1/micro_time.go: RFC 3339 with exactly six fractional digits,
    anything else is a decode error (400); stored and returned in UTC."""
    leases = "/apis/coordination.k8s.io/v1/namespaces/default/leases"

    def lease(name, renew):
        return json.dumps({"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                           "metadata": {"name": name},
                           "spec": {"holderIdentity": "a", "leaseDurationSeconds": 15,
                                    "renewTime": renew}}).encode()
    status, created = sim.raw("POST", leases, lease("utc", "2026-01-02T03:04:05.123456+02:00"))
    expect_equal((status, created["spec"]["renewTime"]), (201, "2026-01-02T01:04:05.123456Z"),
                 "an offset is re-marshalled in UTC")
    for bad in ("2026-01-02T03:04:05Z", "2026-01-02T03:04:05.123Z", "yesterday"):
        status, body = sim.raw("POST", leases, lease("bad", bad))
        expect_equal(status, 400, f"renewTime {bad!r} is refused")
        expect_in(f'Lease in version "v1" cannot be handled as a Lease: parsing time "{bad}" as '
                  '"2006-01-02T15:04:05.000000Z07:00"', body["message"], "the decode error")


def event_validation(sim):
    """pkg/apis/core/validation/events.go legacyValidateEvent."""
    sim.apply_namespace("e")

    def create(ns, involved_ns, **extra):
        event = {"apiVersion": "v1", "kind": "Event", "metadata": {"name": f"x{len(extra)}{ns}"},
                 "involvedObject": {"kind": "ConfigMap", "name": "c", "namespace": involved_ns},
                 "reason": "Tested", "message": "m", "type": "Normal", **extra}
        return sim.raw("POST", f"/api/v1/namespaces/{ns}/events", json.dumps(event).encode())
    status, body = create("e", "other")
    expect_equal((status, body.get("message")),
                 (422, 'Event "x0e" is invalid: involvedObject.namespace: Invalid value: "other": '
                       'does not match event.namespace'), "namespaces must agree")
    expect_equal(create("e", "e")[0], 201, "matching namespaces")
    expect_equal(create("default", "")[0], 201, "a cluster-scoped object's event in default")
    expect_equal(create("e", "")[0], 422, "a cluster-scoped object's event elsewhere")
    status, body = create("kube-system", "", eventTime="2026-01-01T00:00:00.000000Z")
    expect_equal(status, 422, "eventTime needs the reporting fields")
    expect_in("reportingComponent: Required value", body["message"], "reportingComponent")
    expect_equal(create("kube-system", "", eventTime="2026-01-01T00:00:00.000000Z",
                        reportingComponent="c", reportingInstance="i", action="a")[0], 201,
                 "a new-style event of a cluster-scoped object in kube-system")


def watch_compaction(sim):
    """apiserver pkg/storage/etcd3/compact.go: history is compacted every
    --etcd-compaction-interval, so an old resourceVersion is 410 on every
    real cluster (here the interval is half a second)."""
    cms = "/api/v1/namespaces/default/configmaps"
    _, listed = sim.raw("GET", cms)
    old = listed["metadata"]["resourceVersion"]
    status, _ = sim.raw("POST", cms, json.dumps({"metadata": {"name": "c"}}).encode())
    expect_equal(status, 201, "a change after the old resourceVersion")

    def expired_event():
        connection = sim.connect()
        try:
            connection.request("GET", f"{cms}?watch=true&resourceVersion={old}&timeoutSeconds=1",
                               headers={"Authorization": "Bearer sim-token"})
            event = json.loads(connection.getresponse().readline() or b"{}")
        finally:
            connection.close()
        if event.get("type") == "ERROR":
            seen.append(event)
        return bool(seen)
    seen = []
    wait_until(expired_event, 10, "the old resourceVersion to be compacted")
    event = seen[0]
    expect_equal((event["object"]["code"], event["object"]["reason"]), (410, "Expired"),
                 "a watch from a compacted resourceVersion gets 410 Expired")
    expect_in(f"too old resource version: {old}", event["object"]["message"], "the message")


def paginated_snapshot(sim):
    """KEP-365 / apiserver storage/etcd3/store.go: every continued page is read
    at the first page's revision; changes made between pages do not show."""
    sim.apply_namespace("p")
    cms = "/api/v1/namespaces/p/configmaps"
    for name in ("a", "b", "c", "d"):
        sim.raw("POST", cms, json.dumps({"metadata": {"name": name}, "data": {"v": "1"}}).encode())
    _, first = sim.raw("GET", f"{cms}?limit=2")
    expect_equal([i["metadata"]["name"] for i in first["items"]], ["a", "b"], "first page")
    sim.raw("POST", cms, json.dumps({"metadata": {"name": "bb"}}).encode())
    sim.raw("DELETE", f"{cms}/c")
    sim.raw("PATCH", f"{cms}/d", json.dumps({"data": {"v": "2"}}).encode(),
            "application/merge-patch+json")
    token = first["metadata"]["continue"]
    _, second = sim.raw("GET", f"{cms}?limit=2&continue={token}")
    expect_equal([(i["metadata"]["name"], i["data"]["v"]) for i in second["items"]],
                 [("c", "1"), ("d", "1")],
                 "the second page shows the first page's snapshot: no bb, c still there, d old")
    expect_equal(second["metadata"]["resourceVersion"], first["metadata"]["resourceVersion"],
                 "every page carries the first page's resourceVersion")
    _, fresh = sim.raw("GET", cms)
    expect_equal([i["metadata"]["name"] for i in fresh["items"]],
                 ["a", "b", "bb", "d", "kube-root-ca.crt"],
                 "a new list sees the changes")


def request_counts(sim):
    """/debug/requests (the simulator's, for benchmarks): each user's requests by
    HTTP method, and with ?by=verb by the verb RBAC checks, derived as
    apiserver pkg/endpoints/request/requestinfo.go NewRequestInfo does."""
    def counts(by=None):
        status, _, body = request(sim, "GET", "/debug/requests" + (f"?by={by}" if by else ""))
        expect_equal(status, 200, f"/debug/requests by {by}")
        return json.loads(body)

    def delta(before, after, user):
        return {key: n - before.get(user, {}).get(key, 0)
                for key, n in after.get(user, {}).items()
                if n != before.get(user, {}).get(key, 0)}
    sim.apply_namespace("rc")
    sim.ok("create", "serviceaccount", "counted", "-n", "rc")
    token = sim.ok("create", "token", "counted", "-n", "rc").strip()
    methods_before, verbs_before = counts(), counts("verb")
    cms = "/api/v1/namespaces/rc/configmaps"
    config_map = {"apiVersion": "v1", "kind": "ConfigMap",
                  "metadata": {"name": "c", "labels": {"rc": "yes"}}}
    calls = [("GET", "/version"), ("GET", cms), ("GET", cms + "/kube-root-ca.crt"),
             ("GET", cms + "?watch=true&timeoutSeconds=1"), ("GET", cms + "?watch=false"),
             ("POST", cms, json.dumps(config_map)),
             ("PUT", cms + "/c", json.dumps(dict(config_map, data={"k": "v"}))),
             ("PATCH", cms + "/c", json.dumps({"data": {"k": "w"}})),
             ("DELETE", cms + "/c"), ("DELETE", cms + "?labelSelector=rc%3Dyes")]
    statuses = []
    for method, path, *body in calls:
        headers = {"Content-Type": "application/merge-patch+json" if method == "PATCH"
                   else "application/json"}
        statuses.append(request(sim, method, path, *body, headers=headers)[0])
    expect_equal(statuses, [200, 200, 200, 200, 200, 201, 200, 200, 200, 200], "the calls")
    # A named GET with ?watch=true is a get (requestinfo.go turns get into watch
    # only without a name), and is served as one.
    status, _, body = request(sim, "GET", cms + "/kube-root-ca.crt?watch=true")
    expect_equal((status, json.loads(body)["kind"]), (200, "ConfigMap"), "named GET ?watch")
    # Counted as the authenticated user, whatever RBAC then answers.
    status, _, _ = request(sim, "GET", cms, token=token)
    expect_equal(status, 403, "the ServiceAccount may not list")
    methods_after, verbs_after = counts(), counts("verb")
    admin = "kube-sim-admin"
    expect_equal(delta(methods_before, methods_after, admin),
                 {"GET": 6, "POST": 1, "PUT": 1, "PATCH": 1, "DELETE": 2},
                 "the admin's requests by method")
    expect_equal(delta(verbs_before, verbs_after, admin),
                 {"get": 3, "list": 2, "watch": 1, "create": 1, "update": 1, "patch": 1,
                  "delete": 1, "deletecollection": 1}, "the admin's requests by verb")
    user = "system:serviceaccount:rc:counted"
    expect_equal((delta(methods_before, methods_after, user),
                  delta(verbs_before, verbs_after, user)), ({"GET": 1}, {"list": 1}),
                 "the ServiceAccount's")
    expect_equal(sorted(verbs_after), sorted(methods_after), "the same users both ways")
    expect_equal(methods_after, counts("method"), "by=method is the default")
    status, _, body = request(sim, "GET", "/debug/requests?by=resource")
    expect_equal((status, json.loads(body)["reason"]), (400, "BadRequest"), "an unknown by")


SCENARIOS = {"openapi_v2": openapi_v2, "secret_string_data_apply": secret_string_data_apply,
             "impersonation": impersonation, "etcd_request_size": etcd_request_size,
             "inflight_limit": inflight_limit, "option_errors": option_errors,
             "deletion_generation": deletion_generation,
             "watch_selector_mismatch": watch_selector_mismatch,
             "lease_micro_time": lease_micro_time, "event_validation": event_validation,
             "watch_compaction": watch_compaction, "paginated_snapshot": paginated_snapshot,
             "request_counts": request_counts}
SIMULATOR_ARGS = {"inflight_limit": ("--max-inflight-per-user", "1"),
                  "watch_compaction": ("--compaction-interval-seconds", "0.5")}
