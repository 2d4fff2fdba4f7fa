/*
 * Tests of the container runtime against the real kernel: sandboxes,
 * containers in a busybox image, cgroup limits, and clean removal. They need
 * root and skip without it. Each test's teardown removes what it made, also
 * when the test fails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first. */

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "pki.h"
#include "runtime-cgroup.h"
#include "runtime-internal.h"
#include "runtime.h"
#include "runtime_fixture.h"

typedef struct fixture {
  char root[PATH_MAX];   /* temp dir: images/ and state/ */
  char rootfs[PATH_MAX]; /* busybox:latest */
  agent_runtime *rt;
  agent_sandbox *sb;
  char sb_dir[PATH_MAX];
  char pod_cgroup[256];
  agent_container *c[2];
} fixture;

static fixture fx;

static int group_setup(void **state) {
  *state = &fx;
  if (geteuid() != 0)
    return 0;
  return runtime_fixture_open("tug-runtime-test", fx.root, fx.rootfs, &fx.rt);
}

static int group_teardown(void **state) {
  (void)state;
  runtime_fixture_close(fx.root, fx.rt);
  return 0;
}

static int setup(void **state) {
  (void)state;
  if (geteuid() != 0)
    return 0;
  static int n;
  char uid[64];
  snprintf(uid, sizeof uid, "test-%d-%d", (int)getpid(), ++n);
  agent_sandbox_spec spec = {.pod_uid = uid, .pod_name = "web-1"};
  tug_error err = {0};
  if (agent_runtime_sandbox_create(fx.rt, &spec, &fx.sb, &err) < 0) {
    fprintf(stderr, "sandbox: %s\n", err.msg);
    return -1;
  }
  snprintf(fx.sb_dir, sizeof fx.sb_dir, "%s", agent_runtime_sandbox_dir(fx.sb));
  snprintf(fx.pod_cgroup, sizeof fx.pod_cgroup, "tug/%s", uid);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  tug_error err = {0};
  for (int i = 0; i < 2; i++)
    if (fx.c[i] && agent_runtime_container_remove(fx.rt, fx.c[i], &err) < 0)
      fprintf(stderr, "teardown: %s\n", err.msg);
  fx.c[0] = fx.c[1] = NULL;
  if (fx.sb && agent_runtime_sandbox_remove(fx.rt, fx.sb, &err) < 0)
    fprintf(stderr, "teardown: %s\n", err.msg);
  fx.sb = NULL;
  return 0;
}

#define REQUIRE_ROOT()                                                                             \
  do {                                                                                             \
    if (geteuid() != 0)                                                                            \
      skip();                                                                                      \
  } while (0)

static void start_spec(int i, const agent_container_spec *spec) {
  tug_error err = {0};
  if (agent_runtime_container_start(fx.rt, fx.sb, spec, &fx.c[i], &err) < 0)
    fail_msg("start %s: %s", spec->name, err.msg);
}

static void start(int i, const char *name, const agent_resources *r, char *const *argv) {
  agent_container_spec spec = {.name = name, .rootfs = fx.rootfs, .argv = argv};
  if (r)
    spec.resources = *r;
  start_spec(i, &spec);
}

static agent_process_status wait_exit(int i, int timeout_ms) {
  agent_process_status st;
  tug_error err = {0};
  if (agent_runtime_container_wait(fx.c[i], timeout_ms, &st, &err) < 0)
    fail_msg("wait: %s", err.msg);
  if (st.running)
    fail_msg("container still running after %d ms", timeout_ms);
  return st;
}

static char *read_log(int i) {
  FILE *f = fopen(agent_runtime_container_log(fx.c[i]), "re");
  assert_non_null(f);
  char *buf = NULL;
  size_t len = 0;
  if (getdelim(&buf, &len, '\0', f) < 0) {
    free(buf);
    buf = strdup("");
  }
  fclose(f);
  return buf;
}

/* Runs spec to its exit and returns its log. */
static char *run_spec(const agent_container_spec *spec, int *exit_code) {
  start_spec(0, spec);
  agent_process_status st = wait_exit(0, 10000);
  if (exit_code)
    *exit_code = st.exit_code;
  return read_log(0);
}

static char *run(const char *name, char *const *argv, int *exit_code) {
  agent_container_spec spec = {.name = name, .rootfs = fx.rootfs, .argv = argv};
  return run_spec(&spec, exit_code);
}

/* Runs argv confined as sec says to its exit and returns its log. */
static char *run_confined(const char *name, const agent_security *sec, char *const *argv,
                          int *exit_code) {
  agent_container_spec spec = {.name = name, .rootfs = fx.rootfs, .argv = argv, .security = *sec};
  return run_spec(&spec, exit_code);
}

static agent_container_stats stats(int i) {
  agent_container_stats st;
  tug_error err = {0};
  if (agent_runtime_container_stats(fx.rt, fx.c[i], &st, &err) < 0)
    fail_msg("stats: %s", err.msg);
  return st;
}

static void sleep_ms(long ms) {
  nanosleep(&(struct timespec){.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000}, NULL);
}

static void test_echo_writes_to_the_log(void **state) {
  (void)state;
  REQUIRE_ROOT();
  int code = -1;
  _cleanup_free_ char *log = run("echo", (char *[]){"/bin/echo", "hi", NULL}, &code);
  assert_string_equal(log, "hi\n");
  assert_int_equal(code, 0);
}

/* The agent's end of container 0's stdin, written and closed as an attach does. */
static void write_stdin(const char *text, bool release) {
  tug_error err = {0};
  bool tty = true;
  int fd = agent_runtime_container_stdin(fx.rt, fx.c[0], &tty, &err);
  if (fd < 0)
    fail_msg("stdin: %s", err.msg);
  assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
  close(fd);
  if (release)
    agent_runtime_container_stdin_release(fx.rt, fx.c[0]);
}

static void test_stdin_once_closes_after_the_first_attach(void **state) {
  (void)state;
  REQUIRE_ROOT();
  agent_container_spec spec = {.name = "once",
                               .rootfs = fx.rootfs,
                               .argv = (char *[]){"cat", NULL},
                               .stdin = true,
                               .stdin_once = true};
  start_spec(0, &spec);
  write_stdin("hello\n", true); /* the attach ends: cat reads EOF and exits */
  agent_process_status st = wait_exit(0, 10000);
  assert_int_equal(st.exit_code, 0);
  _cleanup_free_ char *log = read_log(0);
  assert_string_equal(log, "hello\n");
  tug_error err = {0};
  bool tty;
  assert_int_equal(agent_runtime_container_stdin(fx.rt, fx.c[0], &tty, &err), -1);
  assert_int_equal(err.code, EPIPE);
}

static void test_stdin_stays_open_across_attaches(void **state) {
  (void)state;
  REQUIRE_ROOT();
  agent_container_spec spec = {.name = "open",
                               .rootfs = fx.rootfs,
                               .argv = (char *[]){"sh", "-c", "read a; read b; echo $a-$b", NULL},
                               .stdin = true};
  start_spec(0, &spec);
  write_stdin("one\n", true);
  write_stdin("two\n", true);
  assert_int_equal(wait_exit(0, 10000).exit_code, 0);
  _cleanup_free_ char *log = read_log(0);
  assert_string_equal(log, "one-two\n");
}

static void test_no_stdin_means_none_to_attach_to(void **state) {
  (void)state;
  REQUIRE_ROOT();
  start(0, "none", NULL, (char *[]){"cat", NULL});
  assert_int_equal(wait_exit(0, 10000).exit_code, 0); /* /dev/null: EOF at once */
  tug_error err = {0};
  bool tty;
  assert_int_equal(agent_runtime_container_stdin(fx.rt, fx.c[0], &tty, &err), -1);
  assert_int_equal(err.code, ENOENT);
}

static void test_tty_is_the_controlling_terminal_and_its_output_is_logged(void **state) {
  (void)state;
  REQUIRE_ROOT();
  agent_container_spec spec = {
      .name = "tty",
      .rootfs = fx.rootfs,
      .argv = (char *[]){"sh", "-c", "read line; tty; echo got $line; stty size", NULL},
      .stdin = true,
      .tty = true};
  start_spec(0, &spec);
  tug_error err = {0};
  bool tty = false;
  int fd = agent_runtime_container_stdin(fx.rt, fx.c[0], &tty, &err);
  if (fd < 0)
    fail_msg("stdin: %s", err.msg);
  assert_true(tty);
  struct winsize ws = {.ws_row = 33, .ws_col = 77};
  assert_int_equal(ioctl(fd, TIOCSWINSZ, &ws), 0);
  assert_int_equal(write(fd, "abc\n", 4), 4);
  close(fd);
  assert_int_equal(wait_exit(0, 10000).exit_code, 0);
  /* The agent's copy from the terminal into the log may trail the exit a little. */
  char *log = NULL;
  for (int tries = 0; tries < 50 && (log == NULL || strstr(log, "33 77") == NULL); tries++) {
    free(log);
    sleep_ms(tries ? 100 : 0);
    log = read_log(0);
  }
  assert_non_null(strstr(log, "/dev/pts/0\r\n")); /* the container's own devpts */
  assert_non_null(strstr(log, "got abc\r\n"));
  assert_non_null(strstr(log, "33 77\r\n"));
  free(log);
}

static void test_exit_code_is_reported(void **state) {
  (void)state;
  REQUIRE_ROOT();
  int code = -1;
  _cleanup_free_ char *log = run("exit", (char *[]){"sh", "-c", "exit 3", NULL}, &code);
  assert_int_equal(code, 3);
}

static void test_signals_reach_the_command_unblocked_and_default(void **state) {
  (void)state;
  REQUIRE_ROOT();
  /* The agent blocks and ignores signals of its own; the container must not inherit that. */
  sigset_t term, old;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &term, &old);
  void (*old_hup)(int) = signal(SIGHUP, SIG_IGN);
  _cleanup_free_ char *log =
      run("sigs", (char *[]){"grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status", NULL}, NULL);
  signal(SIGHUP, old_hup);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  assert_non_null(strstr(log, "SigBlk:\t0000000000000000\n"));
  assert_non_null(strstr(log, "SigIgn:\t0000000000000000\n"));
}

static void test_hostname_is_the_pod_name(void **state) {
  (void)state;
  REQUIRE_ROOT();
  _cleanup_free_ char *log = run("host", (char *[]){"hostname", NULL}, NULL);
  assert_string_equal(log, "web-1\n");
}

static void test_command_is_pid_1(void **state) {
  (void)state;
  REQUIRE_ROOT();
  _cleanup_free_ char *log = run("pid1", (char *[]){"sh", "-c", "echo $$", NULL}, NULL);
  assert_string_equal(log, "1\n");
}

static void test_no_new_privs_no_inheritable_docker_bounding_set(void **state) {
  (void)state;
  REQUIRE_ROOT();
  _cleanup_free_ char *log =
      run("caps",
          (char *[]){"grep", "-E", "^(NoNewPrivs|CapInh|CapBnd|CapAmb)", "/proc/self/status", NULL},
          NULL);
  assert_non_null(strstr(log, "NoNewPrivs:\t1\n"));
  assert_non_null(strstr(log, "CapInh:\t0000000000000000\n"));
  assert_non_null(strstr(log, "CapAmb:\t0000000000000000\n"));
  assert_non_null(strstr(log, "CapBnd:\t00000000a80425fb\n"));
}

static void test_only_stdio_is_inherited(void **state) {
  (void)state;
  REQUIRE_ROOT();
  /* ls itself opens the directory it lists: fd 3 is its own. */
  _cleanup_free_ char *log = run("fds", (char *[]){"ls", "/proc/self/fd", NULL}, NULL);
  assert_string_equal(log, "0\n1\n2\n3\n");
}

static char *const status_argv[] = {
    "grep", "-E", "^(Uid|Gid|Groups|Cap...|NoNewPrivs):", "/proc/self/status", NULL};

/* Kubernetes' semantics: a non-root user keeps no capability after exec (no
 * ambient set); what it was given bounds what it may ever gain. */
static void test_non_root_identity_groups_and_bounding_set(void **state) {
  (void)state;
  REQUIRE_ROOT();
  agent_container_spec spec = {.name = "ids",
                               .rootfs = fx.rootfs,
                               .argv = status_argv,
                               .security = {.run_as_user = true,
                                            .uid = 1000,
                                            .run_as_group = true,
                                            .gid = 2000,
                                            .groups = {3000, 3001},
                                            .n_groups = 2,
                                            .cap_add = UINT64_C(1) << 12 /* NET_ADMIN */,
                                            .cap_drop = UINT64_C(1) << 0 /* CHOWN */}};
  _cleanup_free_ char *log = run_spec(&spec, NULL);
  assert_non_null(strstr(log, "Uid:\t1000\t1000\t1000\t1000\n"));
  assert_non_null(strstr(log, "Gid:\t2000\t2000\t2000\t2000\n"));
  assert_non_null(strstr(log, "Groups:\t3000 3001"));
  assert_non_null(strstr(log, "CapBnd:\t00000000a80435fa\n"));
  assert_non_null(strstr(log, "CapPrm:\t0000000000000000\n"));
  assert_non_null(strstr(log, "CapEff:\t0000000000000000\n"));
  assert_non_null(strstr(log, "CapInh:\t0000000000000000\n"));
  assert_non_null(strstr(log, "CapAmb:\t0000000000000000\n"));
  assert_non_null(strstr(log, "NoNewPrivs:\t1\n"));
}

static void test_root_gets_the_added_capabilities_and_none_dropped(void **state) {
  (void)state;
  REQUIRE_ROOT();
  agent_container_spec spec = {.name = "rootcaps",
                               .rootfs = fx.rootfs,
                               .argv = status_argv,
                               .security = {.drop_all = true,
                                            .cap_add = UINT64_C(1) << 10 /* NET_BIND_SERVICE */,
                                            .allow_privilege_escalation = true}};
  _cleanup_free_ char *log = run_spec(&spec, NULL);
  assert_non_null(strstr(log, "Uid:\t0\t0\t0\t0\n"));
  const char *groups = strstr(log, "Groups:\t"); /* none: the agent's are not kept */
  assert_non_null(groups);
  assert_true(groups[8] == ' ' || groups[8] == '\n');
  assert_non_null(strstr(log, "CapBnd:\t0000000000000400\n"));
  assert_non_null(strstr(log, "CapEff:\t0000000000000400\n"));
  assert_non_null(strstr(log, "NoNewPrivs:\t0\n"));
}

static void test_privileged_has_every_capability_and_no_no_new_privs(void **state) {
  (void)state;
  REQUIRE_ROOT();
  char want[128], host[96] = "";
  FILE *f = fopen("/proc/self/status", "re");
  assert_non_null(f);
  while (fgets(host, sizeof host, f) && strncmp(host, "CapBnd:", 7) != 0)
    ;
  fclose(f);
  snprintf(want, sizeof want, "CapEff:%s", host + 7);
  agent_container_spec spec = {
      .name = "priv", .rootfs = fx.rootfs, .argv = status_argv, .security = {.privileged = true}};
  _cleanup_free_ char *log = run_spec(&spec, NULL);
  assert_non_null(strstr(log, host));
  assert_non_null(strstr(log, want));
  assert_non_null(strstr(log, "NoNewPrivs:\t0\n"));
}

/* The agent may hold a host directory (inherited, or another thread's) when
 * the child is cloned: /proc/self/fd/N must not make it the working dir. */
static void test_working_dir_through_an_agent_descriptor_is_refused(void **state) {
  (void)state;
  REQUIRE_ROOT();
  int dirfd = open("/", O_RDONLY | O_DIRECTORY); /* not close-on-exec, on purpose */
  assert_true(dirfd >= 0);
  char wd[64];
  snprintf(wd, sizeof wd, "/proc/self/fd/%d", dirfd);
  agent_container_spec spec = {
      .name = "wd", .rootfs = fx.rootfs, .argv = (char *[]){"pwd", NULL}, .working_dir = wd};
  tug_error err = {0};
  int rc = agent_runtime_container_start(fx.rt, fx.sb, &spec, &fx.c[0], &err);
  close(dirfd);
  assert_int_equal(rc, -1);
  assert_non_null(strstr(err.msg, "workingDir"));
}

static void test_missing_working_dir_is_made_inside_the_root(void **state) {
  (void)state;
  REQUIRE_ROOT();
  agent_container_spec spec = {.name = "wdnew",
                               .rootfs = fx.rootfs,
                               .argv = (char *[]){"pwd", NULL},
                               .working_dir = "/../srv/app/"};
  _cleanup_free_ char *log = run_spec(&spec, NULL);
  assert_string_equal(log, "/srv/app\n");
  char path[PATH_MAX + 32];
  snprintf(path, sizeof path, "%s/../srv", fx.root);
  assert_int_equal(access(path, F_OK), -1);
}

/* runc's CVE-2019-5736: the interpreter "/proc/self/exe" is whatever the
 * exec'ing process runs; it must be tug-init, which refuses, not the agent. */
static void test_entrypoint_script_of_proc_self_exe_fails_cleanly(void **state) {
  (void)state;
  REQUIRE_ROOT();
  char script[PATH_MAX + 32];
  snprintf(script, sizeof script, "%s/selfexe", fx.rootfs);
  FILE *f = fopen(script, "we");
  assert_non_null(f);
  fputs("#!/proc/self/exe\n", f);
  fclose(f);
  assert_int_equal(chmod(script, 0755), 0);
  int code = -1;
  _cleanup_free_ char *log = run("selfexe", (char *[]){"/selfexe", NULL}, &code);
  unlink(script);
  assert_int_equal(code, 127);
  assert_non_null(strstr(log, "tug-init: not started by the agent"));
}

/* Exec probes join the container through its pidfd: even when the pid the
 * runtime remembers names another process (reused), they land in it. */
static void test_exec_joins_through_the_pidfd_not_the_pid(void **state) {
  (void)state;
  REQUIRE_ROOT();
  start(0, "target", NULL, (char *[]){"sh", "-c", "touch /target; exec sleep 30", NULL});
  start(1, "decoy", NULL, (char *[]){"sleep", "30", NULL});
  char *const argv[] = {"sh", "-c", "until [ -e /target ]; do sleep 0.05; done", NULL};
  int code = -1;
  tug_error err = {0};
  pid_t real = fx.c[0]->pid;
  fx.c[0]->pid = fx.c[1]->pid;
  int rc = agent_runtime_container_exec(fx.c[0], argv, 5000, &code, &err);
  fx.c[0]->pid = real;
  if (rc < 0)
    fail_msg("exec: %s", err.msg);
  assert_int_equal(code, 0);
}

static void test_exec_has_the_containers_identity(void **state) {
  (void)state;
  REQUIRE_ROOT();
  agent_container_spec spec = {
      .name = "who",
      .rootfs = fx.rootfs,
      .argv = (char *[]){"sleep", "30", NULL},
      .security = {.run_as_user = true, .uid = 1000, .run_as_group = true, .gid = 2000}};
  start_spec(0, &spec);
  char *const argv[] = {
      "sh", "-c",
      "[ \"$(id -u):$(id -g)\" = 1000:2000 ] && grep -q '^NoNewPrivs:.1' /proc/self/status && "
      "grep -q '^CapEff:.0000000000000000' /proc/self/status",
      NULL};
  int code = -1;
  tug_error err = {0};
  if (agent_runtime_container_exec(fx.c[0], argv, 5000, &code, &err) < 0)
    fail_msg("exec: %s", err.msg);
  assert_int_equal(code, 0);
}

static void test_root_is_the_image_with_minimal_dev(void **state) {
  (void)state;
  REQUIRE_ROOT();
  _cleanup_free_ char *log = run(
      "fs", (char *[]){"sh", "-c", "ls /dev; cat /etc/hosts; touch /sys/x || echo ro", NULL}, NULL);
  assert_non_null(strstr(log, "null\n"));
  assert_non_null(strstr(log, "urandom\n"));
  assert_non_null(strstr(log, "shm\n"));
  assert_null(strstr(log, "sda"));
  assert_non_null(strstr(log, "127.0.1.1\tweb-1\n"));
  assert_non_null(strstr(log, "ro\n"));
}

/* What the /proc and /sys checks print, one fact a line. */
static char *const proc_facts[] = {
    "sh", "-c",
    "echo timer_list=$(cat /proc/timer_list | wc -c); "
    "echo acpi=$(grep -c ' /proc/acpi .* tmpfs ' /proc/self/mountinfo); "
    /* opened for appending, nothing written (busybox's test -w trusts root) */
    "(: >>/proc/sys/kernel/hostname) 2>/dev/null && echo proc-sys-writable; "
    "touch /sys/kernel/x 2>/dev/null; grep -q ' /sys rw,' /proc/self/mountinfo && echo sys-rw; "
    "grep -c ' /sys/firmware ' /proc/self/mountinfo",
    NULL};

static void test_proc_masked_and_read_only_by_default(void **state) {
  (void)state;
  REQUIRE_ROOT();
  _cleanup_free_ char *log = run("masked", proc_facts, NULL);
  assert_non_null(strstr(log, "timer_list=0\n"));
  assert_non_null(strstr(log, "acpi=1\n"));
  assert_null(strstr(log, "proc-sys-writable"));
  assert_null(strstr(log, "sys-rw"));
  assert_non_null(strstr(log, "\n1\n")); /* one mount on /sys/firmware: the mask */
}

static void test_privileged_and_unmasked_see_all_of_proc(void **state) {
  (void)state;
  REQUIRE_ROOT();
  agent_security priv = {.privileged = true};
  _cleanup_free_ char *log = run_confined("priv", &priv, proc_facts, NULL);
  assert_null(strstr(log, "timer_list=0\n"));
  assert_non_null(strstr(log, "acpi=0\n"));
  assert_non_null(strstr(log, "proc-sys-writable"));
  assert_non_null(strstr(log, "sys-rw"));
  assert_non_null(strstr(log, "\n0\n"));
  agent_runtime_container_remove(fx.rt, fx.c[0], NULL);
  fx.c[0] = NULL;
  agent_security unmasked = {.unmasked_proc = true};
  _cleanup_free_ char *log2 = run_confined("unmasked", &unmasked, proc_facts, NULL);
  assert_null(strstr(log2, "timer_list=0\n"));
  assert_null(strstr(log2, "sys-rw"));
}

static void test_rootfs_confinement_follows_the_security_settings(void **state) {
  (void)state;
  agent_rootfs_config cfg = {0};
  agent_rootfs_confine(&(agent_security){0}, &cfg);
  assert_true(cfg.mask_proc);
  assert_false(cfg.sys_writable);
  assert_false(cfg.read_only_root);
  agent_rootfs_confine(&(agent_security){.privileged = true, .read_only_rootfs = true}, &cfg);
  assert_false(cfg.mask_proc);
  assert_true(cfg.sys_writable);
  assert_true(cfg.read_only_root);
  agent_rootfs_confine(&(agent_security){.unmasked_proc = true}, &cfg);
  assert_false(cfg.mask_proc);
  assert_false(cfg.sys_writable);
}

static bool listed(const char *const *list, const char *path) {
  for (; *list; list++)
    if (strcmp(*list, path) == 0)
      return true;
  return false;
}

static void test_masked_and_read_only_lists_are_dockers(void **state) {
  (void)state;
  static const char *const masked[] = {
      "proc/kcore", "proc/keys", "proc/timer_list", "proc/sched_debug",
      "proc/acpi",  "proc/scsi", "sys/firmware",    "sys/devices/virtual/powercap"};
  static const char *const ro[] = {"proc/sys", "proc/sysrq-trigger", "proc/irq", "proc/bus",
                                   "proc/fs"};
  for (size_t i = 0; i < sizeof masked / sizeof *masked; i++)
    assert_true(listed(agent_masked_paths, masked[i]));
  for (size_t i = 0; i < sizeof ro / sizeof *ro; i++)
    assert_true(listed(agent_readonly_paths, ro[i]));
  /* Relative to the root, inside /proc or /sys: never a path of the host. */
  for (const char *const *p = agent_masked_paths; *p; p++)
    assert_true(strncmp(*p, "proc/", 5) == 0 || strncmp(*p, "sys/", 4) == 0);
  for (const char *const *p = agent_readonly_paths; *p; p++)
    assert_true(strncmp(*p, "proc/", 5) == 0);
}

static void test_read_only_rootfs_keeps_dev_and_volumes_writable(void **state) {
  (void)state;
  REQUIRE_ROOT();
  char vol[PATH_MAX + 16];
  snprintf(vol, sizeof vol, "%s/rovol", fx.sb_dir);
  assert_int_equal(mkdir(vol, 0777), 0);
  agent_mount m = {.source = vol, .target = "/data"};
  agent_container_spec spec = {
      .name = "ro",
      .rootfs = fx.rootfs,
      .argv = (char *[]){"sh", "-c",
                         "touch /x || echo root-ro; touch /data/x && echo vol-rw; "
                         "echo hi > /dev/null && echo dev-rw; touch /dev/shm/x && echo shm-rw",
                         NULL},
      .mounts = &m,
      .n_mounts = 1,
      .security = {.read_only_rootfs = true}};
  tug_error err = {0};
  if (agent_runtime_container_start(fx.rt, fx.sb, &spec, &fx.c[0], &err) < 0)
    fail_msg("start: %s", err.msg);
  wait_exit(0, 10000);
  _cleanup_free_ char *log = read_log(0);
  assert_non_null(strstr(log, "root-ro\n"));
  assert_non_null(strstr(log, "vol-rw\n"));
  assert_non_null(strstr(log, "dev-rw\n"));
  assert_non_null(strstr(log, "shm-rw\n"));
}

/* Containers copy a mount namespace made when the runtime opened: a volume
 * whose source is a mount made after that still binds, with its content. */
static void test_volume_on_a_mount_made_after_the_runtime_opened(void **state) {
  (void)state;
  REQUIRE_ROOT();
  char mnt[PATH_MAX + 16], file[PATH_MAX + 32];
  snprintf(mnt, sizeof mnt, "%s/later", fx.sb_dir);
  assert_int_equal(mkdir(mnt, 0755), 0);
  assert_int_equal(mount("tmpfs", mnt, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k"), 0);
  snprintf(file, sizeof file, "%s/hello", mnt);
  FILE *f = fopen(file, "we");
  if (f)
    fputs("from-a-later-mount\n", f);
  if (f == NULL || fclose(f) != 0)
    fail_msg("write %s", file);
  agent_mount m = {.source = mnt, .target = "/data", .read_only = true};
  agent_container_spec spec = {
      .name = "later",
      .rootfs = fx.rootfs,
      .argv = (char *[]){"sh", "-c", "cat /data/hello; touch /data/x || echo vol-ro", NULL},
      .mounts = &m,
      .n_mounts = 1};
  tug_error err = {0};
  int rc = agent_runtime_container_start(fx.rt, fx.sb, &spec, &fx.c[0], &err);
  if (rc == 0)
    wait_exit(0, 10000);
  umount2(mnt, MNT_DETACH);
  if (rc < 0)
    fail_msg("start: %s", err.msg);
  _cleanup_free_ char *log = read_log(0);
  assert_non_null(strstr(log, "from-a-later-mount\n"));
  assert_non_null(strstr(log, "vol-ro\n"));
}

static void test_dev_is_nodev_and_its_nodes_work(void **state) {
  (void)state;
  REQUIRE_ROOT();
  _cleanup_free_ char *log =
      run("nodev",
          (char *[]){"sh", "-c",
                     "grep ' /dev ' /proc/self/mountinfo | grep -q nodev && echo dev-nodev; "
                     "mknod /dev/loopx b 7 0 && { head -c 1 /dev/loopx || echo open-refused; }; "
                     "head -c 4 /dev/zero | wc -c",
                     NULL},
          NULL);
  assert_non_null(strstr(log, "dev-nodev\n"));
  assert_non_null(strstr(log, "open-refused\n"));
  assert_non_null(strstr(log, "4\n"));
}

/* A volume that is not nodev (a hostPath's source_root is set): the devices
 * cgroup alone stops a node made there, unless the container is privileged. */
static char *run_mknod_on_a_dev_volume(const char *name, bool privileged) {
  char vol[PATH_MAX + 16];
  snprintf(vol, sizeof vol, "%s/devvol-%s", fx.sb_dir, name);
  assert_int_equal(mkdir(vol, 0777), 0);
  agent_mount m = {.source = vol, .source_root = fx.sb_dir, .target = "/data"};
  agent_container_spec spec = {
      .name = name,
      .rootfs = fx.rootfs,
      .argv = (char *[]){"sh", "-c",
                         "mknod /data/loop b 7 0 && echo made; "
                         "head -c 1 /data/loop >/dev/null && echo loop-opened; "
                         "mknod /data/kmsg c 1 11 && head -c 1 /data/kmsg >/dev/null; "
                         "head -c 1 /dev/urandom | wc -c",
                         NULL},
      .mounts = &m,
      .n_mounts = 1,
      .security = {.privileged = privileged}};
  tug_error err = {0};
  if (agent_runtime_container_start(fx.rt, fx.sb, &spec, &fx.c[0], &err) < 0)
    fail_msg("start: %s", err.msg);
  wait_exit(0, 10000);
  char *log = read_log(0);
  agent_runtime_container_remove(fx.rt, fx.c[0], NULL);
  fx.c[0] = NULL;
  return log;
}

static void test_devices_cgroup_allows_mknod_not_open(void **state) {
  (void)state;
  REQUIRE_ROOT();
  _cleanup_free_ char *log = run_mknod_on_a_dev_volume("devs", false);
  assert_non_null(strstr(log, "made\n"));
  assert_non_null(strstr(log, "/data/loop: Operation not permitted"));
  assert_non_null(strstr(log, "/data/kmsg: Operation not permitted"));
  assert_null(strstr(log, "loop-opened"));
  assert_non_null(strstr(log, "\n1\n")); /* urandom still reads */
  _cleanup_free_ char *priv = run_mknod_on_a_dev_volume("privdevs", true);
  assert_non_null(strstr(priv, "loop-opened"));
}

static void test_start_failure_names_the_step(void **state) {
  (void)state;
  REQUIRE_ROOT();
  agent_container_spec spec = {
      .name = "bad", .rootfs = fx.rootfs, .argv = (char *[]){"/no/such/binary", NULL}};
  tug_error err = {0};
  agent_container *c = NULL;
  assert_int_equal(agent_runtime_container_start(fx.rt, fx.sb, &spec, &c, &err), -1);
  assert_non_null(strstr(err.msg, "exec /no/such/binary"));
  char dir[PATH_MAX + 32];
  snprintf(dir, sizeof dir, "%s/containers/bad", fx.sb_dir);
  assert_int_equal(access(dir, F_OK), -1);
  snprintf(dir, sizeof dir, "%s/bad.upper", fx.sb_dir);
  assert_int_equal(access(dir, F_OK), -1);
}

static void test_memory_limit_oom_kill_is_detected(void **state) {
  (void)state;
  REQUIRE_ROOT();
  agent_resources r = {.memory_limit = 64 << 20};
  /* The shell keeps the 300 MB of output of the substitution in its memory. */
  start(
      0, "oom", &r,
      (char *[]){"sh", "-c", "x=$(head -c 300000000 /dev/zero | tr '\\0' a); echo survived", NULL});
  agent_process_status st = wait_exit(0, 30000);
  assert_true(st.oom_killed);
  assert_int_equal(st.exit_code, 128 + SIGKILL);
  _cleanup_free_ char *log = read_log(0);
  assert_null(strstr(log, "survived"));
}

/* Before its exec the child shares the agent's memory: were the OOM killer to
 * choose it there, the kernel would kill this process (the agent) with it. */
static void test_tiny_memory_limit_fails_the_container_not_the_agent(void **state) {
  (void)state;
  REQUIRE_ROOT();
  static const int64_t limits[] = {16 << 10, 64 << 10, 256 << 10};
  for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
    agent_resources r = {.memory_limit = limits[i]};
    agent_container_spec spec = {.name = "tiny",
                                 .rootfs = fx.rootfs,
                                 .argv = (char *[]){"echo", "hi", NULL},
                                 .resources = r};
    tug_error err = {0};
    if (agent_runtime_container_start(fx.rt, fx.sb, &spec, &fx.c[0], &err) < 0)
      continue; /* refused at setup: fine, and we are still here */
    agent_process_status st = wait_exit(0, 10000);
    assert_true(st.exit_code == 0 || st.exit_code == 127 || st.exit_code == 128 + SIGKILL);
    assert_int_equal(agent_runtime_container_remove(fx.rt, fx.c[0], &err), 0);
    fx.c[0] = NULL;
  }
}

static void test_pids_limit_stops_a_fork_bomb(void **state) {
  (void)state;
  REQUIRE_ROOT();
  agent_resources r = {.pids_max = 16};
  start(0, "bomb", &r, (char *[]){"sh", "-c", "b() { b | b & }; b; sleep 30", NULL});
  sleep_ms(500);
  agent_container_stats st = stats(0);
  assert_true(st.pids_current <= 16);
  assert_true(st.pids_max_hits > 0);
}

static void test_cpu_quota_throttles_a_busy_loop(void **state) {
  (void)state;
  REQUIRE_ROOT();
  agent_resources r = {.cpu_limit_milli = 200};
  start(0, "busy", &r, (char *[]){"sh", "-c", "while :; do :; done", NULL});
  sleep_ms(600);
  agent_container_stats st = stats(0);
  assert_true(st.cpu_nr_throttled > 0);
  /* 20% of one CPU for 0.6 s, with room for a period of slack. */
  assert_true(st.cpu_usage_ns < 250 * 1000 * 1000ull);
  tug_error err = {0};
  assert_int_equal(agent_runtime_container_signal(fx.c[0], SIGKILL, &err), 0);
  assert_int_equal(wait_exit(0, 5000).exit_code, 128 + SIGKILL);
}

static void test_containers_share_the_network_not_pids(void **state) {
  (void)state;
  REQUIRE_ROOT();
  char *const argv[] = {"sh", "-c", "readlink /proc/self/ns/net; readlink /proc/self/ns/pid", NULL};
  start(0, "a", NULL, argv);
  start(1, "b", NULL, argv);
  wait_exit(0, 10000);
  wait_exit(1, 10000);
  _cleanup_free_ char *a = read_log(0);
  _cleanup_free_ char *b = read_log(1);
  char host_net[64] = "";
  assert_true(readlink("/proc/self/ns/net", host_net, sizeof host_net - 1) > 0);
  char *a_pid = strchr(a, '\n'), *b_pid = strchr(b, '\n');
  assert_non_null(a_pid);
  assert_non_null(b_pid);
  *a_pid++ = '\0';
  *b_pid++ = '\0';
  assert_string_equal(a, b);
  assert_string_not_equal(a, host_net);
  assert_string_not_equal(a_pid, b_pid);
}

static void test_exec_runs_in_the_containers_cgroups(void **state) {
  (void)state;
  REQUIRE_ROOT();
  start(0, "probed", NULL, (char *[]){"sleep", "30", NULL});
  int code = -1;
  tug_error err = {0};
  char *const argv[] = {"sh", "-c", "cat /proc/self/cgroup > /cgroups", NULL};
  if (agent_runtime_container_exec(fx.c[0], argv, 5000, &code, &err) < 0)
    fail_msg("exec: %s", err.msg);
  assert_int_equal(code, 0);
  char path[4096];
  snprintf(path, sizeof path, "%s/probed.upper/cgroups", agent_runtime_sandbox_dir(fx.sb));
  FILE *f = fopen(path, "re");
  assert_non_null(f);
  char line[1024];
  int in_ours = 0;
  while (fgets(line, sizeof line, f))
    if (strstr(line, agent_runtime_container_cgroup(fx.c[0])))
      in_ours++;
  fclose(f);
  assert_true(in_ours >= 2); /* pids and memory at least (v1), or the one line of v2 */
}

static bool mounted_under(const char *dir) {
  FILE *f = fopen("/proc/self/mountinfo", "re");
  char line[4096];
  bool found = false;
  while (f && fgets(line, sizeof line, f))
    if (strstr(line, dir))
      found = true;
  if (f)
    fclose(f);
  return found;
}

static void test_removal_leaves_no_cgroup_mount_or_state(void **state) {
  (void)state;
  REQUIRE_ROOT();
  agent_resources r = {.memory_limit = 64 << 20, .pids_max = 32, .cpu_limit_milli = 500};
  start(0, "gone", &r, (char *[]){"sleep", "30", NULL});
  agent_runtime *rt = fx.rt;
  char cgroup[512];
  snprintf(cgroup, sizeof cgroup, "%s", agent_runtime_container_cgroup(fx.c[0]));
  assert_true(agent_cgroup_exists(rt->cgroup_mode, cgroup));
  assert_true(mounted_under(fx.sb_dir));
  tug_error err = {0};
  agent_container *c = fx.c[0];
  fx.c[0] = NULL;
  assert_int_equal(agent_runtime_container_remove(rt, c, &err), 0);
  assert_false(agent_cgroup_exists(rt->cgroup_mode, cgroup));
  agent_sandbox *sb = fx.sb;
  fx.sb = NULL;
  assert_int_equal(agent_runtime_sandbox_remove(rt, sb, &err), 0);
  assert_false(agent_cgroup_exists(rt->cgroup_mode, fx.pod_cgroup));
  assert_false(mounted_under(fx.sb_dir));
  assert_int_equal(access(fx.sb_dir, F_OK), -1);
}

static void test_symlinked_mount_target_stays_in_the_rootfs(void **state) {
  (void)state;
  REQUIRE_ROOT();
  /* An image whose /etc points at a host directory by absolute path. */
  char host_dir[PATH_MAX + 16], evil[PATH_MAX], path[2 * PATH_MAX + 32];
  snprintf(host_dir, sizeof host_dir, "%s/host-etc", fx.root);
  assert_int_equal(mkdir(host_dir, 0755), 0);
  tug_error err = {0};
  if (agent_image_import(fx.root, "evil", "latest", fx.rootfs, &err) < 0)
    fail_msg("import: %s", err.msg);
  assert_int_equal(agent_image_rootfs(fx.root, "evil", "latest", evil, sizeof evil, &err), 0);
  snprintf(path, sizeof path, "%s/etc", evil);
  assert_int_equal(agent_rm_rf(path, &err), 0);
  assert_int_equal(symlink(host_dir, path), 0);
  snprintf(path, sizeof path, "%s%s", evil, host_dir);
  assert_int_equal(agent_mkdir_p(path, 0755, &err), 0);

  agent_container_spec spec = {
      .name = "evil", .rootfs = evil, .argv = (char *[]){"cat", "/etc/hosts", NULL}};
  if (agent_runtime_container_start(fx.rt, fx.sb, &spec, &fx.c[0], &err) < 0)
    fail_msg("start: %s", err.msg);
  wait_exit(0, 10000);
  _cleanup_free_ char *log = read_log(0);
  assert_non_null(strstr(log, "web-1"));
  snprintf(path, sizeof path, "%s/hosts", host_dir);
  assert_int_equal(access(path, F_OK), -1);
}

static void test_image_import_of_a_tarball(void **state) {
  (void)state;
  REQUIRE_ROOT();
  char tar[PATH_MAX + 32], cmd[3 * PATH_MAX + 64], rootfs[PATH_MAX], path[PATH_MAX + 32];
  snprintf(tar, sizeof tar, "%s/busybox.tar.gz", fx.root);
  snprintf(cmd, sizeof cmd, "tar -C %s -czf %s .", fx.rootfs, tar);
  assert_int_equal(system(cmd), 0);
  tug_error err = {0};
  if (agent_image_import(fx.root, "fromtar", "v1", tar, &err) < 0)
    fail_msg("import: %s", err.msg);
  assert_int_equal(agent_image_rootfs(fx.root, "fromtar", "v1", rootfs, sizeof rootfs, &err), 0);
  snprintf(path, sizeof path, "%s/bin/sh", rootfs);
  char target[64] = "";
  assert_true(readlink(path, target, sizeof target - 1) > 0);
  assert_string_equal(target, "busybox");
  snprintf(path, sizeof path, "%s/bin/busybox", rootfs);
  assert_int_equal(access(path, X_OK), 0);
}

/* Imports add empty /etc/hosts and /etc/resolv.conf and the directories
 * mounted on in every container (here the ServiceAccount's, through the
 * image's /var/run -> ../run symlink) as mount points, so a container's start
 * creates nothing in its upper dir; an image's own entry, here a symlink,
 * stays what it was. */
static void test_image_import_adds_mount_points_and_keeps_the_images_own(void **state) {
  (void)state;
  REQUIRE_ROOT();
  char link[PATH_MAX + 32], rootfs[PATH_MAX], path[PATH_MAX + 64], target[64] = "";
  snprintf(link, sizeof link, "%s/etc/resolv.conf", fx.rootfs);
  unlink(link);
  assert_int_equal(symlink("../run/resolv.conf", link), 0);
  snprintf(path, sizeof path, "%s/var", fx.rootfs);
  mkdir(path, 0755);
  snprintf(path, sizeof path, "%s/var/run", fx.rootfs);
  char cmd[PATH_MAX + 128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
  assert_int_equal(system(cmd), 0);
  assert_int_equal(symlink("../run", path), 0);
  snprintf(path, sizeof path, "%s/run", fx.rootfs);
  mkdir(path, 0755);
  tug_error err = {0};
  if (agent_image_import(fx.root, "points", "v1", fx.rootfs, &err) < 0)
    fail_msg("import: %s", err.msg);
  assert_int_equal(agent_image_rootfs(fx.root, "points", "v1", rootfs, sizeof rootfs, &err), 0);
  struct stat st;
  snprintf(path, sizeof path, "%s/etc/hosts", rootfs);
  assert_int_equal(lstat(path, &st), 0);
  assert_true(S_ISREG(st.st_mode));
  assert_int_equal(st.st_size, 0);
  snprintf(path, sizeof path, "%s/etc/resolv.conf", rootfs);
  assert_true(readlink(path, target, sizeof target - 1) > 0);
  assert_string_equal(target, "../run/resolv.conf");
  snprintf(path, sizeof path, "%s/run/secrets/kubernetes.io/serviceaccount", rootfs);
  assert_int_equal(lstat(path, &st), 0);
  assert_true(S_ISDIR(st.st_mode));
  snprintf(path, sizeof path, "%s/proc", rootfs);
  assert_int_equal(lstat(path, &st), 0);
  assert_true(S_ISDIR(st.st_mode));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_echo_writes_to_the_log, setup, teardown),
      cmocka_unit_test_setup_teardown(test_exit_code_is_reported, setup, teardown),
      cmocka_unit_test_setup_teardown(test_stdin_once_closes_after_the_first_attach, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_stdin_stays_open_across_attaches, setup, teardown),
      cmocka_unit_test_setup_teardown(test_no_stdin_means_none_to_attach_to, setup, teardown),
      cmocka_unit_test_setup_teardown(
          test_tty_is_the_controlling_terminal_and_its_output_is_logged, setup, teardown),
      cmocka_unit_test_setup_teardown(test_signals_reach_the_command_unblocked_and_default, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_hostname_is_the_pod_name, setup, teardown),
      cmocka_unit_test_setup_teardown(test_command_is_pid_1, setup, teardown),
      cmocka_unit_test_setup_teardown(test_no_new_privs_no_inheritable_docker_bounding_set, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_only_stdio_is_inherited, setup, teardown),
      cmocka_unit_test_setup_teardown(test_root_is_the_image_with_minimal_dev, setup, teardown),
      cmocka_unit_test_setup_teardown(test_non_root_identity_groups_and_bounding_set, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_root_gets_the_added_capabilities_and_none_dropped, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_privileged_has_every_capability_and_no_no_new_privs,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(test_working_dir_through_an_agent_descriptor_is_refused,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(test_missing_working_dir_is_made_inside_the_root, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_entrypoint_script_of_proc_self_exe_fails_cleanly, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_exec_joins_through_the_pidfd_not_the_pid, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_exec_has_the_containers_identity, setup, teardown),
      cmocka_unit_test_setup_teardown(test_proc_masked_and_read_only_by_default, setup, teardown),
      cmocka_unit_test_setup_teardown(test_privileged_and_unmasked_see_all_of_proc, setup,
                                      teardown),
      cmocka_unit_test(test_rootfs_confinement_follows_the_security_settings),
      cmocka_unit_test(test_masked_and_read_only_lists_are_dockers),
      cmocka_unit_test_setup_teardown(test_read_only_rootfs_keeps_dev_and_volumes_writable, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_dev_is_nodev_and_its_nodes_work, setup, teardown),
      cmocka_unit_test_setup_teardown(test_devices_cgroup_allows_mknod_not_open, setup, teardown),
      cmocka_unit_test_setup_teardown(test_start_failure_names_the_step, setup, teardown),
      cmocka_unit_test_setup_teardown(test_memory_limit_oom_kill_is_detected, setup, teardown),
      cmocka_unit_test_setup_teardown(test_tiny_memory_limit_fails_the_container_not_the_agent,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(test_pids_limit_stops_a_fork_bomb, setup, teardown),
      cmocka_unit_test_setup_teardown(test_cpu_quota_throttles_a_busy_loop, setup, teardown),
      cmocka_unit_test_setup_teardown(test_exec_runs_in_the_containers_cgroups, setup, teardown),
      cmocka_unit_test_setup_teardown(test_containers_share_the_network_not_pids, setup, teardown),
      cmocka_unit_test_setup_teardown(test_removal_leaves_no_cgroup_mount_or_state, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_volume_on_a_mount_made_after_the_runtime_opened, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_symlinked_mount_target_stays_in_the_rootfs, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_image_import_adds_mount_points_and_keeps_the_images_own,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(test_image_import_of_a_tarball, setup, teardown),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
