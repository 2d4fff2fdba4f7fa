/* Unit tests of the resources → cgroup files mapping, v1 and v2 (no root needed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first. */

#include <cmocka.h>

#include <string.h>

#include "runtime-cgroup.h"

/* The value written to file, or NULL when the mapping does not write it. */
static const char *value_of(const agent_cgroup_setting *s, size_t n, const char *file) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(s[i].file, file) == 0)
      return s[i].value;
  return NULL;
}

static void test_cpu_shares_follow_kubernetes(void **state) {
  (void)state;
  assert_int_equal(agent_cgroup_cpu_shares(1000), 1024);
  assert_int_equal(agent_cgroup_cpu_shares(100), 102);
  assert_int_equal(agent_cgroup_cpu_shares(1), 2);
  assert_int_equal(agent_cgroup_cpu_shares(0), 2);
  assert_int_equal(agent_cgroup_cpu_shares(1000000), 262144);
}

static void test_cpu_weight_converts_shares_like_runc(void **state) {
  (void)state;
  assert_int_equal(agent_cgroup_cpu_weight(2), 1);
  assert_int_equal(agent_cgroup_cpu_weight(1024), 39);
  assert_int_equal(agent_cgroup_cpu_weight(262144), 10000);
  assert_int_equal(agent_cgroup_cpu_weight(0), 1);
}

static void test_v2_maps_to_weight_max_memory_max_pids_max(void **state) {
  (void)state;
  agent_cgroup_setting s[AGENT_CGROUP_MAX_SETTINGS];
  agent_resources r = {.cpu_request_milli = 250, .cpu_limit_milli = 500,
                       .memory_limit = 64 << 20, .pids_max = 100};
  size_t n = agent_cgroup_settings(AGENT_CGROUP_V2, &r, s);
  assert_int_equal(n, 4);
  assert_string_equal(value_of(s, n, "cpu.weight"), "10");
  assert_string_equal(value_of(s, n, "cpu.max"), "50000 100000");
  assert_string_equal(value_of(s, n, "memory.max"), "67108864");
  assert_string_equal(value_of(s, n, "pids.max"), "100");
  assert_null(value_of(s, n, "cpu.shares"));
  assert_string_equal(s[1].controller, "cpu");
  assert_string_equal(s[2].controller, "memory");
  assert_string_equal(s[3].controller, "pids");
}

static void test_v1_maps_to_shares_cfs_limit_in_bytes_pids_max(void **state) {
  (void)state;
  agent_cgroup_setting s[AGENT_CGROUP_MAX_SETTINGS];
  agent_resources r = {.cpu_request_milli = 250, .cpu_limit_milli = 500,
                       .memory_limit = 64 << 20, .pids_max = 100};
  size_t n = agent_cgroup_settings(AGENT_CGROUP_V1, &r, s);
  assert_int_equal(n, 5);
  assert_string_equal(value_of(s, n, "cpu.shares"), "256");
  assert_string_equal(value_of(s, n, "memory.limit_in_bytes"), "67108864");
  assert_string_equal(value_of(s, n, "pids.max"), "100");
  /* The period is written before the quota it bounds. */
  assert_string_equal(s[1].file, "cpu.cfs_period_us");
  assert_string_equal(s[1].value, "100000");
  assert_string_equal(s[2].file, "cpu.cfs_quota_us");
  assert_string_equal(s[2].value, "50000");
}

static void test_limit_alone_sets_request_and_tiny_quota_is_clamped(void **state) {
  (void)state;
  agent_cgroup_setting s[AGENT_CGROUP_MAX_SETTINGS];
  agent_resources r = {.cpu_limit_milli = 2};
  size_t n = agent_cgroup_settings(AGENT_CGROUP_V2, &r, s);
  assert_int_equal(n, 2);
  assert_string_equal(value_of(s, n, "cpu.weight"), "1");
  assert_string_equal(value_of(s, n, "cpu.max"), "1000 100000");
  n = agent_cgroup_settings(AGENT_CGROUP_V1, &r, s);
  assert_string_equal(value_of(s, n, "cpu.cfs_quota_us"), "1000");
}

static void test_no_resources_write_nothing(void **state) {
  (void)state;
  agent_cgroup_setting s[AGENT_CGROUP_MAX_SETTINGS];
  agent_resources r = {0};
  assert_int_equal(agent_cgroup_settings(AGENT_CGROUP_V1, &r, s), 0);
  assert_int_equal(agent_cgroup_settings(AGENT_CGROUP_V2, &r, s), 0);
}

static void test_v1_uses_cpuacct_v2_does_not(void **state) {
  (void)state;
  const char *const *v1 = agent_cgroup_controllers(AGENT_CGROUP_V1);
  const char *const *v2 = agent_cgroup_controllers(AGENT_CGROUP_V2);
  assert_string_equal(v1[1], "cpuacct");
  for (; *v2; v2++)
    assert_string_not_equal(*v2, "cpuacct");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cpu_shares_follow_kubernetes),
      cmocka_unit_test(test_cpu_weight_converts_shares_like_runc),
      cmocka_unit_test(test_v2_maps_to_weight_max_memory_max_pids_max),
      cmocka_unit_test(test_v1_maps_to_shares_cfs_limit_in_bytes_pids_max),
      cmocka_unit_test(test_limit_alone_sets_request_and_tiny_quota_is_clamped),
      cmocka_unit_test(test_no_resources_write_nothing),
      cmocka_unit_test(test_v1_uses_cpuacct_v2_does_not),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
