/*
 * Tests of the CronJob controller's decisions (cronjob-plan.c): what is due,
 * missed runs after a restart, startingDeadlineSeconds, suspend, and the
 * three concurrency policies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "cronjob-plan.h"

/* 2024-05-01T10:00:00Z */
#define T0 ((time_t)1714557600)
#define MIN 60

static tug_cron every_minute, hourly;

static int setup(void **state) {
  (void)state;
  tug_error err = {0};
  return tug_cron_parse("* * * * *", &every_minute, &err) ||
         tug_cron_parse("@hourly", &hourly, &err);
}

static ctl_cron_state state_at(const tug_cron *c, time_t now) {
  return (ctl_cron_state){.schedule = c,
                          .zone = "UTC",
                          .now = now,
                          .created = T0 - 30,
                          .last_schedule = -1,
                          .starting_deadline = -1,
                          .name = "cj"};
}

static void nothing_is_due_before_the_first_time(void **st) {
  (void)st;
  ctl_cron_state s = state_at(&every_minute, T0 - 10);
  ctl_cron_plan p = ctl_cron_plan_next(&s);
  assert_int_equal(p.action, CTL_CRON_WAIT);
  assert_int_equal(p.next, T0);
}

static void a_due_time_starts_a_job_named_for_its_minute(void **st) {
  (void)st;
  ctl_cron_state s = state_at(&every_minute, T0 + 5);
  ctl_cron_plan p = ctl_cron_plan_next(&s);
  assert_int_equal(p.action, CTL_CRON_START);
  assert_int_equal(p.scheduled, T0);
  assert_int_equal(p.next, T0 + MIN);
  char name[64];
  ctl_cron_job_name("cj", p.scheduled, name, sizeof name);
  assert_string_equal(name, "cj-28575960");
}

/* Down for 3 hours: one run, for the latest missed time, and the count says how many. */
static void after_a_long_outage_only_the_most_recent_time_runs(void **st) {
  (void)st;
  ctl_cron_state s = state_at(&every_minute, T0 + 3 * 3600 + 20);
  s.last_schedule = T0 - MIN;
  ctl_cron_plan p = ctl_cron_plan_next(&s);
  assert_int_equal(p.action, CTL_CRON_START);
  assert_int_equal(p.scheduled, T0 + 3 * 3600);
  assert_true(p.missed > CTL_CRON_MANY_MISSED);
  s = state_at(&hourly, T0 + 5 * 3600 + 20);
  s.last_schedule = T0;
  p = ctl_cron_plan_next(&s);
  assert_int_equal(p.scheduled, T0 + 5 * 3600);
  assert_int_equal(p.missed, 5);
}

static void a_deadline_bounds_how_late_a_run_may_start(void **st) {
  (void)st;
  ctl_cron_state s = state_at(&hourly, T0 + 200);
  s.starting_deadline = 100;
  ctl_cron_plan p = ctl_cron_plan_next(&s);
  /* Counting starts at now - 100 s, past T0: nothing is owed. */
  assert_int_equal(p.action, CTL_CRON_WAIT);
  s.starting_deadline = 300;
  p = ctl_cron_plan_next(&s);
  assert_int_equal(p.action, CTL_CRON_START);
  assert_int_equal(p.scheduled, T0);
}

static void a_time_already_run_is_not_run_again(void **st) {
  (void)st;
  const char *active[] = {"cj-28575960"};
  ctl_cron_state s = state_at(&every_minute, T0 + 5);
  s.active_jobs = active, s.n_active = 1;
  assert_int_equal(ctl_cron_plan_next(&s).action, CTL_CRON_DONE);
  s.active_jobs = NULL, s.n_active = 0, s.last_schedule = T0;
  assert_int_equal(ctl_cron_plan_next(&s).action, CTL_CRON_WAIT);
}

static void policies_decide_when_a_run_is_active(void **st) {
  (void)st;
  const char *active[] = {"cj-28575959"};
  ctl_cron_state s = state_at(&every_minute, T0 + 5);
  s.last_schedule = T0 - MIN, s.active_jobs = active, s.n_active = 1;
  s.policy = CTL_CRON_ALLOW;
  ctl_cron_plan p = ctl_cron_plan_next(&s);
  assert_int_equal(p.action, CTL_CRON_START);
  assert_false(p.replace);
  s.policy = CTL_CRON_FORBID;
  assert_int_equal(ctl_cron_plan_next(&s).action, CTL_CRON_FORBIDDEN);
  s.policy = CTL_CRON_REPLACE;
  p = ctl_cron_plan_next(&s);
  assert_int_equal(p.action, CTL_CRON_START);
  assert_true(p.replace);
}

static void suspended_runs_nothing_but_still_knows_the_next_time(void **st) {
  (void)st;
  ctl_cron_state s = state_at(&every_minute, T0 + 5);
  s.suspend = true;
  ctl_cron_plan p = ctl_cron_plan_next(&s);
  assert_int_equal(p.action, CTL_CRON_WAIT);
  assert_int_equal(p.next, T0 + MIN);
}

/* 09:00 in New York is 13:00 UTC in summer. */
static void the_zone_decides_the_due_time(void **st) {
  (void)st;
  tug_cron nine;
  tug_error err = {0};
  assert_int_equal(tug_cron_parse("0 9 * * *", &nine, &err), 0);
  ctl_cron_state s = state_at(&nine, T0 + 3 * 3600 + 1); /* 13:00:01Z */
  s.zone = "America/New_York";
  ctl_cron_plan p = ctl_cron_plan_next(&s);
  assert_int_equal(p.action, CTL_CRON_START);
  assert_int_equal(p.scheduled, T0 + 3 * 3600);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(nothing_is_due_before_the_first_time),
      cmocka_unit_test(a_due_time_starts_a_job_named_for_its_minute),
      cmocka_unit_test(after_a_long_outage_only_the_most_recent_time_runs),
      cmocka_unit_test(a_deadline_bounds_how_late_a_run_may_start),
      cmocka_unit_test(a_time_already_run_is_not_run_again),
      cmocka_unit_test(policies_decide_when_a_run_is_active),
      cmocka_unit_test(suspended_runs_nothing_but_still_knows_the_next_time),
      cmocka_unit_test(the_zone_decides_the_due_time),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}
