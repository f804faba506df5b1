#!/usr/bin/env python3
"""The registry path of the Harbor simulator (NOTES.md §6, §7.14): the token
service, core's /v2/ guard, and the real skopeo pulling through Debian's
docker-registry with robot credentials.
usage: registry_test.py <harborrobot-harbor-sim>"""
import base64
import hashlib
import json
import re
import subprocess
import sys
import time

from harness import ADMIN, Harbor, basic, create_robot, expect_equal, expect_true, wait_for


def jwt_parts(token):
    def decode(part):
        return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    header, payload, _ = token.split(".")
    return decode(header), decode(payload)


def libtrust_key_id(key_file):
    der = subprocess.run(["openssl", "pkey", "-in", key_file, "-pubout", "-outform", "DER"],
                         check=True, capture_output=True).stdout
    encoded = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode()
    return ":".join(encoded[i:i + 4] for i in range(0, len(encoded), 4))


def token(harbor, scope, user=ADMIN):
    query = "service=harbor-registry" + "".join(f"&scope={s}" for s in scope)
    headers = {"Authorization": basic(user)} if user else {}
    return harbor.raw("GET", "/service/token?" + query, headers=headers)


def access_of(answer):
    return jwt_parts(answer.json()["token"])[1]["access"]


def token_service(harbor, puller, pusher):
    # No credentials and no scope: 401 with an empty body (§7.14).
    answer = token(harbor, [], user=None)
    expect_equal((answer.status, answer.body), (401, ""), "anonymous, no scope")
    # No credentials with a scope: an anonymous token; public projects pull.
    answer = token(harbor, ["repository:team/app:pull,push", "repository:library/x:pull"],
                   user=None)
    expect_equal(answer.status, 200, "anonymous with scope")
    header, claims = jwt_parts(answer.json()["token"])
    expect_equal(claims["sub"], "", "anonymous subject")
    expect_equal([a["actions"] for a in claims["access"]], [[], ["pull"]],
                 "anonymous grants: private nothing, public pull")
    # Bad credentials are anonymous too, not an error.
    answer = token(harbor, ["repository:team/app:pull"], user=(puller[0], "wrong"))
    expect_equal((answer.status, access_of(answer)[0]["actions"]), (200, []), "bad secret")

    # Requested actions are ignored: the caller gets what it holds.
    answer = token(harbor, ["repository:team/app:push"], user=puller)
    expect_equal(access_of(answer), [{"type": "repository", "name": "team/app",
                                      "actions": ["pull"]}], "pull robot asking for push")
    answer = token(harbor, ["repository:team/app:pull"], user=pusher)
    expect_equal(sorted(access_of(answer)[0]["actions"]), ["pull", "push"],
                 "project push robot also pulls")
    answer = token(harbor, ["repository:team/app:pull"])
    expect_equal(sorted(access_of(answer)[0]["actions"]),
                 ["delete", "pull", "push", "scanner-pull"], "admin holds everything")
    answer = token(harbor, ["repository:nothere/app:pull", "repository:noslash:pull"])
    expect_equal([a["actions"] for a in access_of(answer)], [[], []],
                 "unknown project and a name without /")
    answer = token(harbor, ["registry:catalog:*"])
    expect_equal(access_of(answer)[0]["actions"], ["*"], "catalog for admins")
    answer = token(harbor, ["registry:catalog:*"], user=puller)
    expect_equal(access_of(answer)[0]["actions"], [], "catalog for robots")
    # Space-separated scopes in one parameter count as several.
    answer = token(harbor, ["repository:team/a:pull%20repository:team/b:pull"], user=puller)
    expect_equal([a["name"] for a in access_of(answer)], ["team/a", "team/b"], "space-separated")

    # The response and the JWT's shape.
    answer = token(harbor, ["repository:team/app:pull"], user=puller)
    body = answer.json()
    expect_equal(sorted(body), ["access_token", "expires_in", "issued_at", "token"], "fields")
    expect_equal((body["access_token"], body["expires_in"]), ("", 1800), "expiry default")
    expect_true(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["issued_at"]),
                f"issued_at is RFC 3339: {body['issued_at']}")
    header, claims = jwt_parts(body["token"])
    expect_equal((header["alg"], header["typ"], "x5c" in header), ("RS256", "JWT", False),
                 "JWT header")
    expect_equal(header["kid"], libtrust_key_id(f"{harbor.state}/pki/token.key"),
                 "kid is the libtrust id of the signing key")
    expect_equal((claims["iss"], claims["aud"], claims["sub"]),
                 ("harbor-token-issuer", "harbor-registry", puller[0]), "claims")
    expect_equal(claims["exp"] - claims["iat"], 1800, "exp")
    expect_true(re.fullmatch(r"[A-Za-z0-9]{16}", claims["jti"]), f"jti: {claims['jti']}")

    # Service and method errors.
    answer = harbor.raw("GET", "/service/token?service=other&scope=repository:team/app:pull",
                        headers={"Authorization": basic(puller)})
    expect_equal((answer.status, answer.body.strip()), (400, "Unable to handle service: other"),
                 "wrong service")
    expect_equal(harbor.raw("POST", "/service/token?service=harbor-registry", b"").status, 405,
                 "POST")
    # token_expiration drives expires_in.
    expect_equal(harbor.call("PUT", "/configurations", {"token_expiration": 5})[0], 200,
                 "set token_expiration")
    expect_equal(token(harbor, ["repository:team/app:pull"]).json()["expires_in"], 300,
                 "expires_in follows token_expiration")
    expect_equal(harbor.call("PUT", "/configurations", {"token_expiration": 30})[0], 200, "reset")


def v2_guard(harbor, puller):
    answer = harbor.raw("GET", "/v2/")
    expect_equal((answer.status, answer.headers["Www-Authenticate"],
                  answer.headers["Docker-Distribution-Api-Version"]),
                 (401, f'Bearer realm="{harbor.url}/service/token",service="harbor-registry"',
                  "registry/2.0"), "/v2/ without credentials")
    expect_equal(answer.json()["errors"][0]["code"], "UNAUTHORIZED", "401 body")
    answer = harbor.raw("GET", "/v2/team/app/manifests/v1")
    expect_equal(answer.headers["Www-Authenticate"],
                 f'Bearer realm="{harbor.url}/service/token",service="harbor-registry",'
                 'scope="repository:team/app:pull"', "repository challenge")
    answer = harbor.raw("PUT", "/v2/team/app/manifests/v2", b"{}")
    expect_true(answer.headers["Www-Authenticate"].endswith('scope="repository:team/app:pull,push"'),
                "push challenge asks pull,push")
    answer = harbor.raw("GET", "/v2/team/app/manifests/v1",
                        headers={"Authorization": basic((puller[0], "wrong"))})
    expect_equal((answer.status, answer.headers["Www-Authenticate"]), (401, 'Basic realm="harbor"'),
                 "insufficient credentials get a Basic challenge")
    answer = harbor.raw("GET", "/v2/_catalog", headers={"Authorization": basic(puller)})
    expect_equal((answer.status, answer.headers["Www-Authenticate"]), (401, 'Basic realm="harbor"'),
                 "catalog for a robot")
    expect_equal(harbor.raw("GET", "/v2/_catalog", headers={"Authorization": basic(ADMIN)}).status,
                 200, "catalog for the admin")
    # Basic credentials work on /v2/ directly, as core accepts them.
    expect_equal(harbor.raw("GET", "/v2/", headers={"Authorization": basic(puller)}).status, 200,
                 "/v2/ with Basic")
    answer = harbor.raw("HEAD", "/v2/team/app/manifests/v1",
                        headers={"Authorization": basic(puller),
                                 "Accept": "application/vnd.oci.image.manifest.v1+json"})
    expect_equal(answer.status, 200, "HEAD manifest with Basic")
    expect_true(int(answer.headers["Content-Length"]) > 0, "HEAD keeps the manifest's length")
    # A pull-only robot cannot push; 401, never 403.
    answer = harbor.raw("PUT", "/v2/team/app/manifests/v9", b"{}",
                        headers={"Authorization": basic(puller)})
    expect_equal(answer.status, 401, "push with a pull robot")


def skopeo_pulls(harbor, puller):
    code, error = harbor.skopeo_inspect("team/app:v1", puller)
    expect_equal(code, 0, f"skopeo with the project's robot: {error}")
    other = create_robot(harbor, "other", project="other-team")
    code, error = harbor.skopeo_inspect("team/app:v1", (other["name"], other["secret"]))
    expect_true(code != 0 and "unauthorized" in error.lower(),
                f"robot of another project is refused: {error}")

    # A refreshed (old) secret is refused; the new one works.
    rotating = create_robot(harbor, "rotating")
    old = (rotating["name"], rotating["secret"])
    status, _, fresh = harbor.call("PATCH", f"/robots/{rotating['id']}", {})
    expect_equal(status, 200, "refresh")
    code, error = harbor.skopeo_inspect("team/app:v1", old)
    expect_true(code != 0, f"old secret after refresh is refused: {error}")
    code, error = harbor.skopeo_inspect("team/app:v1", (rotating["name"], fresh["secret"]))
    expect_equal(code, 0, f"new secret works: {error}")

    # A deleted robot is refused, but a token issued before still works until
    # it expires.
    doomed = create_robot(harbor, "doomed")
    creds = (doomed["name"], doomed["secret"])
    issued = token(harbor, ["repository:team/app:pull"], user=creds).json()["token"]
    expect_equal(harbor.call("DELETE", f"/robots/{doomed['id']}")[0], 200, "delete robot")
    code, error = harbor.skopeo_inspect("team/app:v1", creds)
    expect_true(code != 0, f"deleted robot is refused: {error}")
    answer = harbor.raw("GET", "/v2/team/app/manifests/v1",
                        headers={"Authorization": f"Bearer {issued}",
                                 "Accept": "application/vnd.oci.image.manifest.v1+json"})
    expect_equal(answer.status, 200, "token issued before deletion still pulls")
    # A token is keyed by project name, and since 2.15 a recreated project does
    # not honour tokens issued before it existed.
    expect_equal(harbor.call("POST", "/projects", {"project_name": "phoenix"})[0], 201, "create")
    old_token = token(harbor, ["repository:phoenix/app:pull"]).json()["token"]
    issued_at = jwt_parts(old_token)[1]["iat"]
    expect_equal(harbor.call("DELETE", "/projects/phoenix")[0], 200, "delete")
    # Timestamps have one-second resolution: recreate in a later second.
    wait_for(lambda: int(time.time()) > issued_at, "the clock to pass the token's second",
             timeout=5)
    expect_equal(harbor.call("POST", "/projects", {"project_name": "phoenix"})[0], 201, "again")
    harbor.seed_image("phoenix/app:v1")
    answer = harbor.raw("GET", "/v2/phoenix/app/manifests/v1",
                        headers={"Authorization": f"Bearer {old_token}",
                                 "Accept": "application/vnd.oci.image.manifest.v1+json"})
    expect_equal(answer.status, 401, "token older than the project")


def repositories(harbor):
    status, _, body = harbor.call("DELETE", "/projects/team")
    expect_equal((status, body["errors"][0]),
                 (412, {"code": "PRECONDITION", "message": "precondition failed: the project "
                        "contains repositories, can not be deleted"}), "412 with repositories (§7.7)")
    status, _, project = harbor.call("GET", "/projects/team")
    expect_equal(project["repo_count"], 1, "repo_count counts pushed repositories")
    status, _, listed = harbor.call("GET", "/projects/team/repositories")
    expect_equal([r["name"] for r in listed], ["team/app"], "repositories listed")
    expect_equal(harbor.call("DELETE", "/projects/team/repositories/app")[0], 200, "delete repo")
    expect_equal(harbor.call("DELETE", "/projects/team")[0], 200, "then the project goes")


def main():
    harbor = Harbor(sys.argv[1])
    try:
        for project in ("team", "other-team"):
            expect_equal(harbor.call("POST", "/projects", {"project_name": project})[0], 201,
                         f"create {project}")
        digest = harbor.seed_image("team/app:v1", content="team app v1\n")
        expect_true(digest.startswith("sha256:"), f"seeded digest {digest}")
        puller_robot = create_robot(harbor, "puller")
        puller = (puller_robot["name"], puller_robot["secret"])
        pusher_robot = create_robot(harbor, "pusher", actions=("push",))
        pusher = (pusher_robot["name"], pusher_robot["secret"])
        token_service(harbor, puller, pusher)
        v2_guard(harbor, puller)
        skopeo_pulls(harbor, puller)
        # A push robot can seed images itself.
        harbor.seed_image("team/app:v2", user=pusher)
        repositories(harbor)
        _, log = harbor.admin("GET", "requests")
        text = json.dumps(log)
        for secret in (puller[1], pusher[1]):
            expect_true(secret not in text and secret not in harbor.log_text(),
                        "no secret in the request log or the simulator's output")
        print("registry_test: passed")
    finally:
        harbor.close()


if __name__ == "__main__":
    main()
