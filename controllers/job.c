/*
 * job.c — runs a Job's pods to completion (batch/v1 Job).
 *
 * A reconcile counts the Job's pods (active, succeeded, failed; the counts in
 * status never go down, so a finished pod deleted by hand is not run again),
 * asks job-plan.c what to do, and does it: start pods up to parallelism,
 * delete extra ones, or end the Job (Complete, or Failed with
 * BackoffLimitExceeded / DeadlineExceeded) and stop what still runs. A failed
 * pod is replaced only after a back-off that doubles with each failure
 * (--job-backoff, Kubernetes' 10 s by default), measured from when the
 * latest failed container finished. A finished Job with
 * ttlSecondsAfterFinished is deleted that long after it finished.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "ctl.h"
#include "job-plan.h"
#include "object.h"
#include "timestamp.h"
#include "pod-rules.h"

#define MAX_BACKOFF_S 360.0

static bool finished(const json_t *job, const char **which) {
  static const char *const types[] = {"Complete", "Failed"};
  for (int i = 0; i < 2; i++) {
    const char *s = json_string_value(json_object_get(ctl_condition(job, types[i]), "status"));
    if (s && strcmp(s, "True") == 0) {
      *which = types[i];
      return true;
    }
  }
  return false;
}

/* ttlSecondsAfterFinished: delete the finished Job when its time is up. */
static int expire(ctl_ctx *x, tug_controller *c, const char *key, const json_t *job,
                  const char *which, tug_error *err) {
  json_t *ttl = tug_obj_get(job, "spec.ttlSecondsAfterFinished");
  if (!json_is_integer(ttl))
    return 0;
  const char *at = tug_obj_get_str(job, "status.completionTime");
  if (at == NULL)
    at = json_string_value(json_object_get(ctl_condition(job, which), "lastTransitionTime"));
  double done = tug_time_parse(at);
  double left = (done < 0 ? 0 : done) + (double)json_integer_value(ttl) - (double)time(NULL);
  if (left > 0) {
    tug_controller_enqueue_after(c, key, (long)(left * 1000) + 200);
    return 0;
  }
  return ctl_delete(x, job, "Background", err);
}

static json_t *job_pods(ctl_ctx *x, const json_t *job, int *failures) {
  _cleanup_json_ json_t *all = ctl_list(x, CTL_PODS, tug_obj_namespace(job));
  tug_selector *sel = NULL;
  if (json_object_size(tug_obj_get(job, "spec.selector")) > 0 && ctl_selector(job, &sel) == 0) {
    json_t *mine = ctl_claim(x, job, sel, all, failures);
    tug_selector_free(sel);
    return mine;
  }
  json_t *mine = json_array();
  size_t i;
  json_t *p;
  json_array_foreach(all, i, p) {
    const char *uid = json_string_value(json_object_get(tug_controller_ref(p), "uid"));
    if (uid && strcmp(uid, tug_obj_uid(job)) == 0)
      json_array_append(mine, p);
  }
  return mine;
}

typedef struct tally {
  ctl_job_counts counts;
  int64_t ready;
  double last_failure; /* wall-clock seconds; 0 when unknown */
  json_t *active;      /* the active pods */
} tally;

static double finished_at(const json_t *pod) {
  double latest = 0;
  size_t i;
  json_t *cs;
  json_array_foreach(tug_obj_get(pod, "status.containerStatuses"), i, cs) {
    double t = tug_time_parse(tug_obj_get_str(cs, "state.terminated.finishedAt"));
    if (t > latest)
      latest = t;
    t = tug_time_parse(tug_obj_get_str(cs, "lastState.terminated.finishedAt"));
    if (t > latest)
      latest = t;
  }
  return latest;
}

static void count(const json_t *job, json_t *pods, tally *t) {
  const char *policy = tug_obj_get_str(job, "spec.template.spec.restartPolicy");
  bool on_failure = policy && strcmp(policy, "OnFailure") == 0;
  int64_t succeeded = 0, failed = 0;
  size_t i;
  json_t *p;
  t->active = json_array();
  json_array_foreach(pods, i, p) {
    const char *phase = tug_obj_get_str(p, "status.phase");
    if (phase && strcmp(phase, "Succeeded") == 0) {
      succeeded++;
    } else if (phase && strcmp(phase, "Failed") == 0) {
      failed++;
      if (finished_at(p) > t->last_failure)
        t->last_failure = finished_at(p);
    } else if (ctl_pod_active(p)) {
      json_array_append(t->active, p);
      t->ready += tug_pod_ready(p);
      if (on_failure) {
        size_t j;
        json_t *cs;
        json_array_foreach(tug_obj_get(p, "status.containerStatuses"), j, cs)
            t->counts.restarts += json_integer_value(json_object_get(cs, "restartCount"));
        if (finished_at(p) > t->last_failure)
          t->last_failure = finished_at(p);
      }
    }
  }
  int64_t had_s = tug_obj_get_int(job, "status.succeeded", 0);
  int64_t had_f = tug_obj_get_int(job, "status.failed", 0);
  t->counts.active = (int64_t)json_array_size(t->active);
  t->counts.succeeded = succeeded > had_s ? succeeded : had_s;
  t->counts.failed = failed > had_f ? failed : had_f;
}

static void set_count(json_t *status, const char *key, int64_t v) {
  if (v)
    json_object_set_new(status, key, json_integer(v));
  else
    json_object_del(status, key);
}

/* The template with the labels that tie pods to a Job without a selector. */
static json_t *pod_template(const json_t *job) {
  json_t *tmpl = json_deep_copy(tug_obj_get(job, "spec.template"));
  if (json_object_size(tug_obj_get(job, "spec.selector")) == 0) {
    tug_obj_set_label(tmpl, "controller-uid", tug_obj_uid(job), NULL);
    tug_obj_set_label(tmpl, "job-name", tug_obj_name(job), NULL);
    tug_obj_set_label(tmpl, "batch.kubernetes.io/controller-uid", tug_obj_uid(job), NULL);
    tug_obj_set_label(tmpl, "batch.kubernetes.io/job-name", tug_obj_name(job), NULL);
  }
  return tmpl;
}

/* Wait this long before replacing a failed pod (0: go ahead). */
static double backoff_left(ctl_ctx *x, const tally *t) {
  int64_t failures = t->counts.failed + t->counts.restarts;
  if (failures == 0 || t->last_failure <= 0)
    return 0;
  double delay = x->cfg.job_backoff_s * pow(2, (double)(failures - 1));
  if (delay > MAX_BACKOFF_S)
    delay = MAX_BACKOFF_S;
  return t->last_failure + delay - (double)time(NULL);
}

static void end(ctl_ctx *x, const json_t *job, json_t *status, const ctl_job_plan *p) {
  char now[TUG_TIME_BUFSIZE];
  if (p->outcome == CTL_JOB_COMPLETE) {
    json_object_set_new(status, "completionTime", json_string(tug_time_now(now, sizeof now)));
    ctl_set_condition(status, "Complete", "True", "CompletionsReached",
                      "Reached expected number of succeeded pods",
                      CTL_COND_PROBE_TIME | CTL_COND_IN_PLACE);
    tug_event_record(x->events, job, "Normal", "Completed", "Job completed");
    return;
  }
  const char *msg = strcmp(p->reason, "DeadlineExceeded") == 0
                        ? "Job was active longer than specified deadline"
                        : "Job has reached the specified backoff limit";
  ctl_set_condition(status, "Failed", "True", p->reason, msg,
                    CTL_COND_PROBE_TIME | CTL_COND_IN_PLACE);
  tug_event_record(x->events, job, "Warning", p->reason, "%s", msg);
}

static int act(ctl_ctx *x, tug_controller *c, const char *key, const json_t *job, tally *t,
               json_t *status, tug_error *err) {
  ctl_job_plan p = ctl_job_plan_next(&t->counts);
  if (p.outcome != CTL_JOB_RUNNING) {
    end(x, job, status, &p);
    int rc = ctl_delete_pods(x, c, key, job, t->active, (int)p.remove);
    t->counts.active = t->ready = 0; /* a finished Job runs nothing */
    return rc;
  }
  if (p.remove > 0)
    return ctl_delete_pods(x, c, key, job, t->active, (int)p.remove);
  if (p.create <= 0)
    return 0;
  double wait = backoff_left(x, t);
  if (wait > 0) {
    tug_controller_enqueue_after(c, key, (long)(wait * 1000) + 100);
    return 0;
  }
  _cleanup_json_ json_t *tmpl = pod_template(job);
  return ctl_create_pods(x, c, key, job, tmpl, (int)p.create, err);
}

/* activeDeadlineSeconds, from status.startTime. */
static bool deadline_passed(tug_controller *c, const char *key, const json_t *job,
                            const json_t *status) {
  json_t *ads = tug_obj_get(job, "spec.activeDeadlineSeconds");
  double start = tug_time_parse(json_string_value(json_object_get(status, "startTime")));
  if (!json_is_integer(ads) || start < 0)
    return false;
  double left = start + (double)json_integer_value(ads) - (double)time(NULL);
  if (left > 0)
    tug_controller_enqueue_after(c, key, (long)(left * 1000) + 200);
  return left <= 0;
}

static int reconcile(tug_controller *c, const char *key, void *arg, tug_error *err) {
  ctl_ctx *x = arg;
  _cleanup_json_ json_t *job = ctl_get(x, CTL_JOBS, key);
  if (job == NULL) {
    tug_expectations_forget(tug_controller_expectations(c), key);
    return 0;
  }
  const char *which;
  if (tug_obj_deletion_timestamp(job))
    return 0;
  if (finished(job, &which))
    return expire(x, c, key, job, which, err);
  int failures = 0;
  _cleanup_json_ json_t *pods = job_pods(x, job, &failures);
  json_t *old = tug_obj_get(job, "status");
  _cleanup_json_ json_t *status = json_is_object(old) ? json_deep_copy(old) : json_object();
  char now[TUG_TIME_BUFSIZE];
  bool suspended = json_is_true(tug_obj_get(job, "spec.suspend"));
  if (!suspended && json_object_get(status, "startTime") == NULL)
    json_object_set_new(status, "startTime", json_string(tug_time_now(now, sizeof now)));
  json_t *completions = tug_obj_get(job, "spec.completions");
  tally t = {.counts = {
                 .completions = json_is_integer(completions) ? json_integer_value(completions) : -1,
                 .parallelism = tug_obj_get_int(job, "spec.parallelism", 1),
                 .backoff_limit = tug_obj_get_int(job, "spec.backoffLimit", 6),
                 .suspended = suspended,
             }};
  count(job, pods, &t);
  t.counts.deadline_passed = deadline_passed(c, key, job, status);
  int rc = 0;
  if (tug_expectations_satisfied(tug_controller_expectations(c), key))
    rc = act(x, c, key, job, &t, status, err);
  set_count(status, "active", t.counts.active);
  set_count(status, "succeeded", t.counts.succeeded);
  set_count(status, "failed", t.counts.failed);
  set_count(status, "ready", t.ready);
  json_decref(t.active);
  tug_error serr = {0};
  if (ctl_write_status(x, job, status, &serr) < 0 && rc == 0) {
    *err = serr;
    return -1;
  }
  if (rc == 0 && failures)
    return tug_error_set(err, EAGAIN, "job %s: owner references not updated", key);
  return rc;
}

tug_controller *ctl_job_new(ctl_ctx *x, tug_error *err) {
  tug_controller_options o = {.name = "job", .reconcile = reconcile, .arg = x,
                              .workers = x->cfg.workers};
  tug_controller *c = tug_controller_new(&o, err);
  if (c == NULL)
    return NULL;
  if (tug_controller_watch(c, x->inf[CTL_JOBS], err) < 0 ||
      tug_controller_watch_owned(c, x->inf[CTL_PODS], "Job", err) < 0) {
    tug_controller_free(c);
    return NULL;
  }
  return c;
}
