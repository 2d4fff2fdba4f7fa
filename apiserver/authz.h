/*
 * authz.h — may this user do this? The authorizer every request passes after
 * it is routed and before it is handled.
 *
 * A request becomes attributes, as Kubernetes' authorizers see it: the user,
 * a verb (get, list, watch, create, update, patch, delete, deletecollection,
 * or a lower-case HTTP method for paths that are no resource), and either an
 * API group, resource, subresource, namespace and name, or a path. The
 * attributes pass a chain that stops at the first "allow": the cluster's
 * masters (group system:masters), the node authorizer (authz-node.c) for
 * agents, then RBAC (rbac-index.h) — roles and bindings read from the watch
 * caches into an in-memory index, never from etcd on a request. Nothing
 * allows it: 403, with Kubernetes' message naming user, verb, resource,
 * group and namespace.
 */
#ifndef TUG_APISERVER_AUTHZ_H
#define TUG_APISERVER_AUTHZ_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "authn.h"

struct api_server;
struct api_request;
struct api_response;
struct api_route;

typedef struct api_authz_attrs {
  const api_user *user;
  char verb[32];
  bool resource_request; /* false: path names a non-resource URL */
  char group[128];
  char resource[64];
  char subresource[64];
  char ns[256]; /* "" for cluster scope or all namespaces */
  char name[256];
  char path[1024];
} api_authz_attrs;

/* Fill a resource request's attributes; strings too long are cut. */
void api_authz_resource(api_authz_attrs *a, const api_user *u, const char *verb, const char *group,
                        const char *resource, const char *sub, const char *ns, const char *name);
/* Fill a non-resource request's attributes. */
void api_authz_path(api_authz_attrs *a, const api_user *u, const char *verb, const char *path);

/* The whole chain: true when allowed. reason (may be NULL) says why not, when
 * an authorizer had something to say ("" otherwise). */
bool api_authorize(struct api_server *s, const api_authz_attrs *a, char *reason, size_t size);

/* 403 Forbidden in out, worded as Kubernetes does:
 *   pods "x" is forbidden: User "alice" cannot get resource "pods" in API group ""
 *   in the namespace "team-b"[: reason]
 *   forbidden: User "alice" cannot get path "/metrics" */
void api_authz_forbidden(struct api_response *out, const api_authz_attrs *a, const char *reason);

/* The node authorizer (authz-node.c): 1 when an agent's request is allowed
 * by what its node runs, 0 for no opinion (reason may say why not). */
int api_authz_node(struct api_server *s, const api_authz_attrs *a, char *reason, size_t size);

/* Impersonation headers (impersonate.c): checks them for r->user and makes
 * the request the impersonated user's; -1 with out filled (403, 400). */
int api_impersonate(struct api_request *r, struct api_response *out);

/* The request's own check (routes.c): rt NULL for a non-resource path. -1 with
 * out filled (403) when refused. */
int api_authorize_request(struct api_request *r, const struct api_route *rt,
                          struct api_response *out);

#endif
