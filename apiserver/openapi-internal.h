/*
 * openapi-internal.h — the pieces the OpenAPI documents are built from:
 * definitions from the schemas (openapi-schema.c) and operations from the
 * kinds table (openapi-paths.c). openapi.c puts them together and serves them.
 *
 * One builder makes both dialects: Swagger 2.0 (/openapi/v2) refers to
 * "#/definitions/X" and describes parameters by their own type; OpenAPI 3.0
 * (/openapi/v3/...) refers to "#/components/schemas/X", wraps a reference
 * with siblings in allOf, and describes bodies by media type.
 */
#ifndef TUG_APISERVER_OPENAPI_INTERNAL_H
#define TUG_APISERVER_OPENAPI_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>

#include "registry.h"
#include "schema.h"

typedef enum api_openapi_dialect { API_OPENAPI_V2, API_OPENAPI_V3 } api_openapi_dialect;

/* {"$ref": "#/definitions/<name>"} or {"$ref": "#/components/schemas/<name>"}. */
json_t *api_openapi_ref(api_openapi_dialect d, const char *name);

/* Add the definition of m, and of every message it reaches, to defs (name →
 * schema); messages already there are not walked again. */
void api_openapi_define(api_openapi_dialect d, const api_message *m, json_t *defs);

/* {"group", "version", "kind"} */
json_t *api_openapi_gvk(const char *group, const char *version, const char *kind);

/* Add the paths of kind k (its collection, its objects, its subresources) to
 * paths, and the definitions their bodies name to defs. */
void api_openapi_kind_paths(api_openapi_dialect d, const api_kind *k, json_t *paths, json_t *defs);

/* The definition of custom kind k: its CRD version's schema with apiVersion,
 * kind, metadata (ObjectMeta, added to defs) and its group-version-kind;
 * for Swagger 2.0 without what 2.0 lacks (nullable, anyOf, oneOf, not). */
json_t *api_openapi_custom_schema(api_openapi_dialect d, const api_kind *k, json_t *defs);

/* The Swagger 2.0 document doc as gnostic's openapi.v2.Document protobuf
 * (openapi-v2pb.c); *len its size. */
char *api_openapi_v2_protobuf(const json_t *doc, size_t *len);

#endif
