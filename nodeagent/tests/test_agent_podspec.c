/*
 * Unit tests of the pod cgroup's resources computed from a pod spec: sums as
 * Kubernetes' kubelet makes them (ResourceConfigForPod), and bad input that
 * must neither crash nor overflow.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first. */

#include <cmocka.h>

#include "agent-podspec.h"
#include "cleanup.h"

static agent_resources pod_resources(const char *spec_json, int64_t pids_limit) {
  json_error_t jerr;
  _cleanup_json_ json_t *spec = json_loads(spec_json, 0, &jerr);
  if (spec == NULL)
    fail_msg("bad test JSON: %s", jerr.text);
  return agent_podspec_pod_resources(spec, pids_limit);
}

static void test_pod_sums_requests_and_limits_of_its_containers(void **state) {
  (void)state;
  agent_resources r =
      pod_resources("{\"containers\": ["
                    " {\"name\": \"a\", \"resources\": {\"requests\": {\"cpu\": \"250m\"},"
                    "   \"limits\": {\"cpu\": \"500m\", \"memory\": \"64Mi\"}}},"
                    " {\"name\": \"b\", \"resources\": {\"requests\": {\"cpu\": \"100m\"},"
                    "   \"limits\": {\"cpu\": \"1\", \"memory\": \"128Mi\"}}}]}",
                    0);
  assert_int_equal(r.cpu_request_milli, 350);
  assert_int_equal(r.cpu_limit_milli, 1500);
  assert_int_equal(r.memory_limit, 192 << 20);
  assert_int_equal(r.pids_max, 0);
}

static void test_a_limit_alone_also_requests_it(void **state) {
  (void)state;
  agent_resources r = pod_resources(
      "{\"containers\": [{\"name\": \"a\", \"resources\": {\"limits\": {\"cpu\": \"200m\"}}},"
      " {\"name\": \"b\", \"resources\": {\"limits\": {\"cpu\": \"300m\"}}}]}",
      0);
  assert_int_equal(r.cpu_request_milli, 500);
  assert_int_equal(r.cpu_limit_milli, 500);
}

static void test_one_container_without_a_limit_leaves_the_pod_unlimited(void **state) {
  (void)state;
  agent_resources r = pod_resources(
      "{\"containers\": ["
      " {\"name\": \"a\", \"resources\": {\"limits\": {\"cpu\": \"1\", \"memory\": \"1Gi\"}}},"
      " {\"name\": \"b\", \"resources\": {\"limits\": {\"memory\": \"1Gi\"},"
      "   \"requests\": {\"cpu\": \"100m\"}}}]}",
      0);
  assert_int_equal(r.cpu_request_milli, 1100);
  assert_int_equal(r.cpu_limit_milli, 0); /* b has no cpu limit */
  assert_int_equal(r.memory_limit, 2LL << 30);
}

static void test_best_effort_pod_gets_the_least_cpu_share(void **state) {
  (void)state;
  agent_resources r = pod_resources("{\"containers\": [{\"name\": \"a\"}, {\"name\": \"b\"}]}", 0);
  assert_int_equal(r.cpu_request_milli, 1);
  assert_int_equal(r.cpu_limit_milli, 0);
  assert_int_equal(r.memory_limit, 0);
}

static void test_pids_limit_is_one_figure_for_the_whole_pod(void **state) {
  (void)state;
  agent_resources r = pod_resources(
      "{\"containers\": [{\"name\": \"a\"}, {\"name\": \"b\"}, {\"name\": \"c\"}]}", 64);
  assert_int_equal(r.pids_max, 64);
}

static void test_an_init_container_bigger_than_the_app_sets_the_pod(void **state) {
  (void)state;
  agent_resources r = pod_resources(
      "{\"initContainers\": [{\"name\": \"i\", \"resources\": {\"limits\": {\"cpu\": \"2\","
      "   \"memory\": \"1Gi\"}}}],"
      " \"containers\": ["
      " {\"name\": \"a\", \"resources\": {\"limits\": {\"cpu\": \"500m\", \"memory\": \"64Mi\"}}},"
      " {\"name\": \"b\", \"resources\": {\"limits\": {\"cpu\": \"500m\", \"memory\": \"2Gi\"}}}]}",
      0);
  assert_int_equal(r.cpu_request_milli, 2000);
  assert_int_equal(r.cpu_limit_milli, 2000);
  assert_int_equal(r.memory_limit, (2LL << 30) + (64 << 20));
}

static void test_sidecars_add_to_the_app_and_to_later_init_containers(void **state) {
  (void)state;
  /* sidecar 300m runs throughout: app 200m + 300m = 500m; the init container
   * after it runs beside it: 400m + 300m = 700m, the larger. */
  agent_resources r = pod_resources(
      "{\"initContainers\": ["
      " {\"name\": \"s\", \"restartPolicy\": \"Always\","
      "  \"resources\": {\"requests\": {\"cpu\": \"300m\"}}},"
      " {\"name\": \"i\", \"resources\": {\"requests\": {\"cpu\": \"400m\"}}}],"
      " \"containers\": [{\"name\": \"a\", \"resources\": {\"requests\": {\"cpu\": \"200m\"}}}]}",
      0);
  assert_int_equal(r.cpu_request_milli, 700);
  assert_int_equal(r.cpu_limit_milli, 0);
}

static void test_overhead_is_added_to_requests_and_set_limits(void **state) {
  (void)state;
  agent_resources r = pod_resources(
      "{\"overhead\": {\"cpu\": \"100m\", \"memory\": \"10Mi\"},"
      " \"containers\": [{\"name\": \"a\", \"resources\": {\"limits\": {\"cpu\": \"1\"}}}]}",
      0);
  assert_int_equal(r.cpu_request_milli, 1100);
  assert_int_equal(r.cpu_limit_milli, 1100);
  assert_int_equal(r.memory_limit, 0); /* no memory limit to add to */
}

static void test_huge_limits_saturate_instead_of_overflowing(void **state) {
  (void)state;
  agent_resources r =
      pod_resources("{\"containers\": ["
                    " {\"name\": \"a\", \"resources\": {\"limits\": {\"cpu\": \"9000000000000000\","
                    "   \"memory\": \"4Ei\"}}},"
                    " {\"name\": \"b\", \"resources\": {\"limits\": {\"cpu\": \"9000000000000000\","
                    "   \"memory\": \"4Ei\"}}}]}",
                    0);
  assert_int_equal(r.cpu_request_milli, INT64_MAX);
  assert_int_equal(r.cpu_limit_milli, INT64_MAX);
  assert_int_equal(r.memory_limit, INT64_MAX);
}

static void test_malformed_specs_count_as_unset(void **state) {
  (void)state;
  assert_int_equal(agent_podspec_pod_resources(NULL, 5).pids_max, 5);
  assert_int_equal(agent_podspec_pod_resources(NULL, 0).cpu_limit_milli, 0);
  agent_resources r = pod_resources(
      "{\"containers\": [1, \"x\", null, {\"resources\": {\"limits\": {\"cpu\": \"lots\","
      "  \"memory\": -5}, \"requests\": [1]}}], \"initContainers\": {\"a\": 1},"
      " \"overhead\": \"big\"}",
      0);
  assert_int_equal(r.cpu_request_milli, 1);
  assert_int_equal(r.cpu_limit_milli, 0);
  assert_int_equal(r.memory_limit, 0);
  r = pod_resources("{\"containers\": {\"name\": \"a\"}}", 0);
  assert_int_equal(r.cpu_request_milli, 1);
  r = pod_resources("[]", 0);
  assert_int_equal(r.cpu_limit_milli, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pod_sums_requests_and_limits_of_its_containers),
      cmocka_unit_test(test_a_limit_alone_also_requests_it),
      cmocka_unit_test(test_one_container_without_a_limit_leaves_the_pod_unlimited),
      cmocka_unit_test(test_best_effort_pod_gets_the_least_cpu_share),
      cmocka_unit_test(test_pids_limit_is_one_figure_for_the_whole_pod),
      cmocka_unit_test(test_an_init_container_bigger_than_the_app_sets_the_pod),
      cmocka_unit_test(test_sidecars_add_to_the_app_and_to_later_init_containers),
      cmocka_unit_test(test_overhead_is_added_to_requests_and_set_limits),
      cmocka_unit_test(test_huge_limits_saturate_instead_of_overflowing),
      cmocka_unit_test(test_malformed_specs_count_as_unset),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
