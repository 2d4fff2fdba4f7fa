/*
 * deployment-status.c — a Deployment's status as Kubernetes computes it
 * (calculateStatus and syncRolloutStatus): counts summed over its
 * ReplicaSets, the Available condition against maxUnavailable, and the
 * Progressing condition against progressDeadlineSeconds.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "deployment.h"
#include "object.h"
#include "rollout.h"
#include "timestamp.h"

static int64_t get(const json_t *status, const char *key) {
  json_t *v = json_object_get(status, key);
  return json_is_integer(v) ? json_integer_value(v) : 0;
}

/* Zero counts are left out, as Go's omitempty does. */
static void set_count(json_t *status, const char *key, int64_t v) {
  if (v)
    json_object_set_new(status, key, json_integer(v));
  else
    json_object_del(status, key);
}

bool ctl_deployment_complete(const json_t *d, const json_t *status) {
  int64_t replicas = tug_obj_get_int(d, "spec.replicas", 1);
  return get(status, "updatedReplicas") == replicas &&
         get(status, "availableReplicas") == replicas &&
         get(status, "observedGeneration") >= tug_obj_get_int(d, "metadata.generation", 0);
}

static void counts(dep_sync *s) {
  int64_t spec = 0, actual = 0, ready = 0, available = 0;
  json_t *all = json_copy(s->olds);
  if (s->new_rs)
    json_array_append(all, s->new_rs);
  size_t i;
  json_t *rs;
  json_array_foreach(all, i, rs) {
    spec += tug_obj_get_int(rs, "spec.replicas", 0);
    actual += tug_obj_get_int(rs, "status.replicas", 0);
    ready += tug_obj_get_int(rs, "status.readyReplicas", 0);
    available += tug_obj_get_int(rs, "status.availableReplicas", 0);
  }
  json_decref(all);
  set_count(s->status, "observedGeneration", tug_obj_get_int(s->d, "metadata.generation", 0));
  set_count(s->status, "replicas", actual);
  set_count(s->status, "updatedReplicas",
            s->new_rs ? tug_obj_get_int(s->new_rs, "status.replicas", 0) : 0);
  set_count(s->status, "readyReplicas", ready);
  set_count(s->status, "availableReplicas", available);
  set_count(s->status, "unavailableReplicas", spec - available > 0 ? spec - available : 0);
}

static void available_condition(dep_sync *s) {
  if (get(s->status, "availableReplicas") >= s->replicas - ctl_rollout_max_unavailable(s->d))
    ctl_set_condition(s->status, "Available", "True", "MinimumReplicasAvailable",
                      "Deployment has minimum availability.", CTL_COND_UPDATE_TIME);
  else
    ctl_set_condition(s->status, "Available", "False", "MinimumReplicasUnavailable",
                      "Deployment does not have minimum availability.", CTL_COND_UPDATE_TIME);
}

static bool progressing(const json_t *old, const json_t *now) {
  int64_t old_olds = get(old, "replicas") - get(old, "updatedReplicas");
  int64_t new_olds = get(now, "replicas") - get(now, "updatedReplicas");
  return get(now, "updatedReplicas") > get(old, "updatedReplicas") || new_olds < old_olds ||
         get(now, "readyReplicas") > get(old, "readyReplicas") ||
         get(now, "availableReplicas") > get(old, "availableReplicas");
}

static const char *cond_str(const json_t *cond, const char *key) {
  const char *v = json_string_value(json_object_get(cond, key));
  return v ? v : "";
}

/* Kubernetes' HasProgressDeadline: set, and not MaxInt32 (which means none). */
static bool has_deadline(const json_t *d) {
  json_t *v = tug_obj_get(d, "spec.progressDeadlineSeconds");
  return json_is_integer(v) && json_integer_value(v) != INT32_MAX;
}

/* "ReplicaSet "web-x" <what>", or "Deployment "web" <what>" before there is a new one. */
static void progress_msg(const dep_sync *s, const char *what, char *buf, size_t size) {
  if (s->new_rs)
    snprintf(buf, size, "ReplicaSet \"%s\" %s", tug_obj_name(s->new_rs), what);
  else
    snprintf(buf, size, "Deployment \"%s\" %s", tug_obj_name(s->d), what);
}

/* Seconds left before the progress deadline passes, from the condition's lastUpdateTime. */
static double deadline_left(const json_t *cond, int64_t deadline) {
  double since = tug_time_parse(cond_str(cond, "lastUpdateTime"));
  return since < 0 ? 0 : since + (double)deadline - (double)time(NULL);
}

/* syncRolloutStatus' Progressing logic; paused Deployments are left alone. */
static void progressing_condition(dep_sync *s) {
  json_t *deadline = tug_obj_get(s->d, "spec.progressDeadlineSeconds");
  if (!has_deadline(s->d)) {
    ctl_remove_condition(s->status, "Progressing");
    return;
  }
  json_t *cond = NULL;
  size_t i;
  json_t *c;
  json_array_foreach(json_object_get(s->status, "conditions"), i, c) {
    if (strcmp(cond_str(c, "type"), "Progressing") == 0)
      cond = c;
  }
  const char *reason = cond_str(cond, "reason");
  if (get(s->status, "replicas") == get(s->status, "updatedReplicas") &&
      strcmp(reason, "NewReplicaSetAvailable") == 0)
    return;
  char msg[400];
  if (ctl_deployment_complete(s->d, s->status)) {
    progress_msg(s, "has successfully progressed.", msg, sizeof msg);
    ctl_set_condition(s->status, "Progressing", "True", "NewReplicaSetAvailable", msg,
                      CTL_COND_UPDATE_TIME);
  } else if (progressing(tug_obj_get(s->d, "status"), s->status)) {
    progress_msg(s, "is progressing.", msg, sizeof msg);
    ctl_set_condition(s->status, "Progressing", "True", "ReplicaSetUpdated", msg,
                      CTL_COND_UPDATE_TIME | CTL_COND_REFRESH);
  } else if (cond && strcmp(reason, "ProgressDeadlineExceeded") != 0 &&
             deadline_left(cond, json_integer_value(deadline)) <= 0) {
    progress_msg(s, "has timed out progressing.", msg, sizeof msg);
    ctl_set_condition(s->status, "Progressing", "False", "ProgressDeadlineExceeded", msg,
                      CTL_COND_UPDATE_TIME);
    tug_event_record(s->x->events, s->d, "Warning", "ProgressDeadlineExceeded", "%s", msg);
  } else if (cond && strcmp(reason, "ProgressDeadlineExceeded") != 0) {
    tug_controller_enqueue_after(s->c, s->key,
                                 (long)(deadline_left(cond, json_integer_value(deadline)) * 1000) +
                                     500);
  }
}

/* checkPausedConditions; a reported lack of progress is not overwritten. */
static void paused_condition(dep_sync *s) {
  json_t *cond = ctl_condition(s->d, "Progressing");
  bool paused = json_is_true(tug_obj_get(s->d, "spec.paused"));
  bool marked = strcmp(cond_str(cond, "reason"), "DeploymentPaused") == 0;
  if (!has_deadline(s->d) || strcmp(cond_str(cond, "reason"), "ProgressDeadlineExceeded") == 0)
    return;
  if (paused && !marked)
    ctl_set_condition(s->status, "Progressing", "Unknown", "DeploymentPaused",
                      "Deployment is paused", CTL_COND_UPDATE_TIME);
  else if (!paused && marked)
    ctl_set_condition(s->status, "Progressing", "Unknown", "DeploymentResumed",
                      "Deployment is resumed", CTL_COND_UPDATE_TIME);
}

int ctl_deployment_write_status(dep_sync *s, tug_error *err) {
  paused_condition(s);
  counts(s);
  available_condition(s);
  if (!json_is_true(tug_obj_get(s->d, "spec.paused")) && !tug_obj_deletion_timestamp(s->d))
    progressing_condition(s);
  return ctl_write_status(s->x, s->d, s->status, err);
}
