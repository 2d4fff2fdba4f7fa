/*
 * object.h — helpers on Kubernetes-shaped objects held as jansson values.
 *
 * The one idea: an object is plain JSON (apiVersion, kind, metadata, spec,
 * status) and every field is reached by a dotted path ("metadata.name",
 * "spec.template.spec.containers"). Getters return borrowed references and
 * NULL for anything missing or of the wrong type, so callers test once.
 * Setters and patches follow the error convention of error.h.
 *
 * Dotted paths cannot name keys that contain dots (label and annotation keys
 * such as "app.kubernetes.io/name"); use tug_obj_label() and friends for those.
 */
#ifndef TUG_OBJECT_H
#define TUG_OBJECT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* The value at a dotted path, borrowed; NULL when a step is missing or not an object. */
json_t *tug_obj_get(const json_t *obj, const char *path);
/* The string at path; NULL when absent or not a string. */
const char *tug_obj_get_str(const json_t *obj, const char *path);
/* The integer at path; dflt when absent or not an integer. */
int64_t tug_obj_get_int(const json_t *obj, const char *path, int64_t dflt);
/* The first element of the array at path (path NULL: obj is the array) whose
 * "name" is name — the key of containers, volumes, container statuses...;
 * NULL when there is none. */
json_t *tug_obj_get_named(const json_t *obj, const char *path, const char *name);

/* Store value (stolen, also on failure) at path, creating missing intermediate
 * objects. Fails when an intermediate exists and is not an object. */
int tug_obj_set(json_t *obj, const char *path, json_t *value, tug_error *err);
int tug_obj_set_str(json_t *obj, const char *path, const char *s, tug_error *err);
/* Remove the value at path; true when something was removed. */
bool tug_obj_del(json_t *obj, const char *path);

/* "object", "array", "string", "integer", "number", "boolean", "null". */
const char *tug_obj_type_name(const json_t *v);

const char *tug_obj_kind(const json_t *o);
const char *tug_obj_api_version(const json_t *o);
const char *tug_obj_name(const json_t *o);
const char *tug_obj_namespace(const json_t *o);
const char *tug_obj_uid(const json_t *o);
const char *tug_obj_resource_version(const json_t *o);
const char *tug_obj_generate_name(const json_t *o);
const char *tug_obj_deletion_timestamp(const json_t *o);
/* metadata.labels / metadata.annotations when they are objects, else NULL. */
json_t *tug_obj_labels(const json_t *o);
json_t *tug_obj_annotations(const json_t *o);
/* One label or annotation value by key (keys may contain dots); NULL when absent. */
const char *tug_obj_label(const json_t *o, const char *key);
const char *tug_obj_annotation(const json_t *o, const char *key);

int tug_obj_set_name(json_t *o, const char *name, tug_error *err);
int tug_obj_set_namespace(json_t *o, const char *ns, tug_error *err);
int tug_obj_set_uid(json_t *o, const char *uid, tug_error *err);
int tug_obj_set_resource_version(json_t *o, const char *rv, tug_error *err);
int tug_obj_set_generate_name(json_t *o, const char *prefix, tug_error *err);
int tug_obj_set_deletion_timestamp(json_t *o, const char *ts, tug_error *err);
int tug_obj_set_label(json_t *o, const char *key, const char *value, tug_error *err);
int tug_obj_set_annotation(json_t *o, const char *key, const char *value, tug_error *err);

/*
 * JSON merge patch (RFC 7386): a new value, inputs untouched. A null in the
 * patch deletes the key, a non-object patch replaces the target, arrays are
 * replaced whole. NULL when patch is NULL or memory runs out. Recursion
 * follows the patch's depth: check untrusted patches with tug_obj_check_limits
 * first.
 */
json_t *tug_obj_merge_patch(const json_t *target, const json_t *patch);

/*
 * Reject values nested deeper than max_depth containers ("[[1]]" has depth 2, a
 * scalar 0) or holding more than max_nodes values in all (containers count).
 * Iterative, so it is safe on any input. Fails with TUG_E_PARSE.
 */
int tug_obj_check_limits(const json_t *v, int max_depth, size_t max_nodes, tug_error *err);

/* json_equal that also holds for two NULLs (json_equal(NULL, NULL) is false). */
bool tug_json_same(const json_t *a, const json_t *b);

#endif
