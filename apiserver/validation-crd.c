/*
 * validation-crd.c — CustomResourceDefinition (apiextensions.k8s.io/v1).
 *
 * A CRD is checked as Kubernetes checks it, because a bad one would break
 * every object of its kind: its name is <plural>.<group>, its names are DNS
 * labels, exactly one version is stored, every version has a structural
 * schema (jsonschema.h), printer columns parse, and the scale paths point
 * into spec and status. What Tugboat does not run (conversion webhooks, CEL
 * rules) is refused here rather than silently ignored.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonpath.h"
#include "jsonschema.h"
#include "object.h"
#include "validation-internal.h"
#include "validation.h"

static char *lower_dup(const char *s) {
  char *out = strdup(s);
  for (char *p = out; *p; p++)
    *p = (char)tolower((unsigned char)*p);
  return out;
}

void api_default_customresourcedefinition(json_t *obj) {
  json_t *spec = json_object_get(obj, "spec");
  if (!json_is_object(spec))
    return;
  json_t *names = json_object_get(spec, "names");
  const char *kind = tug_obj_get_str(names, "kind");
  if (json_is_object(names) && kind && !tug_obj_get_str(names, "singular")) {
    char *lower = lower_dup(kind);
    json_object_set_new(names, "singular", json_string(lower));
    free(lower);
  }
  if (json_is_object(names) && kind && !tug_obj_get_str(names, "listKind"))
    json_object_set_new(names, "listKind", json_sprintf("%sList", kind));
  if (json_object_get(spec, "conversion") == NULL)
    json_object_set_new(spec, "conversion", json_pack("{s:s}", "strategy", "None"));
}

/* A kind's name: mixed case allowed, otherwise a DNS label. */
static void check_kind_name(const val_obj *names, const char *key) {
  const char *kind = val_string(names, key);
  if (kind == NULL)
    return;
  char *lower = lower_dup(kind);
  if (!api_dns1123_label(lower))
    val_invalid_str(names, key, kind,
                    "may have mixed case, but should otherwise match: [a-z]([-a-z0-9]*[a-z0-9])?");
  free(lower);
}

static void validate_label_list(const val_obj *names, const char *key) {
  json_t *list = val_array(names, key);
  size_t i;
  json_t *v;
  json_array_foreach(list, i, v) {
    val_field f = val_bracket_index(i);
    char path[VAL_FIELD_MAX + 16];
    snprintf(path, sizeof path, "%s%s", key, f.s);
    if (!json_is_string(v) || !api_dns1123_label(json_string_value(v)))
      val_invalid(names, path, v,
                  "a lowercase RFC 1123 label must consist of lower case "
                  "alphanumeric characters or '-'");
  }
}

static void validate_names(const val_obj *spec) {
  val_obj names;
  if (!val_enter(&names, spec, "names")) {
    val_required(spec, "names", NULL);
    return;
  }
  if (val_string_required(&names, "plural"))
    val_dns_label(&names, "plural");
  val_dns_label(&names, "singular");
  if (val_string_required(&names, "kind"))
    check_kind_name(&names, "kind");
  check_kind_name(&names, "listKind");
  validate_label_list(&names, "shortNames");
  validate_label_list(&names, "categories");
}

static void validate_columns(const val_obj *version) {
  static const char *const types[] = {"integer", "number", "string", "boolean", "date", NULL};
  size_t n = val_array_len(version, "additionalPrinterColumns");
  for (size_t i = 0; i < n; i++) {
    val_obj col;
    if (!val_enter_item(&col, version, "additionalPrinterColumns", i))
      continue;
    val_string_required(&col, "name");
    if (val_string_required(&col, "type"))
      val_enum(&col, "type", types);
    int64_t prio;
    if (val_present(&col, "priority") && val_int(&col, "priority", &prio) && prio < 0)
      val_invalid(&col, "priority", json_object_get(col.json, "priority"),
                  "must be greater than or equal to 0");
    const char *path = val_string_required(&col, "jsonPath");
    tug_error err = {0};
    char *relaxed = path ? tug_jsonpath_relaxed(path, &err) : NULL;
    tug_jsonpath *jp = relaxed ? tug_jsonpath_parse(relaxed, &err) : NULL;
    if (path && jp == NULL)
      val_invalid_str(&col, "jsonPath", path, "must be a simple json path: %s", err.msg);
    tug_jsonpath_free(jp);
    free(relaxed);
  }
}

/* A scale path: a JSON path under one of the prefixes. */
static void check_scale_path(const val_obj *scale, const char *key, bool required,
                             const char *const *prefixes) {
  const char *p = required ? val_string_required(scale, key) : val_string(scale, key);
  if (p == NULL)
    return;
  for (const char *const *pre = prefixes; *pre; pre++)
    if (strncmp(p, *pre, strlen(*pre)) == 0 && p[strlen(*pre)] != '\0' && !strchr(p, '['))
      return;
  val_invalid_str(scale, key, p, "should be a json path under %s",
                  prefixes[1] ? ".spec or .status" : prefixes[0]);
}

static void validate_subresources(const val_obj *version) {
  val_obj subs, scale;
  if (!val_enter(&subs, version, "subresources"))
    return;
  val_object(&subs, "status");
  if (!val_enter(&scale, &subs, "scale"))
    return;
  check_scale_path(&scale, "specReplicasPath", true, (const char *const[]){".spec.", NULL});
  check_scale_path(&scale, "statusReplicasPath", true, (const char *const[]){".status.", NULL});
  check_scale_path(&scale, "labelSelectorPath", false,
                   (const char *const[]){".spec.", ".status.", NULL});
}

static void validate_version(const val_obj *version, json_t *seen, int *storage) {
  const char *name = val_string_required(version, "name");
  if (name && val_dns_label(version, "name") && json_object_get(seen, name))
    val_duplicate(version, "name", json_object_get(version->json, "name"));
  else if (name)
    json_object_set_new(seen, name, json_true());
  if (!val_present(version, "served"))
    val_required(version, "served", NULL);
  if (!val_present(version, "storage"))
    val_required(version, "storage", NULL);
  *storage +=
      val_bool(version, "storage") && json_is_true(json_object_get(version->json, "storage"));
  val_obj schema;
  if (!val_enter(&schema, version, "schema") || !val_present(&schema, "openAPIV3Schema")) {
    val_required(version, "schema.openAPIV3Schema", "schemas are required");
  } else {
    val_field f = val_path(&schema, "openAPIV3Schema");
    api_jsonschema_check(json_object_get(schema.json, "openAPIV3Schema"), f.s, true,
                         version->causes);
  }
  validate_subresources(version);
  validate_columns(version);
}

static void validate_versions(const val_obj *spec) {
  size_t n = val_array_len(spec, "versions");
  if (n == 0) {
    val_required(spec, "versions", "must have exactly one version marked as storage version");
    return;
  }
  json_t *seen = json_object();
  int storage = 0;
  for (size_t i = 0; i < n; i++) {
    val_obj version;
    if (val_enter_item(&version, spec, "versions", i))
      validate_version(&version, seen, &storage);
  }
  json_decref(seen);
  if (storage != 1)
    val_invalid(spec, "versions", json_object_get(spec->json, "versions"),
                "must have exactly one version marked as storage version");
}

static void validate_spec(const val_obj *root, const json_t *obj) {
  static const char *const scopes[] = {"Cluster", "Namespaced", NULL};
  static const char *const strategies[] = {"None", NULL};
  val_obj spec, conversion;
  if (!val_enter(&spec, root, "spec")) {
    val_required(root, "spec", NULL);
    return;
  }
  const char *group = val_string_required(&spec, "group");
  if (group && val_subdomain(&spec, "group") && !strchr(group, '.'))
    val_invalid_str(&spec, "group", group, "should be a domain with at least one dot");
  validate_names(&spec);
  if (val_string_required(&spec, "scope"))
    val_enum(&spec, "scope", scopes);
  validate_versions(&spec);
  if (val_bool(&spec, "preserveUnknownFields") &&
      json_is_true(json_object_get(spec.json, "preserveUnknownFields")))
    val_invalid(&spec, "preserveUnknownFields", json_true(), "must be false");
  if (val_enter(&conversion, &spec, "conversion") && val_string_required(&conversion, "strategy"))
    val_enum(&conversion, "strategy", strategies);
  const char *name = tug_obj_name(obj), *plural = tug_obj_get_str(obj, "spec.names.plural");
  char want[512];
  snprintf(want, sizeof want, "%s.%s", plural ? plural : "", group ? group : "");
  if (name && plural && group && strcmp(name, want) != 0) {
    val_obj meta;
    val_descend(&meta, root, "metadata", json_object_get(obj, "metadata"));
    val_invalid_str(&meta, "name", name, "must be spec.names.plural+\".\"+spec.group");
  }
}

void api_validate_customresourcedefinition(const json_t *obj, const json_t *old, json_t *causes) {
  val_obj root, spec;
  val_root(&root, obj, causes);
  validate_spec(&root, obj);
  if (old == NULL || !val_enter(&spec, &root, "spec"))
    return;
  /* Objects are stored under group and plural, and their namespace rules with scope. */
  val_immutable(&spec, "scope", json_object_get(old, "spec"));
  val_immutable(&spec, "group", json_object_get(old, "spec"));
}
