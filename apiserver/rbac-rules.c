/*
 * rbac-rules.c — parsing and matching PolicyRules (see rbac-rules.h).
 */
#include "rbac-rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void strv_free(char **v) {
  for (size_t i = 0; v && v[i]; i++)
    free(v[i]);
  free(v);
}

static char **strv_copy(char *const *src) {
  size_t n = 0;
  while (src && src[n])
    n++;
  char **v = calloc(n + 1, sizeof *v);
  for (size_t i = 0; v && i < n; i++)
    v[i] = strdup(src[i]);
  return v;
}

static char **strv_from_json(const json_t *a) {
  char **v = calloc(json_array_size(a) + 1, sizeof *v);
  size_t i, n = 0;
  json_t *s;
  json_array_foreach(a, i, s) {
    if (v && json_is_string(s))
      v[n++] = strdup(json_string_value(s));
  }
  return v;
}

static void rule_free(rbac_rule *r) {
  strv_free(r->verbs);
  strv_free(r->groups);
  strv_free(r->resources);
  strv_free(r->names);
  strv_free(r->urls);
}

void rbac_rules_free(rbac_rules *rs) {
  for (size_t i = 0; i < rs->n; i++)
    rule_free(&rs->v[i]);
  free(rs->v);
  rs->v = NULL;
  rs->n = 0;
}

static int grow(rbac_rules *rs, size_t more) {
  rbac_rule *v = realloc(rs->v, (rs->n + more) * sizeof *v);
  if (v == NULL)
    return -1;
  rs->v = v;
  return 0;
}

int rbac_rules_parse(const json_t *rules, rbac_rules *out) {
  if (!json_is_array(rules) || json_array_size(rules) == 0)
    return 0;
  if (grow(out, json_array_size(rules)) < 0)
    return -1;
  size_t i;
  json_t *r;
  json_array_foreach(rules, i, r) {
    if (!json_is_object(r))
      continue;
    out->v[out->n++] = (rbac_rule){
        .verbs = strv_from_json(json_object_get(r, "verbs")),
        .groups = strv_from_json(json_object_get(r, "apiGroups")),
        .resources = strv_from_json(json_object_get(r, "resources")),
        .names = strv_from_json(json_object_get(r, "resourceNames")),
        .urls = strv_from_json(json_object_get(r, "nonResourceURLs")),
    };
  }
  return 0;
}

int rbac_rules_append(rbac_rules *dst, const rbac_rules *src) {
  if (src->n == 0)
    return 0;
  if (grow(dst, src->n) < 0)
    return -1;
  for (size_t i = 0; i < src->n; i++) {
    const rbac_rule *s = &src->v[i];
    dst->v[dst->n++] =
        (rbac_rule){strv_copy(s->verbs), strv_copy(s->groups), strv_copy(s->resources),
                    strv_copy(s->names), strv_copy(s->urls)};
  }
  return 0;
}

/* ---- matching ---- */

static bool has(char *const *v, const char *s) {
  for (size_t i = 0; v && v[i]; i++)
    if (strcmp(v[i], s) == 0)
      return true;
  return false;
}

static bool has_or_star(char *const *v, const char *s) {
  for (size_t i = 0; v && v[i]; i++)
    if (strcmp(v[i], "*") == 0 || strcmp(v[i], s) == 0)
      return true;
  return false;
}

static bool empty(char *const *v) {
  return v == NULL || v[0] == NULL;
}

/* "pods" or "pods/log" against the request's resource and subresource,
 * without building the combined name (this runs for every request). */
static bool names_resource(const char *r, const api_authz_attrs *a) {
  size_t n = strlen(a->resource);
  if (strncmp(r, a->resource, n) != 0)
    return false;
  if (a->subresource[0] == '\0')
    return r[n] == '\0';
  return r[n] == '/' && strcmp(r + n + 1, a->subresource) == 0;
}

static bool resource_matches(char *const *v, const api_authz_attrs *a) {
  for (size_t i = 0; v && v[i]; i++) {
    const char *r = v[i];
    if ((r[0] == '*' && r[1] == '\0') || names_resource(r, a))
      return true;
    if (a->subresource[0] && r[0] == '*' && r[1] == '/' && strcmp(r + 2, a->subresource) == 0)
      return true;
  }
  return false;
}

static bool url_matches(char *const *v, const char *path) {
  for (size_t i = 0; v && v[i]; i++) {
    const char *u = v[i];
    size_t n = strlen(u);
    if (strcmp(u, "*") == 0 || strcmp(u, path) == 0)
      return true;
    if (n > 0 && u[n - 1] == '*' && strncmp(u, path, n - 1) == 0)
      return true;
  }
  return false;
}

bool rbac_rule_allows(const rbac_rule *r, const api_authz_attrs *a) {
  if (!has_or_star(r->verbs, a->verb))
    return false;
  if (!a->resource_request)
    return url_matches(r->urls, a->path);
  return has_or_star(r->groups, a->group) && resource_matches(r->resources, a) &&
         (empty(r->names) || has(r->names, a->name));
}

bool rbac_rules_allow(const rbac_rules *rs, const api_authz_attrs *a) {
  for (size_t i = 0; i < rs->n; i++)
    if (rbac_rule_allows(&rs->v[i], a))
      return true;
  return false;
}

/* ---- coverage (escalation checks) ---- */

/* One action of a rule: attributes whose "*" are literal, so that only a rule
 * holding "*" itself matches them. */
static bool covered(const rbac_rules *have, const api_authz_attrs *a, char *missing, size_t size) {
  if (rbac_rules_allow(have, a))
    return true;
  if (missing && a->resource_request && a->name[0])
    snprintf(missing, size,
             "{APIGroups:[\"%s\"], Resources:[\"%s%s%s\"], ResourceNames:[\"%s\"], Verbs:[\"%s\"]}",
             a->group, a->resource, a->subresource[0] ? "/" : "", a->subresource, a->name, a->verb);
  else if (missing && a->resource_request)
    snprintf(missing, size, "{APIGroups:[\"%s\"], Resources:[\"%s%s%s\"], Verbs:[\"%s\"]}",
             a->group, a->resource, a->subresource[0] ? "/" : "", a->subresource, a->verb);
  else if (missing)
    snprintf(missing, size, "{NonResourceURLs:[\"%s\"], Verbs:[\"%s\"]}", a->path, a->verb);
  return false;
}

static bool cover_resource(const rbac_rules *have, const rbac_rule *want, const char *verb,
                           const char *group, char *missing, size_t size) {
  for (size_t k = 0; want->resources && want->resources[k]; k++) {
    char res[160];
    snprintf(res, sizeof res, "%s", want->resources[k]);
    char *slash = strchr(res, '/');
    if (slash)
      *slash = '\0';
    api_authz_attrs a;
    for (size_t m = 0; m == 0 || (want->names && want->names[m]); m++) {
      const char *name = want->names && want->names[m] ? want->names[m] : "";
      api_authz_resource(&a, NULL, verb, group, res, slash ? slash + 1 : NULL, NULL, name);
      if (!covered(have, &a, missing, size))
        return false;
      if (empty(want->names))
        break;
    }
  }
  return true;
}

bool rbac_rules_cover(const rbac_rules *have, const rbac_rule *want, char *missing, size_t size) {
  for (size_t i = 0; want->verbs && want->verbs[i]; i++) {
    const char *verb = want->verbs[i];
    for (size_t j = 0; want->groups && want->groups[j]; j++)
      if (!cover_resource(have, want, verb, want->groups[j], missing, size))
        return false;
    for (size_t j = 0; want->urls && want->urls[j]; j++) {
      api_authz_attrs a;
      api_authz_path(&a, NULL, verb, want->urls[j]);
      if (!covered(have, &a, missing, size))
        return false;
    }
  }
  return true;
}

static json_t *strv_json(char *const *v) {
  json_t *a = json_array();
  for (size_t i = 0; v && v[i]; i++)
    json_array_append_new(a, json_string(v[i]));
  return a;
}

json_t *rbac_rule_json(const rbac_rule *r) {
  json_t *o = json_pack("{s:o}", "verbs", strv_json(r->verbs));
  if (!empty(r->urls)) {
    json_object_set_new(o, "nonResourceURLs", strv_json(r->urls));
    return o;
  }
  json_object_set_new(o, "apiGroups", strv_json(r->groups));
  json_object_set_new(o, "resources", strv_json(r->resources));
  if (!empty(r->names))
    json_object_set_new(o, "resourceNames", strv_json(r->names));
  return o;
}
