/*
 * protobuf.h — request bodies in Kubernetes' protobuf encoding, for the kinds
 * kubectl's typed clients send that way.
 *
 * `kubectl create configmap|secret` posts application/vnd.kubernetes.protobuf
 * whatever the server prefers, and does not retry with JSON. We turn such a
 * body into the JSON object the same request would have carried and let the
 * ordinary path handle it; answers stay JSON, which those clients also
 * accept. Only v1 ConfigMap and Secret are understood.
 */
#ifndef TUG_APISERVER_PROTOBUF_H
#define TUG_APISERVER_PROTOBUF_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define API_PROTOBUF_TYPE "application/vnd.kubernetes.protobuf"

typedef enum api_protobuf_error {
  API_PROTOBUF_OK,
  API_PROTOBUF_UNSUPPORTED, /* a kind or field we do not decode: 415 */
  API_PROTOBUF_MALFORMED,   /* not a valid encoding: 400 */
} api_protobuf_error;

/* The "k8s\0" envelope (a runtime.Unknown) holding a v1 ConfigMap or Secret, as
 * a JSON object; NULL with *error and a message in why (at least 128 bytes) otherwise. */
json_t *api_protobuf_decode(const void *body, size_t len, api_protobuf_error *error, char *why,
                            size_t why_size);

#endif
