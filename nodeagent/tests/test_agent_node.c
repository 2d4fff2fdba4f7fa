/*
 * Pure parts of the agent's Node: cpu capacity and allocatable formatting,
 * MemTotal parsing, the status object, and the Time / MicroTime shapes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first. */

#include <cmocka.h>

#include "agent-node-pressure.h"
#include "agent-node.h"
#include "agent-time.h"
#include "cleanup.h"
#include "object.h"
#include "quantity.h"

static void test_cpu_capacity_is_cores_and_allocatable_subtracts_reserved(void **state) {
  (void)state;
  char cap[TUG_QUANTITY_BUFSIZE], alloc[TUG_QUANTITY_BUFSIZE];
  agent_node_cpu(2000, 500, cap, alloc);
  assert_string_equal(cap, "2");
  assert_string_equal(alloc, "1500m");
  agent_node_cpu(4000, 0, cap, alloc);
  assert_string_equal(alloc, "4");
  agent_node_cpu(1000, 2000, cap, alloc);
  assert_string_equal(alloc, "0");
}

static void test_meminfo_total_in_bytes(void **state) {
  (void)state;
  assert_int_equal(agent_node_meminfo_total("MemTotal:       16318540 kB\nMemFree: 1 kB\n"),
                   16318540LL * 1024);
  assert_int_equal(agent_node_meminfo_total("MemFree: 1 kB\nMemTotal: 2 kB\n"), 2048);
  assert_int_equal(agent_node_meminfo_total("MemFree: 1 kB\n"), -1);
  assert_int_equal(agent_node_meminfo_total("XMemTotal: 5 kB\n"), -1);
}

static void test_status_has_capacity_node_info_and_addresses(void **state) {
  (void)state;
  agent_node_facts f = {.name = "n1",
                        .cpu_milli = 8000,
                        .reserved_cpu_milli = 250,
                        .memory_bytes = 16318540LL * 1024,
                        .max_pods = 110,
                        .host_ip = "10.1.2.3",
                        .kernel_version = "6.1.0",
                        .os_image = "Debian",
                        .architecture = "amd64"};
  _cleanup_json_ json_t *st = agent_node_status_json(&f);
  assert_string_equal(tug_obj_get_str(st, "capacity.cpu"), "8");
  assert_string_equal(tug_obj_get_str(st, "allocatable.cpu"), "7750m");
  assert_string_equal(tug_obj_get_str(st, "capacity.memory"), "16318540Ki");
  assert_string_equal(tug_obj_get_str(st, "allocatable.pods"), "110");
  assert_string_equal(tug_obj_get_str(st, "nodeInfo.containerRuntimeVersion"), "tugboat://0.1");
  assert_string_equal(tug_obj_get_str(st, "nodeInfo.kernelVersion"), "6.1.0");
  json_t *addr = json_array_get(tug_obj_get(st, "addresses"), 0);
  assert_string_equal(tug_obj_get_str(addr, "type"), "InternalIP");
  assert_string_equal(tug_obj_get_str(addr, "address"), "10.1.2.3");
}

static void test_time_and_micro_time(void **state) {
  (void)state;
  char buf[AGENT_TIME_BUFSIZE];
  assert_string_equal(agent_time_format(1700000000, buf, sizeof buf), "2023-11-14T22:13:20Z");
  struct timespec ts = {.tv_sec = 1700000000, .tv_nsec = 123456789};
  assert_string_equal(agent_time_format_micro(&ts, buf, sizeof buf), "2023-11-14T22:13:20.123456Z");
}

static agent_host_usage healthy(void) {
  return (agent_host_usage){.memory_available = 4LL << 30,
                            .disk_size = 100,
                            .disk_available = 50,
                            .inodes = 1000,
                            .inodes_free = 900,
                            .pid_max = 32768,
                            .pids = 300};
}

static void test_pressure_thresholds_are_kubelets_defaults(void **state) {
  (void)state;
  bool on[AGENT_N_PRESSURES];
  agent_host_usage u = healthy();
  agent_pressure_decide(&u, on);
  assert_false(on[AGENT_PRESSURE_MEMORY] || on[AGENT_PRESSURE_DISK] || on[AGENT_PRESSURE_PID]);
  u.memory_available = (100LL << 20) - 1;
  u.disk_available = 9;  /* under 10 % */
  u.pids = 32768 - 3000; /* under 10 % of pid_max left */
  agent_pressure_decide(&u, on);
  assert_true(on[AGENT_PRESSURE_MEMORY] && on[AGENT_PRESSURE_DISK] && on[AGENT_PRESSURE_PID]);
  u = healthy();
  u.inodes_free = 49; /* under 5 % of inodes */
  agent_pressure_decide(&u, on);
  assert_true(on[AGENT_PRESSURE_DISK]);
  /* Unknown figures are never pressure. */
  u = (agent_host_usage){-1, -1, -1, -1, -1, -1, -1};
  agent_pressure_decide(&u, on);
  assert_false(on[AGENT_PRESSURE_MEMORY] || on[AGENT_PRESSURE_DISK] || on[AGENT_PRESSURE_PID]);
}

static void test_pressure_conditions_move_their_transition_time_only_on_change(void **state) {
  (void)state;
  agent_pressure_state st = {0};
  agent_host_usage u = healthy();
  _cleanup_json_ json_t *first = agent_pressure_conditions(&st, &u, 1000);
  assert_int_equal(json_array_size(first), 3);
  const json_t *mem = json_array_get(first, 0);
  assert_string_equal(tug_obj_get_str(mem, "type"), "MemoryPressure");
  assert_string_equal(tug_obj_get_str(mem, "status"), "False");
  assert_string_equal(tug_obj_get_str(mem, "reason"), "KubeletHasSufficientMemory");
  _cleanup_json_ json_t *same = agent_pressure_conditions(&st, &u, 2000);
  assert_string_equal(tug_obj_get_str(json_array_get(same, 0), "lastTransitionTime"),
                      tug_obj_get_str(mem, "lastTransitionTime"));
  u.memory_available = 1;
  _cleanup_json_ json_t *changed = agent_pressure_conditions(&st, &u, 3000);
  const json_t *now = json_array_get(changed, 0);
  assert_string_equal(tug_obj_get_str(now, "status"), "True");
  assert_string_equal(tug_obj_get_str(now, "reason"), "KubeletHasInsufficientMemory");
  assert_string_equal(tug_obj_get_str(now, "lastTransitionTime"),
                      tug_obj_get_str(now, "lastHeartbeatTime"));
  assert_string_equal(tug_obj_get_str(json_array_get(changed, 1), "lastTransitionTime"),
                      tug_obj_get_str(json_array_get(first, 1), "lastTransitionTime"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cpu_capacity_is_cores_and_allocatable_subtracts_reserved),
      cmocka_unit_test(test_pressure_thresholds_are_kubelets_defaults),
      cmocka_unit_test(test_pressure_conditions_move_their_transition_time_only_on_change),
      cmocka_unit_test(test_meminfo_total_in_bytes),
      cmocka_unit_test(test_status_has_capacity_node_info_and_addresses),
      cmocka_unit_test(test_time_and_micro_time),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
