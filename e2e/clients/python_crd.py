#!/usr/bin/python3
"""The official Kubernetes Python client's CustomObjectsApi (Debian's
python3-kubernetes) on a custom resource served by tug-apiserver, for
e2e/18-apiserver-crd.bats: create, get, list with a label selector, merge
patch, the status and scale subresources, a refused invalid object, delete.
The CRD (widgets.example.com, namespaced, v1) is created by the suite; this
works in namespace NS. Prints what it checked; exits non-zero with the reason
when a check fails."""
import sys

from kubernetes import client, config
from kubernetes.client.rest import ApiException

G, V, P = "example.com", "v1", "widgets"


def expect(cond, what):
    if not cond:
        sys.exit("failed: " + what)
    print("ok:", what)


def widget(name, size, labels=None):
    return {"apiVersion": "example.com/v1", "kind": "Widget",
            "metadata": {"name": name, "labels": labels or {}},
            "spec": {"size": size}}


def main(ns):
    config.load_kube_config()
    api = client.CustomObjectsApi()
    made = api.create_namespaced_custom_object(G, V, ns, P, widget("py1", "small", {"tier": "front"}))
    expect(made["metadata"]["uid"] and made["spec"]["replicas"] == 1,
           "create returns the object with its uid and the schema's default")
    api.create_namespaced_custom_object(G, V, ns, P, widget("py2", "large", {"tier": "back"}))
    got = api.get_namespaced_custom_object(G, V, ns, P, "py1")
    expect(got["spec"]["size"] == "small", "get returns the object")
    listed = api.list_namespaced_custom_object(G, V, ns, P, label_selector="tier=front")
    expect([i["metadata"]["name"] for i in listed["items"]] == ["py1"], "list with a label selector")
    patched = api.patch_namespaced_custom_object(G, V, ns, P, "py1", {"spec": {"color": "blue"}})
    expect(patched["spec"]["color"] == "blue" and patched["metadata"]["generation"] == 2,
           "merge patch changes spec and bumps the generation")
    st = api.patch_namespaced_custom_object_status(G, V, ns, P, "py1", {"status": {"replicas": 2}})
    expect(st["status"]["replicas"] == 2 and st["metadata"]["generation"] == 2,
           "status patch writes status and leaves the generation")
    api.patch_namespaced_custom_object_scale(G, V, ns, P, "py1", {"spec": {"replicas": 4}})
    scale = api.get_namespaced_custom_object_scale(G, V, ns, P, "py1")
    expect(scale["spec"]["replicas"] == 4 and scale["status"]["replicas"] == 2,
           "scale reads and writes spec.replicas and shows status.replicas")
    try:
        api.create_namespaced_custom_object(G, V, ns, P, widget("py3", "huge"))
        expect(False, "an invalid object is refused")
    except ApiException as e:
        expect(e.status == 422 and "spec.size" in e.body, "an invalid object is refused with 422 naming spec.size")
    api.delete_namespaced_custom_object(G, V, ns, P, "py1")
    try:
        api.get_namespaced_custom_object(G, V, ns, P, "py1")
        expect(False, "get after delete is 404")
    except ApiException as e:
        expect(e.status == 404, "get after delete is 404")


if __name__ == "__main__":
    main(sys.argv[1])
