/*
 * job-plan.h — what a Job should do next, from its counts alone (pure, tested).
 */
#ifndef TUG_CTL_JOB_PLAN_H
#define TUG_CTL_JOB_PLAN_H

#include <stdbool.h>
#include <stdint.h>

typedef struct ctl_job_counts {
  int64_t completions;  /* -1: not set (a work queue: done when one succeeds and none run) */
  int64_t parallelism;
  int64_t backoff_limit;
  int64_t active, succeeded, failed;
  int64_t restarts;     /* container restarts of OnFailure pods, which count as failures */
  bool deadline_passed; /* activeDeadlineSeconds since startTime */
  bool suspended;
} ctl_job_counts;

typedef enum { CTL_JOB_RUNNING, CTL_JOB_COMPLETE, CTL_JOB_FAILED } ctl_job_outcome;

typedef struct ctl_job_plan {
  ctl_job_outcome outcome;
  const char *reason; /* for CTL_JOB_FAILED: BackoffLimitExceeded or DeadlineExceeded */
  int64_t create;     /* pods to start */
  int64_t remove;     /* active pods to delete (all of them when the Job ends) */
} ctl_job_plan;

ctl_job_plan ctl_job_plan_next(const ctl_job_counts *c);

#endif
