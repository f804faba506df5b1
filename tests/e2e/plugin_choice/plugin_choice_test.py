#!/usr/bin/env python3
"""Plugins chosen by configuration, on the sandbox: a test plugin of each kind
(tests/e2e/plugin_choice/plugins) reaches the hub and its agents the way a user
adds a plugin, in an image of their own: the product image plus one layer
holding the .so files in the image's plugin directory
(/usr/local/lib/harborrobot/plugins, the agent's default ../lib/harborrobot/plugins),
pushed with `kubectl harborrobot image push --archive` and installed with
`kubectl harborrobot install --image` (the hub starts its agents from its own
image, so they get the plugins too). No plugin flag or volume is involved.

One connection Secret chooses them: harborrobot.io/provider: harbor-audited (the
Harbor provider's code over an HTTP client that marks each request with
X-Harborrobot-Test-Provider), harborrobot.io/project-resolver: label (the
projectFieldsPath is a label key, not a JSONPath template) and
url.alias.policy: TestAlways (the alias Secret exists without asking DNS).
Proves: the namespace's project is created from its label by the label
resolver; every Harbor API call the hub made with the connection's user carries
the test provider's mark (project and robot creation among them); the
generated Secret works for a Pod's pull; the alias Secret for harbor-2 exists
although IfIPEqual (the default) would remove it, the agent logs TestAlways's
reason, and switching the Secret to IfIPEqual removes it. A connection naming
a plugin no one loaded gets InvalidConnection (event and binding status) whose
message lists the loaded plugins, test plugins included; the label resolver
refuses a JSONPath template.
usage: plugin_choice_test.py <build dir> <test plugin dir>   (needs root; exits 77 otherwise)"""
import glob
import json
import os
import sys
import tarfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from world import (HUB_NS, connection_secret, expect_equal, expect_true,  # noqa: E402
                   sandboxed, wait_for)
from world import binding as world_binding  # noqa: E402
import oci_image  # noqa: E402  (krew/oci_image.py, on the path world sets)

NAMESPACE = "choice-a"
PROJECT = "choiceteam"
LABEL = "plugin-choice.example/team"
BINDING = "choice"
SECRET = "choice-pull"
ALIAS = "https://harbor-2.example.com"
MARK = "x-harborrobot-test-provider"  # the simulator logs header names in lower case
IMAGE = "harbor-1.example.com/library/harborrobot-agent-plugin-choice:{version}"
TEST_PLUGINS = ("provider-harbor-audited.so", "alias-policy-test-always.so",
                "project-resolver-label.so")


def with_plugins(base_archive, plugin_dir, out, tag):
    """The image a user's `FROM <product image>` + `COPY *.so
    /usr/local/lib/harborrobot/plugins/` gives: the product image's layers
    untouched and one more holding the plugins, written with krew/oci_image.py's
    own reproducible layer writer (no container builder or daemon needed)."""
    with tarfile.open(base_archive) as tar:
        blobs = {member.name.rsplit("/", 1)[1]: tar.extractfile(member).read()
                 for member in tar.getmembers() if member.name.startswith("blobs/sha256/")}
        index = json.load(tar.extractfile("index.json"))
    def blob(descriptor):
        return blobs[descriptor["digest"].split(":", 1)[1]]
    manifest = json.loads(blob(index["manifests"][0]))
    config = json.loads(blob(manifest["config"]))
    tree = oci_image.Tree()
    for name in TEST_PLUGINS:
        tree.file(f"{oci_image.PREFIX}/lib/harborrobot/plugins/{name}",
                  oci_image.stripped(os.path.join(plugin_dir, name)))
    epoch = oci_image.source_date_epoch()
    raw, gz = oci_image.layer_tar(tree, epoch)
    config["rootfs"]["diff_ids"].append(oci_image.digest(raw))
    config["history"].append({"created": oci_image.rfc3339(epoch),
                              "created_by": "e2e.plugin_choice: the test plugins"})
    config_bytes = oci_image.canonical(config)
    manifest["layers"].append({"mediaType": oci_image.MEDIA_LAYER, "digest": oci_image.digest(gz),
                               "size": len(gz)})
    manifest["config"] = {"mediaType": oci_image.MEDIA_CONFIG,
                          "digest": oci_image.digest(config_bytes), "size": len(config_bytes)}
    manifest_bytes = oci_image.canonical(manifest)
    index_bytes = oci_image.canonical({"schemaVersion": 2, "mediaType": oci_image.MEDIA_INDEX,
                                       "manifests": [{
                                           "mediaType": oci_image.MEDIA_MANIFEST,
                                           "digest": oci_image.digest(manifest_bytes),
                                           "size": len(manifest_bytes),
                                           "annotations": {
                                               "org.opencontainers.image.ref.name": tag}}]})
    for data in (gz, config_bytes, manifest_bytes):
        blobs[oci_image.digest(data).split(":", 1)[1]] = data
    layout = oci_image.Tree()
    layout.file("oci-layout", oci_image.canonical({"imageLayoutVersion": "1.0.0"}))
    layout.file("index.json", index_bytes)
    for name, data in blobs.items():
        layout.file(f"blobs/sha256/{name}", data)
    archive, _ = oci_image.layer_tar(layout, epoch)
    with open(out, "wb") as f:
        f.write(archive)
    return out


def connection(name, annotations=None, **data):
    return connection_secret(name, annotations or {}, **data)


def binding(name, connection_name, secret_name, project=PROJECT):
    return world_binding(name, namespaces=[NAMESPACE], secret=secret_name, project=project,
                         connection=connection_name)


def main():
    plugin_dir = os.path.abspath(sys.argv[2])
    started = time.monotonic()
    with sandboxed(sys.argv[1]) as world:
        kubectl = world.kubectl
        build = world.build
        harbor_ca = world.harbor_ca()

        # The user's image: the product image (the one `sandbox up` pushed) plus the plugins.
        version = oci_image.version_of(build)
        base = os.environ.get("HARBORROBOT_SANDBOX_IMAGE") or os.path.join(
            build, "dist", f"{oci_image.image_name(version)}.oci.tar")
        archive = with_plugins(base, plugin_dir,
                               os.path.join(world.state, "with-plugins.oci.tar"), version)
        image = IMAGE.format(version=version)
        pushed = world.run_plugin("image", "push", "--archive", archive, "--username", "admin",
                                  "--password-stdin", "--ca-file", harbor_ca, image,
                                  stdin="Harbor12345\n", in_sandbox_dns=True)
        print(f"plugin_choice_test: pushed {image}: {pushed.stdout.strip()}")
        installed = world.plugin("install", "--image", image, "--replicas", "1", "--wait",
                                 "--timeout", "180s")
        expect_true("hub ready" in installed, installed)
        hub = world.hub_deployment()
        expect_equal(hub["spec"]["template"]["spec"]["containers"][0]["image"], image,
                     "the hub runs the image with the test plugins")

        kubectl("create", "namespace", NAMESPACE)
        kubectl("label", "namespace", NAMESPACE, f"{LABEL}={PROJECT}")
        world.apply(connection(
            "audited", {"harborrobot.io/provider": "harbor-audited",
                        "harborrobot.io/project-resolver": "label",
                        "harbor-robot-gen/projectFieldsPath": LABEL},
            **{"url.alias": ALIAS, "url.alias.policy": "TestAlways",
               "url.alias.check.interval": "2s"}))
        world.apply(binding(BINDING, "audited", SECRET))

        # The project, from the namespace's label through the label resolver: as a
        # JSONPath template the same text is literal and names no valid project.
        wait_for(lambda: world.harbor("GET", f"/projects/{PROJECT}")[0] == 200,
                 f"project {PROJECT} from the namespace's {LABEL} label", timeout=60)
        # (A Namespace is cluster-scoped: its events are looked for in every namespace.)
        wait_for(lambda: any(e["reason"] == "ProjectCreated" and PROJECT in e["message"]
                             for e in json.loads(kubectl(
                                 "get", "events", "-A", "--field-selector",
                                 f"involvedObject.kind=Namespace,involvedObject.name={NAMESPACE}",
                                 "-o", "json"))["items"]),
                 f"a ProjectCreated event on namespace {NAMESPACE}", timeout=30)

        # The agent pulls its image first.
        wait_for(lambda: world.ready_condition(BINDING).get("status") == "True",
                 "the binding to be Ready", timeout=180)
        agent = world.get("deployment", "-n", NAMESPACE, "harborrobot-agent")
        expect_equal(agent["spec"]["template"]["spec"]["containers"][0]["image"], image,
                     "the hub starts its agent from its own image, test plugins included")
        credential = world.pull_credential(NAMESPACE, SECRET)
        expect_true(credential is not None and
                    credential[0].startswith(f"robot${PROJECT}+{BINDING}-{NAMESPACE}-"),
                    f"a robot of {PROJECT} in the generated Secret: {credential}")

        # The test provider made every Harbor API call of the connection's user.
        listed = world.harbor_sim("GET", "/requests")
        hub_calls = [r for r in listed["items"] if r.get("caller") == "api-user"]
        unmarked = [f"{r['method']} {r['path']}" for r in hub_calls
                    if r.get("headers", {}).get(MARK) != "harbor-audited"]
        expect_equal(unmarked, [], "every call of the connection's user went through "
                     "harbor-audited")
        made = {(r["method"], r["path"]) for r in hub_calls}
        expect_true(("POST", "/api/v2.0/projects") in made and
                    ("POST", "/api/v2.0/robots") in made,
                    f"project and robot created through harbor-audited: {sorted(made)}")
        print(f"plugin_choice_test: {len(hub_calls)} Harbor API calls of api-user, all marked by "
              "harbor-audited")

        # The generated Secret pulls.
        world.push_image(f"{PROJECT}/app:v1")
        kubectl("run", "pull-test", "-n", NAMESPACE, f"--image=harbor.example.com/{PROJECT}/app:v1")
        wait_for(lambda: json.loads(kubectl("get", "pod", "pull-test", "-n", NAMESPACE, "-o",
                                            "json")).get("status", {}).get("phase") == "Running",
                 f"a Pod pulling from {PROJECT} with the generated Secret to run", timeout=90)

        # The alias policy: harbor-2 resolves elsewhere than harbor.example.com, so
        # IfIPEqual would remove the alias Secret; TestAlways makes it.
        wait_for(lambda: world.pull_credential(NAMESPACE, f"{SECRET}.alias", ALIAS),
                 f"the alias Secret for {ALIAS}", timeout=90)
        logs = glob.glob(os.path.join(world.state, "kubelet", "pods", f"{NAMESPACE}_*", "*.log"))
        def decided_by_test_always():
            for path in logs:
                with open(path, errors="replace") as f:
                    if "policy TestAlways (a test plugin)" in f.read():
                        return True
            return False
        expect_true(logs and decided_by_test_always(),
                    f"the agent logs TestAlways's reason: {logs}")
        print(f"plugin_choice_test: the alias Secret for {ALIAS} made under TestAlways")
        kubectl("patch", "secret", "-n", HUB_NS, "audited", "--type", "merge", "-p",
                json.dumps({"stringData": {"url.alias.policy": "IfIPEqual"}}))
        wait_for(lambda: world.pull_credential(NAMESPACE, f"{SECRET}.alias", ALIAS) is None,
                 "IfIPEqual to remove the alias Secret", timeout=90)

        # Names no one loaded, and an expression the label resolver refuses: the
        # message lists what the hub loaded, the test plugins among them.
        cases = {
            "unknown-provider": (
                connection("unknown-provider", {"harborrobot.io/provider": "quay"}),
                'metadata.annotations[harborrobot.io/provider]: "quay" names no loaded provider '
                'plugin (expected one of: harbor, harbor-audited)'),
            "unknown-policy": (
                connection("unknown-policy", **{"url.alias": ALIAS,
                                                "url.alias.policy": "Sometimes"}),
                'url.alias.policy: "Sometimes" names no loaded alias-policy plugin '
                '(expected one of: Always, IfIPEqual, TestAlways)'),
            "unknown-resolver": (
                connection("unknown-resolver", {"harborrobot.io/project-resolver": "cel",
                                                "harbor-robot-gen/projectFieldsPath":
                                                    "{.metadata.name}"}),
                'metadata.annotations[harborrobot.io/project-resolver]: "cel" names no loaded '
                'project-resolver plugin (expected one of: jsonpath, label)'),
            "label-jsonpath": (
                connection("label-jsonpath", {"harborrobot.io/project-resolver": "label",
                                              "harbor-robot-gen/projectFieldsPath":
                                                  "{.metadata.labels.team}"}),
                'metadata.annotations[harbor-robot-gen/projectFieldsPath]: project resolver '
                '"label": expression: "{.metadata.labels.team}" is not a valid label key'),
        }
        for secret, _ in cases.values():
            world.apply(secret)
        world.apply(binding("choice-unknown", "unknown-provider", "unknown-pull"))

        def event_message(name):
            found = json.loads(kubectl("get", "events", "-n", HUB_NS, "--field-selector",
                                       f"involvedObject.name={name}", "-o", "json"))["items"]
            messages = [e["message"] for e in found if e["reason"] == "InvalidConnection"]
            return messages[-1] if messages else None
        for name, (_, message) in cases.items():
            got = wait_for(lambda: event_message(name), f"an InvalidConnection event on {name}",
                           timeout=60)
            expect_true(got.startswith(message), f"{name}: {got!r} starts with {message!r}")
            print(f"plugin_choice_test: {name}: {got}")

        def unknown_ready():
            found = world.ready_condition("choice-unknown")
            return found if found.get("reason") == "InvalidConnection" else None
        condition = wait_for(unknown_ready, "choice-unknown's Ready condition: InvalidConnection",
                             timeout=60)
        expect_true(cases["unknown-provider"][1] in condition["message"],
                    f"the binding's status names the loaded providers: {condition['message']}")
    print(f"plugin_choice_test: passed in {time.monotonic() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
