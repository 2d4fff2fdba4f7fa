/*
 * ssa.h — the schema-aware walks of server-side apply over JSON objects:
 * which fields an object sets, which a change touches, how an applied
 * configuration merges into the live object, and how fields a manager gave
 * up are removed.
 *
 * The one idea: every value is seen through its type, which says how it
 * splits into owned parts (Kubernetes' structured-merge-diff):
 *   - a scalar, an atomic struct, map or list is one leaf, owned whole;
 *   - a struct splits into its fields ("f:name"), a map into its keys;
 *   - a list-map (x-kubernetes-list-type: map) into elements named by their
 *     key fields ("k:{...}"), a set into elements named by value ("v:...").
 * Types come from the caller through tug_ssa_schema, so this file knows no
 * kind; a field the schema does not know is deduced from its value (an
 * object is a granular map, a list is atomic).
 *
 * Sets are lib/fieldset.h trees. Element order of a merged list follows the
 * applied configuration, with the live object's other elements kept near
 * where they were.
 */
#ifndef TUG_SSA_H
#define TUG_SSA_H

#include <jansson.h>
#include <stdbool.h>

#include "error.h"

typedef enum tug_ssa_shape {
  TUG_SSA_DEDUCED = 0, /* unknown to the schema: decided by the value */
  TUG_SSA_SCALAR,
  TUG_SSA_STRUCT,
  TUG_SSA_MAP,
  TUG_SSA_LIST,
} tug_ssa_shape;

typedef struct tug_ssa_type {
  tug_ssa_shape shape;
  bool atomic;   /* a struct, map or list replaced and owned whole */
  bool implicit; /* a struct field always present (Go's non-pointer struct): never "added" */
  /* LIST: the list-map's key fields, NULL-terminated (NULL: a set of
   * scalars); key_defaults, when not NULL, the value (JSON text) each key
   * takes when an element omits it, or NULL. */
  const char *const *keys;
  const char *const *key_defaults;
  /* STRUCT: its fields, as the schema knows them; LIST and MAP: the struct
   * its elements are (NULL: scalar elements). Opaque here. */
  const void *elem;
} tug_ssa_type;

typedef struct tug_ssa_schema {
  /* The type of field name of the struct elem; false when it has none. */
  bool (*field)(const void *ctx, const void *elem, const char *name, tug_ssa_type *out);
  const void *ctx;
  const void *root; /* the object's struct */
} tug_ssa_schema;

/* The fields obj sets, a new set: leaves, map keys and list elements are
 * members; a struct field is a member only when null or empty. */
int tug_ssa_fields(const json_t *obj, const tug_ssa_schema *s, json_t **out, tug_error *err);

/* What turns old into new: *changed the added and modified members (a new
 * map, list or pointer struct counts as added), *removed the removed ones.
 * old may be NULL (a create). */
int tug_ssa_compare(const json_t *old, const json_t *new, const tug_ssa_schema *s, json_t **changed,
                    json_t **removed, tug_error *err);

/* config merged into live, a new object: config's values win, lists merge
 * by key or value, atomic values are replaced; a null in config removes. */
int tug_ssa_merge(const json_t *live, const json_t *config, const tug_ssa_schema *s, json_t **out,
                  tug_error *err);

/* Remove from obj the members of drop that no member of kept lies at or
 * below; a field of drop left empty and kept by nobody goes too. */
void tug_ssa_remove(json_t *obj, const json_t *drop, const json_t *kept, const tug_ssa_schema *s);

#endif
