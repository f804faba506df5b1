#!/usr/bin/env python3
"""The Harbor simulator's test-facing operations: fault injection, the request
log, snapshots across a restart, users and configurations, the failed-login
delay, and two instances side by side with distinct CAs and data.
usage: operations_test.py <harborrobot-harbor-sim>"""
import http.client
import json
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time

from harness import ADMIN, Harbor, create_robot, expect_equal, expect_true, wait_for


def ping(harbor, timeout=5):
    """GET /api/v2.0/ping on a fresh connection: (status, body) or the error."""
    connection = http.client.HTTPSConnection("127.0.0.1", harbor.port, context=harbor.context,
                                             timeout=timeout)
    try:
        connection.request("GET", "/api/v2.0/ping")
        answer = connection.getresponse()
        return answer.status, answer.read().decode(), answer.headers
    except (OSError, http.client.HTTPException) as error:
        return "error", type(error).__name__, None
    finally:
        connection.close()


def faults(harbor):
    expect_equal(harbor.raw("GET", "/_sim/faults").status, 401, "/_sim needs the admin")
    status, body = harbor.admin("PUT", "faults", {"errorFraction": 2})
    expect_equal((status, body["errors"][0]["message"]),
                 (400, "errorFraction: 2 is not valid, expected a number from 0 to 1"),
                 "a bad plan names the field")
    status, body = harbor.admin("PUT", "faults", {"latency": 5})
    expect_true(status == 400 and "latency: 5 is not valid" in body["errors"][0]["message"],
                f"unknown key: {body}")

    harbor.admin("PUT", "faults", {"errorFraction": 1, "errorCodes": [503]})
    status, text, _ = ping(harbor)
    expect_equal((status, "503 Service Temporarily Unavailable" in text), (503, True),
                 "503 from the front proxy")
    harbor.admin("PUT", "faults", {"errorFraction": 1, "errorCodes": [500]})
    expect_equal(harbor.call("GET", "/projects")[2],
                 {"errors": [{"code": "UNKNOWN", "message": "internal server error"}]}, "500")
    harbor.admin("PUT", "faults", {"rateLimitFraction": 1})
    status, _, headers = ping(harbor)
    expect_equal((status, headers["Retry-After"]), (429, "1"), "429 with Retry-After")
    harbor.admin("PUT", "faults", {"resetFraction": 1})
    expect_equal(ping(harbor)[0], "error", "connection reset")
    # Faults can be limited to a path prefix.
    harbor.admin("PUT", "faults", {"errorFraction": 1, "errorCodes": [502],
                                   "pathPrefix": "/service/token"})
    expect_equal(ping(harbor)[0], 200, "other paths unaffected")
    expect_equal(harbor.raw("GET", "/service/token?service=harbor-registry&scope=x").status,
                 502, "token path affected")

    # A full outage ends by itself.
    harbor.admin("PUT", "faults", {"outageSeconds": 1})
    expect_equal(ping(harbor)[0], "error", "outage")
    wait_for(lambda: ping(harbor)[0] == 200, "the outage to end", timeout=10)

    # A hang holds requests without an answer until cleared.
    harbor.admin("PUT", "faults", {"hangSeconds": 60})
    results = []
    worker = threading.Thread(target=lambda: results.append(ping(harbor, timeout=30)))
    worker.start()
    expect_equal(ping(harbor, timeout=0.5)[0:2], ("error", "TimeoutError"),
                 "a request in a hang window gets no answer")
    expect_true(worker.is_alive(), "the held request is still waiting")
    status, described = harbor.admin("GET", "faults")
    expect_true(described["hangRemainingSeconds"] > 0, f"hang shown: {described}")
    harbor.admin("DELETE", "faults")
    worker.join(timeout=10)
    expect_equal(results[0][0], "error", "a held request is dropped when the window closes")
    expect_equal(ping(harbor)[0], 200, "served again")

    # Latency is added before the answer.
    harbor.admin("PUT", "faults", {"latencyMs": 300})
    started = time.monotonic()
    expect_equal(ping(harbor)[0], 200, "slow ping")
    expect_true(time.monotonic() - started >= 0.3, "latency applied")
    harbor.admin("DELETE", "faults")


def request_log(harbor):
    expect_equal(harbor.admin("DELETE", "requests")[0], 200, "clear the log")
    robot = create_robot(harbor, "logged", project="team")
    harbor.call("GET", "/users/current/permissions", user=(robot["name"], robot["secret"]))
    harbor.call("GET", "/robots?q=Level%3Dproject%2CProjectID%3D2")
    _, log = harbor.admin("GET", "requests?path=/api/v2.0/robots")
    expect_equal([(e["method"], e["path"], e["status"], e["caller"]) for e in log["items"]],
                 [("POST", "/api/v2.0/robots", 201, "admin"),
                  ("GET", "/api/v2.0/robots", 200, "admin")], "robot calls counted")
    _, log = harbor.admin("GET", "requests")
    callers = [e["caller"] for e in log["items"]]
    expect_true(robot["name"] in callers, "robots are named by their full name")
    expect_true(robot["secret"] not in json.dumps(log), "no secret in the log")
    expect_true(all(e["latencyMs"] >= 0 for e in log["items"]), "latency recorded")


def users_and_configuration(harbor):
    status, headers, _ = harbor.call("POST", "/users", {"username": "dev", "email": "dev@x.io",
                                                        "realname": "Dev", "password": "Dev12345"})
    expect_equal(status, 201, "admin creates a user")
    dev = ("dev", "Dev12345")
    expect_equal(harbor.call("POST", "/users", {"username": "dev", "password": "Dev12345"})[0],
                 409, "duplicate user")
    expect_equal(harbor.call("POST", "/users", {"username": "weak", "password": "short"})[0], 400,
                 "weak password")
    expect_equal(harbor.call("POST", "/users", {"username": "x", "password": "Dev12345"},
                             user=dev)[2]["errors"][0]["message"], "dev",
                 "system permission missing: 403 naming the caller")
    expect_equal(harbor.call("POST", "/projects", {"project_name": "devs"}, user=dev)[0], 201,
                 "everyone may create projects by default")
    status, _, body = harbor.call("PUT", "/configurations",
                                  {"project_creation_restriction": "nobody"})
    expect_equal((status, body["errors"][0]["message"]),
                 (400, 'project_creation_restriction: "nobody" is not valid, expected everyone '
                       'or adminonly'), "bad configuration value")
    expect_equal(harbor.call("PUT", "/configurations",
                             {"project_creation_restriction": "adminonly"})[0], 200, "adminonly")
    expect_equal(harbor.call("POST", "/projects", {"project_name": "devs2"}, user=dev)[2],
                 {"errors": [{"code": "FORBIDDEN", "message": "Only system admin can create project"}]},
                 "adminonly refuses users")
    _, _, info = harbor.call("GET", "/systeminfo")
    expect_equal(info["project_creation_restriction"], "adminonly", "systeminfo shows it")
    harbor.call("PUT", "/configurations", {"project_creation_restriction": "everyone"})


def update_project(harbor):
    """PUT /projects/{name}: update access, then the body's metadata over the
    project's (src/server/v2.0/handler/project.go UpdateProject)."""
    expect_equal(harbor.call("POST", "/projects", {"project_name": "opened"})[0], 201, "opened")
    expect_equal(harbor.call("GET", "/projects?project_name=opened", user=None)[2], [],
                 "a private project is invisible to anonymous callers")
    expect_equal(harbor.call("PUT", "/projects/opened", {"metadata": {"public": "true"}},
                             user=None)[0], 401, "anonymous callers may not update")
    expect_equal(harbor.call("PUT", "/projects/opened", {"metadata": {"public": True}})[0], 422,
                 "metadata values are strings")
    expect_equal(harbor.call("PUT", "/projects/opened", {"metadata": {"public": "true"}})[0], 200,
                 "the admin makes it public")
    listed = harbor.call("GET", "/projects?project_name=opened", user=None)[2]
    expect_equal([(p["name"], p["metadata"]["public"]) for p in listed], [("opened", "true")],
                 "now anonymous callers see it")
    expect_equal(harbor.call("PUT", "/projects/nowhere", {"metadata": {"public": "true"}})[0],
                 404, "an unknown project")


def failed_login_delay(binary):
    harbor = Harbor(binary, extra_args=["--registry", "none"], failed_login_delay_ms=400)
    try:
        started = time.monotonic()
        expect_equal(harbor.call("GET", "/users/current/permissions",
                                 user=("admin", "wrong"))[0], 401, "bad password")
        expect_true(time.monotonic() - started >= 0.4, "a failed login is held for the delay")
    finally:
        harbor.close()


def snapshot_restart(binary):
    harbor = Harbor(binary, extra_args=["--registry", "none"], snapshot=True)
    try:
        expect_equal(harbor.call("POST", "/projects", {"project_name": "kept"})[0], 201, "project")
        robot = create_robot(harbor, "kept", project="kept")
        creds = (robot["name"], robot["secret"])
        expect_equal(harbor.stop(), 0, "clean stop saves the snapshot")
        with open(f"{harbor.state}/state.json") as saved:
            expect_true(robot["secret"] not in saved.read(), "the snapshot holds no secret")
        harbor.start()
        expect_equal(harbor.call("GET", "/users/current/permissions", user=creds)[0], 200,
                     "the robot's secret still works after a restart")
        second = create_robot(harbor, "second", project="kept")
        expect_equal(second["id"], robot["id"] + 1, "id sequences continue")
    finally:
        harbor.close()


def two_instances(binary):
    first = Harbor(binary, extra_args=["--registry", "none"])
    second = Harbor(binary, extra_args=["--registry", "none"])
    try:
        expect_true(first.port != second.port, "distinct ports")
        with open(first.ca) as a, open(second.ca) as b:
            expect_true(a.read() != b.read(), "distinct CAs")
        # One instance's CA does not vouch for the other.
        context = ssl.create_default_context(cafile=first.ca)
        try:
            with socket.create_connection(("127.0.0.1", second.port), timeout=5) as raw:
                with context.wrap_socket(raw, server_hostname="127.0.0.1"):
                    raise AssertionError("harbor-1's CA accepted harbor-2's certificate")
        except ssl.SSLCertVerificationError:
            pass
        expect_equal(first.call("POST", "/projects", {"project_name": "only-one"})[0], 201, "one")
        expect_equal(second.call("GET", "/projects/only-one")[0], 404, "data is separate")
        expect_equal(first.call("GET", "/projects/only-one")[0], 200, "and kept")
    finally:
        first.close()
        second.close()


def named_instance(binary):
    """--listen and --hostname: the sandbox serves harbor-1.example.com on its
    own loopback address, with a certificate for that name."""
    harbor = Harbor(binary, extra_args=["--registry", "none", "--listen", "127.0.77.1",
                                        "--hostname", "harbor-1.example.com"])
    try:
        context = ssl.create_default_context(cafile=harbor.ca)
        with socket.create_connection(("127.0.77.1", harbor.port), timeout=5) as raw:
            with context.wrap_socket(raw, server_hostname="harbor-1.example.com") as tls:
                tls.sendall(b"GET /v2/ HTTP/1.1\r\nHost: harbor-1.example.com\r\n"
                            b"Connection: close\r\n\r\n")
                answer = b""
                while chunk := tls.recv(4096):
                    answer += chunk
        expect_true(f'Bearer realm="https://harbor-1.example.com:{harbor.port}/service/token"'
                    .encode() in answer, f"the realm names the external URL: {answer[:400]!r}")
        with socket.socket() as probe:
            expect_true(probe.connect_ex(("127.0.0.1", harbor.port)) != 0,
                        "nothing listens on 127.0.0.1 for that port")
    finally:
        harbor.stop()
    refused = subprocess.run([binary, "--state-dir", harbor.state, "--listen", "10.1.2.3"],
                             capture_output=True, text=True)
    expect_equal((refused.returncode, refused.stderr.strip()),
                 (2, 'error: --listen "10.1.2.3" is not a loopback address (127.0.0.0/8)'),
                 "non-loopback addresses are refused")
    shutil.rmtree(harbor.state, ignore_errors=True)


def main():
    binary = sys.argv[1]
    harbor = Harbor(binary, extra_args=["--registry", "none"])
    try:
        expect_equal(harbor.call("POST", "/projects", {"project_name": "team"})[0], 201, "team")
        faults(harbor)
        request_log(harbor)
        users_and_configuration(harbor)
        update_project(harbor)
    finally:
        harbor.close()
    failed_login_delay(binary)
    snapshot_restart(binary)
    two_instances(binary)
    named_instance(binary)
    print("operations_test: passed")


if __name__ == "__main__":
    main()
