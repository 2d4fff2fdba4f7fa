/*
 * Tests of the seccomp filters: the default table compiles and refuses what
 * Docker's default refuses, its capability-gated rules, Localhost profiles in
 * JSON (good and each kind of bad), and containers under each kind of
 * profile. Filters are tried in forked children that set no_new_privs, which
 * needs no root; only the container tests need root and skip without it.
 * Refused calls are asked for in ways that would change nothing on this
 * machine had the filter let them through.
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
#include <linux/capability.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime-internal.h"
#include "runtime-seccomp.h"
#include "runtime.h"

#define CAP(c) (UINT64_C(1) << (c))
/* Docker's default capability set, as runtime-security.c grants it. */
static uint64_t default_caps(void) {
  return agent_security_caps(&(agent_security){0});
}

static agent_seccomp default_filter(uint64_t caps) {
  agent_seccomp s;
  tug_error err = {0};
  if (agent_seccomp_prepare(NULL, &(agent_security){0}, caps, &s, &err) < 0)
    fail_msg("prepare: %s", err.msg);
  return s;
}

/* What one call gives under a filter: 0 on success, else its errno. */
typedef long (*probe_fn)(void);

static int under_filter(const agent_seccomp *s, probe_fn fn) {
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    char msg[256];
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
        agent_seccomp_install(&s->prog, msg, sizeof msg) < 0)
      _exit(255);
    errno = 0;
    _exit(fn() < 0 ? errno : 0);
  }
  int status;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  assert_int_not_equal(WEXITSTATUS(status), 255);
  return WEXITSTATUS(status);
}

static long do_getpid(void) {
  return syscall(SYS_getpid);
}
static long do_unshare_user(void) {
  return unshare(CLONE_NEWUSER);
}
static long do_unshare_mount(void) {
  return unshare(CLONE_NEWNS);
}
static long do_keyctl(void) {
  return syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
}
/* The target does not exist: unfiltered, root gets ENOENT. */
static long do_mount(void) {
  return mount("none", "/nonexistent-tug-test", "tmpfs", 0, NULL);
}
/* An invalid descriptor: unfiltered, root gets EBADF. */
static long do_finit_module(void) {
  return syscall(SYS_finit_module, -1, "", 0);
}
/* A zero size: unfiltered, EINVAL. */
static long do_clone3(void) {
  return syscall(SYS_clone3, NULL, 0);
}
static long do_vsock(void) {
  return socket(40 /* AF_VSOCK */, SOCK_STREAM, 0);
}
static long do_unix_socket(void) {
  return socket(AF_UNIX, SOCK_STREAM, 0);
}
static long do_personality_query(void) {
  return personality(0xffffffff);
}
static long do_personality_bsd(void) {
  return personality(PER_BSD);
}
static long do_fork(void) {
  pid_t pid = fork();
  if (pid == 0)
    _exit(0);
  return pid < 0 ? -1 : waitpid(pid, NULL, 0);
}
static long do_clone_newuser(void) {
  pid_t pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, NULL);
  if (pid == 0)
    _exit(0);
  return pid < 0 ? -1 : waitpid(pid, NULL, 0);
}

static void test_default_profile_compiles_once_per_capability_set(void **state) {
  (void)state;
  agent_seccomp a = default_filter(default_caps()), b = default_filter(default_caps());
  assert_true(a.prog.len > 100);
  assert_null(a.owned); /* cached: shared, never freed */
  assert_ptr_equal(a.prog.filter, b.prog.filter);
  agent_seccomp admin = default_filter(default_caps() | CAP(CAP_SYS_ADMIN));
  assert_ptr_not_equal(admin.prog.filter, a.prog.filter);
}

static void test_privileged_and_unconfined_get_no_filter(void **state) {
  (void)state;
  agent_seccomp s;
  tug_error err = {0};
  assert_int_equal(
      agent_seccomp_prepare(NULL, &(agent_security){.privileged = true}, default_caps(), &s, &err),
      0);
  assert_int_equal(s.prog.len, 0);
  assert_int_equal(agent_seccomp_prepare(NULL,
                                         &(agent_security){.seccomp = AGENT_SECCOMP_UNCONFINED},
                                         default_caps(), &s, &err),
                   0);
  assert_int_equal(s.prog.len, 0);
}

static void test_default_refuses_namespaces_keyrings_mounts_and_modules(void **state) {
  (void)state;
  agent_seccomp s = default_filter(default_caps());
  assert_int_equal(under_filter(&s, do_getpid), 0);
  assert_int_equal(under_filter(&s, do_unshare_user), EPERM);
  assert_int_equal(under_filter(&s, do_unshare_mount), EPERM);
  assert_int_equal(under_filter(&s, do_clone_newuser), EPERM);
  assert_int_equal(under_filter(&s, do_keyctl), EPERM);
  assert_int_equal(under_filter(&s, do_mount), EPERM);
  assert_int_equal(under_filter(&s, do_finit_module), EPERM);
  assert_int_equal(under_filter(&s, do_vsock), EPERM);
  assert_int_equal(under_filter(&s, do_personality_bsd), EPERM);
}

static void test_default_lets_ordinary_programs_run(void **state) {
  (void)state;
  agent_seccomp s = default_filter(default_caps());
  assert_int_equal(under_filter(&s, do_fork), 0);
  assert_int_equal(under_filter(&s, do_unix_socket), 0);
  assert_int_equal(under_filter(&s, do_personality_query), 0);
  /* ENOSYS, not EPERM: libc then falls back to clone. */
  assert_int_equal(under_filter(&s, do_clone3), ENOSYS);
}

#if defined(__x86_64__)
static long do_x32_getpid(void) {
  return syscall(0x40000000 | SYS_getpid); /* __X32_SYSCALL_BIT */
}

/* The filter covers x32 only where the kernel runs it; either way an x32 call
 * gets what the kernel alone would answer (a pid, or ENOSYS), never a kill. */
static void test_default_answers_an_abi_the_kernel_lacks_as_the_kernel_does(void **state) {
  (void)state;
  agent_seccomp s = default_filter(default_caps());
  errno = 0;
  int unfiltered = do_x32_getpid() < 0 ? errno : 0;
  assert_int_equal(under_filter(&s, do_x32_getpid), unfiltered);
}
#endif

static void test_cap_sys_admin_opens_namespaces_and_clone3(void **state) {
  (void)state;
  agent_seccomp s = default_filter(default_caps() | CAP(CAP_SYS_ADMIN));
  assert_int_equal(under_filter(&s, do_unshare_user), 0);
  assert_int_equal(under_filter(&s, do_clone3), EINVAL);
}

/* The rules that hold for caps, as names, from the OCI export of the table. */
static bool allows(uint64_t caps, const char *name) {
  json_t *oci = agent_seccomp_default_oci(caps), *rule, *n;
  size_t i, k;
  bool found = false;
  json_array_foreach(json_object_get(oci, "syscalls"), i, rule) {
    if (strcmp(json_string_value(json_object_get(rule, "action")), "SCMP_ACT_ALLOW") != 0)
      continue;
    json_array_foreach(json_object_get(rule, "names"), k, n) found |=
        strcmp(json_string_value(n), name) == 0;
  }
  json_decref(oci);
  return found;
}

static void test_each_capability_opens_its_own_group(void **state) {
  (void)state;
  static const struct {
    int cap;
    const char *name;
  } groups[] = {
      {CAP_SYS_ADMIN, "mount"},
      {CAP_SYS_ADMIN, "setns"},
      {CAP_SYS_MODULE, "finit_module"},
      {CAP_SYS_BOOT, "reboot"},
      {CAP_SYS_TIME, "settimeofday"},
      {CAP_SYS_NICE, "mbind"},
      {CAP_SYS_RAWIO, "iopl"},
      {CAP_SYS_PACCT, "acct"},
      {CAP_SYSLOG, "syslog"},
      {CAP_SYS_PTRACE, "kcmp"},
      {CAP_BPF, "bpf"},
      {CAP_PERFMON, "perf_event_open"},
      {CAP_DAC_READ_SEARCH, "open_by_handle_at"},
      {CAP_SYS_TTY_CONFIG, "vhangup"},
  };
  for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
    assert_false(allows(default_caps(), groups[i].name));
    assert_true(allows(default_caps() | CAP(groups[i].cap), groups[i].name));
  }
  /* Docker's default set holds CAP_SYS_CHROOT. */
  assert_true(allows(default_caps(), "chroot"));
  assert_false(allows(default_caps() & ~CAP(CAP_SYS_CHROOT), "chroot"));
}

static void test_oci_export_names_the_native_architecture_first(void **state) {
  (void)state;
  json_t *oci = agent_seccomp_default_oci(default_caps());
  assert_string_equal(json_string_value(json_object_get(oci, "defaultAction")), "SCMP_ACT_ERRNO");
  assert_int_equal(json_integer_value(json_object_get(oci, "defaultErrnoRet")), EPERM);
#ifdef __x86_64__
  assert_string_equal(json_string_value(json_array_get(json_object_get(oci, "architectures"), 0)),
                      "SCMP_ARCH_X86_64");
#endif
  json_decref(oci);
}

/* ---- Localhost profiles ---- */

static int compile_text(const char *text, agent_seccomp *s, tug_error *err) {
  json_error_t jerr;
  json_t *j = json_loads(text, 0, &jerr);
  if (j == NULL)
    fail_msg("test JSON: %s", jerr.text);
  int rc = agent_seccomp_compile_json(j, "seccomp profile t.json", s, err);
  json_decref(j);
  return rc;
}

static void test_json_profile_refuses_what_it_names(void **state) {
  (void)state;
  agent_seccomp s;
  tug_error err = {0};
  assert_int_equal(compile_text("{\"defaultAction\": \"SCMP_ACT_ALLOW\","
                                " \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\"],"
                                " \"syscalls\": [{\"names\": [\"keyctl\", \"add_key\"],"
                                "   \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13},"
                                "  {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ERRNO\","
                                "   \"args\": [{\"index\": 0, \"value\": 8, \"op\": "
                                "\"SCMP_CMP_EQ\"}]}]}",
                                &s, &err),
                   0);
  assert_non_null(s.owned);
  assert_int_equal(under_filter(&s, do_keyctl), EACCES);
  assert_int_equal(under_filter(&s, do_getpid), 0);
  assert_int_equal(under_filter(&s, do_personality_query), 0);
  agent_seccomp_release(&s);
}

static void test_json_profile_errors_name_the_field(void **state) {
  (void)state;
  static const struct {
    const char *json, *field;
  } bad[] = {
      {"[]", "not a JSON object"},
      {"{}", "defaultAction"},
      {"{\"defaultAction\": \"SCMP_ACT_NOPE\"}", "unknown action \"SCMP_ACT_NOPE\""},
      {"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": -1}", "errnoRet"},
      {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_VAX\"]}",
       "architectures[0]"},
      {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": {}}", "syscalls: not an array"},
      {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"action\": "
       "\"SCMP_ACT_ERRNO\"}]}",
       "syscalls[0].names"},
      {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [1], \"action\": "
       "\"SCMP_ACT_ERRNO\"}]}",
       "syscalls[0].names[0]"},
      {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"]}]}",
       "syscalls[0].action"},
      {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], "
       "\"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 6, \"value\": 1, \"op\": "
       "\"SCMP_CMP_EQ\"}]}]}",
       "syscalls[0].args[0].index"},
      {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], "
       "\"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"value\": 1, \"op\": "
       "\"SCMP_CMP_ABOUT\"}]}]}",
       "syscalls[0].args[0].op"},
      {"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], "
       "\"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"value\": -5, \"op\": "
       "\"SCMP_CMP_EQ\"}]}]}",
       "syscalls[0].args[0].value"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    agent_seccomp s;
    tug_error err = {0};
    assert_int_equal(compile_text(bad[i].json, &s, &err), -1);
    if (strstr(err.msg, "t.json") == NULL || strstr(err.msg, bad[i].field) == NULL)
      fail_msg("%s: error \"%s\" does not name \"%s\"", bad[i].json, err.msg, bad[i].field);
  }
}

static void write_file(const char *dir, const char *name, const char *text) {
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "we");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static int localhost(const char *dir, const char *name, agent_seccomp *s, tug_error *err) {
  agent_security sec = {.seccomp = AGENT_SECCOMP_LOCALHOST, .seccomp_profile = name};
  return agent_seccomp_prepare(dir, &sec, default_caps(), s, err);
}

static void test_localhost_profiles_stay_in_their_dir(void **state) {
  (void)state;
  char dir[] = "/tmp/tug-seccomp-test.XXXXXX", sub[PATH_MAX], outside[PATH_MAX];
  assert_non_null(mkdtemp(dir));
  snprintf(sub, sizeof sub, "%s/profiles", dir);
  assert_int_equal(mkdir(sub, 0700), 0);
  write_file(sub, "deny-keyctl.json",
             "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"keyctl\"], "
             "\"action\": \"SCMP_ACT_ERRNO\"}]}");
  write_file(sub, "broken.json", "{\"defaultAction\": ");
  write_file(dir, "outside.json", "{\"defaultAction\": \"SCMP_ACT_ALLOW\"}");
  snprintf(outside, sizeof outside, "%s/outside.json", dir);
  char link[PATH_MAX + 16];
  snprintf(link, sizeof link, "%s/escape.json", sub);
  assert_int_equal(symlink(outside, link), 0);

  agent_seccomp s;
  tug_error err = {0};
  assert_int_equal(localhost(sub, "deny-keyctl.json", &s, &err), 0);
  assert_int_equal(under_filter(&s, do_keyctl), EPERM);
  assert_int_equal(under_filter(&s, do_unshare_user), 0);
  agent_seccomp_release(&s);

  static const struct {
    const char *name, *says;
  } bad[] = {
      {"missing.json", "missing.json: No such file"},
      {"broken.json", "broken.json: line 1"},
      {"../outside.json", "\"..\""},
      {"a/../../outside.json", "\"..\""},
      {"/etc/passwd", "absolute"},
      {"", "no path"},
      {"escape.json", "escape.json"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    assert_int_equal(localhost(sub, bad[i].name, &s, &err), -1);
    if (strstr(err.msg, bad[i].says) == NULL)
      fail_msg("%s: error \"%s\" does not say \"%s\"", bad[i].name, err.msg, bad[i].says);
  }
  assert_int_equal(localhost(NULL, "deny-keyctl.json", &s, &err), -1);
  assert_non_null(strstr(err.msg, "no profile dir"));
  agent_rm_rf(dir, NULL);
}

/* ---- containers ---- */

static struct {
  char root[64], rootfs[PATH_MAX];
  agent_runtime *rt;
  agent_sandbox *sb;
  agent_container *c;
} fx;

static int group_setup(void **state) {
  (void)state;
  if (geteuid() != 0)
    return 0;
  tug_error err = {0};
  snprintf(fx.root, sizeof fx.root, "/var/tmp/tug-seccomp-test.XXXXXX");
  if (mkdtemp(fx.root) == NULL)
    return -1;
  char dir[PATH_MAX];
  snprintf(dir, sizeof dir, "%s/state", fx.root);
  agent_sandbox_spec spec = {.pod_uid = "seccomp-test", .pod_name = "seccomp"};
  if (agent_image_build_busybox(fx.root, &err) < 0 ||
      agent_image_rootfs(fx.root, "busybox", "latest", fx.rootfs, sizeof fx.rootfs, &err) < 0 ||
      agent_runtime_open(dir, &fx.rt, &err) < 0 ||
      agent_runtime_sandbox_create(fx.rt, &spec, &fx.sb, &err) < 0) {
    fprintf(stderr, "setup: %s\n", err.msg);
    return -1;
  }
  snprintf(dir, sizeof dir, "%s/seccomp", fx.root);
  if (mkdir(dir, 0700) < 0 || agent_runtime_set_seccomp_dir(fx.rt, dir, &err) < 0)
    return -1;
  write_file(dir, "no-mkdir.json",
             "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\", "
             "\"mkdirat\"], "
             "\"action\": \"SCMP_ACT_ERRNO\"}]}");
  return 0;
}

static int group_teardown(void **state) {
  (void)state;
  tug_error err = {0};
  if (fx.sb && agent_runtime_sandbox_remove(fx.rt, fx.sb, &err) < 0)
    fprintf(stderr, "teardown: %s\n", err.msg);
  if (fx.rt)
    agent_runtime_close(fx.rt);
  if (fx.root[0])
    agent_rm_rf(fx.root, NULL);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  tug_error err = {0};
  if (fx.c && agent_runtime_container_remove(fx.rt, fx.c, &err) < 0)
    fprintf(stderr, "teardown: %s\n", err.msg);
  fx.c = NULL;
  return 0;
}

/* Runs a shell script in a busybox container confined as sec; its log. */
static char *run_script(const agent_security *sec, const char *script) {
  if (geteuid() != 0)
    skip();
  agent_container_spec spec = {.name = "probe",
                               .rootfs = fx.rootfs,
                               .argv = (char *[]){"/bin/sh", "-c", (char *)script, NULL},
                               .security = *sec};
  tug_error err = {0};
  if (agent_runtime_container_start(fx.rt, fx.sb, &spec, &fx.c, &err) < 0)
    fail_msg("start: %s", err.msg);
  agent_process_status st;
  if (agent_runtime_container_wait(fx.c, 10000, &st, &err) < 0 || st.running)
    fail_msg("wait: %s", st.running ? "still running" : err.msg);
  FILE *f = fopen(agent_runtime_container_log(fx.c), "re");
  assert_non_null(f);
  char *buf = calloc(1, 4096);
  size_t n = fread(buf, 1, 4095, f);
  buf[n] = '\0';
  fclose(f);
  return buf;
}

static const char probe_script[] = "grep Seccomp: /proc/self/status; "
                                   "unshare -U true && echo userns-allowed; "
                                   "unshare -m true && echo mountns-allowed; "
                                   "mount -t tmpfs none /mnt && echo mount-allowed; "
                                   "ls / >/dev/null && echo ls-works";

static void test_container_runs_under_the_default_profile(void **state) {
  (void)state;
  char *log = run_script(&(agent_security){0}, probe_script);
  if (strstr(log, "Seccomp:\t2") == NULL || strstr(log, "allowed") ||
      strstr(log, "ls-works") == NULL)
    fail_msg("log: %s", log);
  assert_non_null(strstr(log, "Operation not permitted"));
  free(log);
}

/* Without no_new_privs the filter goes on before capabilities are dropped. */
static void test_container_allowing_escalation_is_filtered_too(void **state) {
  (void)state;
  char *log = run_script(&(agent_security){.allow_privilege_escalation = true}, probe_script);
  if (strstr(log, "Seccomp:\t2") == NULL || strstr(log, "allowed") ||
      strstr(log, "ls-works") == NULL)
    fail_msg("log: %s", log);
  free(log);
}

static void test_unconfined_container_has_no_filter(void **state) {
  (void)state;
  char *log = run_script(&(agent_security){.seccomp = AGENT_SECCOMP_UNCONFINED}, probe_script);
  if (strstr(log, "Seccomp:\t0") == NULL || strstr(log, "userns-allowed") == NULL)
    fail_msg("log: %s", log);
  free(log);
}

static void test_localhost_container_refuses_what_its_profile_names(void **state) {
  (void)state;
  agent_security sec = {.seccomp = AGENT_SECCOMP_LOCALHOST, .seccomp_profile = "no-mkdir.json"};
  char *log = run_script(&sec, "mkdir /tmp/d || echo mkdir-refused; unshare -U true && echo "
                               "userns-allowed");
  if (strstr(log, "mkdir-refused") == NULL || strstr(log, "userns-allowed") == NULL)
    fail_msg("log: %s", log);
  free(log);
}

/* The exit code of argv exec'd into a running container confined as sec. */
static int exec_in(const agent_security *sec, char *const *argv) {
  agent_container_spec spec = {.name = "probe",
                               .rootfs = fx.rootfs,
                               .argv = (char *[]){"/bin/sleep", "30", NULL},
                               .security = *sec};
  tug_error err = {0};
  int code = -1;
  if (agent_runtime_container_start(fx.rt, fx.sb, &spec, &fx.c, &err) < 0 ||
      agent_runtime_container_exec(fx.c, argv, 5000, &code, &err) < 0)
    fail_msg("start or exec: %s", err.msg);
  if (agent_runtime_container_remove(fx.rt, fx.c, &err) < 0)
    fail_msg("remove: %s", err.msg);
  fx.c = NULL;
  return code;
}

static void test_exec_runs_under_the_containers_filter(void **state) {
  (void)state;
  if (geteuid() != 0)
    skip();
  char *const userns[] = {"unshare", "-U", "true", NULL};
  assert_int_not_equal(exec_in(&(agent_security){0}, userns), 0);
  assert_int_equal(exec_in(&(agent_security){.seccomp = AGENT_SECCOMP_UNCONFINED}, userns), 0);
}

static void test_missing_localhost_profile_fails_the_start(void **state) {
  (void)state;
  if (geteuid() != 0)
    skip();
  agent_container_spec spec = {
      .name = "probe",
      .rootfs = fx.rootfs,
      .argv = (char *[]){"/bin/true", NULL},
      .security = {.seccomp = AGENT_SECCOMP_LOCALHOST, .seccomp_profile = "nope.json"}};
  tug_error err = {0};
  assert_int_equal(agent_runtime_container_start(fx.rt, fx.sb, &spec, &fx.c, &err), -1);
  if (strstr(err.msg, "seccomp/nope.json: No such file") == NULL)
    fail_msg("error: %s", err.msg);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_default_profile_compiles_once_per_capability_set),
    cmocka_unit_test(test_privileged_and_unconfined_get_no_filter),
    cmocka_unit_test(test_default_refuses_namespaces_keyrings_mounts_and_modules),
    cmocka_unit_test(test_default_lets_ordinary_programs_run),
#if defined(__x86_64__)
    cmocka_unit_test(test_default_answers_an_abi_the_kernel_lacks_as_the_kernel_does),
#endif
    cmocka_unit_test(test_cap_sys_admin_opens_namespaces_and_clone3),
    cmocka_unit_test(test_each_capability_opens_its_own_group),
    cmocka_unit_test(test_oci_export_names_the_native_architecture_first),
    cmocka_unit_test(test_json_profile_refuses_what_it_names),
    cmocka_unit_test(test_json_profile_errors_name_the_field),
    cmocka_unit_test(test_localhost_profiles_stay_in_their_dir),
    cmocka_unit_test_teardown(test_container_runs_under_the_default_profile, teardown),
    cmocka_unit_test_teardown(test_container_allowing_escalation_is_filtered_too, teardown),
    cmocka_unit_test_teardown(test_unconfined_container_has_no_filter, teardown),
    cmocka_unit_test_teardown(test_localhost_container_refuses_what_its_profile_names, teardown),
    cmocka_unit_test_teardown(test_exec_runs_under_the_containers_filter, teardown),
    cmocka_unit_test_teardown(test_missing_localhost_profile_fails_the_start, teardown),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
