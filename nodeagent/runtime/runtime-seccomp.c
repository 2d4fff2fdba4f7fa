/*
 * runtime-seccomp.c — compile seccomp profiles to BPF in the agent, cache the
 * runtime default per capability set, read Localhost profiles, and install a
 * program in the child.
 *
 * The one idea: libseccomp allocates, so it never runs in the child; the
 * child gets a finished struct sock_fprog and makes one prctl. Programs are
 * exported with seccomp_export_bpf into a memfd and read back.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "runtime-internal.h"
#include "runtime-seccomp-internal.h"
#include "runtime-seccomp.h"

/* Architectures by their Docker/OCI names; sub: the 32-bit kin a filter for
 * this native architecture also covers, as in Docker's archMap. */
static const struct arch {
  const char *name;
  uint32_t token;
  unsigned bit;
  uint32_t sub[2];
} arches[] = {
    {"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64, AGENT_SECCOMP_AMD64, {SCMP_ARCH_X86, SCMP_ARCH_X32}},
    {"SCMP_ARCH_X86", SCMP_ARCH_X86, AGENT_SECCOMP_X86, {0}},
    {"SCMP_ARCH_X32", SCMP_ARCH_X32, AGENT_SECCOMP_X32, {0}},
    {"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64, AGENT_SECCOMP_ARM64, {SCMP_ARCH_ARM}},
    {"SCMP_ARCH_ARM", SCMP_ARCH_ARM, AGENT_SECCOMP_ARM, {0}},
    {"SCMP_ARCH_S390X", SCMP_ARCH_S390X, AGENT_SECCOMP_S390, {SCMP_ARCH_S390}},
    {"SCMP_ARCH_S390", SCMP_ARCH_S390, AGENT_SECCOMP_S390, {0}},
    {"SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE, AGENT_SECCOMP_PPC64LE, {0}},
    {"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64, AGENT_SECCOMP_RISCV64, {0}},
};

/* Actions by name; with_data: the low 16 bits are errnoRet (ERRNO, TRACE). */
static const struct action {
  const char *name;
  uint32_t action;
  bool with_data;
} actions[] = {
    {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false},
    {"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), true},
    {"SCMP_ACT_KILL", SCMP_ACT_KILL, false},
    {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL, false},
    {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false},
    {"SCMP_ACT_TRAP", SCMP_ACT_TRAP, false},
    {"SCMP_ACT_LOG", SCMP_ACT_LOG, false},
    {"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), true},
};

static const struct op {
  const char *name;
  enum scmp_compare op;
} ops[] = {
    {"SCMP_CMP_NE", SCMP_CMP_NE},
    {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const struct arch *arch_by_token(uint32_t token) {
  for (size_t i = 0; i < COUNT(arches); i++)
    if (arches[i].token == token)
      return &arches[i];
  return NULL;
}

static bool rule_applies(const agent_seccomp_rule *r, uint64_t caps, unsigned native) {
  return (r->caps_any == 0 || (caps & r->caps_any)) && !(caps & r->caps_none) &&
         (r->arches == 0 || (r->arches & native)) && !(r->not_arches & native);
}

/* Whether this kernel runs system calls of a 32-bit kin of the native
 * architecture at all. Many do not (x32 is off in most distributions' kernels,
 * ia32 emulation can be disabled), and rules for an ABI no process can use are
 * dead code that every container start pays for: the kernel converts and JITs
 * the whole program in each prctl, about 0.15 ms per 100 instructions here. */
static bool kernel_runs(uint32_t token) {
#if defined(__x86_64__)
  if (token == SCMP_ARCH_X32)
    return syscall(0x40000000 | SYS_getpid) >= 0; /* __X32_SYSCALL_BIT */
  if (token == SCMP_ARCH_X86) {
    /* int $0x80 without ia32 emulation is a general protection fault. */
    pid_t pid = fork();
    if (pid == 0) {
      /* Die of the fault even where a handler is installed (test runners). */
      struct sigaction dfl = {.sa_handler = SIG_DFL};
      sigaction(SIGSEGV, &dfl, NULL);
      sigset_t segv;
      sigemptyset(&segv);
      sigaddset(&segv, SIGSEGV);
      sigprocmask(SIG_UNBLOCK, &segv, NULL);
      long r;
      __asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory"); /* ia32 getpid */
      _exit(r > 0 ? 0 : 1);
    }
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
      return true; /* cannot tell: keep the rules */
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
#endif
  (void)token;
  return true;
}

/* The native architecture's 32-bit kin this kernel runs, probed once. */
static struct {
  pthread_once_t once;
  size_t n;
  uint32_t sub[2];
} kin = {.once = PTHREAD_ONCE_INIT};

static void probe_kin(void) {
  const struct arch *a = arch_by_token(seccomp_arch_native());
  for (int i = 0; a && i < 2 && a->sub[i]; i++)
    if (kernel_runs(a->sub[i]))
      kin.sub[kin.n++] = a->sub[i];
}

/* The architectures a profile's filter covers, native first; *pruned: a kin
 * of the native architecture was left out because the kernel cannot run it. */
static size_t profile_arches(const agent_seccomp_profile *p, uint32_t *out, bool *pruned) {
  *pruned = false;
  if (!p->native_and_sub_arches) {
    memcpy(out, p->arches, p->n_arches * sizeof *out);
    return p->n_arches;
  }
  pthread_once(&kin.once, probe_kin);
  size_t n = 0, all = 0;
  out[n++] = seccomp_arch_native();
  const struct arch *a = arch_by_token(out[0]);
  while (a && all < 2 && a->sub[all])
    all++;
  for (size_t i = 0; i < kin.n; i++)
    out[n++] = kin.sub[i];
  *pruned = kin.n < all;
  return n;
}

static int add_rule(scmp_filter_ctx ctx, const agent_seccomp_rule *r, uint32_t default_action,
                    tug_error *err) {
  if (r->action == default_action) /* libseccomp refuses it; it would change nothing */
    return 0;
  for (const char *const *name = r->names; *name; name++) {
    int nr = seccomp_syscall_resolve_name(*name);
    if (nr == __NR_SCMP_ERROR) /* newer than libseccomp: no process can make it either */
      continue;
    int rc = seccomp_rule_add_array(ctx, r->action, nr, r->n_args, r->args);
    if (rc < 0)
      return tug_error_errno(err, -rc, "add the rule for %s", *name);
  }
  return 0;
}

/* The filter as classic BPF, through a memfd: libseccomp 2.5 exports to a
 * descriptor only. */
static int export_bpf(scmp_filter_ctx ctx, agent_seccomp *out, tug_error *err) {
  _cleanup_close_ int fd = memfd_create("tug-seccomp", MFD_CLOEXEC);
  if (fd < 0)
    return tug_error_errno(err, errno, "memfd_create");
  int rc = seccomp_export_bpf(ctx, fd);
  if (rc < 0)
    return tug_error_errno(err, -rc, "export the seccomp filter");
  off_t size = lseek(fd, 0, SEEK_END);
  if (size <= 0 || size % sizeof(struct sock_filter) || size / sizeof(struct sock_filter) > 0xffff)
    return tug_error_set(err, EINVAL, "seccomp filter of %lld bytes", (long long)size);
  struct sock_filter *insns = malloc((size_t)size);
  if (insns == NULL)
    return tug_error_errno(err, ENOMEM, "allocate the seccomp filter");
  if (pread(fd, insns, (size_t)size, 0) != size) {
    free(insns);
    return tug_error_errno(err, errno ? errno : EIO, "read the seccomp filter back");
  }
  out->prog = (struct sock_fprog){.len = (unsigned short)(size / sizeof *insns), .filter = insns};
  out->owned = insns;
  return 0;
}

/* The one compile function: the rules of p that apply to caps, to BPF. */
static int compile(const agent_seccomp_profile *p, uint64_t caps, agent_seccomp *out,
                   tug_error *err) {
  scmp_filter_ctx ctx = seccomp_init(p->default_action);
  if (ctx == NULL)
    return tug_error_set(err, EINVAL, "seccomp_init: bad default action");
  uint32_t list[AGENT_SECCOMP_MAX_ARCHES];
  bool pruned;
  size_t n = profile_arches(p, list, &pruned);
  const struct arch *native = arch_by_token(seccomp_arch_native());
  int rc = 0;
  /* A call of an ABI left out gets what this kernel answers it anyway. */
  if (pruned)
    seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ERRNO(ENOSYS));
  for (size_t i = 0; i < n && rc == 0; i++) {
    int r = seccomp_arch_add(ctx, list[i]);
    if (r < 0 && r != -EEXIST)
      rc = tug_error_errno(err, -r, "add architecture %#x", list[i]);
  }
  /* A binary tree of syscall numbers: the default profile lists hundreds. */
  if (rc == 0)
    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
  for (size_t i = 0; i < p->n_rules && rc == 0; i++)
    if (rule_applies(&p->rules[i], caps, native ? native->bit : 0))
      rc = add_rule(ctx, &p->rules[i], p->default_action, err);
  if (rc == 0)
    rc = export_bpf(ctx, out, err);
  seccomp_release(ctx);
  return rc;
}

/* Compiled runtime defaults by capability set; entries live as long as the
 * agent (a handful of sets in practice), so their programs are shared. */
enum { CACHE_MAX = 32 };
static struct {
  pthread_mutex_t lock;
  size_t n;
  uint64_t caps[CACHE_MAX];
  struct sock_fprog prog[CACHE_MAX];
} cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

static int default_program(uint64_t caps, agent_seccomp *out, tug_error *err) {
  pthread_mutex_lock(&cache.lock);
  int rc = 0;
  size_t i = 0;
  while (i < cache.n && cache.caps[i] != caps)
    i++;
  if (i < cache.n)
    out->prog = cache.prog[i];
  else if ((rc = compile(&agent_seccomp_default, caps, out, err)) == 0 && cache.n < CACHE_MAX) {
    cache.caps[cache.n] = caps;
    cache.prog[cache.n++] = out->prog;
    out->owned = NULL;
  }
  pthread_mutex_unlock(&cache.lock);
  return rc < 0 ? tug_error_wrap(err, "runtime default seccomp profile") : 0;
}

/* ---- Docker/OCI JSON profiles ---- */

typedef struct parsed {
  agent_seccomp_profile profile;
  agent_seccomp_rule *rules;
} parsed;

static void parsed_free(parsed *p) {
  for (size_t i = 0; p->rules && i < p->profile.n_rules; i++)
    free((void *)p->rules[i].names);
  free(p->rules);
}

/* An action from its name and an optional errnoRet (default EPERM). */
static int parse_action(const json_t *name, const json_t *ret, uint32_t *out, const char *what,
                        const char *field, tug_error *err) {
  const char *s = json_string_value(name);
  if (s == NULL)
    return tug_error_set(err, TUG_E_PARSE, "%s: %s: missing or not a string", what, field);
  if (ret &&
      (!json_is_integer(ret) || json_integer_value(ret) < 0 || json_integer_value(ret) > 0xffff))
    return tug_error_set(err, TUG_E_PARSE, "%s: %s: errnoRet is not a number in 0..65535", what,
                         field);
  for (size_t i = 0; i < COUNT(actions); i++)
    if (strcmp(s, actions[i].name) == 0) {
      *out = actions[i].action;
      if (actions[i].with_data)
        *out |= (uint32_t)(ret ? json_integer_value(ret) : EPERM);
      return 0;
    }
  return tug_error_set(err, TUG_E_PARSE, "%s: %s: unknown action \"%s\"", what, field, s);
}

static int parse_u64(const json_t *v, bool required, uint64_t *out, const char *what,
                     const char *field, tug_error *err) {
  if (v == NULL && !required) {
    *out = 0;
    return 0;
  }
  if (!json_is_integer(v) || json_integer_value(v) < 0)
    return tug_error_set(err, TUG_E_PARSE, "%s: %s: not a non-negative integer", what, field);
  *out = (uint64_t)json_integer_value(v);
  return 0;
}

static int parse_arg(const json_t *a, struct scmp_arg_cmp *out, const char *what, const char *field,
                     tug_error *err) {
  char f[128];
  uint64_t index;
  snprintf(f, sizeof f, "%s.index", field);
  if (!json_is_object(a))
    return tug_error_set(err, TUG_E_PARSE, "%s: %s: not an object", what, field);
  if (parse_u64(json_object_get(a, "index"), true, &index, what, f, err) < 0)
    return -1;
  if (index >= AGENT_SECCOMP_MAX_ARGS)
    return tug_error_set(err, TUG_E_PARSE, "%s: %s: %llu, at most 5", what, f,
                         (unsigned long long)index);
  snprintf(f, sizeof f, "%s.value", field);
  if (parse_u64(json_object_get(a, "value"), true, &out->datum_a, what, f, err) < 0)
    return -1;
  snprintf(f, sizeof f, "%s.valueTwo", field);
  if (parse_u64(json_object_get(a, "valueTwo"), false, &out->datum_b, what, f, err) < 0)
    return -1;
  out->arg = (unsigned)index;
  const char *op = json_string_value(json_object_get(a, "op"));
  for (size_t i = 0; op && i < COUNT(ops); i++)
    if (strcmp(op, ops[i].name) == 0) {
      out->op = ops[i].op;
      return 0;
    }
  return tug_error_set(err, TUG_E_PARSE, "%s: %s.op: unknown comparison \"%s\"", what, field,
                       op ? op : "(missing)");
}

static int parse_names(const json_t *names, agent_seccomp_rule *r, const char *what,
                       const char *field, tug_error *err) {
  size_t n = json_array_size(names);
  if (!json_is_array(names) || n == 0)
    return tug_error_set(err, TUG_E_PARSE, "%s: %s.names: missing or empty", what, field);
  const char **list = calloc(n + 1, sizeof *list);
  if (list == NULL)
    return tug_error_errno(err, ENOMEM, "%s", what);
  r->names = list;
  for (size_t i = 0; i < n; i++)
    if ((list[i] = json_string_value(json_array_get(names, i))) == NULL)
      return tug_error_set(err, TUG_E_PARSE, "%s: %s.names[%zu]: not a string", what, field, i);
  return 0;
}

static int parse_rule(const json_t *s, agent_seccomp_rule *r, const char *what, size_t i,
                      tug_error *err) {
  char field[48], f[96];
  snprintf(field, sizeof field, "syscalls[%zu]", i);
  if (!json_is_object(s))
    return tug_error_set(err, TUG_E_PARSE, "%s: %s: not an object", what, field);
  if (parse_names(json_object_get(s, "names"), r, what, field, err) < 0)
    return -1;
  snprintf(f, sizeof f, "%s.action", field);
  if (parse_action(json_object_get(s, "action"), json_object_get(s, "errnoRet"), &r->action, what,
                   f, err) < 0)
    return -1;
  const json_t *args = json_object_get(s, "args");
  if (args && !json_is_array(args))
    return tug_error_set(err, TUG_E_PARSE, "%s: %s.args: not an array", what, field);
  if (json_array_size(args) > AGENT_SECCOMP_MAX_ARGS)
    return tug_error_set(err, TUG_E_PARSE, "%s: %s.args: more than 6", what, field);
  r->n_args = (unsigned)json_array_size(args);
  for (size_t k = 0; k < r->n_args; k++) {
    snprintf(f, sizeof f, "%s.args[%zu]", field, k);
    if (parse_arg(json_array_get(args, k), &r->args[k], what, f, err) < 0)
      return -1;
  }
  return 0;
}

static int parse_arches(const json_t *list, agent_seccomp_profile *p, const char *what,
                        tug_error *err) {
  if (list && !json_is_array(list))
    return tug_error_set(err, TUG_E_PARSE, "%s: architectures: not an array", what);
  if (json_array_size(list) > AGENT_SECCOMP_MAX_ARCHES)
    return tug_error_set(err, TUG_E_PARSE, "%s: architectures: too many", what);
  p->native_and_sub_arches = json_array_size(list) == 0;
  for (size_t i = 0; i < json_array_size(list); i++) {
    const char *name = json_string_value(json_array_get(list, i));
    size_t k = 0;
    while (k < COUNT(arches) && (name == NULL || strcmp(name, arches[k].name) != 0))
      k++;
    if (k == COUNT(arches))
      return tug_error_set(err, TUG_E_PARSE, "%s: architectures[%zu]: unknown \"%s\"", what, i,
                           name ? name : "(not a string)");
    p->arches[p->n_arches++] = arches[k].token;
  }
  return 0;
}

static int parse_profile(const json_t *j, parsed *out, const char *what, tug_error *err) {
  if (!json_is_object(j))
    return tug_error_set(err, TUG_E_PARSE, "%s: not a JSON object", what);
  if (parse_action(json_object_get(j, "defaultAction"), json_object_get(j, "defaultErrnoRet"),
                   &out->profile.default_action, what, "defaultAction", err) < 0 ||
      parse_arches(json_object_get(j, "architectures"), &out->profile, what, err) < 0)
    return -1;
  const json_t *syscalls = json_object_get(j, "syscalls");
  if (syscalls && !json_is_array(syscalls))
    return tug_error_set(err, TUG_E_PARSE, "%s: syscalls: not an array", what);
  size_t n = json_array_size(syscalls);
  out->rules = calloc(n ? n : 1, sizeof *out->rules);
  if (out->rules == NULL)
    return tug_error_errno(err, ENOMEM, "%s", what);
  out->profile.rules = out->rules;
  for (size_t i = 0; i < n; i++) {
    out->profile.n_rules = i + 1; /* so that parsed_free sees the names array */
    if (parse_rule(json_array_get(syscalls, i), &out->rules[i], what, i, err) < 0)
      return -1;
  }
  return 0;
}

int agent_seccomp_compile_json(const json_t *profile, const char *what, agent_seccomp *out,
                               tug_error *err) {
  parsed p = {0};
  *out = (agent_seccomp){0};
  int rc = parse_profile(profile, &p, what, err);
  if (rc == 0 && (rc = compile(&p.profile, 0, out, err)) < 0)
    tug_error_wrap(err, "%s", what);
  parsed_free(&p);
  return rc;
}

/* A relative path with no ".." component: it cannot leave the profile dir. */
static int check_profile_path(const char *path, tug_error *err) {
  if (path == NULL || path[0] == '\0')
    return tug_error_set(err, EINVAL, "Localhost seccomp profile: no path given");
  if (path[0] == '/')
    return tug_error_set(err, EINVAL,
                         "Localhost seccomp profile \"%s\": absolute, must be relative to the "
                         "profile dir",
                         path);
  for (const char *p = path; p; p = strchr(p, '/') ? strchr(p, '/') + 1 : NULL)
    if (strncmp(p, "..", 2) == 0 && (p[2] == '/' || p[2] == '\0'))
      return tug_error_set(err, EINVAL, "Localhost seccomp profile \"%s\": has \"..\"", path);
  return 0;
}

static int load_localhost(const char *dir, const char *path, agent_seccomp *out, tug_error *err) {
  if (check_profile_path(path, err) < 0)
    return -1;
  if (dir == NULL)
    return tug_error_set(err, EINVAL, "Localhost seccomp profile %s: no profile dir", path);
  char what[PATH_MAX + 32];
  snprintf(what, sizeof what, "seccomp profile %s/%s", dir, path);
  _cleanup_close_ int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return tug_error_errno(err, errno, "%s: open the profile dir", what);
  struct open_how how = {.flags = O_RDONLY | O_CLOEXEC,
                         .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS};
  _cleanup_close_ int fd = (int)syscall(SYS_openat2, dfd, path, &how, sizeof how);
  if (fd < 0)
    return tug_error_errno(err, errno, "%s", what);
  json_error_t jerr;
  json_t *j = json_loadfd(fd, 0, &jerr);
  if (j == NULL)
    return tug_error_set(err, TUG_E_PARSE, "%s: line %d: %s", what, jerr.line, jerr.text);
  int rc = agent_seccomp_compile_json(j, what, out, err);
  json_decref(j);
  return rc;
}

int agent_seccomp_prepare(const char *profile_dir, const agent_security *sec, uint64_t caps,
                          agent_seccomp *out, tug_error *err) {
  *out = (agent_seccomp){0};
  if (sec->privileged)
    return 0;
  switch (sec->seccomp) {
  case AGENT_SECCOMP_UNCONFINED:
    return 0;
  case AGENT_SECCOMP_LOCALHOST:
    return load_localhost(profile_dir, sec->seccomp_profile, out, err);
  case AGENT_SECCOMP_RUNTIME_DEFAULT:
    return default_program(caps, out, err);
  }
  return tug_error_set(err, EINVAL, "unknown seccomp profile kind %d", (int)sec->seccomp);
}

int agent_runtime_set_seccomp_dir(agent_runtime *rt, const char *dir, tug_error *err) {
  if (snprintf(rt->seccomp_dir, sizeof rt->seccomp_dir, "%s", dir) >= (int)sizeof rt->seccomp_dir)
    return tug_error_set(err, ENAMETOOLONG, "seccomp profile dir %s: too long", dir);
  return 0;
}

void agent_seccomp_release(agent_seccomp *s) {
  free(s->owned);
  *s = (agent_seccomp){0};
}

int agent_seccomp_install(const struct sock_fprog *prog, char *msg, size_t size) {
  if (prog == NULL || prog->len == 0)
    return 0;
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, prog, 0, 0) < 0) {
    snprintf(msg, size, "install the seccomp filter: %s", strerror(errno));
    return -1;
  }
  return 0;
}

int agent_seccomp_save(const char *container_dir, const agent_seccomp *s, tug_error *err) {
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/seccomp.bpf", container_dir);
  if (s->prog.len == 0)
    return 0;
  _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  size_t size = s->prog.len * sizeof *s->prog.filter;
  if (fd < 0 || write(fd, s->prog.filter, size) != (ssize_t)size)
    return tug_error_errno(err, errno ? errno : EIO, "write %s", path);
  return 0;
}

int agent_seccomp_load(const char *container_dir, agent_seccomp *out, tug_error *err) {
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/seccomp.bpf", container_dir);
  *out = (agent_seccomp){0};
  _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? 0 : tug_error_errno(err, errno, "open %s", path);
  off_t size = lseek(fd, 0, SEEK_END);
  struct sock_filter *insns = size > 0 ? malloc((size_t)size) : NULL;
  if (insns == NULL || size % sizeof *insns || size / sizeof *insns > 0xffff ||
      pread(fd, insns, (size_t)size, 0) != size) {
    free(insns);
    return tug_error_set(err, EIO, "read %s: not a whole filter", path);
  }
  out->prog = (struct sock_fprog){.len = (unsigned short)(size / sizeof *insns), .filter = insns};
  out->owned = insns;
  return 0;
}

/* ---- export for other runtimes ---- */

static json_t *action_json(uint32_t action, json_t *obj, const char *key, const char *ret_key) {
  for (size_t i = 0; i < COUNT(actions); i++)
    if (actions[i].with_data ? (action & 0xffff0000u) == actions[i].action
                             : action == actions[i].action) {
      json_object_set_new(obj, key, json_string(actions[i].name));
      if (actions[i].with_data)
        json_object_set_new(obj, ret_key, json_integer(action & 0xffff));
      break;
    }
  return obj;
}

static json_t *rule_json(const agent_seccomp_rule *r) {
  json_t *names = json_array(), *args = json_array();
  for (const char *const *n = r->names; *n; n++)
    json_array_append_new(names, json_string(*n));
  for (unsigned i = 0; i < r->n_args; i++) {
    const char *op = "";
    for (size_t k = 0; k < COUNT(ops); k++)
      if (ops[k].op == r->args[i].op)
        op = ops[k].name;
    json_array_append_new(args, json_pack("{sI sI sI ss}", "index", (json_int_t)r->args[i].arg,
                                          "value", (json_int_t)r->args[i].datum_a, "valueTwo",
                                          (json_int_t)r->args[i].datum_b, "op", op));
  }
  return action_json(r->action, json_pack("{so so}", "names", names, "args", args), "action",
                     "errnoRet");
}

json_t *agent_seccomp_default_oci(uint64_t caps) {
  const agent_seccomp_profile *p = &agent_seccomp_default;
  json_t *out = action_json(p->default_action, json_object(), "defaultAction", "defaultErrnoRet");
  json_t *list = json_array(), *syscalls = json_array();
  uint32_t tokens[AGENT_SECCOMP_MAX_ARCHES];
  bool pruned;
  size_t n = profile_arches(p, tokens, &pruned);
  for (size_t i = 0; i < n; i++)
    if (arch_by_token(tokens[i]))
      json_array_append_new(list, json_string(arch_by_token(tokens[i])->name));
  const struct arch *native = arch_by_token(seccomp_arch_native());
  for (size_t i = 0; i < p->n_rules; i++)
    if (rule_applies(&p->rules[i], caps, native ? native->bit : 0))
      json_array_append_new(syscalls, rule_json(&p->rules[i]));
  json_object_set_new(out, "architectures", list);
  json_object_set_new(out, "syscalls", syscalls);
  return out;
}
