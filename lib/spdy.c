/*
 * spdy.c — SPDY/3.1 frames and their zlib header blocks (see spdy.h).
 */
#include "spdy.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* An inflated header block larger than this is refused: port-forward's
 * blocks hold three short pairs. */
enum { MAX_BLOCK = 64 * 1024, VERSION = 3 };

struct tug_spdy {
  z_stream in, out;
  bool in_ok, out_ok;
  bool broken;  /* tug_spdy_feed saw bytes that break the protocol */
  uint8_t *buf; /* tug_spdy_feed's bytes that are not a whole frame yet */
  size_t buf_len;
  char block[MAX_BLOCK];       /* the last inflated header block */
  char strings[MAX_BLOCK * 2]; /* its names and values, NUL-terminated */
};

tug_spdy *tug_spdy_new(void) {
  tug_spdy *s = calloc(1, sizeof *s);
  if (s == NULL)
    return NULL;
  s->in_ok = inflateInit(&s->in) == Z_OK;
  s->out_ok =
      deflateInit(&s->out, Z_DEFAULT_COMPRESSION) == Z_OK &&
      deflateSetDictionary(&s->out, tug_spdy_dictionary, (uInt)tug_spdy_dictionary_len) == Z_OK;
  if (!s->in_ok || !s->out_ok) {
    tug_spdy_free(s);
    return NULL;
  }
  return s;
}

void tug_spdy_free(tug_spdy *s) {
  if (s == NULL)
    return;
  if (s->in_ok)
    inflateEnd(&s->in);
  if (s->out_ok)
    deflateEnd(&s->out);
  free(s->buf);
  free(s);
}

static uint32_t get32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

/* ---- header blocks ---- */

/* Inflate one block (the zlib stream goes on across blocks); its length, or -1. */
static ssize_t inflate_block(tug_spdy *s, const uint8_t *src, size_t len) {
  s->in.next_in = (Bytef *)src;
  s->in.avail_in = (uInt)len;
  s->in.next_out = (Bytef *)s->block;
  s->in.avail_out = sizeof s->block;
  while (s->in.avail_in > 0) {
    int rc = inflate(&s->in, Z_SYNC_FLUSH);
    if (rc == Z_NEED_DICT)
      rc = inflateSetDictionary(&s->in, tug_spdy_dictionary, (uInt)tug_spdy_dictionary_len);
    if (rc != Z_OK || (s->in.avail_out == 0 && s->in.avail_in > 0))
      return -1;
  }
  return (ssize_t)(sizeof s->block - s->in.avail_out);
}

/* One length-prefixed string of the block at *off, copied NUL-terminated to *w. */
static const char *take_string(tug_spdy *s, size_t blen, size_t *off, size_t *w) {
  if (blen - *off < 4)
    return NULL;
  uint32_t n = get32((const uint8_t *)s->block + *off);
  if (n > blen - *off - 4 || *w + n + 1 > sizeof s->strings)
    return NULL;
  char *dst = s->strings + *w;
  memcpy(dst, s->block + *off + 4, n);
  dst[n] = '\0';
  *off += 4 + n, *w += n + 1;
  return dst;
}

static int parse_block(tug_spdy *s, const uint8_t *src, size_t len, tug_spdy_frame *f) {
  ssize_t blen = inflate_block(s, src, len);
  if (blen < 4)
    return -1;
  uint32_t count = get32((const uint8_t *)s->block);
  size_t off = 4, w = 0;
  for (uint32_t i = 0; i < count; i++) {
    const char *name = take_string(s, (size_t)blen, &off, &w);
    const char *value = name ? take_string(s, (size_t)blen, &off, &w) : NULL;
    if (value == NULL)
      return -1;
    if (f->n_headers < TUG_SPDY_MAX_HEADERS) {
      f->names[f->n_headers] = name;
      f->values[f->n_headers++] = value;
    }
  }
  return 0;
}

/* headers (name, value, ..., NULL) as a compressed block at out; its length, or -1. */
static ssize_t deflate_block(tug_spdy *s, const char *const *headers, uint8_t *out, size_t cap) {
  uint8_t raw[4096];
  size_t n = 4, count = 0;
  for (const char *const *h = headers; h && h[0] && h[1]; h += 2, count++)
    for (int i = 0; i < 2; i++) {
      size_t l = strlen(h[i]);
      if (n + 4 + l > sizeof raw)
        return -1;
      put32(raw + n, (uint32_t)l);
      memcpy(raw + n + 4, h[i], l);
      n += 4 + l;
    }
  put32(raw, (uint32_t)count);
  s->out.next_in = raw;
  s->out.avail_in = (uInt)n;
  s->out.next_out = out;
  s->out.avail_out = (uInt)cap;
  if (deflate(&s->out, Z_SYNC_FLUSH) != Z_OK || s->out.avail_in > 0 || s->out.avail_out == 0)
    return -1;
  return (ssize_t)(cap - s->out.avail_out);
}

/* ---- frames in ---- */

static int parse_control(tug_spdy *s, const uint8_t *p, size_t len, tug_spdy_frame *f) {
  switch (f->type) {
  case TUG_SPDY_SYN_STREAM:
    if (len < 10)
      return -1;
    f->stream = get32(p) & 0x7fffffff;
    return parse_block(s, p + 10, len - 10, f);
  case TUG_SPDY_SYN_REPLY:
  case TUG_SPDY_HEADERS:
    if (len < 4)
      return -1;
    f->stream = get32(p) & 0x7fffffff;
    return parse_block(s, p + 4, len - 4, f);
  case TUG_SPDY_RST_STREAM:
  case TUG_SPDY_GOAWAY:
  case TUG_SPDY_WINDOW_UPDATE:
    if (len < 8)
      return -1;
    f->stream = get32(p) & 0x7fffffff;
    f->status = get32(p + 4);
    return 0;
  case TUG_SPDY_PING:
    if (len < 4)
      return -1;
    f->stream = get32(p);
    return 0;
  default:
    return 0; /* SETTINGS, and types a peer may add: skipped whole */
  }
}

ssize_t tug_spdy_parse(tug_spdy *s, const uint8_t *buf, size_t len, tug_spdy_frame *f) {
  if (len < TUG_SPDY_HEAD)
    return 0;
  size_t plen = (size_t)buf[5] << 16 | (size_t)buf[6] << 8 | buf[7];
  if (plen > TUG_SPDY_MAX_FRAME)
    return -1;
  if (len < TUG_SPDY_HEAD + plen)
    return 0;
  *f = (tug_spdy_frame){.control = (buf[0] & 0x80) != 0, .flags = buf[4]};
  const uint8_t *p = buf + TUG_SPDY_HEAD;
  if (f->control) {
    if (((buf[0] & 0x7f) << 8 | buf[1]) != VERSION)
      return -1;
    f->type = (uint16_t)(buf[2] << 8 | buf[3]);
    if (parse_control(s, p, plen, f) < 0)
      return -1;
  } else {
    f->stream = get32(buf) & 0x7fffffff;
    f->data = p;
    f->len = plen;
  }
  return (ssize_t)(TUG_SPDY_HEAD + plen);
}

int tug_spdy_feed(tug_spdy *s, const uint8_t *data, size_t len, tug_spdy_on_frame on_frame,
                  void *arg) {
  if (s->broken)
    return -1;
  if (len == 0)
    return 0; /* realloc(buf, 0) would free it */
  uint8_t *b = s->buf_len + len <= TUG_SPDY_MAX_FRAME + 2 * TUG_SPDY_HEAD
                   ? realloc(s->buf, s->buf_len + len)
                   : NULL;
  if (b == NULL)
    return s->broken = true, -1;
  s->buf = b;
  memcpy(s->buf + s->buf_len, data, len);
  s->buf_len += len;
  size_t off = 0;
  tug_spdy_frame f;
  ssize_t n;
  while ((n = tug_spdy_parse(s, s->buf + off, s->buf_len - off, &f)) > 0) {
    on_frame(arg, &f);
    off += (size_t)n;
  }
  memmove(s->buf, s->buf + off, s->buf_len - off);
  s->buf_len -= off;
  if (n < 0)
    return s->broken = true, -1;
  return 0;
}

const char *tug_spdy_header(const tug_spdy_frame *f, const char *name) {
  for (size_t i = 0; i < f->n_headers; i++)
    if (strcmp(f->names[i], name) == 0)
      return f->values[i];
  return NULL;
}

/* ---- frames out ---- */

static void control_head(uint16_t type, uint8_t flags, size_t len, uint8_t *out) {
  out[0] = 0x80, out[1] = VERSION;
  out[2] = (uint8_t)(type >> 8), out[3] = (uint8_t)type;
  put32(out + 4, (uint32_t)len);
  out[4] = flags;
}

static ssize_t with_block(tug_spdy *s, uint16_t type, uint32_t stream, size_t fixed,
                          const char *const *headers, uint8_t *out, size_t cap) {
  if (cap < TUG_SPDY_HEAD + fixed)
    return -1;
  memset(out + TUG_SPDY_HEAD, 0, fixed);
  put32(out + TUG_SPDY_HEAD, stream & 0x7fffffff);
  ssize_t n = deflate_block(s, headers, out + TUG_SPDY_HEAD + fixed, cap - TUG_SPDY_HEAD - fixed);
  if (n < 0)
    return -1;
  control_head(type, 0, fixed + (size_t)n, out);
  return (ssize_t)(TUG_SPDY_HEAD + fixed) + n;
}

ssize_t tug_spdy_syn_stream(tug_spdy *s, uint32_t stream, const char *const *headers, uint8_t *out,
                            size_t cap) {
  return with_block(s, TUG_SPDY_SYN_STREAM, stream, 10, headers, out, cap);
}

ssize_t tug_spdy_syn_reply(tug_spdy *s, uint32_t stream, const char *const *headers, uint8_t *out,
                           size_t cap) {
  return with_block(s, TUG_SPDY_SYN_REPLY, stream, 4, headers, out, cap);
}

static ssize_t two_words(uint16_t type, uint32_t a, uint32_t b, size_t words, uint8_t *out,
                         size_t cap) {
  if (cap < TUG_SPDY_HEAD + 4 * words)
    return -1;
  control_head(type, 0, 4 * words, out);
  put32(out + TUG_SPDY_HEAD, a);
  if (words == 2)
    put32(out + TUG_SPDY_HEAD + 4, b);
  return (ssize_t)(TUG_SPDY_HEAD + 4 * words);
}

ssize_t tug_spdy_rst_stream(uint32_t stream, uint32_t status, uint8_t *out, size_t cap) {
  return two_words(TUG_SPDY_RST_STREAM, stream & 0x7fffffff, status, 2, out, cap);
}

ssize_t tug_spdy_ping(uint32_t id, uint8_t *out, size_t cap) {
  return two_words(TUG_SPDY_PING, id, 0, 1, out, cap);
}

ssize_t tug_spdy_goaway(uint32_t last_stream, uint32_t status, uint8_t *out, size_t cap) {
  return two_words(TUG_SPDY_GOAWAY, last_stream & 0x7fffffff, status, 2, out, cap);
}

void tug_spdy_data_head(uint32_t stream, uint8_t flags, size_t len, uint8_t out[TUG_SPDY_HEAD]) {
  put32(out, stream & 0x7fffffff);
  put32(out + 4, (uint32_t)len);
  out[4] = flags;
}

uint8_t *tug_spdy_data(uint32_t stream, uint8_t flags, const void *data, size_t len,
                       size_t *frame_len) {
  uint8_t *b = malloc(TUG_SPDY_HEAD + len);
  if (b == NULL)
    return NULL;
  tug_spdy_data_head(stream, flags, len, b);
  if (len)
    memcpy(b + TUG_SPDY_HEAD, data, len);
  *frame_len = TUG_SPDY_HEAD + len;
  return b;
}
