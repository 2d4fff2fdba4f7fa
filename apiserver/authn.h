/*
 * authn.h — who sent a request: the user a request is made as.
 *
 * Every request carries one api_user, filled before it is routed. Authenticators
 * (client certificates, bearer tokens, ServiceAccount tokens) fill it from the
 * connection; impersonation replaces it after an authorization check; the
 * authorizer (RBAC) and admission read it. The names follow Kubernetes'
 * user.Info: "system:anonymous", "system:node:NAME", "system:serviceaccount:NS:NAME",
 * groups "system:authenticated", "system:masters", "system:nodes", ...
 *
 * While no authenticator is configured every request is the cluster admin
 * (api_user_set_admin), as requests on Kubernetes' old insecure port were.
 */
#ifndef TUG_APISERVER_AUTHN_H
#define TUG_APISERVER_AUTHN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

enum { API_USER_MAX_GROUPS = 32, API_USER_NAME_MAX = 256 };

typedef struct api_user {
  char name[API_USER_NAME_MAX];
  char uid[128];
  int ngroups;
  char groups[API_USER_MAX_GROUPS][API_USER_NAME_MAX];
} api_user;

/* Reset to name and uid with no groups; a name too long is cut (never overflows). */
void api_user_set(api_user *u, const char *name, const char *uid);
/* Add a group unless it is already there; -1 when the user has too many groups. */
int api_user_add_group(api_user *u, const char *group);
bool api_user_in_group(const api_user *u, const char *group);

/* "system:admin" in "system:masters" and "system:authenticated". */
void api_user_set_admin(api_user *u);
/* "system:anonymous" in "system:unauthenticated". */
void api_user_set_anonymous(api_user *u);

struct api_server;
struct tug_error;
/*
 * The ServiceAccount token authenticator (authn-serviceaccount.c): 1 with out
 * filled ("system:serviceaccount:NS:NAME", uid the ServiceAccount's, groups
 * system:serviceaccounts, system:serviceaccounts:NS, system:authenticated);
 * 0 when token is not one of this server's ServiceAccount tokens (not a JWT,
 * or another issuer); -1 with err when it is one but does not hold: bad
 * signature, expired, another audience, its ServiceAccount or bound pod
 * deleted or replaced.
 */
int api_authn_serviceaccount(struct api_server *s, const char *token, api_user *out,
                             struct tug_error *err);

/* The same with its inputs apart (tests): the keys and issuer, how to read a
 * core object (resource "serviceaccounts" or "pods"; a new reference or NULL),
 * and the time. */
struct api_satokens;
typedef json_t *(*api_authn_lookup_fn)(void *arg, const char *resource, const char *ns,
                                       const char *name);
int api_authn_serviceaccount_at(const struct api_satokens *t, api_authn_lookup_fn fn, void *arg,
                                const char *token, int64_t now, api_user *out,
                                struct tug_error *err);

#endif
