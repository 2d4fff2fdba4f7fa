/*
 * cronjob-plan.h — what a CronJob should do now, from its schedule, its
 * status and the clock alone (pure, tested): Kubernetes' CronJob controller
 * (v2) decisions.
 *
 * The due time is the most recent scheduled time not yet run: counted from
 * lastScheduleTime (else creationTimestamp), or from now - startingDeadlineSeconds
 * when that is later. Only that one time runs, however many were missed while
 * the controller was down; more than 100 missed is reported (TooManyMissedTimes)
 * and the most recent still runs, as Kubernetes 1.32 does.
 */
#ifndef TUG_CTL_CRONJOB_PLAN_H
#define TUG_CTL_CRONJOB_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cron.h"

enum { CTL_CRON_MANY_MISSED = 100 };

typedef enum ctl_cron_policy { CTL_CRON_ALLOW, CTL_CRON_FORBID, CTL_CRON_REPLACE } ctl_cron_policy;

typedef struct ctl_cron_state {
  const tug_cron *schedule;
  const char *zone;          /* spec.timeZone; NULL: the controller's */
  time_t now, created;       /* creationTimestamp */
  time_t last_schedule;      /* status.lastScheduleTime; -1: never */
  int64_t starting_deadline; /* spec.startingDeadlineSeconds; -1: unset */
  bool suspend;
  ctl_cron_policy policy;
  const char *name;               /* the CronJob's, for the Jobs' names */
  const char *const *active_jobs; /* names in status.active */
  size_t n_active;
} ctl_cron_state;

typedef enum ctl_cron_action {
  CTL_CRON_WAIT,      /* nothing due (or suspended) */
  CTL_CRON_TOO_LATE,  /* due, but past startingDeadlineSeconds: MissSchedule */
  CTL_CRON_DONE,      /* that time already has its Job */
  CTL_CRON_FORBIDDEN, /* a run is active under Forbid: JobAlreadyActive */
  CTL_CRON_START,     /* create the Job (after deleting the active ones when replace) */
} ctl_cron_action;

typedef struct ctl_cron_plan {
  ctl_cron_action action;
  time_t scheduled; /* the due time (TOO_LATE, DONE, FORBIDDEN, START) */
  int64_t missed;   /* scheduled times since the earliest counted (an estimate, as Kubernetes') */
  bool replace;     /* START under Replace with Jobs active: delete them first */
  time_t next;      /* the next scheduled time after now, to wake up at; -1: none */
} ctl_cron_plan;

ctl_cron_plan ctl_cron_plan_next(const ctl_cron_state *s);

/* "<cronjob>-<scheduled minutes since the epoch>" into buf. */
void ctl_cron_job_name(const char *cronjob, time_t scheduled, char *buf, size_t size);

#endif
