/*
 * requestinfo.h — what a request asks for, read from its method and URL alone,
 * as Kubernetes' RequestInfo: the verb, and for resource requests the API
 * group, version, namespace, resource, subresource and name.
 *
 * Audit policy and authorization decide on this before the request is routed
 * or its body read. Resource requests are /api/v1/... and /apis/G/V/...;
 * everything else (/healthz, /metrics, /version, discovery documents) is a
 * non-resource request whose verb is the lowercase HTTP method.
 *
 * Verbs are Kubernetes' own: get, list, watch, create, update, patch, delete,
 * deletecollection. Under /api/v1/namespaces/NS the namespace is NS, also for
 * the Namespace object itself (/api/v1/namespaces/NS is resource namespaces,
 * name NS, namespace NS), as Kubernetes reports it.
 */
#ifndef TUG_APISERVER_REQUESTINFO_H
#define TUG_APISERVER_REQUESTINFO_H

#include <stdbool.h>

typedef struct api_request_info {
  bool is_resource;
  char verb[24];
  char group[64];
  char version[32];
  char ns[64];
  char resource[64];
  char sub[64];
  char name[256];
} api_request_info;

/* watch: the request's ?watch is true. Never fails: what does not parse as a
 * resource request is a non-resource one. */
void api_request_info_parse(const char *method, const char *path, bool watch, api_request_info *ri);

#endif
