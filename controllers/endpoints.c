/*
 * endpoints.c — for each Service with a selector, an Endpoints object of the
 * same name listing the selected pods' IPs and the ports they serve.
 *
 * Ready pods go in addresses, the others in notReadyAddresses; pods being
 * deleted and finished pods are left out. A named targetPort is looked up in
 * each pod's containers, so pods that name different numbers land in
 * different subsets. A pod without status.podIP cannot be reached and is
 * left out (the agent does not give pods addresses on this branch yet).
 * Services without a selector keep whatever Endpoints their users write.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "ctl.h"
#include "hashmap.h"
#include "object.h"
#include "pod-rules.h"
#include "kinds.h"

/* Marks the Endpoints this controller writes: only those are deleted with their Service. */
#define MANAGED_ANNOTATION "endpoints.tug.io/managed-by"
#define MANAGER "tug-controllers"

static void pod_changed(tug_controller *c, const json_t *old, const json_t *pod, bool deleted,
                        void *arg) {
  (void)deleted;
  ctl_enqueue_selecting(c, arg, CTL_SERVICES, old, pod);
}

/* The container port a Service port's targetPort names in pod; -1 when none. */
static int64_t target_port(const json_t *svc_port, const json_t *pod) {
  json_t *t = json_object_get(svc_port, "targetPort");
  if (t == NULL)
    t = json_object_get(svc_port, "port");
  if (json_is_integer(t))
    return json_integer_value(t);
  const char *name = json_string_value(t);
  size_t i, j;
  json_t *ctr, *p;
  json_array_foreach(tug_obj_get(pod, "spec.containers"), i, ctr) {
    json_array_foreach(json_object_get(ctr, "ports"), j, p) {
      const char *pn = json_string_value(json_object_get(p, "name"));
      if (name && pn && strcmp(pn, name) == 0)
        return json_integer_value(json_object_get(p, "containerPort"));
    }
  }
  return -1;
}

/* The subset's ports for pod, or NULL when a port cannot be resolved. */
static json_t *pod_ports(const json_t *svc, const json_t *pod) {
  json_t *ports = json_array();
  size_t i;
  json_t *sp;
  json_array_foreach(tug_obj_get(svc, "spec.ports"), i, sp) {
    int64_t port = target_port(sp, pod);
    if (port <= 0) {
      json_decref(ports);
      return NULL;
    }
    const char *proto = json_string_value(json_object_get(sp, "protocol"));
    json_t *e =
        json_pack("{s:I, s:s}", "port", (json_int_t)port, "protocol", proto ? proto : "TCP");
    const char *name = json_string_value(json_object_get(sp, "name"));
    if (name)
      json_object_set_new(e, "name", json_string(name));
    json_array_append_new(ports, e);
  }
  return ports;
}

/* A pod whose hostname and subdomain name this Service (a StatefulSet's
 * pods and their headless Service) gets its hostname in its address, for
 * the DNS name <hostname>.<service>.<namespace>.svc. */
static json_t *address(const json_t *svc, const json_t *pod) {
  json_t *a =
      json_pack("{s:s, s:{s:s, s:s?, s:s?, s:s?}}", "ip", tug_obj_get_str(pod, "status.podIP"),
                "targetRef", "kind", "Pod", "namespace", tug_obj_namespace(pod), "name",
                tug_obj_name(pod), "uid", tug_obj_uid(pod));
  const char *node = tug_obj_get_str(pod, "spec.nodeName");
  if (node && node[0])
    json_object_set_new(a, "nodeName", json_string(node));
  const char *host = tug_obj_get_str(pod, "spec.hostname");
  const char *sub = tug_obj_get_str(pod, "spec.subdomain");
  if (host && host[0] && sub && strcmp(sub, tug_obj_name(svc)) == 0)
    json_object_set_new(a, "hostname", json_string(host));
  return a;
}

static int by_ip(const void *pa, const void *pb) {
  const char *a = json_string_value(json_object_get(*(json_t *const *)pa, "ip"));
  const char *b = json_string_value(json_object_get(*(json_t *const *)pb, "ip"));
  return strcmp(a ? a : "", b ? b : "");
}

static void sort_addresses(json_t *subset, const char *key) {
  json_t *arr = json_object_get(subset, key);
  if (json_array_size(arr) == 0)
    json_object_del(subset, key);
  else
    ctl_sort(arr, by_ip);
}

/* The subsets for svc: pods grouped by the ports they resolve to. */
static json_t *subsets(ctl_ctx *x, const json_t *svc, const tug_selector *sel) {
  _cleanup_json_ json_t *pods = ctl_list(x, CTL_PODS, tug_obj_namespace(svc));
  json_t *out = json_array();
  tug_hashmap *by_ports = tug_hashmap_new();
  size_t i;
  json_t *pod;
  json_array_foreach(pods, i, pod) {
    const char *ip = tug_obj_get_str(pod, "status.podIP");
    if (!ctl_pod_active(pod) || ip == NULL || ip[0] == '\0' ||
        !tug_selector_matches(sel, tug_obj_labels(pod)))
      continue;
    json_t *ports = pod_ports(svc, pod);
    char *k = ports ? json_dumps(ports, JSON_COMPACT) : NULL;
    if (k == NULL) {
      json_decref(ports);
      continue;
    }
    json_t *subset = tug_hashmap_get(by_ports, k);
    if (subset == NULL) {
      subset = json_pack("{s:[], s:[], s:o}", "addresses", "notReadyAddresses", "ports", ports);
      json_array_append_new(out, subset);
      tug_hashmap_put(by_ports, k, subset);
    } else {
      json_decref(ports);
    }
    free(k);
    json_array_append_new(
        json_object_get(subset, tug_pod_ready(pod) ? "addresses" : "notReadyAddresses"),
        address(svc, pod));
  }
  tug_hashmap_free(by_ports, NULL);
  json_t *subset;
  json_array_foreach(out, i, subset) {
    sort_addresses(subset, "addresses");
    sort_addresses(subset, "notReadyAddresses");
  }
  return out;
}

static int write_endpoints(ctl_ctx *x, const json_t *svc, json_t *want, const json_t *have,
                           tug_error *err) {
  json_t *labels = tug_obj_labels(svc);
  const char *mark = tug_obj_annotation(have, MANAGED_ANNOTATION);
  /* tug_json_same, not json_equal: a Service without labels must not make
   * every pass write its Endpoints again. */
  if (have && json_equal(tug_obj_get(have, "subsets"), want) &&
      tug_json_same(tug_obj_labels(have), labels) && mark && strcmp(mark, MANAGER) == 0)
    return 0;
  char path[600];
  if (tug_api_path(path, sizeof path, "Endpoints", tug_obj_namespace(svc), NULL, NULL, err) < 0)
    return -1;
  _cleanup_json_ json_t *ep =
      have ? json_deep_copy(have)
           : json_pack("{s:s, s:s, s:{s:s, s:s}}", "apiVersion", "v1", "kind", "Endpoints",
                       "metadata", "name", tug_obj_name(svc), "namespace", tug_obj_namespace(svc));
  json_object_set(ep, "subsets", want);
  tug_obj_set_annotation(ep, MANAGED_ANNOTATION, MANAGER, NULL);
  if (labels)
    tug_obj_set(ep, "metadata.labels", json_incref(labels), NULL);
  else
    tug_obj_del(ep, "metadata.labels");
  int rc;
  if (have) {
    char item[700];
    snprintf(item, sizeof item, "%s/%s", path, tug_obj_name(svc));
    rc = tug_client_update(x->client, item, ep, NULL, err);
  } else {
    rc = tug_client_create(x->client, path, ep, NULL, err);
  }
  if (rc < 0) {
    tug_event_record(x->events, svc, "Warning", "FailedToUpdateEndpoint",
                     "Failed to update endpoint %s/%s: %s", tug_obj_namespace(svc),
                     tug_obj_name(svc), err->msg);
    return -1;
  }
  return 0;
}

static int reconcile(tug_controller *c, const char *key, void *arg, tug_error *err) {
  (void)c;
  ctl_ctx *x = arg;
  _cleanup_json_ json_t *svc = ctl_get(x, CTL_SERVICES, key);
  _cleanup_json_ json_t *have = ctl_get(x, CTL_ENDPOINTS, key);
  if (svc == NULL) {
    const char *mark = tug_obj_annotation(have, MANAGED_ANNOTATION);
    if (mark && strcmp(mark, MANAGER) == 0 && ctl_delete(x, have, NULL, err) < 0)
      return -1;
    return 0;
  }
  _cleanup_selector_ tug_selector *sel = NULL;
  if (json_object_size(tug_obj_get(svc, "spec.selector")) == 0 || ctl_selector(svc, &sel) < 0)
    return 0;
  _cleanup_json_ json_t *want = subsets(x, svc, sel);
  return write_endpoints(x, svc, want, have, err);
}

tug_controller *ctl_endpoints_new(ctl_ctx *x, tug_error *err) {
  tug_controller_options o = {
      .name = "endpoints", .reconcile = reconcile, .arg = x, .workers = x->cfg.workers};
  tug_controller *c = tug_controller_new(&o, err);
  if (c == NULL)
    return NULL;
  if (tug_controller_watch(c, x->inf[CTL_SERVICES], err) < 0 ||
      tug_controller_watch(c, x->inf[CTL_ENDPOINTS], err) < 0 ||
      tug_controller_watch_fn(c, x->inf[CTL_PODS], pod_changed, x, err) < 0) {
    tug_controller_free(c);
    return NULL;
  }
  return c;
}
