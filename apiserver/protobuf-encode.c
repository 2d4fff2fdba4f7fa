/*
 * protobuf-encode.c — a JSON object turned into its Kubernetes protobuf
 * message, field by field from its schema (schema.h).
 *
 * Fields the schema does not name (apiVersion and kind, which travel in the
 * envelope; anything unknown a JSON client stored) are not encoded, as
 * Kubernetes' own encoder has no place for them. A value of the wrong JSON
 * type fails the whole encoding: the caller answers in JSON instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base64.h"
#include "protobuf-internal.h"

static bool encode_string(pb_buf *b, uint32_t number, const char *s) {
  pb_put_bytes(b, number, s, strlen(s));
  return true;
}

/* RFC 3339 ("2024-05-01T10:00:00Z", fraction and offset optional) as seconds and nanos. */
static bool parse_time(const char *s, int64_t *seconds, int32_t *nanos) {
  struct tm tm = {0};
  int n = 0;
  if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
             &tm.tm_min, &tm.tm_sec, &n) != 6 ||
      n != 19)
    return false;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  const char *p = s + n;
  int64_t frac = 0, digits = 0;
  if (*p == '.')
    for (p++; *p >= '0' && *p <= '9'; p++, digits++)
      if (digits < 9)
        frac = frac * 10 + (*p - '0');
  for (; digits < 9; digits++)
    frac *= 10;
  int offset = 0, oh, om;
  if ((*p == '+' || *p == '-') && sscanf(p + 1, "%2d:%2d", &oh, &om) == 2 && strlen(p) == 6)
    offset = (*p == '-' ? -1 : 1) * (oh * 3600 + om * 60);
  else if (strcmp(p, "Z") != 0)
    return false;
  *seconds = (int64_t)timegm(&tm) - offset;
  *nanos = (int32_t)frac;
  return true;
}

/* Go's time.ParseDuration: "1h2m3.5s", "-300ms", "0". */
static bool parse_duration(const char *s, int64_t *ns) {
  static const struct {
    const char *unit;
    double scale;
  } units[] = {{"ns", 1},   {"us", 1e3}, {"µs", 1e3}, {"μs", 1e3},
               {"ms", 1e6}, {"s", 1e9},  {"m", 60e9}, {"h", 3600e9}};
  double total = 0;
  int sign = 1;
  if (*s == '-' || *s == '+')
    sign = *s++ == '-' ? -1 : 1;
  if (strcmp(s, "0") == 0) {
    *ns = 0;
    return true;
  }
  if (*s == '\0')
    return false;
  while (*s) {
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end == '\0')
      return false;
    size_t best = 0;
    double scale = 0;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
      size_t l = strlen(units[i].unit);
      if (strncmp(end, units[i].unit, l) == 0 && l > best)
        best = l, scale = units[i].scale;
    }
    if (best == 0)
      return false;
    total += v * scale;
    s = end + best;
  }
  *ns = (int64_t)(sign * total);
  return true;
}

static bool encode_time(pb_ctx *c, pb_buf *b, uint32_t number, const json_t *v, bool micro) {
  int64_t seconds;
  int32_t nanos;
  if (!json_is_string(v) || !parse_time(json_string_value(v), &seconds, &nanos)) {
    pb_fail(c, "not an RFC 3339 time");
    return false;
  }
  size_t start = pb_begin(b);
  pb_put_tag(b, 1, PB_VARINT);
  pb_put_varint(b, (uint64_t)seconds);
  if (micro && nanos) {
    pb_put_tag(b, 2, PB_VARINT);
    pb_put_varint(b, (uint64_t)(int64_t)nanos);
  }
  pb_end(b, start, number);
  return true;
}

static bool encode_quantity(pb_ctx *c, pb_buf *b, uint32_t number, const json_t *v) {
  char buf[64];
  const char *s = json_string_value(v);
  if (json_is_integer(v))
    snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v)), s = buf;
  else if (json_is_real(v))
    snprintf(buf, sizeof buf, "%.17g", json_real_value(v)), s = buf;
  if (s == NULL) {
    pb_fail(c, "not a quantity");
    return false;
  }
  size_t start = pb_begin(b);
  encode_string(b, 1, s);
  pb_end(b, start, number);
  return true;
}

static bool encode_int_or_string(pb_ctx *c, pb_buf *b, uint32_t number, const json_t *v) {
  if (!json_is_integer(v) && !json_is_string(v)) {
    pb_fail(c, "not an integer or a string");
    return false;
  }
  size_t start = pb_begin(b);
  pb_put_tag(b, 1, PB_VARINT);
  pb_put_varint(b, json_is_string(v));
  pb_put_tag(b, 2, PB_VARINT);
  pb_put_varint(b, (uint64_t)(int64_t)(int32_t)json_integer_value(v));
  encode_string(b, 3, json_is_string(v) ? json_string_value(v) : "");
  pb_end(b, start, number);
  return true;
}

static bool encode_duration(pb_ctx *c, pb_buf *b, uint32_t number, const json_t *v) {
  int64_t ns;
  if (!json_is_string(v) || !parse_duration(json_string_value(v), &ns)) {
    pb_fail(c, "not a duration");
    return false;
  }
  size_t start = pb_begin(b);
  pb_put_tag(b, 1, PB_VARINT);
  pb_put_varint(b, (uint64_t)ns);
  pb_end(b, start, number);
  return true;
}

static bool encode_raw_json(pb_buf *b, uint32_t number, const json_t *v) {
  char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
  if (text == NULL)
    return false;
  size_t start = pb_begin(b);
  encode_string(b, 1, text);
  pb_end(b, start, number);
  free(text);
  return true;
}

static bool encode_bytes(pb_ctx *c, pb_buf *b, uint32_t number, const json_t *v) {
  unsigned char *bytes = NULL;
  size_t len, bad;
  if (!json_is_string(v) ||
      tug_base64_decode(json_string_value(v), json_string_length(v), &bytes, &len, &bad) < 0) {
    pb_fail(c, "not base64");
    return false;
  }
  pb_put_bytes(b, number, bytes, len);
  free(bytes);
  return true;
}

static bool encode_number(pb_ctx *c, const api_field *f, pb_buf *b, uint32_t number,
                          const json_t *v) {
  switch (f->type) {
  case API_SCHEMA_BOOL:
    if (!json_is_boolean(v))
      break;
    pb_put_tag(b, number, PB_VARINT);
    pb_put_varint(b, json_is_true(v));
    return true;
  case API_SCHEMA_INT32:
  case API_SCHEMA_INT64:
    if (!json_is_integer(v))
      break;
    pb_put_tag(b, number, PB_VARINT);
    pb_put_varint(b, f->type == API_SCHEMA_INT32 ? (uint64_t)(int64_t)(int32_t)json_integer_value(v)
                                                 : (uint64_t)json_integer_value(v));
    return true;
  default: { /* DOUBLE */
    if (!json_is_number(v))
      break;
    double d = json_number_value(v);
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    pb_put_fixed64(b, number, u);
    return true;
  }
  }
  pb_fail(c, "not a %s", api_schema_openapi_type(f->type));
  return false;
}

/* One value of field f (a scalar, an element or a map value) as field number. */
static bool encode_value(pb_ctx *c, const api_field *f, pb_buf *b, uint32_t number,
                         const json_t *v) {
  switch (f->type) {
  case API_SCHEMA_STRING:
    if (json_is_string(v))
      return pb_put_bytes(b, number, json_string_value(v), json_string_length(v)), true;
    pb_fail(c, "not a string");
    return false;
  case API_SCHEMA_BYTES:
    return encode_bytes(c, b, number, v);
  case API_SCHEMA_MESSAGE: {
    size_t start = pb_begin(b);
    bool ok = pb_encode_message(c, f->message, v, b);
    pb_end(b, start, number);
    return ok;
  }
  case API_SCHEMA_QUANTITY:
    return encode_quantity(c, b, number, v);
  case API_SCHEMA_INT_OR_STRING:
    return encode_int_or_string(c, b, number, v);
  case API_SCHEMA_TIME:
  case API_SCHEMA_MICROTIME:
    return encode_time(c, b, number, v, f->type == API_SCHEMA_MICROTIME);
  case API_SCHEMA_DURATION:
    return encode_duration(c, b, number, v);
  case API_SCHEMA_JSON:
    return encode_raw_json(b, number, v);
  default:
    return encode_number(c, f, b, number, v);
  }
}

static bool encode_map(pb_ctx *c, const api_field *f, pb_buf *b, const json_t *map) {
  if (!json_is_object(map)) {
    pb_fail(c, "not an object");
    return false;
  }
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)map, key, v) {
    if (json_is_null(v))
      continue;
    size_t start = pb_begin(b), mark = pb_enter(c, "[%s]", key);
    encode_string(b, 1, key);
    bool ok = encode_value(c, f, b, 2, v);
    pb_leave(c, mark);
    pb_end(b, start, f->number);
    if (!ok)
      return false;
  }
  return true;
}

static bool encode_list(pb_ctx *c, const api_field *f, pb_buf *b, const json_t *list) {
  if (!json_is_array(list)) {
    pb_fail(c, "not a list");
    return false;
  }
  size_t i;
  json_t *v;
  json_array_foreach(list, i, v) {
    size_t mark = pb_enter(c, "[%zu]", i);
    bool ok = encode_value(c, f, b, f->number, v);
    pb_leave(c, mark);
    if (!ok)
      return false;
  }
  return true;
}

static bool encode_field(pb_ctx *c, const api_field *f, const json_t *obj, pb_buf *b) {
  if (f->flags & API_FIELD_INLINE) {
    size_t start = pb_begin(b);
    bool ok = pb_encode_message(c, f->message, obj, b);
    pb_end(b, start, f->number);
    return ok;
  }
  const json_t *v = json_object_get(obj, f->name);
  if (v == NULL || json_is_null(v))
    return true;
  size_t mark = pb_enter(c, ".%s", f->name);
  bool ok = f->shape == API_SCHEMA_LIST  ? encode_list(c, f, b, v)
            : f->shape == API_SCHEMA_MAP ? encode_map(c, f, b, v)
                                         : encode_value(c, f, b, f->number, v);
  pb_leave(c, mark);
  return ok;
}

bool pb_encode_message(pb_ctx *c, const api_message *m, const json_t *obj, pb_buf *b) {
  if (!json_is_object(obj)) {
    pb_fail(c, "not an object");
    return false;
  }
  if (++c->depth > PB_MAX_DEPTH) {
    pb_fail(c, "objects nest deeper than %d", PB_MAX_DEPTH);
    return false;
  }
  bool ok = true;
  for (size_t i = 0; ok && i < m->n_fields; i++)
    ok = encode_field(c, &m->fields[i], obj, b);
  c->depth--;
  return ok && !b->failed;
}
