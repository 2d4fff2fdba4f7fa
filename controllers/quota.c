/*
 * quota.c — keeps each ResourceQuota's status.used true to the objects it
 * covers, in the units the API server's admission writes (quota.c there):
 * millicores for cpu, bytes for memory, plain counts otherwise.
 *
 * Admission charges creates and gives back deletes in the same etcd
 * transaction as the object, so status.used is mostly right already; the
 * recount fixes what admission cannot see (pods that finished no longer
 * count, a quota created a moment before an object) and must not undo a
 * charge it has not seen yet. So a recount that comes out lower than the
 * stored figure is done again from a live (consistent) list before it is
 * written, and every write carries the quota's resourceVersion: an
 * admission in between makes the write fail, and the recount runs again.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "ctl.h"
#include "object.h"
#include "quantity.h"
#include "kinds.h"
#include "quota-eval.h"

static void enqueue_quotas(tug_controller *c, const json_t *old, const json_t *obj, bool deleted,
                           void *arg) {
  (void)old, (void)deleted;
  ctl_ctx *x = arg;
  _cleanup_json_ json_t *quotas = ctl_list(x, CTL_QUOTAS, tug_obj_namespace(obj));
  size_t i;
  json_t *q;
  json_array_foreach(quotas, i, q) tug_controller_enqueue_obj(c, q);
}

/* The informer that caches kind k's objects, or -1 for a kind listed live. */
static int cached_resource(const tug_kind *k) {
  for (int r = 0; r < CTL_N_RESOURCES; r++)
    if (r != CTL_LEASES && strcmp(ctl_resource_kinds[r], k->kind) == 0)
      return r;
  return -1;
}

/* The objects of kind k in ns, listed live (a consistent read); NULL on
 * failure, an empty array for a resource the server lacks. */
static json_t *live_items(ctl_ctx *x, const tug_kind *k, const char *ns, tug_error *err) {
  char path[600];
  if (tug_kind_path(path, sizeof path, k, ns, NULL, NULL) < 0)
    return json_array();
  _cleanup_json_ json_t *list = NULL;
  if (tug_client_list(x->client, path, NULL, &list, err) < 0)
    return err->code == ENOENT ? (tug_error_clear(err), json_array()) : NULL;
  json_t *items = json_object_get(list, "items");
  return json_is_array(items) ? json_incref(items) : json_array();
}

/* Usage of res in ns, from the caches or (live) from the API server; -1 when
 * a live list failed. */
static int64_t usage(ctl_ctx *x, const char *res, const char *ns, bool live, tug_error *err) {
  const tug_kind *k = tug_quota_kind(res);
  if (k == NULL)
    return 0; /* about nothing this server serves */
  int r = cached_resource(k);
  _cleanup_json_ json_t *objs =
      live || r < 0 ? live_items(x, k, ns, err) : ctl_list(x, (enum ctl_resource)r, ns);
  if (objs == NULL)
    return -1;
  int64_t total = 0;
  size_t i;
  json_t *o;
  json_array_foreach(objs, i, o) {
    total = tug_quantity_add_sat(total, tug_quota_usage(k, o, res, NULL));
  }
  return total;
}

/* What to write for res: the recount, except that a recount below what
 * admission charged is checked against a live list first — the caches may
 * not have seen a create that admission already counted. */
static int64_t recount(ctl_ctx *x, const json_t *q, const char *res, tug_error *err) {
  const char *ns = tug_obj_namespace(q);
  int64_t n = usage(x, res, ns, false, err), have;
  const char *old = json_string_value(json_object_get(tug_obj_get(q, "status.used"), res));
  if (n >= 0 && tug_quantity_parse_resource(res, old, &have) == 0 && n < have)
    n = usage(x, res, ns, true, err);
  return n;
}

static int reconcile(tug_controller *c, const char *key, void *arg, tug_error *err) {
  (void)c;
  ctl_ctx *x = arg;
  _cleanup_json_ json_t *q = ctl_get(x, CTL_QUOTAS, key);
  if (q == NULL || tug_obj_deletion_timestamp(q))
    return 0;
  json_t *hard = tug_obj_get(q, "spec.hard");
  json_t *old_used = tug_obj_get(q, "status.used");
  _cleanup_json_ json_t *used = json_object();
  const char *res;
  json_t *hv;
  json_object_foreach(hard, res, hv) {
    int64_t n = recount(x, q, res, err), have;
    if (n < 0)
      return -1;
    const char *old = json_string_value(json_object_get(old_used, res));
    char buf[TUG_QUANTITY_BUFSIZE];
    if (tug_quantity_parse_resource(res, old, &have) == 0 && have == n)
      json_object_set_new(used, res, json_string(old)); /* same amount, same spelling */
    else
      json_object_set_new(used, res,
                          json_string(tug_quantity_format_resource(res, n, buf, sizeof buf)));
  }
  if (json_equal(used, old_used) && json_equal(hard, tug_obj_get(q, "status.hard")))
    return 0;
  _cleanup_json_ json_t *copy = json_deep_copy(q);
  tug_obj_set(copy, "status", json_pack("{s:O*, s:O}", "hard", hard, "used", used), NULL);
  return ctl_update_status(x, copy, err);
}

tug_controller *ctl_quota_new(ctl_ctx *x, tug_error *err) {
  tug_controller_options o = {.name = "resourcequota",
                              .reconcile = reconcile,
                              .arg = x,
                              .workers = 2,
                              .resync_period_ms = (long)(x->cfg.quota_resync_s * 1000)};
  tug_controller *c = tug_controller_new(&o, err);
  if (c == NULL)
    return NULL;
  static const enum ctl_resource counted[] = {CTL_PODS,        CTL_SERVICES, CTL_REPLICASETS,
                                              CTL_DEPLOYMENTS, CTL_JOBS,     CTL_ENDPOINTS};
  if (tug_controller_watch(c, x->inf[CTL_QUOTAS], err) < 0) {
    tug_controller_free(c);
    return NULL;
  }
  for (size_t i = 0; i < sizeof counted / sizeof counted[0]; i++)
    if (tug_controller_watch_fn(c, x->inf[counted[i]], enqueue_quotas, x, err) < 0) {
      tug_controller_free(c);
      return NULL;
    }
  return c;
}
