/*
 * fieldmanager.h — metadata.managedFields on every write, and the request's
 * side of server-side apply (lib/managedfields.h does the work).
 *
 * A write is made by a manager: the fieldManager parameter, or else the
 * client's User-Agent up to its first "/" ("kubectl"), as Kubernetes names
 * it. Which fields a route tracks depends on the route alone: the object
 * itself leaves status out when the kind has a status subresource, /status
 * tracks only status, /scale only spec.replicas. List semantics come from the
 * kind's schema (schema.h): x-kubernetes-list-type map, set or atomic, map
 * and struct atomicity; a list the schema does not type is atomic.
 */
#ifndef TUG_APISERVER_FIELDMANAGER_H
#define TUG_APISERVER_FIELDMANAGER_H

#include <jansson.h>
#include <stdbool.h>

#include "handlers.h"
#include "managedfields.h"

/* One request's manager and what its route tracks. */
typedef struct api_fm {
  char manager[130];
  char api_version[128];
  char now[32];
  tug_mf_op op;
  tug_ssa_schema schema;
} api_fm;

/* The list, map and struct semantics of kind k's schema, for lib/ssa. */
tug_ssa_schema api_fm_schema(const api_kind *k);

/* Fill fm for a write of r on kind k (sub: NULL, "status" or "scale");
 * -1 with a 422 in out when fieldManager is invalid, or missing for apply. */
int api_fm_init(api_fm *fm, api_request *r, const api_kind *k, const char *sub, bool apply,
                api_response *out);
void api_fm_clear(api_fm *fm);

/* Record r's write of obj over old (NULL for a create) in obj's
 * managedFields; -1 with out filled. */
int api_fm_track(api_request *r, const api_kind *k, const char *sub, const json_t *old, json_t *obj,
                 api_response *out);

/* The answer to an apply that conflicts: 409 with one FieldManagerConflict
 * cause per field. */
void api_fm_conflict(const json_t *conflicts, api_response *out);

#endif
