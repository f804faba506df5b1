#!/usr/bin/python3
"""Debian's python3-kubernetes EventsV1Api against the simulator's
events.k8s.io/v1 view of core/v1 Events: the real client's models accept the
shape the view answers. Run with /usr/bin/python3, where that package lives.
usage: python_events_client_test.py <kube-sim>"""
import datetime
import os
import sys

from kubernetes import client, config

from harness import Simulator, expect_equal

WHEN = datetime.datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=datetime.timezone.utc)


def main():
    sim = Simulator(sys.argv[1])
    try:
        config.load_kube_config(config_file=os.path.join(sim.state, "kubeconfig"))
        core = client.CoreV1Api()
        events = client.EventsV1Api()
        core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name="pyev")))

        created = events.create_namespaced_event("pyev", client.EventsV1Event(
            metadata=client.V1ObjectMeta(name="through-events"), event_time=WHEN,
            reporting_controller="example.com/ctl", reporting_instance="ctl-1",
            action="Reconcile", reason="Synced", type="Normal", note="synced",
            regarding=client.V1ObjectReference(kind="ConfigMap", name="c", namespace="pyev")))
        expect_equal((created.note, created.regarding.name, created.event_time),
                     ("synced", "c", WHEN), "EventsV1Api create")
        stored = core.read_namespaced_event("through-events", "pyev")
        expect_equal((stored.message, stored.involved_object.name, stored.reporting_component),
                     ("synced", "c", "example.com/ctl"), "CoreV1Api reads it converted")

        core.create_namespaced_event("pyev", client.CoreV1Event(
            metadata=client.V1ObjectMeta(name="through-core"), event_time=WHEN,
            involved_object=client.V1ObjectReference(kind="Pod", name="p", namespace="pyev"),
            reason="Pulled", message="pulled", type="Normal", action="Pull",
            reporting_component="kubelet", reporting_instance="node-1"))
        read = events.read_namespaced_event("through-core", "pyev")
        expect_equal((read.note, read.regarding.kind, read.reporting_controller, read.action),
                     ("pulled", "Pod", "kubelet", "Pull"), "EventsV1Api reads a core Event")

        listed = events.list_namespaced_event("pyev")
        expect_equal(sorted((item.metadata.name, item.note) for item in listed.items),
                     [("through-core", "pulled"), ("through-events", "synced")],
                     "EventsV1Api list")
        selected = events.list_event_for_all_namespaces(field_selector="regarding.name=p")
        expect_equal([item.metadata.name for item in selected.items], ["through-core"],
                     "EventsV1Api list with a regarding.name field selector")
        events.delete_namespaced_event("through-events", "pyev")
        expect_equal([item.metadata.name for item in core.list_namespaced_event("pyev").items],
                     ["through-core"], "deleted through EventsV1Api")
    finally:
        sim.stop()
    print("python_events_client: passed")


if __name__ == "__main__":
    main()
