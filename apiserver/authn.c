/*
 * authn.c — the api_user record every request carries, and the order in which
 * a request's credentials are looked at (authn.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "authn.h"
#include "log.h"
#include "server.h"

/* Only the counts are reset: the group and extra arrays are kilobytes, and
 * this runs on every request. */
void api_user_set(api_user *u, const char *name, const char *uid) {
  u->ngroups = 0;
  u->nextra = 0;
  snprintf(u->name, sizeof u->name, "%s", name);
  snprintf(u->uid, sizeof u->uid, "%s", uid ? uid : "");
}

int api_user_add_group(api_user *u, const char *group) {
  if (api_user_in_group(u, group))
    return 0;
  if (u->ngroups == API_USER_MAX_GROUPS)
    return -1;
  snprintf(u->groups[u->ngroups++], sizeof u->groups[0], "%s", group);
  return 0;
}

bool api_user_in_group(const api_user *u, const char *group) {
  for (int i = 0; i < u->ngroups; i++)
    if (strcmp(u->groups[i], group) == 0)
      return true;
  return false;
}

int api_user_add_extra(api_user *u, const char *key, const char *value) {
  if (u->nextra == API_USER_MAX_EXTRA || strlen(key) >= sizeof u->extra[0].key ||
      strlen(value) >= sizeof u->extra[0].value)
    return -1;
  api_user_extra *e = &u->extra[u->nextra++];
  snprintf(e->key, sizeof e->key, "%s", key);
  snprintf(e->value, sizeof e->value, "%s", value);
  return 0;
}

json_t *api_user_extra_json(const api_user *u) {
  if (u->nextra == 0)
    return NULL;
  json_t *extra = json_object();
  for (int i = 0; i < u->nextra; i++) {
    json_t *values = json_object_get(extra, u->extra[i].key);
    if (values == NULL)
      json_object_set_new(extra, u->extra[i].key, values = json_array());
    json_array_append_new(values, json_string(u->extra[i].value));
  }
  return extra;
}

void api_user_set_admin(api_user *u) {
  api_user_set(u, "system:admin", NULL);
  api_user_add_group(u, "system:masters");
  api_user_add_group(u, "system:authenticated");
}

void api_user_set_anonymous(api_user *u) {
  api_user_set(u, "system:anonymous", NULL);
  api_user_add_group(u, "system:unauthenticated");
}

/* The static token file first, then ServiceAccount tokens (JWTs). */
const api_token_authenticator api_token_authenticators[] = {
    api_authn_token_file,
    api_authn_serviceaccount,
    NULL,
};

bool api_authn_public_path(const char *path) {
  static const char *const public_paths[] = {"/healthz", "/livez", "/readyz", "/version", NULL};
  for (int i = 0; public_paths[i]; i++)
    if (strcmp(path, public_paths[i]) == 0)
      return true;
  return false;
}

/* Kubernetes' answer to missing or wrong credentials: 401 with reason Unauthorized. */
static int unauthorized(api_request *r, api_response *out, const char *why) {
  tug_info("unauthorized", "method=%s path=%s reason=%s", r->method, TUG_LOG_Q(r->path),
           TUG_LOG_Q(why));
  api_fail(out, 401, "Unauthorized");
  return -1;
}

/* The bearer token of an "Authorization: Bearer T" header, or NULL. */
static const char *bearer_token(const api_request *r) {
  const char *h = api_header(r, "Authorization");
  if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
    return NULL;
  h += 7;
  while (*h == ' ')
    h++;
  return h;
}

int api_authn_token(struct api_server *s, const char *token, api_user *out, tug_error *err) {
  for (int i = 0; api_token_authenticators[i]; i++) {
    int rc = api_token_authenticators[i](s, token, out, err);
    if (rc != 0)
      return rc;
  }
  return tug_error_set(err, EACCES, "bearer token not recognised");
}

static int authenticate_token(api_request *r, const char *token, api_response *out) {
  tug_error err = {0};
  return api_authn_token(r->server, token, &r->user, &err) < 0 ? unauthorized(r, out, err.msg) : 0;
}

/*
 * Kubernetes' union order: a valid client certificate names the user and a
 * bearer token beside it is not looked at; a certificate the CA does not
 * vouch for does not stop a valid token, and is a 401 only when nothing
 * else authenticates the request.
 */
int api_authenticate(api_request *r, api_response *out) {
  const char *token = bearer_token(r);
  bool has_token = token && token[0];
  if (r->insecure && !has_token) {
    api_user_set_admin(&r->user);
    return 0;
  }
  tug_error cert_err = {0};
  int cert = r->insecure ? 0 : api_authn_x509(r, &r->user, &cert_err);
  if (cert <= 0 && has_token && authenticate_token(r, token, out) < 0)
    return -1;
  if (cert > 0 || has_token) {
    api_user_add_group(&r->user, "system:authenticated");
    return 0;
  }
  if (cert < 0)
    return unauthorized(r, out, cert_err.msg);
  api_user_set_anonymous(&r->user);
  return api_authn_public_path(r->path) ? 0 : unauthorized(r, out, "no credentials");
}
