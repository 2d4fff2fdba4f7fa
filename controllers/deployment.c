/*
 * deployment.c — Deployments through ReplicaSets, as Kubernetes' deployment
 * controller does it.
 *
 * Each pod template gets its own ReplicaSet, named <deployment>-<hash of the
 * template>. A reconcile claims the namespace's ReplicaSets, finds the one
 * whose template is the Deployment's (the "new" one; creating it when
 * missing), then takes one step: a rolling update grows the new ReplicaSet
 * within maxSurge and shrinks old ones only as far as maxUnavailable allows,
 * counting what the ReplicaSets report available; Recreate empties the old
 * ones, waits for their pods to go, then fills the new one. Rollback is the
 * same path: the template goes back to an old ReplicaSet's, which becomes the
 * new one again with the next revision number. Status and conditions follow
 * Kubernetes field for field (deployment-status.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "ctl.h"
#include "deployment.h"
#include "log.h"
#include "object.h"
#include "rollout.h"
#include "timestamp.h"
#include "pod-rules.h"
#include "kinds.h"

/* ---- ReplicaSet helpers ---- */

static int64_t rs_replicas(const json_t *rs) {
  return tug_obj_get_int(rs, "spec.replicas", 0);
}
static int64_t rs_available(const json_t *rs) {
  return tug_obj_get_int(rs, "status.availableReplicas", 0);
}

int64_t ctl_rs_revision(const json_t *rs) {
  const char *r = tug_obj_annotation(rs, CTL_REVISION_ANNOTATION);
  return r ? strtoll(r, NULL, 10) : 0;
}

static int by_creation(const void *pa, const void *pb) {
  const json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;
  double ta = tug_time_parse(tug_obj_get_str(a, "metadata.creationTimestamp"));
  double tb = tug_time_parse(tug_obj_get_str(b, "metadata.creationTimestamp"));
  if (ta != tb)
    return ta < tb ? -1 : 1;
  return strcmp(tug_obj_name(a), tug_obj_name(b));
}

static int by_revision(const void *pa, const void *pb) {
  int64_t a = ctl_rs_revision(*(json_t *const *)pa), b = ctl_rs_revision(*(json_t *const *)pb);
  return a < b ? -1 : a > b;
}

/* ---- scaling ---- */

/* Set rs's replicas (rs is our own copy and is updated on success). */
static int scale_rs(dep_sync *s, json_t *rs, int64_t to) {
  int64_t from = rs_replicas(rs);
  char desired[32], max[32];
  snprintf(desired, sizeof desired, "%lld", (long long)s->replicas);
  snprintf(max, sizeof max, "%lld", (long long)(s->replicas + s->surge));
  const char *ad = tug_obj_annotation(rs, CTL_DESIRED_ANNOTATION);
  const char *am = tug_obj_annotation(rs, CTL_MAX_ANNOTATION);
  if (from == to && ad && strcmp(ad, desired) == 0 && am && strcmp(am, max) == 0)
    return 0;
  _cleanup_json_ json_t *patch =
      json_pack("{s:{s:{s:s, s:s}}, s:{s:I}}", "metadata", "annotations", CTL_DESIRED_ANNOTATION,
                desired, CTL_MAX_ANNOTATION, max, "spec", "replicas", (json_int_t)to);
  _cleanup_json_ json_t *out = NULL;
  tug_error err = {0};
  if (ctl_patch(s->x, rs, patch, true, &out, &err) < 0) {
    *s->err = err;
    return -1;
  }
  json_object_set(rs, "spec", json_object_get(out, "spec"));
  json_object_set(rs, "metadata", json_object_get(out, "metadata"));
  if (from != to) {
    s->scaled = true;
    tug_event_record(s->x->events, s->d, "Normal", "ScalingReplicaSet",
                     "Scaled %s replica set %s to %lld from %lld", to > from ? "up" : "down",
                     tug_obj_name(rs), (long long)to, (long long)from);
  }
  return 0;
}

/* ---- finding and making the new ReplicaSet ---- */

static int64_t max_revision(json_t *olds) {
  int64_t max = 0;
  size_t i;
  json_t *rs;
  json_array_foreach(olds, i, rs) if (ctl_rs_revision(rs) > max) max = ctl_rs_revision(rs);
  return max;
}

static json_t *new_rs_object(dep_sync *s, const char *hash, int64_t replicas, int64_t revision) {
  const json_t *d = s->d;
  json_t *tmpl = json_deep_copy(tug_obj_get(d, "spec.template"));
  tug_obj_set_label(tmpl, CTL_HASH_LABEL, hash, NULL);
  json_t *sel = json_deep_copy(tug_obj_get(d, "spec.selector"));
  json_t *ml = json_object_get(sel, "matchLabels");
  if (!json_is_object(ml))
    json_object_set_new(sel, "matchLabels", ml = json_object());
  json_object_set_new(ml, CTL_HASH_LABEL, json_string(hash));
  char name[300], rev[32], desired[32], max[32];
  snprintf(name, sizeof name, "%.240s-%s", tug_obj_name(d), hash);
  snprintf(rev, sizeof rev, "%lld", (long long)revision);
  snprintf(desired, sizeof desired, "%lld", (long long)s->replicas);
  snprintf(max, sizeof max, "%lld", (long long)(s->replicas + s->surge));
  json_t *labels = json_deep_copy(tug_obj_get(tmpl, "metadata.labels"));
  json_t *rs = json_pack(
      "{s:s, s:s, s:{s:s, s:s, s:o, s:{s:s, s:s, s:s}, s:[o]}, s:{s:I, s:I, s:o, s:o}}",
      "apiVersion", "apps/v1", "kind", "ReplicaSet", "metadata", "name", name, "namespace",
      tug_obj_namespace(d), "labels", labels ? labels : json_object(), "annotations",
      CTL_REVISION_ANNOTATION, rev, CTL_DESIRED_ANNOTATION, desired, CTL_MAX_ANNOTATION, max,
      "ownerReferences", tug_controller_ref_new(d), "spec", "replicas", (json_int_t)replicas,
      "minReadySeconds", (json_int_t)tug_obj_get_int(d, "spec.minReadySeconds", 0), "selector", sel,
      "template", tmpl);
  return rs;
}

/* The ReplicaSet of that name when it is this Deployment's with its template:
 * made by an earlier reconcile and not yet in the informer's cache. */
static json_t *existing_new_rs(dep_sync *s, const char *name) {
  char path[768];
  json_t *rs = NULL;
  tug_error err = {0};
  if (tug_api_path(path, sizeof path, "ReplicaSet", tug_obj_namespace(s->d), name, NULL, &err) <
          0 ||
      tug_client_get(s->x->client, path, &rs, &err) < 0)
    return NULL;
  json_t *ref = tug_controller_ref(rs);
  const char *uid = json_string_value(json_object_get(ref, "uid"));
  const char *mine = tug_obj_uid(s->d);
  if (uid && mine && strcmp(uid, mine) == 0 &&
      ctl_templates_equal(tug_obj_get(rs, "spec.template"), tug_obj_get(s->d, "spec.template"))) {
    tug_error_clear(s->err);
    return rs;
  }
  json_decref(rs);
  return NULL;
}

/* Create the new ReplicaSet; NULL when it could not (s->err says why). */
static json_t *create_new_rs(dep_sync *s, json_t *olds, int64_t replicas) {
  int64_t collisions = tug_obj_get_int(s->status, "collisionCount", 0);
  char hash[16], path[512];
  ctl_template_hash(tug_obj_get(s->d, "spec.template"), collisions, hash, sizeof hash);
  _cleanup_json_ json_t *rs = new_rs_object(s, hash, replicas, max_revision(olds) + 1);
  json_t *made = NULL;
  if (tug_api_path(path, sizeof path, "ReplicaSet", tug_obj_namespace(s->d), NULL, NULL, s->err) <
      0)
    return NULL;
  if (tug_client_create(s->x->client, path, rs, &made, s->err) >= 0) {
    if (replicas > 0)
      tug_event_record(s->x->events, s->d, "Normal", "ScalingReplicaSet",
                       "Scaled up replica set %s to %lld", tug_obj_name(made), (long long)replicas);
    char msg[400];
    snprintf(msg, sizeof msg, "Created new replica set \"%s\"", tug_obj_name(made));
    ctl_set_condition(s->status, "Progressing", "True", "NewReplicaSetCreated", msg,
                      CTL_COND_UPDATE_TIME);
    s->scaled = true;
    return made;
  }
  if (s->err->code == TUG_E_CONFLICT && (made = existing_new_rs(s, tug_obj_name(rs))) != NULL)
    return made;
  if (s->err->code == TUG_E_CONFLICT) {
    /* A ReplicaSet of that name with another template: a hash collision. Bump
     * collisionCount so that the next attempt hashes differently. */
    json_object_set_new(s->status, "collisionCount", json_integer(collisions + 1));
    tug_error_set(s->err, TUG_E_CONFLICT, "replica set %s exists with another template",
                  tug_obj_name(rs));
  }
  return NULL;
}

/* Make sure the new ReplicaSet carries the next revision. */
static int sync_revision(dep_sync *s, json_t *rs, json_t *olds) {
  int64_t want = max_revision(olds) + 1;
  if (ctl_rs_revision(rs) >= want)
    return 0;
  char rev[32];
  snprintf(rev, sizeof rev, "%lld", (long long)want);
  _cleanup_json_ json_t *patch =
      json_pack("{s:{s:{s:s}}}", "metadata", "annotations", CTL_REVISION_ANNOTATION, rev);
  _cleanup_json_ json_t *out = NULL;
  if (ctl_patch(s->x, rs, patch, true, &out, s->err) < 0)
    return -1;
  json_object_set(rs, "metadata", json_object_get(out, "metadata"));
  return 0;
}

/* Split the claimed ReplicaSets (our copies) into s->new_rs and s->olds. */
static void split(dep_sync *s, json_t *mine) {
  size_t i;
  json_t *rs;
  json_t *tmpl = tug_obj_get(s->d, "spec.template");
  s->olds = json_array();
  json_array_foreach(mine, i, rs) {
    if (ctl_templates_equal(tug_obj_get(rs, "spec.template"), tmpl) &&
        (s->new_rs == NULL || by_creation(&rs, &s->new_rs) < 0)) {
      if (s->new_rs)
        json_array_append_new(s->olds, s->new_rs);
      s->new_rs = json_deep_copy(rs);
    } else {
      json_array_append_new(s->olds, json_deep_copy(rs));
    }
  }
}

static int get_new_rs(dep_sync *s, bool create, int64_t replicas) {
  if (s->new_rs) {
    if (sync_revision(s, s->new_rs, s->olds) < 0)
      return -1;
    if (ctl_condition(s->d, "Progressing") == NULL) {
      char msg[400];
      snprintf(msg, sizeof msg, "Found new replica set \"%s\"", tug_obj_name(s->new_rs));
      ctl_set_condition(s->status, "Progressing", "True", "FoundNewReplicaSet", msg,
                        CTL_COND_UPDATE_TIME);
    }
    return 0;
  }
  if (!create)
    return 0;
  s->new_rs = create_new_rs(s, s->olds, replicas);
  return s->new_rs ? 0 : -1;
}

/* ---- the strategies ---- */

/* A count summed over every ReplicaSet, new and old. */
static int64_t sum(dep_sync *s, int64_t (*count)(const json_t *rs)) {
  int64_t n = s->new_rs ? count(s->new_rs) : 0;
  size_t i;
  json_t *rs;
  json_array_foreach(s->olds, i, rs) n += count(rs);
  return n;
}

static int64_t sum_spec(dep_sync *s) {
  return sum(s, rs_replicas);
}
static int64_t sum_available(dep_sync *s) {
  return sum(s, rs_available);
}

/* Apply the old side's planned sizes. */
static int apply_olds(dep_sync *s, ctl_rs_counts *c) {
  size_t i;
  json_t *rs;
  json_array_foreach(s->olds, i, rs) {
    if (c[i].spec != rs_replicas(rs) && scale_rs(s, rs, c[i].spec) < 0)
      return -1;
  }
  return 0;
}

static int reconcile_olds(dep_sync *s) {
  size_t n = json_array_size(s->olds);
  if (n == 0)
    return 0;
  int64_t old_spec = sum_spec(s) - rs_replicas(s->new_rs);
  if (old_spec == 0)
    return 0;
  int64_t max_down = ctl_rollout_max_scale_down(s->replicas, s->unavailable, sum_spec(s),
                                                rs_replicas(s->new_rs), rs_available(s->new_rs));
  if (max_down <= 0)
    return 0;
  ctl_rs_counts *c = calloc(n, sizeof *c);
  if (c == NULL)
    return tug_error_set(s->err, ENOMEM, "deployment rollout");
  for (size_t i = 0; i < n; i++)
    c[i] = (ctl_rs_counts){rs_replicas(json_array_get(s->olds, i)),
                           rs_available(json_array_get(s->olds, i))};
  ctl_rollout_cleanup_unhealthy(c, n, max_down);
  int rc = apply_olds(s, c);
  if (rc == 0) {
    ctl_rollout_scale_down_old(c, n, sum_available(s), s->replicas - s->unavailable);
    rc = apply_olds(s, c);
  }
  free(c);
  return rc;
}

static int rolling(dep_sync *s) {
  int64_t up = ctl_rollout_new_replicas(s->replicas, s->surge, sum_spec(s), 0);
  if (get_new_rs(s, true, up) < 0)
    return -1;
  if (s->scaled)
    return 0;
  int64_t cur = rs_replicas(s->new_rs);
  if (cur > s->replicas)
    return scale_rs(s, s->new_rs, s->replicas);
  int64_t next = ctl_rollout_new_replicas(s->replicas, s->surge, sum_spec(s), cur);
  if (next != cur)
    return scale_rs(s, s->new_rs, next);
  return reconcile_olds(s);
}

static int64_t rs_actual(const json_t *rs) {
  return tug_obj_get_int(rs, "status.replicas", 0);
}

/* Kubernetes' oldPodsRunning: an old ReplicaSet still reports pods, or a pod
 * of one is not finished (one being deleted still runs). */
static bool old_pods_left(dep_sync *s) {
  if (sum(s, rs_actual) - (s->new_rs ? rs_actual(s->new_rs) : 0) > 0)
    return true;
  _cleanup_json_ json_t *pods = ctl_list(s->x, CTL_PODS, tug_obj_namespace(s->d));
  size_t i, j;
  json_t *p, *rs;
  json_array_foreach(pods, i, p) {
    if (tug_pod_terminal(p))
      continue;
    json_array_foreach(s->olds, j, rs) if (ctl_owned_by(p, tug_obj_uid(rs))) return true;
  }
  return false;
}

static int recreate(dep_sync *s) {
  size_t i;
  json_t *rs;
  if (get_new_rs(s, false, 0) < 0)
    return -1;
  json_array_foreach(s->olds, i, rs) {
    if (rs_replicas(rs) > 0 && scale_rs(s, rs, 0) < 0)
      return -1;
  }
  if (s->scaled)
    return 0;
  if (old_pods_left(s)) {
    tug_controller_enqueue_after(s->c, s->key, 1000);
    return 0;
  }
  if (s->new_rs == NULL)
    return get_new_rs(s, true, s->replicas);
  return scale_rs(s, s->new_rs, s->replicas);
}

/* ---- scaling events and paused Deployments ---- */

static bool scaling_event(dep_sync *s) {
  size_t i;
  json_t *rs;
  char want[32];
  snprintf(want, sizeof want, "%lld", (long long)s->replicas);
  if (s->new_rs) {
    const char *a = tug_obj_annotation(s->new_rs, CTL_DESIRED_ANNOTATION);
    if (rs_replicas(s->new_rs) > 0 && a && strcmp(a, want) != 0)
      return true;
  }
  json_array_foreach(s->olds, i, rs) {
    const char *a = tug_obj_annotation(rs, CTL_DESIRED_ANNOTATION);
    if (rs_replicas(rs) > 0 && a && strcmp(a, want) != 0)
      return true;
  }
  return false;
}

/* Kubernetes' FindActiveOrLatest: the only ReplicaSet with pods, or the
 * newest when none has any; NULL when several have. */
static json_t *active_or_latest(dep_sync *s) {
  json_t *active = NULL, *latest = s->new_rs;
  size_t i, n = 0;
  json_t *rs;
  if (s->new_rs && rs_replicas(s->new_rs) > 0)
    active = s->new_rs, n++;
  json_array_foreach(s->olds, i, rs) {
    if (rs_replicas(rs) > 0)
      active = rs, n++;
    if (latest == NULL || by_creation(&latest, &rs) < 0)
      latest = rs;
  }
  return n == 0 ? latest : n == 1 ? active : NULL;
}

/* Proportional scaling simplified: extra room goes to the new ReplicaSet (or
 * the newest), a cut is taken from the oldest ReplicaSets first. */
static int scale_proportionally(dep_sync *s) {
  int64_t room = s->replicas + s->surge - sum_spec(s);
  if (room > 0) {
    json_t *target = s->new_rs ? s->new_rs : active_or_latest(s);
    return target ? scale_rs(s, target, rs_replicas(target) + room) : 0;
  }
  size_t i;
  json_t *rs;
  json_array_foreach(s->olds, i, rs) {
    if (room >= 0)
      break;
    int64_t cut = rs_replicas(rs) < -room ? rs_replicas(rs) : -room;
    if (cut > 0 && scale_rs(s, rs, rs_replicas(rs) - cut) < 0)
      return -1;
    room += cut;
  }
  if (room < 0 && s->new_rs)
    return scale_rs(s, s->new_rs, rs_replicas(s->new_rs) + room);
  return 0;
}

static int scale(dep_sync *s) {
  json_t *only = active_or_latest(s);
  if (only)
    return scale_rs(s, only, s->replicas);
  if (scale_proportionally(s) < 0)
    return -1;
  /* Every ReplicaSet with pods now says the new size, or this would be seen
   * as a scaling event again and the rollout would never resume. */
  size_t i;
  json_t *rs;
  json_array_foreach(s->olds, i, rs) {
    if (rs_replicas(rs) > 0 && scale_rs(s, rs, rs_replicas(rs)) < 0)
      return -1;
  }
  return s->new_rs && rs_replicas(s->new_rs) > 0 ? scale_rs(s, s->new_rs, rs_replicas(s->new_rs))
                                                 : 0;
}

/* ---- history ---- */

static void cleanup_history(dep_sync *s) {
  json_t *limit = tug_obj_get(s->d, "spec.revisionHistoryLimit");
  if (!json_is_integer(limit))
    return;
  size_t n = json_array_size(s->olds);
  int64_t extra = (int64_t)n - json_integer_value(limit);
  if (extra <= 0)
    return;
  _cleanup_json_ json_t *by_rev = json_copy(s->olds);
  ctl_sort(by_rev, by_revision);
  size_t i;
  json_t *rs;
  json_array_foreach(by_rev, i, rs) {
    if (extra <= 0)
      break;
    if (rs_replicas(rs) != 0 || tug_obj_get_int(rs, "status.replicas", 0) != 0 ||
        tug_obj_deletion_timestamp(rs))
      continue;
    tug_error err = {0};
    if (ctl_delete(s->x, rs, NULL, &err) < 0)
      tug_warn("old replica set not deleted", "rs=%s/%s err=%s", tug_obj_namespace(rs),
               tug_obj_name(rs), TUG_LOG_ERR(&err));
    extra--;
  }
}

/* ---- reconcile ---- */

static void rs_changed(tug_controller *c, const json_t *old, const json_t *rs, bool deleted,
                       void *arg) {
  (void)deleted;
  if (tug_controller_ref(rs) == NULL)
    ctl_enqueue_selecting(c, arg, CTL_DEPLOYMENTS, old, rs);
}

static int sync_revision_annotation(dep_sync *s) {
  const char *have = tug_obj_annotation(s->d, CTL_REVISION_ANNOTATION);
  const char *want = s->new_rs ? tug_obj_annotation(s->new_rs, CTL_REVISION_ANNOTATION) : NULL;
  if (want == NULL || (have && strcmp(have, want) == 0))
    return 0;
  _cleanup_json_ json_t *patch =
      json_pack("{s:{s:{s:s}}}", "metadata", "annotations", CTL_REVISION_ANNOTATION, want);
  return ctl_patch(s->x, s->d, patch, false, NULL, s->err);
}

static int step(dep_sync *s) {
  bool paused = json_is_true(tug_obj_get(s->d, "spec.paused"));
  if (tug_obj_deletion_timestamp(s->d))
    return 0;
  if (paused || scaling_event(s)) {
    if (get_new_rs(s, false, 0) < 0 || scale(s) < 0)
      return -1;
    return 0;
  }
  const char *type = tug_obj_get_str(s->d, "spec.strategy.type");
  int rc = type && strcmp(type, "Recreate") == 0 ? recreate(s) : rolling(s);
  if (rc == 0 && !s->scaled && ctl_deployment_complete(s->d, tug_obj_get(s->d, "status")))
    cleanup_history(s);
  return rc;
}

static int reconcile(tug_controller *c, const char *key, void *arg, tug_error *err) {
  ctl_ctx *x = arg;
  _cleanup_json_ json_t *d = ctl_get(x, CTL_DEPLOYMENTS, key);
  if (d == NULL)
    return 0;
  _cleanup_selector_ tug_selector *sel = NULL;
  if (ctl_selector(d, &sel) < 0)
    return 0;
  _cleanup_json_ json_t *all = ctl_list(x, CTL_REPLICASETS, tug_obj_namespace(d));
  int failures = 0;
  _cleanup_json_ json_t *mine = ctl_claim(x, d, sel, all, &failures);
  json_t *old_status = tug_obj_get(d, "status");
  dep_sync s = {.x = x,
                .c = c,
                .key = key,
                .d = d,
                .err = err,
                .replicas = tug_obj_get_int(d, "spec.replicas", 1),
                .status = json_is_object(old_status) ? json_deep_copy(old_status) : json_object()};
  ctl_rollout_bounds(d, &s.surge, &s.unavailable);
  split(&s, mine);
  ctl_sort(s.olds, by_creation);
  int rc = step(&s);
  if (rc == 0)
    rc = sync_revision_annotation(&s);
  tug_error serr = {0};
  if (ctl_deployment_write_status(&s, &serr) < 0 && rc == 0) {
    *err = serr;
    rc = -1;
  }
  json_decref(s.status);
  json_decref(s.new_rs);
  json_decref(s.olds);
  if (rc == 0 && failures)
    return tug_error_set(err, EAGAIN, "deployment %s: owner references not updated", key);
  return rc;
}

tug_controller *ctl_deployment_new(ctl_ctx *x, tug_error *err) {
  tug_controller_options o = {
      .name = "deployment", .reconcile = reconcile, .arg = x, .workers = x->cfg.workers};
  tug_controller *c = tug_controller_new(&o, err);
  if (c == NULL)
    return NULL;
  if (tug_controller_watch(c, x->inf[CTL_DEPLOYMENTS], err) < 0 ||
      tug_controller_watch_owned(c, x->inf[CTL_REPLICASETS], "Deployment", err) < 0 ||
      tug_controller_watch_fn(c, x->inf[CTL_REPLICASETS], rs_changed, x, err) < 0) {
    tug_controller_free(c);
    return NULL;
  }
  return c;
}
