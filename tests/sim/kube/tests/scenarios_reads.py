"""Reads as kubectl makes them: output formats, chunked lists, selectors,
watches, wait and describe."""
import json

from harness import LineReader, expect_equal, expect_in, expect_match, seed


def output_formats(sim):
    sim.install_crd()
    sim.ok("apply", "-f", "-", stdin=seed("binding-harbor1-for-team1.yaml"))
    expect_equal(sim.ok("get", "hrb", "-o", "name"),
                 "harborrobotbinding.harbor-robot-gen.alaudadevops.alauda.io/harbor1-for-team1\n",
                 "-o name")
    document = json.loads(sim.ok("get", "hrb", "harbor1-for-team1", "-o", "json"))
    expect_equal((document["kind"], document["spec"]["refreshInterval"]),
                 ("HarborRobotBinding", "1h"), "-o json")
    expect_in("refreshInterval: 1h", sim.ok("get", "hrb", "harbor1-for-team1", "-o", "yaml"),
              "-o yaml")
    wide = sim.ok("get", "hrb", "-o", "wide").splitlines()
    expect_equal(wide[0].split(), ["NAME", "READY", "LASTREFRESHTIME", "NEXTREFRESHTIME", "AGE",
                                   "REASON", "NAMESPACES", "READY-NAMESPACES"],
                 "-o wide shows priority-1 columns")
    expect_equal(sim.ok("get", "hrb", "-o", "custom-columns=NAME:.metadata.name,"
                        "EVERY:.spec.refreshInterval", "--no-headers").split(),
                 ["harbor1-for-team1", "1h"], "custom-columns")
    expect_equal(sim.ok("get", "hrb", "-o", "jsonpath={.items[*].spec.harbor.project}"),
                 "team1", "jsonpath over a list")
    expect_equal(sim.ok("get", "crd", "--no-headers").split()[0],
                 "harborrobotbindings.harbor-robot-gen.alaudadevops.alauda.io", "CRD table")
    resources = sim.ok("api-resources", "--api-group=harbor-robot-gen.alaudadevops.alauda.io")
    expect_match(r"NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND\n"
                 r"harborrobotbindings\s+hrb\s+harbor-robot-gen\.alaudadevops\.alauda\.io/v1alpha1"
                 r"\s+false\s+HarborRobotBinding\n", resources, "api-resources")


def lists_and_selectors(sim):
    sim.apply_namespace("r")
    for index in range(5):
        kind = "kubernetes.io/dockerconfigjson" if index % 2 else "Opaque"
        data = {".dockerconfigjson": "e30="} if index % 2 else {"k": "dg=="}
        sim.ok("apply", "-f", "-", stdin=json.dumps({
            "apiVersion": "v1", "kind": "Secret", "type": kind, "data": data,
            "metadata": {"name": f"s{index}", "namespace": "r", "labels": {"n": str(index)}}}))
    names = sim.ok("get", "secrets", "-n", "r", "--chunk-size=2", "-o", "name")
    expect_equal(names, "".join(f"secret/s{i}\n" for i in range(5)), "chunked list")
    table = sim.ok("get", "secrets", "-n", "r", "--chunk-size=2").splitlines()
    expect_equal(len(table), 6, "one table across chunks")
    expect_equal(sim.ok("get", "secrets", "-n", "r", "--field-selector",
                        "type=kubernetes.io/dockerconfigjson", "-o", "name"),
                 "secret/s1\nsecret/s3\n", "field selector on type")
    expect_equal(sim.ok("get", "secrets", "-n", "r", "-l", "n in (0,4),n!=4", "-o", "name"),
                 "secret/s0\n", "set-based label selector")
    expect_equal(sim.ok("get", "secrets", "-n", "r", "-l", "missing", "-o", "name"), "",
                 "exists selector")
    expect_equal(sim.kubectl("get", "secrets", "-n", "r", "-l", "missing").stderr,
                 "No resources found in r namespace.\n", "empty result message")
    bad = sim.fails("get", "secrets", "-n", "r", "--field-selector", "spec.foo=bar")
    # kubectl prefixes the server's message with what it was listing.
    expect_equal(bad, 'Error from server (BadRequest): Unable to find "/v1, Resource=secrets" that '
                 'match label selector "", field selector "spec.foo=bar": "spec.foo" is not a '
                 'known field selector: only "metadata.name", "metadata.namespace"\n',
                 "unknown field selector")
    expect_match(r"NAMESPACE\s+NAME\s+TYPE\s+DATA\s+AGE\s+LABELS\n"
                 r"r\s+s0\s+Opaque\s+1\s+\d+s\s+n=0\n.*",
                 sim.ok("get", "secrets", "-A", "--show-labels"), "-A and --show-labels")


def watch_events(sim):
    sim.install_crd()
    sim.ok("apply", "-f", "-", stdin=seed("binding-harbor2-for-team1.yaml"))
    watcher = LineReader(sim.popen("get", "hrb", "-w", "--output-watch-events"))
    try:
        # The initial list arrives as ADDED; the watch resumes from the list's
        # resourceVersion, so nothing written after this point can be missed.
        watcher.wait_for(lambda line: line.startswith("ADDED") and "harbor2-for-team1" in line,
                         "the initial list", 30)
        sim.ok("apply", "-f", "-", stdin=seed("binding-harbor1-for-team1.yaml"))
        watcher.wait_for(lambda line: line.startswith("ADDED") and "harbor1-for-team1" in line,
                         "ADDED")
        sim.ok("patch", "hrb", "harbor1-for-team1", "--subresource=status", "--type=merge", "-p",
               '{"status":{"conditions":[{"type":"Ready","status":"True"}]}}')
        watcher.wait_for(lambda line: line.startswith("MODIFIED") and " True " in line, "MODIFIED")
        sim.ok("delete", "hrb", "harbor1-for-team1")
        watcher.wait_for(lambda line: line.startswith("DELETED") and "harbor1" in line, "DELETED")
    finally:
        watcher.stop()
    # A JSON watch of one namespace, filtered by label: a relabel that stops
    # matching arrives as DELETED.
    sim.apply_namespace("w")
    json_watch = LineReader(sim.popen("get", "cm", "-n", "w", "-l", "app=x", "-w", "-o", "json",
                                      "--output-watch-events"))
    try:
        sim.ok("apply", "-f", "-", stdin=json.dumps({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "cm", "namespace": "w", "labels": {"app": "x"}}}))
        json_watch.wait_for(lambda line: '"type":"ADDED"' in line, "JSON ADDED")
        sim.ok("label", "cm", "cm", "-n", "w", "app=y", "--overwrite")
        json_watch.wait_for(lambda line: '"type":"DELETED"' in line,
                            "DELETED when the object stops matching")
    finally:
        json_watch.stop()


def wait_and_describe(sim):
    sim.install_crd()
    sim.ok("apply", "-f", "-", stdin=seed("binding-harbor1-for-team1.yaml"))
    waiter = sim.popen("wait", "--for=condition=Ready", "hrb/harbor1-for-team1", "--timeout=30s")
    sim.ok("patch", "hrb", "harbor1-for-team1", "--subresource=status", "--type=merge", "-p",
           '{"status":{"conditions":[{"type":"Ready","status":"True","reason":"Synced"}]}}')
    out, err = waiter.communicate(timeout=40)
    expect_equal((waiter.returncode, out),
                 (0, "harborrobotbinding.harbor-robot-gen.alaudadevops.alauda.io/"
                     "harbor1-for-team1 condition met\n"), "wait: " + err)
    uid = sim.ok("get", "hrb", "harbor1-for-team1", "-o", "jsonpath={.metadata.uid}")
    event = {"apiVersion": "v1", "kind": "Event",
             "metadata": {"name": "harbor1-for-team1.1", "namespace": "default"},
             "involvedObject": {"apiVersion": "harbor-robot-gen.alaudadevops.alauda.io/v1alpha1",
                                "kind": "HarborRobotBinding", "name": "harbor1-for-team1",
                                "uid": uid},
             "reason": "RobotRotated", "message": "rotated the robot of team1-demo",
             "type": "Normal", "source": {"component": "harborrobot-hub"}, "count": 1,
             "firstTimestamp": "2026-01-01T00:00:00Z", "lastTimestamp": "2026-01-01T00:00:00Z"}
    sim.ok("apply", "-f", "-", stdin=json.dumps(event))
    described = sim.ok("describe", "hrb", "harbor1-for-team1")
    expect_match(r".*Events:\n  Type\s+Reason\s+Age\s+From\s+Message\n.*\n"
                 r"  Normal\s+RobotRotated\s+\S+\s+harborrobot-hub\s+rotated the robot of "
                 r"team1-demo\n", described, "describe shows the event")
    expect_match(r"LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE\n"
                 r"\S+\s+Normal\s+RobotRotated\s+HarborRobotBinding/harbor1-for-team1\s+rotated the "
                 r"robot of team1-demo\n", sim.ok("events", "-n", "default"), "kubectl events")


SCENARIOS = {"output_formats": output_formats, "lists_and_selectors": lists_and_selectors,
             "watch_events": watch_events, "wait_and_describe": wait_and_describe}
