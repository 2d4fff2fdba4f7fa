/*
 * status.h — Kubernetes Status objects: how every error leaves the API server.
 *
 * A failed request answers {"kind":"Status","apiVersion":"v1","status":"Failure",
 * "message", "reason", "details", "code"} with the HTTP code in "code". Reasons
 * are Kubernetes' (NotFound, AlreadyExists, Conflict, Invalid, BadRequest, ...)
 * so that kubectl and client libraries print and retry exactly as they would.
 */
#ifndef TUG_APISERVER_STATUS_H
#define TUG_APISERVER_STATUS_H

#include <jansson.h>

#include "error.h"
#include "registry.h"

/* A new Status object; details may be NULL (stolen otherwise). */
json_t *api_status(int code, const char *reason, json_t *details, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
json_t *api_status_success(const api_kind *kind, const char *name);

/* Kubernetes' reason for an HTTP code (404 → NotFound, 409 → Conflict, ...). */
const char *api_status_reason(int code);
/* {"name", "group", "kind"} details for an object. */
json_t *api_status_details(const api_kind *kind, const char *name);

/* The HTTP code for a tug_error coming up from storage or etcd. */
int api_status_code_for(const tug_error *err);

#endif
