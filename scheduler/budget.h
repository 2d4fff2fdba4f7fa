/*
 * budget.h — a Queue's time-based budget: how many resource-hours its pods may
 * use in each window (spec.budget), e.g. 100 cpu-hours a day.
 *
 * Usage is charged as it runs: a queue's admitted requests times the time they
 * were held, charged whenever its usage changes and on every scheduling pass.
 * Windows are aligned to the epoch (a day's window starts at 00:00 UTC). Once a
 * resource's budget is spent, pods asking for that resource wait until the
 * next window; pods already running keep running (they are not preempted), so
 * a window may end somewhat over budget. The charge made so far is written to
 * status.budget and read back from it when the scheduler starts, so a restart
 * does not hand out a second budget in one window.
 */
#ifndef SCHED_BUDGET_H
#define SCHED_BUDGET_H

#include <jansson.h>
#include <stdbool.h>

#include "error.h"
#include "resources.h"

typedef struct sched_budget {
  int64_t window_s; /* 0: no budget */
  sched_res limit;  /* per window, in resource units x hours */
  bool has_limit[SCHED_NRES];
  double used[SCHED_NRES]; /* resource units x seconds, this window */
  double window_start;     /* epoch seconds */
  double charged_at;       /* wall time usage was last charged */
} sched_budget;

/* spec.budget {windowSeconds, limits}, and what status.budget says was used. */
int sched_budget_parse(sched_budget *b, const json_t *spec, const json_t *status, tug_error *err);
/* Charge usage held since the last charge; true when a new window began. */
bool sched_budget_charge(sched_budget *b, const sched_res *usage, double wall);
/* Whether a pod asking for req must wait for the next window. */
bool sched_budget_spent(const sched_budget *b, const sched_res *req);
/* status.budget: {windowStart, used: {resource: hours}}; NULL without a budget. */
json_t *sched_budget_status(const sched_budget *b, const sched_res *usage, double wall);

#endif
