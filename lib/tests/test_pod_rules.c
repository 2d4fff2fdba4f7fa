/*
 * Unit tests of the pod rules every binary shares: terminal phases, the
 * Ready condition, and Kubernetes' toleration matching (the node lifecycle
 * controller's own copy once ignored the value of an Equal toleration).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first. */

#include <cmocka.h>

#include "cleanup.h"
#include "object.h"
#include "pod-rules.h"
#include "json_text.h"

static bool matches(const char *toleration, const char *key, const char *value,
                    const char *effect) {
  _cleanup_json_ json_t *t = test_json(toleration);
  tug_toleration to;
  tug_toleration_parse(t, &to);
  return tug_toleration_matches(&to, key, value, effect);
}

static void test_succeeded_and_failed_are_terminal(void **state) {
  (void)state;
  _cleanup_json_ json_t *ok = test_json("{\"status\": {\"phase\": \"Succeeded\"}}"),
                        *failed = test_json("{\"status\": {\"phase\": \"Failed\"}}"),
                        *running = test_json("{\"status\": {\"phase\": \"Running\"}}"),
                        *none = test_json("{}");
  assert_true(tug_pod_terminal(ok));
  assert_true(tug_pod_terminal(failed));
  assert_false(tug_pod_terminal(running));
  assert_false(tug_pod_terminal(none));
  assert_false(tug_pod_terminal(NULL));
}

static void test_ready_reads_the_ready_condition_only(void **state) {
  (void)state;
  _cleanup_json_ json_t *ready =
                            test_json("{\"status\": {\"conditions\": [{\"type\": \"Initialized\", "
                                      "\"status\": \"False\"}, {\"type\": \"Ready\", \"status\": "
                                      "\"True\"}]}}"),
                        *unready =
                            test_json("{\"status\": {\"conditions\": [{\"type\": "
                                      "\"ContainersReady\", \"status\": \"True\"}, {\"type\": "
                                      "\"Ready\", \"status\": \"False\"}]}}"),
                        *odd = test_json("{\"status\": {\"conditions\": {\"Ready\": true}}}");
  assert_true(tug_pod_ready(ready));
  assert_false(tug_pod_ready(unready));
  assert_false(tug_pod_ready(odd));
}

static void test_equal_needs_the_same_key_and_value(void **state) {
  (void)state;
  assert_true(matches("{\"key\": \"k\", \"value\": \"v\"}", "k", "v", "NoSchedule"));
  assert_true(matches("{\"key\": \"k\", \"operator\": \"Equal\", \"value\": \"v\"}", "k", "v",
                      "NoExecute"));
  assert_false(matches("{\"key\": \"k\", \"value\": \"v\"}", "k", "w", "NoSchedule"));
  assert_false(matches("{\"key\": \"k\", \"value\": \"v\"}", "other", "v", "NoSchedule"));
  /* A missing value is "": it matches a taint without one. */
  assert_true(matches("{\"key\": \"k\"}", "k", NULL, "NoExecute"));
  assert_false(matches("{\"key\": \"k\"}", "k", "v", "NoExecute"));
}

static void test_exists_ignores_the_value_and_an_empty_key_matches_all(void **state) {
  (void)state;
  assert_true(matches("{\"key\": \"k\", \"operator\": \"Exists\"}", "k", "anything", "NoExecute"));
  assert_true(matches("{\"operator\": \"Exists\"}", "any", "thing", "NoSchedule"));
  /* An empty key with Equal matches nothing. */
  assert_false(matches("{\"value\": \"v\"}", "k", "v", "NoSchedule"));
}

static void test_the_effect_must_match_unless_empty(void **state) {
  (void)state;
  assert_true(matches("{\"key\": \"k\", \"operator\": \"Exists\"}", "k", "", "NoExecute"));
  assert_true(matches("{\"key\": \"k\", \"operator\": \"Exists\", \"effect\": \"\"}", "k", "",
                      "NoExecute"));
  assert_false(matches("{\"key\": \"k\", \"operator\": \"Exists\", \"effect\": \"NoSchedule\"}",
                       "k", "", "NoExecute"));
}

static void test_quota_usage_sums_containers_and_notes_what_is_missing(void **state) {
  (void)state;
  _cleanup_json_ json_t *pod =
      test_json("{\"spec\": {\"containers\": ["
                "{\"resources\": {\"requests\": {\"cpu\": \"250m\", \"memory\": \"64Mi\"},"
                "                \"limits\": {\"cpu\": \"1\"}}},"
                "{\"resources\": {\"requests\": {\"cpu\": \"0.5\"}}}]}}");
  bool missing;
  assert_int_equal(tug_pod_quota_usage(pod, "requests.cpu", &missing), 750);
  assert_false(missing);
  assert_int_equal(tug_pod_quota_usage(pod, "cpu", &missing), 750);
  assert_int_equal(tug_pod_quota_usage(pod, "requests.memory", &missing), 64 << 20);
  assert_true(missing);
  assert_int_equal(tug_pod_quota_usage(pod, "limits.cpu", &missing), 1000);
  assert_true(missing);
  assert_true(tug_quota_compute_resource("memory"));
  assert_true(tug_quota_compute_resource("limits.ephemeral-storage"));
  assert_false(tug_quota_compute_resource("pods"));
  assert_false(tug_quota_compute_resource("count/jobs.batch"));
}

static int64_t cpu_of(const json_t *ctr, void *arg) {
  (void)arg;
  return tug_obj_get_int(ctr, "cpu", 0);
}

static void test_effective_figure_counts_sidecars_with_the_app_and_before_inits(void **state) {
  (void)state;
  /* Sidecars run on beside the app: 100 + 10 + 20 = 130. */
  _cleanup_json_ json_t *small =
      test_json("{\"containers\": [{\"cpu\": 100}], \"initContainers\": ["
                "{\"cpu\": 10, \"restartPolicy\": \"Always\"}, {\"cpu\": 50},"
                "{\"cpu\": 20, \"restartPolicy\": \"Always\"}]}");
  assert_int_equal(tug_pod_effective(small, cpu_of, NULL), 130);
  /* An init container runs beside the sidecars before it only: 300 + 10. */
  _cleanup_json_ json_t *big =
      test_json("{\"containers\": [{\"cpu\": 100}], \"initContainers\": ["
                "{\"cpu\": 10, \"restartPolicy\": \"Always\"}, {\"cpu\": 300},"
                "{\"cpu\": 20, \"restartPolicy\": \"Always\"}]}");
  assert_int_equal(tug_pod_effective(big, cpu_of, NULL), 310);
}

static void test_quota_usage_counts_init_containers_as_kubernetes_does(void **state) {
  (void)state;
  _cleanup_json_ json_t *pod =
      test_json("{\"spec\": {\"containers\": [{\"resources\": {\"requests\": {\"cpu\": "
                "\"100m\"}}}], \"initContainers\": [{\"restartPolicy\": \"Always\", "
                "\"resources\": {\"requests\": {\"cpu\": \"50m\"}}}, {\"resources\": {}}]}}");
  bool missing;
  assert_int_equal(tug_pod_quota_usage(pod, "requests.cpu", &missing), 150);
  /* The regular init container states no request: a cpu quota refuses the pod. */
  assert_true(missing);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_succeeded_and_failed_are_terminal),
      cmocka_unit_test(test_effective_figure_counts_sidecars_with_the_app_and_before_inits),
      cmocka_unit_test(test_quota_usage_counts_init_containers_as_kubernetes_does),
      cmocka_unit_test(test_ready_reads_the_ready_condition_only),
      cmocka_unit_test(test_equal_needs_the_same_key_and_value),
      cmocka_unit_test(test_exists_ignores_the_value_and_an_empty_key_matches_all),
      cmocka_unit_test(test_the_effect_must_match_unless_empty),
      cmocka_unit_test(test_quota_usage_sums_containers_and_notes_what_is_missing),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
