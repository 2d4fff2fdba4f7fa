/*
 * openapi-custom.c — the OpenAPI definition of a custom kind: the structural
 * schema its CRD gives, which is already OpenAPI v3, completed with what
 * every object has (apiVersion, kind, metadata) and the group-version-kind
 * that kubectl finds it by for validation and `explain`.
 */
#include <string.h>

#include "crd.h"
#include "openapi-internal.h"
#include "schema/messages.h"

/* Swagger 2.0 has no nullable, anyOf, oneOf or not: drop them, at any depth. */
static void to_v2(json_t *schema) {
  if (!json_is_object(schema))
    return;
  static const char *const dropped[] = {"nullable", "anyOf", "oneOf", "not", NULL};
  for (int i = 0; dropped[i]; i++)
    json_object_del(schema, dropped[i]);
  const char *key;
  json_t *v;
  json_object_foreach(json_object_get(schema, "properties"), key, v) to_v2(v);
  to_v2(json_object_get(schema, "items"));
  to_v2(json_object_get(schema, "additionalProperties"));
  size_t i;
  json_array_foreach(json_object_get(schema, "allOf"), i, v) to_v2(v);
}

json_t *api_openapi_custom_schema(api_openapi_dialect d, const api_kind *k, json_t *defs) {
  const json_t *crd_schema = k->custom->schema;
  json_t *schema = crd_schema ? json_deep_copy(crd_schema)
                              : json_pack("{s:s, s:b}", "type", "object",
                                          "x-kubernetes-preserve-unknown-fields", 1);
  json_t *props = json_object_get(schema, "properties");
  if (!json_is_object(props)) {
    props = json_object();
    json_object_set_new(schema, "properties", props);
  }
  json_object_set_new(props, "apiVersion",
                      json_pack("{s:s, s:s}", "type", "string", "description",
                                "The versioned schema of this representation of an object."));
  json_object_set_new(props, "kind",
                      json_pack("{s:s, s:s}", "type", "string", "description",
                                "The REST resource this object represents."));
  api_openapi_define(d, &api_msg_meta_v1_ObjectMeta, defs);
  json_object_set_new(props, "metadata", api_openapi_ref(d, api_msg_meta_v1_ObjectMeta.name));
  json_object_set_new(schema, "x-kubernetes-group-version-kind",
                      json_pack("[o]", api_openapi_gvk(k->group, k->version, k->kind)));
  if (d == API_OPENAPI_V2)
    to_v2(schema);
  return schema;
}
