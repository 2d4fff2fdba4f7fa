/*
 * runtime-stdio.c — a container's stdin and terminal (spec stdin, stdinOnce
 * and tty), held by the agent so that `kubectl attach -i` can write to them.
 *
 * The one idea: the agent keeps the writing end — a pipe's, or with tty the
 * master of a terminal the container's process holds as its stdio and
 * controlling terminal — in a list on the runtime, keyed by the container's
 * dir and pid, since attach sessions open the container by its state files
 * (agent_runtime_container_open), never the pod worker's handle. Output
 * stays in the log file: with tty a thread copies the master's output
 * there. As Kubernetes' runtimes, stdin is empty until a client writes; with
 * stdinOnce it closes (EOF; ^D on a terminal) when the first attach that
 * wrote to it ends. An agent restart loses the list: the adopted container's
 * stdin then reads EOF, and its terminal hangs up.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "log.h"
#include "runtime-internal.h"

enum { COPY_BLOCK = 16 * 1024, TERMINAL_WAIT_MS = 10000 };

struct agent_stdio {
  agent_stdio *next;
  char dir[AGENT_PATH_MAX];
  pid_t pid;
  int in; /* the pipe's write end or the terminal's master; -1 once stdinOnce closed it */
  bool tty, once, released;
  int copy_from, copy_to; /* tty: the copier's own master and log */
  pthread_t copier;
  bool copying;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

int agent_stdio_prepare(const agent_container_spec *spec, agent_stdio_setup *s, tug_error *err) {
  *s = (agent_stdio_setup){.child_stdin = -1, .keep = -1, .console = {-1, -1}};
  if (spec->tty) {
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s->console) < 0)
      return tug_error_errno(err, errno, "make the terminal's socket");
    return 0;
  }
  if (!spec->stdin)
    return 0;
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0)
    return tug_error_errno(err, errno, "make the stdin pipe");
  s->child_stdin = p[0];
  s->keep = p[1];
  return 0;
}

void agent_stdio_setup_close(agent_stdio_setup *s) {
  int fds[] = {s->child_stdin, s->keep, s->console[0], s->console[1]};
  for (size_t i = 0; i < sizeof fds / sizeof *fds; i++)
    if (fds[i] >= 0)
      close(fds[i]);
  *s = (agent_stdio_setup){.child_stdin = -1, .keep = -1, .console = {-1, -1}};
}

struct cmsghdr *agent_fd_msg_init(agent_fd_msg *f) {
  *f = (agent_fd_msg){.byte = 't'};
  f->iov = (struct iovec){.iov_base = &f->byte, .iov_len = 1};
  f->m = (struct msghdr){.msg_iov = &f->iov,
                         .msg_iovlen = 1,
                         .msg_control = f->u.buf,
                         .msg_controllen = sizeof f->u.buf};
  return CMSG_FIRSTHDR(&f->m);
}

int agent_runtime_terminal_receive(int sock) {
  struct pollfd p = {.fd = sock, .events = POLLIN};
  agent_fd_msg f;
  agent_fd_msg_init(&f);
  if (poll(&p, 1, TERMINAL_WAIT_MS) <= 0 || recvmsg(sock, &f.m, MSG_CMSG_CLOEXEC) != 1)
    return -1;
  struct cmsghdr *c = CMSG_FIRSTHDR(&f.m);
  int fd = -1;
  if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
    memcpy(&fd, CMSG_DATA(c), sizeof fd);
  return fd;
}

/* The terminal's output into the log until no process holds its slave (EIO). */
static void *copy_terminal(void *arg) {
  agent_stdio *e = arg;
  char buf[COPY_BLOCK];
  ssize_t n;
  while ((n = read(e->copy_from, buf, sizeof buf)) != 0) {
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      break;
    for (ssize_t off = 0, w; off < n; off += w)
      if ((w = write(e->copy_to, buf + off, (size_t)(n - off))) <= 0)
        return NULL; /* the log's disk is full: what follows is lost, as with a file */
  }
  return NULL;
}

static int start_copier(agent_stdio *e, int log_fd, tug_error *err) {
  if ((e->copy_from = fcntl(e->in, F_DUPFD_CLOEXEC, 0)) < 0 ||
      (e->copy_to = fcntl(log_fd, F_DUPFD_CLOEXEC, 0)) < 0)
    return tug_error_errno(err, errno, "keep the terminal");
  if (pthread_create(&e->copier, NULL, copy_terminal, e) != 0)
    return tug_error_errno(err, EAGAIN, "start the terminal's copier");
  e->copying = true;
  return 0;
}

static void stdio_free(agent_stdio *e) {
  if (e->in >= 0)
    close(e->in);
  if (e->copying)
    pthread_join(e->copier, NULL); /* its process is gone: the slave has hung up */
  if (e->copy_from >= 0)
    close(e->copy_from);
  if (e->copy_to >= 0)
    close(e->copy_to);
  free(e);
}

int agent_stdio_keep(agent_runtime *rt, const agent_container *c, const agent_container_spec *spec,
                     agent_stdio_setup *s, int log_fd, tug_error *err) {
  if (s->keep < 0 && s->console[0] < 0)
    return 0;
  agent_stdio *e = calloc(1, sizeof *e);
  if (e == NULL)
    return tug_error_errno(err, ENOMEM, "keep the container's stdin");
  *e = (agent_stdio){
      .pid = c->pid, .tty = spec->tty, .once = spec->stdin_once, .copy_from = -1, .copy_to = -1};
  snprintf(e->dir, sizeof e->dir, "%s", c->dir);
  e->in = s->console[0] >= 0 ? agent_runtime_terminal_receive(s->console[0]) : s->keep;
  s->keep = -1;
  int rc = e->in < 0 ? tug_error_set(err, EIO, "receive the container's terminal") : 0;
  if (rc == 0 && e->tty)
    rc = start_copier(e, log_fd, err);
  if (rc < 0) {
    stdio_free(e);
    return -1;
  }
  pthread_mutex_lock(&lock);
  e->next = rt->stdio;
  rt->stdio = e;
  pthread_mutex_unlock(&lock);
  return 0;
}

static agent_stdio **find(agent_runtime *rt, const agent_container *c) {
  agent_stdio **p = &rt->stdio;
  while (*p && ((*p)->pid != c->pid || strcmp((*p)->dir, c->dir) != 0))
    p = &(*p)->next;
  return p;
}

void agent_stdio_drop(agent_runtime *rt, const agent_container *c) {
  pthread_mutex_lock(&lock);
  agent_stdio **p = find(rt, c), *e = *p;
  if (e)
    *p = e->next;
  pthread_mutex_unlock(&lock);
  if (e)
    stdio_free(e);
}

int agent_runtime_container_stdin(agent_runtime *rt, const agent_container *c, bool *tty,
                                  tug_error *err) {
  pthread_mutex_lock(&lock);
  agent_stdio *e = *find(rt, c);
  int fd = -1, code = ENOENT;
  if (e && e->in >= 0 && !e->released)
    fd = fcntl(e->in, F_DUPFD_CLOEXEC, 0), code = errno;
  else if (e)
    code = EPIPE;
  if (e)
    *tty = e->tty;
  pthread_mutex_unlock(&lock);
  if (fd < 0)
    return tug_error_set(err, code, "container %s: %s", c->name,
                         code == EPIPE ? "its stdin was closed after the first attach (stdinOnce)"
                         : code == ENOENT ? "it has no stdin (stdin: false, or an agent restarted)"
                                          : strerror(code));
  return fd;
}

void agent_runtime_container_stdin_release(agent_runtime *rt, const agent_container *c) {
  pthread_mutex_lock(&lock);
  agent_stdio *e = *find(rt, c);
  if (e && e->once && !e->released) {
    e->released = true;
    if (e->tty) {
      /* The master stays for the output: end of input is the terminal's EOF character. */
      struct termios t;
      char eof = tcgetattr(e->in, &t) == 0 ? (char)t.c_cc[VEOF] : 4;
      if (write(e->in, &eof, 1) < 0)
        tug_debug("terminal gone before stdinOnce's end", "container=%s", c->name);
    } else {
      close(e->in);
      e->in = -1;
    }
  }
  pthread_mutex_unlock(&lock);
}
