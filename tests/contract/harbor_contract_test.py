#!/usr/bin/env python3
"""The Harbor contract checker (harbor_contract.py) on hand-made simulator log
lines: requests that follow Harbor's swagger pass, each kind of mistake fails
with its own reason, and only the product's User-Agent is checked.
usage: harbor_contract_test.py   (needs python3-jsonschema and python3-yaml)"""
import contextlib
import io
import json
import os
import shutil
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harbor_contract  # noqa: E402

SWAGGER = os.path.join(HERE, "harbor-swagger.yaml")
PRODUCT = "harborrobot/0.4.0"
SPEC = harbor_contract.load_spec(SWAGGER)

ROBOT_CREATE = {
    "name": "ci", "description": "pulls for ci", "duration": 30, "level": "project",
    "disable": False, "secret": "<redacted>",
    "permissions": [{"kind": "project", "namespace": "team1",
                     "access": [{"resource": "repository", "action": "pull"}]}],
}


def entry(method, path, query="", body=None, agent=PRODUCT, headers=None, content_type=None):
    """A log line as the simulator writes it."""
    raw = json.dumps(body) if body is not None else ""
    if content_type is None:
        content_type = "application/json" if body is not None else ""
    all_headers = {"user-agent": agent, **({"content-type": content_type} if content_type else {}),
                   **{k.lower(): v for k, v in (headers or {}).items()}}
    return {"method": method, "path": path, "query": query, "status": 200, "latencyMs": 1.0,
            "caller": "admin", "fault": "", "userAgent": agent, "contentType": content_type,
            "headers": all_headers, "body": body, "bodyBytes": len(raw),
            "time": "2026-08-21T00:00:00.000Z"}


def reasons_for(line):
    report = harbor_contract.check_entries(SPEC, [(line, "test:1")], "harborrobot/")
    return [reason for item in report.violations.values() for reason in item[1]], report


class CorrectRequestsPass(unittest.TestCase):
    def assertClean(self, line):
        reasons, report = reasons_for(line)
        self.assertEqual(reasons, [], f"{line['method']} {line['path']}?{line['query']}")
        self.assertEqual(report.checked, 1)
        return report

    def test_robot_create(self):
        report = self.assertClean(entry("POST", "/api/v2.0/robots", body=ROBOT_CREATE))
        self.assertEqual(list(report.per_operation), ["CreateRobot (POST /robots)"])

    def test_robots_listed_by_q(self):
        self.assertClean(entry("GET", "/api/v2.0/robots",
                               "q=Level%3Dproject%2CProjectID%3D3&page=1&page_size=100"))

    def test_robot_name_filter_double_encoded(self):
        self.assertClean(entry("GET", "/api/v2.0/robots", "q=name%3Dmyproj%252Bci"))

    def test_project_head(self):
        self.assertClean(entry("HEAD", "/api/v2.0/projects", "project_name=x"))

    def test_project_by_name(self):
        self.assertClean(entry("GET", "/api/v2.0/projects/team1",
                               headers={"X-Is-Resource-Name": "true"}))

    def test_robot_delete(self):
        self.assertClean(entry("DELETE", "/api/v2.0/robots/12"))

    def test_robot_secret_refresh(self):
        self.assertClean(entry("PATCH", "/api/v2.0/robots/12", body={"secret": "<redacted>"}))

    def test_connection_probes(self):
        for path in ("/api/v2.0/systeminfo", "/api/v2.0/users/current", "/api/v2.0/ping"):
            self.assertClean(entry("GET", path))

    def test_nullable_field_admits_null(self):
        self.assertClean(entry("POST", "/api/v2.0/projects",
                               body={"project_name": "team2", "storage_limit": None}))

    def test_empty_optional_parameter_is_absent(self):
        self.assertClean(entry("GET", "/api/v2.0/robots", "q=&page=1"))


class MistakesFail(unittest.TestCase):
    def assertReason(self, line, expected):
        reasons, _ = reasons_for(line)
        self.assertTrue(any(expected in reason for reason in reasons),
                        f"expected a reason containing {expected!r}, got {reasons}")
        return reasons

    def test_level_and_project_id_outside_q(self):
        # The bug the product had: Harbor ignores both and lists system robots.
        reasons = self.assertReason(
            entry("GET", "/api/v2.0/robots", "Level=project&ProjectID=3&page=1&page_size=100"),
            "undeclared query parameter 'Level' for ListRobot")
        self.assertTrue(any("undeclared query parameter 'ProjectID'" in r for r in reasons))
        self.assertEqual(len(reasons), 2, reasons)

    def test_unknown_path(self):
        self.assertReason(entry("GET", "/api/v2.0/robotz"),
                          "no operation in the swagger has this path")

    def test_trailing_slash_is_another_path(self):
        self.assertReason(entry("GET", "/api/v2.0/robots/"),
                          "no operation in the swagger has this path")

    def test_other_api_version(self):
        self.assertReason(entry("GET", "/api/v2.1/robots"), "not under the API base path /api/v2.0")

    def test_wrong_method(self):
        reasons = self.assertReason(entry("POST", "/api/v2.0/robots/12", body={}),
                                    "method POST is not declared for this path")
        self.assertIn("DELETE /robots/{robot_id}", reasons[0])

    def test_body_with_wrong_type(self):
        body = dict(ROBOT_CREATE, duration="30")
        self.assertReason(entry("POST", "/api/v2.0/robots", body=body),
                          "body['duration']: '30' is not of type 'integer'")

    def test_body_nested_through_refs(self):
        body = dict(ROBOT_CREATE, permissions=[{"kind": "project", "namespace": "team1",
                                                "access": [{"resource": 7}]}])
        self.assertReason(entry("POST", "/api/v2.0/robots", body=body),
                          "body['permissions'][0]['access'][0]['resource']: 7 is not of type")

    def test_body_with_undeclared_field(self):
        body = dict(ROBOT_CREATE, expiresAt=5)
        self.assertReason(entry("POST", "/api/v2.0/robots", body=body),
                          "'expiresAt' was unexpected")

    def test_null_where_not_nullable(self):
        body = dict(ROBOT_CREATE, description=None)
        self.assertReason(entry("POST", "/api/v2.0/robots", body=body),
                          "body['description']: None is not of type 'string'")

    def test_missing_required_body(self):
        self.assertReason(entry("POST", "/api/v2.0/robots"), "the required body is missing")

    def test_body_without_json_content_type(self):
        self.assertReason(entry("POST", "/api/v2.0/robots", body=ROBOT_CREATE,
                                content_type="text/plain"),
                          "Content-Type 'text/plain' is not one CreateRobot consumes")

    def test_body_that_is_not_json(self):
        line = entry("POST", "/api/v2.0/robots", body=None)
        line.update(bodyBytes=5, contentType="application/json",
                    bodyNote="not JSON: parse error at byte 1")
        self.assertReason(line, "the body is not JSON (not JSON: parse error")

    def test_body_to_an_operation_without_one(self):
        line = entry("DELETE", "/api/v2.0/robots/12", body={"id": 12})
        self.assertReason(line, "body sent to DeleteRobot, which takes none")

    def test_page_size_over_maximum(self):
        self.assertReason(entry("GET", "/api/v2.0/robots", "page=1&page_size=500"),
                          "query parameter page_size: '500': 500 is greater than the maximum "
                          "of 100")

    def test_page_not_an_integer(self):
        self.assertReason(entry("GET", "/api/v2.0/robots", "page=first"),
                          "query parameter page: 'first' is not an integer")

    def test_path_parameter_type(self):
        self.assertReason(entry("DELETE", "/api/v2.0/robots/ci"),
                          "path parameter robot_id: 'ci' is not an integer")

    def test_boolean_header(self):
        self.assertReason(entry("GET", "/api/v2.0/projects/team1",
                                headers={"X-Is-Resource-Name": "yes"}),
                          "header X-Is-Resource-Name: 'yes' is not a boolean")

    def test_harbor_header_where_not_declared(self):
        self.assertReason(entry("DELETE", "/api/v2.0/robots/12",
                                headers={"X-Is-Resource-Name": "true"}),
                          "header 'x-is-resource-name' is a Harbor API header not declared")

    def test_q_plus_becomes_space(self):
        self.assertReason(entry("GET", "/api/v2.0/robots", "q=name%3Dmyproj%2Bci"),
                          "Harbor's second URL-decoding turns into a space")

    def test_q_malformed(self):
        self.assertReason(entry("GET", "/api/v2.0/robots", "q=Level"), "'Level' is not k=v")

    def test_repeated_parameter(self):
        self.assertReason(entry("GET", "/api/v2.0/robots", "page=1&page=2"),
                          "sent 2 times; Harbor reads only the first")


class WhatIsChecked(unittest.TestCase):
    def test_other_user_agents_are_ignored(self):
        lines = [entry("GET", "/api/v2.0/robots", "Level=project", agent="Python-urllib/3.11"),
                 entry("GET", "/api/v2.0/nothing", agent="skopeo/1.9.3"),
                 entry("GET", "/api/v2.0/robots", "Level=project", agent="")]
        report = harbor_contract.check_entries(SPEC, [(line, "t") for line in lines],
                                               "harborrobot/")
        self.assertEqual(report.checked, 0)
        self.assertEqual(report.violation_count(), 0)
        self.assertEqual(dict(report.other_agents), {"Python-urllib": 1, "skopeo": 1, "(none)": 1})

    def test_non_api_paths_are_skipped_and_counted(self):
        lines = [entry("GET", "/service/token", "service=harbor-registry&scope=x"),
                 entry("GET", "/v2/"), entry("HEAD", "/v2/team1/busybox/manifests/stable"),
                 entry("GET", "/_sim/requests")]
        report = harbor_contract.check_entries(SPEC, [(line, "t") for line in lines],
                                               "harborrobot/")
        self.assertEqual(report.checked, 0)
        self.assertEqual(report.violation_count(), 0)
        self.assertEqual(dict(report.skipped_non_api),
                         {"registry token service (/service/token)": 1, "registry (/v2/)": 2,
                          "simulator admin (/_sim/)": 1})

    def test_kubectl_plugin_prefix_is_another_agent(self):
        # kubectl-harborrobot's Kubernetes client: not a Harbor client.
        report = harbor_contract.check_entries(
            SPEC, [(entry("GET", "/api/v2.0/x", agent="kubectl-harborrobot/0.4.0"), "t")],
            "harborrobot/")
        self.assertEqual(report.checked, 0)


class CommandLine(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="harbor-contract-test-")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def write(self, name, lines, raw_tail=""):
        with open(os.path.join(self.dir, name), "w") as f:
            for line in lines:
                f.write(json.dumps(line) + "\n")
            f.write(raw_tail)

    def run_cli(self, *extra):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = harbor_contract.main(["--swagger", SWAGGER, "--logs", self.dir, *extra])
        return code, out.getvalue(), err.getvalue()

    def test_clean_logs_pass(self):
        self.write("harbor-sim-1.jsonl", [
            entry("POST", "/api/v2.0/robots", body=ROBOT_CREATE),
            entry("GET", "/api/v2.0/robots",
                  "q=Level%3Dproject%2CProjectID%3D3&page=1&page_size=100"),
            entry("GET", "/service/token", "service=harbor-registry"),
            entry("GET", "/api/v2.0/robots", "Level=project", agent="Python-urllib/3.11")])
        self.write("harbor-sim-2.jsonl", [entry("DELETE", "/api/v2.0/robots/12")])
        code, out, _ = self.run_cli()
        self.assertEqual(code, 0, out)
        self.assertIn("checked against the swagger: 3", out)
        self.assertIn("     1  ListRobot (GET /robots)", out)
        self.assertIn("registry token service (/service/token)", out)
        self.assertIn("OK: 3 product request(s)", out)

    def test_violation_is_printed_with_the_request(self):
        bad = entry("GET", "/api/v2.0/robots", "Level=project&ProjectID=3&page=1&page_size=100")
        self.write("harbor-sim-1.jsonl", [bad, bad, entry("POST", "/api/v2.0/robots",
                                                          body=dict(ROBOT_CREATE, duration="x"))])
        code, out, _ = self.run_cli()
        self.assertEqual(code, 1, out)
        self.assertIn("VIOLATION 1 (x2): GET /api/v2.0/robots?Level=project&ProjectID=3&page=1"
                      "&page_size=100", out)
        self.assertIn("reason: undeclared query parameter 'Level'", out)
        self.assertIn("VIOLATION 2: POST /api/v2.0/robots", out)
        self.assertIn('"duration": "x"', out)
        self.assertIn("FAILED: 3 product request(s)", out)

    def test_no_product_request_fails(self):
        self.write("harbor-sim-1.jsonl", [entry("GET", "/api/v2.0/ping", agent="curl/7.88")])
        code, out, _ = self.run_cli()
        self.assertEqual(code, 1)
        self.assertIn("no product request", out)
        self.assertIn("a check over nothing proves nothing", out)

    def test_no_logs_at_all(self):
        self.assertEqual(self.run_cli()[0], 1)
        code, out, _ = self.run_cli("--skip-if-no-logs")
        self.assertEqual(code, 77)
        self.assertIn("no simulator log", out)
        os.rmdir(self.dir)
        code, out, _ = self.run_cli("--skip-if-no-logs")
        self.assertEqual(code, 77)
        self.assertIn("does not exist", out)
        os.mkdir(self.dir)

    def test_unreadable_line_is_reported(self):
        self.write("harbor-sim-1.jsonl", [entry("GET", "/api/v2.0/ping")], raw_tail='{"meth')
        code, out, _ = self.run_cli()
        self.assertEqual(code, 0, out)
        self.assertIn("warning: harbor-sim-1.jsonl:2: unreadable log line", out)

    def test_usage_errors(self):
        with contextlib.redirect_stderr(io.StringIO()):
            self.assertEqual(harbor_contract.main(["--logs", self.dir]), 2)
            self.assertEqual(harbor_contract.main(["--swagger", SWAGGER, "--logs",
                                                   os.path.join(self.dir, "missing")]), 2)
            not_swagger = os.path.join(self.dir, "x.yaml")
            with open(not_swagger, "w") as f:
                f.write("openapi: 3.0.0\n")
            self.assertEqual(harbor_contract.main(["--swagger", not_swagger, "--logs",
                                                   self.dir]), 2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
