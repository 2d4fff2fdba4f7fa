/*
 * routes.c — from a URL path and method to a handler.
 *
 *   /api/v1/{resource}[/{name}[/{sub}]]
 *   /api/v1/namespaces/{ns}/{resource}[/{name}[/{sub}]]
 *   /apis/{group}/{version}/... the same
 *
 * A namespaced resource under no namespace is the all-namespaces list or
 * watch; /api/v1/namespaces/{name} is the Namespace object itself.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "authn.h"
#include "authz.h"
#include "handlers.h"
#include "openapi.h"
#include "status.h"

enum { MAX_SEGMENTS = 10 };

static int split(char *path, char **seg) {
  int n = 0;
  char *save = NULL;
  for (char *p = strtok_r(path, "/", &save); p && n < MAX_SEGMENTS; p = strtok_r(NULL, "/", &save))
    seg[n++] = p;
  return strtok_r(NULL, "/", &save) ? -1 : n;
}

/* seg points after the group/version. Fills rt; returns false for a 404. */
static bool parse_resource_path(const char *group, const char *version, char **seg, int n,
                                api_route *rt) {
  memset(rt, 0, sizeof *rt);
  /* /api/v1/namespaces/{name}/status and /finalize are the Namespace's own. */
  bool namespace_sub = n == 3 && (strcmp(seg[2], "status") == 0 || strcmp(seg[2], "finalize") == 0);
  if (n >= 3 && strcmp(seg[0], "namespaces") == 0 && !namespace_sub) {
    rt->ns = seg[1];
    seg += 2, n -= 2;
  }
  if (n < 1 || n > 3)
    return false;
  rt->kind = api_kind_by_resource(group, version, seg[0]);
  if (rt->kind == NULL)
    return false;
  if (rt->ns && !rt->kind->namespaced)
    return false;
  rt->name = n >= 2 ? seg[1] : NULL;
  rt->sub = n == 3 ? seg[2] : NULL;
  return true;
}

static void method_not_allowed(api_request *r, api_response *out) {
  api_fail(out, 405, "the server does not allow this method on the requested resource: %s %s",
           r->method, r->path);
}

static void label_request(api_request *r, const api_route *rt) {
  snprintf(r->resource, sizeof r->resource, "%s%s%s", rt->kind->plural, rt->sub ? "/" : "",
           rt->sub ? rt->sub : "");
  const char *m = r->method;
  if (api_query_bool(r, "watch"))
    r->verb = "WATCH";
  else if (strcmp(m, "GET") == 0)
    r->verb = rt->name ? "GET" : "LIST";
  else if (strcmp(m, "POST") == 0)
    r->verb = "CREATE";
  else if (strcmp(m, "PUT") == 0)
    r->verb = "UPDATE";
  else if (strcmp(m, "PATCH") == 0)
    r->verb = "PATCH";
  else if (strcmp(m, "DELETE") == 0)
    r->verb = rt->name ? "DELETE" : "DELETECOLLECTION";
}

/* Only what discovery announces is served (no Namespace deletecollection). */
static bool verb_allowed(const api_request *r, const api_kind *k) {
  char verb[32];
  size_t i = 0;
  for (; r->verb && r->verb[i] && i + 1 < sizeof verb; i++)
    verb[i] = (char)tolower((unsigned char)r->verb[i]);
  verb[i] = '\0';
  return r->verb == NULL || api_kind_allows(k, verb);
}

static void dispatch_collection(api_request *r, const api_route *rt, api_response *out) {
  if (strcmp(r->method, "GET") == 0)
    api_query_bool(r, "watch") ? api_handle_watch(r, rt, out) : api_handle_list(r, rt, out);
  else if (strcmp(r->method, "POST") == 0 && (rt->ns || !rt->kind->namespaced))
    api_handle_create(r, rt, out);
  else if (strcmp(r->method, "DELETE") == 0)
    api_handle_delete_collection(r, rt, out);
  else
    method_not_allowed(r, out);
}

static void dispatch_object(api_request *r, const api_route *rt, api_response *out) {
  if (rt->kind->namespaced && rt->ns == NULL) {
    api_fail(out, 404, "the server could not find the requested resource");
    return;
  }
  if (rt->sub) {
    api_handle_subresource(r, rt, out);
  } else if (strcmp(r->method, "GET") == 0) {
    if (api_query_bool(r, "watch"))
      api_handle_watch(r, rt, out);
    else
      api_handle_get(r, rt, out);
  } else if (strcmp(r->method, "PUT") == 0) {
    api_handle_update(r, rt, out);
  } else if (strcmp(r->method, "PATCH") == 0) {
    api_handle_patch(r, rt, out);
  } else if (strcmp(r->method, "DELETE") == 0) {
    api_handle_delete(r, rt, out);
  } else {
    method_not_allowed(r, out);
  }
}

/* A path that is no resource (discovery, OpenAPI, /version, /healthz, ...),
 * authorized as a path with the request's lower-case method as verb. */
static void dispatch_path(api_request *r, api_response *out) {
  if (api_authn_serve_whoami(r, out) || api_authn_serve_tokenreview(r, out))
    return;
  if (api_authorize_request(r, NULL, out) < 0)
    return;
  if (api_openapi_serve(r->server->openapi, r, out) || api_handle_discovery(r, out))
    return;
  api_fail(out, 404, "the server could not find the requested resource");
}

void api_dispatch(api_request *r, api_response *out) {
  if (api_impersonate(r, out) < 0)
    return;
  char path[2048];
  if (strlen(r->path) >= sizeof path) {
    api_fail(out, 414, "request path too long");
    return;
  }
  strcpy(path, r->path);
  char *seg[MAX_SEGMENTS];
  int n = split(path, seg);
  api_route rt;
  bool found = false;
  if (n >= 3 && strcmp(seg[0], "api") == 0) {
    found = parse_resource_path("", seg[1], seg + 2, n - 2, &rt);
  } else if (n >= 4 && strcmp(seg[0], "apis") == 0) {
    found = parse_resource_path(seg[1], seg[2], seg + 3, n - 3, &rt);
  }
  if (!found) {
    dispatch_path(r, out);
    return;
  }
  label_request(r, &rt);
  if (api_authorize_request(r, &rt, out) < 0)
    return;
  if (rt.sub == NULL && !verb_allowed(r, rt.kind)) {
    method_not_allowed(r, out);
    return;
  }
  if (strcmp(r->method, "GET") != 0 && api_check_dry_run(r, out) < 0)
    return;
  if (rt.name == NULL)
    dispatch_collection(r, &rt, out);
  else
    dispatch_object(r, &rt, out);
}
