/*
 * fieldset.h — sets of field paths, the unit of ownership of server-side
 * apply, and their wire form FieldsV1.
 *
 * The one idea: a set is a tree keyed by path elements, stored as a JSON
 * object so that it costs no new data structure. Each key is one element,
 * written as Kubernetes writes them in managedFields:
 *
 *   "f:replicas"              a field of a struct or a key of a map
 *   "k:{\"name\":\"web\"}"    an element of a list keyed by its fields (keys sorted)
 *   "v:\"x\""                 an element of a set-list, by its JSON value
 *   "i:3"                     an element by its index
 *
 * and its value is the subtree below. A node is itself a member of the set
 * when it has the key "." (FieldsV1 writes a member without children as {},
 * which tug_fieldset_from_v1 turns into {".": {}} and tug_fieldset_to_v1
 * back). A set never holds a node with no member at or below it.
 *
 * Paths print as Kubernetes prints them in conflicts:
 * .spec.template.spec.containers[name="web"].image, .metadata.finalizers[="x"].
 */
#ifndef TUG_FIELDSET_H
#define TUG_FIELDSET_H

#include <jansson.h>
#include <stdbool.h>

#include "error.h"

/* The set a FieldsV1 value describes, new; -1 (TUG_E_PARSE) when it is not one. */
int tug_fieldset_from_v1(const json_t *v1, json_t **out, tug_error *err);
/* The FieldsV1 form of set, new. */
json_t *tug_fieldset_to_v1(const json_t *set);

/* The child node of set for element pe, created when absent (borrowed). */
json_t *tug_fieldset_child(json_t *set, const char *pe);
/* Make node a member of its set. */
void tug_fieldset_mark(json_t *node);
bool tug_fieldset_is_member(const json_t *node);
/* Whether set has no member at all. */
bool tug_fieldset_empty(const json_t *set);

/* New sets: members of a or b; of a and not of b; of both. */
json_t *tug_fieldset_union(const json_t *a, const json_t *b);
json_t *tug_fieldset_difference(const json_t *a, const json_t *b);
json_t *tug_fieldset_intersection(const json_t *a, const json_t *b);

/* A new set of the members of set that lie at or below a member of
 * subtrees (inside) or at or below none of them (!inside). */
json_t *tug_fieldset_within(const json_t *set, const json_t *subtrees, bool inside);

/* Append every member's printed path to paths (a JSON array), in the sets'
 * key order. */
void tug_fieldset_paths(const json_t *set, json_t *paths);

/* The element for a list element keyed by these fields (an object; its keys
 * are sorted here) or for a set element's value, into buf; NULL when it does
 * not fit. */
const char *tug_fieldset_key_pe(const json_t *keys, char *buf, size_t size);
const char *tug_fieldset_value_pe(const json_t *value, char *buf, size_t size);

#endif
