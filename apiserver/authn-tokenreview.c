/*
 * authn-tokenreview.c — TokenReview (authentication.k8s.io/v1): a server that
 * delegates authentication (the scheduler's and controllers' /metrics, as
 * Kubernetes' components do) sends a bearer token it was shown, and the API
 * server says whether the token authenticates and as whom, through the same
 * token authenticators a request's own token goes to. Nothing is stored.
 *
 * Audiences: the API server's tokens are for its issuer, so a review that
 * names audiences must name that one (else the token is not authenticated
 * for them); a review that names none is asked for the API server's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "authn.h"
#include "handlers.h"
#include "server.h"

/* Whether the review may be answered for the API server's audience. */
static bool for_this_server(const api_server *s, const json_t *audiences) {
  if (json_array_size(audiences) == 0)
    return true;
  size_t i;
  json_t *a;
  json_array_foreach(audiences, i, a) {
    if (json_is_string(a) && strcmp(json_string_value(a), s->satokens.issuer) == 0)
      return true;
  }
  return false;
}

/* The status of a review of token for audiences. */
static json_t *review_status(api_server *s, const char *token, const json_t *audiences) {
  if (!for_this_server(s, audiences))
    return json_pack("{s:b, s:s}", "authenticated", 0, "error",
                     "token audiences are invalid for the target audiences");
  api_user user = {0};
  tug_error err = {0};
  if (token == NULL || token[0] == '\0' || api_authn_token(s, token, &user, &err) < 0)
    return json_pack("{s:b, s:s}", "authenticated", 0, "error",
                     token && token[0] ? "invalid bearer token" : "no token");
  return json_pack("{s:b, s:o, s:[s]}", "authenticated", 1, "user", api_user_info_json(&user),
                   "audiences", s->satokens.issuer);
}

bool api_authn_serve_tokenreview(api_request *r, api_response *out) {
  if (strcmp(r->path, "/apis/authentication.k8s.io/v1/tokenreviews") != 0)
    return false;
  if (!api_review_admit(r, "authentication.k8s.io", "tokenreviews", out))
    return true;
  json_t *body = api_read_body(r, out);
  if (body == NULL)
    return true;
  const json_t *spec = json_object_get(body, "spec");
  const char *token = json_string_value(json_object_get(spec, "token"));
  const json_t *audiences = json_object_get(spec, "audiences");
  out->code = 201;
  out->body = json_pack("{s:s, s:s, s:{}, s:o, s:o}", "apiVersion", "authentication.k8s.io/v1",
                        "kind", "TokenReview", "metadata", "spec",
                        spec ? json_incref((json_t *)spec) : json_object(), "status",
                        review_status(r->server, token, audiences));
  /* The answer repeats the spec, token and all, as Kubernetes' does; it is
   * the reviewer's own token to see. */
  json_decref(body);
  return true;
}
