/*
 * cronjob.c — starts a CronJob's Jobs on its schedule (batch/v1 CronJob).
 *
 * One reconcile: read the CronJob's Jobs (those it controls), bring
 * status.active and lastSuccessfulTime up to date, delete finished Jobs beyond
 * the history limits, then ask cronjob-plan.c whether a run is due and do what
 * it says: create the Job "<name>-<scheduled minutes since the epoch>" from
 * jobTemplate (deleting the active ones first under Replace), or record why
 * not. The key is queued again for the next scheduled time, so the clock, not
 * an event, wakes the controller; a restart simply reconciles every CronJob,
 * and the plan runs the most recent missed time once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "cronjob-plan.h"
#include "ctl.h"
#include "kinds.h"
#include "log.h"
#include "object.h"
#include "timestamp.h"

#define SCHEDULED_ANNOTATION "batch.kubernetes.io/cronjob-scheduled-timestamp"

/* Complete or Failed, from the Job's conditions; NULL while it runs. */
static const char *job_finished(const json_t *job) {
  static const char *const types[] = {"Complete", "Failed"};
  for (int i = 0; i < 2; i++) {
    const char *s = json_string_value(json_object_get(ctl_condition(job, types[i]), "status"));
    if (s && strcmp(s, "True") == 0)
      return types[i];
  }
  return NULL;
}

static json_t *owned_jobs(ctl_ctx *x, const json_t *cj) {
  _cleanup_json_ json_t *all = ctl_list(x, CTL_JOBS, tug_obj_namespace(cj));
  json_t *out = json_array();
  size_t i;
  json_t *j;
  json_array_foreach(all, i, j) {
    json_t *ref = tug_controller_ref(j);
    const char *uid = json_string_value(json_object_get(ref, "uid"));
    if (uid && strcmp(uid, tug_obj_uid(cj)) == 0)
      json_array_append(out, j);
  }
  return out;
}

static json_t *job_ref(const json_t *job) {
  return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "kind", "Job", "namespace",
                   tug_obj_namespace(job), "name", tug_obj_name(job), "uid", tug_obj_uid(job),
                   "apiVersion", "batch/v1", "resourceVersion",
                   tug_obj_get_str(job, "metadata.resourceVersion")
                       ? tug_obj_get_str(job, "metadata.resourceVersion")
                       : "");
}

/* status.active := the Jobs still running; lastSuccessfulTime := the latest
 * completion among those that succeeded. */
static void track_jobs(const json_t *jobs, json_t *status) {
  json_t *active = json_array();
  size_t i;
  json_t *j;
  double last = tug_time_parse(tug_obj_get_str(status, "lastSuccessfulTime"));
  json_array_foreach(jobs, i, j) {
    const char *done = job_finished(j);
    if (done == NULL) {
      if (tug_obj_deletion_timestamp(j) == NULL)
        json_array_append_new(active, job_ref(j));
      continue;
    }
    const char *at = tug_obj_get_str(j, "status.completionTime");
    if (strcmp(done, "Complete") == 0 && at && tug_time_parse(at) > last) {
      last = tug_time_parse(at);
      json_object_set_new(status, "lastSuccessfulTime", json_string(at));
    }
  }
  if (json_array_size(active))
    json_object_set_new(status, "active", active);
  else {
    json_object_del(status, "active");
    json_decref(active);
  }
}

/* Oldest first by status.startTime (unset last), then name: Kubernetes' byJobStartTime. */
static int by_start_time(const void *a, const void *b) {
  const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
  double tx = tug_time_parse(tug_obj_get_str(x, "status.startTime"));
  double ty = tug_time_parse(tug_obj_get_str(y, "status.startTime"));
  if ((tx < 0) != (ty < 0))
    return tx < 0 ? 1 : -1;
  if (tx != ty)
    return tx < ty ? -1 : 1;
  return strcmp(tug_obj_name(x), tug_obj_name(y));
}

/* Delete the oldest finished Jobs of one outcome beyond limit. */
static int trim_history(ctl_ctx *x, const json_t *cj, const json_t *jobs, const char *outcome,
                        const char *limit_path) {
  json_t *limit = tug_obj_get(cj, limit_path);
  if (!json_is_integer(limit))
    return 0;
  _cleanup_json_ json_t *done = json_array();
  size_t i;
  json_t *j;
  json_array_foreach(jobs, i, j) {
    const char *f = job_finished(j);
    if (f && strcmp(f, outcome) == 0 && tug_obj_deletion_timestamp(j) == NULL)
      json_array_append(done, j);
  }
  ctl_sort(done, by_start_time);
  int64_t extra = (int64_t)json_array_size(done) - json_integer_value(limit);
  int rc = 0;
  for (int64_t k = 0; k < extra; k++) {
    tug_error err = {0};
    json_t *victim = json_array_get(done, (size_t)k);
    if (ctl_delete(x, victim, "Background", &err) < 0 && err.code != ENOENT) {
      tug_event_record(x->events, cj, "Warning", "FailedDelete", "Deleted job: %s", err.msg);
      rc = -1;
      continue;
    }
    tug_event_record(x->events, cj, "Normal", "SuccessfulDelete", "Deleted job %s",
                     tug_obj_name(victim));
  }
  return rc;
}

/* The Job for scheduled: jobTemplate's labels, annotations and spec, owned by cj. */
static json_t *job_for(const json_t *cj, time_t scheduled) {
  char name[320], stamp[64];
  ctl_cron_job_name(tug_obj_name(cj), scheduled, name, sizeof name);
  json_t *meta = json_pack("{s:s, s:s, s:[o]}", "name", name, "namespace", tug_obj_namespace(cj),
                           "ownerReferences", tug_controller_ref_new(cj));
  json_t *labels = tug_obj_get(cj, "spec.jobTemplate.metadata.labels");
  json_t *annotations = json_deep_copy(tug_obj_get(cj, "spec.jobTemplate.metadata.annotations"));
  if (!json_is_object(annotations)) {
    json_decref(annotations);
    annotations = json_object();
  }
  tug_cron_format_time(scheduled, tug_obj_get_str(cj, "spec.timeZone"), stamp, sizeof stamp);
  json_object_set_new(annotations, SCHEDULED_ANNOTATION, json_string(stamp));
  if (json_is_object(labels))
    json_object_set_new(meta, "labels", json_deep_copy(labels));
  json_object_set_new(meta, "annotations", annotations);
  json_t *spec = json_deep_copy(tug_obj_get(cj, "spec.jobTemplate.spec"));
  return json_pack("{s:s, s:s, s:o, s:o}", "apiVersion", "batch/v1", "kind", "Job", "metadata",
                   meta, "spec", spec ? spec : json_object());
}

/* Replace: delete what runs now before the new run starts. */
static int replace_active(ctl_ctx *x, const json_t *cj, json_t *status) {
  json_t *active = json_object_get(status, "active");
  size_t i;
  json_t *ref;
  json_array_foreach(active, i, ref) {
    char key[512];
    tug_error err = {0};
    snprintf(key, sizeof key, "%s/%s", tug_obj_namespace(cj), tug_obj_get_str(ref, "name"));
    _cleanup_json_ json_t *job = ctl_get(x, CTL_JOBS, key);
    if (job && ctl_delete(x, job, "Background", &err) < 0 && err.code != ENOENT) {
      tug_event_record(x->events, cj, "Warning", "FailedDelete", "Error deleting job: %s", err.msg);
      return -1;
    }
    tug_event_record(x->events, cj, "Normal", "SuccessfulDelete", "Deleted job %s",
                     tug_obj_get_str(ref, "name"));
  }
  json_object_del(status, "active");
  return 0;
}

static int start_job(ctl_ctx *x, const json_t *cj, time_t scheduled, json_t *status,
                     tug_error *err) {
  char path[512], stamp[64];
  _cleanup_json_ json_t *job = job_for(cj, scheduled), *made = NULL;
  if (tug_api_path(path, sizeof path, "Job", tug_obj_namespace(cj), NULL, NULL, err) < 0)
    return -1;
  if (tug_client_create(x->client, path, job, &made, err) < 0) {
    if (err->code != TUG_E_CONFLICT) {
      tug_event_record(x->events, cj, "Warning", "FailedCreate", "Error creating job: %s",
                       err->msg);
      return -1;
    }
    /* Made by an earlier try whose status write was lost: take it as this run's. */
    tug_error_clear(err);
    made = json_incref(job);
  } else {
    tug_event_record(x->events, cj, "Normal", "SuccessfulCreate", "Created job %s",
                     tug_obj_name(made));
  }
  json_t *active = json_object_get(status, "active");
  if (!json_is_array(active))
    json_object_set_new(status, "active", active = json_array());
  if (tug_obj_uid(made))
    json_array_append_new(active, job_ref(made));
  json_object_set_new(status, "lastScheduleTime",
                      json_string(tug_time_format(scheduled, stamp, sizeof stamp)));
  return 0;
}

static ctl_cron_policy policy_of(const json_t *cj) {
  const char *p = tug_obj_get_str(cj, "spec.concurrencyPolicy");
  if (p && strcmp(p, "Forbid") == 0)
    return CTL_CRON_FORBID;
  if (p && strcmp(p, "Replace") == 0)
    return CTL_CRON_REPLACE;
  return CTL_CRON_ALLOW;
}

static time_t parse_or(const char *ts, time_t dflt) {
  double t = tug_time_parse(ts);
  return t < 0 ? dflt : (time_t)t;
}

/* Act on the plan; the status changes go into status. */
static int run_plan(ctl_ctx *x, tug_controller *c, const char *key, const json_t *cj,
                    const tug_cron *sched, json_t *status, tug_error *err) {
  json_t *active = json_object_get(status, "active");
  size_t n = json_array_size(active);
  const char **names = calloc(n ? n : 1, sizeof *names);
  if (names == NULL)
    return tug_error_set(err, ENOMEM, "cronjob %s", key);
  for (size_t i = 0; i < n; i++)
    names[i] = tug_obj_get_str(json_array_get(active, i), "name");
  json_t *deadline = tug_obj_get(cj, "spec.startingDeadlineSeconds");
  ctl_cron_state s = {
      .schedule = sched,
      .zone = tug_obj_get_str(cj, "spec.timeZone"),
      .now = time(NULL),
      .created = parse_or(tug_obj_get_str(cj, "metadata.creationTimestamp"), time(NULL)),
      .last_schedule = parse_or(tug_obj_get_str(status, "lastScheduleTime"), -1),
      .starting_deadline = json_is_integer(deadline) ? json_integer_value(deadline) : -1,
      .suspend = json_is_true(tug_obj_get(cj, "spec.suspend")),
      .policy = policy_of(cj),
      .name = tug_obj_name(cj),
      .active_jobs = names,
      .n_active = n,
  };
  ctl_cron_plan p = ctl_cron_plan_next(&s);
  free(names);
  if (p.next >= 0)
    tug_controller_enqueue_after(c, key, (long)(p.next - s.now) * 1000 + 100);
  if (p.missed > CTL_CRON_MANY_MISSED)
    tug_event_record(x->events, cj, "Warning", "TooManyMissedTimes",
                     "too many missed start times: %lld. Set or decrease "
                     ".spec.startingDeadlineSeconds or check clock skew",
                     (long long)p.missed);
  char when[64];
  switch (p.action) {
  case CTL_CRON_TOO_LATE:
    tug_event_record(x->events, cj, "Warning", "MissSchedule",
                     "Missed scheduled time to start a job: %s",
                     tug_time_format(p.scheduled, when, sizeof when));
    return 0;
  case CTL_CRON_FORBIDDEN:
    tug_event_record(x->events, cj, "Normal", "JobAlreadyActive",
                     "Not starting job because prior execution is running and concurrency "
                     "policy is Forbid");
    return 0;
  case CTL_CRON_START:
    if (p.replace && replace_active(x, cj, status) < 0)
      return tug_error_set(err, EAGAIN, "cronjob %s: could not replace its active jobs", key);
    return start_job(x, cj, p.scheduled, status, err);
  default:
    return 0;
  }
}

/* Run the plan for a CronJob that is not being deleted; a schedule the API
 * server let through but this parser refuses is reported, not retried. */
static int schedule(ctl_ctx *x, tug_controller *c, const char *key, const json_t *cj,
                    json_t *status, tug_error *err) {
  tug_cron sched;
  tug_error perr = {0};
  if (tug_cron_parse(tug_obj_get_str(cj, "spec.schedule"), &sched, &perr) == 0)
    return run_plan(x, c, key, cj, &sched, status, err);
  tug_event_record(x->events, cj, "Warning", "UnparseableSchedule", "unparseable schedule: %s : %s",
                   tug_obj_get_str(cj, "spec.schedule"), perr.msg);
  return 0;
}

static int reconcile(tug_controller *c, const char *key, void *arg, tug_error *err) {
  ctl_ctx *x = arg;
  _cleanup_json_ json_t *cj = ctl_get(x, CTL_CRONJOBS, key);
  if (cj == NULL)
    return 0;
  _cleanup_json_ json_t *jobs = owned_jobs(x, cj);
  json_t *old = tug_obj_get(cj, "status");
  _cleanup_json_ json_t *status = json_is_object(old) ? json_deep_copy(old) : json_object();
  track_jobs(jobs, status);
  int rc = trim_history(x, cj, jobs, "Complete", "spec.successfulJobsHistoryLimit");
  rc |= trim_history(x, cj, jobs, "Failed", "spec.failedJobsHistoryLimit");
  if (tug_obj_deletion_timestamp(cj) == NULL && schedule(x, c, key, cj, status, err) < 0)
    rc = -1;
  tug_error werr = {0};
  if (ctl_write_status(x, cj, status, &werr) < 0) {
    if (rc == 0)
      *err = werr;
    return -1;
  }
  if (rc < 0 && err->msg[0] == '\0')
    tug_error_set(err, EAGAIN, "cronjob %s: some writes failed", key);
  return rc < 0 ? -1 : 0;
}

tug_controller *ctl_cronjob_new(ctl_ctx *x, tug_error *err) {
  tug_controller_options o = {
      .name = "cronjob", .reconcile = reconcile, .arg = x, .workers = x->cfg.workers};
  tug_controller *c = tug_controller_new(&o, err);
  if (c == NULL)
    return NULL;
  if (tug_controller_watch(c, x->inf[CTL_CRONJOBS], err) < 0 ||
      tug_controller_watch_owned(c, x->inf[CTL_JOBS], "CronJob", err) < 0) {
    tug_controller_free(c);
    return NULL;
  }
  return c;
}
