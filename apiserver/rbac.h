/*
 * rbac.h — the API server's RBAC authorizer: the index of roles and bindings
 * (rbac-index.h) kept current from the four kinds' watch caches.
 *
 * Every decision reads the newest index. Before deciding, a request compares
 * the caches' change counters with those the index was built at (four atomic
 * loads); when one moved, it builds the next index from the caches — never
 * from etcd — so a binding applies as soon as its watch event is in. A
 * background thread does the same every second and writes aggregated
 * ClusterRoles' gathered rules back to them (Kubernetes' aggregation
 * controller). The default roles are made at start (rbac-bootstrap.c).
 */
#ifndef TUG_APISERVER_RBAC_H
#define TUG_APISERVER_RBAC_H

#include <stdbool.h>

#include "authz.h"
#include "error.h"
#include "rbac-rules.h"

struct api_server;
typedef struct api_rbac api_rbac;

api_rbac *api_rbac_new(struct api_server *s);
/* Start the aggregation thread; the caches must be started. */
int api_rbac_start(api_rbac *rb, tug_error *err);
void api_rbac_free(api_rbac *rb);

bool api_rbac_allows(api_rbac *rb, const api_authz_attrs *a);
/* Rules granted to u in ns ("": cluster-wide grants only), appended to out. */
int api_rbac_user_rules(api_rbac *rb, const api_user *u, const char *ns, rbac_rules *out);
/* Copies of a role's rules into out (a ClusterRole, or a Role of ns); -1
 * when there is no such role. */
int api_rbac_role_rules(api_rbac *rb, bool cluster, const char *ns, const char *name,
                        rbac_rules *out);

/* Create the default ClusterRoles and ClusterRoleBindings, or add to them
 * what they miss unless annotated rbac.authorization.kubernetes.io/autoupdate:
 * "false" (rbac-bootstrap.c). */
int api_rbac_bootstrap(struct api_server *s, tug_error *err);

#endif
