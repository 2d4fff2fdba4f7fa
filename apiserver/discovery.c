/*
 * discovery.c — what generic Kubernetes clients ask before anything else:
 * /api, /apis, /api/v1, /apis/{group}[/{version}] (built from the kinds
 * table), /version, and the health and metrics endpoints. These are the
 * legacy (per group version) documents; a client that asks for aggregated
 * ones gets those instead (discovery-aggregated.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discovery.h"
#include "metrics.h"
#include "status.h"
#include "watchcache.h"

json_t *api_discovery_strings(const char *const *v, size_t max) {
  json_t *a = json_array();
  for (size_t i = 0; v && i < max && v[i]; i++)
    json_array_append_new(a, json_string(v[i]));
  return a;
}

/* A kind's APIResource in the legacy APIResourceList. */
static json_t *resource_entry(const api_kind *k) {
  json_t *e = json_pack("{s:s, s:s, s:b, s:s, s:o}", "name", k->plural, "singularName", k->singular,
                        "namespaced", k->namespaced, "kind", k->kind, "verbs",
                        api_discovery_strings(k->verbs, SIZE_MAX));
  if (k->short_names[0])
    json_object_set_new(e, "shortNames", api_discovery_strings(k->short_names, 8));
  if (k->categories)
    json_object_set_new(e, "categories", api_discovery_strings(k->categories, SIZE_MAX));
  return e;
}

/* A subresource's: named "plural/sub", with a group and version of its own
 * when its kind is another group's (autoscaling/v1 Scale). */
static json_t *subresource_entry(const api_kind *k, const api_subresource *s) {
  char name[128];
  snprintf(name, sizeof name, "%s/%s", k->plural, s->name);
  json_t *e = json_pack("{s:s, s:s, s:b, s:s, s:o}", "name", name, "singularName", "", "namespaced",
                        k->namespaced, "kind", s->kind ? s->kind : k->kind, "verbs",
                        api_discovery_strings(s->verbs, SIZE_MAX));
  if (s->group) {
    json_object_set_new(e, "group", json_string(s->group));
    json_object_set_new(e, "version", json_string(s->version));
  }
  return e;
}

static json_t *resource_list(const char *group, const char *version) {
  json_t *res = json_array();
  for (const api_kind *k = api_kind_first(); k; k = api_kind_next(k)) {
    if (strcmp(k->group, group) != 0 || strcmp(k->version, version) != 0)
      continue;
    json_array_append_new(res, resource_entry(k));
    for (const api_subresource *s = api_subresources; s->name; s++)
      if (k->subresources & s->bit)
        json_array_append_new(res, subresource_entry(k, s));
  }
  if (json_array_size(res) == 0) {
    json_decref(res);
    return NULL;
  }
  char gv[128];
  snprintf(gv, sizeof gv, "%s%s%s", group, group[0] ? "/" : "", version);
  return json_pack("{s:s, s:s, s:s, s:o}", "kind", "APIResourceList", "apiVersion", "v1",
                   "groupVersion", gv, "resources", res);
}

/* The group's versions, preferred (the first the table has) first. */
static json_t *api_group(const char *group) {
  json_t *versions = json_array(), *seen = json_object();
  for (const api_kind *k = api_kind_first(); k; k = api_kind_next(k)) {
    if (strcmp(k->group, group) != 0 || json_object_get(seen, k->version))
      continue;
    json_object_set_new(seen, k->version, json_true());
    char gv[128];
    snprintf(gv, sizeof gv, "%s/%s", k->group, k->version);
    json_array_append_new(versions,
                          json_pack("{s:s, s:s}", "groupVersion", gv, "version", k->version));
  }
  json_decref(seen);
  if (json_array_size(versions) == 0) {
    json_decref(versions);
    return NULL;
  }
  return json_pack("{s:s, s:O, s:o}", "name", group, "preferredVersion",
                   json_array_get(versions, 0), "versions", versions);
}

static json_t *group_list(void) {
  json_t *groups = json_array(), *seen = json_object();
  for (const api_kind *k = api_kind_first(); k; k = api_kind_next(k)) {
    if (k->group[0] == '\0' || json_object_get(seen, k->group))
      continue;
    json_object_set_new(seen, k->group, json_true());
    json_t *g = api_group(k->group);
    json_object_set_new(g, "kind", json_string("APIGroup"));
    json_array_append_new(groups, g);
  }
  json_decref(seen);
  return json_pack("{s:s, s:s, s:o}", "kind", "APIGroupList", "apiVersion", "v1", "groups", groups);
}

static json_t *version_info(void) {
  return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "major", "1", "minor", "32",
                   "gitVersion", "v1.32.0-tugboat.0.1", "gitCommit", "", "gitTreeState", "clean",
                   "buildDate", __DATE__, "goVersion", "none (C)", "compiler", "gcc", "platform",
                   "linux/amd64");
}

static bool caches_ready(api_server *s) {
  return atomic_load(&s->ready);
}

static void text(api_response *out, int code, const char *s) {
  out->code = code;
  out->text = strdup(s);
  out->content_type = "text/plain; charset=utf-8";
}

static bool server_endpoint(api_request *r, api_response *out) {
  const char *p = r->path;
  if (strcmp(p, "/healthz") == 0 || strcmp(p, "/livez") == 0) {
    text(out, 200, "ok");
  } else if (strcmp(p, "/readyz") == 0) {
    tug_etcd_range rr;
    tug_error err = {0};
    bool etcd_ok = tug_etcd_get(r->server->etcd, "/registry/~health", &rr, &err) == 0;
    if (etcd_ok)
      tug_etcd_range_free(&rr);
    bool ok = etcd_ok && caches_ready(r->server);
    text(out, ok ? 200 : 503, ok ? "ok" : etcd_ok ? "caches not synced" : "etcd unreachable");
  } else if (strcmp(p, "/version") == 0) {
    out->code = 200;
    out->body = version_info();
  } else if (strcmp(p, "/metrics") == 0) {
    out->code = 200;
    out->text = api_metrics_render(r->server->metrics, r->server);
    out->content_type = "text/plain; version=0.0.4";
  } else {
    return false;
  }
  return true;
}

bool api_handle_discovery(api_request *r, api_response *out) {
  if (server_endpoint(r, out))
    return true;
  if (strcmp(r->method, "GET") != 0)
    return false;
  char path[256];
  snprintf(path, sizeof path, "%s", r->path);
  size_t n = strlen(path);
  while (n > 1 && path[n - 1] == '/')
    path[--n] = '\0';
  json_t *body = NULL;
  char group[128], version[64];
  bool root = strcmp(path, "/api") == 0 || strcmp(path, "/apis") == 0;
  if (root && api_discovery_aggregated(r, strcmp(path, "/api") == 0, out))
    return true;
  /* The same URL answers in two formats: caches must key on Accept. */
  if (root)
    api_set_header(out, "Vary", "Accept");
  if (strcmp(path, "/api") == 0)
    body = json_pack("{s:s, s:[s], s:[{s:s, s:s}]}", "kind", "APIVersions", "versions", "v1",
                     "serverAddressByClientCIDRs", "clientCIDR", "0.0.0.0/0", "serverAddress", "");
  else if (strcmp(path, "/apis") == 0)
    body = group_list();
  else if (strcmp(path, "/api/v1") == 0)
    body = resource_list("", "v1");
  else if (sscanf(path, "/apis/%127[^/]/%63[^/]%n", group, version, &(int){0}) == 2 &&
           strchr(path + 6 + strlen(group) + 1, '/') == NULL)
    body = resource_list(group, version);
  else if (sscanf(path, "/apis/%127[^/]", group) == 1 && strchr(path + 6, '/') == NULL &&
           (body = api_group(group)) != NULL)
    json_object_set_new(body, "kind", json_string("APIGroup"));
  if (body == NULL)
    return false;
  out->code = 200;
  out->body = body;
  return true;
}
