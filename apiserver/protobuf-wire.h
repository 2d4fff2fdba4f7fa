/*
 * protobuf-wire.h — protobuf's wire format, read and written by hand: varints,
 * fixed 64-bit values and length-delimited fields.
 *
 * protobuf.c walks Kubernetes' messages from their schema (schema.h) rather
 * than from compiled .proto descriptors, so it needs only these primitives.
 * A reader never reads past its end: every length is checked against what is
 * left, so truncated or hostile input fails cleanly.
 */
#ifndef TUG_APISERVER_PROTOBUF_WIRE_H
#define TUG_APISERVER_PROTOBUF_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
  PB_VARINT = 0,
  PB_FIXED64 = 1,
  PB_LEN = 2,
  PB_FIXED32 = 5,
};

typedef struct pb_reader {
  const uint8_t *p, *end;
} pb_reader;

/* One field as read: its number, wire type and value (len/data for PB_LEN). */
typedef struct pb_item {
  uint32_t number;
  int wire;
  uint64_t u; /* PB_VARINT, PB_FIXED64, PB_FIXED32 */
  const uint8_t *data;
  size_t len; /* PB_LEN */
} pb_item;

static inline pb_reader pb_reader_of(const void *data, size_t len) {
  return (pb_reader){data, (const uint8_t *)data + len};
}
static inline bool pb_done(const pb_reader *r) {
  return r->p >= r->end;
}

/* The next field; false at a malformed one (bad tag, truncated, group wire types). */
bool pb_next(pb_reader *r, pb_item *it);
bool pb_read_varint(pb_reader *r, uint64_t *v);

/* A growable output buffer; on allocation failure it stops growing and sets failed. */
typedef struct pb_buf {
  uint8_t *data;
  size_t len, cap;
  bool failed;
} pb_buf;

void pb_put_raw(pb_buf *b, const void *data, size_t len);
void pb_put_varint(pb_buf *b, uint64_t v);
void pb_put_tag(pb_buf *b, uint32_t number, int wire);
void pb_put_bytes(pb_buf *b, uint32_t number, const void *data, size_t len);
void pb_put_fixed64(pb_buf *b, uint32_t number, uint64_t v);
/* A nested message: begin returns where its body starts; end prefixes it with
 * its tag and length (moving the body up by their size). */
size_t pb_begin(pb_buf *b);
void pb_end(pb_buf *b, size_t start, uint32_t number);

#endif
