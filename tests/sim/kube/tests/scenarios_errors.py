"""Malformed input gets the apiserver's status code, reason and message, and
changes nothing."""
import json

from harness import expect_equal, expect_in, seed

BINDING = seed("binding-harbor1-for-team1.yaml")


def malformed_input(sim):
    sim.install_crd()
    sim.apply_namespace("e")
    before = sim.ok("get", "all", "-A", "-o", "name")

    unknown = BINDING.replace("  refreshInterval: 1h", "  refreshInterval: 1h\n  bogus: 1")
    expect_equal(sim.fails("apply", "-f", "-", stdin=unknown),
                 'Error from server (BadRequest): error when creating "STDIN": HarborRobotBinding '
                 'in version "v1alpha1" cannot be handled as a HarborRobotBinding: strict decoding '
                 'error: unknown field "spec.bogus"\n', "unknown field under Strict")
    warned = sim.kubectl("apply", "--validate=warn", "-f", "-", stdin=unknown)
    expect_equal((warned.returncode, warned.stderr),
                 (0, 'Warning: unknown field "spec.bogus"\n'), "unknown field under Warn")
    expect_equal(sim.ok("get", "hrb", "harbor1-for-team1", "-o", "jsonpath={.spec.bogus}"), "",
                 "unknown field pruned")
    sim.ok("delete", "hrb", "harbor1-for-team1")

    wrong_type = BINDING.replace("refreshInterval: 1h", "refreshInterval: 5")
    expect_equal(sim.fails("apply", "-f", "-", stdin=wrong_type),
                 'The HarborRobotBinding "harbor1-for-team1" is invalid: spec.refreshInterval: '
                 'Invalid value: "integer": spec.refreshInterval in body must be of type string: '
                 '"integer"\n', "CR failing its schema")
    missing = BINDING.replace("  generatedSecret:\n    name: harbor1-for-team1.robot\n", "")
    expect_in('spec.generatedSecret: Required value', sim.fails("apply", "-f", "-", stdin=missing),
              "required field")

    bad_name = json.dumps({"apiVersion": "v1", "kind": "Secret",
                           "metadata": {"name": "Bad_Name", "namespace": "e"}})
    expect_in('The Secret "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a '
              'lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters',
              sim.fails("apply", "-f", "-", stdin=bad_name), "invalid name")
    bad_docker = json.dumps({"apiVersion": "v1", "kind": "Secret", "type":
                             "kubernetes.io/dockerconfigjson", "metadata": {"name": "d", "namespace": "e"},
                             "data": {".dockerconfigjson": "bm90IGpzb24="}})
    expect_in('The Secret "d" is invalid: data[.dockerconfigjson]: Invalid value: '
              '"<secret contents redacted>"', sim.fails("apply", "-f", "-", stdin=bad_docker),
              "dockerconfigjson must be JSON")
    wrong_labels = json.dumps({"apiVersion": "v1", "kind": "ConfigMap",
                               "metadata": {"name": "c", "namespace": "e", "labels": {"a": 1}}})
    expect_in("cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type "
              "string", sim.fails("create", "--validate=false", "-f", "-", stdin=wrong_labels),
              "wrong type in metadata")
    raw = sim.write("raw.json", "{not json")
    expect_in("Error from server (BadRequest)",
              sim.fails("create", "--raw", "/api/v1/namespaces/e/configmaps", "-f", raw),
              "body that is not JSON")

    sim.ok("apply", "-f", "-", stdin=json.dumps({"apiVersion": "v1", "kind": "Secret",
                                                  "metadata": {"name": "t", "namespace": "e"},
                                                  "type": "Opaque"}))
    retyped = json.dumps({"apiVersion": "v1", "kind": "Secret",
                          "metadata": {"name": "t", "namespace": "e"}, "type": "other"})
    expect_in('type: Invalid value: "other": field is immutable',
              sim.fails("apply", "-f", "-", stdin=retyped), "immutable secret type")
    after = sim.ok("get", "all", "-A", "-o", "name")
    expect_equal(after, before, "failed requests created nothing")
    expect_equal(sim.ok("get", "secrets", "-n", "e", "-o", "name"), "secret/t\n",
                 "only the valid secret exists")


def varint(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def field(number, payload):
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def envelope(api_version, kind, raw):
    type_meta = field(1, api_version.encode()) + field(2, kind.encode())
    return b"k8s\0" + field(1, type_meta) + field(2, raw)


def malformed_protobuf(sim):
    protobuf = "application/vnd.kubernetes.protobuf"
    path = "/api/v1/namespaces/default/configmaps"
    good = envelope("v1", "ConfigMap", field(1, field(1, b"from-proto")))
    status, body = sim.raw("POST", path, good, protobuf)
    expect_equal((status, body["metadata"]["name"]), (201, "from-proto"), "hand-encoded body")
    cases = {
        b"no magic at all": "does not start with the Kubernetes protobuf magic",
        b"k8s\0\x0a\xff": "envelope: truncated varint at byte 2",
        b"k8s\0\x0a\x7f": "envelope: field 1 at byte 0 claims 127 bytes, only 0 remain",
        envelope("v1", "ConfigMap", field(1, b"\x0a\x80")): "metadata: truncated varint",
        envelope("v1", "Frobnicator", b""): 'no protobuf decoding for apiVersion "v1", kind '
                                           '"Frobnicator"',
        envelope("v1", "ConfigMap", field(1, varint(1 << 3 | 0) + varint(5))):
            "metadata.name: field 1 has wire type 0",
    }
    for payload, message in cases.items():
        status, body = sim.raw("POST", path, payload, protobuf)
        expect_equal((status, body["reason"]), (400, "BadRequest"), f"status for {payload!r}")
        expect_in(message, body["message"], f"message for {payload!r}")
    expect_equal(sim.ok("get", "cm", "-n", "default", "-o", "name"),
                 "configmap/from-proto\nconfigmap/kube-root-ca.crt\n",
                 "malformed bodies stored nothing")


SCENARIOS = {"malformed_input": malformed_input, "malformed_protobuf": malformed_protobuf}
