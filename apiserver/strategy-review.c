/*
 * strategy-review.c — the access reviews of authorization.k8s.io/v1, asked by
 * creating them and answered in their status; nothing is stored.
 *
 *   SelfSubjectAccessReview   may I do this?            (kubectl auth can-i)
 *   SubjectAccessReview       may spec.user/groups do this?
 *   LocalSubjectAccessReview  the same, within the URL's namespace
 *   SelfSubjectRulesReview    what may I do in spec.namespace? (can-i --list)
 *
 * Whether the requester may ask at all was decided like any create (the
 * system:basic-user role lets every authenticated user ask about itself).
 */
#include <stdio.h>
#include <string.h>

#include "authz.h"
#include "object.h"
#include "rbac.h"
#include "registry.h"
#include "server.h"

static const char *str(const json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}

static void attrs_of(const json_t *spec, const api_user *u, api_authz_attrs *a) {
  const json_t *res = json_object_get(spec, "resourceAttributes");
  const json_t *path = json_object_get(spec, "nonResourceAttributes");
  if (res)
    api_authz_resource(a, u, str(res, "verb"), str(res, "group"), str(res, "resource"),
                       str(res, "subresource"), str(res, "namespace"), str(res, "name"));
  else
    api_authz_path(a, u, str(path, "verb"), str(path, "path"));
}

/* The user a SubjectAccessReview asks about. */
static void subject_of(const json_t *spec, api_user *u) {
  api_user_set(u, str(spec, "user"), str(spec, "uid"));
  size_t i;
  json_t *g;
  json_array_foreach(json_object_get(spec, "groups"), i, g) {
    if (json_is_string(g))
      api_user_add_group(u, json_string_value(g));
  }
}

static int answer(json_t *obj, bool allowed, const char *reason, api_response *out) {
  json_t *status = json_pack("{s:b}", "allowed", allowed);
  if (reason && reason[0])
    json_object_set_new(status, "reason", json_string(reason));
  json_object_set_new(obj, "status", status);
  json_decref(out->body);
  out->code = 201;
  out->body = json_incref(obj);
  return 0;
}

static int access_review(api_request *r, json_t *obj, api_response *out) {
  const char *kind = tug_obj_get_str(obj, "kind");
  json_t *spec = json_object_get(obj, "spec");
  api_user subject;
  const api_user *u = &r->user;
  if (kind && strcmp(kind, "SelfSubjectAccessReview") != 0) {
    subject_of(spec, &subject);
    u = &subject;
  }
  const char *ns = tug_obj_namespace(obj);
  json_t *res = json_object_get(spec, "resourceAttributes");
  if (kind && strcmp(kind, "LocalSubjectAccessReview") == 0 && res) {
    const char *asked = str(res, "namespace");
    if (asked[0] && strcmp(asked, ns ? ns : "") != 0) {
      api_fail(out, 400, "spec.resourceAttributes.namespace must match metadata.namespace");
      return -1;
    }
    json_object_set_new(res, "namespace", json_string(ns ? ns : ""));
  }
  api_authz_attrs a;
  attrs_of(spec, u, &a);
  char reason[512];
  bool ok = api_authorize(r->server, &a, reason, sizeof reason);
  return answer(obj, ok, ok ? "" : reason, out);
}

static json_t *rules_status(const rbac_rules *rs) {
  json_t *res = json_array(), *urls = json_array();
  for (size_t i = 0; i < rs->n; i++) {
    json_t *j = rbac_rule_json(&rs->v[i]);
    json_array_append_new(json_object_get(j, "nonResourceURLs") ? urls : res, j);
  }
  return json_pack("{s:o, s:o, s:b}", "resourceRules", res, "nonResourceRules", urls, "incomplete",
                   false);
}

static int rules_review(api_request *r, json_t *obj, api_response *out) {
  const char *ns = tug_obj_get_str(obj, "spec.namespace");
  rbac_rules rs = {0};
  if (api_user_in_group(&r->user, "system:masters")) {
    json_t *all = json_pack("[{s:[s], s:[s], s:[s]}, {s:[s], s:[s]}]", "verbs", "*", "apiGroups",
                            "*", "resources", "*", "verbs", "*", "nonResourceURLs", "*");
    rbac_rules_parse(all, &rs);
    json_decref(all);
  }
  if (r->server->rbac)
    api_rbac_user_rules(r->server->rbac, &r->user, ns ? ns : "", &rs);
  json_object_set_new(obj, "status", rules_status(&rs));
  rbac_rules_free(&rs);
  json_decref(out->body);
  out->code = 201;
  out->body = json_incref(obj);
  return 0;
}

const api_strategy api_strategy_access_review = {.review = access_review};
const api_strategy api_strategy_rules_review = {.review = rules_review};
