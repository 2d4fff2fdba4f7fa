/*
 * protobuf.c — Kubernetes' protobuf bodies of ConfigMaps and Secrets as JSON
 * (see protobuf.h). The messages come from lib/k8s.proto.
 *
 * A field we do not know in the envelope, the object or its metadata is
 * refused (415), so nothing a client sent is dropped silently: it can still
 * send JSON. Byte values become base64 strings, as in the JSON encoding.
 */
#include "protobuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "k8s.pb-c.h"

static const char magic[4] = {'k', '8', 's', '\0'};

typedef struct decoder {
  api_protobuf_error error;
  char *why;
  size_t why_size;
} decoder;

static void fail(decoder *d, api_protobuf_error error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(decoder *d, api_protobuf_error error, const char *fmt, ...) {
  if (d->error != API_PROTOBUF_OK)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(d->why, d->why_size, fmt, ap);
  va_end(ap);
  d->error = error;
}

static bool known_fields_only(decoder *d, const ProtobufCMessage *m, const char *what) {
  if (m->n_unknown_fields == 0)
    return true;
  fail(d, API_PROTOBUF_UNSUPPORTED, "protobuf field %u of %s is not supported: send JSON",
       m->unknown_fields[0].tag, what);
  return false;
}

/* Sets obj.key to s when s is set; false (malformed) when s is not UTF-8. */
static bool put_str(decoder *d, json_t *obj, const char *key, const char *s) {
  if (s == NULL)
    return true;
  json_t *v = json_string(s);
  if (v == NULL) {
    fail(d, API_PROTOBUF_MALFORMED, "%s is not valid UTF-8", key);
    return false;
  }
  json_object_set_new(obj, key, v);
  return true;
}

/* Sets map[key] (stolen value); a map's key and text must be UTF-8 as in JSON. */
static void put_entry(decoder *d, json_t *map, const char *key, json_t *value, const char *what) {
  if (value == NULL || json_object_set_new(map, key ? key : "", value) < 0)
    fail(d, API_PROTOBUF_MALFORMED, "%s holds text that is not valid UTF-8", what);
}

static json_t *string_map(decoder *d, K8s__StringEntry **entries, size_t n, const char *what) {
  json_t *map = json_object();
  for (size_t i = 0; i < n; i++)
    put_entry(d, map, entries[i]->key, json_string(entries[i]->value ? entries[i]->value : ""),
              what);
  return map;
}

static json_t *bytes_map(decoder *d, K8s__BytesEntry **entries, size_t n, const char *what) {
  json_t *map = json_object();
  for (size_t i = 0; i < n; i++) {
    char *coded = tug_base64_encode(entries[i]->value.data, entries[i]->value.len);
    put_entry(d, map, entries[i]->key, coded ? json_string(coded) : NULL, what);
    free(coded);
  }
  return map;
}

static json_t *owner_reference(decoder *d, const K8s__OwnerReference *o) {
  json_t *ref = json_object();
  known_fields_only(d, &o->base, "an owner reference");
  put_str(d, ref, "apiVersion", o->apiversion);
  put_str(d, ref, "kind", o->kind);
  put_str(d, ref, "name", o->name);
  put_str(d, ref, "uid", o->uid);
  if (o->has_controller)
    json_object_set_new(ref, "controller", json_boolean(o->controller));
  if (o->has_blockownerdeletion)
    json_object_set_new(ref, "blockOwnerDeletion", json_boolean(o->blockownerdeletion));
  return ref;
}

static void put_lists(decoder *d, json_t *meta, const K8s__ObjectMeta *m) {
  if (m->n_ownerreferences > 0) {
    json_t *refs = json_array();
    for (size_t i = 0; i < m->n_ownerreferences; i++)
      json_array_append_new(refs, owner_reference(d, m->ownerreferences[i]));
    json_object_set_new(meta, "ownerReferences", refs);
  }
  if (m->n_finalizers > 0) {
    json_t *fins = json_array();
    for (size_t i = 0; i < m->n_finalizers; i++) {
      json_t *f = json_string(m->finalizers[i]);
      if (f == NULL)
        fail(d, API_PROTOBUF_MALFORMED, "metadata.finalizers is not valid UTF-8");
      json_array_append_new(fins, f);
    }
    json_object_set_new(meta, "finalizers", fins);
  }
}

/* What a client may set; the timestamps and managed fields are the server's. */
static json_t *object_meta(decoder *d, const K8s__ObjectMeta *m) {
  json_t *meta = json_object();
  if (m == NULL || !known_fields_only(d, &m->base, "metadata"))
    return meta;
  put_str(d, meta, "name", m->name);
  put_str(d, meta, "generateName", m->generatename);
  put_str(d, meta, "namespace", m->namespace_);
  put_str(d, meta, "uid", m->uid);
  put_str(d, meta, "resourceVersion", m->resourceversion);
  if (m->n_labels > 0)
    json_object_set_new(meta, "labels", string_map(d, m->labels, m->n_labels, "metadata.labels"));
  if (m->n_annotations > 0)
    json_object_set_new(meta, "annotations",
                        string_map(d, m->annotations, m->n_annotations, "metadata.annotations"));
  put_lists(d, meta, m);
  return meta;
}

static json_t *configmap(decoder *d, const ProtobufCBinaryData *raw) {
  K8s__ConfigMap *cm = k8s__config_map__unpack(NULL, raw->len, raw->data);
  if (cm == NULL) {
    fail(d, API_PROTOBUF_MALFORMED, "the ConfigMap is not valid protobuf");
    return NULL;
  }
  json_t *obj = json_pack("{s:s, s:s}", "apiVersion", "v1", "kind", "ConfigMap");
  if (known_fields_only(d, &cm->base, "a ConfigMap")) {
    json_object_set_new(obj, "metadata", object_meta(d, cm->metadata));
    if (cm->n_data > 0)
      json_object_set_new(obj, "data", string_map(d, cm->data, cm->n_data, "data"));
    if (cm->n_binarydata > 0)
      json_object_set_new(obj, "binaryData",
                          bytes_map(d, cm->binarydata, cm->n_binarydata, "binaryData"));
    if (cm->has_immutable)
      json_object_set_new(obj, "immutable", json_boolean(cm->immutable));
  }
  k8s__config_map__free_unpacked(cm, NULL);
  return obj;
}

static json_t *secret(decoder *d, const ProtobufCBinaryData *raw) {
  K8s__Secret *s = k8s__secret__unpack(NULL, raw->len, raw->data);
  if (s == NULL) {
    fail(d, API_PROTOBUF_MALFORMED, "the Secret is not valid protobuf");
    return NULL;
  }
  json_t *obj = json_pack("{s:s, s:s}", "apiVersion", "v1", "kind", "Secret");
  if (known_fields_only(d, &s->base, "a Secret")) {
    json_object_set_new(obj, "metadata", object_meta(d, s->metadata));
    if (s->n_data > 0)
      json_object_set_new(obj, "data", bytes_map(d, s->data, s->n_data, "data"));
    put_str(d, obj, "type", s->type);
    if (s->n_stringdata > 0)
      json_object_set_new(obj, "stringData",
                          string_map(d, s->stringdata, s->n_stringdata, "stringData"));
    if (s->has_immutable)
      json_object_set_new(obj, "immutable", json_boolean(s->immutable));
  }
  k8s__secret__free_unpacked(s, NULL);
  return obj;
}

/* The object an envelope holds, once its kind is one we decode. */
static json_t *envelope_object(decoder *d, const K8s__Unknown *u) {
  const char *av = u->typemeta ? u->typemeta->apiversion : NULL;
  const char *kind = u->typemeta ? u->typemeta->kind : NULL;
  if (!known_fields_only(d, &u->base, "the envelope"))
    return NULL;
  if (u->contentencoding && u->contentencoding[0]) {
    fail(d, API_PROTOBUF_UNSUPPORTED, "content encoding %.64s is not supported: send JSON",
         u->contentencoding);
    return NULL;
  }
  bool v1 = av && strcmp(av, "v1") == 0;
  if (v1 && kind && strcmp(kind, "ConfigMap") == 0)
    return configmap(d, &u->raw);
  if (v1 && kind && strcmp(kind, "Secret") == 0)
    return secret(d, &u->raw);
  fail(d, API_PROTOBUF_UNSUPPORTED, "%.64s %.64s is not accepted as protobuf: send JSON",
       av ? av : "", kind ? kind : "(no kind)");
  return NULL;
}

json_t *api_protobuf_decode(const void *body, size_t len, api_protobuf_error *error, char *why,
                            size_t why_size) {
  decoder d = {.error = API_PROTOBUF_OK, .why = why, .why_size = why_size};
  json_t *obj = NULL;
  if (len < sizeof magic || memcmp(body, magic, sizeof magic) != 0) {
    fail(&d, API_PROTOBUF_MALFORMED, "the body does not start with the protobuf magic bytes");
  } else {
    K8s__Unknown *u = k8s__unknown__unpack(NULL, len - sizeof magic,
                                           (const uint8_t *)body + sizeof magic);
    if (u == NULL)
      fail(&d, API_PROTOBUF_MALFORMED, "the body is not a valid protobuf envelope");
    else
      obj = envelope_object(&d, u);
    k8s__unknown__free_unpacked(u, NULL);
  }
  if (d.error != API_PROTOBUF_OK) {
    json_decref(obj);
    obj = NULL;
  }
  *error = d.error;
  return obj;
}
