/*
 * protobuf.c — protobuf bodies, answers and watch frames (see protobuf.h):
 * the runtime.Unknown envelope around one message, and the negotiation.
 * The messages themselves are walked from their schema by
 * protobuf-decode.c and protobuf-encode.c.
 */
#include "protobuf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protobuf-internal.h"

static const char magic[4] = {'k', '8', 's', '\0'};

/* runtime.Unknown's fields. */
enum { UNKNOWN_TYPE_META = 1, UNKNOWN_RAW = 2, UNKNOWN_ENCODING = 3, UNKNOWN_CONTENT_TYPE = 4 };

typedef struct envelope {
  json_t *api_version, *kind; /* strings, owned */
  const uint8_t *raw;
  size_t raw_len;
  bool other_encoding;
} envelope;

static bool read_type_meta(pb_ctx *c, const pb_item *it, envelope *e) {
  pb_reader r = pb_reader_of(it->data, it->len);
  pb_item f;
  while (!pb_done(&r)) {
    if (!pb_next(&r, &f) || f.wire != PB_LEN || f.number > 2) {
      pb_fail(c, "the envelope's typeMeta is malformed");
      return false;
    }
    json_t **dst = f.number == 1 ? &e->api_version : &e->kind;
    json_decref(*dst);
    *dst = json_stringn((const char *)f.data, f.len);
    if (*dst == NULL) {
      pb_fail(c, "the envelope's typeMeta is not valid UTF-8");
      return false;
    }
  }
  return true;
}

static bool read_envelope(pb_ctx *c, const uint8_t *data, size_t len, envelope *e) {
  pb_reader r = pb_reader_of(data + sizeof magic, len - sizeof magic);
  pb_item it;
  while (!pb_done(&r)) {
    if (!pb_next(&r, &it) || it.wire != PB_LEN || it.number > UNKNOWN_CONTENT_TYPE) {
      pb_fail(c, "the body is not a valid protobuf envelope (runtime.Unknown)");
      return false;
    }
    if (it.number == UNKNOWN_TYPE_META && !read_type_meta(c, &it, e))
      return false;
    if (it.number == UNKNOWN_RAW)
      e->raw = it.data, e->raw_len = it.len;
    /* Kubernetes writes neither; a client that sets them means something we do not decode. */
    if (it.number == UNKNOWN_ENCODING && it.len > 0)
      e->other_encoding = true;
    if (it.number == UNKNOWN_CONTENT_TYPE && it.len > 0 &&
        !(it.len == strlen(API_PROTOBUF_TYPE) && memcmp(it.data, API_PROTOBUF_TYPE, it.len) == 0))
      e->other_encoding = true;
  }
  return true;
}

json_t *pb_decode_envelope(pb_ctx *c, const uint8_t *data, size_t len, bool *unsupported) {
  *unsupported = false;
  if (len < sizeof magic || memcmp(data, magic, sizeof magic) != 0) {
    pb_fail(c, "the body does not start with the protobuf magic bytes \"k8s\\0\"");
    return NULL;
  }
  envelope e = {0};
  json_t *obj = NULL;
  if (read_envelope(c, data, len, &e)) {
    const char *av = json_string_value(e.api_version), *kind = json_string_value(e.kind);
    const api_message *m = api_schema_find(av, kind);
    if (e.other_encoding || m == NULL) {
      *unsupported = true;
      pb_fail(c,
              e.other_encoding ? "the envelope's content encoding or type is not supported"
                               : "%.64s %.64s has no protobuf schema here: send JSON",
              av ? av : "(no apiVersion)", kind ? kind : "(no kind)");
    } else {
      obj = json_pack("{s:O, s:O}", "apiVersion", e.api_version, "kind", e.kind);
      if (!pb_decode_message(c, m, e.raw, e.raw_len, obj))
        json_decref(obj), obj = NULL;
    }
  }
  json_decref(e.api_version);
  json_decref(e.kind);
  return obj;
}

json_t *api_protobuf_decode(const void *body, size_t len, api_protobuf_error *error, char *why,
                            size_t why_size) {
  pb_ctx c = {.why = why, .why_size = why_size};
  bool unsupported;
  json_t *obj = pb_decode_envelope(&c, body, len, &unsupported);
  *error = obj ? API_PROTOBUF_OK : unsupported ? API_PROTOBUF_UNSUPPORTED : API_PROTOBUF_MALFORMED;
  return obj;
}

bool api_protobuf_accepted(const char *accept) {
  if (accept == NULL)
    return false;
  while (isspace((unsigned char)*accept))
    accept++;
  size_t n = strlen(API_PROTOBUF_TYPE);
  return strncasecmp(accept, API_PROTOBUF_TYPE, n) == 0 &&
         (accept[n] == '\0' || accept[n] == ';' || accept[n] == ',' || accept[n] == ' ');
}

/* The envelope's head: magic, then typeMeta; raw follows as field 2. */
static void put_envelope_head(pb_buf *b, const char *api_version, const char *kind) {
  pb_put_raw(b, magic, sizeof magic);
  size_t start = pb_begin(b);
  pb_put_bytes(b, 1, api_version, strlen(api_version));
  pb_put_bytes(b, 2, kind, strlen(kind));
  pb_end(b, start, UNKNOWN_TYPE_META);
}

/* "k8s\0" + runtime.Unknown{typeMeta{apiVersion, kind}, raw} around m's encoding of obj. */
static bool pb_encode_envelope(pb_ctx *c, const api_message *m, const char *api_version,
                               const char *kind, const json_t *obj, pb_buf *b) {
  put_envelope_head(b, api_version, kind);
  size_t start = pb_begin(b);
  bool ok = pb_encode_message(c, m, obj, b);
  pb_end(b, start, UNKNOWN_RAW);
  return ok && !b->failed;
}

static const api_message *schema_of(pb_ctx *c, const char *api_version, const char *kind) {
  const api_message *m = api_schema_find(api_version, kind);
  if (m == NULL)
    pb_fail(c, "%.64s %.64s has no protobuf schema", api_version ? api_version : "(none)",
            kind ? kind : "(none)");
  return m;
}

static uint8_t *finish(pb_buf *b, bool ok, size_t *len) {
  if (!ok || b->failed) {
    free(b->data);
    return NULL;
  }
  *len = b->len;
  return b->data;
}

/* obj's schema, from its apiVersion and kind. */
static const api_message *schema_of_object(pb_ctx *c, const json_t *obj, const char **av,
                                           const char **kind) {
  *av = json_string_value(json_object_get(obj, "apiVersion"));
  *kind = json_string_value(json_object_get(obj, "kind"));
  return schema_of(c, *av, *kind);
}

uint8_t *api_protobuf_encode(const json_t *obj, size_t *len, char *why, size_t why_size) {
  pb_ctx c = {.why = why, .why_size = why_size};
  const char *av, *kind;
  const api_message *m = schema_of_object(&c, obj, &av, &kind);
  pb_buf b = {0};
  return finish(&b, m && pb_encode_envelope(&c, m, av, kind, obj, &b), len);
}

uint8_t *api_protobuf_encode_message(const json_t *obj, size_t *len, char *why, size_t why_size) {
  pb_ctx c = {.why = why, .why_size = why_size};
  const char *av, *kind;
  const api_message *m = schema_of_object(&c, obj, &av, &kind);
  pb_buf b = {0};
  return finish(&b, m && pb_encode_message(&c, m, obj, &b), len);
}

uint8_t *api_protobuf_wrap(const char *api_version, const char *kind, api_protobuf_raw raw,
                           size_t *len) {
  pb_buf b = {0};
  put_envelope_head(&b, api_version, kind);
  pb_put_bytes(&b, UNKNOWN_RAW, raw.data, raw.len);
  return finish(&b, true, len);
}

uint8_t *api_protobuf_encode_list(const char *api_version, const char *list_kind,
                                  const json_t *meta, const api_protobuf_raw *items, size_t n,
                                  size_t *len, char *why, size_t why_size) {
  pb_ctx c = {.why = why, .why_size = why_size};
  const api_message *m = schema_of(&c, api_version, list_kind);
  if (m && api_schema_list_item(m) == NULL)
    pb_fail(&c, "%s is not a list kind", list_kind);
  if (c.failed)
    return NULL;
  const api_field *meta_field = api_schema_field(m, "metadata");
  const api_field *items_field = api_schema_field(m, "items");
  pb_buf b = {0};
  put_envelope_head(&b, api_version, list_kind);
  size_t raw = pb_begin(&b), start = pb_begin(&b);
  bool ok = pb_encode_message(&c, meta_field->message, meta, &b);
  pb_end(&b, start, meta_field->number);
  for (size_t i = 0; i < n; i++)
    pb_put_bytes(&b, items_field->number, items[i].data, items[i].len);
  pb_end(&b, raw, UNKNOWN_RAW);
  return finish(&b, ok, len);
}

/* metav1.WatchEvent's fields; RawExtension's raw is 1. */
enum { WATCH_TYPE = 1, WATCH_OBJECT = 2, RAW_EXTENSION_RAW = 1 };

uint8_t *api_protobuf_watch_frame(const char *type, const char *api_version, const char *kind,
                                  api_protobuf_raw raw, size_t *len) {
  pb_buf b = {0};
  pb_put_raw(&b, "\0\0\0\0", 4); /* the frame's length, set below */
  pb_put_bytes(&b, WATCH_TYPE, type, strlen(type));
  size_t object = pb_begin(&b), ext = pb_begin(&b);
  put_envelope_head(&b, api_version, kind);
  pb_put_bytes(&b, UNKNOWN_RAW, raw.data, raw.len);
  pb_end(&b, ext, RAW_EXTENSION_RAW);
  pb_end(&b, object, WATCH_OBJECT);
  uint8_t *frame = finish(&b, true, len);
  if (frame) {
    uint32_t n = (uint32_t)(*len - 4);
    frame[0] = (uint8_t)(n >> 24), frame[1] = (uint8_t)(n >> 16);
    frame[2] = (uint8_t)(n >> 8), frame[3] = (uint8_t)n;
  }
  return frame;
}
