/*
 * namespace.c — deleting a Namespace deletes everything in it, then the
 * Namespace itself.
 *
 * A Namespace being deleted is Terminating with the "kubernetes" finalizer in
 * spec.finalizers (the API server adds both). The controller asks discovery
 * which namespaced resources exist, deletes each collection in the
 * namespace, and looks again a second later while anything is left (pods
 * stop gracefully); once every collection is empty it writes the finalize
 * subresource without "kubernetes", and the API server removes the
 * Namespace.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "ctl.h"
#include "log.h"
#include "object.h"
#include "kinds.h"

enum { RECHECK_MS = 1000 };

/* Add "base/{resource}" for each namespaced resource of a discovery document
 * that can be listed and deleted. */
static void add_resources(json_t *out, const char *base, const json_t *doc) {
  size_t i;
  json_t *r;
  json_array_foreach(json_object_get(doc, "resources"), i, r) {
    const char *name = json_string_value(json_object_get(r, "name"));
    bool deletable = false;
    size_t j;
    json_t *v;
    json_array_foreach(json_object_get(r, "verbs"), j, v) {
      if (json_is_string(v) && strcmp(json_string_value(v), "deletecollection") == 0)
        deletable = true;
    }
    if (name && !strchr(name, '/') && json_is_true(json_object_get(r, "namespaced")) && deletable)
      json_array_append_new(out, json_pack("[s, s]", base, name));
  }
}

/* A new array of [base, resource] pairs, from /api/v1 and every group. */
static json_t *namespaced_resources(ctl_ctx *x, tug_error *err) {
  _cleanup_json_ json_t *core = NULL, *groups = NULL;
  if (tug_client_get(x->client, "/api/v1", &core, err) < 0 ||
      tug_client_get(x->client, "/apis", &groups, err) < 0)
    return NULL;
  json_t *out = json_array();
  add_resources(out, "/api/v1", core);
  size_t i;
  json_t *g;
  json_array_foreach(json_object_get(groups, "groups"), i, g) {
    const char *gv = tug_obj_get_str(g, "preferredVersion.groupVersion");
    char base[300];
    _cleanup_json_ json_t *doc = NULL;
    snprintf(base, sizeof base, "/apis/%s", gv ? gv : "");
    if (gv && tug_client_get(x->client, base, &doc, err) >= 0)
      add_resources(out, base, doc);
    tug_error_clear(err);
  }
  return out;
}

/* Delete one collection in ns; the number of objects still there after. */
static int64_t empty_collection(ctl_ctx *x, const char *base, const char *res, const char *ns,
                                tug_error *err) {
  char path[600];
  snprintf(path, sizeof path, "%s/namespaces/%s/%s", base, ns, res);
  _cleanup_json_ json_t *left = NULL;
  if (tug_client_delete(x->client, path, NULL, err) < 0 && err->code != ENOENT)
    return -1;
  tug_error_clear(err);
  if (tug_client_list(x->client, path, NULL, &left, err) < 0)
    return err->code == ENOENT ? (tug_error_clear(err), 0) : -1;
  return (int64_t)json_array_size(json_object_get(left, "items"));
}

static bool has_kubernetes_finalizer(const json_t *ns) {
  size_t i;
  json_t *f;
  json_array_foreach(tug_obj_get(ns, "spec.finalizers"), i, f) {
    if (json_is_string(f) && strcmp(json_string_value(f), "kubernetes") == 0)
      return true;
  }
  return false;
}

static int finalize(ctl_ctx *x, const json_t *ns, tug_error *err) {
  _cleanup_json_ json_t *copy = json_deep_copy(ns);
  _cleanup_json_ json_t *keep = json_array();
  size_t i;
  json_t *f;
  json_array_foreach(tug_obj_get(ns, "spec.finalizers"), i, f) {
    if (!(json_is_string(f) && strcmp(json_string_value(f), "kubernetes") == 0))
      json_array_append(keep, f);
  }
  tug_obj_set(copy, "spec.finalizers", json_incref(keep), NULL);
  char path[400];
  if (tug_api_path(path, sizeof path, "Namespace", NULL, tug_obj_name(ns), "finalize", err) < 0)
    return -1;
  if (tug_client_update(x->client, path, copy, NULL, err) < 0 && err->code != ENOENT)
    return tug_error_wrap(err, "finalize namespace %s", tug_obj_name(ns));
  tug_info("namespace finalized", "namespace=%s audit_id=%s", tug_obj_name(ns),
           tug_client_audit_id());
  return 0;
}

static int reconcile(tug_controller *c, const char *key, void *arg, tug_error *err) {
  ctl_ctx *x = arg;
  _cleanup_json_ json_t *ns = ctl_get(x, CTL_NAMESPACES, key);
  if (ns == NULL || tug_obj_deletion_timestamp(ns) == NULL || !has_kubernetes_finalizer(ns))
    return 0;
  _cleanup_json_ json_t *resources = namespaced_resources(x, err);
  if (resources == NULL)
    return -1;
  int64_t left = 0;
  size_t i;
  json_t *r;
  json_array_foreach(resources, i, r) {
    int64_t n = empty_collection(x, json_string_value(json_array_get(r, 0)),
                                 json_string_value(json_array_get(r, 1)), key, err);
    if (n < 0)
      return -1;
    left += n;
  }
  if (left > 0) {
    tug_debug("namespace not empty yet", "namespace=%s left=%lld", key, (long long)left);
    tug_controller_enqueue_after(c, key, RECHECK_MS);
    return 0;
  }
  return finalize(x, ns, err);
}

tug_controller *ctl_namespace_new(ctl_ctx *x, tug_error *err) {
  tug_controller_options o = {.name = "namespace", .reconcile = reconcile, .arg = x, .workers = 2};
  tug_controller *c = tug_controller_new(&o, err);
  if (c && tug_controller_watch(c, x->inf[CTL_NAMESPACES], err) < 0) {
    tug_controller_free(c);
    return NULL;
  }
  return c;
}
