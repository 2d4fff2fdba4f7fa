/*
 * Tests of pods with a user namespace of their own (spec.hostUsers false)
 * against the real kernel: the container's root is uid 0 inside and the
 * pod's id range on the host, writes its own rootfs and volumes but not a
 * host root's file, shares the namespace with the pod's other containers and
 * execs, and a second agent adopts the sandbox with its range. They need root
 * and skip without it; teardown removes what a test made, also on failure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first. */

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "runtime-internal.h"
#include "runtime.h"
#include "runtime_fixture.h"

typedef struct fixture {
  char root[PATH_MAX];   /* temp dir: images/, state/, vol/ */
  char rootfs[PATH_MAX]; /* busybox:latest */
  char vol[PATH_MAX];    /* a host dir for a volume, made as an emptyDir is */
  agent_runtime *rt;
  agent_sandbox *sb[2];
  agent_container *c[2];
} fixture;

static fixture fx;

#define REQUIRE_ROOT()                                                                             \
  do {                                                                                             \
    if (geteuid() != 0)                                                                            \
      skip();                                                                                      \
  } while (0)

static int group_setup(void **state) {
  *state = &fx;
  if (geteuid() != 0)
    return 0;
  return runtime_fixture_open("tug-userns-test", fx.root, fx.rootfs, &fx.rt);
}

static int group_teardown(void **state) {
  (void)state;
  runtime_fixture_close(fx.root, fx.rt);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  tug_error err = {0};
  for (int i = 0; i < 2; i++)
    if (fx.c[i] && agent_runtime_container_remove(fx.rt, fx.c[i], &err) < 0)
      fprintf(stderr, "teardown: %s\n", err.msg);
  for (int i = 0; i < 2; i++)
    if (fx.sb[i] && agent_runtime_sandbox_remove(fx.rt, fx.sb[i], &err) < 0)
      fprintf(stderr, "teardown: %s\n", err.msg);
  memset(fx.c, 0, sizeof fx.c);
  memset(fx.sb, 0, sizeof fx.sb);
  if (fx.vol[0])
    agent_rm_rf(fx.vol, NULL);
  fx.vol[0] = '\0';
  return 0;
}

static const char *pod_uid(int i, char buf[64]) {
  snprintf(buf, 64, "userns-%d-%d", (int)getpid(), i);
  return buf;
}

static void sandbox(int i) {
  char uid[64];
  agent_sandbox_spec spec = {
      .pod_uid = pod_uid(i, uid), .pod_name = "web-1", .user_namespace = true};
  tug_error err = {0};
  if (agent_runtime_sandbox_create(fx.rt, &spec, &fx.sb[i], &err) < 0)
    fail_msg("sandbox: %s", err.msg);
}

static void start(int i, int sb, const char *script, const agent_mount *m) {
  char name[16];
  snprintf(name, sizeof name, "c%d", i);
  agent_container_spec spec = {.name = name,
                               .rootfs = fx.rootfs,
                               .argv = (char *[]){"sh", "-c", (char *)script, NULL},
                               .mounts = m,
                               .n_mounts = m ? 1 : 0};
  tug_error err = {0};
  if (agent_runtime_container_start(fx.rt, fx.sb[sb], &spec, &fx.c[i], &err) < 0)
    fail_msg("start: %s", err.msg);
}

/* Waits for container i's exit; its log. */
static char *finish(int i, int *exit_code) {
  agent_process_status st;
  tug_error err = {0};
  if (agent_runtime_container_wait(fx.c[i], 10000, &st, &err) < 0 || st.running)
    fail_msg("container %d did not exit: %s", i, err.msg);
  *exit_code = st.exit_code;
  _cleanup_fclose_ FILE *f = fopen(agent_runtime_container_log(fx.c[i]), "re");
  char *buf = NULL;
  size_t len = 0;
  if (f == NULL || getdelim(&buf, &len, '\0', f) < 0) {
    free(buf);
    buf = strdup("");
  }
  return buf;
}

/* The first field of a line of /proc/<pid>/status, -1 when unreadable. */
static long status_field(pid_t pid, const char *key) {
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
  _cleanup_fclose_ FILE *f = fopen(path, "re");
  size_t n = strlen(key);
  while (f && fgets(line, sizeof line, f))
    if (strncmp(line, key, n) == 0)
      return strtol(line + n, NULL, 10);
  return -1;
}

/* Container i has exec'd its script (a sleep after a line in its log). */
static void wait_log(int i, const char *text) {
  for (int t = 0; t < 200; t++) {
    _cleanup_fclose_ FILE *f = fopen(agent_runtime_container_log(fx.c[i]), "re");
    char line[256] = "";
    while (f && fgets(line, sizeof line, f))
      if (strstr(line, text))
        return;
    nanosleep(&(struct timespec){.tv_nsec = 20 * 1000 * 1000}, NULL);
  }
  fail_msg("no \"%s\" in container %d's log", text, i);
}

static void test_root_inside_is_the_pods_range_on_the_host(void **state) {
  (void)state;
  REQUIRE_ROOT();
  sandbox(0);
  uid_t base = agent_runtime_sandbox_root_id(fx.sb[0]);
  assert_true(base >= AGENT_IDRANGE_FIRST && base % AGENT_IDRANGE_SIZE == 0);
  start(0, 0, "grep -E '^(Uid|Gid):' /proc/self/status; echo up; exec sleep 30", NULL);
  wait_log(0, "up");
  pid_t pid = agent_runtime_container_pid(fx.c[0]);
  assert_int_equal(status_field(pid, "Uid:"), (long)base);
  assert_int_equal(status_field(pid, "Gid:"), (long)base);
  agent_runtime_container_signal(fx.c[0], SIGKILL, NULL);
  int code;
  _cleanup_free_ char *log = finish(0, &code);
  assert_non_null(strstr(log, "Uid:\t0\t0\t0\t0\n"));
  assert_non_null(strstr(log, "Gid:\t0\t0\t0\t0\n"));
}

static void test_root_writes_its_rootfs_owned_by_its_range(void **state) {
  (void)state;
  REQUIRE_ROOT();
  sandbox(0);
  uid_t base = agent_runtime_sandbox_root_id(fx.sb[0]);
  start(0, 0, "echo x >>/etc/passwd && mkdir -p /var/new && stat -c '%u %g' / /etc/passwd", NULL);
  int code;
  _cleanup_free_ char *log = finish(0, &code);
  assert_int_equal(code, 0);
  assert_string_equal(log, "0 0\n0 0\n");
  /* On the host the copied-up file is the range's; the image is untouched. */
  char path[PATH_MAX + 64];
  struct stat st;
  snprintf(path, sizeof path, "%s/c0.upper/etc/passwd", agent_runtime_sandbox_dir(fx.sb[0]));
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_uid, base);
  snprintf(path, sizeof path, "%s/etc/passwd", fx.rootfs);
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_uid, 0);
}

/* A volume dir as an emptyDir is made (0777, owned by the pod's root), and in
 * it a file the host's root made, mode 0600. */
static agent_mount host_volume(void) {
  snprintf(fx.vol, sizeof fx.vol, "%.4000s/vol", fx.root);
  char file[PATH_MAX + 16];
  snprintf(file, sizeof file, "%s/host-secret", fx.vol);
  uid_t base = agent_runtime_sandbox_root_id(fx.sb[0]);
  if (mkdir(fx.vol, 0777) < 0 || chmod(fx.vol, 0777) < 0 || chown(fx.vol, base, base) < 0)
    fail_msg("volume dir: %s", strerror(errno));
  int fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 || write(fd, "s3cret\n", 7) != 7)
    fail_msg("host file: %s", strerror(errno));
  close(fd);
  return (agent_mount){.source = fx.vol, .target = "/data"};
}

static void test_volume_is_writable_but_a_host_root_file_is_not_readable(void **state) {
  (void)state;
  REQUIRE_ROOT();
  sandbox(0);
  agent_mount m = host_volume();
  start(0, 0,
        "echo mine >/data/mine && echo wrote; cat /data/host-secret && echo read; "
        "echo x >>/data/host-secret && echo appended; stat -c '%u' /data/host-secret",
        &m);
  int code;
  _cleanup_free_ char *log = finish(0, &code);
  assert_non_null(strstr(log, "wrote\n"));
  assert_null(strstr(log, "s3cret"));
  assert_null(strstr(log, "read\n"));
  assert_null(strstr(log, "appended\n"));
  assert_non_null(strstr(log, "65534\n")); /* host root has no name inside */
  char path[PATH_MAX + 16];
  struct stat st;
  snprintf(path, sizeof path, "%s/mine", fx.vol);
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_uid, agent_runtime_sandbox_root_id(fx.sb[0]));
}

static void test_containers_and_execs_of_a_pod_share_its_user_namespace(void **state) {
  (void)state;
  REQUIRE_ROOT();
  sandbox(0);
  start(0, 0, "echo up; exec sleep 30", NULL);
  start(1, 0, "echo up; exec sleep 30", NULL);
  wait_log(0, "up");
  wait_log(1, "up");
  struct stat a, b, host;
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/ns/user", (int)agent_runtime_container_pid(fx.c[0]));
  assert_int_equal(stat(path, &a), 0);
  snprintf(path, sizeof path, "/proc/%d/ns/user", (int)agent_runtime_container_pid(fx.c[1]));
  assert_int_equal(stat(path, &b), 0);
  assert_int_equal(stat("/proc/self/ns/user", &host), 0);
  assert_int_equal(a.st_ino, b.st_ino);
  assert_int_not_equal(a.st_ino, host.st_ino);
  /* An exec (a probe) is the pod's root too, never the host's. */
  char script[128];
  snprintf(script, sizeof script, "grep -q '^ *0 *%u *65536$' /proc/self/uid_map",
           (unsigned)agent_runtime_sandbox_root_id(fx.sb[0]));
  int code = -1;
  tug_error err = {0};
  if (agent_runtime_container_exec(fx.c[0], (char *[]){"sh", "-c", script, NULL}, 5000, &code,
                                   &err) < 0)
    fail_msg("exec: %s", err.msg);
  assert_int_equal(code, 0);
}

static void test_pods_get_disjoint_ranges_freed_on_removal(void **state) {
  (void)state;
  REQUIRE_ROOT();
  sandbox(0);
  sandbox(1);
  uid_t a = agent_runtime_sandbox_root_id(fx.sb[0]), b = agent_runtime_sandbox_root_id(fx.sb[1]);
  assert_true(a != 0 && b != 0);
  assert_true(a + AGENT_IDRANGE_SIZE <= b || b + AGENT_IDRANGE_SIZE <= a);
  char uid[64], path[PATH_MAX + 32];
  tug_error err = {0};
  assert_int_equal(agent_runtime_sandbox_remove(fx.rt, fx.sb[1], &err), 0);
  fx.sb[1] = NULL;
  uint32_t base;
  assert_int_equal(agent_idrange_lookup(&fx.rt->ids, pod_uid(1, uid), &base), 0);
  snprintf(path, sizeof path, "%s/%u", fx.rt->idrange_dir, (unsigned)b);
  assert_int_equal(access(path, F_OK), -1);
  assert_int_equal(agent_idrange_lookup(&fx.rt->ids, pod_uid(0, uid), &base), 1);
  assert_int_equal(base, a);
}

static void test_a_new_agent_adopts_the_sandbox_with_its_range(void **state) {
  (void)state;
  REQUIRE_ROOT();
  sandbox(0);
  uid_t base = agent_runtime_sandbox_root_id(fx.sb[0]);
  start(0, 0, "echo up; exec sleep 30", NULL);
  wait_log(0, "up");
  /* What a restarted agent does: open the runtime again, create the sandbox. */
  agent_runtime *rt2;
  agent_sandbox *sb2;
  agent_container *c2 = NULL;
  agent_container_record rec;
  char uid[64];
  tug_error err = {0};
  agent_sandbox_spec spec = {
      .pod_uid = pod_uid(0, uid), .pod_name = "web-1", .user_namespace = true};
  assert_int_equal(agent_runtime_open(agent_runtime_state_dir(fx.rt), &rt2, &err), 0);
  assert_int_equal(agent_runtime_sandbox_create(rt2, &spec, &sb2, &err), 0);
  assert_true(agent_runtime_sandbox_adopted(sb2));
  assert_int_equal(agent_runtime_sandbox_root_id(sb2), base);
  assert_int_equal(agent_runtime_container_adopt(rt2, sb2, "c0", NULL, &c2, &rec, &err), 1);
  assert_int_equal(agent_runtime_container_pid(c2), agent_runtime_container_pid(fx.c[0]));
  close(c2->pidfd); /* the first handle keeps owning the container */
  free(c2);
  free(sb2);
  agent_runtime_close(rt2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(test_root_inside_is_the_pods_range_on_the_host, teardown),
      cmocka_unit_test_teardown(test_root_writes_its_rootfs_owned_by_its_range, teardown),
      cmocka_unit_test_teardown(test_volume_is_writable_but_a_host_root_file_is_not_readable,
                                teardown),
      cmocka_unit_test_teardown(test_containers_and_execs_of_a_pod_share_its_user_namespace,
                                teardown),
      cmocka_unit_test_teardown(test_pods_get_disjoint_ranges_freed_on_removal, teardown),
      cmocka_unit_test_teardown(test_a_new_agent_adopts_the_sandbox_with_its_range, teardown),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
