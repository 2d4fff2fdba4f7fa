/* Unit tests of the cgroup interface, v1 and v2 (no root needed): the resources →
 * files mapping, the cpu conversions, the controllers, and parsing the stat files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first. */

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/bpf.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

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
  agent_resources r = {
      .cpu_request_milli = 250, .cpu_limit_milli = 500, .memory_limit = 64 << 20, .pids_max = 100};
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
  agent_resources r = {
      .cpu_request_milli = 250, .cpu_limit_milli = 500, .memory_limit = 64 << 20, .pids_max = 100};
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

static void test_huge_limits_stay_within_what_the_kernel_accepts(void **state) {
  (void)state;
  agent_cgroup_setting s[AGENT_CGROUP_MAX_SETTINGS];
  agent_resources r = {.cpu_request_milli = INT64_MAX,
                       .cpu_limit_milli = INT64_MAX,
                       .memory_limit = INT64_MAX,
                       .pids_max = INT64_MAX};
  size_t n = agent_cgroup_settings(AGENT_CGROUP_V1, &r, s);
  assert_string_equal(value_of(s, n, "cpu.shares"), "262144");
  assert_null(value_of(s, n, "cpu.cfs_quota_us"));
  assert_string_equal(value_of(s, n, "pids.max"), "max");
  n = agent_cgroup_settings(AGENT_CGROUP_V2, &r, s);
  assert_string_equal(value_of(s, n, "cpu.weight"), "10000");
  assert_null(value_of(s, n, "cpu.max"));
  r = (agent_resources){.cpu_limit_milli = AGENT_CGROUP_MAX_CPU_LIMIT_MILLI,
                        .pids_max = AGENT_CGROUP_PIDS_MAX};
  n = agent_cgroup_settings(AGENT_CGROUP_V2, &r, s);
  assert_string_equal(value_of(s, n, "cpu.max"), "17592186044400 100000");
  assert_string_equal(value_of(s, n, "pids.max"), "4194304");
}

static void test_v1_stat_files_fill_every_counter(void **state) {
  (void)state;
  agent_container_stats st = {0};
  agent_cgroup_mode v1 = AGENT_CGROUP_V1;
  assert_int_equal(agent_cgroup_stats_parse(v1, "cpuacct.usage", "123456789\n", &st), 0);
  assert_int_equal(agent_cgroup_stats_parse(v1, "cpu.stat",
                                            "nr_periods 40\nnr_throttled 7\nthrottled_time 9\n"
                                            "nr_bursts 0\nburst_time 0\n",
                                            &st),
                   0);
  assert_int_equal(agent_cgroup_stats_parse(v1, "memory.usage_in_bytes", "67108864\n", &st), 0);
  assert_int_equal(agent_cgroup_stats_parse(v1, "memory.oom_control",
                                            "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n", &st),
                   0);
  assert_int_equal(agent_cgroup_stats_parse(v1, "pids.current", "16\n", &st), 0);
  assert_int_equal(agent_cgroup_stats_parse(v1, "pids.events", "max 31\n", &st), 0);
  assert_int_equal(st.cpu_usage_ns, 123456789);
  assert_int_equal(st.cpu_nr_throttled, 7);
  assert_int_equal(st.memory_usage, 67108864);
  assert_int_equal(st.oom_kills, 2);
  assert_int_equal(st.pids_current, 16);
  assert_int_equal(st.pids_max_hits, 31);
}

static void test_v2_stat_files_fill_every_counter_in_ns(void **state) {
  (void)state;
  agent_container_stats st = {0};
  agent_cgroup_mode v2 = AGENT_CGROUP_V2;
  assert_int_equal(agent_cgroup_stats_parse(v2, "cpu.stat",
                                            "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n"
                                            "nr_periods 10\nnr_throttled 4\nthrottled_usec 80\n",
                                            &st),
                   0);
  assert_int_equal(agent_cgroup_stats_parse(v2, "memory.current", "4096\n", &st), 0);
  /* oom_group_kill must not be taken for oom_kill. */
  assert_int_equal(agent_cgroup_stats_parse(v2, "memory.events",
                                            "low 0\nhigh 0\nmax 5\noom 1\noom_group_kill 9\n"
                                            "oom_kill 1\n",
                                            &st),
                   0);
  assert_int_equal(agent_cgroup_stats_parse(v2, "pids.current", "3", &st), 0);
  assert_int_equal(agent_cgroup_stats_parse(v2, "pids.events", "max 12\nmax.imposed 12\n", &st), 0);
  assert_int_equal(st.cpu_usage_ns, 1500000);
  assert_int_equal(st.cpu_nr_throttled, 4);
  assert_int_equal(st.memory_usage, 4096);
  assert_int_equal(st.oom_kills, 1);
  assert_int_equal(st.pids_current, 3);
  assert_int_equal(st.pids_max_hits, 12);
}

static void test_stat_files_of_the_other_version_or_garbage_are_refused(void **state) {
  (void)state;
  agent_container_stats st = {0};
  assert_int_equal(agent_cgroup_stats_parse(AGENT_CGROUP_V2, "cpuacct.usage", "1\n", &st), -1);
  assert_int_equal(agent_cgroup_stats_parse(AGENT_CGROUP_V1, "memory.current", "1\n", &st), -1);
  assert_int_equal(agent_cgroup_stats_parse(AGENT_CGROUP_V1, "pids.current", "max\n", &st), -1);
  assert_int_equal(agent_cgroup_stats_parse(AGENT_CGROUP_V1, "pids.current", "", &st), -1);
  assert_int_equal(agent_cgroup_stats_parse(AGENT_CGROUP_V1, "pids.current", "12x\n", &st), -1);
  assert_int_equal(
      agent_cgroup_stats_parse(AGENT_CGROUP_V1, "cpu.stat", "nr_throttled_x 3\nnr_periods 2", &st),
      -1);
  assert_int_equal(agent_cgroup_stats_parse(AGENT_CGROUP_V2, "memory.events", "oom_kill", &st), -1);
  assert_int_equal(agent_cgroup_stats_parse(AGENT_CGROUP_V2, "pids.events",
                                            "max 99999999999999999999999\n", &st),
                   -1);
  assert_int_equal(st.pids_current, 0);
  assert_int_equal(st.cpu_nr_throttled, 0);
}

static void test_v2_controllers_are_cpu_memory_pids_v1_adds_devices(void **state) {
  (void)state;
  const char *const *v2 = agent_cgroup_controllers(AGENT_CGROUP_V2);
  assert_string_equal(v2[0], "cpu");
  assert_string_equal(v2[1], "memory");
  assert_string_equal(v2[2], "pids");
  assert_null(v2[3]);
  const char *const *v1 = agent_cgroup_controllers(AGENT_CGROUP_V1);
  assert_string_equal(v1[0], "cpu");
  assert_string_equal(v1[2], "memory");
  assert_string_equal(v1[3], "pids");
  assert_string_equal(v1[4], "devices"); /* v2 restricts devices with a program instead */
  assert_null(v1[5]);
}

static void test_cpu_weight_is_monotonic_over_the_shares_range(void **state) {
  (void)state;
  uint64_t last = 0;
  for (uint64_t shares = 2; shares <= 262144; shares += 97) {
    uint64_t w = agent_cgroup_cpu_weight(shares);
    assert_true(w >= last && w >= 1 && w <= 10000);
    last = w;
  }
  /* Kubernetes' 100m (102 shares) and 2 cores (2048 shares). */
  assert_int_equal(agent_cgroup_cpu_weight(102), 4);
  assert_int_equal(agent_cgroup_cpu_weight(2048), 79);
}

static void test_device_rules_format_as_devices_allow_takes_them(void **state) {
  (void)state;
  char buf[64];
  agent_device_rule null = {'c', 1, 3, AGENT_DEV_READ | AGENT_DEV_WRITE | AGENT_DEV_MKNOD};
  agent_device_rule mknod = {'b', -1, -1, AGENT_DEV_MKNOD};
  agent_device_rule pts = {'c', 136, -1, AGENT_DEV_READ | AGENT_DEV_WRITE};
  assert_int_equal(agent_device_rule_format(&null, buf, sizeof buf), 9);
  assert_string_equal(buf, "c 1:3 rwm");
  agent_device_rule_format(&mknod, buf, sizeof buf);
  assert_string_equal(buf, "b *:* m");
  agent_device_rule_format(&pts, buf, sizeof buf);
  assert_string_equal(buf, "c 136:* rw");
  assert_int_equal(agent_device_rule_format(&null, buf, 4), -1);
}

/* Just enough of the BPF machine to run the device program on a request. */
static uint64_t run_bpf(const struct bpf_insn *p, size_t n, uint32_t type, uint32_t access,
                        uint32_t major, uint32_t minor) {
  uint32_t ctx[3] = {access << 16 | type, major, minor};
  uint64_t r[11] = {0};
  for (size_t pc = 0; pc < n; pc++) {
    const struct bpf_insn *i = &p[pc];
    uint64_t src = BPF_SRC(i->code) == BPF_X ? r[i->src_reg] : (uint64_t)(int64_t)i->imm;
    if (BPF_CLASS(i->code) == BPF_ALU || BPF_CLASS(i->code) == BPF_ALU64)
      assert_int_equal(i->off, 0); /* the kernel refuses anything else */
    switch (i->code) {
    case BPF_LDX | BPF_MEM | BPF_W:
      assert_int_equal(i->src_reg, BPF_REG_1);
      r[i->dst_reg] = ctx[i->off / 4];
      break;
    case BPF_ALU | BPF_AND | BPF_K:
      r[i->dst_reg] = (uint32_t)(r[i->dst_reg] & src);
      break;
    case BPF_ALU | BPF_RSH | BPF_K:
      r[i->dst_reg] = (uint32_t)r[i->dst_reg] >> src;
      break;
    case BPF_ALU | BPF_MOV | BPF_X:
      r[i->dst_reg] = (uint32_t)src;
      break;
    case BPF_ALU64 | BPF_MOV | BPF_K:
      r[i->dst_reg] = src;
      break;
    case BPF_JMP | BPF_JNE | BPF_K:
      if (r[i->dst_reg] != src)
        pc += (size_t)i->off;
      break;
    case BPF_JMP | BPF_EXIT:
      return r[0];
    default:
      fail_msg("instruction %zu: unexpected code 0x%x", pc, i->code);
    }
  }
  fail_msg("the program ran off its end");
  return 0;
}

enum { CHR = BPF_DEVCG_DEV_CHAR, BLK = BPF_DEVCG_DEV_BLOCK };

static void test_device_program_allows_the_standard_devices_only(void **state) {
  (void)state;
  struct bpf_insn p[256];
  size_t n = agent_device_bpf_build(agent_default_devices, agent_n_default_devices, p, 256);
  assert_true(n > 8);
  const uint32_t rw = AGENT_DEV_READ | AGENT_DEV_WRITE;
  assert_int_equal(run_bpf(p, n, CHR, rw, 1, 3), 1);              /* /dev/null */
  assert_int_equal(run_bpf(p, n, CHR, AGENT_DEV_READ, 1, 9), 1);  /* urandom */
  assert_int_equal(run_bpf(p, n, CHR, rw, 136, 7), 1);            /* a pts */
  assert_int_equal(run_bpf(p, n, BLK, AGENT_DEV_MKNOD, 8, 0), 1); /* mknod sda */
  assert_int_equal(run_bpf(p, n, BLK, AGENT_DEV_READ, 8, 0), 0);  /* reading it */
  assert_int_equal(run_bpf(p, n, BLK, AGENT_DEV_READ, 1, 3), 0);  /* a block 1:3 */
  assert_int_equal(run_bpf(p, n, CHR, AGENT_DEV_READ, 1, 11), 0); /* kmsg */
  assert_int_equal(run_bpf(p, n, CHR, AGENT_DEV_READ, 1, 1), 0);  /* mem */
  assert_int_equal(run_bpf(p, n, CHR, rw | AGENT_DEV_MKNOD, 1, 11), 0);
}

static void test_device_program_needs_room_and_has_a_bound(void **state) {
  (void)state;
  struct bpf_insn p[256];
  assert_int_equal(agent_device_bpf_build(agent_default_devices, agent_n_default_devices, p, 10),
                   0);
  size_t n = agent_device_bpf_build(agent_default_devices, agent_n_default_devices, p, 256);
  assert_true(n <= 8 + agent_n_default_devices * AGENT_DEVICE_BPF_PER_RULE);
  /* No rule: everything refused. */
  size_t none = agent_device_bpf_build(NULL, 0, p, 256);
  assert_int_equal(run_bpf(p, none, CHR, AGENT_DEV_READ, 1, 3), 0);
}

/* The kernel's verifier takes the program. */
static void test_device_program_passes_the_kernel_verifier(void **state) {
  (void)state;
  if (geteuid() != 0)
    skip();
  struct bpf_insn p[256];
  size_t n = agent_device_bpf_build(agent_default_devices, agent_n_default_devices, p, 256);
  tug_error err = {0};
  int fd = agent_device_bpf_load(p, n, &err);
  if (fd < 0)
    fail_msg("%s", err.msg);
  close(fd);
}

/* In a child moved into dir/cgroup.procs: mknod of kmsg (c 1:11) in tmp is
 * allowed, opening it for reading is not, /dev/null opens. */
static int device_child(const char *dir, const char *tmp) {
  char procs[PATH_MAX + 16], node[PATH_MAX + 16];
  snprintf(procs, sizeof procs, "%s/cgroup.procs", dir);
  snprintf(node, sizeof node, "%s/kmsg", tmp);
  int fd = open(procs, O_WRONLY);
  if (fd < 0 || dprintf(fd, "%d", getpid()) < 0)
    return 10;
  close(fd);
  if (mknod(node, S_IFCHR | 0400, makedev(1, 11)) < 0)
    return 11;
  fd = open(node, O_RDONLY | O_NONBLOCK);
  if (fd >= 0 || errno != EPERM)
    return 12;
  fd = open("/dev/null", O_RDWR);
  return fd < 0 ? 13 : 0;
}

/* Attached for real: on a cgroup2 hierarchy (the host's, or the unified one
 * of a hybrid v1 host, where device programs are enforced as on v2). */
static void test_device_program_attached_refuses_open(void **state) {
  (void)state;
  const char *v2 = "/sys/fs/cgroup";
  struct statfs fs;
  if (statfs(v2, &fs) == 0 && fs.f_type != CGROUP2_SUPER_MAGIC)
    v2 = "/sys/fs/cgroup/unified";
  if (geteuid() != 0 || statfs(v2, &fs) < 0 || fs.f_type != CGROUP2_SUPER_MAGIC)
    skip();
  char dir[PATH_MAX], tmp[] = "/var/tmp/tug-devices.XXXXXX";
  snprintf(dir, sizeof dir, "%s/tug-test-devices-%d", v2, (int)getpid());
  assert_non_null(mkdtemp(tmp));
  assert_int_equal(mkdir(dir, 0755), 0);
  tug_error err = {0};
  int rc = agent_device_program_attach(dir, &err);
  int status = -1;
  if (rc == 0) {
    pid_t pid = fork();
    if (pid == 0)
      _exit(device_child(dir, tmp));
    waitpid(pid, &status, 0);
  }
  char node[PATH_MAX + 16];
  snprintf(node, sizeof node, "%s/kmsg", tmp);
  unlink(node);
  rmdir(tmp);
  rmdir(dir);
  if (rc < 0)
    fail_msg("%s", err.msg);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
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
      cmocka_unit_test(test_huge_limits_stay_within_what_the_kernel_accepts),
      cmocka_unit_test(test_v1_stat_files_fill_every_counter),
      cmocka_unit_test(test_v2_stat_files_fill_every_counter_in_ns),
      cmocka_unit_test(test_stat_files_of_the_other_version_or_garbage_are_refused),
      cmocka_unit_test(test_v2_controllers_are_cpu_memory_pids_v1_adds_devices),
      cmocka_unit_test(test_cpu_weight_is_monotonic_over_the_shares_range),
      cmocka_unit_test(test_device_rules_format_as_devices_allow_takes_them),
      cmocka_unit_test(test_device_program_allows_the_standard_devices_only),
      cmocka_unit_test(test_device_program_needs_room_and_has_a_bound),
      cmocka_unit_test(test_device_program_passes_the_kernel_verifier),
      cmocka_unit_test(test_device_program_attached_refuses_open),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
