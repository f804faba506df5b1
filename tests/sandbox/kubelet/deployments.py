"""The Deployment controller, folded into one step: Pods are owned by their
Deployment directly (no ReplicaSet objects in the sandbox), named
`<deployment>-<template hash>-<suffix>` and labelled `pod-template-hash`. A
template change surges new Pods first and removes the old ones once the new
ones are ready, so a rollout never leaves zero ready replicas."""
import hashlib
import json
import secrets

from api import ApiError
from events import now_rfc3339

SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def template_hash(template):
    digest = hashlib.sha256(json.dumps(template, sort_keys=True).encode()).hexdigest()
    return "".join(SUFFIX_ALPHABET[int(digest[i:i + 2], 16) % len(SUFFIX_ALPHABET)]
                   for i in range(0, 20, 2))


def owned_by(pod, uid):
    return any(ref.get("uid") == uid and ref.get("controller")
               for ref in pod["metadata"].get("ownerReferences", []))


def pod_ready(pod):
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in pod.get("status", {}).get("conditions", []))


class DeploymentController:
    def __init__(self, api, events, log):
        self.api = api
        self.events = events
        self.log = log
        self.published = {}  # uid -> status last written

    def sync(self, deployments, pods):
        for deployment in deployments.values():
            if deployment["metadata"].get("deletionTimestamp"):
                continue
            try:
                self._sync_one(deployment, pods)
            except ApiError as error:
                self.log(f"deployment {deployment['metadata']['name']}: {error}")

    def _sync_one(self, deployment, pods):
        meta, spec = deployment["metadata"], deployment["spec"]
        ns, name, uid = meta["namespace"], meta["name"], meta["uid"]
        wanted = spec.get("replicas", 1)
        current_hash = template_hash(spec["template"])
        mine = [p for p in pods.values() if p["metadata"]["namespace"] == ns and
                owned_by(p, uid) and not p["metadata"].get("deletionTimestamp")]
        new = [p for p in mine
               if p["metadata"].get("labels", {}).get("pod-template-hash") == current_hash]
        old = [p for p in mine if p not in new]
        new_ready = sum(pod_ready(p) for p in new)

        for _ in range(wanted - len(new)):
            self._create_pod(deployment, current_hash)
        surplus = new[wanted:] if len(new) > wanted else []
        if new_ready >= wanted or wanted == 0:
            surplus += old
        for pod in surplus:
            self.api.delete(f"/api/v1/namespaces/{ns}/pods/{pod['metadata']['name']}")

        ready = sum(pod_ready(p) for p in mine)
        status = {
            "observedGeneration": meta.get("generation", 1),
            "replicas": len(mine), "updatedReplicas": len(new), "readyReplicas": ready,
            "availableReplicas": ready, "unavailableReplicas": max(0, wanted - ready),
        }
        available = ready >= wanted or ready >= 1
        rs_name = f"{name}-{current_hash}"
        progressed = new_ready >= wanted and not old
        status["conditions"] = [
            {"type": "Available", "status": "True" if available else "False",
             "reason": "MinimumReplicasAvailable" if available else "MinimumReplicasUnavailable",
             "message": "Deployment has minimum availability." if available
             else "Deployment does not have minimum availability."},
            {"type": "Progressing", "status": "True",
             "reason": "NewReplicaSetAvailable" if progressed else "ReplicaSetUpdated",
             "message": f'ReplicaSet "{rs_name}" has successfully progressed.' if progressed
             else f'ReplicaSet "{rs_name}" is progressing.'}]
        if not status["unavailableReplicas"]:
            del status["unavailableReplicas"]
        if self.published.get(uid, {}).get("body") == status:
            return
        stamp = now_rfc3339()
        previous = {c["type"]: c for c in deployment.get("status", {}).get("conditions", [])}
        written = json.loads(json.dumps(status))
        for condition in written["conditions"]:
            before = previous.get(condition["type"], {})
            same = before.get("status") == condition["status"]
            condition["lastTransitionTime"] = before.get("lastTransitionTime", stamp) \
                if same else stamp
            condition["lastUpdateTime"] = stamp
        try:
            self.api.merge_patch(f"/apis/apps/v1/namespaces/{ns}/deployments/{name}/status",
                                 {"status": written})
            self.published[uid] = {"body": status}
        except ApiError as error:
            if error.status != 404:
                raise

    def _create_pod(self, deployment, current_hash):
        meta, template = deployment["metadata"], deployment["spec"]["template"]
        ns = meta["namespace"]
        pod_name = f"{meta['name']}-{current_hash}-" + "".join(
            secrets.choice(SUFFIX_ALPHABET) for _ in range(5))
        labels = dict(template.get("metadata", {}).get("labels", {}))
        labels["pod-template-hash"] = current_hash
        pod = {"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": pod_name, "namespace": ns, "labels": labels,
                            "annotations": template.get("metadata", {}).get("annotations", {}),
                            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment",
                                                 "name": meta["name"], "uid": meta["uid"],
                                                 "controller": True,
                                                 "blockOwnerDeletion": True}]},
               "spec": template["spec"]}
        try:
            self.api.create(f"/api/v1/namespaces/{ns}/pods", pod)
        except ApiError as error:
            self.events.record(deployment, "Deployment", "FailedCreate",
                               f"Error creating: {error}", "Warning")
            raise
        self.events.record(deployment, "Deployment", "ScalingReplicaSet",
                           f"Scaled up replica set {meta['name']}-{current_hash} to "
                           f"{deployment['spec'].get('replicas', 1)}")
