/*
 * runtime-container.c — start, wait for, signal and remove a container.
 *
 * The one idea: clone(NEWPID) gives a child that moves itself into its
 * cgroups before any image code runs, so none ever runs outside its limits,
 * while the agent's thread waits for it as for a vfork child. It copies the
 * runtime's template mount namespace (runtime-mntns.c), joins the
 * sandbox's net/ipc/uts namespaces, builds its root (runtime-rootfs.c), locks
 * itself down (runtime-security.c) and execs. Its error pipe is close-on-exec:
 * EOF means the exec happened, a message means a setup step failed and says
 * which.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"
#include "runtime-internal.h"
#include "runtime-seccomp.h"

static char *const default_env[] = {AGENT_DEFAULT_PATH, NULL};

/* Everything the child needs, prepared by the parent: the child allocates nothing. */
typedef struct child_config {
  agent_rootfs_config rootfs;
  int ns_fds[3];
  int userns_fd; /* the pod's own user namespace, joined last; -1: none */
  int cgroup_fds[AGENT_CGROUP_MAX_HIERARCHIES];
  size_t n_cgroup_fds;
  int err_fd, log_fd, null_fd, init_fd;
  int mnt_template; /* -1: cloned with CLONE_NEWNS */
  int stdin_fd;     /* null_fd, or the pipe of a container with stdin */
  int console_fd;   /* tty: where the terminal's master goes (runtime-stdio.c); else -1 */
  int keep[11 + AGENT_CGROUP_MAX_HIERARCHIES + AGENT_MAX_MOUNTS]; /* the fds above, sorted */
  size_t n_keep;
  const char *working_dir;
  agent_creds creds;
  char *const *argv; /* tug-init's */
  char *const *env;
  const struct sock_fprog *seccomp; /* NULL: none */
  bool seccomp_first; /* no no_new_privs: installed while CAP_SYS_ADMIN is still held */
} child_config;

static const int ns_types[3] = {CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS};
static const char *const ns_files[3] = {"net", "ipc", "uts"};

static void child_report(int fd, const char *msg) {
  ssize_t n = write(fd, msg, strlen(msg));
  (void)n;
  _exit(127);
}

/* The image's program starts with default signal handling and nothing blocked,
 * whatever the agent itself blocks or ignores (it may sigwait on SIGTERM).
 * The raw system call reaches signals 32 and 33 too, which glibc keeps for
 * itself and refuses in signal(); a parent (make, for one) may ignore them. */
void agent_reset_signals(void) {
  struct {
    void (*handler)(int);
    unsigned long flags;
    void (*restorer)(void);
    unsigned long mask;
  } dfl = {SIG_DFL, 0, NULL, 0};
  unsigned long none = 0;
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, sizeof none);
  for (int sig = 1; sig < NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP)
      syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof dfl.mask);
}

/* Child side, in the container's root: stdin and the log, or with tty a
 * terminal of its own devpts on all three and as its controlling terminal. */
static int set_stdio(const child_config *cfg) {
  if (cfg->console_fd < 0)
    return dup2(cfg->stdin_fd, 0) < 0 || dup2(cfg->log_fd, 1) < 0 || dup2(cfg->log_fd, 2) < 0 ? -1
                                                                                              : 0;
  int slave = agent_open_terminal(cfg->console_fd);
  if (slave < 0 || dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0)
    return -1;
  close(slave);
  return agent_take_terminal();
}

/*
 * The child runs in the agent's memory until it execs (see spawn): everything
 * on this path — here, runtime-rootfs.c and runtime-security.c — must not
 * allocate, take locks, use stdio streams or write any global; it may write
 * only its own stack. errno is shared with the agent thread that spawned it.
 */
static __attribute__((noreturn)) void container_child(const child_config *cfg) {
  char msg[512];
  /* Before any path lookup: nothing of the agent's may be reached through
   * /proc/self/fd while the child resolves the image's paths. */
  if (agent_close_fds_except(cfg->keep, cfg->n_keep, msg, sizeof msg) < 0 ||
      agent_mntns_enter(cfg->mnt_template, msg, sizeof msg) < 0)
    child_report(cfg->err_fd, msg);
  for (int i = 0; i < 3; i++)
    if (setns(cfg->ns_fds[i], ns_types[i]) < 0) {
      snprintf(msg, sizeof msg, "join sandbox %s namespace: %s", ns_files[i], strerror(errno));
      child_report(cfg->err_fd, msg);
    }
  if (agent_rootfs_setup(&cfg->rootfs, msg, sizeof msg) < 0)
    child_report(cfg->err_fd, msg);
  if (agent_rootfs_chdir(cfg->working_dir, msg, sizeof msg) < 0 ||
      agent_rootfs_seal(&cfg->rootfs, msg, sizeof msg) < 0)
    child_report(cfg->err_fd, msg);
  if (set_stdio(cfg) < 0) {
    snprintf(msg, sizeof msg, "set up stdio: %s", strerror(errno));
    child_report(cfg->err_fd, msg);
  }
  /* Into the cgroups last, so that the kernel memory of the mounts above is
   * not charged to a memory cgroup that may be at its limit (the pod's), where
   * it would fail the setup and even the pipe write that reports it. */
  if (agent_cgroup_join(cfg->cgroup_fds, cfg->n_cgroup_fds, msg, sizeof msg) < 0)
    child_report(cfg->err_fd, msg);
  /* After every mount (made with the host's privileges, which the mount
   * namespace's owner requires) and before the capabilities are trimmed
   * (which then are capabilities over the pod's namespaces only); before a
   * seccomp filter too, which would refuse setns. */
  if (cfg->userns_fd >= 0 && agent_userns_enter(cfg->userns_fd, msg, sizeof msg) < 0)
    child_report(cfg->err_fd, msg);
  const int last[2] = {cfg->err_fd < cfg->init_fd ? cfg->err_fd : cfg->init_fd,
                       cfg->err_fd < cfg->init_fd ? cfg->init_fd : cfg->err_fd};
  /* Without no_new_privs, the filter needs CAP_SYS_ADMIN: before it is dropped. */
  if (cfg->seccomp_first && agent_seccomp_install(cfg->seccomp, msg, sizeof msg) < 0)
    child_report(cfg->err_fd, msg);
  if (agent_security_apply(&cfg->creds, msg, sizeof msg) < 0 ||
      agent_close_fds_except(last, 2, msg, sizeof msg) < 0)
    child_report(cfg->err_fd, msg);
  agent_reset_signals();
  if (!cfg->seccomp_first && agent_seccomp_install(cfg->seccomp, msg, sizeof msg) < 0)
    child_report(cfg->err_fd, msg);
  /* tug-init reports a failed exec of the command on the error pipe. */
  if (fcntl(cfg->err_fd, F_SETFD, 0) < 0) {
    snprintf(msg, sizeof msg, "pass the error pipe to tug-init: %s", strerror(errno));
    child_report(cfg->err_fd, msg);
  }
  agent_init_exec(cfg->init_fd, cfg->argv, cfg->env);
  snprintf(msg, sizeof msg, "exec tug-init: %s", strerror(errno));
  child_report(cfg->err_fd, msg);
  _exit(127);
}

/* Reads the child's setup error; 0 when the pipe closed empty (exec done). */
static int read_child_error(int fd, tug_error *err) {
  char msg[512];
  size_t len = 0;
  ssize_t n;
  while ((n = read(fd, msg + len, sizeof msg - 1 - len)) != 0) {
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return tug_error_errno(err, errno, "read the container's setup status");
    len += (size_t)n;
    if (len == sizeof msg - 1)
      break;
  }
  if (len == 0)
    return 0;
  msg[len] = '\0';
  return tug_error_set(err, EIO, "%s", msg);
}

static int child_main(void *arg) {
  container_child(arg);
}

void agent_sort_fds(int *fds, size_t n) {
  for (size_t i = 1; i < n; i++)
    for (size_t j = i; j > 0 && fds[j - 1] > fds[j]; j--) {
      int t = fds[j];
      fds[j] = fds[j - 1];
      fds[j - 1] = t;
    }
}

/* The descriptors the child keeps through its setup; all are close-on-exec. */
static void list_kept_fds(child_config *cfg) {
  int *k = cfg->keep;
  size_t n = 0;
  k[n++] = cfg->err_fd;
  k[n++] = cfg->log_fd;
  k[n++] = cfg->null_fd;
  k[n++] = cfg->init_fd;
  if (cfg->stdin_fd != cfg->null_fd)
    k[n++] = cfg->stdin_fd;
  if (cfg->console_fd >= 0)
    k[n++] = cfg->console_fd;
  for (int i = 0; i < 3; i++)
    k[n++] = cfg->ns_fds[i];
  if (cfg->userns_fd >= 0)
    k[n++] = cfg->userns_fd;
  if (cfg->mnt_template >= 0)
    k[n++] = cfg->mnt_template;
  for (size_t i = 0; i < cfg->rootfs.n_volume_fds; i++)
    k[n++] = cfg->rootfs.volume_fds[i];
  for (size_t i = 0; i < cfg->n_cgroup_fds; i++)
    k[n++] = cfg->cgroup_fds[i];
  agent_sort_fds(k, n);
  cfg->n_keep = n;
}

static int spawn(agent_container *c, child_config *cfg, char *const *argv, tug_error *err) {
  int errp[2] = {-1, -1};
  if (pipe2(errp, O_CLOEXEC) < 0)
    return tug_error_errno(err, errno, "pipe");
  cfg->err_fd = errp[1];
  list_kept_fds(cfg);
  char err_fd_arg[16];
  _cleanup_free_ char **init_argv =
      agent_init_argv(argv, cfg->err_fd, err_fd_arg, sizeof err_fd_arg);
  if (init_argv == NULL) {
    close(errp[0]);
    close(errp[1]);
    return tug_error_errno(err, ENOMEM, "allocate tug-init's argv");
  }
  cfg->argv = init_argv;
  /* CLONE_VM: copying a busy multi-threaded agent's page tables on every start
   * (fork) serialised pod startup; the child instead runs on a stack of its
   * own in the agent's memory and writes only that stack. CLONE_VFORK: this
   * thread sleeps until the child has exec'd or failed, and the OOM killer
   * passes over a vfork child — were it chosen while in its memory cgroup, the
   * kernel would kill the agent too, since they share memory. The child
   * joins its cgroups itself (runtime-cgroup.h). */
  int newns = cfg->mnt_template < 0 ? CLONE_NEWNS : 0;
  pid_t pid = agent_clone_vfork(CLONE_NEWPID | newns | SIGCHLD, child_main, cfg);
  close(errp[1]);
  if (pid < 0) {
    int e = errno;
    close(errp[0]);
    return tug_error_errno(err, e, "clone");
  }
  c->pid = pid;
  int rc = read_child_error(errp[0], err);
  close(errp[0]);
  if (rc == 0) {
    c->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (c->pidfd < 0)
      rc = tug_error_errno(err, errno, "pidfd_open %d", (int)pid);
  }
  if (rc < 0) {
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
      ;
    c->pid = 0;
  }
  return rc;
}

/* A container whose stdin or terminal could not be kept is not started. */
static void kill_unkept(agent_container *c) {
  kill(c->pid, SIGKILL);
  while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
    ;
  close(c->pidfd);
  c->pidfd = -1;
  c->pid = 0;
}

static int open_ns_fds(const agent_sandbox *sb, int fds[3], tug_error *err) {
  char path[PATH_MAX + 16];
  for (int i = 0; i < 3; i++) {
    snprintf(path, sizeof path, "%s/ns/%s", sb->dir, ns_files[i]);
    fds[i] = open(path, O_RDONLY | O_CLOEXEC);
    if (fds[i] < 0)
      return tug_error_errno(err, errno, "open %s", path);
  }
  return 0;
}

/* upper and work where the pod's data lives (disk), merged beside the
 * container's state. Named beside the sandbox's volumes rather than in a
 * directory of their own: every directory is a new inode on disk, and on a
 * file system without a journal ext4 searches past every inode deleted in
 * the last minutes for each new one (a burst of pods after another's
 * teardown pays for all of it). Container names hold no '.', so no
 * name.upper is ever the "volumes" directory. */
static int make_dirs(const agent_container *c, char (*paths)[PATH_MAX + 16], tug_error *err) {
  if (mkdir(c->dir, 0700) < 0)
    return tug_error_errno(err, errno, "mkdir %s", c->dir);
  snprintf(paths[0], PATH_MAX + 16, "%s.upper", c->data);
  snprintf(paths[1], PATH_MAX + 16, "%s.work", c->data);
  snprintf(paths[2], PATH_MAX + 16, "%s/merged", c->dir);
  for (int i = 0; i < 3; i++)
    if (mkdir(paths[i], 0755) < 0)
      return tug_error_errno(err, errno, "mkdir %s", paths[i]);
  return 0;
}

/* With a user namespace of its own: the pod's root owns the overlay's upper
 * dir (so the root dir and what it writes are its own), the image is seen
 * through an idmapped mount on <container dir>/lower. */
static int prepare_userns(const agent_sandbox *sb, const agent_container *c, child_config *cfg,
                          char *lower, size_t size, tug_error *err) {
  char path[PATH_MAX + 16];
  snprintf(path, sizeof path, "%s/ns/user", sb->dir);
  cfg->userns_fd = open(path, O_RDONLY | O_CLOEXEC);
  if (cfg->userns_fd < 0)
    return tug_error_errno(err, errno, "open %s", path);
  snprintf(lower, size, "%s/lower", c->dir);
  if (mkdir(lower, 0700) < 0 && errno != EEXIST)
    return tug_error_errno(err, errno, "mkdir %s", lower);
  if (chown(cfg->rootfs.upper, sb->id_base, sb->id_base) < 0)
    return tug_error_errno(err, errno, "chown %s", cfg->rootfs.upper);
  cfg->rootfs.idmapped_lower = lower;
  cfg->rootfs.userns_fd = cfg->userns_fd;
  return 0;
}

static int start(agent_runtime *rt, agent_sandbox *sb, const agent_container_spec *spec,
                 agent_container *c, tug_error *err) {
  char parent[PATH_MAX + 16], paths[3][PATH_MAX + 16], hosts[PATH_MAX + 16], resolv[PATH_MAX + 16],
      hostname[PATH_MAX + 16], lower[PATH_MAX + 16];
  snprintf(parent, sizeof parent, "%s/containers", sb->dir);
  if (agent_mkdir_p(parent, 0700, err) < 0 || make_dirs(c, paths, err) < 0)
    return -1;
  snprintf(hosts, sizeof hosts, "%s/hosts", sb->dir);
  snprintf(resolv, sizeof resolv, "%s/resolv.conf", sb->dir);
  snprintf(hostname, sizeof hostname, "%s/hostname", sb->dir);
  /* A sandbox an older agent made has none yet. */
  if (access(hostname, F_OK) < 0 && agent_sandbox_write_hostname(sb, err) < 0)
    return -1;
  _cleanup_close_ int log_fd =
      open(c->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640);
  if (log_fd < 0)
    return tug_error_errno(err, errno, "open log %s", c->log);
  _cleanup_close_ int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd < 0)
    return tug_error_errno(err, errno, "open /dev/null");
  agent_stdio_setup stdio;
  if (agent_stdio_prepare(spec, &stdio, err) < 0)
    return -1;
  child_config cfg = {
      .rootfs = {.lower = spec->rootfs,
                 .upper = paths[0],
                 .work = paths[1],
                 .merged = paths[2],
                 .hosts = hosts,
                 .resolv_conf = resolv,
                 .hostname = hostname},
      .ns_fds = {-1, -1, -1},
      .userns_fd = -1,
      .log_fd = log_fd,
      .null_fd = null_fd,
      .stdin_fd = stdio.child_stdin >= 0 ? stdio.child_stdin : null_fd,
      .console_fd = stdio.console[1],
      .init_fd = c->init_fd,
      .mnt_template = rt->mnt_template,
      .working_dir = spec->working_dir ? spec->working_dir : "/",
      .creds = c->creds,
      .env = spec->env ? spec->env : default_env,
  };
  agent_rootfs_confine(&spec->security, &cfg.rootfs);
  cfg.rootfs.n_mounts = spec->n_mounts;
  for (size_t i = 0; i < spec->n_mounts; i++)
    cfg.rootfs.mounts[i] = spec->mounts[i];
  agent_seccomp filter;
  int rc = agent_seccomp_prepare(rt->seccomp_dir[0] ? rt->seccomp_dir : NULL, &spec->security,
                                 agent_security_caps(&spec->security), &filter, err);
  cfg.seccomp = filter.prog.len ? &filter.prog : NULL;
  cfg.seccomp_first = spec->security.allow_privilege_escalation;
  if (rc == 0)
    rc = agent_seccomp_save(c->dir, &filter, err);
  if (rc == 0)
    rc = agent_rootfs_open_volumes(&cfg.rootfs, err);
  if (rc == 0)
    rc = open_ns_fds(sb, cfg.ns_fds, err);
  if (rc == 0 && sb->id_base)
    rc = prepare_userns(sb, c, &cfg, lower, sizeof lower, err);
  if (rc == 0)
    rc = agent_cgroup_create(rt->cgroup_mode, c->cgroup, &spec->resources, err);
  if (rc == 0)
    rc = agent_cgroup_set_devices(rt->cgroup_mode, c->cgroup, spec->security.privileged, err);
  if (rc == 0)
    rc =
        agent_cgroup_open_procs(rt->cgroup_mode, c->cgroup, cfg.cgroup_fds, &cfg.n_cgroup_fds, err);
  if (rc == 0) {
    rc = spawn(c, &cfg, spec->argv, err);
    for (size_t i = 0; i < cfg.n_cgroup_fds; i++)
      close(cfg.cgroup_fds[i]);
  }
  if (rc == 0 && (rc = agent_stdio_keep(rt, c, spec, &stdio, log_fd, err)) < 0)
    kill_unkept(c);
  agent_stdio_setup_close(&stdio);
  for (int i = 0; i < 3; i++)
    if (cfg.ns_fds[i] >= 0)
      close(cfg.ns_fds[i]);
  agent_seccomp_release(&filter);
  agent_rootfs_close_volumes(&cfg.rootfs);
  if (cfg.userns_fd >= 0)
    close(cfg.userns_fd);
  return rc < 0 ? -1 : 0;
}

int agent_container_init(agent_runtime *rt, agent_sandbox *sb, const char *name,
                         const char *log_path, agent_container *c, tug_error *err) {
  snprintf(c->name, sizeof c->name, "%s", name);
  if (snprintf(c->dir, sizeof c->dir, "%s/containers/%s", sb->dir, name) >=
          (int)sizeof c->dir - 16 ||
      snprintf(c->data, sizeof c->data, "%s/%s", sb->data, name) >= (int)sizeof c->data - 16 ||
      (log_path ? snprintf(c->log, sizeof c->log, "%s", log_path)
                : snprintf(c->log, sizeof c->log, "%s/log", c->dir)) >= (int)sizeof c->log)
    return tug_error_set(err, ENAMETOOLONG, "container %s: path too long", name);
  snprintf(c->cgroup, sizeof c->cgroup, "%s/%s", sb->cgroup, name);
  c->cgroup_mode = rt->cgroup_mode;
  c->init_fd = rt->init_fd;
  c->pidfd = -1;
  agent_creds_from_security(&(agent_security){0}, &c->creds);
  return 0;
}

/* The child trusts its mounts' shape: absolute paths, a target below "/". */
static int check_mounts(const agent_container_spec *spec, tug_error *err) {
  if (spec->n_mounts > AGENT_MAX_MOUNTS)
    return tug_error_set(err, E2BIG, "%zu volume mounts, at most %d", spec->n_mounts,
                         AGENT_MAX_MOUNTS);
  for (size_t i = 0; i < spec->n_mounts; i++) {
    const agent_mount *m = &spec->mounts[i];
    if (m->source == NULL || m->source[0] != '/' || m->target == NULL || m->target[0] != '/' ||
        m->target[1] == '\0' || (m->sub_path && m->sub_path[0] == '/'))
      return tug_error_set(err, EINVAL, "volume mount %zu: unusable paths", i);
  }
  return 0;
}

int agent_runtime_container_start(agent_runtime *rt, agent_sandbox *sb,
                                  const agent_container_spec *spec, agent_container **out,
                                  tug_error *err) {
  if (agent_check_name("container name", spec->name, err) < 0)
    return -1;
  if (spec->argv == NULL || spec->argv[0] == NULL || spec->rootfs == NULL)
    return tug_error_set(err, EINVAL, "start container %s: no command or rootfs", spec->name);
  if (check_mounts(spec, err) < 0)
    return tug_error_wrap(err, "start container %s", spec->name);
  agent_container *c = calloc(1, sizeof *c);
  if (c == NULL)
    return tug_error_errno(err, ENOMEM, "allocate container");
  if (agent_container_init(rt, sb, spec->name, spec->log_path, c, err) < 0) {
    free(c);
    return tug_error_wrap(err, "start container");
  }
  agent_creds_from_security(&spec->security, &c->creds);
  bool existed = access(c->dir, F_OK) == 0;
  if (start(rt, sb, spec, c, err) < 0) {
    tug_error_wrap(err, "start container %s", spec->name);
    if (!existed) {
      agent_cgroup_delete(c->cgroup_mode, c->cgroup, NULL);
      agent_container_remove_dirs(c, NULL);
    }
    free(c);
    return -1;
  }
  /* Without its state file a later agent could not adopt it, only kill it:
   * worth a warning, not a failed start. */
  c->start_ticks = agent_proc_start_ticks(c->pid);
  c->started_at = time(NULL);
  tug_error serr = {0};
  if (agent_container_save(c, &serr) < 0 ||
      agent_exec_save_process(c, spec->env ? spec->env : default_env, spec->working_dir, &serr) < 0)
    tug_warn("container state not saved", "container=%s err=%s", c->name, TUG_LOG_ERR(&serr));
  *out = c;
  return 0;
}

int agent_container_remove_dirs(const agent_container *c, tug_error *err) {
  char layer[PATH_MAX + 16];
  int rc = agent_rm_rf(c->dir, err);
  for (int i = 0; i < 2; i++) {
    snprintf(layer, sizeof layer, "%s.%s", c->data, i ? "work" : "upper");
    if (agent_rm_rf(layer, rc < 0 ? NULL : err) < 0)
      rc = -1;
  }
  return rc;
}

pid_t agent_runtime_container_pid(const agent_container *c) {
  return c->pid;
}
const char *agent_runtime_container_log(const agent_container *c) {
  return c->log;
}
const char *agent_runtime_container_cgroup(const agent_container *c) {
  return c->cgroup;
}

/* status NULL: the exit went unseen (an adopted container reaped by init). */
static void record_exit(agent_container *c, const int *status) {
  c->exited = true;
  c->status.running = false;
  c->status.exit_unknown = status == NULL;
  c->status.exit_code = status == NULL         ? 137
                        : WIFEXITED(*status)   ? WEXITSTATUS(*status)
                        : WIFSIGNALED(*status) ? 128 + WTERMSIG(*status)
                                               : 128;
  agent_container_stats st;
  c->status.oom_killed =
      agent_cgroup_stats(c->cgroup_mode, c->cgroup, &st, NULL) == 0 && st.oom_kills > 0;
}

int agent_runtime_container_wait(agent_container *c, int timeout_ms, agent_process_status *st,
                                 tug_error *err) {
  if (!c->exited) {
    struct pollfd p = {.fd = c->pidfd, .events = POLLIN};
    int n;
    while ((n = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
      ;
    if (n < 0)
      return tug_error_errno(err, errno, "wait for container %s", c->name);
    int status;
    bool known;
    if (n > 0 && c->adopted) {
      agent_container_record_foreign_exit(c, &status, &known);
      record_exit(c, known ? &status : NULL);
    }
    pid_t r = n > 0 && !c->adopted ? waitpid(c->pid, &status, WNOHANG) : 0;
    if (r < 0)
      return tug_error_errno(err, errno, "waitpid container %s", c->name);
    if (r == c->pid)
      record_exit(c, &status);
  }
  *st = c->status;
  st->running = !c->exited;
  return 0;
}

int agent_runtime_container_signal(agent_container *c, int sig, tug_error *err) {
  if (c->exited)
    return tug_error_set(err, ESRCH, "signal container %s: it has exited", c->name);
  if (syscall(SYS_pidfd_send_signal, c->pidfd, sig, NULL, 0) < 0)
    return tug_error_errno(err, errno, "signal container %s", c->name);
  return 0;
}

int agent_runtime_container_stats(agent_runtime *rt, agent_container *c, agent_container_stats *st,
                                  tug_error *err) {
  (void)rt;
  if (agent_cgroup_stats(c->cgroup_mode, c->cgroup, st, err) < 0)
    return tug_error_wrap(err, "container %s", c->name);
  return 0;
}

int agent_runtime_container_remove(agent_runtime *rt, agent_container *c, tug_error *err) {
  int rc = 0;
  if (!c->exited) {
    agent_process_status st;
    agent_runtime_container_signal(c, SIGKILL, NULL);
    if (agent_runtime_container_wait(c, -1, &st, err) < 0)
      rc = -1;
  }
  agent_stdio_drop(rt, c);
  if (c->pidfd >= 0)
    close(c->pidfd);
  if (agent_cgroup_delete(c->cgroup_mode, c->cgroup, rc < 0 ? NULL : err) < 0)
    rc = -1;
  /* The overlay lived only in the container's mount namespace, gone with its
   * last process: what remains is plain directories. */
  if (agent_container_remove_dirs(c, rc < 0 ? NULL : err) < 0)
    rc = -1;
  if (rc < 0)
    tug_error_wrap(err, "remove container %s", c->name);
  free(c);
  return rc;
}
