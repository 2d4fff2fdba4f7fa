/*
 * stream.c — exec and attach sessions from the CLI (see stream.h).
 *
 * One poll loop: the WebSocket (through lib/upgrade.h's connection, so TLS
 * and credentials are the client's own) and the local stdin. The status
 * channel's Status carries the exit code; the session ends with the
 * server's close.
 */
#include "stream.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "cleanup.h"
#include "object.h"
#include "upgrade.h"
#include "ws.h"

enum { DIAL_TIMEOUT_MS = 30000, QUEUE_LIMIT = 1 << 20, READ_BLOCK = 32 * 1024 };

typedef struct session {
  const cli_stream_opts *o;
  int exit_code;
  char failure[512]; /* a Status other than an exit code */
} session;

static void write_all(int fd, const uint8_t *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return;
    p += w, n -= (size_t)w;
  }
}

/* metav1.Status: Success, or Failure with an ExitCode cause, or another failure. */
static void take_status(session *s, const uint8_t *data, size_t len) {
  _cleanup_json_ json_t *st = json_loadb((const char *)data, len, 0, NULL);
  const char *status = tug_obj_get_str(st, "status");
  if (status && strcmp(status, "Success") == 0)
    return;
  size_t i;
  json_t *cause;
  json_array_foreach(tug_obj_get(st, "details.causes"), i, cause) {
    const char *reason = tug_obj_get_str(cause, "reason");
    if (reason && strcmp(reason, "ExitCode") == 0) {
      s->exit_code = atoi(tug_obj_get_str(cause, "message") ?: "1");
      return;
    }
  }
  snprintf(s->failure, sizeof s->failure, "%s", tug_obj_get_str(st, "message") ?: "failed");
  s->exit_code = 1;
}

static void on_message(void *arg, int channel, const uint8_t *data, size_t len) {
  session *s = arg;
  if (channel == TUG_WS_STDOUT)
    write_all(s->o->out_fd, data, len);
  else if (channel == TUG_WS_STDERR && s->o->err_fd >= 0)
    write_all(s->o->err_fd, data, len);
  else if (channel == TUG_WS_STATUS)
    take_status(s, data, len);
}

/* SIGWINCH since the last size sent: the terminal was resized. */
static volatile sig_atomic_t resized;
static void on_winch(int sig) {
  (void)sig;
  resized = 1;
}

static void send_size(tug_ws *ws, int fd) {
  struct winsize w;
  char msg[64];
  if (ioctl(fd, TIOCGWINSZ, &w) == 0 && w.ws_col && w.ws_row) {
    int n = snprintf(msg, sizeof msg, "{\"Width\":%d,\"Height\":%d}", w.ws_col, w.ws_row);
    tug_ws_send(ws, TUG_WS_RESIZE, msg, (size_t)n);
  }
}

/* stdin into the session until its end, which v5 signals on channel 255. */
static void forward_stdin(tug_ws *ws, int *in_fd, bool tty) {
  char buf[READ_BLOCK];
  ssize_t n = read(*in_fd, buf, sizeof buf);
  if (n > 0) {
    tug_ws_send(ws, TUG_WS_STDIN, buf, (size_t)n);
    return;
  }
  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return;
  if (!tty) {
    const uint8_t stdin_channel = TUG_WS_STDIN;
    tug_ws_send(ws, TUG_WS_CLOSE, &stdin_channel, 1);
  }
  *in_fd = -1;
}

static void loop(tug_upgrade *u, session *s) {
  tug_ws_transport t = {tug_upgrade_read, tug_upgrade_write, u};
  tug_ws *ws = tug_ws_new(&t, false, on_message, s);
  if (ws == NULL)
    return;
  int in_fd = s->o->in_fd;
  /* kubectl's terminal size queue: the size at start, then each change. */
  struct sigaction winch = {.sa_handler = on_winch}, saved;
  if (s->o->tty) {
    sigaction(SIGWINCH, &winch, &saved);
    send_size(ws, s->o->in_fd);
  }
  while (!tug_ws_finished(ws)) {
    if (s->o->tty && resized) {
      resized = 0;
      send_size(ws, s->o->in_fd);
    }
    /* TLS may hold bytes poll cannot see: read before each wait. */
    if (tug_ws_pump(ws) < 0)
      break;
    struct pollfd p[2] = {{.fd = u->fd, .events = tug_ws_events(ws)},
                          {.fd = tug_ws_queued(ws) < QUEUE_LIMIT ? in_fd : -1, .events = POLLIN}};
    if (poll(p, 2, 200) < 0 && errno != EINTR)
      break;
    if (p[1].revents & (POLLIN | POLLHUP | POLLERR))
      forward_stdin(ws, &in_fd, s->o->tty);
  }
  if (s->o->tty)
    sigaction(SIGWINCH, &saved, NULL);
  tug_ws_free(ws);
}

static char *session_path(cli_ctx *ctx, const cli_stream_opts *o) {
  char *ns = curl_easy_escape(NULL, ctx->namespace, 0), *pod = curl_easy_escape(NULL, o->pod, 0);
  char *q = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&q, &len);
  fprintf(f, "/api/v1/namespaces/%s/pods/%s/%s?stdout=true%s%s%s", ns, pod, o->subresource,
          o->in_fd >= 0 ? "&stdin=true" : "", o->tty ? "&tty=true" : "",
          o->err_fd >= 0 ? "&stderr=true" : "");
  if (o->container) {
    char *c = curl_easy_escape(NULL, o->container, 0);
    fprintf(f, "&container=%s", c);
    curl_free(c);
  }
  for (char *const *a = o->command; a && *a; a++) {
    char *c = curl_easy_escape(NULL, *a, 0);
    fprintf(f, "&command=%s", c);
    curl_free(c);
  }
  fclose(f);
  curl_free(ns);
  curl_free(pod);
  return q;
}

/* An answer other than 101 is a Status: its message is the error. */
static int refused(const tug_upgrade *u, tug_error *err) {
  _cleanup_json_ json_t *st = json_loads(u->body, 0, NULL);
  const char *msg = tug_obj_get_str(st, "message");
  return tug_error_set(err, tug_client_error_code(u->code), "%s",
                       msg ? msg : "the server refused the stream");
}

int cli_stream_dial(cli_ctx *ctx, const char *path, const char *protocols, tug_upgrade *u,
                    tug_error *err) {
  *u = (tug_upgrade){.fd = -1};
  tug_client *c = cli_client(ctx, err);
  if (c == NULL)
    return -1;
  const char *auth = NULL;
  void *h = tug_client_raw_handle(c, &auth);
  if (h == NULL)
    return tug_error_set(err, ENOMEM, "start the session");
  char key[32];
  tug_upgrade_new_key(key, sizeof key);
  int rc = tug_upgrade_dial(h, path, key, protocols, auth, DIAL_TIMEOUT_MS, u, err);
  if (rc == 0 && u->code != 101)
    rc = refused(u, err);
  return rc;
}

int cli_stream_run(cli_ctx *ctx, const cli_stream_opts *o, tug_error *err) {
  _cleanup_free_ char *path = session_path(ctx, o);
  if (path == NULL)
    return tug_error_set(err, ENOMEM, "start the %s session", o->subresource);
  tug_upgrade u;
  int rc = cli_stream_dial(ctx, path, TUG_WS_V5 ", " TUG_WS_V4, &u, err);
  session s = {.o = o};
  if (rc == 0) {
    struct termios saved;
    bool raw = o->tty && tcgetattr(o->in_fd, &saved) == 0;
    if (raw) {
      struct termios t = saved;
      cfmakeraw(&t);
      tcsetattr(o->in_fd, TCSANOW, &t);
    }
    loop(&u, &s);
    if (raw)
      tcsetattr(o->in_fd, TCSANOW, &saved);
    if (s.failure[0])
      rc = tug_error_set(err, EIO, "%s", s.failure);
  }
  tug_upgrade_close(&u);
  return rc < 0 ? -1 : s.exit_code;
}
