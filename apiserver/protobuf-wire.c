/*
 * protobuf-wire.c — protobuf's wire primitives (see protobuf-wire.h).
 */
#include "protobuf-wire.h"

#include <stdlib.h>
#include <string.h>

bool pb_read_varint(pb_reader *r, uint64_t *v) {
  uint64_t x = 0;
  for (unsigned shift = 0; shift < 64 && r->p < r->end; shift += 7) {
    uint8_t byte = *r->p++;
    x |= (uint64_t)(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *v = x;
      return true;
    }
  }
  return false; /* truncated, or longer than ten bytes */
}

static bool read_fixed(pb_reader *r, size_t n, uint64_t *v) {
  if ((size_t)(r->end - r->p) < n)
    return false;
  uint64_t x = 0;
  for (size_t i = 0; i < n; i++)
    x |= (uint64_t)r->p[i] << (8 * i);
  r->p += n;
  *v = x;
  return true;
}

bool pb_next(pb_reader *r, pb_item *it) {
  uint64_t tag;
  if (!pb_read_varint(r, &tag) || tag >> 3 == 0 || tag >> 3 > UINT32_MAX)
    return false;
  it->number = (uint32_t)(tag >> 3);
  it->wire = (int)(tag & 7);
  switch (it->wire) {
  case PB_VARINT:
    return pb_read_varint(r, &it->u);
  case PB_FIXED64:
    return read_fixed(r, 8, &it->u);
  case PB_FIXED32:
    return read_fixed(r, 4, &it->u);
  case PB_LEN: {
    uint64_t len;
    if (!pb_read_varint(r, &len) || len > (uint64_t)(r->end - r->p))
      return false;
    it->data = r->p;
    it->len = (size_t)len;
    r->p += len;
    return true;
  }
  default: /* groups (3, 4) are not used by Kubernetes; 6 and 7 do not exist */
    return false;
  }
}

static bool reserve(pb_buf *b, size_t n) {
  if (b->failed)
    return false;
  if (b->cap - b->len >= n)
    return true;
  size_t cap = b->cap ? b->cap : 256;
  while (cap - b->len < n)
    cap *= 2;
  uint8_t *d = realloc(b->data, cap);
  if (d == NULL) {
    b->failed = true;
    return false;
  }
  b->data = d;
  b->cap = cap;
  return true;
}

void pb_put_raw(pb_buf *b, const void *data, size_t len) {
  if (len && reserve(b, len)) {
    memcpy(b->data + b->len, data, len);
    b->len += len;
  }
}

static size_t varint_encode(uint64_t v, uint8_t out[10]) {
  size_t n = 0;
  while (v >= 0x80) {
    out[n++] = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  out[n++] = (uint8_t)v;
  return n;
}

void pb_put_varint(pb_buf *b, uint64_t v) {
  uint8_t tmp[10];
  pb_put_raw(b, tmp, varint_encode(v, tmp));
}

void pb_put_tag(pb_buf *b, uint32_t number, int wire) {
  pb_put_varint(b, (uint64_t)number << 3 | (uint64_t)wire);
}

void pb_put_bytes(pb_buf *b, uint32_t number, const void *data, size_t len) {
  pb_put_tag(b, number, PB_LEN);
  pb_put_varint(b, len);
  pb_put_raw(b, data, len);
}

void pb_put_fixed64(pb_buf *b, uint32_t number, uint64_t v) {
  uint8_t le[8];
  for (size_t i = 0; i < 8; i++)
    le[i] = (uint8_t)(v >> (8 * i));
  pb_put_tag(b, number, PB_FIXED64);
  pb_put_raw(b, le, sizeof le);
}

size_t pb_begin(pb_buf *b) {
  return b->len;
}

void pb_end(pb_buf *b, size_t start, uint32_t number) {
  uint8_t head[15];
  size_t n = varint_encode((uint64_t)number << 3 | PB_LEN, head);
  n += varint_encode(b->len - start, head + n);
  if (!reserve(b, n))
    return;
  memmove(b->data + start + n, b->data + start, b->len - start);
  memcpy(b->data + start, head, n);
  b->len += n;
}
