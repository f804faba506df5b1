#!/usr/bin/env python3
"""The Harbor simulator's persisted request log, which the contract check
reads: one flushed JSON line per request in DIR/harbor-sim-<pid>.jsonl (from
--request-log-dir or HARBORSIM_REQUEST_LOG_DIR), with the User-Agent, the
headers and the JSON body, and never a secret, a password or Authorization.
usage: harbor_sim_log_test.py <harborrobot-harbor-sim>"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "sim", "harbor", "tests"))
from harness import Harbor, basic, expect_equal, expect_true, ADMIN  # noqa: E402

AGENT = {"User-Agent": "harborrobot/0.0.0-test"}
SECRET = "Sup3rSecretValue"


def read_lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def main():
    binary = sys.argv[1]
    logs = tempfile.mkdtemp(prefix="harbor-requests-")
    try:
        harbor = Harbor(binary, ["--registry", "none", "--request-log-dir", logs])
        try:
            status, _, _ = harbor.call("POST", "/projects", {"project_name": "team1"},
                                       headers=AGENT)
            expect_equal(status, 201, "project created")
            status, _, project = harbor.call("GET", "/projects/team1",
                                             headers={**AGENT, "X-Is-Resource-Name": "true"})
            expect_equal(status, 200, "project read by name")
            robot = {"name": "ci", "duration": 30, "level": "project", "secret": SECRET,
                     "description": "x", "disable": False,
                     "permissions": [{"kind": "project", "namespace": "team1",
                                      "access": [{"resource": "repository", "action": "pull"}],
                                      "nested": {"Password": SECRET}}]}
            harbor.call("POST", "/robots", robot, headers=AGENT)
            harbor.call("GET", f"/robots?q=Level%3Dproject%2CProjectID%3D{project['project_id']}"
                        "&page=1&page_size=100", headers=AGENT)
            form = harbor.raw("POST", "/service/token", f"password={SECRET}".encode(),
                              {"Content-Type": "application/x-www-form-urlencoded",
                               "Authorization": basic(ADMIN)})
            expect_true(form.status >= 200, "the token service answered")

            files = glob.glob(os.path.join(logs, "harbor-sim-*.jsonl"))
            expect_equal([os.path.basename(f) for f in files],
                         [f"harbor-sim-{harbor.process.pid}.jsonl"], "one file, by pid")
            # Read while the simulator runs: every line is already flushed.
            lines = read_lines(files[0])
            expect_equal([(line["method"], line["path"]) for line in lines],
                         [("POST", "/api/v2.0/projects"), ("GET", "/api/v2.0/projects/team1"),
                          ("POST", "/api/v2.0/robots"), ("GET", "/api/v2.0/robots"),
                          ("POST", "/service/token")], "every request, in order")
            create = lines[2]
            expect_equal(create["userAgent"], AGENT["User-Agent"], "the User-Agent")
            expect_equal(create["contentType"], "application/json", "the Content-Type")
            expect_equal(create["body"]["secret"], "<redacted>", "the secret is redacted")
            expect_equal(create["body"]["permissions"][0]["nested"]["Password"], "<redacted>",
                         "a nested password is redacted")
            expect_equal(create["body"]["name"], "ci", "the rest of the body is kept")
            expect_equal(create["bodyBytes"], len(json.dumps(robot)), "the body's size")
            expect_equal(lines[1]["headers"].get("x-is-resource-name"), "true", "headers")
            expect_true(lines[3]["query"].startswith("q=Level%3Dproject"), "the raw query")
            expect_equal(lines[4]["body"], None, "a form body is not logged")
            expect_true(lines[4]["bodyNote"].startswith("not logged"), "and says so")
            with open(files[0]) as f:
                text = f.read()
            expect_true(SECRET not in text, "no secret anywhere in the log")
            expect_true("authorization" not in text.lower(), "no Authorization header")

            status, listed = harbor.admin("GET", "requests?path=/api/v2.0/robots")
            expect_equal(status, 200, "/_sim/requests still answers")
            expect_equal([item["method"] for item in listed["items"]], ["POST", "GET"],
                         "/_sim/requests lists as before")
            expect_equal(listed["items"][0]["userAgent"], AGENT["User-Agent"],
                         "and carries the User-Agent")
        finally:
            harbor.close()

        # The environment variable alone turns it on; a second instance adds its own file.
        os.environ["HARBORSIM_REQUEST_LOG_DIR"] = os.path.join(logs, "sub")
        try:
            other = Harbor(binary, ["--registry", "none"])
        finally:
            del os.environ["HARBORSIM_REQUEST_LOG_DIR"]
        try:
            other.raw("GET", "/api/v2.0/ping", headers=AGENT)
            other.process.kill()  # SIGKILL: what was answered is already on disk
            other.process.wait(timeout=30)
            lines = read_lines(os.path.join(logs, "sub", f"harbor-sim-{other.process.pid}.jsonl"))
            expect_equal([line["path"] for line in lines], ["/api/v2.0/ping"],
                         "written under HARBORSIM_REQUEST_LOG_DIR, kept after kill -9")
        finally:
            if other.process.poll() is None:
                other.process.kill()
                other.process.wait(timeout=30)
            other.stderr.close()
            shutil.rmtree(other.state, ignore_errors=True)

        # The contract check reads it: these product requests follow the swagger.
        checked = subprocess.run([sys.executable, os.path.join(HERE, "harbor_contract.py"),
                                  "--swagger", os.path.join(HERE, "harbor-swagger.yaml"),
                                  "--logs", logs], capture_output=True, text=True, timeout=120)
        expect_equal(checked.returncode, 1, "the checker flags the test's odd robot body:\n"
                     + checked.stdout + checked.stderr)
        expect_true("body['permissions'][0]: Additional properties are not allowed ('nested' "
                    "was unexpected)" in checked.stdout, checked.stdout)
        expect_true("checked against the swagger: 4" in checked.stdout, checked.stdout)
        expect_true("VIOLATION 2" not in checked.stdout, checked.stdout)
        print("harbor_sim_log_test: ok")
        return 0
    finally:
        shutil.rmtree(logs, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
