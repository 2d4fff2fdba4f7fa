/*
 * Tests of the controllers' pure decisions: which pod to delete first, what a
 * Job does next, which pod CIDR a node gets, where a changed condition goes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cidr.h"
#include "ctl.h"
#include "job-plan.h"
#include "pod-rules.h"

static json_t *pod(const char *name, const char *node, const char *phase, bool ready,
                   const char *ready_since, int restarts, const char *created) {
  return json_pack("{s:{s:s, s:s}, s:{s:s?}, s:{s:s, s:[{s:s, s:s, s:s}], s:[{s:i}]}}", "metadata",
                   "name", name, "creationTimestamp", created, "spec", "nodeName", node, "status",
                   "phase", phase, "conditions", "type", "Ready", "status",
                   ready ? "True" : "False", "lastTransitionTime", ready_since, "containerStatuses",
                   "restartCount", restarts);
}

static const char *first_to_delete(json_t **v, size_t n) {
  qsort(v, n, sizeof *v, ctl_pod_deletion_cmp);
  return json_string_value(json_object_get(json_object_get(v[0], "metadata"), "name"));
}

static void test_deletes_unscheduled_then_pending_then_not_ready_first(void **state) {
  (void)state;
  json_t *running =
      pod("running", "n1", "Running", true, "2024-01-01T00:00:00Z", 0, "2024-01-01T00:00:00Z");
  json_t *unready =
      pod("unready", "n1", "Running", false, "2024-01-01T00:00:00Z", 0, "2024-01-01T00:00:00Z");
  json_t *pending =
      pod("pending", "n1", "Pending", false, "2024-01-01T00:00:00Z", 0, "2024-01-01T00:00:00Z");
  json_t *unsched =
      pod("unscheduled", NULL, "Pending", false, "2024-01-01T00:00:00Z", 0, "2024-01-01T00:00:00Z");
  json_t *v[] = {running, unready, pending, unsched};
  assert_string_equal(first_to_delete(v, 4), "unscheduled");
  json_t *w[] = {running, unready, pending};
  assert_string_equal(first_to_delete(w, 3), "pending");
  json_t *x[] = {running, unready};
  assert_string_equal(first_to_delete(x, 2), "unready");
  json_decref(running), json_decref(unready), json_decref(pending), json_decref(unsched);
}

static void
test_among_ready_pods_deletes_newest_ready_then_most_restarted_then_newest(void **state) {
  (void)state;
  json_t *old =
      pod("old", "n1", "Running", true, "2024-01-01T00:00:00Z", 0, "2024-01-01T00:00:00Z");
  json_t *young =
      pod("young", "n1", "Running", true, "2024-01-02T00:00:00Z", 0, "2024-01-01T00:00:00Z");
  json_t *v[] = {old, young};
  assert_string_equal(first_to_delete(v, 2), "young");
  json_t *flaky =
      pod("flaky", "n1", "Running", true, "2024-01-01T00:00:00Z", 5, "2024-01-01T00:00:00Z");
  json_t *w[] = {old, flaky};
  assert_string_equal(first_to_delete(w, 2), "flaky");
  json_t *newer =
      pod("newer", "n1", "Running", true, "2024-01-01T00:00:00Z", 0, "2024-01-03T00:00:00Z");
  json_t *x[] = {old, newer};
  assert_string_equal(first_to_delete(x, 2), "newer");
  json_decref(old), json_decref(young), json_decref(flaky), json_decref(newer);
}

static void test_pods_without_status_do_not_crash_the_ordering(void **state) {
  (void)state;
  json_t *a = json_object(), *b = json_pack("{s:{s:s}}", "metadata", "name", "b");
  json_t *v[] = {a, b};
  (void)first_to_delete(v, 2);
  assert_false(tug_pod_ready(a));
  assert_false(ctl_pod_available(a, 0, 0));
  json_decref(a), json_decref(b);
}

static void test_minready_seconds_delays_availability(void **state) {
  (void)state;
  json_t *p = pod("p", "n1", "Running", true, "2024-01-01T00:00:00Z", 0, "2024-01-01T00:00:00Z");
  double t0 = 1704067200; /* 2024-01-01T00:00:00Z */
  assert_false(ctl_pod_available(p, 10, t0 + 5));
  assert_true(ctl_pod_available_in(p, 10, t0 + 5) > 4.9);
  assert_true(ctl_pod_available(p, 10, t0 + 10));
  assert_true(ctl_pod_available(p, 0, t0));
  json_decref(p);
}

static ctl_job_counts job(int64_t completions, int64_t parallelism, int64_t backoff) {
  return (ctl_job_counts){
      .completions = completions, .parallelism = parallelism, .backoff_limit = backoff};
}

static void test_job_runs_at_most_parallelism_and_no_more_than_completions_left(void **state) {
  (void)state;
  ctl_job_counts c = job(5, 2, 6);
  ctl_job_plan p = ctl_job_plan_next(&c);
  assert_int_equal(p.outcome, CTL_JOB_RUNNING);
  assert_int_equal(p.create, 2);
  c.active = 2, c.succeeded = 2;
  assert_int_equal(ctl_job_plan_next(&c).create, 0);
  c.active = 1, c.succeeded = 4;
  p = ctl_job_plan_next(&c);
  assert_int_equal(p.create, 0);
  assert_int_equal(p.remove, 0);
  c.active = 2, c.succeeded = 4;
  assert_int_equal(ctl_job_plan_next(&c).remove, 1);
  c.active = 0, c.succeeded = 5;
  assert_int_equal(ctl_job_plan_next(&c).outcome, CTL_JOB_COMPLETE);
}

static void test_job_fails_past_backoff_limit_and_stops_its_pods(void **state) {
  (void)state;
  ctl_job_counts c = job(3, 2, 2);
  c.failed = 2, c.active = 1;
  assert_int_equal(ctl_job_plan_next(&c).outcome, CTL_JOB_RUNNING);
  c.failed = 3;
  ctl_job_plan p = ctl_job_plan_next(&c);
  assert_int_equal(p.outcome, CTL_JOB_FAILED);
  assert_string_equal(p.reason, "BackoffLimitExceeded");
  assert_int_equal(p.remove, 1);
  c = job(3, 2, 2);
  c.restarts = 3; /* OnFailure restarts count too */
  assert_int_equal(ctl_job_plan_next(&c).outcome, CTL_JOB_FAILED);
  c = job(3, 2, 2);
  c.deadline_passed = true;
  c.active = 2;
  p = ctl_job_plan_next(&c);
  assert_string_equal(p.reason, "DeadlineExceeded");
  assert_int_equal(p.remove, 2);
}

static void test_work_queue_job_completes_when_one_succeeded_and_none_run(void **state) {
  (void)state;
  ctl_job_counts c = job(-1, 3, 6);
  assert_int_equal(ctl_job_plan_next(&c).create, 3);
  c.active = 2, c.succeeded = 1;
  ctl_job_plan p = ctl_job_plan_next(&c);
  assert_int_equal(p.outcome, CTL_JOB_RUNNING);
  assert_int_equal(p.create, 0);
  c.active = 0;
  assert_int_equal(ctl_job_plan_next(&c).outcome, CTL_JOB_COMPLETE);
  c = job(4, 2, 6);
  c.suspended = true, c.active = 2;
  assert_int_equal(ctl_job_plan_next(&c).remove, 2);
}

static void test_cidr_blocks_are_handed_out_lowest_first_and_never_twice(void **state) {
  (void)state;
  ctl_cidr r;
  tug_error err = {0};
  assert_int_equal(ctl_cidr_parse("198.18.0.0/16", 24, &r, &err), 0);
  assert_int_equal(ctl_cidr_blocks(&r), 256);
  bool used[256] = {0};
  char buf[32];
  long i = ctl_cidr_first_free(&r, used);
  ctl_cidr_format(&r, (size_t)i, buf, sizeof buf);
  assert_string_equal(buf, "198.18.0.0/24");
  used[ctl_cidr_index(&r, "198.18.0.0/24")] = true;
  used[ctl_cidr_index(&r, "198.18.1.0/24")] = true;
  ctl_cidr_format(&r, (size_t)ctl_cidr_first_free(&r, used), buf, sizeof buf);
  assert_string_equal(buf, "198.18.2.0/24");
  ctl_cidr_format(&r, 255, buf, sizeof buf);
  assert_string_equal(buf, "198.18.255.0/24");
  memset(used, 1, sizeof used);
  assert_int_equal(ctl_cidr_first_free(&r, used), -1);
}

static void test_cidr_rejects_bad_ranges_and_foreign_blocks(void **state) {
  (void)state;
  ctl_cidr r;
  tug_error err = {0};
  assert_int_equal(ctl_cidr_parse("198.18.0.1/16", 24, &r, &err), -1);
  assert_int_equal(ctl_cidr_parse("nonsense", 24, &r, &err), -1);
  assert_int_equal(ctl_cidr_parse("198.18.0.0/16", 16, &r, &err), -1);
  assert_int_equal(ctl_cidr_parse(NULL, 24, &r, &err), -1);
  assert_int_equal(ctl_cidr_parse("198.18.0.0/16", 24, &r, &err), 0);
  assert_int_equal(ctl_cidr_index(&r, "10.0.0.0/24"), -1);
  assert_int_equal(ctl_cidr_index(&r, "198.18.3.0/25"), -1);
  assert_int_equal(ctl_cidr_index(&r, "198.18.3.5/24"), -1);
  assert_int_equal(ctl_cidr_index(&r, NULL), -1);
  assert_int_equal(ctl_cidr_index(&r, "198.18.3.0/24"), 3);
}

static const char *cond_type(const json_t *status, size_t i) {
  return json_string_value(
      json_object_get(json_array_get(json_object_get(status, "conditions"), i), "type"));
}

static void test_changed_condition_moves_last_unless_in_place(void **state) {
  (void)state;
  json_t *st = json_object();
  assert_true(ctl_set_condition(st, "Progressing", "True", "NewReplicaSetCreated", "m", 0));
  assert_true(ctl_set_condition(st, "Available", "False", "MinimumReplicasUnavailable", "m", 0));
  /* The same status and reason change nothing, not even the order. */
  assert_false(ctl_set_condition(st, "Progressing", "True", "NewReplicaSetCreated", "m", 0));
  assert_string_equal(cond_type(st, 0), "Progressing");
  /* As SetDeploymentCondition: filtered out, then appended. */
  assert_true(ctl_set_condition(st, "Progressing", "True", "NewReplicaSetAvailable", "m", 0));
  assert_string_equal(cond_type(st, 0), "Available");
  assert_string_equal(cond_type(st, 1), "Progressing");
  assert_true(ctl_set_condition(st, "Available", "True", "MinimumReplicasAvailable", "m",
                                CTL_COND_IN_PLACE));
  assert_string_equal(cond_type(st, 0), "Available");
  assert_int_equal(json_array_size(json_object_get(st, "conditions")), 2);
  json_decref(st);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_deletes_unscheduled_then_pending_then_not_ready_first),
      cmocka_unit_test(test_among_ready_pods_deletes_newest_ready_then_most_restarted_then_newest),
      cmocka_unit_test(test_pods_without_status_do_not_crash_the_ordering),
      cmocka_unit_test(test_minready_seconds_delays_availability),
      cmocka_unit_test(test_job_runs_at_most_parallelism_and_no_more_than_completions_left),
      cmocka_unit_test(test_job_fails_past_backoff_limit_and_stops_its_pods),
      cmocka_unit_test(test_work_queue_job_completes_when_one_succeeded_and_none_run),
      cmocka_unit_test(test_cidr_blocks_are_handed_out_lowest_first_and_never_twice),
      cmocka_unit_test(test_cidr_rejects_bad_ranges_and_foreign_blocks),
      cmocka_unit_test(test_changed_condition_moves_last_unless_in_place),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
