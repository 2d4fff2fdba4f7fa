/*
 * rbac-index.h — who is granted what: an immutable index of every Role,
 * ClusterRole and binding, built from their objects and asked per request.
 *
 * The one idea: a request looks up its user's name and each of its groups
 * in one hash map (subject → grants) and matches only the rules those grants
 * reach, so a decision costs a few hash lookups however many bindings the
 * cluster holds. A grant is a role's parsed rules and where they apply (one
 * namespace for a RoleBinding, everywhere for a ClusterRoleBinding). An
 * aggregated ClusterRole's rules are the union of the ClusterRoles its
 * selectors match, computed here; authz.c writes them back to the object.
 * The index never changes once built: a change to any RBAC object builds a
 * new one, which replaces the old for the requests that follow.
 */
#ifndef TUG_APISERVER_RBAC_INDEX_H
#define TUG_APISERVER_RBAC_INDEX_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "authn.h"
#include "authz.h"
#include "rbac-rules.h"

typedef struct rbac_index rbac_index;

/* The objects of each kind, as stored (arrays of n JSON objects each). */
typedef struct rbac_objects {
  const json_t *const *roles, *const *cluster_roles, *const *bindings, *const *cluster_bindings;
  size_t nroles, ncluster_roles, nbindings, ncluster_bindings;
} rbac_objects;

rbac_index *rbac_index_build(const rbac_objects *o);
void rbac_index_free(rbac_index *ix);

/* Whether some binding of the user (by name or group) grants a rule allowing a. */
bool rbac_index_allows(const rbac_index *ix, const api_authz_attrs *a);

/* Every rule granted to u that applies in ns (ns "" : cluster-wide grants only),
 * appended to out. */
int rbac_index_user_rules(const rbac_index *ix, const api_user *u, const char *ns, rbac_rules *out);

/* A role's rules (aggregated ClusterRoles: the union); NULL when there is no such role. */
const rbac_rules *rbac_index_role(const rbac_index *ix, const char *ns, const char *name);
const rbac_rules *rbac_index_cluster_role(const rbac_index *ix, const char *name);

/* The aggregated ClusterRoles whose stored rules differ from the union they
 * should hold: fn(name, rules as a JSON array (borrowed), arg) for each. */
void rbac_index_stale_aggregates(const rbac_index *ix,
                                 void (*fn)(const char *name, const json_t *rules, void *arg),
                                 void *arg);

/* Grants in the index (bindings × subjects that resolved to a role). */
size_t rbac_index_grants(const rbac_index *ix);

#endif
