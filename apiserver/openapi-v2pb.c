/*
 * openapi-v2pb.c — /openapi/v2 in the protobuf form kubectl asks for
 * (application/com.github.proto-openapi.spec.v2@v1.0+protobuf): the Swagger
 * JSON document re-encoded as gnostic's openapi.v2.Document.
 *
 * kubectl reads this form only to validate on the client what the server
 * cannot be asked about, chiefly a `kind: List` manifest (`kubectl get -o
 * yaml` saved and applied again). The field numbers below are those of
 * gnostic's published OpenAPIv2.proto; only the messages our documents use
 * are written. Vendor extensions (x-kubernetes-*) travel as YAML text, which
 * their JSON is.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "openapi-internal.h"

typedef struct pb {
  uint8_t *p;
  size_t len, cap;
} pb;

enum { WIRE_VARINT = 0, WIRE_BYTES = 2 };

static void put(pb *b, const void *data, size_t n) {
  if (n == 0)
    return;
  if (b->len + n > b->cap) {
    b->cap = (b->len + n) * 2 + 64;
    b->p = realloc(b->p, b->cap);
  }
  memcpy(b->p + b->len, data, n);
  b->len += n;
}

static void varint(pb *b, uint64_t v) {
  uint8_t tmp[10];
  size_t n = 0;
  do {
    tmp[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
    v >>= 7;
  } while (v);
  put(b, tmp, n);
}

static void bytes_field(pb *b, unsigned field, const void *data, size_t n) {
  varint(b, (uint64_t)field << 3 | WIRE_BYTES);
  varint(b, n);
  put(b, data, n);
}

/* Proto3: empty strings and false are not written. */
static void str(pb *b, unsigned field, const char *s) {
  if (s && s[0])
    bytes_field(b, field, s, strlen(s));
}

static void boolean(pb *b, unsigned field, bool v) {
  if (v) {
    varint(b, (uint64_t)field << 3 | WIRE_VARINT);
    varint(b, 1);
  }
}

/* Append sub as message field `field` of b, and free it. */
static void sub(pb *b, unsigned field, pb *s) {
  bytes_field(b, field, s->p, s->len);
  free(s->p);
  *s = (pb){0};
}

static const char *jstr(const json_t *o, const char *key) {
  return json_string_value(json_object_get(o, key));
}

static void strings(pb *b, unsigned field, const json_t *array) {
  size_t i;
  json_t *v;
  json_array_foreach(array, i, v) str(b, field, json_string_value(v));
}

/* Any {yaml = 2}: JSON text is YAML. */
static void any(pb *b, unsigned field, const json_t *v) {
  char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
  pb a = {0};
  str(&a, 2, text);
  sub(b, field, &a);
  free(text);
}

/* Every "x-..." key of o as a NamedAny {name 1, value 2}. */
static void vendor_extensions(pb *b, unsigned field, const json_t *o) {
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)o, key, v) {
    if (strncmp(key, "x-", 2) != 0)
      continue;
    pb named = {0};
    str(&named, 1, key);
    any(&named, 2, v);
    sub(b, field, &named);
  }
}

static void schema(pb *b, unsigned field, const json_t *s);

/* {name: schema} as repeated NamedSchema {name 1, value 2}. */
static void named_schemas(pb *b, unsigned field, const json_t *map) {
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)map, key, v) {
    pb named = {0};
    str(&named, 1, key);
    schema(&named, 2, v);
    sub(b, field, &named);
  }
}

static void schema(pb *b, unsigned field, const json_t *s) {
  pb m = {0}, t = {0};
  str(&m, 1, jstr(s, "$ref"));
  str(&m, 2, jstr(s, "format"));
  str(&m, 4, jstr(s, "description"));
  strings(&m, 19, json_object_get(s, "required"));
  size_t i;
  json_t *v;
  json_array_foreach(json_object_get(s, "enum"), i, v) any(&m, 20, v);
  json_t *ap = json_object_get(s, "additionalProperties");
  if (json_is_object(ap)) {
    pb item = {0};
    schema(&item, 1, ap);
    sub(&m, 21, &item);
  }
  if (jstr(s, "type")) {
    str(&t, 1, jstr(s, "type"));
    sub(&m, 22, &t);
  }
  if (json_object_get(s, "items")) {
    pb item = {0};
    schema(&item, 1, json_object_get(s, "items"));
    sub(&m, 23, &item);
  }
  json_array_foreach(json_object_get(s, "allOf"), i, v) schema(&m, 24, v);
  if (json_object_get(s, "properties")) {
    pb props = {0};
    named_schemas(&props, 1, json_object_get(s, "properties"));
    sub(&m, 25, &props);
  }
  vendor_extensions(&m, 31, s);
  sub(b, field, &m);
}

/* ParametersItem {parameter 1: Parameter {body_parameter 1 | non_body_parameter 2:
 * NonBodyParameter {query 3 | path 4}}}. */
static void parameter(pb *b, unsigned field, const json_t *p) {
  const char *in = jstr(p, "in");
  pb s = {0}, param = {0}, item = {0};
  if (strcmp(in, "body") == 0) {
    str(&s, 2, jstr(p, "name"));
    str(&s, 3, in);
    boolean(&s, 4, json_is_true(json_object_get(p, "required")));
    schema(&s, 5, json_object_get(p, "schema"));
    sub(&param, 1, &s);
  } else {
    bool path = strcmp(in, "path") == 0;
    boolean(&s, 1, json_is_true(json_object_get(p, "required")));
    str(&s, 2, in);
    str(&s, 3, jstr(p, "description"));
    str(&s, 4, jstr(p, "name"));
    str(&s, path ? 5 : 6, jstr(p, "type"));
    boolean(&s, path ? 19 : 20, json_is_true(json_object_get(p, "uniqueItems")));
    pb non_body = {0};
    sub(&non_body, path ? 4 : 3, &s);
    sub(&param, 2, &non_body);
  }
  sub(&item, 1, &param);
  sub(b, field, &item);
}

static void parameters(pb *b, unsigned field, const json_t *list) {
  size_t i;
  json_t *p;
  json_array_foreach(list, i, p) parameter(b, field, p);
}

/* Responses {response_code 1: NamedResponseValue {name 1, value 2: ResponseValue
 * {response 1: Response {description 1, schema 2: SchemaItem {schema 1}}}}}. */
static void responses(pb *b, unsigned field, const json_t *rs) {
  pb m = {0};
  const char *code;
  json_t *r;
  json_object_foreach((json_t *)rs, code, r) {
    pb resp = {0}, value = {0}, named = {0};
    str(&resp, 1, jstr(r, "description"));
    if (json_object_get(r, "schema")) {
      pb item = {0};
      schema(&item, 1, json_object_get(r, "schema"));
      sub(&resp, 2, &item);
    }
    sub(&value, 1, &resp);
    str(&named, 1, code);
    sub(&named, 2, &value);
    sub(&m, 1, &named);
  }
  sub(b, field, &m);
}

static void operation(pb *b, unsigned field, const json_t *op) {
  pb m = {0};
  strings(&m, 1, json_object_get(op, "tags"));
  str(&m, 3, jstr(op, "description"));
  str(&m, 5, jstr(op, "operationId"));
  strings(&m, 6, json_object_get(op, "produces"));
  strings(&m, 7, json_object_get(op, "consumes"));
  parameters(&m, 8, json_object_get(op, "parameters"));
  responses(&m, 9, json_object_get(op, "responses"));
  strings(&m, 10, json_object_get(op, "schemes"));
  vendor_extensions(&m, 13, op);
  sub(b, field, &m);
}

/* Paths {path 2: NamedPathItem {name 1, value 2: PathItem}}. */
static void paths(pb *b, unsigned field, const json_t *ps) {
  static const struct {
    const char *method;
    unsigned field;
  } methods[] = {{"get", 2}, {"put", 3}, {"post", 4}, {"delete", 5}, {"patch", 8}};
  pb m = {0};
  const char *path;
  json_t *item;
  json_object_foreach((json_t *)ps, path, item) {
    pb pi = {0}, named = {0};
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
      if (json_object_get(item, methods[i].method))
        operation(&pi, methods[i].field, json_object_get(item, methods[i].method));
    parameters(&pi, 9, json_object_get(item, "parameters"));
    str(&named, 1, path);
    sub(&named, 2, &pi);
    sub(&m, 2, &named);
  }
  sub(b, field, &m);
}

char *api_openapi_v2_protobuf(const json_t *doc, size_t *len) {
  pb d = {0}, info = {0}, defs = {0};
  str(&d, 1, jstr(doc, "swagger"));
  str(&info, 1, jstr(json_object_get(doc, "info"), "title"));
  str(&info, 2, jstr(json_object_get(doc, "info"), "version"));
  sub(&d, 2, &info);
  paths(&d, 8, json_object_get(doc, "paths"));
  named_schemas(&defs, 1, json_object_get(doc, "definitions"));
  sub(&d, 9, &defs);
  *len = d.len;
  return (char *)d.p;
}
