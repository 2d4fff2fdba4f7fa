/*
 * crd-kinds.c — from one served version of a CustomResourceDefinition to the
 * api_kind the registry serves (see crd.h), and what such a kind does to its
 * objects: prune, default and validate them by the version's schema
 * (jsonschema.h), and move them between the served and the stored version.
 *
 * A kind made here is never freed: requests in flight may hold it after its
 * CRD changed or went away, so it is retired instead (registry.h). There are
 * at most a few thousand in a process's life.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crd.h"
#include "jsonpath.h"
#include "jsonschema.h"
#include "object.h"
#include "schema/messages.h"
#include "storage.h"
#include "table-internal.h"

typedef struct custom_kind {
  api_kind kind;
  api_custom custom;
  api_strategy strategy;
} custom_kind;

static char *lower_dup(const char *s) {
  char *out = strdup(s);
  for (char *p = out; *p; p++)
    *p = (char)tolower((unsigned char)*p);
  return out;
}

static char *dup_at(const json_t *obj, const char *path) {
  const char *s = tug_obj_get_str(obj, path);
  return strdup(s ? s : "");
}

/* A JSON array of strings as a NULL-terminated array (at most max, if not 0). */
static const char **strings(const json_t *list, size_t max) {
  size_t n = json_array_size(list);
  if (max && n > max)
    n = max;
  const char **out = calloc(n + 1, sizeof *out);
  for (size_t i = 0; i < n; i++) {
    const char *s = json_string_value(json_array_get(list, i));
    out[i] = strdup(s ? s : "");
  }
  return out;
}

/* ".spec.replicas" → "spec.replicas"; NULL stays NULL. */
static char *dotted(const char *json_path) {
  if (json_path == NULL)
    return NULL;
  return strdup(json_path[0] == '.' ? json_path + 1 : json_path);
}

static const char *storage_version(const json_t *crd) {
  size_t i;
  json_t *v;
  json_array_foreach(
      tug_obj_get(crd, "spec.versions"), i,
      v) if (json_is_true(json_object_get(v, "storage"))) return tug_obj_get_str(v, "name");
  return NULL;
}

/* Name, then the version's additionalPrinterColumns (or Age when it has none). */
static api_column *columns_of(const json_t *version, tug_jsonpath ***paths) {
  const json_t *defs = json_object_get(version, "additionalPrinterColumns");
  size_t n = json_array_size(defs);
  api_column *cols = calloc(n + 3, sizeof *cols);
  *paths = calloc(n + 3, sizeof **paths);
  cols[0] = (api_column)TABLE_COLUMN_NAME;
  size_t o = 1, i;
  json_t *d;
  json_array_foreach(defs, i, d) {
    tug_error err = {0};
    char *relaxed = tug_jsonpath_relaxed(tug_obj_get_str(d, "jsonPath"), &err);
    tug_jsonpath *path = relaxed ? tug_jsonpath_parse(relaxed, &err) : NULL;
    free(relaxed);
    if (path == NULL)
      continue; /* refused by the CRD's validation; never here */
    (*paths)[o] = path;
    cols[o++] = (api_column){.name = dup_at(d, "name"),
                             .type = dup_at(d, "type"),
                             .format = dup_at(d, "format"),
                             .priority = (int)tug_obj_get_int(d, "priority", 0),
                             .description = dup_at(d, "description")};
  }
  if (n == 0)
    cols[o++] = (api_column)TABLE_COLUMN_AGE;
  return cols;
}

static void fill_custom(api_custom *c, const json_t *crd, const json_t *version) {
  const char *group = tug_obj_get_str(crd, "spec.group");
  c->crd_name = dup_at(crd, "metadata.name");
  c->crd_uid = dup_at(crd, "metadata.uid");
  c->crd_generation = tug_obj_get_int(crd, "metadata.generation", 0);
  if (asprintf(&c->storage_api_version, "%s/%s", group, storage_version(crd)) < 0 ||
      asprintf(&c->key_segment, "%s/%s", group, tug_obj_get_str(crd, "spec.names.plural")) < 0)
    abort();
  json_t *schema = tug_obj_get(version, "schema.openAPIV3Schema");
  c->schema = schema ? json_deep_copy(schema) : NULL;
  const json_t *scale = tug_obj_get(version, "subresources.scale");
  if (scale) {
    c->scale_spec = dotted(tug_obj_get_str(scale, "specReplicasPath"));
    c->scale_status = dotted(tug_obj_get_str(scale, "statusReplicasPath"));
    c->scale_selector = dotted(tug_obj_get_str(scale, "labelSelectorPath"));
  }
  if (json_is_true(json_object_get(version, "deprecated"))) {
    const char *w = tug_obj_get_str(version, "deprecationWarning");
    if (w)
      c->deprecation_warning = strdup(w);
    else if (asprintf(&c->deprecation_warning, "%s/%s %s is deprecated", group,
                      tug_obj_get_str(version, "name"),
                      tug_obj_get_str(crd, "spec.names.kind")) < 0)
      abort();
  }
}

/* "example.com", "v1", "Widget" → "com.example.v1.Widget", as Kubernetes names it. */
static char *definition_name(const char *group, const char *version, const char *kind) {
  size_t size = strlen(group) + strlen(version) + strlen(kind) + 3;
  char *name = malloc(size), *p = name;
  for (const char *end = group + strlen(group); end > group;) {
    const char *dot = end;
    while (dot > group && dot[-1] != '.')
      dot--;
    p += sprintf(p, "%.*s.", (int)(end - dot), dot);
    end = dot > group ? dot - 1 : group;
  }
  sprintf(p, "%s.%s", version, kind);
  return name;
}

static void fill_messages(api_custom *c, const api_kind *k) {
  c->message.name = definition_name(k->group, k->version, k->kind);
  c->message.description = "";
  char *list_kind;
  if (asprintf(&list_kind, "%sList", k->kind) < 0)
    abort();
  c->list_fields[0] = (api_field){.name = "metadata",
                                  .number = 1,
                                  .type = API_SCHEMA_MESSAGE,
                                  .message = &api_msg_meta_v1_ListMeta,
                                  .flags = API_FIELD_OMITEMPTY};
  c->list_fields[1] = (api_field){.name = "items",
                                  .number = 2,
                                  .type = API_SCHEMA_MESSAGE,
                                  .shape = API_SCHEMA_LIST,
                                  .message = &c->message,
                                  .flags = API_FIELD_REQUIRED};
  c->list_message = (api_message){.name = definition_name(k->group, k->version, list_kind),
                                  .description = "A list of objects of one custom kind.",
                                  .fields = c->list_fields,
                                  .n_fields = 2};
  c->schema_kind = (api_schema_kind){k->group, k->version, k->kind, &c->message};
  free(list_kind);
}

/* The version's selectableFields, as the strategy's dotted paths. */
static const char *const *selectable(const json_t *version) {
  const json_t *fields = json_object_get(version, "selectableFields");
  size_t n = json_array_size(fields);
  const char **out = calloc(n + 1, sizeof *out);
  for (size_t i = 0; i < n; i++)
    out[i] = dotted(tug_obj_get_str(json_array_get(fields, i), "jsonPath"));
  return out;
}

api_kind *api_crd_kind_new(const json_t *crd, const json_t *version) {
  if (!json_is_true(json_object_get(version, "served")) || storage_version(crd) == NULL)
    return NULL;
  custom_kind *ck = calloc(1, sizeof *ck);
  api_kind *k = &ck->kind;
  k->group = dup_at(crd, "spec.group");
  k->version = dup_at(version, "name");
  k->kind = dup_at(crd, "spec.names.kind");
  k->plural = dup_at(crd, "spec.names.plural");
  const char *singular = tug_obj_get_str(crd, "spec.names.singular");
  k->singular = singular && singular[0] ? strdup(singular) : lower_dup(k->kind);
  const char **shorts = strings(tug_obj_get(crd, "spec.names.shortNames"), 7);
  for (size_t i = 0; shorts[i]; i++)
    k->short_names[i] = shorts[i];
  free(shorts);
  const char *scope = tug_obj_get_str(crd, "spec.scope");
  k->namespaced = scope && strcmp(scope, "Namespaced") == 0;
  if (tug_obj_get(version, "subresources.status"))
    k->subresources |= API_SUB_STATUS;
  if (tug_obj_get(version, "subresources.scale"))
    k->subresources |= API_SUB_SCALE;
  k->verbs = api_verbs_all;
  const json_t *cats = tug_obj_get(crd, "spec.names.categories");
  k->categories = json_array_size(cats) ? strings(cats, 0) : NULL;
  k->columns = columns_of(version, &ck->custom.column_paths);
  ck->strategy.selectable_fields = selectable(version);
  k->strategy = &ck->strategy;
  fill_custom(&ck->custom, crd, version);
  fill_messages(&ck->custom, k);
  k->custom = &ck->custom;
  return k;
}

/* ---- objects ---- */

void api_custom_prune(const api_kind *k, json_t *obj, json_t *unknown) {
  if (k->custom->schema)
    api_jsonschema_prune(k->custom->schema, obj, true, unknown);
}

void api_custom_validate(const api_kind *k, json_t *obj, json_t *causes) {
  if (k->custom->schema == NULL)
    return;
  api_jsonschema_default(k->custom->schema, obj);
  api_jsonschema_validate(k->custom->schema, obj, "", causes);
}

void api_custom_set_version(const api_kind *k, json_t *obj) {
  char want[256];
  api_kind_api_version(k, want, sizeof want);
  const char *av = tug_obj_api_version(obj);
  if (av == NULL || strcmp(av, want) != 0)
    json_object_set_new(obj, "apiVersion", json_string(want));
}

char *api_custom_encode(const api_kind *k, const json_t *obj) {
  json_t *copy = json_copy((json_t *)obj);
  json_object_set_new(copy, "apiVersion", json_string(k->custom->storage_api_version));
  char *s = api_storage_encode(copy);
  json_decref(copy);
  return s;
}
