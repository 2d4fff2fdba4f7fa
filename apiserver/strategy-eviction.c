/*
 * strategy-eviction.c — POST pods/{name}/eviction: a delete that honours the
 * PodDisruptionBudget covering the pod, as Kubernetes' eviction subresource.
 *
 * The one idea: the budget's status is spent in the pod's own etcd
 * transaction. The eviction reads the budget, and when it allows a
 * disruption, writes disruptionsAllowed - 1 (and the pod in disruptedPods)
 * with a compare on the budget's revision, in the transaction that deletes
 * the pod (or marks it deleting). Two evictions that read the same budget
 * cannot both commit: the second's compare fails, it reads again, finds no
 * disruption left and answers 429.
 */
#include <errno.h>
#include <string.h>

#include "cleanup.h"
#include "disruption.h"
#include "handlers.h"
#include "modify.h"
#include "object.h"
#include "status.h"
#include "storage.h"
#include "watchcache.h"

#define EVICTION_RETRIES 10

static const char too_many[] = "Cannot evict pod as it would violate the pod's disruption budget.";

/* The budget kind; NULL only in a registry without it (never for the built-in one). */
static const api_kind *budget_kind(void) {
  return api_kind_by_resource("policy", "v1", "poddisruptionbudgets");
}

/* The names of the budgets of ns that select pod (from the watch cache; the
 * caller reads each again from storage to write it). */
static json_t *covering_budgets(api_server *s, const json_t *pod) {
  json_t *names = json_array();
  const api_kind *k = budget_kind();
  if (k == NULL)
    return names;
  api_filter f = {tug_obj_namespace(pod), NULL, NULL, NULL};
  api_cached **items;
  size_t n;
  int64_t rev;
  api_watchcache_list(api_kind_cache(s, k), &f, &items, &n, &rev);
  for (size_t i = 0; i < n; i++)
    if (tug_pdb_selects(items[i]->obj, pod))
      json_array_append_new(names, json_string(tug_obj_name(items[i]->obj)));
  api_cached_list_free(items, n);
  return names;
}

/* A 429 with Kubernetes' cause of type DisruptionBudget. */
static void refuse_429(api_response *out, int retry_after, const char *fmt, const char *name,
                       long long a, long long b) {
  char cause[512];
  snprintf(cause, sizeof cause, fmt, name, a, b);
  json_t *details = json_pack("{s:[{s:s, s:s}], s:i}", "causes", "reason", "DisruptionBudget",
                              "message", cause, "retryAfterSeconds", retry_after);
  json_decref(out->body);
  out->code = 429;
  out->body = api_status(429, "TooManyRequests", details, "%s", too_many);
  out->retry_after = retry_after;
}

/* Fill out for a verdict that refuses; -1. */
static int refuse(const json_t *pdb, tug_eviction_verdict v, api_response *out) {
  const char *name = tug_obj_name(pdb);
  if (v == TUG_EVICT_STALE)
    refuse_429(out, 10, "The disruption budget %s is still being processed by the server.", name, 0,
               0);
  else if (v == TUG_EVICT_EXHAUSTED)
    refuse_429(out, 0, "The disruption budget %s needs %lld healthy pods and has %lld currently",
               name, (long long)tug_obj_get_int(pdb, "status.desiredHealthy", 0),
               (long long)tug_obj_get_int(pdb, "status.currentHealthy", 0));
  else
    api_fail(
        out, 403, "poddisruptionbudgets.policy \"%s\" is forbidden: %s", name,
        v == TUG_EVICT_NEGATIVE
            ? "pdb disruptions allowed is negative"
            : "DisruptedPods map too big - too many evictions not confirmed by PDB controller");
  return -1;
}

/*
 * The one budget that covers pod, read from storage with its revision: 0
 * with *pdb NULL when none does (or it went meanwhile), -1 with out filled
 * when several do (Kubernetes refuses to choose).
 */
static int covering_budget(api_request *r, const json_t *pod, json_t **pdb, int64_t *rev,
                           api_response *out) {
  _cleanup_json_ json_t *names = covering_budgets(r->server, pod);
  *pdb = NULL;
  if (json_array_size(names) > 1) {
    api_fail(out, 500,
             "This pod has more than one PodDisruptionBudget, which the eviction subresource "
             "does not support.");
    return -1;
  }
  if (json_array_size(names) == 0)
    return 0;
  const char *name = json_string_value(json_array_get(names, 0));
  tug_error err = {0};
  if (api_storage_get(r->server, budget_kind(), tug_obj_namespace(pod), name, pdb, rev, &err) ==
          0 ||
      err.code == ENOENT)
    return 0;
  api_fail_error(out, budget_kind(), name, &err);
  return -1;
}

/*
 * Add to txn what evicting pod does to its budget: nothing (no budget, or it
 * lets the pod go free), or the spent budget with a compare on its revision.
 * 0 to go on, -1 with out filled when refused.
 */
static int charge_budget(api_request *r, const json_t *pod, bool dry_run, api_txn *txn,
                         api_response *out) {
  if (tug_eviction_ignores_budgets(pod))
    return 0;
  _cleanup_json_ json_t *pdb = NULL;
  int64_t rev;
  if (covering_budget(r, pod, &pdb, &rev, out) < 0)
    return -1;
  if (pdb == NULL)
    return 0;
  tug_eviction_verdict v = tug_eviction_decide(pdb, pod);
  if (v != TUG_EVICT_ALLOW && v != TUG_EVICT_SPEND)
    return refuse(pdb, v, out);
  if (v == TUG_EVICT_SPEND && !dry_run) {
    char now[32], key[512];
    tug_pdb_spend(pdb, tug_obj_name(pod), api_now(now, sizeof now));
    api_key(budget_kind(), tug_obj_namespace(pod), tug_obj_name(pdb), key, sizeof key);
    api_txn_compare_mod(txn, key, rev);
    api_txn_put(txn, key, api_storage_encode(pdb));
  }
  return 0;
}

static bool dry_run_of(const json_t *options) {
  json_t *list = json_object_get(options, "dryRun");
  return json_array_size(list) > 0;
}

/* One decision and delete; 1 when the pod or its budget changed meanwhile. */
static int evict_once(api_request *r, const api_route *rt, const json_t *options,
                      api_response *out) {
  json_t *pod;
  int64_t rev;
  tug_error err = {0};
  if (api_storage_get(r->server, rt->kind, rt->ns, rt->name, &pod, &rev, &err) < 0) {
    api_fail_error(out, rt->kind, rt->name, &err);
    return -1;
  }
  api_txn txn = {0};
  char key[512];
  /* The decision holds for this version of the pod only (it may turn Ready). */
  api_txn_compare_mod(&txn, api_key(rt->kind, rt->ns, rt->name, key, sizeof key), rev);
  int rc = charge_budget(r, pod, dry_run_of(options) || api_dry_run(r), &txn, out);
  if (rc == 0)
    rc = api_delete_attempt(r, rt, options, &txn, out);
  api_txn_clear(&txn);
  json_decref(pod);
  return rc;
}

void api_handle_eviction(api_request *r, const api_route *rt, api_response *out) {
  if (strcmp(r->method, "POST") != 0) {
    api_fail(out, 405, "method %s not allowed on eviction", r->method);
    return;
  }
  json_t *body = api_read_body(r, out);
  if (body == NULL)
    return;
  const char *name = tug_obj_name(body);
  if (name && name[0] && strcmp(name, rt->name) != 0) {
    api_fail(out, 400, "name in URL does not match name in Eviction object");
    json_decref(body);
    return;
  }
  json_t *options = json_object_get(body, "deleteOptions");
  int rc = 1;
  for (int i = 0; i < EVICTION_RETRIES && rc == 1; i++)
    rc = evict_once(r, rt, json_is_object(options) ? options : NULL, out);
  if (rc == 1)
    api_fail(out, 409, "pods \"%s\": too many concurrent changes, try again", rt->name);
  if (rc == 0) {
    json_decref(out->body);
    out->code = 201;
    out->body = api_status_success(rt->kind, rt->name);
    json_object_set_new(out->body, "code", json_integer(201));
  }
  json_decref(body);
}
