"""events.k8s.io/v1 as a second view of the stored core/v1 Events, as a real
kube-apiserver serves it: pkg/registry/events/rest/storage_events.go (the same
event storage), pkg/apis/events/v1/conversion.go (the field mapping and the
field selector labels), pkg/apis/core/validation/events.go (ValidateEventCreate
/ ValidateEventUpdate for events.k8s.io/v1) and RBAC's separate API group."""
import json

from harness import expect_equal, expect_in

CORE = "/api/v1/namespaces/{ns}/events"
V1 = "/apis/events.k8s.io/v1/namespaces/{ns}/events"
NEW_STYLE = {"eventTime": "2026-01-02T03:04:05.000006Z", "reportingController": "example.com/ctl",
             "reportingInstance": "ctl-1", "action": "Reconcile", "reason": "Synced",
             "type": "Normal"}


def post(sim, path, body):
    return sim.raw("POST", path, json.dumps(body).encode())


def events_v1_discovery(sim):
    """The group, its version and the resource as a v1.32 apiserver lists them."""
    _, groups = sim.raw("GET", "/apis")
    found = [group for group in groups["groups"] if group["name"] == "events.k8s.io"]
    expect_equal([g["preferredVersion"]["groupVersion"] for g in found], ["events.k8s.io/v1"],
                 "/apis lists events.k8s.io")
    status, group = sim.raw("GET", "/apis/events.k8s.io")
    expect_equal((status, group["kind"], [v["version"] for v in group["versions"]]),
                 (200, "APIGroup", ["v1"]), "/apis/events.k8s.io")
    status, resources = sim.raw("GET", "/apis/events.k8s.io/v1")
    expect_equal(status, 200, "/apis/events.k8s.io/v1")
    events = [r for r in resources["resources"] if r["name"] == "events"]
    expect_equal(len(events), 1, "one events resource")
    entry = events[0]
    expect_equal((entry["kind"], entry["namespaced"], entry["singularName"], entry["shortNames"],
                  sorted(entry["verbs"])),
                 ("Event", True, "event", ["ev"],
                  ["create", "delete", "deletecollection", "get", "list", "patch", "update",
                   "watch"]), "the events resource")
    listed = sim.ok("api-resources", "--api-group=events.k8s.io", "--no-headers")
    expect_equal(listed.split(), ["events", "ev", "events.k8s.io/v1", "true", "Event"],
                 "kubectl api-resources")


def events_v1_conversion(sim):
    """One object, two shapes: written through either group, read through both."""
    sim.apply_namespace("ev")
    core_event = {"metadata": {"name": "old-style"},
                  "involvedObject": {"kind": "Pod", "name": "p", "namespace": "ev"},
                  "reason": "Pulled", "message": "pulled the image", "type": "Normal",
                  "source": {"component": "kubelet", "host": "node-1"},
                  "firstTimestamp": "2026-01-01T00:00:00Z", "lastTimestamp": "2026-01-01T00:01:00Z",
                  "count": 3, "reportingComponent": "kubelet", "reportingInstance": "node-1"}
    status, _ = post(sim, CORE.format(ns="ev"), core_event)
    expect_equal(status, 201, "create through core/v1")
    status, seen = sim.raw("GET", V1.format(ns="ev") + "/old-style")
    expect_equal(status, 200, "read through events.k8s.io/v1")
    expect_equal((seen["apiVersion"], seen["kind"]), ("events.k8s.io/v1", "Event"), "type meta")
    expect_equal({key: seen.get(key) for key in (
        "regarding", "note", "deprecatedSource", "deprecatedFirstTimestamp",
        "deprecatedLastTimestamp", "deprecatedCount", "reportingController", "reportingInstance",
        "reason", "type", "eventTime")},
        {"regarding": core_event["involvedObject"], "note": "pulled the image",
         "deprecatedSource": {"component": "kubelet", "host": "node-1"},
         "deprecatedFirstTimestamp": "2026-01-01T00:00:00Z",
         "deprecatedLastTimestamp": "2026-01-01T00:01:00Z", "deprecatedCount": 3,
         "reportingController": "kubelet", "reportingInstance": "node-1", "reason": "Pulled",
         "type": "Normal", "eventTime": None}, "core fields under their events.k8s.io names")
    for core_name in ("involvedObject", "message", "source", "firstTimestamp", "count",
                      "reportingComponent"):
        expect_equal(core_name in seen, False, f"no core field {core_name}")

    new_event = {"apiVersion": "events.k8s.io/v1", "kind": "Event",
                 "metadata": {"name": "new-style"}, **NEW_STYLE,
                 "regarding": {"kind": "ConfigMap", "name": "c", "namespace": "ev"},
                 "related": {"kind": "Secret", "name": "s", "namespace": "ev"},
                 "note": "synced the config",
                 "series": {"count": 2, "lastObservedTime": "2026-01-02T03:05:00.000000Z"}}
    status, created = post(sim, V1.format(ns="ev"), new_event)
    expect_equal((status, created.get("note"), created.get("apiVersion")),
                 (201, "synced the config", "events.k8s.io/v1"), "create through events.k8s.io/v1")
    status, core = sim.raw("GET", CORE.format(ns="ev") + "/new-style")
    expect_equal(status, 200, "read through core/v1")
    expect_equal({key: core.get(key) for key in (
        "apiVersion", "involvedObject", "related", "message", "reportingComponent",
        "reportingInstance", "action", "reason", "type", "eventTime", "series")},
        {"apiVersion": "v1", "involvedObject": new_event["regarding"],
         "related": new_event["related"], "message": "synced the config",
         "reportingComponent": "example.com/ctl", "reportingInstance": "ctl-1",
         "action": "Reconcile", "reason": "Synced", "type": "Normal",
         "eventTime": "2026-01-02T03:04:05.000006Z", "series": new_event["series"]},
        "events.k8s.io fields under their core names")

    # Updates through the view keep the object; its immutable fields stay.
    status, patched = sim.raw("PATCH", V1.format(ns="ev") + "/new-style",
                              json.dumps({"metadata": {"labels": {"a": "b"}}}).encode(),
                              "application/merge-patch+json")
    expect_equal((status, patched["metadata"].get("labels"), patched["note"]),
                 (200, {"a": "b"}, "synced the config"), "merge patch through events.k8s.io/v1")
    expect_equal(sim.raw("GET", CORE.format(ns="ev") + "/new-style")[1]["metadata"]["labels"],
                 {"a": "b"}, "the patch is in the core view")
    status, refused = sim.raw("PATCH", V1.format(ns="ev") + "/new-style",
                              json.dumps({"note": "changed"}).encode(),
                              "application/merge-patch+json")
    expect_equal((status, refused.get("message")),
                 (422, 'Event.events.k8s.io "new-style" is invalid: message: Invalid value: '
                       '"changed": field is immutable'), "the note is immutable")
    patched["metadata"]["labels"] = {"a": "c"}
    status, updated = sim.raw("PUT", V1.format(ns="ev") + "/new-style",
                              json.dumps(patched).encode())
    expect_equal((status, updated["metadata"]["labels"]), (200, {"a": "c"}), "update")

    status, _ = sim.raw("DELETE", V1.format(ns="ev") + "/old-style")
    expect_equal(status, 200, "delete through events.k8s.io/v1")
    status, missing = sim.raw("GET", CORE.format(ns="ev") + "/old-style")
    expect_equal(status, 404, "deleted from the shared storage")
    status, missing = sim.raw("GET", V1.format(ns="ev") + "/old-style")
    expect_equal((status, missing["message"]),
                 (404, 'events.events.k8s.io "old-style" not found'), "NotFound names the group")
    expect_in("configmap/c   synced the config", sim.ok("get", "events.events.k8s.io", "-n", "ev"),
              "kubectl reads the view (a Table of the stored Event)")
    expect_equal(sim.ok("get", "events.events.k8s.io", "new-style", "-n", "ev", "-o",
                        "jsonpath={.apiVersion} {.regarding.name} {.note}"),
                 "events.k8s.io/v1 c synced the config", "kubectl -o jsonpath through the view")


def events_v1_list_watch(sim):
    """Lists and watches through the view, with its field selector labels."""
    sim.apply_namespace("lw")
    _, before = sim.raw("GET", V1.format(ns="lw"))
    for name, target in (("one", "a"), ("two", "b")):
        status, _ = post(sim, CORE.format(ns="lw"), {
            "metadata": {"name": name}, "reason": "R", "message": f"about {target}",
            "involvedObject": {"kind": "Pod", "name": target, "namespace": "lw"},
            "reportingComponent": f"ctl-{target}"})
        expect_equal(status, 201, f"create {name}")
    status, listed = sim.raw("GET", V1.format(ns="lw"))
    expect_equal((status, listed["kind"], listed["apiVersion"]),
                 (200, "EventList", "events.k8s.io/v1"), "list kind")
    expect_equal([(item["metadata"]["name"], item["note"]) for item in listed["items"]],
                 [("one", "about a"), ("two", "about b")], "items converted")
    _, everywhere = sim.raw("GET", "/apis/events.k8s.io/v1/events")
    expect_equal(sorted(item["metadata"]["name"] for item in everywhere["items"]
                        if item["metadata"]["namespace"] == "lw"), ["one", "two"],
                 "list across namespaces")
    for selector, names in (("regarding.name=b", ["two"]), ("reportingController=ctl-a", ["one"]),
                            ("regarding.kind=Pod,type!=Warning", ["one", "two"])):
        status, selected = sim.raw("GET", V1.format(ns="lw") + "?fieldSelector=" + selector)
        expect_equal((status, [item["metadata"]["name"] for item in selected["items"]]),
                     (200, names), f"fieldSelector {selector}")
    status, _ = sim.raw("GET", V1.format(ns="lw") + "?fieldSelector=involvedObject.name=a")
    expect_equal(status, 400, "core labels are not events.k8s.io labels")

    connection = sim.connect()
    try:
        connection.request("GET", V1.format(ns="lw") + "?watch=true&timeoutSeconds=5"
                           f"&resourceVersion={before['metadata']['resourceVersion']}",
                           headers={"Authorization": "Bearer sim-token"})
        response = connection.getresponse()
        seen = [json.loads(response.readline()) for _ in range(2)]
    finally:
        connection.close()
    expect_equal([(e["type"], e["object"]["apiVersion"], e["object"]["regarding"]["name"])
                  for e in seen],
                 [("ADDED", "events.k8s.io/v1", "a"), ("ADDED", "events.k8s.io/v1", "b")],
                 "watch through events.k8s.io/v1")


def events_v1_validation(sim):
    """pkg/apis/core/validation/events.go ValidateEventCreate for events.k8s.io/v1."""
    sim.apply_namespace("va")

    def create(name, **fields):
        body = {"metadata": {"name": name},
                "regarding": {"kind": "Pod", "name": "p", "namespace": "va"}, **fields}
        return post(sim, V1.format(ns="va"), body)

    fields = dict(NEW_STYLE)
    del fields["eventTime"]
    status, body = create("no-time", **fields)
    expect_equal((status, body.get("message")),
                 (422, 'Event.events.k8s.io "no-time" is invalid: eventTime: Required value'),
                 "eventTime is required")
    status, body = create("bare", eventTime=NEW_STYLE["eventTime"], type="Normal")
    expect_equal(status, 422, "the reporting fields are required")
    for needed in ("reportingController: Required value", "reportingInstance: Required value",
                   "action: Required value", "reason: Required value"):
        expect_in(needed, body["message"], needed)
    expect_equal(body["details"]["group"], "events.k8s.io", "the group in details")
    status, body = create("long-note", **NEW_STYLE, note="n" * 1025)
    expect_equal((status, body.get("message")),
                 (422, 'Event.events.k8s.io "long-note" is invalid: message: Invalid value: "": '
                       'can have at most 1024 characters'), "note length")
    status, body = create("counted", **NEW_STYLE, deprecatedCount=2)
    expect_in("count: Invalid value: \"\": needs to be unset", body.get("message", ""),
              "deprecated fields stay unset")
    status, body = create("series", **NEW_STYLE, series={"count": 1})
    expect_equal(status, 422, "a short series")
    expect_in("series.count: Invalid value: \"\": should be at least 2", body["message"],
              "series.count")
    expect_in("series.lastObservedTime: Required value", body["message"], "lastObservedTime")
    status, body = create("odd-type", **{**NEW_STYLE, "type": "Odd"})
    expect_in("type: Invalid value: \"\": has invalid value: Odd", body.get("message", ""),
              "type")
    expect_equal(create("fine", **NEW_STYLE)[0], 201, "a valid new-style Event")
    # apimachinery pkg/apis/meta/v1/micro_time.go: RFC3339 with six fractional
    # digits, stored in UTC.
    status, body = create("offset", **{**NEW_STYLE, "eventTime": "2026-01-02T05:04:05.000006+02:00"})
    expect_equal((status, body.get("eventTime")), (201, "2026-01-02T03:04:05.000006Z"),
                 "eventTime in UTC")
    status, body = create("seconds", **{**NEW_STYLE, "eventTime": "2026-01-02T03:04:05Z"})
    expect_equal(status, 400, "eventTime is a MicroTime")
    expect_in("cannot parse", body["message"], "the decode error")
    # core/v1 keeps its legacy rules only: no eventTime needed there.
    status, _ = post(sim, CORE.format(ns="va"), {
        "metadata": {"name": "legacy"}, "reason": "R",
        "involvedObject": {"kind": "Pod", "name": "p", "namespace": "va"}})
    expect_equal(status, 201, "core/v1 does not apply the strict rules")


def events_v1_rbac(sim):
    """RBAC matches API groups: core events grant nothing in events.k8s.io."""
    sim.ok("create", "ns", "x")
    sim.ok("create", "sa", "robot", "-n", "x")
    sim.ok("create", "role", "core-events", "--verb=get,list", "--resource=events", "-n", "x")
    sim.ok("create", "rolebinding", "rb", "--role=core-events", "--serviceaccount=x:robot",
           "-n", "x")
    token = sim.ok("create", "token", "robot", "-n", "x", "--duration=10m").strip()
    expect_equal(sim.raw("GET", CORE.format(ns="x"), token=token)[0], 200, "core events granted")
    status, body = sim.raw("GET", V1.format(ns="x"), token=token)
    expect_equal((status, body.get("message")),
                 (403, 'events.events.k8s.io is forbidden: User "system:serviceaccount:x:robot" '
                       'cannot list resource "events" in API group "events.k8s.io" in the '
                       'namespace "x"'), "events.k8s.io is another group")
    sim.ok("create", "role", "new-events", "--verb=list", "--resource=events.events.k8s.io",
           "-n", "x")
    sim.ok("create", "rolebinding", "rb2", "--role=new-events", "--serviceaccount=x:robot",
           "-n", "x")
    expect_equal(sim.raw("GET", V1.format(ns="x"), token=token)[0], 200,
                 "granted for events.k8s.io")


SCENARIOS = {"events_v1_discovery": events_v1_discovery,
             "events_v1_conversion": events_v1_conversion,
             "events_v1_list_watch": events_v1_list_watch,
             "events_v1_validation": events_v1_validation, "events_v1_rbac": events_v1_rbac}
