/*
 * audit.h — the audit log of the API server, as Kubernetes keeps it: one
 * audit.k8s.io/v1 Event line per request and stage, at the level the policy
 * gives the request (audit-policy.h), written by audit-log.h's backend.
 *
 * Stages: RequestReceived when the request arrives (before its body is read);
 * for a watch or a streamed answer, ResponseStarted when its headers go and
 * ResponseComplete when the stream ends; for anything else ResponseComplete
 * when the answer is ready. A crash ends the process, so there is no Panic
 * event (Go's apiserver writes one when a handler panics and it recovers).
 *
 * Every request has an audit ID, audited or not: the client's Audit-ID header
 * when it sends a usable one, else a new UUID. Every answer carries it as
 * Audit-Id, and the server's log lines written while it serves the request
 * end with audit_id=ID (tug_log_set_audit_id), so a request is followed from
 * the client's log through the audit log to the server's.
 */
#ifndef TUG_APISERVER_AUDIT_H
#define TUG_APISERVER_AUDIT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "audit-log.h"
#include "audit-policy.h"

typedef struct api_audit api_audit;
typedef struct api_request api_request;
typedef struct api_response api_response;

/* What the audit log knows of one request. */
typedef struct api_request_audit {
  char id[64];
  api_audit_level level; /* None: not written */
  unsigned omit;         /* stages not to write (api_audit_stage bits) */
  bool started;          /* ResponseStarted written: ResponseComplete at the end */
  int code;              /* of the answer, once known */
  char received_at[32];
  json_t *annotations; /* owned; NULL until one is added */
} api_request_audit;

/* policy NULL: no event is written (but IDs still are given out). The log
 * config's path NULL: the same. */
api_audit *api_audit_new(api_audit_policy *policy, const api_audit_log_config *log, tug_error *err);
void api_audit_free(api_audit *a);

/* The request arrived: its audit ID (the client's Audit-ID, or a new UUID)
 * and its received time, before anything is logged about it. */
void api_audit_assign_id(api_request *r);
/* Its user and info are set: find its level, write RequestReceived. a may be
 * NULL (auditing off). */
void api_audit_begin(api_audit *a, api_request *r);
/* The answer is ready: ResponseStarted for a stream, else ResponseComplete. */
void api_audit_respond(api_audit *a, api_request *r, const api_response *out);
/* The connection is done with the request: ResponseComplete for a stream. */
void api_audit_end(api_audit *a, api_request *r);

/* An annotation for the request's events (the authorizer's decision, say:
 * "authorization.k8s.io/decision" = "allow"). */
void api_audit_annotate(api_request *r, const char *key, const char *value);

/* Prometheus lines: events written, dropped (apiserver_audit_error_total), levels. */
void api_audit_render_metrics(api_audit *a, FILE *f);

#endif
