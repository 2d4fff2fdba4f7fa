/*
 * protobuf.h — Kubernetes' protobuf encoding (application/vnd.kubernetes.protobuf)
 * of every kind with a schema (schema.h), both ways.
 *
 * Since client-go 1.31 typed clients (kubectl create, drain, every Go
 * controller) send built-in kinds as protobuf and ask for protobuf answers.
 * A body is the magic "k8s\0" and a runtime.Unknown envelope {typeMeta
 * {apiVersion, kind}, raw: the object's message}. We turn it into the JSON
 * object the same request would have carried, so the ordinary path handles
 * it; answers go back as protobuf when the client puts protobuf first in
 * Accept. A watch streams frames: a 4-byte big-endian length, then a
 * WatchEvent {type, object: RawExtension{raw: an envelope as above}} with no
 * magic or envelope of its own.
 *
 * Strictness: a field number the schema does not know, bytes that are not
 * protobuf, or text that is not UTF-8 is refused (400) with the path of the
 * field; a kind without a schema or an envelope in another content encoding
 * is 415, which tells a client to send JSON.
 */
#ifndef TUG_APISERVER_PROTOBUF_H
#define TUG_APISERVER_PROTOBUF_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define API_PROTOBUF_TYPE "application/vnd.kubernetes.protobuf"
#define API_PROTOBUF_WATCH_TYPE "application/vnd.kubernetes.protobuf;stream=watch"

typedef enum api_protobuf_error {
  API_PROTOBUF_OK,
  API_PROTOBUF_UNSUPPORTED, /* a kind without a schema, or another encoding: 415 */
  API_PROTOBUF_MALFORMED,   /* not a valid encoding of its schema: 400 */
} api_protobuf_error;

/* The body's object as JSON with apiVersion and kind; NULL with *error and a
 * message in why (at least 128 bytes) otherwise. */
json_t *api_protobuf_decode(const void *body, size_t len, api_protobuf_error *error, char *why,
                            size_t why_size);

/* Whether an Accept header lists protobuf first (before JSON or anything else). */
bool api_protobuf_accepted(const char *accept);

/* obj (which names its apiVersion and kind) as a protobuf body, malloc'd; NULL
 * with why filled when its kind has no schema or a value does not fit it. */
uint8_t *api_protobuf_encode(const json_t *obj, size_t *len, char *why, size_t why_size);

/* The same without the envelope: obj's message alone, which the watch cache
 * keeps per object so that lists and watches encode each object once. */
uint8_t *api_protobuf_encode_message(const json_t *obj, size_t *len, char *why, size_t why_size);

/* An object's message (from api_protobuf_encode_message). */
typedef struct api_protobuf_raw {
  const uint8_t *data;
  size_t len;
} api_protobuf_raw;

/* A body around one message of api_version and kind. */
uint8_t *api_protobuf_wrap(const char *api_version, const char *kind, api_protobuf_raw raw,
                           size_t *len);

/* A list kind ("PodList" of "v1") of items, under list metadata meta
 * ({resourceVersion, continue}); NULL as above. */
uint8_t *api_protobuf_encode_list(const char *api_version, const char *list_kind,
                                  const json_t *meta, const api_protobuf_raw *items, size_t n,
                                  size_t *len, char *why, size_t why_size);

/* One watch frame for an event of type ("ADDED", ...) on an object of
 * api_version and kind whose message is raw. */
uint8_t *api_protobuf_watch_frame(const char *type, const char *api_version, const char *kind,
                                  api_protobuf_raw raw, size_t *len);

#endif
