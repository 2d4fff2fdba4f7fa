/*
 * ctl.c — caches, API paths, writes and conditions shared by the controllers
 * (see ctl.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "ctl.h"
#include "object.h"
#include "timestamp.h"
#include "kinds.h"

const char *const ctl_resource_kinds[CTL_N_RESOURCES] = {
    [CTL_PODS] = "Pod",
    [CTL_REPLICASETS] = "ReplicaSet",
    [CTL_DEPLOYMENTS] = "Deployment",
    [CTL_JOBS] = "Job",
    [CTL_SERVICES] = "Service",
    [CTL_ENDPOINTS] = "Endpoints",
    [CTL_NAMESPACES] = "Namespace",
    [CTL_QUOTAS] = "ResourceQuota",
    [CTL_NODES] = "Node",
    [CTL_LEASES] = "Lease",
    [CTL_SERVICEACCOUNTS] = "ServiceAccount",
    [CTL_ROOT_CA] = "ConfigMap",
    [CTL_REPLICATIONCONTROLLERS] = "ReplicationController",
    [CTL_PODDISRUPTIONBUDGETS] = "PodDisruptionBudget",
    [CTL_CRONJOBS] = "CronJob",
    [CTL_DAEMONSETS] = "DaemonSet",
    [CTL_PVS] = "PersistentVolume",
    [CTL_PVCS] = "PersistentVolumeClaim",
    [CTL_STORAGECLASSES] = "StorageClass",
    [CTL_STATEFULSETS] = "StatefulSet",
    [CTL_CONTROLLERREVISIONS] = "ControllerRevision",
};

/* Node Leases live in one namespace; every other resource is watched in all. */
#define NODE_LEASE_NAMESPACE "tug-node-lease"

/* ---- caches ---- */

int ctl_open_informers(ctl_ctx *x, tug_error *err) {
  for (int i = 0; i < CTL_N_RESOURCES; i++) {
    char path[256];
    if (tug_api_path(path, sizeof path, ctl_resource_kinds[i],
                     i == CTL_LEASES ? NODE_LEASE_NAMESPACE : NULL, NULL, NULL, err) < 0)
      return -1;
    tug_shared_informer_options o = {
        .path = path, .field_selector = i == CTL_ROOT_CA ? "metadata.name=kube-root-ca.crt" : NULL};
    if ((x->inf[i] = tug_shared_informer_new_with(x->client, &o, err)) == NULL)
      return -1;
  }
  return ctl_add_indexes(x, err);
}

void ctl_close_informers(ctl_ctx *x) {
  for (int i = 0; i < CTL_N_RESOURCES; i++)
    if (x->inf[i])
      tug_informer_stop(tug_shared_informer_informer(x->inf[i]));
  for (int i = 0; i < CTL_N_RESOURCES; i++) {
    tug_shared_informer_free(x->inf[i]);
    x->inf[i] = NULL;
  }
}

json_t *ctl_get(ctl_ctx *x, enum ctl_resource r, const char *key) {
  return tug_informer_get(tug_shared_informer_informer(x->inf[r]), key);
}

json_t *ctl_list(ctl_ctx *x, enum ctl_resource r, const char *ns) {
  tug_informer *inf = tug_shared_informer_informer(x->inf[r]);
  return ns ? tug_informer_by_index(inf, "namespace", ns) : tug_informer_list(inf);
}

int ctl_add_indexes(ctl_ctx *x, tug_error *err) {
  return tug_shared_informer_add_index(x->inf[CTL_PODS], TUG_INDEX_NODE, tug_index_pod_node, err);
}

json_t *ctl_pods_on_node(ctl_ctx *x, const char *node) {
  return tug_informer_by_index(tug_shared_informer_informer(x->inf[CTL_PODS]), TUG_INDEX_NODE,
                               node);
}

/* ---- writing ---- */

int ctl_write_status(ctl_ctx *x, const json_t *obj, json_t *status, tug_error *err) {
  if (json_equal(status, tug_obj_get(obj, "status")))
    return 0;
  _cleanup_json_ json_t *copy = json_deep_copy(obj);
  json_object_set(copy, "status", status);
  return ctl_update_status(x, copy, err);
}

int ctl_update_status(ctl_ctx *x, const json_t *obj, tug_error *err) {
  char path[768];
  if (tug_obj_path(path, sizeof path, obj, "status", err) < 0)
    return -1;
  if (tug_client_update(x->client, path, obj, NULL, err) < 0)
    return tug_error_wrap(err, "update %s", path);
  return 0;
}

int ctl_delete(ctl_ctx *x, const json_t *obj, const char *propagation, tug_error *err) {
  char path[768];
  if (tug_obj_path(path, sizeof path, obj, NULL, err) < 0)
    return -1;
  tug_delete_options opts = {.uid = tug_obj_uid(obj), .propagation = propagation};
  int rc = tug_client_delete_with(x->client, path, &opts, err);
  if (rc < 0 && err->code == ENOENT) {
    tug_error_clear(err);
    return 0;
  }
  return rc < 0 ? tug_error_wrap(err, "delete %s", path) : 0;
}

int ctl_patch(ctl_ctx *x, const json_t *obj, json_t *patch, bool keep_rv, json_t **out,
              tug_error *err) {
  char path[768];
  if (tug_obj_path(path, sizeof path, obj, NULL, err) < 0)
    return -1;
  if (keep_rv && tug_obj_resource_version(obj))
    tug_obj_set_str(patch, "metadata.resourceVersion", tug_obj_resource_version(obj), NULL);
  if (tug_client_patch(x->client, path, TUG_PATCH_MERGE, patch, out, err) < 0)
    return tug_error_wrap(err, "patch %s", path);
  return 0;
}

/* ---- conditions ---- */

json_t *ctl_condition(const json_t *obj, const char *type) {
  size_t i;
  json_t *c;
  json_array_foreach(tug_obj_get(obj, "status.conditions"), i, c) {
    const char *t = json_string_value(json_object_get(c, "type"));
    if (t && strcmp(t, type) == 0)
      return c;
  }
  return NULL;
}

static json_t *find_in(json_t *conds, const char *type, size_t *index) {
  size_t i;
  json_t *c;
  json_array_foreach(conds, i, c) {
    const char *t = json_string_value(json_object_get(c, "type"));
    if (t && strcmp(t, type) == 0) {
      *index = i;
      return c;
    }
  }
  return NULL;
}

bool ctl_remove_condition(json_t *status, const char *type) {
  size_t i;
  json_t *conds = json_object_get(status, "conditions");
  if (find_in(conds, type, &i) == NULL)
    return false;
  json_array_remove(conds, i);
  return true;
}

static bool same_str(const json_t *o, const char *key, const char *s) {
  const char *v = json_string_value(json_object_get(o, key));
  return v && s && strcmp(v, s) == 0;
}

bool ctl_set_condition(json_t *status, const char *type, const char *cstatus, const char *reason,
                       const char *message, unsigned flags) {
  json_t *conds = json_object_get(status, "conditions");
  if (!json_is_array(conds)) {
    conds = json_array();
    json_object_set_new(status, "conditions", conds);
  }
  size_t i = 0;
  json_t *cur = find_in(conds, type, &i);
  if (cur && same_str(cur, "status", cstatus) && same_str(cur, "reason", reason) &&
      !(flags & CTL_COND_REFRESH))
    return false;
  char now[TUG_TIME_BUFSIZE];
  tug_time_now(now, sizeof now);
  json_t *c = json_pack("{s:s, s:s}", "type", type, "status", cstatus);
  if (flags & CTL_COND_PROBE_TIME)
    json_object_set_new(c, "lastProbeTime", json_string(now));
  if (flags & CTL_COND_UPDATE_TIME)
    json_object_set_new(c, "lastUpdateTime", json_string(now));
  json_t *since =
      cur && same_str(cur, "status", cstatus) ? json_object_get(cur, "lastTransitionTime") : NULL;
  json_object_set_new(c, "lastTransitionTime", since ? json_incref(since) : json_string(now));
  if (reason)
    json_object_set_new(c, "reason", json_string(reason));
  if (message)
    json_object_set_new(c, "message", json_string(message));
  if (cur && (flags & CTL_COND_IN_PLACE))
    json_array_set_new(conds, i, c);
  else {
    if (cur)
      json_array_remove(conds, i);
    json_array_append_new(conds, c);
  }
  return true;
}

/* ---- selectors ---- */

int ctl_selector(const json_t *obj, tug_selector **out) {
  json_t *sel = tug_obj_get(obj, "spec.selector");
  if (!json_is_object(sel))
    return -1;
  tug_error err = {0};
  if (json_object_get(sel, "matchLabels") || json_object_get(sel, "matchExpressions"))
    return tug_selector_from_match_labels(json_object_get(sel, "matchLabels"),
                                          json_object_get(sel, "matchExpressions"), out, &err);
  return tug_selector_from_match_labels(sel, NULL, out, &err); /* a Service's map */
}

static void enqueue_matching(tug_controller *c, ctl_ctx *x, enum ctl_resource r,
                             const json_t *obj) {
  json_t *owners = ctl_list(x, r, tug_obj_namespace(obj));
  size_t i;
  json_t *o;
  json_array_foreach(owners, i, o) {
    tug_selector *sel = NULL;
    if (json_object_size(tug_obj_get(o, "spec.selector")) > 0 && ctl_selector(o, &sel) == 0 &&
        tug_selector_matches(sel, tug_obj_labels(obj)))
      tug_controller_enqueue_obj(c, o);
    tug_selector_free(sel);
  }
  json_decref(owners);
}

void ctl_enqueue_selecting(tug_controller *c, ctl_ctx *x, enum ctl_resource r, const json_t *old,
                           const json_t *obj) {
  enqueue_matching(c, x, r, obj);
  if (old && !tug_json_same(tug_obj_labels(old), tug_obj_labels(obj)))
    enqueue_matching(c, x, r, old);
}

/* ---- sorting ---- */

void ctl_sort(json_t *arr, int (*cmp)(const void *, const void *)) {
  size_t n = json_array_size(arr);
  json_t **v = n > 1 ? calloc(n, sizeof *v) : NULL;
  if (v == NULL)
    return;
  for (size_t i = 0; i < n; i++)
    v[i] = json_incref(json_array_get(arr, i));
  qsort(v, n, sizeof *v, cmp);
  json_array_clear(arr);
  for (size_t i = 0; i < n; i++)
    json_array_append_new(arr, v[i]);
  free(v);
}
