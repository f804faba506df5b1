#!/usr/bin/python3
"""Debian's python3-kubernetes client against the simulator: list, watch,
patch and custom resources. Run with /usr/bin/python3, where that package
lives. usage: python_client_test.py <kube-sim>"""
import os
import sys
import threading

from kubernetes import client, config, watch

from harness import CRD_MANIFEST, Simulator, expect_equal

GROUP = "harbor-robot-gen.alaudadevops.alauda.io"


def main():
    sim = Simulator(sys.argv[1])
    try:
        config.load_kube_config(config_file=os.path.join(sim.state, "kubeconfig"))
        core = client.CoreV1Api()
        names = [item.metadata.name for item in core.list_namespace().items]
        expect_equal("default" in names and "kube-system" in names, True, "list namespaces")

        core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name="py")))
        listed = core.list_namespaced_config_map("py")
        events = []

        def write_later():
            core.create_namespaced_config_map("py", client.V1ConfigMap(
                metadata=client.V1ObjectMeta(name="made", labels={"app": "x"}), data={"a": "b"}))
            core.patch_namespaced_config_map("made", "py", {"data": {"a": "c"}})
            core.delete_namespaced_config_map("made", "py")

        stream = watch.Watch()
        writer = threading.Thread(target=write_later)
        writer.start()
        for event in stream.stream(core.list_namespaced_config_map, "py",
                                   resource_version=listed.metadata.resource_version,
                                   timeout_seconds=20):
            if event["object"].metadata.name == "made":
                events.append((event["type"], (event["object"].data or {}).get("a")))
            if len(events) == 3:
                stream.stop()
        writer.join()
        expect_equal(events, [("ADDED", "b"), ("MODIFIED", "c"), ("DELETED", "c")], "watch")

        patched = core.patch_namespaced_service_account(
            "default", "py", {"imagePullSecrets": [{"name": "pull"}]})
        expect_equal([ref.name for ref in patched.image_pull_secrets], ["pull"], "patch SA")

        sim.ok("apply", "-f", CRD_MANIFEST)
        sim.ok("wait", "--for=condition=Established",
               f"crd/harborrobotbindings.{GROUP}", "--timeout=20s")
        custom = client.CustomObjectsApi()
        body = {"apiVersion": f"{GROUP}/v1alpha1", "kind": "HarborRobotBinding",
                "metadata": {"name": "py-binding"},
                "spec": {"generatedSecret": {"name": "s.robot"},
                         "harbor": {"project": "team", "secret": {"name": "h", "namespace": "n"}}}}
        custom.create_cluster_custom_object(GROUP, "v1alpha1", "harborrobotbindings", body)
        custom.patch_cluster_custom_object_status(
            GROUP, "v1alpha1", "harborrobotbindings", "py-binding",
            {"status": {"conditions": [{"type": "Ready", "status": "True"}]}})
        got = custom.get_cluster_custom_object(GROUP, "v1alpha1", "harborrobotbindings",
                                               "py-binding")
        expect_equal(got["status"]["conditions"][0]["status"], "True", "custom status")
        items = custom.list_cluster_custom_object(GROUP, "v1alpha1", "harborrobotbindings")["items"]
        expect_equal([item["metadata"]["name"] for item in items], ["py-binding"], "custom list")
        print("python_client_test: passed")
    finally:
        sim.stop()


if __name__ == "__main__":
    main()
