/*
 * managedfields.h — metadata.managedFields: who set which field, kept on
 * every write, and server-side apply's merge, prune and conflicts on top.
 *
 * The one idea (Kubernetes' field management): every write is an operation
 * of one manager. An Update (create, replace, any non-apply patch) gives its
 * manager the fields it changed and takes them from everyone else. An Apply
 * gives its manager exactly the fields of its configuration: fields it owned
 * before and no longer applies are removed unless someone else owns them,
 * and changing a value another manager owns is a conflict, unless forced,
 * which then moves ownership to the applier.
 *
 * Entries are identified by manager, operation and subresource (and, for
 * Update, apiVersion), as Kubernetes does; each holds its FieldsV1 set. The
 * server's own metadata (name, uid, resourceVersion, managedFields, ...),
 * apiVersion and kind are never tracked, nor what op says to ignore.
 *
 * Beyond ten Update entries the oldest are folded into "ancient-changes".
 *
 * Kubernetes' two upgrade rules for client-side apply are kept: an object
 * with no managedFields at all is first given to "before-first-apply"; and
 * an apply by manager "kubectl" may take, without force, the fields of the
 * object's kubectl.kubernetes.io/last-applied-configuration, which it then
 * rewrites, so that `kubectl apply` and `kubectl apply --server-side` can
 * follow each other.
 */
#ifndef TUG_MANAGEDFIELDS_H
#define TUG_MANAGEDFIELDS_H

#include <jansson.h>
#include <stdbool.h>

#include "error.h"
#include "ssa.h"

#define TUG_MF_LAST_APPLIED "kubectl.kubernetes.io/last-applied-configuration"

typedef struct tug_mf_op {
  const char *manager;
  const char *api_version; /* of the object as written: "apps/v1" */
  const char *subresource; /* "status", "scale"; NULL or "" for the object itself */
  const char *now;         /* RFC 3339 time of the write */
  bool force;              /* apply: take conflicting fields */
  const json_t *ignored;   /* field subtrees not tracked (a set), or NULL */
  const json_t *only;      /* when not NULL, only these subtrees are tracked */
} tug_mf_op;

/* Record an Update from old (NULL for a create) to new in new's
 * managedFields. Managed fields that new brings (a client writing them
 * directly) replace old's, unless empty or malformed or op is a subresource. */
int tug_mf_update(const json_t *old, json_t *new, const tug_mf_op *op, const tug_ssa_schema *s,
                  tug_error *err);

/* Apply config to live (NULL: the object does not exist yet) into *out, a new
 * object with its managedFields. 1 when the apply conflicts: *conflicts is
 * then an array of {"manager": "\"kubectl-edit\" using apps/v1", "field":
 * ".spec.replicas"}, sorted by manager. -1 with err for a configuration that
 * does not fit the schema (EINVAL). */
int tug_mf_apply(const json_t *live, const json_t *config, const tug_mf_op *op,
                 const tug_ssa_schema *s, json_t **out, json_t **conflicts, tug_error *err);

/* Kubernetes' message for conflicts: "Apply failed with 1 conflict: conflict
 * with \"x\": .spec.replicas", or one line per manager for several; new. */
char *tug_mf_conflict_message(const json_t *conflicts);

#endif
