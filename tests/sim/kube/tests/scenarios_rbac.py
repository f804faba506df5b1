"""Part 2: RBAC enforcement, ServiceAccount tokens, TokenReview and the
access reviews, through kubectl and raw HTTPS."""
import json

from harness import expect_equal, expect_in, wait_until

ROBOT = "system:serviceaccount:x:robot"


def setup_robot(sim, verbs="get,list", resource="secrets"):
    sim.ok("create", "ns", "x")
    sim.ok("create", "sa", "robot", "-n", "x")
    sim.ok("create", "role", "reader", f"--verb={verbs}", f"--resource={resource}", "-n", "x")
    sim.ok("create", "rolebinding", "rb", "--role=reader", "--serviceaccount=x:robot", "-n", "x")
    return sim.ok("create", "token", "robot", "-n", "x", "--duration=10m").strip()


def role_permissions(sim):
    token = setup_robot(sim)
    sim.ok("create", "secret", "generic", "s", "--from-literal=a=b", "-n", "x")
    sim.ok("create", "secret", "generic", "s", "--from-literal=a=b", "-n", "default")
    expect_equal(sim.ok("--token", token, "get", "secrets", "-n", "x", "-o", "name"),
                 "secret/s\n", "list allowed by the Role")
    expect_equal(sim.ok("--token", token, "get", "secret", "s", "-n", "x", "-o", "name"),
                 "secret/s\n", "get allowed by the Role")
    expect_equal(sim.fails("--token", token, "get", "configmaps", "-n", "x"),
                 f'Error from server (Forbidden): configmaps is forbidden: User "{ROBOT}" cannot '
                 'list resource "configmaps" in API group "" in the namespace "x"\n',
                 "another resource")
    expect_equal(sim.fails("--token", token, "get", "secret", "s", "-n", "default"),
                 f'Error from server (Forbidden): secrets "s" is forbidden: User "{ROBOT}" cannot '
                 'get resource "secrets" in API group "" in the namespace "default"\n',
                 "another namespace")
    expect_equal(sim.fails("--token", token, "delete", "secret", "s", "-n", "x"),
                 f'Error from server (Forbidden): secrets "s" is forbidden: User "{ROBOT}" cannot '
                 'delete resource "secrets" in API group "" in the namespace "x"\n',
                 "another verb")
    expect_equal(sim.fails("--token", token, "get", "namespaces"),
                 f'Error from server (Forbidden): namespaces is forbidden: User "{ROBOT}" cannot '
                 'list resource "namespaces" in API group "" at the cluster scope\n',
                 "cluster scope")
    expect_equal(sim.ok("--token", token, "auth", "can-i", "list", "secrets", "-n", "x"), "yes\n",
                 "can-i yes")
    no = sim.kubectl("--token", token, "auth", "can-i", "create", "secrets", "-n", "x")
    expect_equal((no.returncode, no.stdout), (1, "no\n"), "can-i no")
    whoami = sim.ok("--token", token, "auth", "whoami", "-o", "json")
    expect_equal(json.loads(whoami)["status"]["userInfo"]["groups"],
                 ["system:serviceaccounts", "system:serviceaccounts:x", "system:authenticated"],
                 "whoami groups")
    # A Role with resourceNames grants only the named object.
    sim.ok("create", "role", "one", "--verb=get", "--resource=configmaps",
           "--resource-name=kube-root-ca.crt", "-n", "x")
    sim.ok("create", "rolebinding", "one", "--role=one", "--serviceaccount=x:robot", "-n", "x")
    expect_equal(sim.ok("--token", token, "get", "cm", "kube-root-ca.crt", "-n", "x", "-o", "name"),
                 "configmap/kube-root-ca.crt\n", "named object allowed")
    expect_in("cannot list resource", sim.fails("--token", token, "get", "cm", "-n", "x"),
              "resourceNames do not grant list")
    # ...except a list or watch that selects that name: apiserver
    # pkg/endpoints/request/requestinfo.go takes the name from a fieldSelector
    # metadata.name=X, and RBAC's resourceNames match it; a label selector never
    # narrows.
    sim.ok("create", "role", "one-list", "--verb=list,watch", "--resource=configmaps",
           "--resource-name=kube-root-ca.crt", "-n", "x")
    sim.ok("create", "rolebinding", "one-list", "--role=one-list", "--serviceaccount=x:robot",
           "-n", "x")
    expect_equal(sim.ok("--token", token, "get", "cm", "-n", "x", "-o", "name",
                        "--field-selector", "metadata.name=kube-root-ca.crt"),
                 "configmap/kube-root-ca.crt\n", "a list of the named object allowed")
    expect_in('configmaps "other" is forbidden',
              sim.fails("--token", token, "get", "cm", "-n", "x", "--field-selector",
                        "metadata.name=other"), "a list of another name refused")
    expect_in("cannot list resource",
              sim.fails("--token", token, "get", "cm", "-n", "x", "-l", "a=b"),
              "a label selector does not narrow")


def escalation(sim):
    token = setup_robot(sim, verbs="get,create", resource="secrets,roles,rolebindings")
    refused = sim.fails("--token", token, "create", "role", "wider", "--verb=get",
                        "--resource=configmaps", "-n", "x")
    expect_in('roles.rbac.authorization.k8s.io "wider" is forbidden: user "' + ROBOT +
              '" (groups=["system:serviceaccounts" "system:serviceaccounts:x" '
              '"system:authenticated"]) is attempting to grant RBAC permissions not currently '
              'held:\n{APIGroups:[""], Resources:["configmaps"], Verbs:["get"]}', refused,
              "escalating Role refused")
    expect_equal(sim.ok("--token", token, "create", "role", "narrow", "--verb=get",
                        "--resource=secrets", "-n", "x"),
                 "role.rbac.authorization.k8s.io/narrow created\n", "a Role within its rights")
    bind = sim.fails("--token", token, "create", "rolebinding", "to-admin", "--clusterrole=admin",
                     "--serviceaccount=x:robot", "-n", "x")
    expect_in("is attempting to grant RBAC permissions not currently held", bind,
              "binding a wider role refused")
    expect_in('not found', sim.fails("get", "rolebinding", "to-admin", "-n", "x"),
              "nothing was created")


def token_review(sim):
    token = setup_robot(sim)
    review = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview",
              "spec": {"token": token}}
    path = "/apis/authentication.k8s.io/v1/tokenreviews"
    status, body = sim.raw("POST", path, json.dumps(review))
    expect_equal((status, body["status"]["authenticated"], body["status"]["user"]["username"]),
                 (201, True, ROBOT), "a fresh token")
    review["spec"]["audiences"] = ["harbor"]
    status, body = sim.raw("POST", path, json.dumps(review))
    expect_equal((status, body["status"]["authenticated"]), (201, False), "wrong audience")
    expect_in("is invalid for the target audiences", body["status"]["error"], "audience error")

    request = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
               "spec": {"audiences": ["harbor"], "expirationSeconds": 2}}
    status, body = sim.raw("POST", "/api/v1/namespaces/x/serviceaccounts/robot/token",
                           json.dumps(request))
    expect_equal(status, 201, "short-lived token for the test clock")
    short = body["status"]["token"]
    review["spec"]["token"] = short
    expect_equal(sim.raw("POST", path, json.dumps(review))[1]["status"]["authenticated"], True,
                 "short token before expiry")
    wait_until(lambda: not sim.raw("POST", path, json.dumps(review))[1]["status"]["authenticated"],
               10, "the token to expire")
    expect_in("token has expired", sim.raw("POST", path, json.dumps(review))[1]["status"]["error"],
              "expired token")

    sim.ok("delete", "sa", "robot", "-n", "x")
    review["spec"] = {"token": token}
    status, body = sim.raw("POST", path, json.dumps(review))
    expect_equal(body["status"]["authenticated"], False, "token of a deleted ServiceAccount")
    expect_in("has been deleted", body["status"]["error"], "deleted ServiceAccount error")
    expect_equal(sim.fails("--token", token, "get", "secrets", "-n", "x").strip(),
                 "error: You must be logged in to the server (Unauthorized)",
                 "a dead token cannot authenticate")
    status, body = sim.raw("POST", "/api/v1/namespaces/x/serviceaccounts/default/token",
                           json.dumps({"kind": "TokenRequest", "spec": {"expirationSeconds": 0}}))
    expect_equal(status, 422, "expirationSeconds below the minimum")


SCENARIOS = {"rbac_role_permissions": role_permissions, "rbac_escalation": escalation,
             "token_review": token_review}
SIMULATOR_ARGS = {"token_review": ["--min-token-seconds", "1"]}
