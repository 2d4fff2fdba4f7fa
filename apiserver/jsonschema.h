/*
 * jsonschema.h — a CustomResourceDefinition's structural OpenAPI v3 schema
 * applied to a custom object: pruning, defaulting and validation, in that
 * order, as Kubernetes' apiextensions server does; and the structural rules
 * a schema must follow to be accepted at all.
 *
 * "Structural" means every node says its type (or is
 * x-kubernetes-int-or-string, or x-kubernetes-preserve-unknown-fields), so
 * that for any value the schema knows which fields exist: the ones it does
 * not declare are pruned (never stored), unless the node preserves unknown
 * fields. Defaults fill missing properties of objects that are present.
 * Validation collects one cause per bad field (registry.h's api_cause), with
 * Kubernetes' field paths ("spec.ports[0].name") and messages.
 *
 * Supported keywords: type, nullable, properties, additionalProperties (a
 * schema, or true), items, required, enum, minimum, maximum,
 * exclusiveMinimum, exclusiveMaximum, multipleOf, minLength, maxLength,
 * pattern (POSIX extended regular expressions), minItems, maxItems,
 * uniqueItems, minProperties, maxProperties, default, allOf, anyOf, oneOf,
 * not, x-kubernetes-preserve-unknown-fields, x-kubernetes-int-or-string,
 * x-kubernetes-embedded-resource. CEL rules (x-kubernetes-validations) and
 * $ref are refused by api_jsonschema_check.
 */
#ifndef TUG_APISERVER_JSONSCHEMA_H
#define TUG_APISERVER_JSONSCHEMA_H

#include <jansson.h>
#include <stdbool.h>

/* Remove from obj (a whole custom object when root) every field schema does
 * not declare, appending `unknown field "path"` to unknown (may be NULL).
 * At the root and in embedded resources, apiVersion, kind and metadata stay. */
void api_jsonschema_prune(const json_t *schema, json_t *obj, bool root, json_t *unknown);

/* Fill in every default of schema missing from obj, at any depth. */
void api_jsonschema_default(const json_t *schema, json_t *obj);

/* Validate value against schema; path names value ("" for the root, where
 * metadata is left to the metadata validation). Causes are appended. */
void api_jsonschema_validate(const json_t *schema, const json_t *value, const char *path,
                             json_t *causes);

/* Whether schema is structural and supported, as openAPIV3Schema of a CRD
 * version (root true) whose causes are reported under path. */
void api_jsonschema_check(const json_t *schema, const char *path, bool root, json_t *causes);

#endif
