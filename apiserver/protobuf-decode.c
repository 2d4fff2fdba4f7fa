/*
 * protobuf-decode.c — a Kubernetes protobuf message turned into the JSON the
 * same object has, field by field from its schema (schema.h).
 *
 * Go's protobuf encoder writes every field that is not a pointer, zero or
 * not, where its JSON encoder leaves out the zero values of omitempty fields.
 * So a zero scalar of an omitempty field is dropped here, and a zero Time
 * (an empty message) always: the result is the JSON the client would have
 * sent. A pointer field's zero (replicas: 0) is a value and kept.
 *
 * A field the schema does not know is an error, as in strict JSON decoding:
 * nothing a client sent is dropped silently.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base64.h"
#include "protobuf-internal.h"

void pb_fail(pb_ctx *c, const char *fmt, ...) {
  if (c->failed)
    return;
  c->failed = true;
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  const char *path = c->path + (c->path[0] == '.');
  size_t n = strlen(path);
  if (n > 120) /* keep the message in view: the end of the path says most */
    snprintf(c->why, c->why_size, "...%s: %s", path + n - 120, msg);
  else if (n)
    snprintf(c->why, c->why_size, "%s: %s", path, msg);
  else
    snprintf(c->why, c->why_size, "%s", msg);
}

size_t pb_enter(pb_ctx *c, const char *fmt, ...) {
  size_t mark = c->path_len;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(c->path + mark, sizeof c->path - mark, fmt, ap);
  va_end(ap);
  c->path_len = n < 0 || (size_t)n >= sizeof c->path - mark ? mark : mark + (size_t)n;
  c->path[c->path_len] = '\0';
  return mark;
}

static const char *wire_name(int wire) {
  static const char *const names[] = {"varint", "64-bit", "length-delimited", "group",
                                      "group",  "32-bit", "invalid",          "invalid"};
  return names[wire & 7];
}

/* The wire type a value of type t has (packed repeated numbers aside). */
static int wire_of(api_schema_type t) {
  switch (t) {
  case API_SCHEMA_BOOL:
  case API_SCHEMA_INT32:
  case API_SCHEMA_INT64:
    return PB_VARINT;
  case API_SCHEMA_DOUBLE:
    return PB_FIXED64;
  default:
    return PB_LEN;
  }
}

static json_t *text(pb_ctx *c, const uint8_t *data, size_t len) {
  json_t *s = json_stringn((const char *)data, len);
  if (s == NULL)
    pb_fail(c, "text is not valid UTF-8");
  return s;
}

/* Go's time.Time as Kubernetes writes it in JSON: UTC, seconds or microseconds. */
static json_t *time_text(pb_ctx *c, int64_t seconds, int32_t nanos, bool micro) {
  time_t t = (time_t)seconds;
  struct tm tm;
  if (seconds < -62135596800LL || seconds > 253402300799LL || nanos < 0 || nanos > 999999999 ||
      gmtime_r(&t, &tm) == NULL) {
    pb_fail(c, "time %lld.%09d is out of range", (long long)seconds, (int)nanos);
    return NULL;
  }
  char buf[48];
  size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  if (micro)
    snprintf(buf + n, sizeof buf - n, ".%06dZ", nanos / 1000);
  else
    snprintf(buf + n, sizeof buf - n, "Z");
  return json_string(buf);
}

static json_t *decode_time(pb_ctx *c, const uint8_t *data, size_t len, bool micro) {
  int64_t seconds = 0;
  int32_t nanos = 0;
  pb_reader r = pb_reader_of(data, len);
  pb_item it;
  while (!pb_done(&r)) {
    if (!pb_next(&r, &it) || it.wire != PB_VARINT) {
      pb_fail(c, "malformed time");
      return NULL;
    }
    if (it.number == 1)
      seconds = (int64_t)it.u;
    else if (it.number == 2)
      nanos = (int32_t)it.u;
  }
  return time_text(c, seconds, micro ? nanos : 0, micro);
}

/* Go's Duration.String(): "1h2m3.5s", "1.5ms", "0s". */
static json_t *duration_text(int64_t ns) {
  char buf[64], *p = buf;
  uint64_t u = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
  if (ns < 0)
    *p++ = '-';
  if (u < 1000000000ULL) {
    static const char *const units[] = {"ns", "µs", "ms"};
    int i = u < 1000 ? 0 : u < 1000000 ? 1 : 2;
    uint64_t scale = i == 0 ? 1 : i == 1 ? 1000 : 1000000;
    snprintf(p, sizeof buf - 1, "%.*g%s", 9, (double)u / (double)scale, u ? units[i] : "s");
    return json_string(buf);
  }
  uint64_t s = u / 1000000000ULL, frac = u % 1000000000ULL;
  if (s >= 3600)
    p += sprintf(p, "%lluh", (unsigned long long)(s / 3600));
  if (s >= 60)
    p += sprintf(p, "%llum", (unsigned long long)(s / 60 % 60));
  p += sprintf(p, "%llu", (unsigned long long)(s % 60));
  if (frac) {
    p += sprintf(p, ".%09llu", (unsigned long long)frac);
    while (p[-1] == '0')
      *--p = '\0';
  }
  strcpy(p, "s");
  return json_string(buf);
}

/* The fields of a small helper message (Quantity, IntOrString, Duration, raw JSON). */
typedef struct small_fields {
  uint64_t u[4];
  const uint8_t *data[4];
  size_t len[4];
  bool seen[4];
} small_fields;

static bool read_small(pb_ctx *c, const uint8_t *data, size_t len, small_fields *f,
                       const char *what) {
  memset(f, 0, sizeof *f);
  pb_reader r = pb_reader_of(data, len);
  pb_item it;
  while (!pb_done(&r)) {
    if (!pb_next(&r, &it) || it.number > 3) {
      pb_fail(c, "malformed %s", what);
      return false;
    }
    f->seen[it.number] = true;
    f->u[it.number] = it.u;
    f->data[it.number] = it.data;
    f->len[it.number] = it.wire == PB_LEN ? it.len : 0;
  }
  return true;
}

static json_t *decode_json_raw(pb_ctx *c, const uint8_t *data, size_t len) {
  if (len == 0)
    return json_object();
  if (len >= 4 && memcmp(data, "k8s", 4) == 0) {
    bool unsupported;
    return pb_decode_envelope(c, data, len, &unsupported);
  }
  json_t *v = json_loadb((const char *)data, len, JSON_DECODE_ANY, NULL);
  if (v == NULL)
    pb_fail(c, "embedded JSON is not valid");
  return v;
}

/* A value of type t in a length-delimited field: text, bytes or a message. */
static json_t *decode_len(pb_ctx *c, const api_field *f, const uint8_t *data, size_t len) {
  small_fields s;
  switch (f->type) {
  case API_SCHEMA_STRING:
    return text(c, data, len);
  case API_SCHEMA_BYTES: {
    char *b64 = tug_base64_encode(data, len);
    json_t *v = b64 ? json_string(b64) : NULL;
    free(b64);
    return v;
  }
  case API_SCHEMA_MESSAGE: {
    json_t *obj = json_object();
    pb_decode_message(c, f->message, data, len, obj);
    return obj;
  }
  case API_SCHEMA_QUANTITY:
    if (!read_small(c, data, len, &s, "quantity"))
      return NULL;
    return s.seen[1] ? text(c, s.data[1], s.len[1]) : json_string("0");
  case API_SCHEMA_INT_OR_STRING:
    if (!read_small(c, data, len, &s, "int-or-string"))
      return NULL;
    if (s.u[1] == 1)
      return s.seen[3] ? text(c, s.data[3], s.len[3]) : json_string("");
    return json_integer((int32_t)s.u[2]);
  case API_SCHEMA_TIME:
  case API_SCHEMA_MICROTIME:
    return len == 0 ? json_null() : decode_time(c, data, len, f->type == API_SCHEMA_MICROTIME);
  case API_SCHEMA_DURATION:
    if (!read_small(c, data, len, &s, "duration"))
      return NULL;
    return duration_text((int64_t)s.u[1]);
  case API_SCHEMA_JSON:
    if (!read_small(c, data, len, &s, "raw JSON"))
      return NULL;
    return decode_json_raw(c, s.data[1], s.len[1]);
  default:
    return NULL;
  }
}

static json_t *decode_number(pb_ctx *c, api_schema_type t, uint64_t u) {
  switch (t) {
  case API_SCHEMA_BOOL:
    return json_boolean(u != 0);
  case API_SCHEMA_INT32:
    return json_integer((int32_t)(uint32_t)u);
  case API_SCHEMA_INT64:
    return json_integer((json_int_t)u);
  default: {
    double d;
    memcpy(&d, &u, sizeof d);
    if (!isfinite(d)) {
      pb_fail(c, "number is not finite");
      return NULL;
    }
    return json_real(d);
  }
  }
}

/* A zero that Go's JSON would have left out: dropped from the result. */
static bool omitted(const api_field *f, const json_t *v) {
  if (json_is_null(v))
    return true;
  if (!(f->flags & API_FIELD_OMITEMPTY) || f->shape != API_SCHEMA_SCALAR)
    return false;
  switch (f->type) {
  case API_SCHEMA_STRING:
  case API_SCHEMA_BYTES:
  case API_SCHEMA_INT_OR_STRING:
    return (json_is_string(v) && json_string_length(v) == 0) ||
           (json_is_integer(v) && json_integer_value(v) == 0);
  case API_SCHEMA_BOOL:
  case API_SCHEMA_INT32:
  case API_SCHEMA_INT64:
  case API_SCHEMA_DOUBLE:
    return json_is_false(v) || (json_is_number(v) && json_number_value(v) == 0);
  default:
    return false;
  }
}

/* A map<string, V> entry: {key = 1, value = 2}. */
static void decode_entry(pb_ctx *c, const api_field *f, const pb_item *it, json_t *map) {
  pb_reader r = pb_reader_of(it->data, it->len);
  pb_item e;
  json_t *key = NULL, *value = NULL;
  while (!c->failed && !pb_done(&r)) {
    if (!pb_next(&r, &e)) {
      pb_fail(c, "malformed map entry");
    } else if (e.number == 1 && e.wire == PB_LEN) {
      json_decref(key);
      key = text(c, e.data, e.len);
    } else if (e.number == 2 && e.wire == wire_of(f->type)) {
      json_decref(value);
      value = e.wire == PB_LEN ? decode_len(c, f, e.data, e.len) : decode_number(c, f->type, e.u);
    } else {
      pb_fail(c, "map entry field %u (%s) is not a key or value", e.number, wire_name(e.wire));
    }
  }
  if (!c->failed && value == NULL)
    value = decode_len(c, f, (const uint8_t *)"", 0); /* absent: the zero value */
  if (!c->failed && value != NULL)
    json_object_set_new(map, key ? json_string_value(key) : "", value);
  else
    json_decref(value);
  json_decref(key);
}

static void append_packed(pb_ctx *c, const api_field *f, const pb_item *it, json_t *list) {
  pb_reader r = pb_reader_of(it->data, it->len);
  while (!c->failed && !pb_done(&r)) {
    uint64_t u;
    bool ok = f->type == API_SCHEMA_DOUBLE
                  ? (size_t)(r.end - r.p) >= 8 && (memcpy(&u, r.p, 8), r.p += 8, true)
                  : pb_read_varint(&r, &u);
    if (!ok)
      pb_fail(c, "malformed packed list");
    else
      json_array_append_new(list, decode_number(c, f->type, u));
  }
}

/* The container (list or map) of field f in into, made on first use. */
static json_t *container(json_t *into, const api_field *f) {
  json_t *v = json_object_get(into, f->name);
  bool list = f->shape == API_SCHEMA_LIST;
  if (list ? !json_is_array(v) : !json_is_object(v)) {
    v = list ? json_array() : json_object();
    json_object_set_new(into, f->name, v);
  }
  return v;
}

static void decode_field(pb_ctx *c, const api_field *f, const pb_item *it, json_t *into) {
  int want = wire_of(f->type);
  bool packed = f->shape == API_SCHEMA_LIST && want != PB_LEN && it->wire == PB_LEN;
  bool map = f->shape == API_SCHEMA_MAP;
  if (!packed && it->wire != (map ? PB_LEN : want)) {
    pb_fail(c, "field %u is %s, not %s", it->number, wire_name(it->wire),
            wire_name(map ? PB_LEN : want));
    return;
  }
  if (f->flags & API_FIELD_INLINE) {
    pb_decode_message(c, f->message, it->data, it->len, into);
    return;
  }
  if (map) {
    decode_entry(c, f, it, container(into, f));
    return;
  }
  if (packed) {
    append_packed(c, f, it, container(into, f));
    return;
  }
  json_t *old = json_object_get(into, f->name);
  if (f->shape == API_SCHEMA_SCALAR && f->type == API_SCHEMA_MESSAGE && json_is_object(old)) {
    pb_decode_message(c, f->message, it->data, it->len, old); /* protobuf merges repeats */
    return;
  }
  size_t mark = f->shape == API_SCHEMA_LIST
                    ? pb_enter(c, "[%zu]", json_array_size(container(into, f)))
                    : c->path_len;
  json_t *v =
      it->wire == PB_LEN ? decode_len(c, f, it->data, it->len) : decode_number(c, f->type, it->u);
  pb_leave(c, mark);
  if (v == NULL)
    return;
  if (f->shape == API_SCHEMA_LIST)
    json_array_append_new(container(into, f), v);
  else if (omitted(f, v))
    json_decref(v), json_object_del(into, f->name);
  else
    json_object_set_new(into, f->name, v);
}

bool pb_decode_message(pb_ctx *c, const api_message *m, const uint8_t *data, size_t len,
                       json_t *into) {
  if (++c->depth > PB_MAX_DEPTH)
    pb_fail(c, "messages nest deeper than %d", PB_MAX_DEPTH);
  pb_reader r = pb_reader_of(data, len);
  pb_item it;
  while (!c->failed && !pb_done(&r)) {
    if (!pb_next(&r, &it)) {
      pb_fail(c, "malformed or truncated protobuf in %s", m->name);
      break;
    }
    const api_field *f = api_schema_field_by_number(m, it.number);
    if (f == NULL) {
      pb_fail(c, "protobuf field %u is not in the schema of %s", it.number, m->name);
      break;
    }
    size_t mark = pb_enter(c, f->flags & API_FIELD_INLINE ? "" : ".%s", f->name);
    decode_field(c, f, &it, into);
    pb_leave(c, mark);
  }
  c->depth--;
  return !c->failed;
}
