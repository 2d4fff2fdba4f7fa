/* Unit tests for the agent's /metrics: pod dir names and the exposition
 * text of a node whose pods have no cgroups (none exist here). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent-metrics.h"

static void pod_dir_names_split_into_namespace_pod_and_uid(void **state) {
  (void)state;
  char ns[64], pod[64], uid[64];
  assert_true(agent_metrics_pod_dir("default_web-1_8d1e-22", ns, pod, uid, sizeof ns));
  assert_string_equal(ns, "default");
  assert_string_equal(pod, "web-1");
  assert_string_equal(uid, "8d1e-22");
  assert_true(agent_metrics_pod_dir("kube-system_a.b_u", ns, pod, uid, sizeof ns));
  assert_string_equal(pod, "a.b");
}

static void other_names_are_not_pod_dirs(void **state) {
  (void)state;
  char ns[8], pod[8], uid[8];
  const char *bad[] = {"", "nounderscore", "ns_uid", "_pod_uid", "ns__uid", "ns_pod_", ".", ".."};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    assert_false(agent_metrics_pod_dir(bad[i], ns, pod, uid, sizeof ns));
  assert_false(agent_metrics_pod_dir("namespace-too-long_p_u", ns, pod, uid, sizeof ns));
}

static void a_node_without_pod_cgroups_reports_zero_pods(void **state) {
  (void)state;
  char root[] = "/tmp/tug-metrics-test.XXXXXX", logs[64], pod[128];
  assert_non_null(mkdtemp(root));
  snprintf(logs, sizeof logs, "%s/logs", root);
  snprintf(pod, sizeof pod, "%s/default_p_no-such-uid-for-tests", logs);
  mkdir(logs, 0700);
  mkdir(pod, 0700);
  char *text = NULL;
  size_t len = 0;
  tug_error err = {0};
  assert_int_equal(agent_metrics_render(root, AGENT_CGROUP_V1, &text, &len, &err), 0);
  assert_non_null(strstr(text, "# TYPE container_cpu_usage_seconds_total counter\n"));
  assert_non_null(strstr(text, "# TYPE container_memory_working_set_bytes gauge\n"));
  assert_non_null(strstr(text, "\ntug_node_pods 0\n"));
  assert_null(strstr(text, "pod=\"p\""));
  free(text);
  rmdir(pod);
  rmdir(logs);
  rmdir(root);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(pod_dir_names_split_into_namespace_pod_and_uid),
      cmocka_unit_test(other_names_are_not_pod_dirs),
      cmocka_unit_test(a_node_without_pod_cgroups_reports_zero_pods),
  };
  return cmocka_run_group_tests_name("agent_metrics", tests, NULL, NULL);
}
