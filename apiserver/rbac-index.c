/*
 * rbac-index.c — building and asking the RBAC index (see rbac-index.h).
 */
#include "rbac-index.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"
#include "object.h"
#include "selector.h"

typedef struct grant {
  char *ns; /* NULL: every namespace (a ClusterRoleBinding) */
  const rbac_rules *rules;
} grant;

typedef struct grant_list {
  size_t n, cap;
  grant *v;
} grant_list;

typedef struct role_entry {
  rbac_rules rules;
  json_t *aggregated; /* an aggregated ClusterRole's union of rules, or NULL */
  bool stale;         /* the stored rules differ from aggregated */
} role_entry;

struct rbac_index {
  tug_hashmap *roles;         /* "ns/name" → role_entry */
  tug_hashmap *cluster_roles; /* name → role_entry */
  tug_hashmap *subjects;      /* "U:name" or "G:name" → grant_list */
  size_t ngrants;
};

static void role_free(void *p) {
  role_entry *r = p;
  if (r == NULL)
    return;
  rbac_rules_free(&r->rules);
  json_decref(r->aggregated);
  free(r);
}

static void grants_free(void *p) {
  grant_list *l = p;
  for (size_t i = 0; i < l->n; i++)
    free(l->v[i].ns);
  free(l->v);
  free(l);
}

void rbac_index_free(rbac_index *ix) {
  if (ix == NULL)
    return;
  tug_hashmap_free(ix->subjects, grants_free);
  tug_hashmap_free(ix->roles, role_free);
  tug_hashmap_free(ix->cluster_roles, role_free);
  free(ix);
}

static role_entry *role_new(const json_t *rules) {
  role_entry *r = calloc(1, sizeof *r);
  if (r && rbac_rules_parse(rules, &r->rules) < 0) {
    role_free(r);
    return NULL;
  }
  return r;
}

static void add_roles(rbac_index *ix, const rbac_objects *o) {
  char key[600];
  for (size_t i = 0; i < o->nroles; i++) {
    snprintf(key, sizeof key, "%s/%s", tug_obj_namespace(o->roles[i]) ?: "",
             tug_obj_name(o->roles[i]) ?: "");
    role_entry *r = role_new(json_object_get(o->roles[i], "rules"));
    if (r)
      role_free(tug_hashmap_put(ix->roles, key, r));
  }
  for (size_t i = 0; i < o->ncluster_roles; i++) {
    const char *name = tug_obj_name(o->cluster_roles[i]);
    role_entry *r = name ? role_new(json_object_get(o->cluster_roles[i], "rules")) : NULL;
    if (r)
      role_free(tug_hashmap_put(ix->cluster_roles, name, r));
  }
}

/* ---- aggregation ---- */

static bool selected(const json_t *selectors, const json_t *role) {
  size_t i;
  json_t *s;
  json_array_foreach(selectors, i, s) {
    tug_selector *sel = NULL;
    tug_error err = {0};
    if (tug_selector_from_match_labels(json_object_get(s, "matchLabels"),
                                       json_object_get(s, "matchExpressions"), &sel, &err) < 0)
      continue;
    bool m = tug_selector_matches(sel, tug_obj_labels(role));
    tug_selector_free(sel);
    if (m)
      return true;
  }
  return false;
}

static void add_unique(json_t *union_, const json_t *rules) {
  size_t i, j;
  json_t *r, *have;
  json_array_foreach(rules, i, r) {
    bool dup = false;
    json_array_foreach(union_, j, have) dup |= json_equal(have, r);
    if (!dup)
      json_array_append(union_, r);
  }
}

/* An aggregated ClusterRole holds the rules of the ClusterRoles its selectors
 * match, as those are stored (aggregation does not chain within one pass, as
 * in Kubernetes, whose controller converges over several). */
static void aggregate(rbac_index *ix, const rbac_objects *o, const json_t *agg) {
  const json_t *selectors = tug_obj_get(agg, "aggregationRule.clusterRoleSelectors");
  const char *name = tug_obj_name(agg);
  role_entry *r = name ? tug_hashmap_get(ix->cluster_roles, name) : NULL;
  if (!json_is_array(selectors) || r == NULL)
    return;
  json_t *union_ = json_array();
  for (size_t i = 0; i < o->ncluster_roles; i++) {
    const json_t *c = o->cluster_roles[i];
    const char *cn = tug_obj_name(c);
    if (cn && strcmp(cn, name) != 0 && selected(selectors, c))
      add_unique(union_, json_object_get(c, "rules"));
  }
  const json_t *stored = json_object_get(agg, "rules");
  r->stale = !json_equal(union_, stored) && !(json_array_size(union_) == 0 && stored == NULL);
  rbac_rules_free(&r->rules);
  rbac_rules_parse(union_, &r->rules);
  r->aggregated = union_;
}

/* ---- bindings ---- */

static void add_grant(rbac_index *ix, const char *key, const char *ns, const rbac_rules *rules) {
  grant_list *l = tug_hashmap_get(ix->subjects, key);
  if (l == NULL) {
    l = calloc(1, sizeof *l);
    if (l == NULL)
      return;
    tug_hashmap_put(ix->subjects, key, l);
  }
  if (l->n == l->cap) {
    size_t cap = l->cap ? 2 * l->cap : 4;
    grant *v = realloc(l->v, cap * sizeof *v);
    if (v == NULL)
      return;
    l->v = v, l->cap = cap;
  }
  l->v[l->n++] = (grant){ns ? strdup(ns) : NULL, rules};
  ix->ngrants++;
}

/* "U:name" or "G:name" for a subject; false for a kind RBAC does not know. */
static bool subject_key(const json_t *s, const char *binding_ns, char *key, size_t size) {
  const char *type = json_string_value(json_object_get(s, "kind"));
  const char *name = json_string_value(json_object_get(s, "name"));
  if (type == NULL || name == NULL)
    return false;
  if (strcmp(type, "User") == 0)
    snprintf(key, size, "U:%s", name);
  else if (strcmp(type, "Group") == 0)
    snprintf(key, size, "G:%s", name);
  else if (strcmp(type, "ServiceAccount") == 0) {
    const char *ns = json_string_value(json_object_get(s, "namespace"));
    snprintf(key, size, "U:system:serviceaccount:%s:%s", ns && *ns ? ns : binding_ns, name);
  } else
    return false;
  return true;
}

static const rbac_rules *resolve(const rbac_index *ix, const json_t *ref, const char *ns) {
  const char *type = json_string_value(json_object_get(ref, "kind"));
  const char *name = json_string_value(json_object_get(ref, "name"));
  if (type == NULL || name == NULL)
    return NULL;
  if (strcmp(type, "ClusterRole") == 0)
    return rbac_index_cluster_role(ix, name);
  if (strcmp(type, "Role") == 0 && ns)
    return rbac_index_role(ix, ns, name);
  return NULL;
}

static void add_binding(rbac_index *ix, const json_t *b, bool cluster) {
  const char *ns = cluster ? NULL : tug_obj_namespace(b);
  const rbac_rules *rules = resolve(ix, json_object_get(b, "roleRef"), ns);
  if (rules == NULL || (!cluster && ns == NULL))
    return;
  size_t i;
  json_t *s;
  json_array_foreach(json_object_get(b, "subjects"), i, s) {
    char key[600];
    if (subject_key(s, ns ? ns : "", key, sizeof key))
      add_grant(ix, key, ns, rules);
  }
}

rbac_index *rbac_index_build(const rbac_objects *o) {
  rbac_index *ix = calloc(1, sizeof *ix);
  if (ix == NULL)
    return NULL;
  ix->roles = tug_hashmap_new();
  ix->cluster_roles = tug_hashmap_new();
  ix->subjects = tug_hashmap_new();
  add_roles(ix, o);
  for (size_t i = 0; i < o->ncluster_roles; i++)
    aggregate(ix, o, o->cluster_roles[i]);
  for (size_t i = 0; i < o->nbindings; i++)
    add_binding(ix, o->bindings[i], false);
  for (size_t i = 0; i < o->ncluster_bindings; i++)
    add_binding(ix, o->cluster_bindings[i], true);
  return ix;
}

/* ---- asking ---- */

const rbac_rules *rbac_index_role(const rbac_index *ix, const char *ns, const char *name) {
  char key[600];
  snprintf(key, sizeof key, "%s/%s", ns, name);
  role_entry *r = tug_hashmap_get(ix->roles, key);
  return r ? &r->rules : NULL;
}

const rbac_rules *rbac_index_cluster_role(const rbac_index *ix, const char *name) {
  role_entry *r = tug_hashmap_get(ix->cluster_roles, name);
  return r ? &r->rules : NULL;
}

static bool applies(const grant *g, const char *ns) {
  return g->ns == NULL || (ns && strcmp(g->ns, ns) == 0);
}

static bool list_allows(const grant_list *l, const api_authz_attrs *a) {
  for (size_t i = 0; l && i < l->n; i++)
    if (applies(&l->v[i], a->ns) && rbac_rules_allow(l->v[i].rules, a))
      return true;
  return false;
}

static const grant_list *lookup(const rbac_index *ix, char prefix, const char *name) {
  char key[API_USER_NAME_MAX + 4];
  size_t n = strnlen(name, API_USER_NAME_MAX);
  key[0] = prefix, key[1] = ':';
  memcpy(key + 2, name, n);
  key[n + 2] = '\0';
  return tug_hashmap_get(ix->subjects, key);
}

bool rbac_index_allows(const rbac_index *ix, const api_authz_attrs *a) {
  const api_user *u = a->user;
  if (ix == NULL || u == NULL)
    return false;
  if (list_allows(lookup(ix, 'U', u->name), a))
    return true;
  for (int i = 0; i < u->ngroups; i++)
    if (list_allows(lookup(ix, 'G', u->groups[i]), a))
      return true;
  return false;
}

static int append_list(const grant_list *l, const char *ns, rbac_rules *out) {
  for (size_t i = 0; l && i < l->n; i++) {
    const grant *g = &l->v[i];
    bool ok = g->ns == NULL || (ns[0] && strcmp(g->ns, ns) == 0);
    if (ok && rbac_rules_append(out, g->rules) < 0)
      return -1;
  }
  return 0;
}

int rbac_index_user_rules(const rbac_index *ix, const api_user *u, const char *ns,
                          rbac_rules *out) {
  if (append_list(lookup(ix, 'U', u->name), ns, out) < 0)
    return -1;
  for (int i = 0; i < u->ngroups; i++)
    if (append_list(lookup(ix, 'G', u->groups[i]), ns, out) < 0)
      return -1;
  return 0;
}

void rbac_index_stale_aggregates(const rbac_index *ix,
                                 void (*fn)(const char *name, const json_t *rules, void *arg),
                                 void *arg) {
  tug_hashmap_iter it;
  const char *name;
  void *v;
  tug_hashmap_iter_init(&it, ix->cluster_roles);
  while (tug_hashmap_next(&it, &name, &v)) {
    role_entry *r = v;
    if (r->aggregated && r->stale)
      fn(name, r->aggregated, arg);
  }
}

size_t rbac_index_grants(const rbac_index *ix) {
  return ix ? ix->ngrants : 0;
}
