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
 * Authentication (api_authenticate) runs before routing, in Kubernetes'
 * order: a client certificate verified against the client CA names the user
 * (CN) and groups (O), checked once per TLS connection; without a valid one,
 * a bearer token goes to each token authenticator in turn
 * (api_token_authenticators: the static token file, then any added).
 * Credentials that are presented but wrong (and not made up for by the
 * other kind) are a 401, never a fall back to anonymous. Without
 * credentials a request is system:anonymous, which only the public endpoints
 * (/healthz, /livez, /readyz, /version) answer; everything else is a 401.
 * Every authenticated user is in system:authenticated. Requests on the
 * plain-HTTP test listener (--insecure-listen, loopback only) without a bearer
 * token are the cluster admin (api_user_set_admin), as on Kubernetes' old
 * insecure port; with one, it is authenticated as above.
 */
#ifndef TUG_APISERVER_AUTHN_H
#define TUG_APISERVER_AUTHN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "error.h"

enum { API_USER_MAX_GROUPS = 32, API_USER_NAME_MAX = 256, API_USER_MAX_EXTRA = 16 };

/* One value of user.Info's extra (map of key to values): a key with several
 * values is several entries, in the order they came. */
typedef struct api_user_extra {
  char key[128];
  char value[API_USER_NAME_MAX];
} api_user_extra;

typedef struct api_user {
  char name[API_USER_NAME_MAX];
  char uid[128];
  int ngroups;
  char groups[API_USER_MAX_GROUPS][API_USER_NAME_MAX];
  int nextra;
  api_user_extra extra[API_USER_MAX_EXTRA];
} api_user;

/* Reset to name and uid with no groups; a name too long is cut (never overflows). */
void api_user_set(api_user *u, const char *name, const char *uid);
/* Add a group unless it is already there; -1 when the user has too many groups. */
int api_user_add_group(api_user *u, const char *group);
bool api_user_in_group(const api_user *u, const char *group);
/* Add one value of an extra key; -1 when the user has too many, or either is too long. */
int api_user_add_extra(api_user *u, const char *key, const char *value);
/* The extras as Kubernetes writes them, {"key": ["value", ...]}, or NULL when there are none. */
json_t *api_user_extra_json(const api_user *u);

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

struct api_request;
struct api_response;

/*
 * A bearer-token authenticator: 1 with out filled when the token is one of
 * its own and valid, 0 when the token is not its kind (the next one is
 * asked), -1 with err when it is its kind but invalid (expired, bad
 * signature): the request is then refused without asking further.
 */
typedef int (*api_token_authenticator)(struct api_server *s, const char *token, api_user *out,
                                       tug_error *err);
/* In the order they are asked; ends with NULL (authn.c). */
extern const api_token_authenticator api_token_authenticators[];
/* Ask them in turn: 1 with out filled, or -1 with err (EACCES) when one
 * found the token invalid or none recognised it. */
int api_authn_token(struct api_server *s, const char *token, api_user *out, tug_error *err);

/*
 * Fill r->user from the request's credentials. 0: go on; -1: refused, out
 * holds the 401 Status.
 */
int api_authenticate(struct api_request *r, struct api_response *out);
/* The paths anonymous requests may reach. */
bool api_authn_public_path(const char *path);

/* Static tokens (authn-tokenfile.c): Kubernetes' --token-auth-file, a CSV of
 * token,user,uid,"group1,group2" (groups optional; '#' lines and blank lines
 * skipped). */
typedef struct api_token_file api_token_file;
int api_token_file_parse(const char *text, const char *name, api_token_file **out, tug_error *err);
int api_token_file_load(const char *path, api_token_file **out, tug_error *err);
void api_token_file_free(api_token_file *f);
/* Compared in constant time with every entry; true when one matched. */
bool api_token_file_lookup(const api_token_file *f, const char *token, api_user *out);
size_t api_token_file_count(const api_token_file *f);
int api_authn_token_file(struct api_server *s, const char *token, api_user *out, tug_error *err);

/* Client certificates (authn-x509.c): 1 with out filled, 0 when the
 * connection presented none, -1 with err when it presented one that the
 * client CA does not vouch for now. Cached per connection. */
int api_authn_x509(struct api_request *r, api_user *out, tug_error *err);

/* POST .../authentication.k8s.io/v1/selfsubjectreviews (`kubectl auth
 * whoami`): answers who the request is made as. False when r is not one. */
bool api_authn_serve_whoami(struct api_request *r, struct api_response *out);
/* The start of a review served beside the paths (whoami, tokenreviews):
 * names the request (resource, CREATE); false with out filled (405 unless
 * POST, 403 unless the user may create group/resource) when it must stop. */
bool api_review_admit(struct api_request *r, const char *group, const char *resource,
                      struct api_response *out);
/* user.Info as the review kinds write it: username, uid, groups, extra. */
json_t *api_user_info_json(const api_user *u);

/* POST .../authentication.k8s.io/v1/tokenreviews: whether spec.token
 * authenticates, and as whom, for servers that delegate authentication (the
 * scheduler's and controllers' /metrics). False when r is not one. */
bool api_authn_serve_tokenreview(struct api_request *r, struct api_response *out);

#endif
