/*
 * cmd-portforward.c — `tug port-forward POD [LOCAL:]REMOTE...`: listens on
 * 127.0.0.1:LOCAL and carries each connection to the pod's REMOTE port,
 * speaking what kubectl speaks (SPDY/3.1 inside a WebSocket to
 * pods/portforward, lib/spdy.h), so the API server and agent serve one
 * protocol.
 *
 * The one idea: one poll loop over the WebSocket, the listeners and the
 * connections. Each accepted connection is a stream pair, as kubectl opens
 * it: an error stream (closed for writing at once; the server writes a
 * failure on it) and a data stream, both with headers port and requestid.
 * The server's FIN on the data stream closes the connection; the local
 * side's EOF is a FIN on the data stream.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>

#include "cleanup.h"
#include "cli.h"
#include "spdy.h"
#include "stream.h"
#include "ws.h"

#define PROTOCOL "SPDY/3.1+portforward.k8s.io"

enum { MAX_PORTS = 16, MAX_CONNS = 64, READ_BLOCK = 32 * 1024, QUEUE_LIMIT = 1 << 20 };

typedef struct listener {
  int fd, local, remote;
} listener;

typedef struct conn {
  int fd; /* -1: a free slot */
  int local, remote;
  uint32_t error_stream, data_stream;
  bool local_eof;
} conn;

typedef struct forwarder {
  tug_ws *ws;
  tug_spdy *spdy;
  listener l[MAX_PORTS];
  int n_listeners;
  conn c[MAX_CONNS];
  uint32_t next_stream, next_request;
  bool broken;
} forwarder;

/* ---- the ports ---- */

/* "LOCAL:REMOTE" or "PORT" (both the same). */
static bool parse_ports(const char *spec, listener *l) {
  char *end;
  long a = strtol(spec, &end, 10), b = a;
  if (end != spec && *end == ':')
    b = strtol(end + 1, &end, 10);
  if (end == spec || *end || a < 1 || a > 65535 || b < 1 || b > 65535)
    return false;
  l->local = (int)a, l->remote = (int)b;
  return true;
}

static int listen_on(listener *l, tug_error *err) {
  l->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  int one = 1;
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_port = htons((uint16_t)l->local),
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (l->fd < 0 || setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
      bind(l->fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(l->fd, 16) < 0)
    return tug_error_errno(err, errno, "unable to listen on port %d", l->local);
  printf("Forwarding from 127.0.0.1:%d -> %d\n", l->local, l->remote);
  fflush(stdout);
  return 0;
}

/* ---- frames out ---- */

static void send_frame(forwarder *f, const uint8_t *b, ssize_t n) {
  if (n > 0)
    tug_ws_send(f->ws, TUG_WS_RAW, b, (size_t)n);
}

static void send_data(forwarder *f, uint32_t stream, uint8_t flags, const void *data, size_t len) {
  size_t n;
  uint8_t *b = tug_spdy_data(stream, flags, data, len, &n);
  send_frame(f, b, b ? (ssize_t)n : -1);
  free(b);
}

static uint32_t open_stream(forwarder *f, const char *type, int remote, uint32_t request) {
  char port[16], id[16];
  snprintf(port, sizeof port, "%d", remote);
  snprintf(id, sizeof id, "%u", request);
  const char *const headers[] = {"streamtype", type, "port", port, "requestid", id, NULL};
  uint32_t stream = f->next_stream;
  f->next_stream += 2;
  uint8_t b[512];
  send_frame(f, b, tug_spdy_syn_stream(f->spdy, stream, headers, b, sizeof b));
  return stream;
}

/* ---- connections ---- */

static void accept_one(forwarder *f, const listener *l) {
  int fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
  if (fd < 0)
    return;
  conn *c = NULL;
  for (int i = 0; i < MAX_CONNS && c == NULL; i++)
    if (f->c[i].fd < 0)
      c = &f->c[i];
  if (c == NULL) {
    close(fd);
    return;
  }
  printf("Handling connection for %d\n", l->local);
  fflush(stdout);
  uint32_t request = f->next_request++;
  *c = (conn){.fd = fd, .local = l->local, .remote = l->remote};
  c->error_stream = open_stream(f, "error", l->remote, request);
  send_data(f, c->error_stream, TUG_SPDY_FLAG_FIN, NULL, 0); /* nothing to say on it */
  c->data_stream = open_stream(f, "data", l->remote, request);
}

static void drop(conn *c) {
  if (c->fd >= 0)
    close(c->fd);
  *c = (conn){.fd = -1};
}

static conn *by_stream(forwarder *f, uint32_t stream) {
  for (int i = 0; i < MAX_CONNS; i++)
    if (f->c[i].fd >= 0 && (f->c[i].data_stream == stream || f->c[i].error_stream == stream))
      return &f->c[i];
  return NULL;
}

static void write_all(int fd, const uint8_t *p, size_t n) {
  while (n > 0) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
      struct pollfd pf = {.fd = fd, .events = POLLOUT};
      poll(&pf, 1, 1000);
      continue;
    }
    if (w <= 0)
      return;
    p += w, n -= (size_t)w;
  }
}

static void on_data(forwarder *f, const tug_spdy_frame *fr) {
  conn *c = by_stream(f, fr->stream);
  if (c == NULL)
    return;
  if (fr->stream == c->error_stream) {
    if (fr->len)
      fprintf(stderr, "error: an error occurred forwarding %d -> %d: %.*s\n", c->local, c->remote,
              (int)fr->len, (const char *)fr->data);
    return;
  }
  write_all(c->fd, fr->data, fr->len);
  if (fr->flags & TUG_SPDY_FLAG_FIN)
    drop(c); /* the pod's side is done: so is this connection, as kubectl's */
}

static void on_frame(void *arg, const tug_spdy_frame *fr) {
  forwarder *f = arg;
  conn *c;
  if (!fr->control)
    on_data(f, fr);
  else if (fr->type == TUG_SPDY_RST_STREAM && (c = by_stream(f, fr->stream)) != NULL)
    drop(c);
  else if (fr->type == TUG_SPDY_GOAWAY)
    f->broken = true;
}

static void on_message(void *arg, int channel, const uint8_t *data, size_t len) {
  (void)channel;
  forwarder *f = arg;
  if (tug_spdy_feed(f->spdy, data, len, on_frame, f) < 0)
    f->broken = true;
}

static void local_output(forwarder *f, conn *c) {
  uint8_t buf[READ_BLOCK];
  ssize_t n = recv(c->fd, buf, sizeof buf, 0);
  if (n > 0) {
    send_data(f, c->data_stream, 0, buf, (size_t)n);
  } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
    send_data(f, c->data_stream, TUG_SPDY_FLAG_FIN, NULL, 0);
    c->local_eof = true;
  }
}

/* ---- the loop ---- */

static void forward_loop(forwarder *f, tug_upgrade *u) {
  enum { N = 1 + MAX_PORTS + MAX_CONNS };
  while (!tug_ws_finished(f->ws) && !f->broken) {
    /* TLS may hold bytes poll cannot see: read before each wait. */
    if (tug_ws_pump(f->ws) < 0)
      break;
    struct pollfd p[N] = {{.fd = u->fd, .events = tug_ws_events(f->ws)}};
    bool room = tug_ws_queued(f->ws) < QUEUE_LIMIT;
    for (int i = 0; i < MAX_PORTS; i++)
      p[1 + i] = (struct pollfd){.fd = i < f->n_listeners ? f->l[i].fd : -1, .events = POLLIN};
    for (int i = 0; i < MAX_CONNS; i++)
      p[1 + MAX_PORTS + i] =
          (struct pollfd){.fd = room && !f->c[i].local_eof ? f->c[i].fd : -1, .events = POLLIN};
    if (poll(p, N, 200) < 0 && errno != EINTR)
      break;
    for (int i = 0; i < f->n_listeners; i++)
      if (p[1 + i].revents & POLLIN)
        accept_one(f, &f->l[i]);
    for (int i = 0; i < MAX_CONNS; i++)
      if (f->c[i].fd >= 0 && f->c[i].fd == p[1 + MAX_PORTS + i].fd &&
          (p[1 + MAX_PORTS + i].revents & (POLLIN | POLLHUP | POLLERR)))
        local_output(f, &f->c[i]);
  }
}

static char *forward_path(cli_ctx *ctx, const char *pod) {
  char *ns = curl_easy_escape(NULL, ctx->namespace, 0), *p = curl_easy_escape(NULL, pod, 0);
  char *path = NULL;
  if (asprintf(&path, "/api/v1/namespaces/%s/pods/%s/portforward", ns, p) < 0)
    path = NULL;
  curl_free(ns);
  curl_free(p);
  return path;
}

static void forwarder_close(forwarder *f) {
  for (int i = 0; i < MAX_CONNS; i++)
    drop(&f->c[i]);
  for (int i = 0; i < f->n_listeners; i++)
    if (f->l[i].fd >= 0)
      close(f->l[i].fd);
  tug_ws_free(f->ws);
  tug_spdy_free(f->spdy);
}

int cmd_port_forward(cli_ctx *ctx) {
  const cli_opts *o = &ctx->opts;
  if (o->npos < 2 || o->npos - 1 > MAX_PORTS)
    return cli_failf("usage: tug port-forward POD [LOCAL:]REMOTE...");
  const char *pod = o->pos[0];
  pod = strncmp(pod, "pod/", 4) == 0 ? pod + 4 : strncmp(pod, "pods/", 5) == 0 ? pod + 5 : pod;
  _cleanup_free_ forwarder *f = calloc(1, sizeof *f);
  if (f == NULL)
    return cli_failf("out of memory");
  f->next_stream = 1;
  for (int i = 0; i < MAX_CONNS; i++)
    f->c[i].fd = -1;
  for (int i = 0; i < MAX_PORTS; i++)
    f->l[i].fd = -1;
  for (int i = 1; i < o->npos; i++)
    if (!parse_ports(o->pos[i], &f->l[f->n_listeners++]))
      return cli_failf("invalid port %s: want LOCAL:REMOTE or PORT, each 1-65535", o->pos[i]);
  _cleanup_free_ char *path = forward_path(ctx, pod);
  tug_upgrade u = {.fd = -1};
  tug_error err = {0};
  int rc = path ? cli_stream_dial(ctx, path, PROTOCOL, &u, &err)
                : tug_error_set(&err, ENOMEM, "out of memory");
  tug_ws_transport t = {tug_upgrade_read, tug_upgrade_write, &u};
  if (rc == 0 && ((f->ws = tug_ws_new(&t, false, on_message, f)) == NULL ||
                  (f->spdy = tug_spdy_new()) == NULL))
    rc = tug_error_set(&err, ENOMEM, "out of memory");
  for (int i = 0; rc == 0 && i < f->n_listeners; i++)
    rc = listen_on(&f->l[i], &err);
  if (rc == 0) {
    tug_ws_set_raw(f->ws);
    forward_loop(f, &u);
    rc = tug_error_set(&err, ECONNRESET, "lost connection to pod");
  }
  forwarder_close(f);
  tug_upgrade_close(&u);
  return cli_fail(ctx, &err);
}
