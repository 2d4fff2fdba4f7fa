/*
 * runtime-exec.c — run a command inside a running container, as exec probes
 * and `kubectl exec` do.
 *
 * The one idea: the agent's child joins the container's namespaces through
 * its pidfd (a pid may have been reused, a pidfd names one process; the PID
 * namespace applies to its children only), then forks the command and waits
 * for it, so the agent reaps one process and a deadline holds even if the
 * agent's thread goes away. The command gets what the container's own
 * process got: its cgroups, user namespace, seccomp filter (saved at start),
 * capabilities, no_new_privs, uid and gids, and its environment and working
 * directory (saved at start in the container's "process" file). Like the
 * container's process it execs tug-init from the agent's sealed memfd, never
 * a clone of the agent (runtime-init.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "pki.h"
#include "runtime-internal.h"
#include "runtime-seccomp.h"

static char *const default_env[] = {AGENT_DEFAULT_PATH, NULL};

static const int exec_ns_flags =
    CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWNS;

typedef struct exec_config {
  int pidfd;
  int userns_fd; /* the container's user namespace when not the agent's, else -1 */
  int cgroup_fds[AGENT_CGROUP_MAX_HIERARCHIES]; /* the container's cgroup.procs files */
  size_t n_cgroup_fds;
  int stdio[3];   /* the command's stdin, stdout, stderr */
  int console_fd; /* tty: where the terminal's master goes; its slave is the stdio; else -1 */
  int init_fd;
  int keep[7 + AGENT_CGROUP_MAX_HIERARCHIES]; /* the fds above, sorted */
  size_t n_keep;
  int timeout_ms; /* -1: none */
  const agent_creds *creds;
  char *const *argv; /* tug-init's */
  char *const *env;
  const char *working_dir;
  const struct sock_fprog *seccomp; /* the container's */
} exec_config;

/* A new session whose controlling terminal is the one on stdin, as a
 * container's process with tty: true has. */
int agent_take_terminal(void) {
  return setsid() < 0 || ioctl(0, TIOCSCTTY, 0) < 0 ? -1 : 0;
}

/* A terminal of the container's own devpts (so that its name, /dev/pts/N,
 * means something in there), as runtimes' console sockets do: the master
 * goes to the agent over console_fd, the slave is returned. */
int agent_open_terminal(int console_fd) {
  int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  int unlock = 0;
  if (master < 0 || ioctl(master, TIOCSPTLCK, &unlock) < 0)
    return -1;
  int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  agent_fd_msg f;
  struct cmsghdr *c = agent_fd_msg_init(&f);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &master, sizeof(int));
  if (slave < 0 || sendmsg(console_fd, &f.m, MSG_NOSIGNAL) != 1)
    return -1;
  close(master);
  return slave;
}

static __attribute__((noreturn)) void exec_command(const exec_config *cfg) {
  char msg[256];
  /* In the container's cgroups, as kubelet's exec probes run: its limits and
   * usage include what the command does. With the container's identity and
   * privileges; tug-init then finds the command in the container's PATH. */
  const int stdio_only[1] = {cfg->init_fd};
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 ||
      agent_cgroup_join(cfg->cgroup_fds, cfg->n_cgroup_fds, msg, sizeof msg) < 0 ||
      dup2(cfg->stdio[0], 0) < 0 || dup2(cfg->stdio[1], 1) < 0 || dup2(cfg->stdio[2], 2) < 0 ||
      (cfg->console_fd >= 0 && agent_take_terminal() < 0) || chdir(cfg->working_dir) < 0 ||
      agent_seccomp_install(cfg->seccomp, msg, sizeof msg) < 0 ||
      agent_security_apply(cfg->creds, msg, sizeof msg) < 0 ||
      agent_close_fds_except(stdio_only, 1, msg, sizeof msg) < 0)
    _exit(126);
  agent_init_exec(cfg->init_fd, cfg->argv, cfg->env);
  _exit(126);
}

static __attribute__((noreturn)) void exec_child(const exec_config *in) {
  char msg[64];
  exec_config copy = *in; /* this process's own memory: the terminal replaces its stdio */
  exec_config *cfg = &copy;
  /* Not dumpable: the container's processes, which see this one once it is
   * in their PID namespace, may not open its /proc files (exe, fd, mem). */
  if (prctl(PR_SET_DUMPABLE, 0) < 0 ||
      agent_close_fds_except(cfg->keep, cfg->n_keep, msg, sizeof msg) < 0)
    _exit(126);
  agent_reset_signals();
  if (setns(cfg->pidfd, exec_ns_flags) < 0)
    _exit(126);
  int slave = cfg->console_fd >= 0 ? agent_open_terminal(cfg->console_fd) : -1;
  if (cfg->console_fd >= 0 && slave < 0)
    _exit(126);
  if (slave >= 0)
    cfg->stdio[0] = cfg->stdio[1] = cfg->stdio[2] = slave;
  /* Last, as the container's own process did: no host root runs in there. */
  if (cfg->userns_fd >= 0 && agent_userns_enter(cfg->userns_fd, msg, sizeof msg) < 0)
    _exit(126);
  if (chdir("/") < 0)
    _exit(126);
  pid_t pid = (pid_t)syscall(SYS_clone, SIGCHLD, NULL, NULL, NULL, NULL);
  if (pid < 0)
    _exit(126);
  if (pid == 0)
    exec_command(cfg);
  int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  struct pollfd p = {.fd = pidfd, .events = POLLIN};
  if (pidfd < 0 || poll(&p, 1, cfg->timeout_ms) <= 0)
    kill(pid, SIGKILL);
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      _exit(126);
  _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

/* The user namespace of c, when it is not the agent's own: -1 then, or on
 * failure (with errno). Opened through /proc/<pid>, so the pidfd must show
 * the process still alive afterwards: then the pid was not yet reused. */
static int open_foreign_userns(const agent_container *c) {
  char path[64];
  struct stat own, theirs;
  snprintf(path, sizeof path, "/proc/%d/ns/user", (int)c->pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  struct pollfd p = {.fd = c->pidfd, .events = POLLIN};
  if (poll(&p, 1, 0) != 0) {
    close(fd);
    errno = ESRCH;
    return -1;
  }
  if (fstat(fd, &theirs) == 0 && stat("/proc/self/ns/user", &own) == 0 &&
      own.st_ino == theirs.st_ino && own.st_dev == theirs.st_dev) {
    close(fd);
    errno = 0;
    return -1;
  }
  return fd;
}

static void list_exec_fds(exec_config *cfg) {
  int *k = cfg->keep;
  size_t n = 0;
  k[n++] = cfg->pidfd;
  k[n++] = cfg->init_fd;
  for (int i = 0; i < 3; i++) {
    bool seen = false;
    for (size_t j = 0; j < n; j++)
      seen |= k[j] == cfg->stdio[i];
    if (!seen)
      k[n++] = cfg->stdio[i];
  }
  if (cfg->userns_fd >= 0)
    k[n++] = cfg->userns_fd;
  if (cfg->console_fd >= 0)
    k[n++] = cfg->console_fd;
  for (size_t i = 0; i < cfg->n_cgroup_fds; i++)
    k[n++] = cfg->cgroup_fds[i];
  agent_sort_fds(k, n);
  cfg->n_keep = n;
}

/* ---- the container's process: environment and working directory ---- */

/* "process": the working directory, a NUL, then each variable and a NUL. */
int agent_exec_save_process(const agent_container *c, char *const *env, const char *working_dir,
                            tug_error *err) {
  char path[PATH_MAX + 16], tmp[PATH_MAX + 16];
  snprintf(path, sizeof path, "%s/process", c->dir);
  snprintf(tmp, sizeof tmp, "%s/process.tmp", c->dir);
  _cleanup_fclose_ FILE *f = fopen(tmp, "we");
  if (f == NULL)
    return tug_error_errno(err, errno, "open %s", tmp);
  fchmod(fileno(f), 0600); /* the environment may hold a Secret's values */
  fputs(working_dir ? working_dir : "/", f);
  fputc('\0', f);
  for (char *const *e = env; e && *e; e++) {
    fputs(*e, f);
    fputc('\0', f);
  }
  if (fflush(f) != 0 || ferror(f))
    return tug_error_errno(err, errno, "write %s", tmp);
  if (rename(tmp, path) < 0)
    return tug_error_errno(err, errno, "rename %s", tmp);
  return 0;
}

typedef struct process_info {
  char *text; /* the file, owned */
  char *working_dir;
  char **env; /* pointers into text, NULL-terminated */
} process_info;

static void process_info_free(process_info *p) {
  free(p->text);
  free(p->env);
}

/* The saved process; a container started before the file existed gets the
 * default PATH and "/". */
static int load_process(const agent_container *c, process_info *p, tug_error *err) {
  char path[PATH_MAX + 16];
  snprintf(path, sizeof path, "%s/process", c->dir);
  *p = (process_info){0};
  size_t len = 0;
  tug_error rerr = {0};
  p->text = tug_read_file(path, 1 << 20, &len, &rerr);
  if (p->text == NULL && rerr.code != ENOENT)
    return tug_error_set(err, rerr.code, "%s", rerr.msg);
  if (p->text == NULL || len == 0 || p->text[len - 1] != '\0') {
    process_info_free(p);
    *p = (process_info){.working_dir = "/"};
    return 0;
  }
  size_t n = 0;
  for (size_t i = 0; i < len; i++)
    n += p->text[i] == '\0';
  if ((p->env = calloc(n + 1, sizeof *p->env)) == NULL)
    return tug_error_errno(err, ENOMEM, "read %s", path);
  p->working_dir = p->text;
  size_t k = 0;
  for (char *s = p->text + strlen(p->text) + 1; s < p->text + len; s += strlen(s) + 1)
    p->env[k++] = s;
  return 0;
}

/* ---- exec ---- */

static int fork_exec(exec_config *cfg, agent_container *c, pid_t *pid, tug_error *err) {
  if (agent_cgroup_open_procs(c->cgroup_mode, c->cgroup, cfg->cgroup_fds, &cfg->n_cgroup_fds, err) <
      0)
    return tug_error_wrap(err, "exec in container %s", c->name);
  int rc = 0;
  if ((cfg->userns_fd = open_foreign_userns(c)) < 0 && errno != 0)
    rc = tug_error_errno(err, errno, "exec in container %s: open its user namespace", c->name);
  agent_seccomp filter = {0};
  if (rc == 0 && agent_seccomp_load(c->dir, &filter, err) < 0)
    rc = tug_error_wrap(err, "exec in container %s", c->name);
  cfg->seccomp = filter.prog.len ? &filter.prog : NULL;
  if (rc == 0) {
    list_exec_fds(cfg);
    pid_t child = (pid_t)syscall(SYS_clone, SIGCHLD, NULL, NULL, NULL, NULL);
    if (child == 0)
      exec_child(cfg);
    if (child < 0)
      rc = tug_error_errno(err, errno, "exec in container %s: clone", c->name);
    *pid = child;
  }
  agent_seccomp_release(&filter);
  if (cfg->userns_fd >= 0)
    close(cfg->userns_fd);
  for (size_t i = 0; i < cfg->n_cgroup_fds; i++)
    close(cfg->cgroup_fds[i]);
  return rc;
}

static int check_exec(const agent_container *c, char *const *argv, tug_error *err) {
  if (c->exited)
    return tug_error_set(err, ESRCH, "exec in container %s: it has exited", c->name);
  if (argv == NULL || argv[0] == NULL)
    return tug_error_set(err, EINVAL, "exec in container %s: no command", c->name);
  return 0;
}

/* io NULL: an exec probe's, stdio on /dev/null in the default environment at
 * "/"; else a user's, in the container's own environment and directory. */
static int exec_with(agent_container *c, char *const *argv, const agent_exec_io *io, int timeout_ms,
                     pid_t *pid, tug_error *err) {
  if (check_exec(c, argv, err) < 0)
    return -1;
  char no_fd[4];
  _cleanup_free_ char **init_argv = agent_init_argv(argv, -1, no_fd, sizeof no_fd);
  if (init_argv == NULL)
    return tug_error_errno(err, ENOMEM, "exec in container %s: allocate argv", c->name);
  _cleanup_close_ int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null_fd < 0)
    return tug_error_errno(err, errno, "exec in container %s: open /dev/null", c->name);
  process_info p = {.working_dir = "/"};
  if (io && load_process(c, &p, err) < 0)
    return tug_error_wrap(err, "exec in container %s", c->name);
  exec_config cfg = {.pidfd = c->pidfd,
                     .userns_fd = -1,
                     .init_fd = c->init_fd,
                     .console_fd = io ? io->console_fd : -1,
                     .timeout_ms = timeout_ms,
                     .creds = &c->creds,
                     .argv = init_argv,
                     .env = p.env ? p.env : default_env,
                     .working_dir = p.working_dir};
  for (int i = 0; i < 3; i++)
    cfg.stdio[i] = io && io->fds[i] >= 0 ? io->fds[i] : null_fd;
  int rc = fork_exec(&cfg, c, pid, err);
  process_info_free(&p);
  return rc;
}

int agent_runtime_container_exec_start(agent_container *c, char *const *argv, int timeout_ms,
                                       pid_t *pid, tug_error *err) {
  return exec_with(c, argv, NULL, timeout_ms, pid, err);
}

int agent_runtime_container_exec_io(agent_container *c, char *const *argv, const agent_exec_io *io,
                                    pid_t *pid, tug_error *err) {
  return exec_with(c, argv, io, -1, pid, err);
}

int agent_runtime_exec_wait(pid_t pid, int *exit_code, tug_error *err) {
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      return tug_error_errno(err, errno, "wait for exec %d", (int)pid);
  *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return 0;
}

int agent_runtime_container_exec(agent_container *c, char *const *argv, int timeout_ms,
                                 int *exit_code, tug_error *err) {
  pid_t pid;
  if (agent_runtime_container_exec_start(c, argv, timeout_ms, &pid, err) < 0)
    return -1;
  return agent_runtime_exec_wait(pid, exit_code, err);
}
