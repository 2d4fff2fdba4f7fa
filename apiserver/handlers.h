/*
 * handlers.h — the verbs, one function each, on a parsed route.
 *
 * routes.c turns a path into an api_route and calls one of these; each reads
 * the request (query, headers, body) and fills the response. Object verbs are
 * in handlers.c, subresources (status, scale, binding) in subresources.c,
 * discovery and server endpoints in discovery.c.
 */
#ifndef TUG_APISERVER_HANDLERS_H
#define TUG_APISERVER_HANDLERS_H

#include <jansson.h>
#include <stdbool.h>

#include "registry.h"
#include "server.h"

typedef struct api_route {
  const api_kind *kind;
  const char *ns;   /* NULL for cluster-scoped kinds and all-namespace lists */
  const char *name; /* NULL for collections */
  const char *sub;  /* subresource, or NULL */
} api_route;

void api_handle_get(api_request *r, const api_route *rt, api_response *out);
void api_handle_list(api_request *r, const api_route *rt, api_response *out);
void api_handle_watch(api_request *r, const api_route *rt, api_response *out);
void api_handle_create(api_request *r, const api_route *rt, api_response *out);
void api_handle_update(api_request *r, const api_route *rt, api_response *out);
void api_handle_patch(api_request *r, const api_route *rt, api_response *out);
void api_handle_delete(api_request *r, const api_route *rt, api_response *out);
void api_handle_delete_collection(api_request *r, const api_route *rt, api_response *out);

void api_handle_subresource(api_request *r, const api_route *rt, api_response *out);
/* pods/{name}/log, read from the agent of the pod's node (logs.c). */
void api_handle_log(api_request *r, const api_route *rt, api_response *out);
/* POST of a TokenRequest to a ServiceAccount's /token (strategy-serviceaccount.c). */
void api_handle_token(api_request *r, const api_route *rt, api_response *out);
/* POST of an Eviction to a Pod's /eviction, honouring its disruption budget
 * (strategy-eviction.c). */
void api_handle_eviction(api_request *r, const api_route *rt, api_response *out);
/* GET of a Queue's /pendingworkloads, read from its status (strategy-queue-pending.c). */
void api_handle_queue_pending(api_request *r, const api_route *rt, api_response *out);
/* End every followed log and wait (up to timeout_ms) until their connections
 * are resumed: libmicrohttpd must not stop with one suspended. */
void api_logs_close_streams(int timeout_ms);

/* Reaching a pod's agent (logs.c), shared by logs and the streaming verbs. */
/* A core (v1) object from its watch cache, or NULL; the caller owns it. */
json_t *api_cached_core(api_server *s, const char *resource, const char *ns, const char *name);
/* The container to reach: the one named, or the pod's only one; NULL with out filled (400). */
const char *api_pod_container(const json_t *pod, const char *asked, api_response *out);
/* https://ADDRESS:PORT of node's agent (http:// without a CA for agents), or NULL with out filled.
 */
char *api_agent_url(api_server *s, const char *node, api_response *out);
/* Mutual TLS toward agents on a libcurl easy handle; the agent's certificate
 * must name want_cn ("system:node:NAME", which must outlive the transfer). */
void api_agent_tls(const api_server *s, void *curl, const char *want_cn);
/* out filled from the agent's answer other than 200 (or 101): its 400s and 404s are the client's.
 */
void api_agent_refused(api_response *out, long code, const char *body);

/* pods/exec, pods/attach, pods/portforward (streaming.c): WebSocket upgrades
 * proxied to the pod's agent. */
void api_handle_stream(api_request *r, const api_route *rt, api_response *out);
/* Break every proxied stream (the server is stopping); waits up to timeout_ms. */
void api_streams_close_all(int timeout_ms);

/* Discovery and server endpoints: true when the path was one of them. */
bool api_handle_discovery(api_request *r, api_response *out);

/* Parse the request body as a JSON object within the size and depth limits;
 * NULL with out filled (400/415) when it is not one. */
json_t *api_read_body(api_request *r, api_response *out);
/* The body must be of the route's kind, in the route's namespace, with the
 * URL's name: filled in when absent, 400 in out when they differ. */
int api_check_identity(const api_route *rt, json_t *obj, api_response *out);
/* Create obj (taken) as the route's kind: admission, defaults, validation,
 * one transaction (or dryRun); track records its managedFields as the
 * request's Update. Answers 201 with the object. */
void api_create(api_request *r, const api_route *rt, json_t *obj, bool track, api_response *out);
/* The autoscaling/v1 Scale that obj shows at /scale, new (subresources.c). */
json_t *api_scale_of(const api_kind *k, json_t *obj);
/* A strategic merge patch (by its Content-Type) of a custom kind is 415, as
 * in Kubernetes; -1 with out filled. */
int api_check_patch_type(const api_kind *k, const char *content_type, api_response *out);
/* Whether the client asked for a meta.k8s.io Table (Accept header). */
bool api_wants_table(const api_request *r);
/* dryRun=All */
bool api_dry_run(const api_request *r);
/* A dryRun other than All is 422, as Kubernetes answers; -1 with out filled. */
int api_check_dry_run(const api_request *r, api_response *out);

#endif
