/*
 * spdy.h — SPDY/3.1 frames, as `kubectl port-forward` speaks them inside
 * its WebSocket (subprotocol SPDY/3.1+portforward.k8s.io): the stream
 * opening and answer (SYN_STREAM, SYN_REPLY), DATA with its FIN flag,
 * RST_STREAM, PING and GOAWAY. SETTINGS, WINDOW_UPDATE and HEADERS parse
 * and are left to the caller to ignore: Kubernetes' SPDY peers do no flow
 * control.
 *
 * The one idea: a frame is an 8-byte head and a payload; header blocks
 * inside SYN_STREAM and SYN_REPLY are zlib streams primed with SPDY/3's
 * dictionary, one stream per direction for the whole connection, so a
 * tug_spdy holds both ends' zlib state and must see every frame in order.
 * Parsing takes bytes as they come and says how many made one whole frame
 * (0: not yet), so the caller's buffer is all the state about partial input.
 */
#ifndef TUG_SPDY_H
#define TUG_SPDY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum {
  TUG_SPDY_SYN_STREAM = 1,
  TUG_SPDY_SYN_REPLY = 2,
  TUG_SPDY_RST_STREAM = 3,
  TUG_SPDY_SETTINGS = 4,
  TUG_SPDY_PING = 6,
  TUG_SPDY_GOAWAY = 7,
  TUG_SPDY_HEADERS = 8,
  TUG_SPDY_WINDOW_UPDATE = 9,
  TUG_SPDY_FLAG_FIN = 0x01,
  TUG_SPDY_HEAD = 8,               /* bytes of every frame's head */
  TUG_SPDY_RST_PROTOCOL_ERROR = 1, /* RST_STREAM status codes */
  TUG_SPDY_RST_REFUSED_STREAM = 3,
  TUG_SPDY_RST_CANCEL = 5,
  TUG_SPDY_MAX_HEADERS = 32,       /* pairs kept of one header block */
  TUG_SPDY_MAX_FRAME = 1024 * 1024 /* what one frame may claim: peers send 32 KiB */
};

extern const unsigned char tug_spdy_dictionary[];
extern const size_t tug_spdy_dictionary_len;

typedef struct tug_spdy tug_spdy;

typedef struct tug_spdy_frame {
  bool control;
  uint16_t type;       /* control frames: TUG_SPDY_SYN_STREAM, ... */
  uint8_t flags;       /* TUG_SPDY_FLAG_FIN */
  uint32_t stream;     /* the stream's id; PING: its id; GOAWAY: the last good stream */
  uint32_t status;     /* RST_STREAM and GOAWAY */
  const uint8_t *data; /* DATA: the payload, inside the parsed buffer */
  size_t len;
  /* SYN_STREAM, SYN_REPLY, HEADERS: the pairs, valid until the next parse */
  const char *names[TUG_SPDY_MAX_HEADERS], *values[TUG_SPDY_MAX_HEADERS];
  size_t n_headers;
} tug_spdy_frame;

tug_spdy *tug_spdy_new(void);
void tug_spdy_free(tug_spdy *s);

/* One frame from the start of buf: the bytes it took, 0 when buf holds
 * less than a frame, -1 when the bytes break the protocol (a header block
 * that does not inflate or parse, a frame longer than TUG_SPDY_MAX_FRAME). */
ssize_t tug_spdy_parse(tug_spdy *s, const uint8_t *buf, size_t len, tug_spdy_frame *f);
/* Bytes as they arrive (a WebSocket message's): every whole frame among
 * what came so far goes to on_frame, in order; the rest waits in s for the
 * next call. -1 once the bytes broke the protocol (as tug_spdy_parse) or
 * more than a frame's worth waits; s takes no more bytes then. */
typedef void (*tug_spdy_on_frame)(void *arg, const tug_spdy_frame *f);
int tug_spdy_feed(tug_spdy *s, const uint8_t *data, size_t len, tug_spdy_on_frame on_frame,
                  void *arg);
/* The value of header name in f (names are lowercase on the wire), or NULL. */
const char *tug_spdy_header(const tug_spdy_frame *f, const char *name);

/* Builders write one frame into out (cap bytes) and return its length, or
 * -1 when it does not fit (or zlib fails). headers: name, value, ...,
 * NULL; names lowercase. */
ssize_t tug_spdy_syn_stream(tug_spdy *s, uint32_t stream, const char *const *headers, uint8_t *out,
                            size_t cap);
ssize_t tug_spdy_syn_reply(tug_spdy *s, uint32_t stream, const char *const *headers, uint8_t *out,
                           size_t cap);
ssize_t tug_spdy_rst_stream(uint32_t stream, uint32_t status, uint8_t *out, size_t cap);
ssize_t tug_spdy_ping(uint32_t id, uint8_t *out, size_t cap);
ssize_t tug_spdy_goaway(uint32_t last_stream, uint32_t status, uint8_t *out, size_t cap);
/* The head of a DATA frame of len bytes; the payload follows it. */
void tug_spdy_data_head(uint32_t stream, uint8_t flags, size_t len, uint8_t out[TUG_SPDY_HEAD]);

/* A whole DATA frame (head and a copy of data) to free, its length in
 * *frame_len; NULL when out of memory. */
uint8_t *tug_spdy_data(uint32_t stream, uint8_t flags, const void *data, size_t len,
                       size_t *frame_len);

#endif
