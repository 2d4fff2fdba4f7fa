/*
 * audit-policy.c — reading and checking an audit Policy, and finding a
 * request's level in it (see audit-policy.h).
 *
 * The policy is kept as the checked JSON document: a few rules walked per
 * request cost less than the audit line they decide about.
 */
#include "audit-policy.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"

typedef struct policy_rule {
  const json_t *json; /* checked: every field well-formed */
  api_audit_level level;
  unsigned omit; /* the rule's omitStages */
} policy_rule;

struct api_audit_policy {
  json_t *doc;
  policy_rule *rules;
  size_t nrules;
  unsigned omit; /* the policy's own omitStages */
};

static const char *const level_names[] = {"None", "Metadata", "Request", "RequestResponse"};
static const char *const stage_names[] = {"RequestReceived", "ResponseStarted", "ResponseComplete",
                                          "Panic"};

const char *api_audit_level_name(api_audit_level level) {
  return level_names[level];
}

const char *api_audit_stage_name(api_audit_stage stage) {
  for (int i = 0; i < 4; i++)
    if ((unsigned)stage == 1u << i)
      return stage_names[i];
  return "";
}

static int parse_level(const char *s) {
  for (int i = 0; s && i < 4; i++)
    if (strcmp(s, level_names[i]) == 0)
      return i;
  return -1;
}

/* A list of strings at key (absent is fine). */
static int check_strings(const json_t *obj, const char *key, const char *where, tug_error *err) {
  const json_t *v = json_object_get(obj, key);
  if (v == NULL)
    return 0;
  size_t i;
  const json_t *s;
  if (!json_is_array(v))
    return tug_error_set(err, TUG_E_PARSE, "%s.%s: must be a list of strings", where, key);
  json_array_foreach(v, i, s) if (!json_is_string(s)) return tug_error_set(
      err, TUG_E_PARSE, "%s.%s[%zu]: must be a string", where, key, i);
  return 0;
}

static int parse_stages(const json_t *obj, const char *where, unsigned *out, tug_error *err) {
  *out = 0;
  if (check_strings(obj, "omitStages", where, err) < 0)
    return -1;
  size_t i;
  const json_t *s;
  json_array_foreach(json_object_get(obj, "omitStages"), i, s) {
    int j = 0;
    while (j < 4 && strcmp(json_string_value(s), stage_names[j]) != 0)
      j++;
    if (j == 4)
      return tug_error_set(err, TUG_E_PARSE,
                           "%s.omitStages[%zu]: \"%s\" is not RequestReceived, ResponseStarted, "
                           "ResponseComplete or Panic",
                           where, i, json_string_value(s));
    *out |= 1u << j;
  }
  return 0;
}

/* Only the fields Kubernetes defines, so a misspelt one is not silently ignored. */
static int check_keys(const json_t *obj, const char *const *known, const char *where,
                      tug_error *err) {
  const char *key;
  const json_t *v;
  json_object_foreach((json_t *)obj, key, v) {
    int i = 0;
    while (known[i] && strcmp(known[i], key) != 0)
      i++;
    if (known[i] == NULL)
      return tug_error_set(err, TUG_E_PARSE, "%s: unknown field \"%s\"", where, key);
  }
  return 0;
}

static int check_group_resources(const json_t *rule, const char *where, tug_error *err) {
  static const char *const known[] = {"group", "resources", "resourceNames", NULL};
  const json_t *list = json_object_get(rule, "resources"), *gr;
  size_t i;
  if (list == NULL)
    return 0;
  if (!json_is_array(list))
    return tug_error_set(err, TUG_E_PARSE, "%s.resources: must be a list", where);
  json_array_foreach(list, i, gr) {
    char at[128];
    snprintf(at, sizeof at, "%s.resources[%zu]", where, i);
    const json_t *group = json_object_get(gr, "group");
    if (!json_is_object(gr))
      return tug_error_set(err, TUG_E_PARSE, "%s: must be a mapping", at);
    if (check_keys(gr, known, at, err) < 0 || check_strings(gr, "resources", at, err) < 0 ||
        check_strings(gr, "resourceNames", at, err) < 0)
      return -1;
    if (group && !json_is_string(group) && !json_is_null(group))
      return tug_error_set(err, TUG_E_PARSE, "%s.group: must be a string", at);
  }
  return 0;
}

static int check_rule(const json_t *rule, size_t i, tug_error *err) {
  static const char *const known[] = {
      "level",           "users",      "userGroups",        "verbs", "resources", "namespaces",
      "nonResourceURLs", "omitStages", "omitManagedFields", NULL};
  static const char *const lists[] = {"users",      "userGroups",      "verbs",
                                      "namespaces", "nonResourceURLs", NULL};
  char where[64];
  snprintf(where, sizeof where, "rules[%zu]", i);
  if (!json_is_object(rule))
    return tug_error_set(err, TUG_E_PARSE, "%s: must be a mapping", where);
  if (check_keys(rule, known, where, err) < 0)
    return -1;
  const char *level = json_string_value(json_object_get(rule, "level"));
  if (parse_level(level) < 0)
    return tug_error_set(err, TUG_E_PARSE,
                         "%s.level: \"%s\" is not None, Metadata, Request or RequestResponse",
                         where, level ? level : "");
  for (int k = 0; lists[k]; k++)
    if (check_strings(rule, lists[k], where, err) < 0)
      return -1;
  if (json_object_get(rule, "nonResourceURLs") &&
      (json_object_get(rule, "resources") || json_object_get(rule, "namespaces")))
    return tug_error_set(err, TUG_E_PARSE,
                         "%s: a rule cannot apply to both resources and nonResourceURLs", where);
  unsigned omit;
  return check_group_resources(rule, where, err) < 0 ? -1 : parse_stages(rule, where, &omit, err);
}

/* A configuration file's type (it is no API object: the server serves no such kind). */
static const char policy_api_version[] = "audit.k8s.io/v1", policy_kind[] = "Policy";

static int check_policy(const json_t *doc, unsigned *omit, tug_error *err) {
  static const char *const known[] = {
      "apiVersion", "kind", "metadata", "rules", "omitStages", "omitManagedFields", NULL};
  const char *api_version = json_string_value(json_object_get(doc, "apiVersion"));
  const char *kind = json_string_value(json_object_get(doc, "kind"));
  if (api_version == NULL || strcmp(api_version, policy_api_version) != 0)
    return tug_error_set(err, TUG_E_PARSE, "apiVersion: \"%s\" is not %s",
                         api_version ? api_version : "", policy_api_version);
  if (kind == NULL || strcmp(kind, policy_kind) != 0)
    return tug_error_set(err, TUG_E_PARSE, "kind: \"%s\" is not %s", kind ? kind : "", policy_kind);
  if (check_keys(doc, known, "policy", err) < 0 || parse_stages(doc, "policy", omit, err) < 0)
    return -1;
  const json_t *rules = json_object_get(doc, "rules"), *rule;
  if (rules && !json_is_array(rules))
    return tug_error_set(err, TUG_E_PARSE, "rules: must be a list");
  size_t i;
  json_array_foreach(rules, i, rule) if (check_rule(rule, i, err) < 0) return -1;
  return 0;
}

api_audit_policy *api_audit_policy_new(const json_t *doc, const char *name, tug_error *err) {
  unsigned omit = 0;
  if (!json_is_object(doc)) {
    tug_error_set(err, TUG_E_PARSE, "%s: not a Policy document", name);
    return NULL;
  }
  if (check_policy(doc, &omit, err) < 0) {
    tug_error_wrap(err, "%s", name);
    return NULL;
  }
  api_audit_policy *p = calloc(1, sizeof *p);
  p->doc = json_deep_copy(doc);
  p->omit = omit;
  const json_t *rules = json_object_get(p->doc, "rules"), *rule;
  p->nrules = json_array_size(rules);
  p->rules = calloc(p->nrules ? p->nrules : 1, sizeof *p->rules);
  size_t i;
  json_array_foreach(rules, i, rule) {
    p->rules[i].json = rule;
    p->rules[i].level = parse_level(json_string_value(json_object_get(rule, "level")));
    parse_stages(rule, "", &p->rules[i].omit, NULL);
  }
  return p;
}

api_audit_policy *api_audit_policy_load(const char *path, tug_error *err) {
  json_t *docs = NULL;
  if (tug_manifest_decode_path(path, false, &docs, NULL, err) < 0)
    return NULL;
  api_audit_policy *p = NULL;
  if (json_array_size(docs) != 1)
    tug_error_set(err, TUG_E_PARSE, "%s: holds %zu documents, not one Policy", path,
                  json_array_size(docs));
  else
    p = api_audit_policy_new(json_array_get(docs, 0), path, err);
  json_decref(docs);
  return p;
}

void api_audit_policy_free(api_audit_policy *p) {
  if (p == NULL)
    return;
  json_decref(p->doc);
  free(p->rules);
  free(p);
}

static bool has_string(const json_t *list, const char *s) {
  size_t i;
  const json_t *v;
  json_array_foreach(list, i, v) if (strcmp(json_string_value(v), s) == 0) return true;
  return false;
}

/* "*" is everything; a trailing '*' makes the rest a prefix. */
static bool path_matches(const char *path, const char *spec) {
  size_t n = strlen(spec);
  if (strcmp(spec, "*") == 0 || strcmp(spec, path) == 0)
    return true;
  return n > 0 && spec[n - 1] == '*' && strncmp(path, spec, n - 1) == 0;
}

static bool resource_entry_matches(const char *res, const api_request_info *ri) {
  char combined[160];
  snprintf(combined, sizeof combined, "%s%s%s", ri->resource, ri->sub[0] ? "/" : "", ri->sub);
  size_t n = strlen(res);
  if (strcmp(res, "*") == 0 || strcmp(res, combined) == 0)
    return true;
  if (ri->sub[0] && strncmp(res, "*/", 2) == 0 && strcmp(res + 2, ri->sub) == 0)
    return true;
  return n > 2 && strcmp(res + n - 2, "/*") == 0 && strlen(ri->resource) == n - 2 &&
         strncmp(res, ri->resource, n - 2) == 0;
}

static bool group_resources_match(const json_t *gr, const api_request_info *ri) {
  const char *group = json_string_value(json_object_get(gr, "group"));
  if (strcmp(group ? group : "", ri->group) != 0)
    return false;
  const json_t *resources = json_object_get(gr, "resources"), *res;
  const json_t *names = json_object_get(gr, "resourceNames");
  if (json_array_size(resources) == 0)
    return true;
  if (json_array_size(names) > 0 && !has_string(names, ri->name))
    return false;
  size_t i;
  json_array_foreach(resources, i,
                     res) if (resource_entry_matches(json_string_value(res), ri)) return true;
  return false;
}

static bool rule_matches_resource(const json_t *rule, const api_request_info *ri) {
  if (!ri->is_resource)
    return false;
  const json_t *namespaces = json_object_get(rule, "namespaces");
  if (json_array_size(namespaces) > 0 && !has_string(namespaces, ri->ns))
    return false;
  const json_t *resources = json_object_get(rule, "resources"), *gr;
  if (json_array_size(resources) == 0)
    return true;
  size_t i;
  json_array_foreach(resources, i, gr) if (group_resources_match(gr, ri)) return true;
  return false;
}

static bool rule_matches_path(const json_t *rule, const char *path, const api_request_info *ri) {
  if (ri->is_resource)
    return false;
  size_t i;
  const json_t *spec;
  json_array_foreach(json_object_get(rule, "nonResourceURLs"), i,
                     spec) if (path_matches(path, json_string_value(spec))) return true;
  return false;
}

static bool user_matches(const json_t *rule, const api_user *u) {
  const json_t *users = json_object_get(rule, "users");
  const json_t *groups = json_object_get(rule, "userGroups");
  if (json_array_size(users) > 0 && !has_string(users, u->name))
    return false;
  if (json_array_size(groups) == 0)
    return true;
  for (int g = 0; g < u->ngroups; g++)
    if (has_string(groups, u->groups[g]))
      return true;
  return false;
}

static bool rule_matches(const json_t *rule, const api_user *u, const api_request_info *ri,
                         const char *path) {
  const json_t *verbs = json_object_get(rule, "verbs");
  if (!user_matches(rule, u) || (json_array_size(verbs) > 0 && !has_string(verbs, ri->verb)))
    return false;
  if (json_array_size(json_object_get(rule, "namespaces")) > 0 ||
      json_array_size(json_object_get(rule, "resources")) > 0)
    return rule_matches_resource(rule, ri);
  if (json_array_size(json_object_get(rule, "nonResourceURLs")) > 0)
    return rule_matches_path(rule, path, ri);
  return true;
}

api_audit_level api_audit_policy_level(const api_audit_policy *p, const api_user *u,
                                       const api_request_info *ri, const char *path,
                                       unsigned *omit) {
  for (size_t i = 0; i < p->nrules; i++)
    if (rule_matches(p->rules[i].json, u, ri, path)) {
      *omit = p->omit | p->rules[i].omit;
      return p->rules[i].level;
    }
  *omit = p->omit;
  return API_AUDIT_NONE;
}
