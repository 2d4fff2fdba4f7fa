/*
 * ws.c — channel streams over a WebSocket, on wslay's event API (see ws.h).
 */
#include "ws.h"

#include <errno.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <wslay/wslay.h>

#include "base64.h"

/* Kubernetes' clients send at most their buffer's worth per message; a
 * bound keeps a misbehaving peer from making the agent hold gigabytes. */
enum { MAX_MESSAGE = 16 * 1024 * 1024 };

struct tug_ws {
  wslay_event_context_ptr ctx;
  tug_ws_transport t;
  int fd;
  bool broken;
  bool raw;       /* no channel byte */
  int close_code; /* queued once every message before it is written; 0: none */
  tug_ws_on_message on_message;
  void *arg;
};

static ssize_t fd_read(void *io, void *buf, size_t len) {
  return recv(((tug_ws *)io)->fd, buf, len, 0);
}

static ssize_t fd_write(void *io, const void *buf, size_t len) {
  return send(((tug_ws *)io)->fd, buf, len, MSG_NOSIGNAL);
}

static ssize_t on_recv(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags,
                       void *user) {
  (void)flags;
  tug_ws *w = user;
  ssize_t n = w->t.read(w->t.io, buf, len);
  if (n > 0)
    return n;
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
  else
    wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
  return -1;
}

static ssize_t on_send(wslay_event_context_ptr ctx, const uint8_t *data, size_t len, int flags,
                       void *user) {
  (void)flags;
  tug_ws *w = user;
  ssize_t n = w->t.write(w->t.io, data, len);
  if (n >= 0)
    return n;
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
    wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
  else
    wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
  return -1;
}

static int on_genmask(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, void *user) {
  (void)ctx, (void)user;
  return RAND_bytes(buf, (int)len) == 1 ? 0 : -1;
}

/* Text messages belong to the base64 protocol (channel.k8s.io v1), not spoken here. */
static void on_msg(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *a,
                   void *user) {
  (void)ctx;
  tug_ws *w = user;
  if (a->opcode == WSLAY_BINARY_FRAME && w->raw)
    w->on_message(w->arg, TUG_WS_RAW, a->msg, a->msg_length);
  else if (a->opcode == WSLAY_BINARY_FRAME && a->msg_length > 0)
    w->on_message(w->arg, a->msg[0], a->msg + 1, a->msg_length - 1);
}

static tug_ws *make(const tug_ws_transport *t, int fd, bool server, tug_ws_on_message on_message,
                    void *arg) {
  tug_ws *w = calloc(1, sizeof *w);
  if (w == NULL)
    return NULL;
  w->fd = fd;
  w->t = t ? *t : (tug_ws_transport){fd_read, fd_write, w};
  w->on_message = on_message;
  w->arg = arg;
  const struct wslay_event_callbacks cb = {on_recv, on_send, on_genmask, NULL, NULL, NULL, on_msg};
  int rc = server ? wslay_event_context_server_init(&w->ctx, &cb, w)
                  : wslay_event_context_client_init(&w->ctx, &cb, w);
  if (rc != 0) {
    free(w);
    return NULL;
  }
  wslay_event_config_set_max_recv_msg_length(w->ctx, MAX_MESSAGE);
  return w;
}

tug_ws *tug_ws_new_fd(int fd, bool server, tug_ws_on_message on_message, void *arg) {
  return make(NULL, fd, server, on_message, arg);
}

tug_ws *tug_ws_new(const tug_ws_transport *t, bool server, tug_ws_on_message on_message,
                   void *arg) {
  return make(t, -1, server, on_message, arg);
}

void tug_ws_free(tug_ws *w) {
  if (w == NULL)
    return;
  wslay_event_context_free(w->ctx);
  free(w);
}

void tug_ws_set_raw(tug_ws *w) {
  w->raw = true;
}

int tug_ws_send(tug_ws *w, int channel, const void *data, size_t len) {
  if (w->raw) {
    struct wslay_event_msg raw = {WSLAY_BINARY_FRAME, data, len};
    return channel == TUG_WS_RAW && wslay_event_queue_msg(w->ctx, &raw) == 0 ? 0 : -1;
  }
  uint8_t *m = malloc(len + 1);
  if (m == NULL)
    return -1;
  m[0] = (uint8_t)channel;
  if (len)
    memcpy(m + 1, data, len);
  struct wslay_event_msg msg = {WSLAY_BINARY_FRAME, m, len + 1};
  int rc = wslay_event_queue_msg(w->ctx, &msg); /* wslay copies the bytes */
  free(m);
  return rc == 0 ? 0 : -1;
}

/* wslay writes control frames ahead of queued messages: the close waits
 * until the messages before it are out, or the peer would lose them. */
int tug_ws_close(tug_ws *w, uint16_t code) {
  w->close_code = code;
  return 0;
}

static int queue_close_when_drained(tug_ws *w) {
  if (w->close_code == 0 || wslay_event_get_queued_msg_count(w->ctx) > 0)
    return 0;
  int code = w->close_code;
  w->close_code = 0;
  return wslay_event_queue_close(w->ctx, (uint16_t)code, NULL, 0);
}

int tug_ws_pump(tug_ws *w) {
  if (w->broken)
    return -1;
  if ((wslay_event_want_read(w->ctx) && wslay_event_recv(w->ctx) != 0) ||
      queue_close_when_drained(w) != 0 ||
      (wslay_event_want_write(w->ctx) && wslay_event_send(w->ctx) != 0) ||
      queue_close_when_drained(w) != 0 ||
      (wslay_event_want_write(w->ctx) && wslay_event_send(w->ctx) != 0)) {
    w->broken = true;
    return -1;
  }
  return 0;
}

short tug_ws_events(const tug_ws *w) {
  short ev = 0;
  if (wslay_event_want_read(w->ctx))
    ev |= POLLIN;
  if (wslay_event_want_write(w->ctx) || w->close_code)
    ev |= POLLOUT;
  return ev;
}

bool tug_ws_finished(const tug_ws *w) {
  return w->broken ||
         (w->close_code == 0 && !wslay_event_want_read(w->ctx) && !wslay_event_want_write(w->ctx));
}

size_t tug_ws_queued(const tug_ws *w) {
  return wslay_event_get_queued_msg_length(w->ctx);
}

void tug_ws_accept_key(const char *key, char *out, size_t size) {
  static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  char joined[256];
  unsigned char sha[SHA_DIGEST_LENGTH];
  snprintf(joined, sizeof joined, "%s%s", key ? key : "", guid);
  SHA1((const unsigned char *)joined, strlen(joined), sha);
  char *b = tug_base64_encode(sha, sizeof sha);
  snprintf(out, size, "%s", b ? b : "");
  free(b);
}

const char *tug_ws_pick_protocol(const char *offered, const char *const *supported) {
  for (size_t i = 0; offered && supported[i]; i++) {
    size_t n = strlen(supported[i]);
    for (const char *p = offered; (p = strstr(p, supported[i])) != NULL; p += n) {
      bool starts = p == offered || p[-1] == ',' || p[-1] == ' ';
      bool ends = p[n] == '\0' || p[n] == ',' || p[n] == ' ';
      if (starts && ends)
        return supported[i];
    }
  }
  return NULL;
}
