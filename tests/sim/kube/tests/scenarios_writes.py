"""Writes as kubectl makes them: apply (client- and server-side), edit, every
patch type, label/annotate, replace conflicts, dry runs and finalizers."""
import base64
import json

from harness import LineReader, expect_equal, expect_in, expect_match, seed

BINDING = "harborrobotbinding.harbor-robot-gen.alaudadevops.alauda.io"

SA_MANIFEST = """apiVersion: v1
kind: ServiceAccount
metadata:
  name: robot
  namespace: w
secrets:
- name: s1
imagePullSecrets:
- name: a
"""


def apply_variants(sim):
    sim.install_crd()
    sim.apply_namespace("w")
    binding = seed("binding-harbor1-for-team1.yaml")
    expect_equal(sim.ok("apply", "-f", "-", stdin=binding), f"{BINDING}/harbor1-for-team1 created\n",
                 "first apply")
    expect_equal(sim.ok("apply", "-f", "-", stdin=binding),
                 f"{BINDING}/harbor1-for-team1 unchanged\n", "second apply is a no-op")
    changed = binding.replace("refreshInterval: 1h", "refreshInterval: 2h")
    expect_equal(sim.ok("apply", "-f", "-", stdin=changed),
                 f"{BINDING}/harbor1-for-team1 configured\n", "changed apply")
    expect_equal(sim.ok("get", "hrb", "harbor1-for-team1", "-o",
                        "jsonpath={.spec.refreshInterval} {.metadata.generation}"),
                 "2h 2", "spec change bumps generation")

    expect_equal(sim.ok("apply", "-f", "-", stdin=SA_MANIFEST), "serviceaccount/robot created\n",
                 "sa apply")
    grown = SA_MANIFEST.replace("- name: s1\n", "- name: s1\n- name: s2\n").replace(
        "- name: a\n", "- name: a\n- name: b\n")
    expect_equal(sim.ok("apply", "-f", "-", stdin=grown), "serviceaccount/robot configured\n",
                 "sa apply with longer lists (strategic merge with $setElementOrder)")
    expect_equal(sim.ok("get", "sa", "robot", "-n", "w", "-o",
                        "jsonpath={.secrets[*].name}/{.imagePullSecrets[*].name}"),
                 "s1 s2/a b", "lists after apply")

    dry = binding.replace("harbor1-for-team1", "dry-binding")
    expect_equal(sim.ok("apply", "--dry-run=server", "-f", "-", stdin=dry),
                 f"{BINDING}/dry-binding created (server dry run)\n", "server dry run")
    expect_in("not found", sim.fails("get", "hrb", "dry-binding"), "dry run stored nothing")

    ssa = binding.replace("harbor1-for-team1", "ssa-binding")
    expect_equal(sim.ok("apply", "--server-side", "-f", "-", stdin=ssa),
                 f"{BINDING}/ssa-binding serverside-applied\n", "server-side create")
    expect_equal(sim.ok("apply", "--server-side", "-f", "-", stdin=ssa),
                 f"{BINDING}/ssa-binding serverside-applied\n", "server-side again")
    other = ssa.replace("refreshInterval: 1h", "refreshInterval: 3h")
    conflict = sim.fails("apply", "--server-side", "--field-manager=other", "-f", "-", stdin=other)
    expect_in('conflict with "kubectl": .spec.refreshInterval', conflict, "field manager conflict")
    expect_equal(sim.ok("get", "hrb", "ssa-binding", "-o", "jsonpath={.spec.refreshInterval}"),
                 "1h", "a conflict changes nothing")
    expect_equal(sim.ok("apply", "--server-side", "--field-manager=other", "--force-conflicts",
                        "-f", "-", stdin=other),
                 f"{BINDING}/ssa-binding serverside-applied\n", "forced apply")
    managers = json.loads(sim.ok("get", "hrb", "ssa-binding", "-o", "json",
                                 "--show-managed-fields"))["metadata"]["managedFields"]
    owners = {entry["manager"]: entry["fieldsV1"] for entry in managers}
    expect_equal("f:refreshInterval" in owners["other"]["f:spec"], True, "other owns the field")
    expect_equal("f:refreshInterval" in owners["kubectl"]["f:spec"], False,
                 "kubectl lost the field")


def edit_and_patch(sim):
    sim.install_crd()
    sim.apply_namespace("w")
    sim.ok("apply", "-f", "-", stdin=seed("binding-harbor1-for-team1.yaml"))
    editor = sim.write("editor.sh", "#!/bin/sh\nsed -i 's/refreshInterval: 1h/refreshInterval: 4h/' \"$1\"\n")
    expect_equal(sim.ok("edit", "hrb", "harbor1-for-team1",
                        env={"KUBE_EDITOR": f"sh {editor}"}),
                 f"{BINDING}/harbor1-for-team1 edited\n", "edit")
    expect_equal(sim.ok("get", "hrb", "harbor1-for-team1", "-o", "jsonpath={.spec.refreshInterval}"),
                 "4h", "edited value")
    expect_equal(sim.ok("patch", "hrb", "harbor1-for-team1", "--type=merge", "-p",
                        '{"spec":{"refreshInterval":"5h"}}'),
                 f"{BINDING}/harbor1-for-team1 patched\n", "merge patch")
    expect_equal(sim.ok("patch", "hrb", "harbor1-for-team1", "--type=json", "-p",
                        '[{"op":"replace","path":"/spec/refreshInterval","value":"6h"}]'),
                 f"{BINDING}/harbor1-for-team1 patched\n", "json patch")
    expect_equal(sim.fails("patch", "hrb", "harbor1-for-team1", "-p",
                           '{"spec":{"refreshInterval":"7h"}}'),
                 f"error: application/strategic-merge-patch+json is not supported by "
                 f"harbor-robot-gen.alaudadevops.alauda.io/v1alpha1, Kind=HarborRobotBinding: "
                 f"the body of the request was in an unknown format - accepted media types "
                 f"include: application/json-patch+json, application/merge-patch+json, "
                 f"application/apply-patch+yaml\n", "strategic patch of a CR")
    failed = sim.fails("patch", "hrb", "harbor1-for-team1", "--type=json", "-p",
                       '[{"op":"test","path":"/spec/refreshInterval","value":"1h"}]')
    expect_in("test", failed, "failed JSON patch test")
    expect_equal(sim.ok("get", "hrb", "harbor1-for-team1", "-o", "jsonpath={.spec.refreshInterval}"),
                 "6h", "failed patch changed nothing")
    # Status through the main resource is ignored when the status subresource is on.
    sim.ok("patch", "hrb", "harbor1-for-team1", "--type=merge", "-p",
           '{"status":{"lastRefreshTime":"2025-01-01T00:00:00Z"}}')
    expect_equal(sim.ok("get", "hrb", "harbor1-for-team1", "-o", "jsonpath={.status}"), "",
                 "status ignored on the main resource")

    sim.ok("apply", "-f", "-", stdin=SA_MANIFEST)
    sim.ok("patch", "sa", "robot", "-n", "w", "-p", '{"imagePullSecrets":[{"name":"second"}]}')
    sim.ok("patch", "sa", "robot", "-n", "w", "-p", '{"secrets":[{"name":"s9"}]}')
    expect_equal(sim.ok("get", "sa", "robot", "-n", "w", "-o",
                        "jsonpath={.imagePullSecrets[*].name}/{.secrets[*].name}"),
                 "second/s1 s9", "strategic patch: imagePullSecrets replaced, secrets merged")

    expect_equal(sim.ok("label", "ns", "w", "team=a"), "namespace/w labeled\n", "label")
    expect_equal(sim.ok("get", "ns", "-l", "team=a", "-o", "name"), "namespace/w\n",
                 "label selector")
    expect_equal(sim.ok("label", "ns", "w", "team-"), "namespace/w unlabeled\n", "unlabel")
    expect_equal(sim.ok("annotate", "hrb", "harbor1-for-team1", "harbor-robot-gen/refresh-now=true"),
                 f"{BINDING}/harbor1-for-team1 annotated\n", "annotate")
    expect_equal(sim.ok("get", "hrb", "harbor1-for-team1", "-o",
                        "jsonpath={.metadata.annotations.harbor-robot-gen/refresh-now}"),
                 "true", "annotation stored")


def conflicts_and_finalizers(sim):
    sim.apply_namespace("w")
    sim.ok("apply", "-f", "-", stdin=SA_MANIFEST)
    stale = json.loads(sim.ok("get", "sa", "robot", "-n", "w", "-o", "json"))
    sim.ok("label", "sa", "robot", "-n", "w", "bump=1")
    path = sim.write("sa.json", json.dumps(stale))
    expect_equal(sim.fails("replace", "-f", path),
                 f'Error from server (Conflict): error when replacing "{path}": Operation cannot '
                 'be fulfilled on serviceaccounts "robot": the object has been modified; please '
                 'apply your changes to the latest version and try again\n', "stale replace")

    held = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: held\n  namespace: w\n"
            "  finalizers: [example.com/hold]\ndata:\n  a: b\n")
    sim.ok("apply", "-f", "-", stdin=held)
    expect_equal(sim.ok("delete", "cm", "held", "-n", "w", "--wait=false"),
                 'configmap "held" deleted\n', "delete held object")
    expect_match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ",
                 sim.ok("get", "cm", "held", "-n", "w", "-o", "jsonpath={.metadata.deletionTimestamp}"),
                 "deletionTimestamp set while finalizers remain")
    waiter = LineReader(sim.popen("delete", "cm", "held", "-n", "w", "--timeout=30s"))
    # kubectl prints "deleted" once its DELETE returned, then waits for the object to go.
    waiter.wait_for(lambda line: line == 'configmap "held" deleted', "the waiting delete")
    expect_equal(waiter.process.poll(), None, "delete waits while finalizers remain")
    sim.ok("patch", "cm", "held", "-n", "w", "--type=merge", "-p", '{"metadata":{"finalizers":null}}')
    expect_equal(waiter.process.wait(timeout=40), 0, "waiting delete ends when finalizers go")
    expect_in("not found", sim.fails("get", "cm", "held", "-n", "w"), "object gone")

    owner = json.loads(sim.ok("get", "sa", "robot", "-n", "w", "-o", "json"))
    dependent = {"apiVersion": "v1", "kind": "ConfigMap",
                 "metadata": {"name": "owned", "namespace": "w", "ownerReferences": [
                     {"apiVersion": "v1", "kind": "ServiceAccount", "name": "robot",
                      "uid": owner["metadata"]["uid"]}]}}
    sim.ok("apply", "-f", "-", stdin=json.dumps(dependent))
    sim.ok("delete", "sa", "robot", "-n", "w")
    expect_in("not found", sim.fails("get", "cm", "owned", "-n", "w"),
              "background deletion collects dependents")


def create_generators(sim):
    # Each of these sends a protobuf body (kubectl-traces.md section 10).
    expect_equal(sim.ok("create", "ns", "team-ns1"), "namespace/team-ns1 created\n", "create ns")
    created = [
        (("create", "sa", "robot"), "serviceaccount/robot created\n"),
        (("create", "secret", "generic", "s", "--from-literal=a=b"), "secret/s created\n"),
        (("create", "secret", "docker-registry", "d", "--docker-server=https://h",
          "--docker-username=u", "--docker-password=p"), "secret/d created\n"),
        (("create", "configmap", "c", "--from-literal=x=y"), "configmap/c created\n"),
        (("create", "deployment", "web", "--image=nginx:1.25", "--replicas=2"),
         "deployment.apps/web created\n"),
        (("create", "role", "r", "--verb=get", "--resource=secrets"),
         "role.rbac.authorization.k8s.io/r created\n"),
        (("create", "rolebinding", "rb", "--role=r", "--serviceaccount=team-ns1:robot"),
         "rolebinding.rbac.authorization.k8s.io/rb created\n"),
    ]
    for args, output in created:
        expect_equal(sim.ok(*args, "-n", "team-ns1"), output, " ".join(args))
    expect_equal(sim.ok("get", "secret", "s", "-n", "team-ns1", "-o",
                        "jsonpath={.data.a} {.type}"), "Yg== Opaque", "secret from protobuf")
    docker = json.loads(base64.b64decode(sim.ok("get", "secret", "d", "-n", "team-ns1", "-o",
                                                "jsonpath={.data.\\.dockerconfigjson}")))
    expect_equal(docker["auths"]["https://h"]["username"], "u", "docker-registry secret")
    expect_equal(sim.ok("get", "deploy", "web", "-n", "team-ns1", "-o",
                        "jsonpath={.spec.replicas} {.spec.selector.matchLabels.app} "
                        "{.spec.template.spec.containers[0].image} {.metadata.generation}"),
                 "2 web nginx:1.25 1", "deployment from protobuf")
    expect_equal(sim.ok("get", "rolebinding", "rb", "-n", "team-ns1", "-o",
                        "jsonpath={.subjects[0].kind}/{.subjects[0].name} {.roleRef.name}"),
                 "ServiceAccount/robot r", "rolebinding from protobuf")
    expect_equal(sim.ok("get", "role", "r", "-n", "team-ns1", "-o",
                        "jsonpath={.rules[0].verbs} {.rules[0].resources}"),
                 '["get"] ["secrets"]', "role from protobuf")
    expect_in("AlreadyExists", sim.fails("create", "ns", "team-ns1"), "second create ns")


SCENARIOS = {"create_generators": create_generators,"apply_variants": apply_variants, "edit_and_patch": edit_and_patch,
             "conflicts_and_finalizers": conflicts_and_finalizers}
