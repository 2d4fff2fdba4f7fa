#!/usr/bin/python3
"""The official Kubernetes Python client (Debian's python3-kubernetes) against
tug-apiserver, for e2e/19-python-client.bats: one step per run, named on the
command line (crud, selectors, patch, scale, watch, apply), in namespace NS. Reads
$KUBECONFIG as any user's program would; prints what it checked, and exits
non-zero with the reason when a check fails."""
import json
import sys
import threading

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException


def configmap(name, labels=None, data=None):
    return client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name=name, labels=labels or {}),
        data=data or {})


def expect(cond, what):
    if not cond:
        sys.exit("failed: " + what)
    print("ok:", what)


def crud(core, apps, ns):
    created = core.create_namespaced_config_map(ns, configmap("c1", data={"a": "1"}))
    expect(created.metadata.uid and created.metadata.resource_version, "create returns uid and resourceVersion")
    got = core.read_namespaced_config_map("c1", ns)
    expect(got.data == {"a": "1"}, "read returns the data")
    got.data["b"] = "2"
    replaced = core.replace_namespaced_config_map("c1", ns, got)
    expect(replaced.data == {"a": "1", "b": "2"}, "replace stores the whole object")
    stale = got
    stale.data["c"] = "3"
    try:
        core.replace_namespaced_config_map("c1", ns, stale)
        expect(False, "replace with a stale resourceVersion is refused")
    except ApiException as e:
        expect(e.status == 409, "replace with a stale resourceVersion is 409")
    core.delete_namespaced_config_map("c1", ns)
    try:
        core.read_namespaced_config_map("c1", ns)
        expect(False, "read after delete is 404")
    except ApiException as e:
        expect(e.status == 404, "read after delete is 404")


def selectors(core, apps, ns):
    for name, tier in (("s1", "front"), ("s2", "front"), ("s3", "back")):
        core.create_namespaced_config_map(ns, configmap(name, {"tier": tier, "app": "sel"}))
    names = lambda sel: sorted(i.metadata.name for i in core.list_namespaced_config_map(ns, label_selector=sel).items)
    expect(names("tier=front") == ["s1", "s2"], "equality selector")
    expect(names("tier!=front,app=sel") == ["s3"], "inequality selector")
    expect(names("tier in (front,back)") == ["s1", "s2", "s3"], "set selector")
    by_name = core.list_namespaced_config_map(ns, field_selector="metadata.name=s3").items
    expect([i.metadata.name for i in by_name] == ["s3"], "field selector")
    page = core.list_namespaced_config_map(ns, label_selector="app=sel", limit=2)
    rest = core.list_namespaced_config_map(ns, label_selector="app=sel", limit=2, _continue=page.metadata._continue)
    expect(len(page.items) == 2 and len(rest.items) == 1, "limit and continue")


def patch(core, apps, ns):
    core.create_namespaced_config_map(ns, configmap("p1", {"v": "1"}, {"a": "1"}))
    # A dict body is sent as a strategic merge patch.
    out = core.patch_namespaced_config_map("p1", ns, {"metadata": {"labels": {"v": "2"}}, "data": {"b": "2"}})
    expect(out.metadata.labels["v"] == "2" and out.data == {"a": "1", "b": "2"}, "strategic merge patch of a dict")
    out = core.patch_namespaced_config_map("p1", ns, {"data": {"a": None}})
    expect(out.data == {"b": "2"}, "null deletes a key")


def scale(core, apps, ns):
    labels = {"app": "scaled"}
    dep = client.V1Deployment(
        metadata=client.V1ObjectMeta(name="scaled"),
        spec=client.V1DeploymentSpec(
            replicas=1,
            selector=client.V1LabelSelector(match_labels=labels),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels=labels),
                spec=client.V1PodSpec(containers=[client.V1Container(name="main", image="busybox")]))))
    apps.create_namespaced_deployment(ns, dep)
    s = apps.read_namespaced_deployment_scale("scaled", ns)
    expect(s.spec.replicas == 1 and s.kind == "Scale", "read the scale subresource")
    apps.patch_namespaced_deployment_scale("scaled", ns, {"spec": {"replicas": 4}})
    expect(apps.read_namespaced_deployment("scaled", ns).spec.replicas == 4, "patch the scale subresource")
    s = apps.read_namespaced_deployment_scale("scaled", ns)
    s.spec.replicas = 2
    apps.replace_namespaced_deployment_scale("scaled", ns, s)
    expect(apps.read_namespaced_deployment("scaled", ns).spec.replicas == 2, "replace the scale subresource")


def watch_step(core, apps, ns):
    rv = core.list_namespaced_config_map(ns).metadata.resource_version
    def later():
        core.create_namespaced_config_map(ns, configmap("w1"))
        core.patch_namespaced_config_map("w1", ns, {"data": {"k": "v"}})
        core.delete_namespaced_config_map("w1", ns)
    threading.Timer(0.5, later).start()
    seen = []
    w = watch.Watch()
    for ev in w.stream(core.list_namespaced_config_map, ns, resource_version=rv, timeout_seconds=10):
        seen.append((ev["type"], ev["object"].metadata.name))
        if len(seen) == 3:
            w.stop()
    expect(seen == [("ADDED", "w1"), ("MODIFIED", "w1"), ("DELETED", "w1")], "watch sees ADDED, MODIFIED, DELETED: %s" % seen)


def apply_step(core, apps, ns):
    # The dynamic client is the official client's way to server-side apply.
    from kubernetes import dynamic
    dyn = dynamic.DynamicClient(client.ApiClient())
    cms = dyn.resources.get(api_version="v1", kind="ConfigMap")

    # Version 22's REST layer sends an apply body only as text (a dict is
    # refused before any request), so the configuration goes as JSON text,
    # with its name and namespace given beside it.
    def cm(a):
        return json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ssa"}, "data": {"a": a}})

    out = dyn.server_side_apply(cms, body=cm("1"), name="ssa", namespace=ns, field_manager="py-ssa")
    expect(out.data.a == "1", "server-side apply creates")
    managers = [(m.manager, m.operation) for m in out.metadata.managedFields]
    expect(managers == [("py-ssa", "Apply")], "the applier owns what it applied: %s" % managers)
    try:
        dyn.server_side_apply(cms, body=cm("2"), name="ssa", namespace=ns, field_manager="other")
        expect(False, "a conflicting apply fails")
    except ApiException as e:
        expect(e.status == 409 and 'conflict with \\"py-ssa\\"' in str(e.body, 'utf-8'), "a conflicting apply is 409 naming py-ssa")
    out = dyn.server_side_apply(cms, body=cm("2"), name="ssa", namespace=ns, field_manager="other",
                                force_conflicts=True)
    expect(out.data.a == "2", "force_conflicts takes the field")


STEPS = {"crud": crud, "selectors": selectors, "patch": patch, "scale": scale, "watch": watch_step,
         "apply": apply_step}

if __name__ == "__main__":
    config.load_kube_config()
    STEPS[sys.argv[1]](client.CoreV1Api(), client.AppsV1Api(), sys.argv[2])
