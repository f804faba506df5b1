#!/usr/bin/env python3
"""Bad connection Secrets and bindings on the sandbox (managed agents): each
of 24 cases ends with a binding whose Ready condition names the problem
(reason, and a message naming the field or the cause), the connection
Secret's own problems are also events on it, and a good binding applied first
stays Ready throughout. A case the apiserver already refuses (the CRD's
schema) must name the field in kubectl's error instead.
usage: malformed_test.py <build dir>   (needs root; exits 77 otherwise)"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from world import (HUB_NS, QUICKSTART_CONNECTION, TEAM_LABEL, binding,  # noqa: E402
                   connection_secret, expect_equal, expect_true, sandboxed, wait_for)


def binding_with(name, connection_name="harbor", **changes):
    """A binding of team-ns1 on a connection, with `changes` ({"a.b": value})."""
    made = binding(name, namespaces=["team-ns1"], connection=connection_name)
    for path, value in changes.items():
        target = made["spec"]
        keys = path.split(".")
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value
    return made


# (case, connection Secret or None, binding, expected reason, text the message must hold)
def cases():
    out = []

    def bad_connection(case, reason, text, **data):
        name = f"conn-{case}"
        out.append((case, connection_secret(name, **data), binding_with(f"b-{case}", name),
                    reason, text))
    bad_connection("no-url", "InvalidConnection", "url", url=None)
    bad_connection("ftp-url", "InvalidConnection", "url", url="ftp://harbor.example.com")
    bad_connection("url-path", "InvalidConnection", "url", url="https://harbor.example.com/x")
    bad_connection("url-creds", "InvalidConnection", "url", url="https://u:p@harbor.example.com")
    bad_connection("no-username", "InvalidConnection", "username", username=None)
    bad_connection("no-password", "InvalidConnection", "password", password=None)
    bad_connection("alias-policy", "InvalidConnection", "url.alias.policy",
                   **{"url.alias": "https://harbor-2.example.com", "url.alias.policy": "Sometimes"})
    bad_connection("alias-interval", "InvalidConnection", "url.alias.check.interval",
                   **{"url.alias": "https://harbor-2.example.com",
                      "url.alias.check.interval": "1 minute"})
    bad_connection("alias-ips", "InvalidConnection", "url.alias.ips",
                   **{"url.alias": "https://harbor-2.example.com", "url.alias.ips": "not-an-ip"})
    bad_connection("alias-url", "InvalidConnection", "url.alias", **{"url.alias": "harbor"})
    bad_connection("bad-login", "HarborAuthenticationFailed", "harbor.example.com",
                   password="Wr0ngPassw0rd-x9")
    bad_connection("not-admin", "HarborUserNotAdmin", "plain-user", username="plain-user",
                   password="Plain12345")
    bad_connection("unreachable", "HarborUnreachable", "nowhere.example.com",
                   url="https://nowhere.example.com")
    out.append(("no-connection", None, binding_with("b-no-connection", "missing"),
                "ConnectionNotFound", "missing"))
    elsewhere = binding_with("b-elsewhere")
    elsewhere["spec"]["harbor"]["secret"]["namespace"] = "default"
    out.append(("elsewhere", None, elsewhere, "ConnectionOutsideHubNamespace", "default"))

    def bad_binding(case, reason, text, **changes):
        out.append((case, None, binding_with(f"b-{case}", **changes), reason, text))
    bad_binding("interval-words", "InvalidSpec", "spec.refreshInterval",
                refreshInterval="6 hours")
    bad_binding("interval-negative", "InvalidSpec", "spec.refreshInterval", refreshInterval="-1h")
    bad_binding("secret-name", "InvalidSpec", "spec.generatedSecret.name",
                **{"generatedSecret.name": "Bad_Name"})
    bad_binding("action", "InvalidSpec", "spec.harbor.robot.access[0]",
                **{"harbor.robot.access": [{"action": "fly", "resource": "repository"}]})
    bad_binding("project-name", "InvalidSpec", "spec.harbor.project",
                **{"harbor.project": "Team!"})
    bad_binding("namespace-name", "InvalidSpec", "spec.namespaces.names[0]",
                **{"namespaces.names": ["Not A Namespace"]})
    bad_binding("selector-operator", "InvalidSpec", "spec.namespaces.selector",
                **{"namespaces": {"selector": {"matchExpressions": [
                    {"key": "team", "operator": "Near", "values": ["a"]}]}}})
    bad_binding("grace", "InvalidSpec", "spec.rotation.gracePeriod",
                rotation={"gracePeriod": "soon"})
    bad_binding("no-project", "ProjectNotFound", "nope", **{"harbor.project": "nope"})
    return out


def main():
    with sandboxed(sys.argv[1]) as world:
        kubectl = world.kubectl
        world.install()
        world.create_namespaces(["team-ns1"], TEAM_LABEL)
        # A Harbor user that is not an administrator.
        code, _ = world.harbor("POST", "/users", {"username": "plain-user", "password": "Plain12345",
                                                  "email": "p@example.com", "realname": "p"})
        expect_equal(code, 201, "a plain Harbor user")
        world.apply_fixture(QUICKSTART_CONNECTION)
        good = binding_with("good")

        def ready_of(name):
            conditions = world.binding(name).get("status", {}).get("conditions", [])
            return conditions[0] if conditions else None
        world.apply(good)
        wait_for(lambda: (ready_of("good") or {}).get("status") == "True", "the good binding",
                 timeout=60)

        all_cases = cases()
        expect_true(len(all_cases) >= 20, f"{len(all_cases)} cases")
        by_apiserver = []
        for case, secret, bad, reason, text in all_cases:
            if secret is not None:
                world.apply(secret)
            applied = subprocess.run(["kubectl", "apply", "-f", "-"], env=world.env,
                                     input=json.dumps(bad), capture_output=True, text=True,
                                     timeout=60)
            if applied.returncode != 0:
                # Refused by the apiserver (the CRD's schema): it must name the field.
                expect_true(text in applied.stderr,
                            f"{case}: kubectl's error names {text!r}: {applied.stderr}")
                by_apiserver.append(case)
        for case, secret, bad, reason, text in all_cases:
            if case in by_apiserver:
                continue
            name = bad["metadata"]["name"]
            condition = wait_for(lambda: (lambda c: c if c and c.get("reason") == reason
                                          else None)(ready_of(name)),
                                 f"{case}: reason {reason} (now {ready_of(name)})", timeout=60)
            expect_equal(condition["status"], "False", f"{case}: not Ready")
            expect_true(text in condition["message"],
                        f"{case}: the message names {text!r}: {condition['message']}")
            expect_true("api-password" not in condition["message"] and
                        "Wr0ngPassw0rd-x9" not in condition["message"],
                        f"{case}: no password in the message")
            if secret is not None:
                events = kubectl("get", "events", "-n", HUB_NS, "--field-selector",
                                 f"involvedObject.name={secret['metadata']['name']}", "-o",
                                 "jsonpath={range .items[*]}{.reason}{'\\n'}{end}")
                expect_true(reason in events.split(), f"{case}: an event {reason} on the Secret")
        print(f"malformed_test: {len(all_cases)} cases, {len(by_apiserver)} refused by the "
              f"apiserver ({', '.join(by_apiserver) or 'none'})")
        expect_equal((ready_of("good") or {}).get("status"), "True",
                     "the good binding stayed Ready")
        all_events = kubectl("get", "events", "-A", "-o", "json")
        expect_true("api-password" not in all_events and "Wr0ngPassw0rd-x9" not in all_events,
                    "no password in any event")
    print("malformed_test: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
