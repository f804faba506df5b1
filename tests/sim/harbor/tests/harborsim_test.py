#!/usr/bin/env python3
"""The Harbor simulator against NOTES.md §7, over HTTPS with urllib.
usage: harborsim_test.py <harborrobot-harbor-sim>"""
import sys

from harness import Harbor, expect_equal, robot_body


def main():
    harbor = Harbor(sys.argv[1], extra_args=["--registry", "none"])
    try:
        status, headers, _ = harbor.call("POST", "/projects", {"project_name": "team"})
        expect_equal((status, headers["Location"]), (201, "/api/v2.0/projects/2"), "create project")
        expect_equal(harbor.call("POST", "/projects", {"project_name": "team"})[2],
                     {"errors": [{"code": "CONFLICT",
                                  "message": "The project named team already exists"}]},
                     "duplicate project (§7.3, error shape §7.12)")
        expect_equal(harbor.call("POST", "/projects", {"project_name": 5})[0], 422, "schema 422")
        expect_equal(harbor.call("POST", "/projects", {"project_name": "Team"})[0], 400, "bad name")

        status, _, robot = harbor.call("POST", "/robots", robot_body("ci"))
        expect_equal((status, robot["name"]), (201, "robot$team+ci"), "prefixed name (§7.4)")
        secret = robot["secret"]
        creds = (robot["name"], secret)
        expect_equal(harbor.call("GET", "/users/current/permissions", user=creds)[2],
                     [{"resource": "/project/2/repository", "action": "pull"}], "robot credentials")
        got = harbor.call("GET", f"/robots/{robot['id']}")[2]
        expect_equal("secret" in got, False, "no secret in GET (§7.1)")
        expect_equal(harbor.call("POST", "/robots", robot_body("ci"))[0], 409, "duplicate robot")
        expect_equal(harbor.call("POST", "/robots", robot_body("x", duration=0))[0], 400,
                     "duration 0 (§7.6)")
        expect_equal(harbor.call("POST", "/robots", robot_body("x", actions=("fly",)))[2]["errors"][0]
                     ["message"], "bad request permission: repository:fly", "§4 pairs (§7.8)")

        # Bad credentials are anonymous, not an error (§7.2); 401 only where
        # anonymous is refused, and public data stays readable.
        bad = ("robot$team+ci", "wrong")
        expect_equal(harbor.call("GET", "/robots", user=bad)[0], 401, "anonymous robots list")
        status, _, projects = harbor.call("GET", "/projects", user=bad)
        expect_equal((status, [p["name"] for p in projects]), (200, ["library"]),
                     "anonymous sees public projects")

        # Robots cannot update or refresh robots (§7.9); missing projects are
        # 403 for non-admins (§7.10).
        expect_equal(harbor.call("PATCH", f"/robots/{robot['id']}", {}, user=creds)[0], 403,
                     "robot refreshing a robot")
        expect_equal(harbor.call("GET", "/projects/nope", user=creds)[0], 403, "missing, robot")
        expect_equal(harbor.call("GET", "/projects/nope")[0], 404, "missing, admin")

        # Refresh kills the old secret at once (§7.5).
        status, _, refreshed = harbor.call("PATCH", f"/robots/{robot['id']}", {})
        expect_equal((status, len(refreshed["secret"])), (200, 32), "random refresh")
        expect_equal(harbor.call("GET", "/users/current/permissions", user=creds)[0], 401,
                     "old secret is dead")
        status, _, body = harbor.call("PATCH", f"/robots/{robot['id']}", {"secret": "Passw0rdPassw0rd"})
        expect_equal((status, body), (200, {}), "supplied secret returns {}")
        expect_equal(harbor.call("PATCH", f"/robots/{robot['id']}", {"secret": "short"})[0], 400,
                     "supplied secret too weak")

        # PUT echoes the full name (§7.4).
        update = robot_body("ci")
        expect_equal(harbor.call("PUT", f"/robots/{robot['id']}", update)[0], 400, "short name")
        update["name"] = "robot$team+ci"
        update["duration"] = 10
        expect_equal(harbor.call("PUT", f"/robots/{robot['id']}", update)[0], 200, "full name")
        after = harbor.call("GET", f"/robots/{robot['id']}")[2]
        expect_equal(after["expires_at"] - robot["expires_at"], -20 * 86400,
                     "expires_at recomputed from creation_time (§7.6)")

        # Listing (§7.11).
        harbor.call("POST", "/robots", robot_body("ab"))
        # Level and ProjectID live inside q (robot.go ListRobot reads query.Keywords).
        status, headers, listed = harbor.call(
            "GET", "/robots?q=Level%3Dproject%2CProjectID%3D2&page_size=1")
        expect_equal((status, headers["X-Total-Count"], [r["name"] for r in listed]),
                     (200, "2", ["robot$team+ab"]), "sorted and paged")
        expect_equal(headers["Link"],
                     '</api/v2.0/robots?page=2&page_size=1&q=Level=project,ProjectID=2>; '
                     'rel="next"', "Link keeps q")
        found = harbor.call("GET", "/robots?q=Level%3Dproject%2CProjectID%3D2%2Cname%3Dteam%252Bci")[2]
        expect_equal([r["name"] for r in found], ["robot$team+ci"], "q is decoded twice")
        expect_equal(harbor.call("GET", "/robots")[2], [], "no system robots: []")
        expect_equal(harbor.call("GET", "/robots?q=Level%3Dproject")[0], 400,
                     "Level=project needs an id")

        # A robot may create robots only within its own scope (§7.9, 2.12+).
        manager = harbor.call("POST", "/robots", robot_body("mgr", actions=("pull", "create")))
        expect_equal(manager[0], 400, "robot:create is spelled with resource robot")
        body = robot_body("mgr")
        body["permissions"][0]["access"].append({"resource": "robot", "action": "create"})
        status, _, manager = harbor.call("POST", "/robots", body)
        expect_equal(status, 201, "a robot that may create robots")
        as_manager = (manager["name"], manager["secret"])
        expect_equal(harbor.call("POST", "/robots", robot_body("sub"), user=as_manager)[0], 201,
                     "a subset of the creator's permissions")
        status, _, body = harbor.call("POST", "/robots", robot_body("wide", actions=("push",)),
                                      user=as_manager)
        expect_equal((status, body["errors"][0]["code"]), (403, "DENIED"),
                     "beyond the creator's permissions")
        status, _, listed = harbor.call(
            "GET", "/robots?q=Level%3Dproject%2CProjectID%3D2%2Cname%3Dteam%252Bsub")
        expect_equal(listed[0]["creator_type"], "robot", "creator_type of a robot-made robot")
        expect_equal(listed[0]["creator_ref"], manager["id"], "creator_ref is the creator's id")

        # The per-project robot endpoints are gone since 2.13 (§7.15).
        expect_equal(harbor.call("GET", "/projects/2/robots")[0], 404, "/projects/{id}/robots")

        # CSRF only with a sid cookie (§7.13).
        expect_equal(harbor.call("POST", "/projects", {"project_name": "c"},
                                 headers={"Cookie": "sid=abc"})[0], 403, "sid cookie")

        # Deleting a project deletes its robots (§7.7).
        expect_equal(harbor.call("DELETE", "/projects/team")[0], 200, "delete project")
        expect_equal(harbor.call("GET", f"/robots/{robot['id']}")[0], 404, "robots went too")
        print("harborsim_test: passed")
    finally:
        harbor.close()
    legacy = Harbor(sys.argv[1], extra_args=["--registry", "none", "--version", "2.12"])
    try:
        legacy.call("POST", "/projects", {"project_name": "team"})
        legacy.call("POST", "/robots", robot_body("ci"))
        status, _, listed = legacy.call("GET", "/projects/2/robots")
        expect_equal((status, [r["name"] for r in listed]), (200, ["robot$team+ci"]),
                     "2.12 still lists robots per project")
    finally:
        legacy.close()


if __name__ == "__main__":
    main()
