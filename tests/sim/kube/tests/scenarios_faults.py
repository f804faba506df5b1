"""Part 2: what controllers rely on when things go wrong: injected faults,
410 on a too-old resourceVersion and the re-list that recovers, and
namespace termination."""
import json
import time

from harness import expect_equal, expect_in, wait_until

FAULTS = "/_sim/faults"
SECRETS = "/api/v1/namespaces/default/secrets"


def set_faults(sim, plan):
    status, body = sim.raw("POST", FAULTS, json.dumps(plan))
    expect_equal(status, 200, f"fault plan {plan}: {body}")


def open_watch(sim, path):
    connection = sim.connect(timeout=30)
    connection.request("GET", path, headers={"Authorization": "Bearer sim-token"})
    response = connection.getresponse()
    expect_equal(response.status, 200, f"watch {path}")
    return connection, response


def read_event(response):
    line = response.readline()
    return json.loads(line) if line else None


def injected_faults(sim):
    set_faults(sim, {"latencyMs": 300})
    started = time.monotonic()
    expect_equal(sim.raw("GET", SECRETS)[0], 200, "a slow request still succeeds")
    expect_equal(time.monotonic() - started >= 0.3, True, "the latency was added")
    set_faults(sim, {"latencyMs": 0, "errorFraction": 1, "errorCode": 429})
    status, headers, body = sim.raw_response("GET", SECRETS)
    expect_equal((status, body["reason"], headers["Retry-After"]), (429, "TooManyRequests", "1"),
                 "429 with Retry-After")
    set_faults(sim, {"errorCode": 500})
    expect_equal(sim.raw("GET", SECRETS)[1]["reason"], "InternalError", "500s")
    set_faults(sim, {"errorFraction": 0, "conflictResource": "serviceaccounts"})
    patch = sim.kubectl("patch", "sa", "default", "-n", "default", "--type=merge", "-p",
                        '{"metadata":{"labels":{"a":"b"}}}')
    expect_equal((patch.returncode, patch.stderr),
                 (1, 'Error from server (Conflict): Operation cannot be fulfilled on '
                     'serviceaccounts "default": the object has been modified; please apply your '
                     'changes to the latest version and try again\n'), "409 storm")
    expect_equal(sim.raw("GET", "/api/v1/namespaces/default/serviceaccounts/default")[0], 200,
                 "reads are not part of the storm")
    set_faults(sim, {"conflictResource": "", "outageSeconds": 1.5})
    expect_equal(sim.raw("GET", SECRETS)[1]["reason"], "ServiceUnavailable", "outage")
    wait_until(lambda: sim.raw("GET", SECRETS)[0] == 200, 10, "the outage to end")

    set_faults(sim, {"expireNextWatch": True})
    connection, response = open_watch(sim, SECRETS + "?watch=true&resourceVersion=1")
    event = read_event(response)
    expect_equal((event["type"], event["object"]["code"], event["object"]["reason"]),
                 ("ERROR", 410, "Expired"), "forced 410")
    connection.close()
    connection, response = open_watch(sim, SECRETS + "?watch=true")
    set_faults(sim, {"dropWatches": True})
    expect_equal(read_event(response), None, "a dropped watch ends its stream")
    connection.close()

    status, body = sim.raw("DELETE", FAULTS)
    expect_equal((status, body["errorFraction"], body["latencyMs"]), (200, 0, 0), "reset")
    expect_equal(sim.raw("POST", FAULTS, json.dumps({"errorFraction": 2}))[1]["message"],
                 "errorFraction: 2 is not valid (expected a number from 0 to 1)",
                 "a bad fault plan is refused")
    sim.ok("create", "sa", "probe", "-n", "default")
    token = sim.ok("create", "token", "probe", "-n", "default").strip()
    expect_equal(sim.raw("POST", FAULTS, json.dumps({"latencyMs": 1}), token=token)[0], 403,
                 "only admins inject faults")


def watch_too_old(sim):
    list_version = json.loads(sim.ok("get", "--raw", SECRETS))["metadata"]["resourceVersion"]
    for index in range(8):
        sim.ok("create", "secret", "generic", f"s{index}", "--from-literal=a=b", "-n", "default")
    connection, response = open_watch(sim, f"{SECRETS}?watch=true&resourceVersion={list_version}")
    event = read_event(response)
    expect_equal((event["type"], event["object"]["code"]), ("ERROR", 410), "too old")
    expect_in("too old resource version", event["object"]["message"], "410 message")
    connection.close()
    # The informer's answer: re-list, then watch from the list's version.
    fresh = json.loads(sim.ok("get", "--raw", SECRETS))
    expect_equal(len(fresh["items"]), 8, "re-list sees everything")
    connection, response = open_watch(
        sim, f"{SECRETS}?watch=true&resourceVersion={fresh['metadata']['resourceVersion']}")
    sim.ok("create", "secret", "generic", "after", "--from-literal=a=b", "-n", "default")
    event = read_event(response)
    expect_equal((event["type"], event["object"]["metadata"]["name"]), ("ADDED", "after"),
                 "the resumed watch continues")
    connection.close()


def namespace_termination(sim):
    sim.ok("apply", "-f", "-", stdin=json.dumps({
        "apiVersion": "v1", "kind": "Namespace",
        "metadata": {"name": "held", "finalizers": ["example.com/hold"]}}))
    sim.ok("create", "configmap", "c", "-n", "held", "--from-literal=a=b")
    expect_equal(sim.ok("delete", "ns", "held", "--wait=false"), 'namespace "held" deleted\n',
                 "delete")
    expect_equal(sim.ok("get", "ns", "held", "-o", "jsonpath={.status.phase}"), "Terminating",
                 "held by a finalizer")
    expect_equal(sim.ok("get", "cm", "-n", "held", "-o", "name"), "", "contents deleted")
    expect_equal(sim.fails("create", "configmap", "d", "-n", "held", "--from-literal=a=b"),
                 'error: failed to create configmap: configmaps "d" is forbidden: unable to create '
                 'new content in namespace held because it is being terminated\n',
                 "no new content while terminating")
    sim.ok("patch", "ns", "held", "--type=merge", "-p", '{"metadata":{"finalizers":null}}')
    expect_in("not found", sim.fails("get", "ns", "held"), "gone once the finalizer is removed")


SIMULATOR_ARGS = {"watch_too_old": ["--watch-history", "4"]}


def controller_semantics(sim):
    leases = "/apis/coordination.k8s.io/v1/namespaces/default/leases"
    lease = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
             "metadata": {"name": "leader"},
             "spec": {"holderIdentity": "a", "leaseDurationSeconds": 15}}
    status, created = sim.raw("POST", leases, json.dumps(lease))
    expect_equal(status, 201, "lease created")
    # Two candidates renew from the same read: the second loses with 409.
    for holder, expected in (("a", 200), ("b", 409)):
        renewal = dict(created, spec=dict(created["spec"], holderIdentity=holder,
                                          renewTime="2026-01-01T00:00:01.000000Z"))
        expect_equal(sim.raw("PUT", f"{leases}/leader", json.dumps(renewal))[0], expected,
                     f"renewal by {holder}")
    expect_equal(sim.ok("get", "lease", "leader", "-o", "jsonpath={.spec.holderIdentity}"), "a",
                 "the winner holds the lease")

    # A watch with timeoutSeconds ends cleanly by itself.
    connection, response = open_watch(sim, SECRETS + "?watch=true&timeoutSeconds=1")
    expect_equal(read_event(response), None, "the watch ended at its timeout")
    connection.close()

    # Orphan propagation strips the owner reference instead of deleting.
    sim.ok("create", "configmap", "owner", "-n", "default")
    uid = sim.ok("get", "cm", "owner", "-n", "default", "-o", "jsonpath={.metadata.uid}")
    sim.ok("apply", "-f", "-", stdin=json.dumps({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "dependent", "namespace": "default", "ownerReferences": [
            {"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": uid}]}}))
    sim.ok("delete", "cm", "owner", "-n", "default", "--cascade=orphan")
    expect_equal(sim.ok("get", "cm", "dependent", "-n", "default", "-o",
                        "jsonpath={.metadata.ownerReferences}"), "", "orphaned, not deleted")

    # A token bound to a Pod dies with the Pod.
    sim.ok("run", "bound", "--image=busybox", "-n", "default")
    pod_uid = sim.ok("get", "pod", "bound", "-n", "default", "-o", "jsonpath={.metadata.uid}")
    request = {"kind": "TokenRequest", "spec": {"boundObjectRef": {
        "apiVersion": "v1", "kind": "Pod", "name": "bound", "uid": pod_uid}}}
    status, body = sim.raw("POST", "/api/v1/namespaces/default/serviceaccounts/default/token",
                           json.dumps(request))
    expect_equal(status, 201, "bound token issued")
    token = body["status"]["token"]
    expect_equal(sim.raw("GET", "/version", token=token)[0], 200, "bound token works")
    sim.ok("delete", "pod", "bound", "-n", "default")
    expect_equal(sim.raw("GET", "/version", token=token)[0], 401, "bound token dies with the Pod")


SCENARIOS = {"injected_faults": injected_faults, "watch_too_old": watch_too_old,
             "namespace_termination": namespace_termination,
             "controller_semantics": controller_semantics}
