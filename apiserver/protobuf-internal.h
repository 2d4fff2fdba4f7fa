/*
 * protobuf-internal.h — what protobuf.c, protobuf-decode.c and
 * protobuf-encode.c share: one message turned into JSON and back, by its schema.
 */
#ifndef TUG_APISERVER_PROTOBUF_INTERNAL_H
#define TUG_APISERVER_PROTOBUF_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>

#include "protobuf-wire.h"
#include "schema.h"

/* Messages nest at most this deep; Kubernetes' deepest kinds need about 15. */
enum { PB_MAX_DEPTH = 64 };

/* Where a conversion is, for its error message: "spec.containers[0].ports". */
typedef struct pb_ctx {
  char path[512];
  size_t path_len;
  int depth;
  char *why; /* the first failure, when failed */
  size_t why_size;
  bool failed;
} pb_ctx;

void pb_fail(pb_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Enter a field (".name") or an element ("[3]", "[key]") of the path; leave restores it. */
size_t pb_enter(pb_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void pb_leave(pb_ctx *c, size_t mark) {
  c->path_len = mark;
  c->path[mark] = '\0';
}

/* The fields of message m in data, added to into (an object); false on failure. */
bool pb_decode_message(pb_ctx *c, const api_message *m, const uint8_t *data, size_t len,
                       json_t *into);
/* The object obj as message m's fields; false on a value the schema cannot hold. */
bool pb_encode_message(pb_ctx *c, const api_message *m, const json_t *obj, pb_buf *b);

/* What such an envelope holds, as a JSON object with apiVersion and kind; NULL on failure
 * (unsupported set when the kind has no schema or the encoding is not ours). */
json_t *pb_decode_envelope(pb_ctx *c, const uint8_t *data, size_t len, bool *unsupported);

#endif
