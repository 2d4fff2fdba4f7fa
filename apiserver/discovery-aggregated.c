/*
 * discovery-aggregated.c — the aggregated discovery documents (Kubernetes'
 * apidiscovery.k8s.io APIGroupDiscoveryList) that client-go, and so kubectl,
 * asks for first on /api and /apis: every group, version and resource in one
 * answer instead of one request per group version.
 *
 * A client opts in through Accept (application/json;g=apidiscovery.k8s.io;
 * v=v2;as=APIGroupDiscoveryList, or v=v2beta1, which kubectl v1.32 still
 * lists second) and recognises the answer by the same parameters in
 * Content-Type; any other Accept gets the legacy documents. The answer carries
 * an ETag (a hash of its bytes) and is answered 304 when If-None-Match holds
 * it, as Kubernetes does, so that a client polling discovery costs little.
 */
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discovery.h"

#define AGG_TYPE(v) "application/json;g=apidiscovery.k8s.io;v=" v ";as=APIGroupDiscoveryList"

static const struct agg_version {
  const char *version, *content_type;
} agg_versions[] = {{"v2", AGG_TYPE("v2")}, {"v2beta1", AGG_TYPE("v2beta1")}, {NULL, NULL}};

static const struct agg_version plain = {NULL, NULL};

/* s without the blanks around it (in place). */
static char *trim(char *s) {
  s += strspn(s, " \t");
  size_t n = strlen(s);
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
    s[--n] = '\0';
  return s;
}

/* One Accept entry: "type/subtype;k=v;k=v". The aggregated version it asks
 * for, &plain for plain JSON or anything, NULL for what we do not serve. */
static const struct agg_version *accept_entry(char *entry) {
  char *save = NULL;
  char *type = strtok_r(entry, ";", &save);
  if (type == NULL)
    return NULL;
  type = trim(type);
  const char *g = NULL, *v = NULL, *as = NULL;
  for (char *p = strtok_r(NULL, ";", &save); p; p = strtok_r(NULL, ";", &save)) {
    p = trim(p);
    if (strncmp(p, "g=", 2) == 0)
      g = p + 2;
    else if (strncmp(p, "v=", 2) == 0)
      v = p + 2;
    else if (strncmp(p, "as=", 3) == 0)
      as = p + 3;
  }
  bool json = strcmp(type, "application/json") == 0;
  if (g == NULL && (json || strcmp(type, "*/*") == 0 || strcmp(type, "application/*") == 0))
    return &plain;
  if (!json || g == NULL || v == NULL || as == NULL || strcmp(g, "apidiscovery.k8s.io") != 0 ||
      strcmp(as, "APIGroupDiscoveryList") != 0)
    return NULL;
  for (const struct agg_version *w = agg_versions; w->version; w++)
    if (strcmp(v, w->version) == 0)
      return w;
  return NULL;
}

/* The first Accept entry we can serve decides, as the client lists its
 * preferences in order (client-go sends no q values here). */
static const struct agg_version *wanted_version(const api_request *r) {
  const char *accept = api_header(r, "Accept");
  if (accept == NULL)
    return NULL;
  char *copy = strdup(accept), *save = NULL;
  const struct agg_version *found = NULL;
  for (char *e = strtok_r(copy, ",", &save); e && found == NULL; e = strtok_r(NULL, ",", &save))
    found = accept_entry(e);
  free(copy);
  return found && found->version ? found : NULL;
}

/* Kubernetes leaves group and version empty when they are the resource's own. */
static json_t *gvk(const char *group, const char *version, const char *kind) {
  return json_pack("{s:s, s:s, s:s}", "group", group ? group : "", "version",
                   version ? version : "", "kind", kind);
}

static json_t *agg_subresources(const api_kind *k) {
  json_t *subs = json_array();
  for (const api_subresource *s = api_subresources; s->name; s++) {
    if (!(k->subresources & s->bit))
      continue;
    json_array_append_new(subs, json_pack("{s:s, s:o, s:o}", "subresource", s->name, "responseKind",
                                          gvk(s->group, s->version, s->kind ? s->kind : k->kind),
                                          "verbs", api_discovery_strings(s->verbs, SIZE_MAX)));
  }
  return subs;
}

static json_t *agg_resource(const api_kind *k) {
  json_t *e = json_pack("{s:s, s:o, s:s, s:s, s:o}", "resource", k->plural, "responseKind",
                        gvk(NULL, NULL, k->kind), "scope", k->namespaced ? "Namespaced" : "Cluster",
                        "singularResource", k->singular, "verbs",
                        api_discovery_strings(k->verbs, SIZE_MAX));
  if (k->short_names[0])
    json_object_set_new(e, "shortNames", api_discovery_strings(k->short_names, 8));
  if (k->categories)
    json_object_set_new(e, "categories", api_discovery_strings(k->categories, SIZE_MAX));
  json_t *subs = agg_subresources(k);
  if (json_array_size(subs))
    json_object_set_new(e, "subresources", subs);
  else
    json_decref(subs);
  return e;
}

/* One APIVersionDiscovery: the resources of group/version. */
static json_t *agg_version(const char *group, const char *version) {
  json_t *res = json_array();
  for (const api_kind *k = api_kind_first(); k; k = api_kind_next(k))
    if (strcmp(k->group, group) == 0 && strcmp(k->version, version) == 0)
      json_array_append_new(res, agg_resource(k));
  return json_pack("{s:s, s:o, s:s}", "version", version, "resources", res, "freshness", "Current");
}

/* APIGroupDiscovery of group: its versions, preferred (the table's first) first. */
static json_t *agg_group(const char *group) {
  json_t *versions = json_array(), *seen = json_object();
  for (const api_kind *k = api_kind_first(); k; k = api_kind_next(k)) {
    if (strcmp(k->group, group) != 0 || json_object_get(seen, k->version))
      continue;
    json_object_set_new(seen, k->version, json_true());
    json_array_append_new(versions, agg_version(group, k->version));
  }
  json_decref(seen);
  json_t *meta = group[0] ? json_pack("{s:s}", "name", group) : json_object();
  return json_pack("{s:o, s:o}", "metadata", meta, "versions", versions);
}

/* /api holds the core group alone, /apis every other, in table order. */
static json_t *agg_list(bool core, const char *version) {
  json_t *items = json_array(), *seen = json_object();
  for (const api_kind *k = api_kind_first(); k; k = api_kind_next(k)) {
    if ((k->group[0] == '\0') != core || json_object_get(seen, k->group))
      continue;
    json_object_set_new(seen, k->group, json_true());
    json_array_append_new(items, agg_group(k->group));
  }
  json_decref(seen);
  char api_version[64];
  snprintf(api_version, sizeof api_version, "apidiscovery.k8s.io/%s", version);
  return json_pack("{s:s, s:s, s:{}, s:o}", "kind", "APIGroupDiscoveryList", "apiVersion",
                   api_version, "metadata", "items", items);
}

/* A strong ETag: the quoted hex SHA-256 of the document's bytes. */
static void etag_of(const char *text, char *etag, size_t size) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(text, strlen(text), md, &n, EVP_sha256(), NULL);
  size_t o = (size_t)snprintf(etag, size, "\"");
  for (unsigned i = 0; i < n && o + 3 < size; i++)
    o += (size_t)snprintf(etag + o, size - o, "%02X", md[i]);
  snprintf(etag + o, size - o, "\"");
}

bool api_discovery_aggregated(api_request *r, bool core, api_response *out) {
  const struct agg_version *version = wanted_version(r);
  if (version == NULL)
    return false;
  json_t *doc = agg_list(core, version->version);
  char *text = json_dumps(doc, JSON_COMPACT);
  json_decref(doc);
  char etag[72];
  etag_of(text, etag, sizeof etag);
  api_set_header(out, "ETag", etag);
  api_set_header(out, "Vary", "Accept");
  /* A 304's headers replace the cached answer's in client-go's HTTP cache:
   * it must name the same type, or the cached document reads as plain JSON. */
  out->content_type = version->content_type;
  if (api_etag_matches(r, etag)) {
    free(text);
    out->code = 304;
    out->text = strdup("");
    return true;
  }
  out->code = 200;
  out->text = text;
  return true;
}
