/*
 * replicaset.c — keeps spec.replicas active pods for each ReplicaSet, and
 * for each ReplicationController (the same controller over another
 * resource: its selector is a plain map, which ctl_selector reads too).
 *
 * One reconcile: claim the namespace's active pods (adopt matching orphans,
 * release owned pods the selector no longer matches), then — only when the
 * creations and deletions asked for last time have all been seen by the pod
 * informer (expectations) — create the missing pods or delete the least
 * valuable extra ones, and write status. Pods being deleted do not count, so
 * a pod stuck terminating on a lost node is replaced at once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "ctl.h"
#include "log.h"
#include "object.h"
#include "pod-rules.h"

enum { MAX_BURST = 500 };

/* Which resource one instance keeps: ReplicaSets or ReplicationControllers. */
typedef struct replicas_ctl {
  ctl_ctx *x;
  enum ctl_resource r;
} replicas_ctl;

static void pod_changed(tug_controller *c, const json_t *old, const json_t *pod, bool deleted,
                        void *arg) {
  const replicas_ctl *rc = arg;
  (void)deleted;
  if (tug_controller_ref(pod) == NULL && ctl_pod_active(pod))
    ctl_enqueue_selecting(c, rc->x, rc->r, old, pod);
}

/* Make the pod count right; -1 when a write failed. */
static int manage(ctl_ctx *x, tug_controller *c, const char *key, const json_t *rs, json_t *mine,
                  json_t *status) {
  int64_t want = tug_obj_get_int(rs, "spec.replicas", 1);
  int64_t diff = (int64_t)json_array_size(mine) - want;
  tug_error err = {0};
  if (diff < 0) {
    int n = (int)(-diff > MAX_BURST ? MAX_BURST : -diff);
    if (ctl_create_pods(x, c, key, rs, tug_obj_get(rs, "spec.template"), n, &err) < 0) {
      ctl_set_condition(status, "ReplicaFailure", "True", "FailedCreate", err.msg, 0);
      return -1;
    }
    ctl_remove_condition(status, "ReplicaFailure");
  }
  if (diff > 0)
    return ctl_delete_pods(x, c, key, rs, mine, (int)(diff > MAX_BURST ? MAX_BURST : diff));
  return 0;
}

static bool labels_cover(const json_t *have, const json_t *want) {
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)want, k, v) {
    if (!json_equal(json_object_get(have, k), v))
      return false;
  }
  return true;
}

/* Fill the counts of status from the owned pods; *soonest is the wait until
 * the next pod becomes available (-1: none pending). */
static void count_pods(const json_t *rs, json_t *mine, json_t *status, double *soonest) {
  int64_t min_ready = tug_obj_get_int(rs, "spec.minReadySeconds", 0);
  json_t *tmpl_labels = tug_obj_get(rs, "spec.template.metadata.labels");
  double now = (double)time(NULL);
  int64_t labeled = 0, ready = 0, available = 0;
  size_t i;
  json_t *p;
  *soonest = -1;
  json_array_foreach(mine, i, p) {
    labeled += labels_cover(tug_obj_labels(p), tmpl_labels);
    ready += tug_pod_ready(p);
    double in = ctl_pod_available_in(p, min_ready, now);
    available += in == 0;
    if (in > 0 && (*soonest < 0 || in < *soonest))
      *soonest = in;
  }
  json_object_set_new(status, "replicas", json_integer((json_int_t)json_array_size(mine)));
  json_object_del(status, "fullyLabeledReplicas");
  json_object_del(status, "readyReplicas");
  json_object_del(status, "availableReplicas");
  if (labeled)
    json_object_set_new(status, "fullyLabeledReplicas", json_integer(labeled));
  if (ready)
    json_object_set_new(status, "readyReplicas", json_integer(ready));
  if (available)
    json_object_set_new(status, "availableReplicas", json_integer(available));
  json_object_set_new(status, "observedGeneration",
                      json_integer(tug_obj_get_int(rs, "metadata.generation", 0)));
}

static json_t *active_pods(ctl_ctx *x, const char *ns) {
  json_t *all = ctl_list(x, CTL_PODS, ns), *out = json_array();
  size_t i;
  json_t *p;
  json_array_foreach(all, i, p) if (ctl_pod_active(p)) json_array_append(out, p);
  json_decref(all);
  return out;
}

static int reconcile(tug_controller *c, const char *key, void *arg, tug_error *err) {
  const replicas_ctl *self = arg;
  ctl_ctx *x = self->x;
  _cleanup_json_ json_t *rs = ctl_get(x, self->r, key);
  if (rs == NULL) {
    tug_expectations_forget(tug_controller_expectations(c), key);
    return 0;
  }
  _cleanup_selector_ tug_selector *sel = NULL;
  if (ctl_selector(rs, &sel) < 0)
    return 0; /* the API server refuses such objects; nothing to do */
  _cleanup_json_ json_t *candidates = active_pods(x, tug_obj_namespace(rs));
  int failures = 0;
  _cleanup_json_ json_t *mine = ctl_claim(x, rs, sel, candidates, &failures);
  json_t *old = tug_obj_get(rs, "status");
  _cleanup_json_ json_t *status = json_is_object(old) ? json_deep_copy(old) : json_object();
  int rc = 0;
  if (tug_expectations_satisfied(tug_controller_expectations(c), key) &&
      tug_obj_deletion_timestamp(rs) == NULL)
    rc = manage(x, c, key, rs, mine, status);
  double soonest;
  count_pods(rs, mine, status, &soonest);
  if (soonest >= 0)
    tug_controller_enqueue_after(c, key, (long)(soonest * 1000) + 100);
  if (ctl_write_status(x, rs, status, err) < 0)
    return -1;
  if (rc < 0 || failures)
    return tug_error_set(err, EAGAIN, "%s %s: some writes failed", ctl_resource_kinds[self->r],
                         key);
  return 0;
}

static tug_controller *replicas_new(replicas_ctl *self, const char *name, tug_error *err) {
  tug_controller_options o = {
      .name = name, .reconcile = reconcile, .arg = self, .workers = self->x->cfg.workers};
  tug_controller *c = tug_controller_new(&o, err);
  if (c == NULL)
    return NULL;
  tug_shared_informer *pods = self->x->inf[CTL_PODS];
  if (tug_controller_watch(c, self->x->inf[self->r], err) < 0 ||
      tug_controller_watch_owned(c, pods, ctl_resource_kinds[self->r], err) < 0 ||
      tug_controller_watch_fn(c, pods, pod_changed, self, err) < 0) {
    tug_controller_free(c);
    return NULL;
  }
  return c;
}

/* One process has one context: each instance's arguments live as long as it. */
static replicas_ctl replicasets, replicationcontrollers;

tug_controller *ctl_replicaset_new(ctl_ctx *x, tug_error *err) {
  replicasets = (replicas_ctl){x, CTL_REPLICASETS};
  return replicas_new(&replicasets, "replicaset", err);
}

tug_controller *ctl_replicationcontroller_new(ctl_ctx *x, tug_error *err) {
  replicationcontrollers = (replicas_ctl){x, CTL_REPLICATIONCONTROLLERS};
  return replicas_new(&replicationcontrollers, "replicationcontroller", err);
}
