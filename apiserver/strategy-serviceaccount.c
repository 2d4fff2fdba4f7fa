/*
 * strategy-serviceaccount.c — what a ServiceAccount has that no other kind
 * has: POST .../serviceaccounts/{name}/token, the TokenRequest API
 * (authentication.k8s.io/v1), which `kubectl create token` and the node agent call.
 *
 * The answer is the TokenRequest with its spec defaulted (expirationSeconds
 * 3600, audiences the API server's) and status.token, a JWT for the
 * ServiceAccount (satoken.h). A token bound to a Pod (spec.boundObjectRef)
 * names the pod, its uid and its node, and dies with the pod; as in
 * Kubernetes the pod must run as this ServiceAccount, and a uid in the
 * reference must still be the pod's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "handlers.h"
#include "object.h"
#include "status.h"
#include "storage.h"
#include "timestamp.h"

#define TR_API_VERSION "authentication.k8s.io/v1"

/* 422 naming the TokenRequest's field, as Kubernetes words it. */
static int invalid(api_response *out, const char *name, const char *field, const json_t *value,
                   const char *detail) {
  _cleanup_free_ char *shown = json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT);
  char msg[512];
  snprintf(msg, sizeof msg, "Invalid value: %s: %s", shown ? shown : "null", detail);
  json_t *details = json_pack("{s:s, s:s, s:s, s:[{s:s, s:s, s:s}]}", "name", name, "group",
                              "authentication.k8s.io", "kind", "TokenRequest", "causes", "reason",
                              "FieldValueInvalid", "message", msg, "field", field);
  json_decref(out->body);
  out->code = 422;
  out->body =
      api_status(422, "Invalid", details,
                 "TokenRequest.authentication.k8s.io \"%s\" is invalid: %s: %s", name, field, msg);
  return -1;
}

/* spec.expirationSeconds defaulted and within Kubernetes' bounds; audiences strings. */
static int check_spec(json_t *spec, const char *name, api_response *out) {
  json_t *exp = json_object_get(spec, "expirationSeconds");
  if (exp == NULL || json_is_null(exp))
    json_object_set_new(spec, "expirationSeconds", exp = json_integer(API_SATOKEN_DEFAULT_SECONDS));
  if (!json_is_integer(exp))
    return invalid(out, name, "spec.expirationSeconds", exp, "must be an integer");
  if (json_integer_value(exp) < API_SATOKEN_MIN_SECONDS)
    return invalid(out, name, "spec.expirationSeconds", exp,
                   "may not specify a duration less than 10 minutes");
  if (json_integer_value(exp) > API_SATOKEN_MAX_SECONDS)
    return invalid(out, name, "spec.expirationSeconds", exp,
                   "may not specify a duration larger than 2^32 seconds");
  json_t *aud = json_object_get(spec, "audiences"), *a;
  size_t i;
  if (aud && !json_is_null(aud) && !json_is_array(aud))
    return invalid(out, name, "spec.audiences", aud, "must be a list of strings");
  json_array_foreach(aud, i, a) {
    if (!json_is_string(a) || json_string_length(a) == 0)
      return invalid(out, name, "spec.audiences", a, "must be a non-empty string");
  }
  return 0;
}

/* The pod a token is bound to: found, run as this ServiceAccount, of the uid
 * asked for. Fills the pod and node members of sub, pointing into *pod and *node. */
static int bind_pod(api_server *s, const json_t *ref, api_satoken_subject *sub, json_t **pod,
                    json_t **node, api_response *out) {
  const char *name = json_string_value(json_object_get(ref, "name"));
  const char *uid = json_string_value(json_object_get(ref, "uid"));
  const api_kind *pods = api_kind_by_resource("", "v1", "pods");
  tug_error err = {0};
  if (name == NULL || name[0] == '\0') {
    api_fail(out, 400, "boundObjectRef.name is required");
    return -1;
  }
  if (api_storage_get(s, pods, sub->ns, name, pod, NULL, &err) < 0) {
    api_fail_error(out, pods, name, &err);
    return -1;
  }
  const char *sa = tug_obj_get_str(*pod, "spec.serviceAccountName");
  if (sa == NULL || strcmp(sa, sub->sa_name) != 0) {
    api_fail(out, 400,
             "cannot bind token for serviceaccount \"%s\" to pod running with different "
             "serviceaccount name.",
             sub->sa_name);
    return -1;
  }
  if (uid && uid[0] && strcmp(uid, tug_obj_uid(*pod)) != 0) {
    json_decref(out->body);
    out->code = 409;
    out->body = api_status(409, "Conflict", json_pack("{s:s, s:s}", "name", name, "kind", "Pod"),
                           "Operation cannot be fulfilled on Pod \"%s\": the UID in the bound "
                           "object reference (%s) does not match the UID in record. The object "
                           "might have been deleted and then recreated",
                           name, uid);
    return -1;
  }
  sub->pod_name = tug_obj_name(*pod);
  sub->pod_uid = tug_obj_uid(*pod);
  const char *node_name = tug_obj_get_str(*pod, "spec.nodeName");
  if (node_name && node_name[0] &&
      api_storage_get(s, api_kind_by_resource("", "v1", "nodes"), NULL, node_name, node, NULL,
                      &err) == 0) {
    sub->node_name = tug_obj_name(*node);
    sub->node_uid = tug_obj_uid(*node);
  }
  return 0;
}

static int bind_object(api_server *s, const json_t *ref, api_satoken_subject *sub, json_t **pod,
                       json_t **node, api_response *out) {
  const char *kind = json_string_value(json_object_get(ref, "kind"));
  const char *av = json_string_value(json_object_get(ref, "apiVersion"));
  const api_kind *bound = api_kind_by_gvk(av && av[0] ? av : "v1", kind);
  if (bound && bound == api_kind_by_resource("", "v1", "pods"))
    return bind_pod(s, ref, sub, pod, node, out);
  api_fail(out, 400, "cannot bind token for object of kind %s/%s", av ? av : "", kind ? kind : "");
  return -1;
}

static int sign_into(api_server *s, json_t *tr, const api_satoken_subject *sub, api_response *out) {
  json_t *spec = json_object_get(tr, "spec");
  int64_t now = (int64_t)time(NULL),
          seconds = json_integer_value(json_object_get(spec, "expirationSeconds"));
  char jti[40], expires[32];
  json_t *aud = json_object_get(spec, "audiences");
  if (json_array_size(aud) == 0)
    json_object_set_new(spec, "audiences", json_pack("[s]", s->satokens.issuer));
  _cleanup_json_ json_t *claims =
      api_satoken_claims(s->satokens.issuer, json_object_get(spec, "audiences"), sub, now, seconds,
                         api_new_uid(jti, sizeof jti));
  tug_error err = {0};
  char *token = tug_jwt_sign(s->satokens.signer, claims, &err);
  if (token == NULL) {
    api_fail(out, 500, "%s", err.msg);
    return -1;
  }
  json_object_set_new(tr, "status",
                      json_pack("{s:s, s:s}", "token", token, "expirationTimestamp",
                                tug_time_format((time_t)(now + seconds), expires, sizeof expires)));
  free(token);
  return 0;
}

/* The TokenRequest as answered: the request's spec, the ServiceAccount's name. */
static json_t *request_of(json_t *body, const json_t *sa) {
  json_t *spec = json_object_get(body, "spec");
  return json_pack("{s:s, s:s, s:{s:s, s:s, s:s}, s:o}", "kind", "TokenRequest", "apiVersion",
                   TR_API_VERSION, "metadata", "name", tug_obj_name(sa), "namespace",
                   tug_obj_namespace(sa), "uid", tug_obj_uid(sa), "spec",
                   json_is_object(spec) ? json_incref(spec) : json_object());
}

void api_handle_token(api_request *r, const api_route *rt, api_response *out) {
  if (strcmp(r->method, "POST") != 0) {
    api_fail(out, 405, "method %s not allowed on token", r->method);
    return;
  }
  _cleanup_json_ json_t *body = api_read_body(r, out);
  if (body == NULL)
    return;
  const char *av = tug_obj_api_version(body), *kind = tug_obj_kind(body);
  if ((av && strcmp(av, TR_API_VERSION) != 0) || (kind && strcmp(kind, "TokenRequest") != 0)) {
    api_fail(out, 400, "the body must be a TokenRequest of %s, not %s %s", TR_API_VERSION,
             av ? av : "", kind ? kind : "");
    return;
  }
  _cleanup_json_ json_t *sa = NULL, *pod = NULL, *node = NULL;
  tug_error err = {0};
  if (api_storage_get(r->server, rt->kind, rt->ns, rt->name, &sa, NULL, &err) < 0) {
    api_fail_error(out, rt->kind, rt->name, &err);
    return;
  }
  _cleanup_json_ json_t *tr = request_of(body, sa);
  api_satoken_subject sub = {.ns = rt->ns, .sa_name = rt->name, .sa_uid = tug_obj_uid(sa)};
  json_t *ref = tug_obj_get(tr, "spec.boundObjectRef");
  if (check_spec(json_object_get(tr, "spec"), rt->name, out) < 0 ||
      (ref && !json_is_null(ref) && bind_object(r->server, ref, &sub, &pod, &node, out) < 0) ||
      sign_into(r->server, tr, &sub, out) < 0)
    return;
  json_decref(out->body);
  out->code = 201;
  out->body = json_incref(tr);
}
