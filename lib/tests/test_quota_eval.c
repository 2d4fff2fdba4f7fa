/* Unit tests for what an object uses of a quota resource (lib/quota-eval.c), the rule the
 * API server's admission and the quota controller share. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "quota-eval.h"

static json_t *pod(const char *phase, const char *cpu) {
  json_t *p =
      json_pack("{s:s, s:s, s:{s:[{s:s}, {s:s}]}, s:{s:s}}", "apiVersion", "v1", "kind", "Pod",
                "spec", "containers", "name", "a", "name", "b", "status", "phase", phase);
  json_t *ctrs = json_object_get(json_object_get(p, "spec"), "containers");
  json_object_set_new(json_array_get(ctrs, 0), "resources",
                      json_pack("{s:{s:s}}", "requests", "cpu", cpu));
  return p;
}

static void test_counts_name_their_kind_by_resource_and_group(void **state) {
  (void)state;
  assert_ptr_equal(tug_quota_kind("count/deployments.apps"), tug_kind_find(NULL, "Deployment"));
  assert_ptr_equal(tug_quota_kind("services"), tug_kind_find(NULL, "Service"));
  assert_ptr_equal(tug_quota_kind("requests.memory"), tug_kind_find(NULL, "Pod"));
  assert_null(tug_quota_kind("count/widgets.example.com"));
  assert_null(tug_quota_kind("deployments")); /* plain names are the four core counts only */
}

static void test_a_pod_uses_its_requests_and_one_pod_until_it_finishes(void **state) {
  (void)state;
  const tug_kind *k = tug_kind_find(NULL, "Pod");
  json_t *running = pod("Running", "250m"), *done = pod("Succeeded", "250m");
  bool missing = false;
  assert_int_equal(tug_quota_usage(k, running, "pods", NULL), 1);
  assert_int_equal(tug_quota_usage(k, running, "requests.cpu", &missing), 250);
  assert_true(missing); /* container b states no cpu request */
  assert_int_equal(tug_quota_usage(k, running, "count/services", NULL), 0);
  assert_int_equal(tug_quota_usage(k, done, "pods", NULL), 0);
  assert_int_equal(tug_quota_usage(k, done, "requests.cpu", NULL), 0);
  json_decref(running);
  json_decref(done);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_counts_name_their_kind_by_resource_and_group),
      cmocka_unit_test(test_a_pod_uses_its_requests_and_one_pod_until_it_finishes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
