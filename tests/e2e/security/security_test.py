#!/usr/bin/env python3
"""Least privilege on the sandbox, after `kubectl harborrobot install`: the
README's table of SubjectAccessReviews (authorization.k8s.io/v1, created
through the real kubectl) for the hub's ServiceAccount and the agent of team-a,
asked in managed mode and again after `install --agents external`; a binding
whose selector matches kube-system places no agent there and says why (a
condition and an event naming it); an agent finds a name taken by someone
else's Secret with a get (its cache holds only harborrobot's Secrets); the
NetworkPolicy in front of the hub API is applied.
usage: security_test.py <build dir>   (needs root; exits 77 otherwise)"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from world import (HUB_NS, ROOT, binding, expect_equal, expect_true, sandboxed,  # noqa: E402
                   wait_for)

IDENTITIES = {"hub": (HUB_NS, "harborrobot-hub"), "agent": ("team-a", "harborrobot-agent")}
# Every namespace labelled pulls-from=team, kube-system included, in project team.
BINDING = binding("team", selector={"pulls-from": "team"}, secret="team-pull")


def sar_table():
    """The rows between <!-- sar-table --> markers of README.md, as dicts."""
    with open(os.path.join(ROOT, "README.md")) as f:
        text = f.read()
    found = re.search(r"<!-- sar-table -->\n(.*?)<!-- /sar-table -->", text, re.S)
    expect_true(found, "README.md has a <!-- sar-table --> section")
    lines = [line for line in found.group(1).splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows = []
    for line in lines[2:]:
        rows.append(dict(zip(header, (cell.strip() for cell in line.strip("|").split("|")))))
    return rows


def review(world, row):
    """Asks the API server as a SubjectAccessReview; returns status.allowed."""
    ns, name = IDENTITIES[row["Who"]]
    resource, _, subresource = row["Resource"].partition("/")
    plural, _, group = resource.partition(".")
    attributes = {"verb": row["Verb"], "group": group, "resource": plural}
    for key, value in (("subresource", subresource), ("name", row["Name"]),
                       ("namespace", "" if row["Namespace"] == "(all)" else row["Namespace"])):
        if value:
            attributes[key] = value
    body = {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
            "spec": {"user": f"system:serviceaccount:{ns}:{name}",
                     "groups": ["system:serviceaccounts", f"system:serviceaccounts:{ns}",
                                "system:authenticated"],
                     "resourceAttributes": attributes}}
    answer = json.loads(world.kubectl("create", "-f", "-", "-o", "json", stdin=json.dumps(body)))
    return bool(answer.get("status", {}).get("allowed"))


def check_table(world, mode):
    rows = [row for row in sar_table() if row["Mode"] in ("both", mode)]
    wrong = []
    for row in rows:
        allowed = review(world, row)
        if allowed != (row["Allowed"] == "yes"):
            wrong.append(f"{row['Who']} {row['Verb']} {row['Resource']} "
                         f"{row['Namespace']}/{row['Name']}: allowed={allowed}, "
                         f"README says {row['Allowed']}")
    expect_equal(wrong, [], f"every SubjectAccessReview of the README's table ({mode})")
    refused = sum(1 for row in rows if row["Allowed"] == "no")
    print(f"{mode}: {len(rows)} SubjectAccessReviews as the README says "
          f"({refused} refused, {len(rows) - refused} allowed)")
    return len(rows)


def main():
    with sandboxed(sys.argv[1]) as world:
        kubectl = world.kubectl
        applied = world.plugin("install", "--wait", "--timeout", "90s")
        expect_true("networkpolicy/harborrobot-hub applied" in applied, applied)
        policy = json.loads(kubectl("get", "networkpolicy", "-n", HUB_NS, "harborrobot-hub",
                                    "-o", "json"))
        expect_equal(policy["spec"]["ingress"][0]["from"][0]["podSelector"]["matchLabels"],
                     {"app.kubernetes.io/name": "harborrobot-agent"},
                     "only agent Pods reach the hub API")
        world.connect("--ca-file", world.harbor_ca())
        world.create_project("team")

        # team-c already holds a Secret of the binding's name, made by someone else.
        for ns in ("team-a", "team-b", "team-c"):
            kubectl("create", "namespace", ns)
            kubectl("label", "namespace", ns, "pulls-from=team")
        kubectl("create", "secret", "generic", "team-pull", "-n", "team-c",
                "--from-literal=owner=someone-else")
        kubectl("label", "namespace", "kube-system", "pulls-from=team")
        world.apply(BINDING)

        def settled():
            spaces = world.credentials("team")
            ok = (spaces.get("team-a", {}).get("ready") and spaces.get("team-b", {}).get("ready")
                  and spaces.get("team-c", {}).get("reason") == "SecretNameConflict")
            return spaces if ok else None
        spaces = wait_for(settled, "team-a and team-b Ready, team-c's name taken", timeout=120)
        status = world.binding("team").get("status", {})
        expect_equal((sorted(spaces), status.get("targetNamespaces")),
                     (["team-a", "team-b", "team-c"], 3), "kube-system is no target")
        excluded = [c for c in status["conditions"] if c["type"] == "NamespacesExcluded"]
        expect_equal(len(excluded), 1, f"a NamespacesExcluded condition: {status['conditions']}")
        expect_equal((excluded[0]["status"], excluded[0]["reason"]), ("True", "ProtectedNamespace"),
                     "its reason")
        expect_true(excluded[0]["message"].startswith("kube-system is protected"),
                    excluded[0]["message"])
        events = json.loads(kubectl("get", "events", "-A", "--field-selector",
                                    "reason=ProtectedNamespace", "-o", "json"))["items"]
        expect_true(any("kube-system" in e["message"] and e["type"] == "Warning" for e in events),
                    f"a Warning event names kube-system: {events}")
        for kind in ("deployment", "serviceaccount", "rolebinding", "secret"):
            name = "team-pull" if kind == "secret" else "harborrobot-agent"
            missing = kubectl("get", kind, "-n", "kube-system", name, check=False)
            expect_equal(missing, "", f"no {kind}/{name} in kube-system")
        expect_equal(kubectl("get", "secret", "-n", "team-c", "team-pull", "-o",
                             "jsonpath={.data.owner}"), "c29tZW9uZS1lbHNl",
                     "someone else's Secret is left as it was")

        # The table, managed; the same identities through kubectl auth can-i --as.
        asked = check_table(world, "managed")
        hub_sa = f"system:serviceaccount:{HUB_NS}:harborrobot-hub"
        for args, expected in ((("update", "configmaps/coredns", "-n", "kube-system"), "no"),
                               (("update", "configmaps/harborrobot-signal", "-n", "team-a"),
                                "yes")):
            answer = kubectl("auth", "can-i", *args, "--as", hub_sa, check=False).strip()
            expect_equal(answer, expected, f"kubectl auth can-i {' '.join(args)} as the hub")

        # External mode: the same install, re-applied; the hub loses every
        # Deployment, ServiceAccount and RoleBinding right.
        world.plugin("install", "--agents", "external")
        role = json.loads(kubectl("get", "clusterrole", "harborrobot-hub", "-o", "json"))
        expect_true(all("deployments" not in rule["resources"] for rule in role["rules"]),
                    "external: no Deployment rule at all")
        asked += check_table(world, "external")
        expect_true(asked >= 40, f"at least 40 reviews asked ({asked})")
    print("e2e.security: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
