/*
 * agent-streams.c — exec and attach sessions over WebSockets (see
 * agent-streams.h).
 *
 * The one idea: one poll loop per session moves bytes between the socket
 * (wslay, lib/ws.h) and the command's descriptors, reading a source only
 * while less than QUEUE_LIMIT waits to be sent, so a slow client slows the
 * command instead of growing the agent's memory. The command's exit is seen
 * on a pidfd of the exec helper; its output is then drained before the
 * status and the close are sent.
 */
#include "agent-streams.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "agent-logs.h"
#include "cleanup.h"
#include "log.h"
#include "query.h"
#include "ws.h"

enum {
  QUEUE_LIMIT = 1 << 20,
  READ_BLOCK = 32 * 1024,
  ATTACH_POLL_MS = 100,
  HEAD_TIMEOUT_MS = 10000, /* to write the 101 */
  MAX_ARGS = 256,
};

static const char *const protocols[] = {TUG_WS_V5, TUG_WS_V4, NULL};

typedef struct session {
  agent_upgraded up; /* the socket */
  tug_ws *ws;
  const char *protocol;
  /* exec: the helper's pid and pidfd; out[0] stdout (or the terminal), out[1] stderr */
  pid_t pid;
  int pidfd;
  int in, out[2];
  bool tty, exited;
  int exit_code;
  /* attach: the container's log and process; in is its stdin when taken */
  agent_logs_reader *log;
  agent_container *c;
  agent_runtime *rt;
  bool stdin_taken;
  char command[256]; /* for the status message */
} session;

/* ---- the client's messages ---- */

static void write_all(int fd, const uint8_t *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EAGAIN) {
      struct pollfd pf = {.fd = fd, .events = POLLOUT};
      poll(&pf, 1, 1000);
      continue;
    }
    if (w <= 0)
      return; /* the command closed its stdin: what is sent to it is lost, as with a pipe */
    p += w, n -= (size_t)w;
  }
}

static void resize(session *s, const uint8_t *data, size_t len) {
  json_t *j = json_loadb((const char *)data, len, 0, NULL);
  struct winsize ws = {.ws_col = (unsigned short)json_integer_value(json_object_get(j, "Width")),
                       .ws_row = (unsigned short)json_integer_value(json_object_get(j, "Height"))};
  if (s->tty && s->in >= 0 && ws.ws_col && ws.ws_row)
    ioctl(s->in, TIOCSWINSZ, &ws);
  json_decref(j);
}

/* The attach's client is done with the container's stdin: with stdinOnce it
 * closes for good. */
static void release_stdin(session *s) {
  if (!s->stdin_taken)
    return;
  if (s->in >= 0)
    close(s->in);
  s->in = -1;
  s->stdin_taken = false;
  agent_runtime_container_stdin_release(s->rt, s->c);
}

static void on_message(void *arg, int channel, const uint8_t *data, size_t len) {
  session *s = arg;
  bool closes_stdin = channel == TUG_WS_CLOSE && len == 1 && data[0] == TUG_WS_STDIN;
  if (channel == TUG_WS_STDIN && s->in >= 0)
    write_all(s->in, data, len);
  else if (channel == TUG_WS_RESIZE)
    resize(s, data, len);
  else if (closes_stdin && s->stdin_taken)
    release_stdin(s); /* v5: the client's stdin ended */
  else if (closes_stdin && s->in >= 0 && !s->tty) {
    close(s->in);
    s->in = -1;
  }
}

/* ---- the session's end ---- */

static void send_status(session *s) {
  json_t *st;
  if (s->exit_code == 0) {
    st = json_pack("{s:{},s:s}", "metadata", "status", "Success");
  } else {
    char code[16], msg[512];
    snprintf(code, sizeof code, "%d", s->exit_code);
    snprintf(msg, sizeof msg,
             "command terminated with non-zero exit code: error executing command [%s], exit "
             "code %d",
             s->command, s->exit_code);
    st = json_pack("{s:{},s:s,s:s,s:s,s:{s:[{s:s,s:s}]}}", "metadata", "status", "Failure",
                   "message", msg, "reason", "NonZeroExitCode", "details", "causes", "reason",
                   "ExitCode", "message", code);
  }
  char *text = json_dumps(st, JSON_COMPACT);
  if (text)
    tug_ws_send(s->ws, TUG_WS_STATUS, text, strlen(text));
  free(text);
  json_decref(st);
}

static void finish(session *s) {
  send_status(s);
  tug_ws_close(s->ws, TUG_WS_NORMAL_CLOSURE);
}

/* ---- exec ---- */

/* Read what the command wrote on out[i]; false at its end. */
static bool forward(session *s, int i) {
  char buf[READ_BLOCK];
  ssize_t n = read(s->out[i], buf, sizeof buf);
  if (n > 0) {
    tug_ws_send(s->ws, i == 0 ? TUG_WS_STDOUT : TUG_WS_STDERR, buf, (size_t)n);
    return true;
  }
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return true;
  return false; /* EOF, or EIO from a terminal nobody holds any more */
}

static void reap(session *s) {
  int status;
  while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR)
    ;
  s->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  s->exited = true;
}

/* After the exit: what is left in the pipes; a terminal may still be held
 * by a background process, so only what can be read now. */
static void drain(session *s) {
  for (int i = 0; i < 2; i++) {
    if (s->out[i] < 0)
      continue;
    fcntl(s->out[i], F_SETFL, O_NONBLOCK);
    while (tug_ws_queued(s->ws) < QUEUE_LIMIT) {
      char buf[READ_BLOCK];
      ssize_t n = read(s->out[i], buf, sizeof buf);
      if (n <= 0)
        break;
      tug_ws_send(s->ws, i == 0 ? TUG_WS_STDOUT : TUG_WS_STDERR, buf, (size_t)n);
    }
  }
}

static void exec_loop(session *s) {
  bool done = false;
  while (!tug_ws_finished(s->ws)) {
    struct pollfd p[4] = {{.fd = s->up.sock, .events = tug_ws_events(s->ws)},
                          {.fd = -1, .events = POLLIN},
                          {.fd = -1, .events = POLLIN},
                          {.fd = s->exited ? -1 : s->pidfd, .events = POLLIN}};
    bool room = tug_ws_queued(s->ws) < QUEUE_LIMIT;
    for (int i = 0; i < 2 && !done; i++)
      p[1 + i].fd = room ? s->out[i] : -1;
    bool extra = agent_upgraded_pending(&s->up);
    if (!extra && poll(p, 4, -1) < 0 && errno != EINTR)
      break;
    if (extra || (p[0].revents & (POLLIN | POLLOUT | POLLHUP | POLLERR)))
      if (tug_ws_pump(s->ws) < 0)
        break;
    for (int i = 0; i < 2; i++)
      if ((p[1 + i].revents & (POLLIN | POLLHUP | POLLERR)) && !forward(s, i)) {
        close(s->out[i]);
        s->out[i] = -1;
      }
    if (p[3].revents & POLLIN)
      reap(s);
    bool outputs_open = s->out[0] >= 0 || (s->out[1] >= 0);
    if (!done && s->exited && (!outputs_open || s->tty)) {
      drain(s);
      finish(s);
      done = true;
    }
    if (tug_ws_pump(s->ws) < 0)
      break;
  }
}

/* ---- attach ---- */

static void attach_loop(session *s) {
  bool done = false;
  while (!tug_ws_finished(s->ws)) {
    struct pollfd p[2] = {
        {.fd = s->up.sock, .events = tug_ws_events(s->ws)},
        {.fd = done ? -1 : agent_runtime_container_pidfd(s->c), .events = POLLIN}};
    bool extra = agent_upgraded_pending(&s->up);
    if (!extra && poll(p, 2, ATTACH_POLL_MS) < 0 && errno != EINTR)
      break;
    if (tug_ws_pump(s->ws) < 0)
      break;
    char buf[READ_BLOCK];
    ssize_t n;
    while (!done && tug_ws_queued(s->ws) < QUEUE_LIMIT &&
           (n = agent_logs_reader_read(s->log, buf, sizeof buf)) > 0)
      tug_ws_send(s->ws, TUG_WS_STDOUT, buf, (size_t)n);
    if (!done)
      agent_logs_reader_follow(s->log);
    if (!done && (p[1].revents & POLLIN)) {
      finish(s); /* the container exited: attach is over, as the kubelet's is */
      done = true;
    }
    if (tug_ws_pump(s->ws) < 0)
      break;
  }
}

/* ---- the session's thread ---- */

static void session_free(session *s) {
  release_stdin(s);
  if (s->pid > 0 && !s->exited) {
    kill(s->pid, SIGKILL); /* its command dies with it (PR_SET_PDEATHSIG) */
    reap(s);
  }
  if (s->pidfd >= 0)
    close(s->pidfd);
  if (s->in >= 0 && s->in != s->out[0])
    close(s->in);
  for (int i = 0; i < 2; i++)
    if (s->out[i] >= 0)
      close(s->out[i]);
  if (s->log)
    agent_logs_reader_close(s->log);
  agent_runtime_container_close(s->c);
  tug_ws_free(s->ws);
  agent_upgraded_close(&s->up);
  free(s);
}

static void session_run(void *arg) {
  session *s = arg;
  tug_ws_transport t = {agent_upgraded_read, agent_upgraded_write, &s->up};
  s->ws = tug_ws_new(&t, true, on_message, s);
  if (s->ws && s->log)
    attach_loop(s);
  else if (s->ws)
    exec_loop(s);
  session_free(s);
}

static void session_discard(void *arg) {
  session_free(arg);
}

/* ---- upgraded connections ---- */

static void *upgraded_run(void *arg) {
  agent_upgraded *u = arg;
  u->run(u->session);
  return NULL;
}

static void upgraded_start(void *cls, struct MHD_Connection *conn, void *con_cls,
                           const char *extra_in, size_t extra_in_size, MHD_socket sock,
                           struct MHD_UpgradeResponseHandle *urh) {
  (void)conn, (void)con_cls;
  agent_upgraded *u = cls;
  u->sock = sock;
  u->urh = urh;
  fcntl(sock, F_SETFL, fcntl(sock, F_GETFL) | O_NONBLOCK);
  if (extra_in_size && (u->extra = malloc(extra_in_size)) != NULL) {
    memcpy(u->extra, extra_in, extra_in_size);
    u->extra_len = extra_in_size;
  }
  pthread_t t;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  if (pthread_create(&t, &attr, upgraded_run, u) != 0)
    u->discard(u->session);
  pthread_attr_destroy(&attr);
}

ssize_t agent_upgraded_read(void *io, void *buf, size_t len) {
  agent_upgraded *u = io;
  if (u->extra_off < u->extra_len) {
    size_t n = u->extra_len - u->extra_off < len ? u->extra_len - u->extra_off : len;
    memcpy(buf, u->extra + u->extra_off, n);
    u->extra_off += n;
    return (ssize_t)n;
  }
  if (u->tls.tls)
    return tug_tls_taken_read(&u->tls, buf, len);
  return recv(u->sock, buf, len, 0);
}

ssize_t agent_upgraded_write(void *io, const void *buf, size_t len) {
  agent_upgraded *u = io;
  if (u->tls.tls)
    return tug_tls_taken_write(&u->tls, buf, len);
  return send(u->sock, buf, len, MSG_NOSIGNAL);
}

bool agent_upgraded_pending(const agent_upgraded *u) {
  return u->extra_off < u->extra_len || tug_tls_taken_pending(&u->tls);
}

void agent_upgraded_close(agent_upgraded *u) {
  if (u->tls.tls)
    tug_tls_taken_end(&u->tls);
  if (u->urh)
    MHD_upgrade_action(u->urh, MHD_UPGRADE_ACTION_CLOSE);
  free(u->extra);
  *u = (agent_upgraded){.sock = -1};
}

/* ---- the request ---- */

enum MHD_Result agent_streams_answer(struct MHD_Connection *conn, int code, const char *fmt, ...) {
  char *msg = NULL;
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(&msg, fmt, ap) < 0)
    msg = NULL;
  va_end(ap);
  struct MHD_Response *r =
      MHD_create_response_from_buffer(msg ? strlen(msg) : 0, msg, MHD_RESPMEM_MUST_FREE);
  MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8");
  enum MHD_Result rc = MHD_queue_response(conn, code, r);
  MHD_destroy_response(r);
  return rc;
}

typedef struct args {
  char *v[MAX_ARGS + 1];
  size_t n;
} args;

static enum MHD_Result collect_command(void *cls, enum MHD_ValueKind kind, const char *key,
                                       const char *value) {
  (void)kind;
  args *a = cls;
  if (strcmp(key, "command") == 0 && a->n < MAX_ARGS)
    a->v[a->n++] = (char *)(value ? value : "");
  return MHD_YES;
}

bool agent_streams_pod_uid(const char *root, const char *ns, const char *pod, char *uid,
                           size_t size) {
  char pattern[8192];
  snprintf(pattern, sizeof pattern, "%s/logs/%s_%s_*", root, ns, pod);
  glob_t g;
  if (glob(pattern, 0, NULL, &g) != 0)
    return false;
  const char *dir = g.gl_pathv[g.gl_pathc - 1];
  snprintf(uid, size, "%s", strrchr(dir, '_') + 1);
  globfree(&g);
  return true;
}

/* Pipes for the command, or with tty the socket its terminal's master
 * comes back on (console[0] is the agent's end); s keeps the agent's ends. */
static int open_stdio(session *s, bool in, bool out, bool err, agent_exec_io *io, int console[2]) {
  *io = (agent_exec_io){.fds = {-1, -1, -1}, .console_fd = -1};
  if (s->tty) {
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, console) < 0)
      return -1;
    io->console_fd = console[1];
    return 0;
  }
  int p[3][2];
  bool want[3] = {in, out, err};
  for (int i = 0; i < 3; i++) {
    if (!want[i])
      continue;
    if (pipe2(p[i], O_CLOEXEC) < 0)
      return -1;
    io->fds[i] = p[i][i == 0 ? 0 : 1];
    if (i == 0)
      s->in = p[0][1];
    else
      s->out[i - 1] = p[i][0];
  }
  return 0;
}

static void close_child_ends(const agent_exec_io *io) {
  for (int i = 0; i < 3; i++)
    if (io->fds[i] >= 0)
      close(io->fds[i]);
  if (io->console_fd >= 0)
    close(io->console_fd);
}

static int start_exec(session *s, struct MHD_Connection *conn, tug_error *err) {
  args a = {0};
  MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_command, &a);
  if (a.n == 0)
    return tug_error_set(err, EINVAL, "no command given");
  for (size_t i = 0, o = 0; i < a.n && o < sizeof s->command - 1; i++)
    o += (size_t)snprintf(s->command + o, sizeof s->command - o, "%s%s", i ? " " : "", a.v[i]);
  s->tty = agent_logs_flag(conn, "tty");
  agent_exec_io io;
  int console[2] = {-1, -1};
  if (open_stdio(s, agent_logs_flag(conn, "stdin"), agent_logs_flag(conn, "stdout"),
                 agent_logs_flag(conn, "stderr") && !s->tty, &io, console) < 0)
    return tug_error_errno(err, errno, "open the command's stdio");
  int rc = agent_runtime_container_exec_io(s->c, a.v, &io, &s->pid, err);
  close_child_ends(&io);
  if (rc == 0 && s->tty && (s->in = s->out[0] = agent_runtime_terminal_receive(console[0])) < 0)
    rc = tug_error_set(err, EIO, "open a terminal in the container");
  if (console[0] >= 0)
    close(console[0]);
  if (rc < 0)
    return -1;
  if ((s->pidfd = (int)syscall(SYS_pidfd_open, s->pid, 0)) < 0)
    return tug_error_errno(err, errno, "watch exec %d", (int)s->pid);
  return 0;
}

/* stdin=1: the container's stdin, when it has one still open; else the
 * attach goes on with its output only, as the kubelet's does. */
static void take_stdin(session *s, struct MHD_Connection *conn) {
  if (!agent_logs_flag(conn, "stdin"))
    return;
  tug_error err = {0};
  s->in = agent_runtime_container_stdin(s->rt, s->c, &s->tty, &err);
  s->stdin_taken = s->in >= 0;
  if (s->in < 0)
    tug_info("attach without stdin", "err=%s", TUG_LOG_ERR(&err));
}

static int start_attach(session *s, struct MHD_Connection *conn, const char *root, const char *ns,
                        const char *pod, const char *c, tug_error *err) {
  take_stdin(s, conn);
  char pattern[8192];
  snprintf(pattern, sizeof pattern, "%s/logs/%s_%s_*/%s.log", root, ns, pod, c);
  glob_t g;
  if (glob(pattern, 0, NULL, &g) != 0)
    return tug_error_set(err, ENOENT, "no log for container %s", c);
  int rc = agent_logs_reader_open(g.gl_pathv[g.gl_pathc - 1], 0, &s->log, err);
  globfree(&g);
  return rc;
}

/* Over HTTPS: the 101 written here and the session run on this thread (a
 * thread per connection: libmicrohttpd leaves the connection alone while
 * its handler runs); MHD_NO then has it close the socket the session shut. */
static enum MHD_Result run_taken(agent_upgraded *u, const char *protocol, const char *accept) {
  const char *headers[] = {
      "Upgrade", "websocket", "Sec-WebSocket-Accept", accept, "Sec-WebSocket-Protocol",
      protocol,  NULL};
  char head[1024];
  int n = tug_tls_switching_head(head, sizeof head, headers);
  tug_error err = {0};
  u->sock = u->tls.fd;
  fcntl(u->sock, F_SETFL, fcntl(u->sock, F_GETFL) | O_NONBLOCK);
  if (n < 0 || tug_tls_taken_send_all(&u->tls, head, (size_t)n, HEAD_TIMEOUT_MS, &err) < 0)
    u->discard(u->session);
  else
    u->run(u->session);
  return tug_tls_taken_close();
}

enum MHD_Result agent_streams_upgrade(struct MHD_Connection *conn, const char *protocol,
                                      agent_upgraded *u) {
  const char *key = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Sec-WebSocket-Key");
  char accept[64];
  tug_ws_accept_key(key, accept, sizeof accept);
  if (tug_tls_take(conn, &u->tls))
    return run_taken(u, protocol, accept);
  struct MHD_Response *r = MHD_create_response_for_upgrade(upgraded_start, u);
  MHD_add_response_header(r, MHD_HTTP_HEADER_UPGRADE, "websocket");
  MHD_add_response_header(r, "Sec-WebSocket-Accept", accept);
  MHD_add_response_header(r, "Sec-WebSocket-Protocol", protocol);
  enum MHD_Result rc = MHD_queue_response(conn, MHD_HTTP_SWITCHING_PROTOCOLS, r);
  MHD_destroy_response(r);
  return rc;
}

enum MHD_Result agent_streams_serve(agent_runtime *rt, const char *logs_root,
                                    struct MHD_Connection *conn, const char *url) {
  char verb[16], ns[256], pod[256], c[256], uid[256];
  if (sscanf(url, "/%15[^/]/%255[^/]/%255[^/]/%255[^/]", verb, ns, pod, c) != 4 ||
      !agent_logs_safe_segment(ns) || !agent_logs_safe_segment(pod) || !agent_logs_safe_segment(c))
    return agent_streams_answer(conn, 404, "not found: %s\n", url);
  const char *upg = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Upgrade");
  const char *offered =
      MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Sec-WebSocket-Protocol");
  const char *protocol = tug_ws_pick_protocol(offered, protocols);
  if (upg == NULL || strcasecmp(upg, "websocket") != 0 || protocol == NULL)
    return agent_streams_answer(conn, 400,
                                "a WebSocket upgrade with subprotocol " TUG_WS_V5 " or " TUG_WS_V4
                                " is required\n");
  if (!agent_streams_pod_uid(logs_root, ns, pod, uid, sizeof uid))
    return agent_streams_answer(conn, 404, "pod %s/%s is not on this node\n", ns, pod);
  session *s = calloc(1, sizeof *s);
  if (s == NULL)
    return MHD_NO;
  *s = (session){.protocol = protocol, .pidfd = -1, .in = -1, .out = {-1, -1}, .rt = rt};
  s->up =
      (agent_upgraded){.sock = -1, .run = session_run, .discard = session_discard, .session = s};
  tug_error err = {0};
  int rc = agent_runtime_container_open(rt, uid, c, &s->c, &err);
  if (rc == 0)
    rc = strcmp(verb, "exec") == 0 ? start_exec(s, conn, &err)
                                   : start_attach(s, conn, logs_root, ns, pod, c, &err);
  if (rc < 0) {
    session_free(s);
    return agent_streams_answer(conn, err.code == ESRCH || err.code == ENOENT ? 404 : 500,
                                "container %s of pod %s/%s: %s\n", c, ns, pod, err.msg);
  }
  tug_info("stream", "verb=%s pod=%s/%s container=%s", verb, ns, pod, c);
  return agent_streams_upgrade(conn, s->protocol, &s->up);
}
