/* Unit tests for reading the agents' /metrics in `tug top`: pod rows only, any input safe. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "metrics.h"

static void pod_rows_are_read_and_container_rows_skipped(void **state) {
  (void)state;
  const char *text =
      "# HELP container_cpu_usage_seconds_total Cumulative cpu time consumed in seconds.\n"
      "# TYPE container_cpu_usage_seconds_total counter\n"
      "container_cpu_usage_seconds_total{namespace=\"shop\",pod=\"web-1\",container=\"\"} 1.5\n"
      "container_cpu_usage_seconds_total{namespace=\"shop\",pod=\"web-1\",container=\"httpd\"} "
      "1.4\n"
      "container_memory_working_set_bytes{namespace=\"shop\",pod=\"web-1\",container=\"\"} "
      "2097152\n"
      "container_memory_working_set_bytes{namespace=\"a\\\"b\",pod=\"p\"} 7\n"
      "container_memory_usage_bytes{namespace=\"shop\",pod=\"web-1\",container=\"\"} 9\n"
      "tug_node_pods 2";
  cli_pod_usage *u = NULL;
  size_t n = 0;
  assert_int_equal(cli_metrics_pods(text, &u, &n), 0);
  assert_int_equal(n, 2);
  assert_string_equal(u[0].namespace, "shop");
  assert_string_equal(u[0].pod, "web-1");
  assert_true(u[0].cpu_seconds == 1.5);
  assert_true(u[0].memory_bytes == 2097152);
  assert_string_equal(u[1].namespace, "a\"b");
  assert_true(u[1].memory_bytes == 7);
  free(u);
}

static void malformed_lines_are_skipped(void **state) {
  (void)state;
  const char *bad[] = {"",
                       "container_cpu_usage_seconds_total{",
                       "container_cpu_usage_seconds_total{namespace=\"x\",pod=\"y\"}",
                       "container_cpu_usage_seconds_total{namespace=\"x,pod=\"y\"} 1",
                       "container_cpu_usage_seconds_total{namespace=x,pod=y} 1",
                       "container_cpu_usage_seconds_total{namespace=\"x\",pod=\"y\"} abc",
                       "container_cpu_usage_seconds_total{pod=\"y\"} 1"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    cli_pod_usage *u = NULL;
    size_t n = 99;
    assert_int_equal(cli_metrics_pods(bad[i], &u, &n), 0);
    assert_int_equal(n, 0);
    free(u);
  }
}

static void labels_are_found_by_exact_key(void **state) {
  (void)state;
  char buf[16];
  assert_string_equal(cli_metrics_label("{podx=\"a\",pod=\"b\"}", "pod", buf, sizeof buf), "b");
  assert_null(cli_metrics_label("{pod=\"b\"}", "po", buf, sizeof buf));
  assert_null(cli_metrics_label("pod=\"b\"", "pod", buf, sizeof buf));
  assert_string_equal(cli_metrics_label("{pod=\"a-very-long-pod-name\"}", "pod", buf, sizeof buf),
                      "a-very-long-pod");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(pod_rows_are_read_and_container_rows_skipped),
      cmocka_unit_test(malformed_lines_are_skipped),
      cmocka_unit_test(labels_are_found_by_exact_key),
  };
  return cmocka_run_group_tests_name("cli-metrics", tests, NULL, NULL);
}
