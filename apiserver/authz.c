/*
 * authz.c — a request's attributes, the chain of authorizers and the 403
 * answer (see authz.h).
 */
#include "authz.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "handlers.h"
#include "rbac.h"
#include "server.h"
#include "status.h"

static void lower_copy(char *dst, size_t size, const char *src) {
  size_t i = 0;
  for (; src && src[i] && i + 1 < size; i++)
    dst[i] = (char)tolower((unsigned char)src[i]);
  dst[i] = '\0';
}

void api_authz_resource(api_authz_attrs *a, const api_user *u, const char *verb, const char *group,
                        const char *resource, const char *sub, const char *ns, const char *name) {
  memset(a, 0, sizeof *a);
  a->user = u;
  a->resource_request = true;
  lower_copy(a->verb, sizeof a->verb, verb);
  snprintf(a->group, sizeof a->group, "%s", group ? group : "");
  snprintf(a->resource, sizeof a->resource, "%s", resource ? resource : "");
  snprintf(a->subresource, sizeof a->subresource, "%s", sub ? sub : "");
  snprintf(a->ns, sizeof a->ns, "%s", ns ? ns : "");
  snprintf(a->name, sizeof a->name, "%s", name ? name : "");
}

void api_authz_path(api_authz_attrs *a, const api_user *u, const char *verb, const char *path) {
  memset(a, 0, sizeof *a);
  a->user = u;
  lower_copy(a->verb, sizeof a->verb, verb);
  snprintf(a->path, sizeof a->path, "%s", path ? path : "");
}

bool api_authorize(api_server *s, const api_authz_attrs *a, char *reason, size_t size) {
  if (reason && size)
    reason[0] = '\0';
  if (s->cfg.authorization_always_allow || api_user_in_group(a->user, "system:masters"))
    return true;
  if (api_authz_node(s, a, reason, size) > 0)
    return true;
  return s->rbac && api_rbac_allows(s->rbac, a);
}

void api_authz_forbidden(api_response *out, const api_authz_attrs *a, const char *reason) {
  char msg[2048], what[700] = "";
  const char *user = a->user ? a->user->name : "";
  if (!a->resource_request) {
    snprintf(msg, sizeof msg, "forbidden: User \"%s\" cannot %s path \"%s\"", user, a->verb,
             a->path);
  } else {
    /* Kubernetes names the resource qualified by its group ("deployments.apps")
     * first, then the resource as asked ("pods/log"). */
    char res[160], qualified[300], scope[300];
    snprintf(res, sizeof res, "%s%s%s", a->resource, a->subresource[0] ? "/" : "", a->subresource);
    snprintf(qualified, sizeof qualified, "%s%s%s", a->resource, a->group[0] ? "." : "", a->group);
    if (a->name[0])
      snprintf(what, sizeof what, "%s \"%s\" ", qualified, a->name);
    else
      snprintf(what, sizeof what, "%s ", qualified);
    if (a->ns[0])
      snprintf(scope, sizeof scope, "in the namespace \"%s\"", a->ns);
    else
      snprintf(scope, sizeof scope, "at the cluster scope");
    snprintf(msg, sizeof msg,
             "%sis forbidden: User \"%s\" cannot %s resource \"%s\" in API group \"%s\" %s", what,
             user, a->verb, res, a->group, scope);
  }
  size_t n = strlen(msg);
  if (reason && reason[0])
    snprintf(msg + n, sizeof msg - n, ": %s", reason);
  json_t *details = a->resource_request ? json_pack("{s:s, s:s, s:s}", "name", a->name, "group",
                                                    a->group, "kind", a->resource)
                                        : NULL;
  json_decref(out->body);
  out->code = 403;
  out->body = api_status(403, "Forbidden", details, "%s", msg);
}

static void request_attrs(const api_request *r, const api_route *rt, api_authz_attrs *a) {
  if (rt == NULL) {
    api_authz_path(a, &r->user, r->method, r->path);
    return;
  }
  /* A Namespace is its own namespace, so a RoleBinding in it may grant reading it. */
  const char *ns = rt->ns;
  if (ns == NULL && rt->name && !rt->kind->namespaced &&
      strcmp(rt->kind->plural, "namespaces") == 0)
    ns = rt->name;
  api_authz_resource(a, &r->user, r->verb ? r->verb : r->method, rt->kind->group, rt->kind->plural,
                     rt->sub, ns, rt->name);
}

int api_authorize_request(api_request *r, const api_route *rt, api_response *out) {
  api_authz_attrs a;
  request_attrs(r, rt, &a);
  char reason[512];
  if (api_authorize(r->server, &a, reason, sizeof reason))
    return 0;
  api_authz_forbidden(out, &a, reason);
  return -1;
}
