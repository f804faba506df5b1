"""Transport, authentication, namespaces and their default contents."""
import json
import os
import re

from harness import expect_equal, expect_in


def version_and_auth(sim):
    with open(os.path.join(sim.state, "kubeconfig")) as f:
        expect_equal(f"server: https://127.0.0.1:{sim.port}\n" in f.read(), True,
                     "kubeconfig names the bound port")
    server = json.loads(sim.ok("version", "-o", "json"))["serverVersion"]
    expect_equal((server["major"], server["minor"], server["gitVersion"]), ("1", "32", "v1.32.4"),
                 "serverVersion")
    expect_equal(json.loads(sim.ok("get", "--raw", "/version"))["minor"], "32",
                 "token user GET /version")
    cert = sim.ok("--context", "kube-sim-cert", "get", "--raw", "/api")
    expect_equal(json.loads(cert)["versions"], ["v1"], "client-cert user GET /api")
    denied = sim.fails("--token", "wrong-token", "get", "--raw", "/version")
    expect_equal(denied.strip().splitlines()[-1],
                 "error: You must be logged in to the server (Unauthorized)", "wrong token message")
    missing = sim.fails("get", "--raw", "/no/such/path")
    expect_equal(missing.strip().splitlines()[-1],
                 "Error from server (NotFound): the server could not find the requested resource",
                 "unknown path message")
    expect_equal(sim.ok("get", "--raw", "/readyz"), "ok", "readyz")
    # Aggregated discovery: a cold cache costs two requests, not one per group.
    traced = sim.kubectl("get", "deploy", "-A", "-v=6")
    requests = re.findall(r"\bGET https://127\.0\.0\.1:\d+(\S+)", traced.stderr)
    expect_equal(requests, ["/api?timeout=32s", "/apis?timeout=32s",
                            "/apis/apps/v1/deployments?limit=500"], "requests of a cold cache")


def namespaces(sim):
    expect_equal(sim.ok("get", "ns", "-o", "name"),
                 "namespace/default\nnamespace/kube-node-lease\nnamespace/kube-public\n"
                 "namespace/kube-system\n", "a fresh cluster's namespaces")
    manifest = sim.write("ns.json", json.dumps(
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}}))
    expect_equal(sim.ok("create", "-f", manifest), "namespace/team-a created\n", "create")
    again = sim.fails("create", "-f", manifest)
    expect_equal(again, f'Error from server (AlreadyExists): error when creating "{manifest}": '
                 'namespaces "team-a" already exists\n', "second create message")
    expect_equal(sim.ok("get", "namespace", "team-a", "-o",
                        "jsonpath={.status.phase} {.metadata.labels}"),
                 'Active {"kubernetes.io/metadata.name":"team-a"}', "phase and name label")
    expect_equal(sim.fails("get", "ns", "nope"),
                 'Error from server (NotFound): namespaces "nope" not found\n', "get missing")
    table = sim.ok("get", "ns", "team-a")
    expect_equal(table.splitlines()[0].split(), ["NAME", "STATUS", "AGE"], "namespace columns")
    expect_equal(table.splitlines()[1].split()[:2], ["team-a", "Active"], "namespace row")


def namespace_defaults_and_secrets(sim):
    secret = sim.write("secret.json", json.dumps({
        "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
        "metadata": {"name": "pull", "namespace": "x"}, "data": {"token": "aGVsbG8="}}))
    expect_equal(sim.fails("create", "-f", secret),
                 f'Error from server (NotFound): error when creating "{secret}": '
                 'namespaces "x" not found\n', "secret before its namespace")
    sim.apply_namespace("x")
    expect_equal(sim.ok("create", "-f", secret), "secret/pull created\n", "create secret")
    expect_equal(sim.ok("get", "sa,cm,secret", "-n", "x", "-o", "name"),
                 "serviceaccount/default\nconfigmap/kube-root-ca.crt\nsecret/pull\n",
                 "objects in namespace x")
    expect_equal(sim.ok("get", "secret", "pull", "-n", "x", "-o", "jsonpath={.data.token}"),
                 "aGVsbG8=", "secret data")
    ca = sim.ok("get", "cm", "kube-root-ca.crt", "-n", "x", "-o", "jsonpath={.data.ca\\.crt}")
    with open(os.path.join(sim.state, "pki", "ca.crt")) as f:
        expect_equal(ca, f.read(), "kube-root-ca.crt holds the simulator CA")
    expect_equal(sim.ok("get", "secret", "-A", "-o", "name"), "secret/pull\n",
                 "secrets across namespaces")
    expect_equal(sim.ok("delete", "secret", "pull", "-n", "x"), 'secret "pull" deleted\n',
                 "delete secret")
    expect_equal(sim.fails("delete", "secret", "pull", "-n", "x"),
                 'Error from server (NotFound): secrets "pull" not found\n', "delete again")
    expect_equal(sim.ok("delete", "secret", "pull", "-n", "x", "--ignore-not-found"), "",
                 "delete --ignore-not-found")
    expect_equal(sim.ok("delete", "ns", "x"), 'namespace "x" deleted\n', "delete namespace")
    expect_equal(sim.ok("get", "sa", "-n", "x", "-o", "name"), "", "namespace contents removed")
    expect_in("namespaces \"x\" not found", sim.fails("get", "ns", "x"), "namespace gone")


def snapshot_restart(sim):
    sim.install_crd()
    sim.apply_namespace("keep")
    sim.ok("apply", "-f", "-", stdin=json.dumps({"apiVersion": "v1", "kind": "ConfigMap",
                                                  "metadata": {"name": "kept", "namespace": "keep"},
                                                  "data": {"a": "b"}}))
    version = int(sim.ok("get", "cm", "kept", "-n", "keep", "-o",
                         "jsonpath={.metadata.resourceVersion}"))
    sim.stop()
    sim.start()
    expect_equal(sim.ok("get", "cm", "kept", "-n", "keep", "-o", "jsonpath={.data.a}"), "b",
                 "object kept across a restart")
    expect_equal(sim.ok("get", "crd", "-o", "name"),
                 "customresourcedefinition.apiextensions.k8s.io/"
                 "harborrobotbindings.harbor-robot-gen.alaudadevops.alauda.io\n", "CRD kept")
    expect_equal(sim.ok("get", "hrb", "-o", "name"), "", "the CRD's type is served again")
    sim.ok("label", "cm", "kept", "-n", "keep", "after=restart")
    after = int(sim.ok("get", "cm", "kept", "-n", "keep", "-o",
                       "jsonpath={.metadata.resourceVersion}"))
    expect_equal(after > version, True, "resourceVersion keeps growing after a restart")
    with open(os.path.join(sim.state, "pki", "ca.crt")) as f:
        expect_equal(sim.ok("get", "cm", "kube-root-ca.crt", "-n", "keep", "-o",
                            "jsonpath={.data.ca\\.crt}"), f.read(), "root CA republished")


SCENARIOS = {
    "snapshot_restart": snapshot_restart,
    "version_and_auth": version_and_auth,
    "namespaces": namespaces,
    "namespace_defaults_and_secrets": namespace_defaults_and_secrets,
}
