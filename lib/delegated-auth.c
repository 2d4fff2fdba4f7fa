/*
 * delegated-auth.c — authentication by certificate or TokenReview, then
 * authorization by SubjectAccessReview (see delegated-auth.h).
 */
#include "delegated-auth.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "log.h"
#include "tls-peer.h"

bool tug_delegated_auth_public(const char *path) {
  return strcmp(path, "/healthz") == 0 || strcmp(path, "/readyz") == 0 ||
         strcmp(path, "/livez") == 0;
}

/* The bearer token of the request, or NULL. */
static const char *bearer(struct MHD_Connection *conn) {
  const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
  if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
    return NULL;
  h += 7;
  while (*h == ' ')
    h++;
  return *h ? h : NULL;
}

/* The user as a SubjectAccessReview's spec wants it: user and groups. */
static json_t *subject_of_cert(const tug_pki_identity *id) {
  json_t *groups = json_array();
  for (int i = 0; i < id->ngroups; i++)
    json_array_append_new(groups, json_string(id->groups[i]));
  json_array_append_new(groups, json_string("system:authenticated"));
  return json_pack("{s:s, s:o}", "user", id->user, "groups", groups);
}

/* 1 with *subject the token's user, 0 when the API server does not
 * authenticate it, -1 when it could not be asked. */
static int review_token(tug_client *api, const char *token, json_t **subject) {
  _cleanup_json_ json_t *review =
      json_pack("{s:s, s:s, s:{s:s}}", "apiVersion", "authentication.k8s.io/v1", "kind",
                "TokenReview", "spec", "token", token);
  _cleanup_json_ json_t *answer = NULL;
  tug_error err = {0};
  if (tug_client_create(api, "/apis/authentication.k8s.io/v1/tokenreviews", review, &answer, &err) <
      0) {
    tug_warn("token review failed", "err=%s", TUG_LOG_ERR(&err));
    return -1;
  }
  const json_t *status = json_object_get(answer, "status");
  const json_t *user = json_object_get(status, "user");
  if (!json_is_true(json_object_get(status, "authenticated")) || user == NULL)
    return 0;
  *subject = json_pack("{s:O?, s:O?, s:O?}", "user", json_object_get(user, "username"), "uid",
                       json_object_get(user, "uid"), "groups", json_object_get(user, "groups"));
  return 1;
}

/* 1 allowed, 0 refused, -1 the API server could not say. */
static int review_access(tug_client *api, json_t *spec, const char *method, const char *path) {
  char verb[16];
  size_t i = 0;
  for (; method[i] && i + 1 < sizeof verb; i++)
    verb[i] = (char)tolower((unsigned char)method[i]);
  verb[i] = '\0';
  json_object_set_new(spec, "nonResourceAttributes",
                      json_pack("{s:s, s:s}", "path", path, "verb", verb));
  _cleanup_json_ json_t *review =
      json_pack("{s:s, s:s, s:O}", "apiVersion", "authorization.k8s.io/v1", "kind",
                "SubjectAccessReview", "spec", spec);
  _cleanup_json_ json_t *answer = NULL;
  tug_error err = {0};
  if (tug_client_create(api, "/apis/authorization.k8s.io/v1/subjectaccessreviews", review, &answer,
                        &err) < 0) {
    tug_warn("access review failed", "err=%s", TUG_LOG_ERR(&err));
    return -1;
  }
  return json_is_true(json_object_get(json_object_get(answer, "status"), "allowed")) ? 1 : 0;
}

/* 1 with *subject, 0 without valid credentials (logged), -1 unavailable. */
static int authenticate(tug_pki_verifier *v, tug_client *api, struct MHD_Connection *conn,
                        const char *path, json_t **subject) {
  tug_pki_identity id;
  tug_error err = {0};
  int cert = tug_tls_peer_identity(conn, v, &id, &err);
  if (cert > 0) {
    *subject = subject_of_cert(&id);
    return 1;
  }
  const char *token = bearer(conn);
  /* A token makes up for a bad certificate, as at the API server. */
  int rc = token ? review_token(api, token, subject) : 0;
  if (rc == 0)
    tug_info("unauthorized", "path=%s reason=%s", TUG_LOG_Q(path),
             TUG_LOG_Q(token      ? "token not authenticated"
                       : cert < 0 ? err.msg
                                  : "no credentials"));
  return rc;
}

int tug_delegated_auth_check(tug_pki_verifier *v, tug_client *api, struct MHD_Connection *conn,
                             const char *method, const char *path) {
  if (tug_delegated_auth_public(path))
    return 0;
  _cleanup_json_ json_t *subject = NULL;
  int rc = authenticate(v, api, conn, path, &subject);
  if (rc <= 0)
    return rc < 0 ? 503 : 401;
  rc = review_access(api, subject, method, path);
  if (rc == 0)
    tug_info("forbidden", "path=%s user=%s", TUG_LOG_Q(path),
             TUG_LOG_Q(json_string_value(json_object_get(subject, "user"))));
  return rc < 0 ? 503 : rc == 0 ? 403 : 0;
}
