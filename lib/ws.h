/*
 * ws.h — Kubernetes' channel streams over a WebSocket (RFC 6455), as
 * `kubectl exec`, `attach` and `cp` speak them: subprotocols
 * v5.channel.k8s.io and v4.channel.k8s.io.
 *
 * The one idea: every binary message is one channel's bytes, its first byte
 * the channel (0 stdin, 1 stdout, 2 stderr, 3 the status, a metav1.Status in
 * JSON, 4 terminal resizes, {"Width":W,"Height":H}); v5 adds channel 255,
 * whose one-byte message [255, C] says channel C is closed (stdin's EOF).
 * Framing, masking, fragments, ping/pong and the close handshake are wslay's;
 * this file adds the channel byte and a poll-driven session over one
 * non-blocking descriptor (or any pair of read/write functions, for TLS), so
 * that the caller's loop also watches its own descriptors.
 */
#ifndef TUG_WS_H
#define TUG_WS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum {
  TUG_WS_STDIN = 0,
  TUG_WS_STDOUT = 1,
  TUG_WS_STDERR = 2,
  TUG_WS_STATUS = 3,
  TUG_WS_RESIZE = 4,
  TUG_WS_CLOSE = 255, /* v5: [255, channel] closes that channel */
  TUG_WS_RAW = -1,    /* a raw session's messages: no channel byte */
  TUG_WS_NORMAL_CLOSURE = 1000,
};

#define TUG_WS_V5 "v5.channel.k8s.io"
#define TUG_WS_V4 "v4.channel.k8s.io"

typedef struct tug_ws tug_ws;

/* A channel's message arrived (data excludes the channel byte). */
typedef void (*tug_ws_on_message)(void *arg, int channel, const uint8_t *data, size_t len);
/* Transport: like recv/send on a non-blocking socket (-1 with errno EAGAIN
 * when nothing can be moved now, 0 from read at the peer's EOF). */
typedef ssize_t (*tug_ws_read_fn)(void *io, void *buf, size_t len);
typedef ssize_t (*tug_ws_write_fn)(void *io, const void *buf, size_t len);

typedef struct tug_ws_transport {
  tug_ws_read_fn read;
  tug_ws_write_fn write;
  void *io;
} tug_ws_transport;

/* A session on the non-blocking socket fd (server: frames unmasked). */
tug_ws *tug_ws_new_fd(int fd, bool server, tug_ws_on_message on_message, void *arg);
/* A session over t, which must outlive it. */
tug_ws *tug_ws_new(const tug_ws_transport *t, bool server, tug_ws_on_message on_message, void *arg);
void tug_ws_free(tug_ws *w);
/* Messages carry no channel byte from now on (a tunnel of another protocol,
 * such as port-forward's SPDY): on_message gets TUG_WS_RAW and the whole
 * message, and tug_ws_send's channel must be TUG_WS_RAW. */
void tug_ws_set_raw(tug_ws *w);

/* Queue one message on channel; -1 when the session is closing or out of memory. */
int tug_ws_send(tug_ws *w, int channel, const void *data, size_t len);
/* Close with code once what is queued is written; nothing is sent after it. */
int tug_ws_close(tug_ws *w, uint16_t code);
/* Move what can be moved: read what arrived (calling on_message), write what
 * is queued. -1 when the connection broke; 0 otherwise. */
int tug_ws_pump(tug_ws *w);
/* The poll events the session waits for (POLLIN, POLLOUT). */
short tug_ws_events(const tug_ws *w);
/* Neither side will send more: the close handshake is over or the peer left. */
bool tug_ws_finished(const tug_ws *w);
/* Bytes queued and not yet written: callers stop reading their sources past a bound. */
size_t tug_ws_queued(const tug_ws *w);

/* Sec-WebSocket-Accept for a client's Sec-WebSocket-Key (RFC 6455 §4.2.2):
 * base64(SHA-1(key + GUID)); out holds at least 29 bytes. */
void tug_ws_accept_key(const char *key, char *out, size_t size);
/* The first of supported that the client's comma-separated
 * Sec-WebSocket-Protocol list offers, or NULL. */
const char *tug_ws_pick_protocol(const char *offered, const char *const *supported);

#endif
