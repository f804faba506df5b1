#!/usr/bin/env python3
"""Every fact of NOTES.md §3 (robots) and §6b (what a client may conclude) against
the Harbor simulator over HTTPS, one test each, plus POST /projects' order of
checks for anonymous callers.
usage: notes_3_6b_test.py <harborrobot-harbor-sim>"""
import base64
import json
import re
import sys
import threading
import time

from harness import ADMIN, Harbor, basic, expect_equal, expect_true, robot_body, wait_for

LDAP_ADMIN = ("ldapadmin", "Ldap12345")
DEV = ("dev", "Dev12345")
READ_ONLY_MESSAGE = "The system is in read only mode. Any modification is prohibited."


def jwt_claims(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def token(harbor, scopes, user=ADMIN):
    query = "service=harbor-registry" + "".join(f"&scope={s}" for s in scopes)
    headers = {"Authorization": basic(user)} if user else {}
    answer = harbor.raw("GET", "/service/token?" + query, headers=headers)
    return answer.status, (jwt_claims(answer.json()["token"]) if answer.status == 200 else None)


def error_of(body):
    return body["errors"][0]["code"], body["errors"][0]["message"]


def project_q(project_id, extra=""):
    """q=Level=project,ProjectID=<id>[,extra], URL-encoded once."""
    return "q=Level%3Dproject%2CProjectID%3D" + str(project_id) + extra


def system_body(name, access=(("project", "create"),), duration=30):
    return {"name": name, "level": "system", "duration": duration,
            "permissions": [{"kind": "system", "namespace": "/",
                             "access": [{"resource": r, "action": a} for r, a in access]}]}


def make_robot(harbor, body, user=ADMIN):
    status, headers, robot = harbor.call("POST", "/robots", body, user=user)
    expect_equal(status, 201, f"create robot {body['name']}: {robot}")
    return robot


class Context:
    def __init__(self, harbor):
        self.harbor = harbor
        self.call = harbor.call
        self.project_ids = {}

    def project(self, name, user=ADMIN, public=False):
        status, headers, _ = self.call("POST", "/projects", {"project_name": name,
                                                              "metadata": {"public": str(public).lower()}},
                                       user=user)
        expect_equal(status, 201, f"create project {name}")
        self.project_ids[name] = int(headers["Location"].rsplit("/", 1)[1])
        return self.project_ids[name]


# ---- §3 POST /robots -------------------------------------------------------

def test_create_ignores_secret_and_disable(c):
    body = robot_body("ignored", project="alpha")
    body.update({"secret": "Supplied0Secret", "disable": True})
    robot = make_robot(c.harbor, body)
    expect_true(robot["secret"] != "Supplied0Secret", "the body's secret is ignored")
    expect_equal(c.call("GET", f"/robots/{robot['id']}")[2]["disable"], False,
                 "the body's disable is ignored")


def test_create_name_checked_before_auth(c):
    status, _, body = c.call("POST", "/robots", robot_body("Bad+Name", project="alpha"), user=None)
    expect_equal((status, body["errors"][0]["code"]), (400, "BAD_REQUEST"),
                 "an anonymous caller with a bad name gets 400, not 401")
    expect_equal(c.call("POST", "/robots", robot_body("good", project="alpha"), user=None)[0], 401,
                 "a good name from an anonymous caller: 401")


def test_create_duration_rules(c):
    for duration in (0, -2, 2147483647):
        expect_equal(c.call("POST", "/robots", robot_body("d", project="alpha",
                                                           duration=duration))[0], 400,
                     f"duration {duration}")
    body = robot_body("d", project="alpha")
    del body["duration"]
    expect_equal(c.call("POST", "/robots", body)[0], 400, "omitted duration (2.11+)")
    expect_equal(make_robot(c.harbor, robot_body("forever", project="alpha", duration=-1))
                 ["expires_at"], -1, "duration -1 never expires")
    expect_equal(c.call("POST", "/robots", robot_body("max", project="alpha",
                                                       duration=2147483646))[0], 201,
                 "duration 2147483646")


def test_create_structure_checks(c):
    body = robot_body("s", project="alpha", level="global")
    expect_equal(c.call("POST", "/robots", body)[0], 400, "level must be system or project")
    body = robot_body("s", project="alpha")
    body["permissions"] = []
    expect_equal(c.call("POST", "/robots", body)[0], 400, "empty permissions")
    body = robot_body("s", project="alpha")
    body["permissions"][0]["access"] = []
    expect_equal(c.call("POST", "/robots", body)[0], 400, "empty access")
    body = robot_body("s", project="alpha")
    body["permissions"].append(dict(body["permissions"][0]))
    expect_equal(c.call("POST", "/robots", body)[0], 400, "a project robot has one permission")
    body = robot_body("s", project="alpha")
    body["permissions"][0]["kind"] = "cluster"
    expect_equal(c.call("POST", "/robots", body)[0], 400, "kind must be system or project")
    status, _, answer = c.call("POST", "/robots", robot_body("s", project="alpha",
                                                              actions=("scanner-pull",)))
    expect_equal((status, answer["errors"][0]["message"]),
                 (400, "bad request permission: repository:scanner-pull"), "§4 pairs only")
    body = robot_body("effect", project="alpha")
    body["permissions"][0]["access"][0]["effect"] = "whatever"
    expect_equal(c.call("POST", "/robots", body)[0], 201, "effect is not validated")


def test_create_access_rules(c):
    expect_equal(c.call("POST", "/robots", robot_body("x", project="alpha"), user=DEV)[0], 403,
                 "a user who is no project admin")
    expect_equal(c.call("POST", "/robots", robot_body("mine", project="devproj"),
                        user=DEV)[0], 201, "the project's admin (its creator)")
    status, _, body = c.call("POST", "/robots", system_body("sys"), user=DEV)
    expect_equal((status, error_of(body)), (403, ("FORBIDDEN", "dev")),
                 "system level needs system robot:create; 403 names the caller")


def test_create_namespace_unknown(c):
    expect_equal(c.call("POST", "/robots", robot_body("x", project="nowhere"))[0], 404,
                 "unknown namespace, admin")
    expect_equal(c.call("POST", "/robots", robot_body("x", project="nowhere"), user=DEV)[0], 403,
                 "unknown namespace, non-admin")


def test_create_duplicate_is_409(c):
    make_robot(c.harbor, robot_body("twice", project="alpha"))
    status, _, body = c.call("POST", "/robots", robot_body("twice", project="alpha"))
    expect_equal((status, error_of(body)),
                 (409, ("CONFLICT", f"robot account {c.project_ids['alpha']}:alpha+twice "
                                    "already exists")), "same stored name, same project")
    expect_equal(c.call("POST", "/robots", robot_body("twice", project="beta"))[0], 201,
                 "the same name in another project")


def test_create_response(c):
    before = int(time.time())
    status, headers, robot = c.call("POST", "/robots", robot_body("resp", project="alpha",
                                                                  duration=7))
    expect_equal(status, 201, "created")
    expect_equal(headers["Location"], f"/api/v2.0/robots/{robot['id']}", "Location")
    expect_equal(sorted(robot), ["creation_time", "expires_at", "id", "name", "secret"], "fields")
    expect_equal(robot["name"], "robot$alpha+resp", "name with the prefix")
    expect_true(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", robot["creation_time"]),
                f"creation_time RFC 3339 with milliseconds: {robot['creation_time']}")
    expect_true(before + 7 * 86400 <= robot["expires_at"] <= int(time.time()) + 7 * 86400,
                "expires_at is now + days")


def test_secret_shape_and_never_in_get(c):
    for index in range(5):
        secret = make_robot(c.harbor, robot_body(f"sec{index}", project="alpha"))["secret"]
        expect_true(re.fullmatch(r"[A-Za-z0-9]{32}", secret) and re.search("[a-z]", secret) and
                    re.search("[A-Z]", secret) and re.search("[0-9]", secret),
                    f"32 alphanumerics with lower, upper and digit: {secret}")
    _, _, listed = c.call("GET", "/robots?" + project_q(c.project_ids["alpha"]) + "&page_size=0")
    expect_true(listed and all("secret" not in robot for robot in listed), "no secret listed")


# ---- §3 GET /robots ---------------------------------------------------------

def test_list_anonymous_401(c):
    expect_equal(c.call("GET", "/robots", user=None)[0], 401, "anonymous list")


def test_list_level_and_project_id_only_in_q(c):
    alpha = c.project_ids["alpha"]
    _, headers, listed = c.call("GET", f"/robots?Level=project&ProjectID={alpha}")
    expect_true(all(robot["level"] == "system" for robot in listed),
                f"top-level Level/ProjectID are ignored: system robots only ({listed})")
    _, _, listed = c.call("GET", "/robots?" + project_q(alpha) + "&page_size=0")
    expect_true(listed and all(r["name"].startswith("robot$alpha+") for r in listed),
                "q=Level=project,ProjectID=<id> lists the project's robots")


def test_list_no_level_system_only(c):
    system = make_robot(c.harbor, system_body("sysonly"))
    _, _, listed = c.call("GET", "/robots?page_size=0")
    expect_true(system["name"] in [r["name"] for r in listed] and
                all(r["level"] == "system" for r in listed), "no Level: system robots only")
    _, _, listed = c.call("GET", f"/robots?q=ProjectID%3D{c.project_ids['alpha']}&page_size=0")
    expect_true(all(r["level"] == "system" for r in listed),
                "ProjectID without Level is overridden to 0")


def test_list_level_project_needs_positive_id(c):
    for q in ("q=Level%3Dproject", "q=Level%3Dproject%2CProjectID%3D0",
              "q=Level%3Dproject%2CProjectID%3D-3", "q=Level%3Dproject%2CProjectID%3Dabc"):
        expect_equal(c.call("GET", "/robots?" + q)[0], 400, q)
    status, _, body = c.call("GET", "/robots?q=Level%3Dproject%2CProjectID%3D0")
    expect_equal(body["errors"][0]["message"], "ProjectID must be a positive integer", "message")
    expect_equal(c.call("GET", "/robots?q=Level%3Dglobal")[0], 400, "an unknown Level")


def test_list_level_system(c):
    _, _, listed = c.call("GET", "/robots?q=Level%3Dsystem&page_size=0")
    expect_true(listed and all(r["level"] == "system" for r in listed),
                "Level=system: system robots only (2.13+)")


def test_list_unknown_project_id(c):
    expect_equal(c.call("GET", "/robots?" + project_q(999))[0:3:2], (200, []),
                 "an admin listing a ProjectID that does not exist")
    expect_equal(c.call("GET", "/robots?" + project_q(999), user=DEV)[0], 403,
                 "a non-admin: no permission")


def test_list_permission(c):
    dev_project = c.project_ids["devproj"]
    _, _, listed = c.call("GET", "/robots?" + project_q(dev_project), user=DEV)
    expect_equal([r["name"] for r in listed], ["robot$devproj+mine"], "project robot:list (owner)")
    expect_equal(c.call("GET", "/robots?" + project_q(c.project_ids["alpha"]), user=DEV)[0], 403,
                 "another project")
    status, _, body = c.call("GET", "/robots", user=DEV)
    expect_equal((status, error_of(body)), (403, ("FORBIDDEN", "dev")),
                 "system robot:list is missing")
    body = robot_body("lister", project="alpha")
    body["permissions"][0]["access"] = [{"resource": "robot", "action": "list"}]
    lister = make_robot(c.harbor, body)
    status, _, listed = c.call("GET", "/robots?" + project_q(c.project_ids["alpha"]),
                               user=(lister["name"], lister["secret"]))
    expect_equal(status, 200, "a robot with project robot:list")


def test_list_q_syntax(c):
    alpha = c.project_ids["alpha"]
    def names(extra):
        status, _, listed = c.call("GET", "/robots?" + project_q(alpha, extra) + "&page_size=0")
        expect_equal(status, 200, extra)
        return [r["name"] for r in listed]
    expect_equal(names("%2Cname%3Dalpha%252Bsec1"), ["robot$alpha+sec1"], "exact (stored name)")
    expect_equal(names("%2Cname%3D~SEC"), [f"robot$alpha+sec{i}" for i in range(5)],
                 "~ is a case-insensitive contains")
    expect_equal(names("%2Cname%3D%7Balpha%252Bsec1%20alpha%252Bsec3%7D"),
                 ["robot$alpha+sec1", "robot$alpha+sec3"], "{a b} or-list")
    sec1 = [r for r in c.call("GET", "/robots?" + project_q(alpha, "%2Cname%3Dalpha%252Bsec1"))[2]]
    ident = sec1[0]["id"]
    expect_equal(names(f"%2Cid%3D%5B{ident}~{ident + 1}%5D"),
                 ["robot$alpha+sec1", "robot$alpha+sec2"], "[a~b] range")
    expect_true(len(names("%2Cname%3D(x%20y)")) > 1, "(a b) and-list is left to DAOs: no filter")
    expect_true(len(names("%2Cnocolumn%3Dx")) > 1, "unknown keys are ignored")
    expect_equal(names("%2Cname%3Dalpha%2Bsec1"), [], "a + decoded twice is a space")
    for bad in ("%2Cname", "%2Cname%3D", "%2Cname%3D~", "%2Cid%3D%5B1%5D", "%2Cid%3D%7B1"):
        status, _, body = c.call("GET", "/robots?" + project_q(alpha, bad))
        expect_equal((status, body["errors"][0]["code"]), (400, "BAD_REQUEST"),
                     f"malformed part {bad}")


def test_list_disabled_filter_and_stay_listed(c):
    robot = make_robot(c.harbor, robot_body("sleeper", project="beta"))
    update = robot_body("sleeper", project="beta")
    update.update({"name": robot["name"], "disable": True})
    expect_equal(c.call("PUT", f"/robots/{robot['id']}", update)[0], 200, "disable")
    _, _, listed = c.call("GET", "/robots?" + project_q(c.project_ids["beta"], "%2Cdisabled%3Dtrue"))
    expect_equal([r["name"] for r in listed], [robot["name"]], "disabled robots stay listed")
    creds = (robot["name"], robot["secret"])
    expect_equal(c.call("GET", "/users/current/permissions", user=creds)[0], 401,
                 "a disabled robot is anonymous")
    update["disable"] = False
    expect_equal(c.call("PUT", f"/robots/{robot['id']}", update)[0], 200, "re-enable with PUT")
    expect_equal(c.call("GET", "/users/current/permissions", user=creds)[0], 200, "enabled again")


def test_list_paging_and_links(c):
    gamma = c.project_id = c.project("gamma")
    for index in range(5):
        make_robot(c.harbor, robot_body(f"r{4 - index}", project="gamma"))
    base = "/robots?" + project_q(gamma)
    status, headers, listed = c.call("GET", base)
    expect_equal((headers["X-Total-Count"], [r["name"] for r in listed]),
                 ("5", [f"robot$gamma+r{i}" for i in range(5)]), "sorted by name, page_size 10")
    expect_true("Link" not in headers, "no Link when everything fits")
    _, headers, listed = c.call("GET", base + "&page=2&page_size=2&sort=name")
    expect_equal([r["name"] for r in listed], ["robot$gamma+r2", "robot$gamma+r3"], "page 2")
    expect_equal(headers["Link"],
                 f'</api/v2.0/robots?page=1&page_size=2&q=Level=project,ProjectID={gamma}'
                 f'&sort=name>; rel="prev" , </api/v2.0/robots?page=3&page_size=2'
                 f'&q=Level=project,ProjectID={gamma}&sort=name>; rel="next"',
                 "prev and next keep q and sort, joined by ' , '")
    _, headers, listed = c.call("GET", base + "&page=3&page_size=2")
    expect_equal((len(listed), headers["X-Total-Count"]), (1, "5"), "last page, total count")
    expect_true('rel="next"' not in headers["Link"], "no next on the last page")
    _, headers, listed = c.call("GET", base + "&page_size=0")
    expect_equal((len(listed), "Link" in headers), (5, False), "page_size 0 is unlimited")
    expect_equal(c.call("GET", base + "&page_size=101")[0], 422, "page_size over 100")
    expect_equal(c.call("GET", base + "&page_size=100")[0], 200, "page_size 100")
    _, headers, listed = c.call("GET", base + "&sort=-name&page_size=2")
    expect_equal([r["name"] for r in listed], ["robot$gamma+r4", "robot$gamma+r3"], "sort=-name")
    _, headers, listed = c.call("GET", "/robots?" + project_q(gamma, "%2Cname%3Dnone"))
    expect_equal((listed, headers["X-Total-Count"]), ([], "0"), "an empty result is []")


def test_get_output(c):
    robot = make_robot(c.harbor, robot_body("shape", project="alpha", actions=("pull", "push")))
    status, _, got = c.call("GET", f"/robots/{robot['id']}")
    expect_equal(sorted(got), sorted(["id", "name", "description", "level", "duration",
                                      "editable", "disable", "expires_at", "permissions",
                                      "creator_type", "creator_ref", "creation_time",
                                      "update_time"]), "GET fields, no secret")
    expect_equal((got["name"], got["level"], got["creator_type"], got["creator_ref"]),
                 ("robot$alpha+shape", "project", "local", 1), "values")
    expect_equal(got["permissions"][0]["namespace"], "alpha", "namespace is the project name")
    system = make_robot(c.harbor, {**system_body("shape-sys"), "permissions": [
        {"kind": "system", "namespace": "/", "access": [{"resource": "project", "action": "list"}]},
        {"kind": "project", "namespace": "*", "access": [{"resource": "repository",
                                                          "action": "pull"}]}]})
    namespaces = sorted(p["namespace"] for p in c.call("GET", f"/robots/{system['id']}")[2]
                        ["permissions"])
    expect_equal(namespaces, ["*", "/"], "namespaces * and /")


def test_get_delete_order(c):
    robot = make_robot(c.harbor, robot_body("order", project="alpha"))
    for method in ("GET", "DELETE"):
        expect_equal(c.call(method, "/robots/99999", user=None)[0], 401, f"{method}: 401 first")
        status, _, body = c.call(method, "/robots/99999", user=DEV)
        expect_equal((status, error_of(body)), (404, ("NOT_FOUND", "robot 99999 not found")),
                     f"{method}: then 404")
        expect_equal(c.call(method, f"/robots/{robot['id']}", user=DEV)[0], 403, f"{method}: 403")
    answer = c.harbor.raw("DELETE", f"/api/v2.0/robots/{robot['id']}",
                          headers={"Authorization": basic(ADMIN)})
    expect_equal((answer.status, answer.body), (200, ""), "DELETE: 200, empty body")


def test_put_rules(c):
    robot = make_robot(c.harbor, robot_body("upd", project="alpha", duration=10))
    path = f"/robots/{robot['id']}"
    update = robot_body("upd", project="alpha", actions=("pull", "push"))
    update["name"] = robot["name"]
    expect_equal(c.call("PUT", path, update, user=None)[0], 401, "401 first")
    expect_equal(c.call("PUT", "/robots/99999", update)[0], 404, "then 404")
    bad = dict(update, duration=0)
    expect_equal(c.call("PUT", path, bad)[0], 400, "create-style validation")
    other = robot_body("upd", project="beta")
    other["name"] = robot["name"]
    expect_equal(c.call("PUT", path, other)[0], 400, "another project's namespace")
    expect_equal(c.call("PUT", path, update, user=DEV)[0], 403, "the update permission")
    short = dict(update, name="upd")
    status, _, body = c.call("PUT", path, short)
    expect_equal((status, body["errors"][0]["message"]),
                 (400, "cannot update the level or name of robot"), "name must be the full name")
    update["description"] = "described"
    del update["duration"]
    expect_equal(c.call("PUT", path, update)[0], 200, "omitted duration")
    got = c.call("GET", path)[2]
    expect_equal((got["duration"], got["description"], len(got["permissions"][0]["access"])),
                 (10, "described", 2), "duration kept, description and permissions replaced")
    del update["description"]
    update["duration"] = 3
    expect_equal(c.call("PUT", path, update)[0], 200, "new duration")
    got = c.call("GET", path)[2]
    expect_equal((got["description"], got["expires_at"] - robot["expires_at"]),
                 ("", -7 * 86400), "description emptied; expires_at from creation_time")


def test_patch_rules(c):
    robot = make_robot(c.harbor, robot_body("patch", project="alpha"))
    path = f"/robots/{robot['id']}"
    old = (robot["name"], robot["secret"])
    status, _, body = c.call("PATCH", path, {})
    expect_equal((status, sorted(body), len(body["secret"])), (200, ["secret"], 32), "random")
    expect_equal(c.call("GET", "/users/current/permissions", user=old)[0], 401, "old secret dead")
    status, _, body = c.call("PATCH", path, {"secret": ""})
    expect_equal((status, len(body["secret"])), (200, 32), "an empty secret is a random one")
    for bad in ("Short1a", "alllower1", "ALLUPPER1", "NoDigitsHere", "A1a" + "x" * 126):
        expect_equal(c.call("PATCH", path, {"secret": bad})[0], 400, f"supplied {bad[:12]}")
    expect_equal(c.call("PATCH", path, {"secret": "A1a" + "x" * 125})[2], {}, "128 characters")
    expect_equal(c.call("PATCH", path, {"secret": "Passw0rd"})[0:3:2], (200, {}), "8 characters")
    expect_equal(c.call("GET", "/users/current/permissions",
                        user=(robot["name"], "Passw0rd"))[0], 200, "the supplied secret works")


def test_robots_managing_robots(c):
    body = robot_body("boss", project="alpha")
    body["permissions"][0]["access"] = [{"resource": "robot", "action": action}
                                        for action in ("create", "read", "list", "delete")] + [
        {"resource": "repository", "action": "pull"}]
    boss = make_robot(c.harbor, body)
    as_boss = (boss["name"], boss["secret"])
    bad = robot_body("x", project="alpha")
    bad["permissions"][0]["access"] = [{"resource": "robot", "action": "update"}]
    expect_equal(c.call("POST", "/robots", bad)[0], 400, "robot:update is no permission (2.12+)")
    child = make_robot(c.harbor, robot_body("child", project="alpha"), user=as_boss)
    expect_equal(c.call("GET", f"/robots/{child['id']}", user=as_boss)[0], 200, "robot:read")
    for target in (child, boss):
        update = robot_body("child", project="alpha")
        update["name"] = target["name"]
        expect_equal(c.call("PUT", f"/robots/{target['id']}", update, user=as_boss)[0], 403,
                     "no robot PUTs a robot, itself included")
        expect_equal(c.call("PATCH", f"/robots/{target['id']}", {}, user=as_boss)[0], 403,
                     "no robot refreshes a robot, itself included")
    status, _, body = c.call("POST", "/robots", robot_body("wider", project="alpha",
                                                           actions=("push",)), user=as_boss)
    expect_equal((status, body["errors"][0]["code"]), (403, "DENIED"), "subset rule")
    expect_equal(c.call("DELETE", f"/robots/{child['id']}", user=as_boss)[0], 200, "robot:delete")


def test_system_robot_creating_project_robot_by_version(binary):
    for version, expected in (("2.14.0", 403), ("2.14.1", 201)):
        harbor = Harbor(binary, extra_args=["--registry", "none", "--version", version])
        try:
            harbor.call("POST", "/projects", {"project_name": "alpha"})
            body = system_body("maker", access=(("robot", "create"),))
            body["permissions"].append({"kind": "project", "namespace": "alpha", "access": [
                {"resource": "repository", "action": "pull"},
                {"resource": "robot", "action": "create"}]})
            maker = make_robot(harbor, body)
            status, _, answer = harbor.call("POST", "/robots", robot_body("made", project="alpha"),
                                            user=(maker["name"], maker["secret"]))
            expect_equal(status, expected, f"{version}: a system robot creates a project robot")
            if expected == 403:
                expect_equal(answer["errors"][0]["code"], "DENIED", "DENIED")
        finally:
            harbor.close()


def test_level_system_lists_all_on_2_12(binary):
    harbor = Harbor(binary, extra_args=["--registry", "none", "--version", "2.12.4"])
    try:
        harbor.call("POST", "/projects", {"project_name": "alpha"})
        make_robot(harbor, robot_body("p", project="alpha"))
        make_robot(harbor, system_body("s"))
        _, _, listed = harbor.call("GET", "/robots?q=Level%3Dsystem")
        expect_equal(sorted(r["name"] for r in listed), ["robot$alpha+p", "robot$s"],
                     "2.12: Level=system lists every robot")
        _, _, listed = harbor.call("GET", "/robots")
        expect_equal([r["name"] for r in listed], ["robot$s"], "2.12: no Level, system only")
        status, _, body = harbor.call("GET", "/robots?q=Level%3Dproject%2CProjectID%3Dx")
        expect_equal((status, body["errors"][0]["message"]), (400, "Project ID must be int type."),
                     "2.12's message")
    finally:
        harbor.close()


# ---- §6b -------------------------------------------------------------------

def test_token_200_proves_nothing(c):
    robot = make_robot(c.harbor, robot_body("tok", project="alpha", actions=("pull", "push")))
    creds = (robot["name"], robot["secret"])
    status, claims = token(c.harbor, ["repository:alpha/app:pull"], user=creds)
    expect_equal((status, claims["sub"], sorted(claims["access"][0]["actions"])),
                 (200, robot["name"], ["pull", "push"]), "a live robot")
    for what, user in (("wrong secret", (robot["name"], "Wrong0Secret")),
                       ("unknown robot", ("robot$alpha+ghost", robot["secret"]))):
        status, claims = token(c.harbor, ["repository:alpha/app:pull",
                                          "repository:public-proj/app:pull"], user=user)
        expect_equal((status, claims["sub"], [a["actions"] for a in claims["access"]]),
                     (200, "", [[], ["pull"]]), f"{what}: anonymous token, pull on public only")
    update = robot_body("tok", project="alpha", actions=("pull", "push"))
    update.update({"name": robot["name"], "disable": True})
    c.call("PUT", f"/robots/{robot['id']}", update)
    status, claims = token(c.harbor, ["repository:public-proj/app:pull"], user=creds)
    expect_equal((status, claims["sub"], claims["access"][0]["actions"]), (200, "", ["pull"]),
                 "disabled robot: anonymous token that still pulls a public project")
    c.call("DELETE", f"/robots/{robot['id']}")
    status, claims = token(c.harbor, ["repository:alpha/app:pull"], user=creds)
    expect_equal((status, claims["sub"], claims["access"][0]["actions"]), (200, "", []),
                 "deleted robot: anonymous token")
    answer = c.harbor.raw("GET", "/service/token?service=harbor-registry",
                          headers={"Authorization": basic(creds)})
    expect_equal((answer.status, answer.body), (401, ""), "without a scope: 401, empty body")


def test_token_expired_robot(binary):
    harbor = Harbor(binary, extra_args=["--registry", "none"], snapshot=True)
    try:
        harbor.call("POST", "/projects", {"project_name": "pub", "metadata": {"public": "true"}})
        robot = make_robot(harbor, robot_body("old", project="pub"))
        expect_equal(harbor.stop(), 0, "stop")
        path = f"{harbor.state}/state.json"
        with open(path) as f:
            state = json.load(f)
        for saved in state["robots"]:
            saved["expires_at"] = int(time.time()) - 10
        with open(path, "w") as f:
            json.dump(state, f)
        harbor.start()
        status, claims = token(harbor, ["repository:pub/app:pull"],
                               user=(robot["name"], robot["secret"]))
        expect_equal((status, claims["sub"], claims["access"][0]["actions"]), (200, "", ["pull"]),
                     "an expired robot gets an anonymous token")
        _, _, listed = harbor.call("GET", "/robots?q=Level%3Dproject%2CProjectID%3D2")
        expect_equal([r["name"] for r in listed], [robot["name"]], "expired robots stay listed")
    finally:
        harbor.close()


def test_token_only_four_actions(c):
    body = robot_body("wide", project="alpha", actions=("read", "list", "update", "pull", "push",
                                                        "delete"))
    robot = make_robot(c.harbor, body)
    _, claims = token(c.harbor, ["repository:alpha/app:pull,push,delete,read,list,update,*"],
                      user=(robot["name"], robot["secret"]))
    expect_equal(sorted(claims["access"][0]["actions"]), ["delete", "pull", "push"],
                 "read, list and update never appear")
    _, claims = token(c.harbor, ["repository:alpha/app:pull"])
    expect_equal(sorted(claims["access"][0]["actions"]),
                 ["delete", "pull", "push", "scanner-pull"], "an admin: all four")


def test_token_unknown_scopes(c):
    status, claims = token(c.harbor, ["artifact:alpha/app:pull", "registry:other:*",
                                      "plugin:x:*", "repository:noslash:pull"])
    expect_equal((status, [(a["type"], a["name"], a["actions"]) for a in claims["access"]]),
                 (200, [("artifact", "alpha/app", []), ("registry", "other", []),
                        ("plugin", "x", []), ("repository", "noslash", [])]),
                 "unknown types and names: 200, the scope with no actions")
    _, claims = token(c.harbor, ["registry:catalog:*"], user=DEV)
    expect_equal(claims["access"][0]["actions"], [], "catalog for a non-admin")
    _, claims = token(c.harbor, ["registry:catalog:*"], user=LDAP_ADMIN)
    expect_equal(claims["access"][0]["actions"], ["*"], "catalog for an admin-group admin")


def test_admin_role_in_auth(c):
    status, _, me = c.call("GET", "/users/current", user=LDAP_ADMIN)
    expect_equal((status, me["sysadmin_flag"], me["admin_role_in_auth"]), (200, False, True),
                 "an admin through an LDAP/OIDC group")
    _, _, me = c.call("GET", "/users/current")
    expect_equal((me["sysadmin_flag"], me["admin_role_in_auth"]), (True, False), "admin")
    _, _, me = c.call("GET", "/users/current", user=DEV)
    expect_equal((me["sysadmin_flag"], me["admin_role_in_auth"]), (False, False), "a user")
    expect_equal(c.call("POST", "/robots", system_body("by-group"), user=LDAP_ADMIN)[0], 201,
                 "creates system robots")
    expect_equal(c.call("GET", "/configurations", user=LDAP_ADMIN)[0], 200, "reads configuration")
    expect_equal(c.call("GET", "/projects/nowhere", user=LDAP_ADMIN)[0], 404,
                 "a missing project is 404, as for admins")
    expect_equal(c.call("GET", "/robots?" + project_q(c.project_ids["alpha"]),
                        user=LDAP_ADMIN)[0], 200, "lists any project's robots")
    _, claims = token(c.harbor, ["repository:alpha/app:pull"], user=LDAP_ADMIN)
    expect_equal(sorted(claims["access"][0]["actions"]),
                 ["delete", "pull", "push", "scanner-pull"], "every registry action")


def test_read_only_mode(c):
    expect_equal(c.call("PUT", "/configurations", {"read_only": True}, user=DEV)[0], 403,
                 "only admins switch it")
    expect_equal(c.call("PUT", "/configurations", {"read_only": True})[0], 200, "switch on")
    try:
        expect_equal(c.call("GET", "/systeminfo")[2]["read_only"], True, "systeminfo shows it")
        expect_true("read_only" not in c.call("GET", "/systeminfo", user=None)[2],
                    "not to anonymous callers")
        expect_equal(c.call("GET", "/configurations")[2]["read_only"]["value"], True,
                     "GET /configurations shows it")
        robot = c.call("GET", "/robots?" + project_q(c.project_ids["alpha"]))[2][0]
        update = robot_body("x", project="alpha")
        update["name"] = robot["name"]
        for method, path, body, user in (
                ("POST", "/projects", {"project_name": "frozen"}, ADMIN),
                ("POST", "/projects", {"project_name": "Bad Name"}, None),
                ("POST", "/robots", robot_body("frozen", project="alpha"), ADMIN),
                ("PUT", f"/robots/{robot['id']}", update, ADMIN),
                ("PATCH", f"/robots/{robot['id']}", {}, ADMIN),
                ("DELETE", f"/robots/{robot['id']}", None, ADMIN),
                ("DELETE", "/projects/beta", None, DEV),
                ("POST", "/users", {"username": "u", "password": "Dev12345"}, ADMIN)):
            status, _, answer = c.call(method, path, body, user=user)
            expect_equal((status, error_of(answer)), (403, ("DENIED", READ_ONLY_MESSAGE)),
                         f"{method} {path} as {user and user[0]}")
        expect_equal(c.call("GET", f"/robots/{robot['id']}")[0], 200, "reads still work")
        status, claims = token(c.harbor, ["repository:alpha/app:pull"])
        expect_equal(status, 200, "GET /service/token still works")
        expect_equal(c.harbor.raw("POST", "/service/token?service=harbor-registry", b"").status,
                     405, "POST /service/token is exempt (answers 405)")
        answer = c.harbor.raw("PUT", "/v2/alpha/app/manifests/v1", b"{}",
                              headers={"Authorization": basic(ADMIN)})
        expect_equal((answer.status, error_of(answer.json())), (403, ("DENIED", READ_ONLY_MESSAGE)),
                     "a registry push")
        expect_equal(c.harbor.raw("POST", "/v2/alpha/app/blobs/uploads/").status, 403,
                     "an anonymous upload: 403 before any challenge")
        answer = c.harbor.raw("GET", "/v2/alpha/app/manifests/v1")
        expect_equal(answer.status, 401, "pulls are not refused by read-only mode")
    finally:
        expect_equal(c.call("PUT", "/configurations", {"read_only": False})[0], 200,
                     "PUT /configurations passes the readonly middleware: switch off")
    expect_equal(c.call("GET", "/systeminfo")[2]["read_only"], False, "off again")
    expect_equal(c.call("POST", "/robots", robot_body("thawed", project="alpha"))[0], 201,
                 "writes work again")


def test_stored_name_over_255_is_500(c):
    long_project = "p" * 200
    c.project(long_project)
    expect_equal(c.call("POST", "/robots", robot_body("n" * 54, project=long_project))[0], 201,
                 "stored name of 255 characters")
    status, _, body = c.call("POST", "/robots", robot_body("n" * 55, project=long_project))
    expect_equal((status, error_of(body)), (500, ("UNKNOWN", "internal server error")),
                 "stored name of 256 characters")
    expect_equal(c.call("POST", "/robots", system_body("s" * 256))[0], 500, "a system robot")
    expect_equal(c.call("POST", "/robots", robot_body("N" * 55, project=long_project))[0], 400,
                 "the name pattern is checked first")
    expect_equal(c.call("POST", "/robots", robot_body("n" * 55, project=long_project),
                        user=DEV)[0], 403, "then access")
    expect_equal(c.call("POST", "/robots", robot_body("n" * 55, project="p" * 201))[0], 404,
                 "then the namespace")
    _, _, listed = c.call("GET", "/robots?" + project_q(c.project_ids[long_project]))
    expect_equal(len(listed), 1, "nothing was stored by the 500")


def test_failed_login_lock(binary):
    harbor = Harbor(binary, extra_args=["--registry", "none"], failed_login_delay_ms=1500)
    try:
        harbor.call("POST", "/users", {"username": "dev", "password": "Dev12345"})
        robot = make_robot(harbor, system_body("locker"))
        started = time.monotonic()
        results = []
        worker = threading.Thread(target=lambda: results.append(
            harbor.call("GET", "/users/current", user=("admin", "wrong"))[0]))
        worker.start()
        # The lock is taken before the 1.5 s sleep: the right password turns
        # anonymous while the failed request is still held.
        wait_for(lambda: harbor.call("GET", "/users/current")[0] == 401,
                 "the right password to be refused during the lock", timeout=1.4)
        locked_at = time.monotonic()
        expect_true(worker.is_alive() or time.monotonic() - started < 1.5,
                    "refused while the failed login is held")
        expect_equal(harbor.call("GET", "/users/current", user=("admin", "other"))[0], 401,
                     "a wrong password while locked")
        expect_true(time.monotonic() - locked_at < 1.0,
                    "a locked login is refused at once, without a new delay")
        expect_equal(harbor.call("GET", "/users/current", user=("dev", "Dev12345"))[0], 200,
                     "the lock is per principal")
        expect_equal(harbor.call("GET", "/users/current/permissions",
                                 user=(robot["name"], robot["secret"]))[0], 200,
                     "robots are checked before the user login")
        worker.join(timeout=10)
        expect_equal(results, [401], "the failed login itself")
        expect_true(time.monotonic() - started >= 1.5, "held for 1.5 s")
        wait_for(lambda: harbor.call("GET", "/users/current")[0] == 200,
                 "the lock to expire", timeout=3)
        expect_true(time.monotonic() - started < 4.5, "the lock lasts about 1.5 s")
        # A robot's failed secret falls through to the user login and locks
        # the robot's name as a user principal: the robot still works.
        status, _ = token(harbor, ["repository:x/y:pull"], user=(robot["name"], "Wrong0Secret"))
        expect_equal(status, 200, "wrong robot secret: anonymous token")
        expect_equal(harbor.call("GET", "/users/current/permissions",
                                 user=(robot["name"], robot["secret"]))[0], 200,
                     "the robot step ignores the user lock")
    finally:
        harbor.close()


def test_export_cve_by_version(binary):
    cve = (("export-cve", "create"),)
    for version, project_status, system_status in (("2.12.0", 400, 201), ("2.12.1", 201, 400),
                                                   ("2.15", 201, 400)):
        harbor = Harbor(binary, extra_args=["--registry", "none", "--version", version])
        try:
            harbor.call("POST", "/projects", {"project_name": "alpha"})
            body = robot_body("cve", project="alpha")
            body["permissions"][0]["access"] = [{"resource": "export-cve", "action": "create"}]
            expect_equal(harbor.call("POST", "/robots", body)[0], project_status,
                         f"{version}: export-cve on a project")
            expect_equal(harbor.call("POST", "/robots", system_body("cve", access=cve))[0],
                         system_status, f"{version}: export-cve on the system")
        finally:
            harbor.close()


# ---- POST /projects: the order for anonymous callers ----------------------

def test_create_project_anonymous_order(c):
    for body in ({"project_name": "Bad Name"}, {"project_name": ""},
                 {"project_name": "ok", "metadata": {"public": "maybe"}},
                 {"project_name": "ok", "metadata": {"retention_id": "5"}}):
        expect_equal(c.call("POST", "/projects", body, user=None)[0], 401,
                     f"handler checks come after RequireAuthenticated: {body}")
    expect_equal(c.call("POST", "/projects", {"project_name": 5}, user=None)[0], 422,
                 "go-swagger's schema validation runs before the handler")
    expect_equal(c.call("POST", "/projects", {"project_name": "x" * 256}, user=None)[0], 422,
                 "maxLength 255 is schema validation too")
    status, _, body = c.call("POST", "/projects", {"project_name": "ok",
                                                   "metadata": {"public": "maybe"}})
    expect_equal((status, body["errors"][0]["message"]),
                 (400, "metadata.public should only be 'true' or 'false', but got: 'maybe'"),
                 "authenticated: the handler's 400")


SHARED = [test_create_ignores_secret_and_disable, test_create_name_checked_before_auth,
          test_create_duration_rules, test_create_structure_checks, test_create_access_rules,
          test_create_namespace_unknown, test_create_duplicate_is_409, test_create_response,
          test_secret_shape_and_never_in_get, test_list_anonymous_401,
          test_list_level_and_project_id_only_in_q, test_list_no_level_system_only,
          test_list_level_project_needs_positive_id, test_list_level_system,
          test_list_unknown_project_id, test_list_permission, test_list_q_syntax,
          test_list_disabled_filter_and_stay_listed, test_list_paging_and_links, test_get_output,
          test_get_delete_order, test_put_rules, test_patch_rules, test_robots_managing_robots,
          test_token_200_proves_nothing, test_token_only_four_actions, test_token_unknown_scopes,
          test_admin_role_in_auth, test_read_only_mode, test_stored_name_over_255_is_500,
          test_create_project_anonymous_order]
OWN_INSTANCES = [test_system_robot_creating_project_robot_by_version,
                 test_level_system_lists_all_on_2_12, test_token_expired_robot,
                 test_failed_login_lock, test_export_cve_by_version]


def main():
    binary = sys.argv[1]
    harbor = Harbor(binary, extra_args=["--registry", "none", "--admin-group-user",
                                        ":".join(LDAP_ADMIN)])
    try:
        c = Context(harbor)
        expect_equal(harbor.call("POST", "/users", {"username": DEV[0], "password": DEV[1]})[0],
                     201, "user dev")
        for name in ("alpha", "beta"):
            c.project(name)
        c.project("public-proj", public=True)
        c.project("devproj", user=DEV)
        for test in SHARED:
            test(c)
            print(f"PASS {test.__name__}")
    finally:
        harbor.close()
    for test in OWN_INSTANCES:
        test(binary)
        print(f"PASS {test.__name__}")
    print(f"notes_3_6b_test: passed ({len(SHARED) + len(OWN_INSTANCES)} tests)")


if __name__ == "__main__":
    main()
