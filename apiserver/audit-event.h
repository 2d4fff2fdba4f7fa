/*
 * audit-event.h — one audit event as Kubernetes writes it: an audit.k8s.io/v1
 * Event, one JSON object per line.
 *
 * An api_audit_record holds what the server knows of a request at one stage;
 * encoding is pure, so the shape is tested without a server. The level decides
 * what goes in: Metadata writes who, what and the outcome; Request adds
 * requestObject; RequestResponse adds responseObject too.
 */
#ifndef TUG_APISERVER_AUDIT_EVENT_H
#define TUG_APISERVER_AUDIT_EVENT_H

#include <jansson.h>

#include "audit-policy.h"
#include "authn.h"
#include "requestinfo.h"

typedef struct api_audit_record {
  const char *audit_id;
  api_audit_level level; /* above None */
  api_audit_stage stage;
  const char *request_uri; /* path and query, as sent */
  const api_request_info *info;
  const api_user *user;         /* who authenticated */
  const api_user *impersonated; /* whom they act as, or NULL */
  const char *const *source_ips; /* nsource_ips addresses */
  int nsource_ips;
  const char *user_agent;       /* or NULL */
  int code;                     /* HTTP status; 0 before the response */
  const json_t *status;         /* the answer when it is a Status, or NULL */
  const json_t *request_object;
  const json_t *response_object;
  /* Or the answer as JSON text already (an object the watch cache holds as
   * text, a List built as text), written as it is: parsing it to write it
   * again would cost more than the request did. Trusted to be JSON. */
  const char *response_json;
  size_t response_json_len;
  const char *received_at; /* RFC 3339 with microseconds */
  const char *stage_at;
  const json_t *annotations; /* object of strings, or NULL */
} api_audit_record;

/* The event as one line of compact JSON ending in '\n' (malloc'd). */
char *api_audit_encode(const api_audit_record *rec);

#endif
