/*
 * strategicpatch.h — Kubernetes' strategic merge patch on jansson values.
 *
 * The one idea: a strategic merge patch is a JSON merge patch (RFC 7386)
 * whose lists may merge instead of being replaced, steered by two sources:
 * the schema of the patched kind (which list merges, by which key) and
 * directives inside the patch. Every directive is applied and none is ever
 * stored, at any depth:
 *
 *   "$patch": "merge" | "replace" | "delete"   on an object: merge it (the
 *        default), replace it whole, or empty it (Kubernetes leaves {}, and
 *        no field where the target had none); as a list element
 *        {"$patch":"replace"} replaces the whole list with the patch's other
 *        elements, and {"<key>": v, "$patch":"delete"} removes the element
 *        whose merge key is v;
 *   "$setElementOrder/<list>": [...]   the order of <list> after the merge
 *        (elements by merge key, or the values of a list of scalars);
 *   "$retainKeys": [...]   the object keeps only these keys (union types);
 *   "$deleteFromPrimitiveList/<list>": [...]   values removed from a list of
 *        scalars.
 *
 * Any other key that starts with "$" fails the patch (TUG_E_PARSE): it would
 * otherwise be stored as data. A malformed directive fails with TUG_E_PARSE;
 * a patch that does not fit the document (a merged element without its merge
 * key, a key outside $retainKeys) fails with EINVAL.
 *
 * Which lists merge comes from the schema: a lookup that answers, for a field
 * path such as "spec.template.spec.containers" (list elements do not add a
 * step), Kubernetes' patchStrategy and patchMergeKey. Without a schema (or for
 * a field it does not know) a list of objects that all carry a string "name"
 * merges by name, a list that the patch gives $setElementOrder or
 * $deleteFromPrimitiveList for merges, and any other list is replaced.
 *
 * Inputs are never modified; recursion follows the patch's depth, so check
 * untrusted patches with tug_obj_check_limits first.
 */
#ifndef TUG_STRATEGICPATCH_H
#define TUG_STRATEGICPATCH_H

#include <jansson.h>
#include <stdbool.h>

#include "error.h"

/* How one list field merges: Kubernetes' patchStrategy and patchMergeKey. */
typedef struct tug_smp_field {
  bool merge;            /* patchStrategy "merge"; false: the patch replaces the list */
  const char *merge_key; /* objects merge by this key; NULL for lists of scalars */
} tug_smp_field;

/* Fill *out for the field at path; false when the schema does not know it. */
typedef bool (*tug_smp_lookup_fn)(const void *ctx, const char *path, tug_smp_field *out);

typedef struct tug_smp_schema {
  tug_smp_lookup_fn lookup;
  const void *ctx;
} tug_smp_schema;

/* target patched by patch into *out (a new value); schema may be NULL. */
int tug_smp_apply(const json_t *target, const json_t *patch, const tug_smp_schema *schema,
                  json_t **out, tug_error *err);

#endif
