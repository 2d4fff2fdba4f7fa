/*
 * authn-whoami.c — SelfSubjectReview (authentication.k8s.io/v1), what
 * `kubectl auth whoami` asks: the server answers with the user the request
 * was authenticated as. Nothing is stored and the body sent is not needed
 * (it carries no spec), so any content type is accepted. api_review_admit
 * is the start every review served beside the paths shares.
 */
#include <stdio.h>
#include <string.h>

#include "authn.h"
#include "authz.h"
#include "server.h"

json_t *api_user_info_json(const api_user *u) {
  json_t *groups = json_array();
  for (int i = 0; i < u->ngroups; i++)
    json_array_append_new(groups, json_string(u->groups[i]));
  json_t *info = json_pack("{s:s, s:o}", "username", u->name, "groups", groups);
  if (u->uid[0])
    json_object_set_new(info, "uid", json_string(u->uid));
  json_t *extra = api_user_extra_json(u);
  if (extra)
    json_object_set_new(info, "extra", extra);
  return info;
}

bool api_review_admit(api_request *r, const char *group, const char *resource, api_response *out) {
  snprintf(r->resource, sizeof r->resource, "%s", resource);
  r->verb = "CREATE";
  if (strcmp(r->method, "POST") != 0) {
    api_fail(out, 405, "the server does not allow this method on the requested resource: %s %s",
             r->method, r->path);
    return false;
  }
  /* A resource, though served beside the paths: asked as one (system:basic-user
   * grants selfsubjectreviews). */
  api_authz_attrs a;
  api_authz_resource(&a, &r->user, "create", group, resource, NULL, NULL, NULL);
  char reason[256] = "";
  if (!api_authorize(r->server, &a, reason, sizeof reason)) {
    api_authz_forbidden(out, &a, reason);
    return false;
  }
  return true;
}

bool api_authn_serve_whoami(api_request *r, api_response *out) {
  static const char *const versions[] = {"v1", "v1beta1", "v1alpha1", NULL};
  char path[96];
  const char *version = NULL;
  for (int i = 0; versions[i] && version == NULL; i++) {
    snprintf(path, sizeof path, "/apis/authentication.k8s.io/%s/selfsubjectreviews", versions[i]);
    if (strcmp(r->path, path) == 0)
      version = versions[i];
  }
  if (version == NULL)
    return false;
  if (!api_review_admit(r, "authentication.k8s.io", "selfsubjectreviews", out))
    return true;
  char api_version[64];
  snprintf(api_version, sizeof api_version, "authentication.k8s.io/%s", version);
  out->code = 201;
  out->body =
      json_pack("{s:s, s:s, s:{}, s:{s:o}}", "apiVersion", api_version, "kind", "SelfSubjectReview",
                "metadata", "status", "userInfo", api_user_info_json(&r->user));
  return true;
}
