/*
 * openapi-schema.c — a schema message as an OpenAPI definition.
 *
 * Each message becomes one named object definition whose properties are its
 * fields (an inlined message's fields among them). What kubectl reads from
 * them: descriptions, types and `required` for `explain`, and the list
 * extensions (x-kubernetes-patch-merge-key, -patch-strategy, -list-type,
 * -list-map-keys) for the strategic merge patches `apply` computes. A root
 * message is tagged with every group-version-kind the tables give it, which
 * is how kubectl finds a kind's definition.
 */
#include <stdio.h>
#include <string.h>

#include "openapi-internal.h"

/* Values with a name of their own in Kubernetes' documents. */
static const struct {
  api_schema_type type;
  const char *name;
  const char *description;
} named_scalars[] = {
    {API_SCHEMA_QUANTITY, "io.k8s.apimachinery.pkg.api.resource.Quantity",
     "A fixed-point amount: 500m, 1.5, 128Mi, 2G."},
    {API_SCHEMA_INT_OR_STRING, "io.k8s.apimachinery.pkg.util.intstr.IntOrString",
     "An integer or a string: 8080 or \"http\", 25 or \"25%\"."},
    {API_SCHEMA_TIME, "io.k8s.apimachinery.pkg.apis.meta.v1.Time",
     "A time in RFC 3339 form, to the second."},
    {API_SCHEMA_MICROTIME, "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime",
     "A time in RFC 3339 form, to the microsecond."},
};

json_t *api_openapi_ref(api_openapi_dialect d, const char *name) {
  return json_pack("{s:s+}", "$ref",
                   d == API_OPENAPI_V2 ? "#/definitions/" : "#/components/schemas/", name);
}

json_t *api_openapi_gvk(const char *group, const char *version, const char *kind) {
  return json_pack("{s:s, s:s, s:s}", "group", group, "kind", kind, "version", version);
}

static json_t *primitive(api_schema_type t) {
  json_t *s = json_pack("{s:s}", "type", api_schema_openapi_type(t));
  const char *format = api_schema_openapi_format(t);
  if (format && format[0])
    json_object_set_new(s, "format", json_string(format));
  if (t == API_SCHEMA_JSON)
    json_object_set_new(s, "x-kubernetes-preserve-unknown-fields", json_true());
  return s;
}

static const char *scalar_name(api_schema_type t) {
  for (size_t i = 0; i < sizeof named_scalars / sizeof named_scalars[0]; i++)
    if (named_scalars[i].type == t)
      return named_scalars[i].name;
  return NULL;
}

static void define_scalar(api_openapi_dialect d, api_schema_type t, json_t *defs) {
  (void)d;
  for (size_t i = 0; i < sizeof named_scalars / sizeof named_scalars[0]; i++) {
    if (named_scalars[i].type != t || json_object_get(defs, named_scalars[i].name))
      continue;
    json_t *s = primitive(t);
    json_object_set_new(s, "description", json_string(named_scalars[i].description));
    json_object_set_new(defs, named_scalars[i].name, s);
  }
}

/* The schema of one value of f (an element of a list, a value of a map). */
static json_t *value_schema(api_openapi_dialect d, const api_field *f, json_t *defs) {
  if (f->type == API_SCHEMA_MESSAGE && f->message) {
    api_openapi_define(d, f->message, defs);
    return api_openapi_ref(d, f->message->name);
  }
  const char *name = scalar_name(f->type);
  if (name) {
    define_scalar(d, f->type, defs);
    return api_openapi_ref(d, name);
  }
  json_t *s = primitive(f->type);
  if (f->enum_values) {
    json_t *values = json_array();
    for (const char *const *v = f->enum_values; *v; v++)
      json_array_append_new(values, json_string(*v));
    json_object_set_new(s, "enum", values);
  }
  return s;
}

/* A reference cannot carry siblings in OpenAPI 3.0: Kubernetes wraps it in
 * allOf when the property has a description of its own. */
static json_t *scalar_property(api_openapi_dialect d, json_t *value) {
  if (d == API_OPENAPI_V3 && json_object_get(value, "$ref"))
    return json_pack("{s:[o]}", "allOf", value);
  return value;
}

static const char *list_type_name(api_list_type t) {
  switch (t) {
  case API_LIST_ATOMIC:
    return "atomic";
  case API_LIST_SET:
    return "set";
  case API_LIST_MAP:
    return "map";
  default:
    return NULL;
  }
}

static void add_list_extensions(const api_field *f, json_t *p) {
  const char *lt = list_type_name(f->list_type);
  if (lt)
    json_object_set_new(p, "x-kubernetes-list-type", json_string(lt));
  if (f->list_keys) {
    json_t *keys = json_array();
    for (const char *const *k = f->list_keys; *k; k++)
      json_array_append_new(keys, json_string(*k));
    json_object_set_new(p, "x-kubernetes-list-map-keys", keys);
  }
  if (f->patch_merge_key)
    json_object_set_new(p, "x-kubernetes-patch-merge-key", json_string(f->patch_merge_key));
  if (f->patch_strategy)
    json_object_set_new(p, "x-kubernetes-patch-strategy", json_string(f->patch_strategy));
}

static json_t *property(api_openapi_dialect d, const api_field *f, json_t *defs) {
  json_t *value = value_schema(d, f, defs), *p;
  if (f->shape == API_SCHEMA_LIST)
    p = json_pack("{s:s, s:o}", "type", "array", "items", value);
  else if (f->shape == API_SCHEMA_MAP)
    p = json_pack("{s:s, s:o}", "type", "object", "additionalProperties", value);
  else
    p = scalar_property(d, value);
  if (f->description && f->description[0])
    json_object_set_new(p, "description", json_string(f->description));
  add_list_extensions(f, p);
  if (f->flags & API_FIELD_ATOMIC)
    json_object_set_new(p, "x-kubernetes-map-type", json_string("atomic"));
  return p;
}

static void add_fields(api_openapi_dialect d, const api_message *m, json_t *props, json_t *required,
                       json_t *defs) {
  for (size_t i = 0; i < m->n_fields; i++) {
    const api_field *f = &m->fields[i];
    if (f->flags & API_FIELD_INLINE) {
      add_fields(d, f->message, props, required, defs);
      continue;
    }
    json_object_set_new(props, f->name, property(d, f, defs));
    if (f->flags & API_FIELD_REQUIRED)
      json_array_append_new(required, json_string(f->name));
  }
}

/* Every kind's object carries apiVersion and kind (TypeMeta), which the
 * schema tables leave out since protobuf sends them beside the message. */
static json_t *kinds_of(const api_message *m, json_t *props) {
  json_t *gvks = json_array();
  for (const api_schema_group *g = api_schema_groups; g->kinds; g++)
    for (const api_schema_kind *k = g->kinds; k->kind; k++)
      if (k->message == m)
        json_array_append_new(gvks, api_openapi_gvk(k->group, k->version, k->kind));
  if (json_array_size(gvks) == 0) {
    json_decref(gvks);
    return NULL;
  }
  json_object_set_new(props, "apiVersion",
                      json_pack("{s:s, s:s}", "description",
                                "The versioned schema of this object: \"v1\", \"apps/v1\", ...",
                                "type", "string"));
  json_object_set_new(props, "kind",
                      json_pack("{s:s, s:s}", "description",
                                "The kind of this object, in CamelCase: Pod, Deployment, ...",
                                "type", "string"));
  return gvks;
}

void api_openapi_define(api_openapi_dialect d, const api_message *m, json_t *defs) {
  if (json_object_get(defs, m->name))
    return;
  json_t *def = json_pack("{s:s}", "type", "object");
  /* In defs before its fields are walked, so a message that reaches itself ends. */
  json_object_set_new(defs, m->name, def);
  if (m->description && m->description[0])
    json_object_set_new(def, "description", json_string(m->description));
  json_t *props = json_object(), *required = json_array();
  json_t *gvks = kinds_of(m, props);
  add_fields(d, m, props, required, defs);
  json_object_set_new(def, "properties", props);
  if (json_array_size(required))
    json_object_set_new(def, "required", required);
  else
    json_decref(required);
  if (m->atomic)
    json_object_set_new(def, "x-kubernetes-map-type", json_string("atomic"));
  if (gvks)
    json_object_set_new(def, "x-kubernetes-group-version-kind", gvks);
}
