/*
 * admission-ignored.c — warnings for what an object may carry, Kubernetes
 * accepts and users' manifests have, but Tugboat does not act on: the object
 * is stored as written (a later Tugboat may honour it), and whoever applies
 * it is told, field by field, as Kubernetes warns about deprecated fields (a
 * Warning header each, which kubectl prints). The fields are the tables of
 * schema/ignored-fields.c; this file only walks them.
 */
#include <stdio.h>
#include <string.h>

#include "ignored.h"

/* Whether v is one of the values Tugboat acts on. */
static bool honoured(const json_t *v, const char *const *values) {
  for (size_t i = 0; values && values[i]; i++) {
    json_t *lit = json_loads(values[i], JSON_DECODE_ANY, NULL);
    bool same = json_equal(v, lit);
    json_decref(lit);
    if (same)
      return true;
  }
  return false;
}

/* An empty list or object, or null, asks for nothing. */
static bool asks_nothing(const json_t *v) {
  return json_is_null(v) || (json_is_array(v) && json_array_size(v) == 0) ||
         (json_is_object(v) && json_object_size(v) == 0);
}

static void report(const json_t *v, const json_t *old, const char *at, const api_ignored_field *f,
                   api_response *out) {
  if (asks_nothing(v) || (old && json_equal(v, old)) || honoured(v, f->honoured))
    return;
  api_warn(out, "%s: ignored by Tugboat: %s", at, f->why);
}

/* Follow path (what is left of f's) from node, and the same steps from old
 * (NULL when it has no such place); shown is the path walked so far, with
 * list indexes, as the warning names it. */
static void walk(const json_t *node, const json_t *old, const char *path, const char *shown,
                 const api_ignored_field *f, api_response *out) {
  const char *dot = strchr(path, '.');
  size_t len = dot ? (size_t)(dot - path) : strlen(path);
  bool list = len > 2 && strncmp(path + len - 2, "[]", 2) == 0;
  char key[64], here[512];
  snprintf(key, sizeof key, "%.*s", (int)(len - (list ? 2 : 0)), path);
  const json_t *v = json_object_get(node, key), *was = json_object_get(old, key);
  if (v == NULL)
    return;
  snprintf(here, sizeof here, "%s%s%s", shown, shown[0] ? "." : "", key);
  if (!list) {
    if (dot)
      walk(v, was, dot + 1, here, f, out);
    else
      report(v, was, here, f, out);
    return;
  }
  size_t i;
  const json_t *item;
  json_array_foreach(v, i, item) {
    char at[544];
    snprintf(at, sizeof at, "%s[%zu]", here, i);
    if (dot)
      walk(item, json_array_get(was, i), dot + 1, at, f, out);
    else
      report(item, json_array_get(was, i), at, f, out);
  }
}

/* Walk each field of a table from the place prefix names ("" the object). */
static void walk_table(const json_t *obj, const json_t *old, const char *prefix,
                       const api_ignored_field *fields, api_response *out) {
  for (const api_ignored_field *f = fields; f->path; f++) {
    char path[512];
    snprintf(path, sizeof path, "%s%s%s", prefix, prefix[0] ? "." : "", f->path);
    walk(obj, old, path, "", f, out);
  }
}

static void warn_pod(const char *spec, const json_t *obj, const json_t *old, api_response *out) {
  static const char *const lists[] = {"initContainers[]", "containers[]"};
  walk_table(obj, old, spec, api_ignored_pod_spec, out);
  for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
    char prefix[256];
    snprintf(prefix, sizeof prefix, "%s.%s", spec, lists[i]);
    walk_table(obj, old, prefix, api_ignored_container, out);
  }
}

void api_warn_ignored(const api_kind *k, const json_t *obj, const json_t *old, api_response *out) {
  const char *where = k->strategy->pod_template;
  if (where) {
    char spec[128];
    snprintf(spec, sizeof spec, "%s%sspec", where, where[0] ? "." : "");
    warn_pod(spec, obj, old, out);
  }
  for (const api_ignored_kind *t = api_ignored_kinds; t->kind; t++)
    if (strcmp(t->group, k->group) == 0 && strcmp(t->kind, k->kind) == 0)
      walk_table(obj, old, t->prefix, t->fields, out);
}
