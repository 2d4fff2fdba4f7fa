/*
 * cronjob-plan.c — the CronJob controller's decisions (see cronjob-plan.h).
 */
#include "cronjob-plan.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void ctl_cron_job_name(const char *cronjob, time_t scheduled, char *buf, size_t size) {
  snprintf(buf, size, "%s-%" PRId64, cronjob, (int64_t)scheduled / 60);
}

/* Kubernetes' mostRecentScheduleTime: the latest scheduled time in
 * (earliest, now], -1 when none; *missed counts them roughly. */
static time_t most_recent(const ctl_cron_state *s, int64_t *missed) {
  time_t earliest = s->last_schedule >= 0 ? s->last_schedule : s->created;
  if (s->starting_deadline >= 0 && s->now - s->starting_deadline > earliest)
    earliest = s->now - s->starting_deadline;
  *missed = 0;
  time_t t1 = tug_cron_next(s->schedule, s->zone, earliest);
  if (t1 < 0 || s->now < t1)
    return -1;
  time_t t2 = tug_cron_next(s->schedule, s->zone, t1);
  *missed = 1;
  if (t2 < 0 || s->now < t2)
    return t1;
  int64_t between = (int64_t)(t2 - t1);
  *missed = (int64_t)(s->now - t1) / between + 1;
  /* Start two periods before the estimate and let the schedule walk to now:
   * exact for irregular schedules ("30 6-16/4 * * 1-5") too. */
  time_t t = t1 + (time_t)((*missed - 2) * between), found = -1;
  for (t = tug_cron_next(s->schedule, s->zone, t); t >= 0 && t <= s->now;
       t = tug_cron_next(s->schedule, s->zone, t))
    found = t;
  return found;
}

static bool already_run(const ctl_cron_state *s, time_t scheduled) {
  char name[320];
  ctl_cron_job_name(s->name, scheduled, name, sizeof name);
  for (size_t i = 0; i < s->n_active; i++)
    if (s->active_jobs[i] && strcmp(s->active_jobs[i], name) == 0)
      return true;
  return s->last_schedule == scheduled;
}

ctl_cron_plan ctl_cron_plan_next(const ctl_cron_state *s) {
  ctl_cron_plan p = {.action = CTL_CRON_WAIT, .scheduled = -1};
  p.next = tug_cron_next(s->schedule, s->zone, s->now);
  if (s->suspend)
    return p;
  p.scheduled = most_recent(s, &p.missed);
  if (p.scheduled < 0)
    p.action = CTL_CRON_WAIT;
  else if (s->starting_deadline >= 0 && p.scheduled + s->starting_deadline < s->now)
    p.action = CTL_CRON_TOO_LATE;
  else if (already_run(s, p.scheduled))
    p.action = CTL_CRON_DONE;
  else if (s->policy == CTL_CRON_FORBID && s->n_active > 0)
    p.action = CTL_CRON_FORBIDDEN;
  else {
    p.action = CTL_CRON_START;
    p.replace = s->policy == CTL_CRON_REPLACE && s->n_active > 0;
  }
  return p;
}
