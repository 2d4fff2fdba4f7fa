/*
 * Tests of the Job controller's reconcile (job.c) against a recording client:
 * pods started up to parallelism, completion, the back-off limit, the TTL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "ctl_fixture.h"
#include "object.h"

#define JOB_STATUS "/apis/batch/v1/namespaces/ns/jobs/batch/status"
#define PODS "/api/v1/namespaces/ns/pods"

static json_t *job(int completions, int parallelism, int backoff_limit) {
  json_t *j = fx_object("batch/v1", "Job", "ns", "batch", "job-uid");
  json_object_set_new(j, "spec",
                      json_pack("{s:i, s:i, s:i, s:{s:{s:s, s:[{s:s, s:s}]}}}", "completions",
                                completions, "parallelism", parallelism, "backoffLimit",
                                backoff_limit, "template", "spec", "restartPolicy", "Never",
                                "containers", "name", "c", "image", "busybox"));
  return j;
}

/* The condition of type in a written status, or NULL. */
static json_t *written_condition(json_t *obj, const char *type) {
  size_t i;
  json_t *c;
  json_array_foreach(tug_obj_get(obj, "status.conditions"), i, c) {
    if (strcmp(json_string_value(json_object_get(c, "type")), type) == 0)
      return c;
  }
  return NULL;
}

static void test_starts_pods_up_to_parallelism_labelled_for_the_job(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(ctl_job_new);
  fx_put(f, CTL_JOBS, job(5, 2, 6));
  fx_reconcile(f, "ns/batch");
  assert_int_equal(fx_sent(f, "POST", PODS), 2);
  json_t *pod = fx_body(f, "POST", PODS, 0);
  assert_string_equal(tug_obj_get_str(pod, "metadata.labels.job-name"), "batch");
  assert_string_equal(tug_obj_get_str(pod, "metadata.labels.controller-uid"), "job-uid");
  json_t *st = fx_body(f, "PUT", JOB_STATUS, 0);
  assert_non_null(tug_obj_get_str(st, "status.startTime"));
  fx_free(f);
}

static void test_enough_succeeded_pods_complete_the_job(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(ctl_job_new);
  json_t *j = job(2, 1, 6);
  fx_put(f, CTL_JOBS, json_incref(j));
  fx_put(f, CTL_PODS, fx_pod("ns", "a", "ua", NULL, "Succeeded", false, j));
  fx_put(f, CTL_PODS, fx_pod("ns", "b", "ub", NULL, "Succeeded", false, j));
  fx_reconcile(f, "ns/batch");
  assert_int_equal(fx_sent(f, "POST", PODS), 0);
  json_t *st = fx_body(f, "PUT", JOB_STATUS, 0);
  assert_int_equal(tug_obj_get_int(st, "status.succeeded", -1), 2);
  assert_non_null(tug_obj_get_str(st, "status.completionTime"));
  json_t *c = written_condition(st, "Complete");
  assert_non_null(c);
  assert_string_equal(json_string_value(json_object_get(c, "status")), "True");
  json_decref(j);
  fx_free(f);
}

static void test_failures_past_the_backoff_limit_fail_the_job_and_stop_its_pods(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(ctl_job_new);
  json_t *j = job(3, 2, 0);
  fx_put(f, CTL_JOBS, json_incref(j));
  fx_put(f, CTL_PODS, fx_pod("ns", "failed", "uf", NULL, "Failed", false, j));
  fx_put(f, CTL_PODS, fx_pod("ns", "running", "ur", NULL, "Running", true, j));
  fx_reconcile(f, "ns/batch");
  json_t *c = written_condition(fx_body(f, "PUT", JOB_STATUS, 0), "Failed");
  assert_non_null(c);
  assert_string_equal(json_string_value(json_object_get(c, "reason")), "BackoffLimitExceeded");
  assert_int_equal(fx_sent(f, "DELETE", PODS "/running"), 1);
  assert_int_equal(fx_sent(f, "POST", PODS), 0);
  json_decref(j);
  fx_free(f);
}

static void test_a_finished_job_past_its_ttl_is_deleted_in_the_background(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(ctl_job_new);
  json_t *j = job(1, 1, 6);
  json_object_set_new(json_object_get(j, "spec"), "ttlSecondsAfterFinished", json_integer(0));
  json_object_set_new(j, "status",
                      json_pack("{s:s, s:[{s:s, s:s, s:s}]}", "completionTime",
                                "2026-01-01T00:00:00Z", "conditions", "type", "Complete", "status",
                                "True", "lastTransitionTime", "2026-01-01T00:00:00Z"));
  fx_put(f, CTL_JOBS, j);
  fx_reconcile(f, "ns/batch");
  json_t *opts = fx_body(f, "DELETE", "/apis/batch/v1/namespaces/ns/jobs/batch", 0);
  assert_string_equal(tug_obj_get_str(opts, "propagationPolicy"), "Background");
  assert_string_equal(tug_obj_get_str(opts, "preconditions.uid"), "job-uid");
  fx_free(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_starts_pods_up_to_parallelism_labelled_for_the_job),
      cmocka_unit_test(test_enough_succeeded_pods_complete_the_job),
      cmocka_unit_test(test_failures_past_the_backoff_limit_fail_the_job_and_stop_its_pods),
      cmocka_unit_test(test_a_finished_job_past_its_ttl_is_deleted_in_the_background),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
