/*
 * disruption.c — keeps each PodDisruptionBudget's status true, as
 * Kubernetes' disruption controller: how many pods it expects, how many must
 * be healthy, how many are, and so how many evictions it allows now.
 *
 * A reconcile lists the pods the budget selects (lib/disruption.h), counts
 * the Ready ones that are not being deleted nor recently evicted (the
 * status's disruptedPods, which the eviction subresource fills and this
 * controller empties once the pod is gone or two minutes have passed), and,
 * when the budget is a percentage or a maxUnavailable, sums the scale of the
 * pods' owners: a Deployment (through its ReplicaSet), a ReplicaSet, a
 * ReplicationController, a Job (its parallelism), or any other kind with a
 * /scale subresource. A pod without an owner, or an owner not found, makes
 * the budget fail safe: no disruption allowed, condition reason SyncFailed.
 * The numbers themselves come from disruption-plan.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "ctl.h"
#include "disruption-plan.h"
#include "disruption.h"
#include "kinds.h"
#include "log.h"
#include "object.h"
#include "pod-rules.h"
#include "timestamp.h"

/* ---- what to reconcile ---- */

/* A pod changed: every budget of its namespace that selects it now or did. */
static void pod_changed(tug_controller *c, const json_t *old, const json_t *pod, bool deleted,
                        void *arg) {
  (void)deleted;
  _cleanup_json_ json_t *pdbs = ctl_list(arg, CTL_PODDISRUPTIONBUDGETS, tug_obj_namespace(pod));
  size_t i;
  json_t *pdb;
  json_array_foreach(pdbs, i, pdb) {
    if (tug_pdb_selects(pdb, pod) || (old && tug_pdb_selects(pdb, old)))
      tug_controller_enqueue_obj(c, pdb);
  }
}

/* An owner's scale may have changed: every budget of its namespace. */
static void owner_changed(tug_controller *c, const json_t *old, const json_t *obj, bool deleted,
                          void *arg) {
  (void)old, (void)deleted;
  _cleanup_json_ json_t *pdbs = ctl_list(arg, CTL_PODDISRUPTIONBUDGETS, tug_obj_namespace(obj));
  size_t i;
  json_t *pdb;
  json_array_foreach(pdbs, i, pdb) tug_controller_enqueue_obj(c, pdb);
}

/* ---- the owners' scale ---- */

/* The cached object ref names in ns, when its uid is ref's; a new reference. */
static json_t *cached_owner(ctl_ctx *x, enum ctl_resource r, const char *ns, const json_t *ref) {
  char key[512];
  snprintf(key, sizeof key, "%s/%s", ns, tug_obj_get_str(ref, "name"));
  json_t *obj = ctl_get(x, r, key);
  const char *uid = tug_obj_get_str(ref, "uid"), *have = obj ? tug_obj_uid(obj) : NULL;
  if (obj && uid && have && strcmp(uid, have) != 0) {
    json_decref(obj);
    return NULL;
  }
  return obj;
}

/* spec.replicas of ref's /scale, for kinds this controller does not cache. */
static int scale_subresource(ctl_ctx *x, const char *ns, const json_t *ref, int64_t *out,
                             tug_error *err) {
  char path[1024];
  _cleanup_json_ json_t *stub =
      json_pack("{s:O?, s:O?, s:{s:s, s:O?}}", "apiVersion", json_object_get(ref, "apiVersion"),
                "kind", json_object_get(ref, "kind"), "metadata", "namespace", ns, "name",
                json_object_get(ref, "name"));
  _cleanup_json_ json_t *scale = NULL;
  if (tug_obj_path(path, sizeof path, stub, "scale", err) < 0 ||
      tug_client_get(x->client, path, &scale, err) < 0)
    return -1;
  *out = tug_obj_get_int(scale, "spec.replicas", 0);
  return 0;
}

/*
 * The controller that decides pod's count and its replicas: the uid (into
 * uid) and scale of a Deployment for a ReplicaSet it owns, else of the pod's
 * own controller. -1 with err when there is none or it is not found.
 */
static int owner_scale(ctl_ctx *x, const json_t *pod, char *uid, size_t size, int64_t *scale,
                       tug_error *err) {
  const char *ns = tug_obj_namespace(pod);
  json_t *ref = tug_controller_ref(pod);
  const char *kind = ref ? tug_obj_get_str(ref, "kind") : NULL;
  if (kind == NULL)
    return tug_error_set(err, ENOENT, "found no controller ref for pod \"%s\"", tug_obj_name(pod));
  snprintf(uid, size, "%s", tug_obj_get_str(ref, "uid") ? tug_obj_get_str(ref, "uid") : "");
  enum ctl_resource r = CTL_N_RESOURCES;
  const char *field = "spec.replicas";
  if (strcmp(kind, "ReplicaSet") == 0)
    r = CTL_REPLICASETS;
  else if (strcmp(kind, "ReplicationController") == 0)
    r = CTL_REPLICATIONCONTROLLERS;
  else if (strcmp(kind, "Job") == 0)
    r = CTL_JOBS, field = "spec.parallelism";
  else
    return scale_subresource(x, ns, ref, scale, err);
  _cleanup_json_ json_t *owner = cached_owner(x, r, ns, ref);
  if (owner == NULL)
    return tug_error_set(err, ENOENT, "found no controllers for pod \"%s\"", tug_obj_name(pod));
  json_t *up = tug_controller_ref(owner);
  const char *up_kind = up ? tug_obj_get_str(up, "kind") : NULL;
  if (r == CTL_REPLICASETS && up_kind && strcmp(up_kind, "Deployment") == 0) {
    _cleanup_json_ json_t *d = cached_owner(x, CTL_DEPLOYMENTS, ns, up);
    if (d) {
      snprintf(uid, size, "%s", tug_obj_uid(d) ? tug_obj_uid(d) : "");
      *scale = tug_obj_get_int(d, "spec.replicas", 1);
      return 0;
    }
  }
  *scale = tug_obj_get_int(owner, field, 1);
  return 0;
}

/* The summed scale of the pods' distinct controllers. */
static int expected_scale(ctl_ctx *x, json_t *pods, int64_t *total, tug_error *err) {
  _cleanup_json_ json_t *seen = json_object();
  size_t i;
  json_t *p;
  *total = 0;
  json_array_foreach(pods, i, p) {
    char uid[128];
    int64_t scale = 0;
    if (owner_scale(x, p, uid, sizeof uid, &scale, err) < 0)
      return -1;
    if (json_object_get(seen, uid))
      continue;
    json_object_set_new(seen, uid, json_true());
    *total += scale;
  }
  return 0;
}

/* ---- health ---- */

/* The entries of disruptedPods still to honour: the pod is there, not yet
 * being deleted, and was evicted less than the timeout ago. *recheck: seconds
 * until the first of them expires (-1: none). */
static json_t *live_disruptions(const json_t *pdb, json_t *pods, double now, double *recheck) {
  json_t *out = json_object(), *old = tug_obj_get(pdb, "status.disruptedPods");
  *recheck = -1;
  const char *name;
  json_t *when;
  json_object_foreach(old, name, when) {
    size_t i;
    json_t *p, *found = NULL;
    json_array_foreach(pods, i, p) if (strcmp(tug_obj_name(p), name) == 0) found = p;
    double left = tug_time_parse(json_string_value(when)) + TUG_PDB_DELETION_TIMEOUT_SECONDS - now;
    if (found == NULL || tug_obj_deletion_timestamp(found) || left <= 0)
      continue;
    json_object_set(out, name, when);
    if (*recheck < 0 || left < *recheck)
      *recheck = left;
  }
  return out;
}

static int64_t count_healthy(json_t *pods, const json_t *disrupted) {
  int64_t healthy = 0;
  size_t i;
  json_t *p;
  json_array_foreach(pods, i, p) {
    if (tug_obj_deletion_timestamp(p) == NULL &&
        json_object_get(disrupted, tug_obj_name(p)) == NULL && tug_pod_ready(p))
      healthy++;
  }
  return healthy;
}

/* ---- the status ---- */

static json_t *selected_pods(ctl_ctx *x, const json_t *pdb) {
  json_t *all = ctl_list(x, CTL_PODS, tug_obj_namespace(pdb)), *out = json_array();
  size_t i;
  json_t *p;
  json_array_foreach(all, i, p) if (tug_pdb_selects(pdb, p)) json_array_append(out, p);
  json_decref(all);
  return out;
}

/* The status as Kubernetes' failSafe leaves it: nothing allowed, and why. */
static void fail_safe(json_t *pdb, const char *why, const char *now) {
  tug_obj_set(pdb, "status.disruptionsAllowed", json_integer(0), NULL);
  tug_pdb_set_condition(pdb, "SyncFailed", why, now);
}

static void fill_status(json_t *pdb, const ctl_budget *b, json_t *disrupted, const char *now) {
  json_t *st = tug_obj_get(pdb, "status");
  json_object_set_new(st, "expectedPods", json_integer(b->expected));
  json_object_set_new(st, "desiredHealthy", json_integer(b->desired));
  json_object_set_new(st, "currentHealthy", json_integer(b->healthy));
  json_object_set_new(st, "disruptionsAllowed", json_integer(b->allowed));
  if (json_object_size(disrupted))
    json_object_set(st, "disruptedPods", disrupted);
  else
    json_object_del(st, "disruptedPods");
  tug_pdb_set_condition(pdb, NULL, NULL, now);
}

static int reconcile(tug_controller *c, const char *key, void *arg, tug_error *err) {
  ctl_ctx *x = arg;
  _cleanup_json_ json_t *cached = ctl_get(x, CTL_PODDISRUPTIONBUDGETS, key);
  if (cached == NULL)
    return 0;
  _cleanup_json_ json_t *pdb = json_deep_copy(cached);
  if (!json_is_object(tug_obj_get(pdb, "status")))
    tug_obj_set(pdb, "status", json_object(), NULL);
  tug_obj_set(pdb, "status.observedGeneration",
              json_integer(tug_obj_get_int(pdb, "metadata.generation", 0)), NULL);
  _cleanup_json_ json_t *pods = selected_pods(x, pdb);
  if (json_array_size(pods) == 0)
    tug_event_record(x->events, cached, "Normal", "NoPods", "No matching pods found");
  char now[32];
  double t = (double)time(NULL), recheck;
  tug_time_format((time_t)t, now, sizeof now);
  json_t *spec = tug_obj_get(pdb, "spec");
  int64_t scale = 0;
  tug_error why = {0};
  if (ctl_budget_needs_scale(spec) && expected_scale(x, pods, &scale, &why) < 0) {
    tug_event_record(x->events, cached, "Warning", "CalculateExpectedPodCountFailed",
                     "Failed to calculate the number of expected pods: %s", why.msg);
    fail_safe(pdb, why.msg, now);
  } else {
    _cleanup_json_ json_t *disrupted = live_disruptions(pdb, pods, t, &recheck);
    ctl_budget b = ctl_budget_plan(spec, (int64_t)json_array_size(pods), scale,
                                   count_healthy(pods, disrupted));
    fill_status(pdb, &b, disrupted, now);
    if (recheck >= 0)
      tug_controller_enqueue_after(c, key, (long)(recheck * 1000) + 100);
  }
  return ctl_write_status(x, cached, tug_obj_get(pdb, "status"), err);
}

tug_controller *ctl_disruption_new(ctl_ctx *x, tug_error *err) {
  tug_controller_options o = {
      .name = "disruption", .reconcile = reconcile, .arg = x, .workers = x->cfg.workers};
  tug_controller *c = tug_controller_new(&o, err);
  if (c == NULL)
    return NULL;
  static const enum ctl_resource owners[] = {CTL_REPLICASETS, CTL_DEPLOYMENTS, CTL_JOBS,
                                             CTL_REPLICATIONCONTROLLERS};
  int rc = tug_controller_watch(c, x->inf[CTL_PODDISRUPTIONBUDGETS], err);
  if (rc == 0)
    rc = tug_controller_watch_fn(c, x->inf[CTL_PODS], pod_changed, x, err);
  for (size_t i = 0; rc == 0 && i < sizeof owners / sizeof owners[0]; i++)
    rc = tug_controller_watch_fn(c, x->inf[owners[i]], owner_changed, x, err);
  if (rc < 0) {
    tug_controller_free(c);
    return NULL;
  }
  return c;
}
