/*
 * job-plan.c — see job-plan.h. Kubernetes' rules: a Job fails once its
 * failures pass backoffLimit or it runs past activeDeadlineSeconds; it is
 * complete once completions pods succeeded (or, without completions, once
 * one succeeded and none is left running); meanwhile it runs
 * min(parallelism, completions left) pods at once.
 */
#include "job-plan.h"

ctl_job_plan ctl_job_plan_next(const ctl_job_counts *c) {
  ctl_job_plan p = {CTL_JOB_RUNNING, 0, 0, 0};
  if (c->failed + c->restarts > c->backoff_limit) {
    p.outcome = CTL_JOB_FAILED;
    p.reason = "BackoffLimitExceeded";
  } else if (c->deadline_passed) {
    p.outcome = CTL_JOB_FAILED;
    p.reason = "DeadlineExceeded";
  } else if (c->completions >= 0 ? c->succeeded >= c->completions
                                 : c->succeeded > 0 && c->active == 0) {
    p.outcome = CTL_JOB_COMPLETE;
  }
  if (p.outcome != CTL_JOB_RUNNING) {
    p.remove = c->active;
    return p;
  }
  int64_t want = c->suspended ? 0 : c->parallelism;
  if (c->completions >= 0 && c->completions - c->succeeded < want)
    want = c->completions - c->succeeded;
  if (c->completions < 0 && c->succeeded > 0 && c->active < want)
    want = c->active; /* a work queue that has started finishing starts nothing new */
  if (want < 0)
    want = 0;
  if (c->active < want)
    p.create = want - c->active;
  else
    p.remove = c->active - want;
  return p;
}
