/*
 * authn-serviceaccount.c — the ServiceAccount token authenticator (authn.h).
 *
 * A bearer token is ours when it is a JWT whose issuer is this server's; any
 * other token is left to the other authenticators (0). Ours must then hold
 * up entirely (-1 otherwise): a signature by one of the verification keys,
 * time claims valid now, the API server's audience, and — read from the
 * watch caches, never from etcd, since this runs on every request — a
 * ServiceAccount and a bound pod that still exist with the uids the token
 * names and a pod whose deletion has not come due.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "authn.h"
#include "cleanup.h"
#include "object.h"
#include "timestamp.h"
#include "watchcache.h"

/* What the authenticator reads: ns/name of a core resource, a new reference or NULL. */
typedef struct lookup {
  api_authn_lookup_fn fn;
  void *arg;
} lookup;

/* The object ns/name of resource (a new reference) when it exists with uid;
 * NULL with err otherwise, what ("pod") naming it in the message. */
static json_t *found_with_uid(const lookup *l, const char *resource, const char *what,
                              const char *ns, const char *name, const char *uid, tug_error *err) {
  json_t *obj = l->fn(l->arg, resource, ns, name);
  const char *have = obj ? tug_obj_uid(obj) : NULL;
  if (obj == NULL)
    tug_error_set(err, EACCES, "%s %s/%s has been deleted", what, ns, name);
  else if (have == NULL || strcmp(have, uid) != 0)
    tug_error_set(err, EACCES, "%s %s/%s uid (%s) does not match claim (%s)", what, ns, name,
                  have ? have : "", uid);
  else
    return obj;
  json_decref(obj);
  return NULL;
}

/* A pod stays good for its grace period: until its deletionTimestamp. */
static int check_pod(const lookup *l, const api_satoken_subject *sub, int64_t now, tug_error *err) {
  _cleanup_json_ json_t *pod =
      found_with_uid(l, "pods", "pod", sub->ns, sub->pod_name, sub->pod_uid, err);
  if (pod == NULL)
    return -1;
  const char *deletion = tug_obj_deletion_timestamp(pod);
  double due = deletion ? tug_time_parse(deletion) : -1;
  if (due >= 0 && due <= (double)now)
    return tug_error_set(err, EACCES, "pod %s/%s has been deleted", sub->ns, sub->pod_name);
  return 0;
}

static int check_subject(const lookup *l, const api_satoken_subject *sub, int64_t now,
                         tug_error *err) {
  _cleanup_json_ json_t *sa = found_with_uid(l, "serviceaccounts", "service account", sub->ns,
                                             sub->sa_name, sub->sa_uid, err);
  if (sa == NULL)
    return -1;
  return sub->pod_name ? check_pod(l, sub, now, err) : 0;
}

static void fill_user(const api_satoken_subject *sub, api_user *out) {
  char name[API_USER_NAME_MAX], group[API_USER_NAME_MAX];
  api_user_set(out, api_satoken_username(sub->ns, sub->sa_name, name, sizeof name), sub->sa_uid);
  snprintf(group, sizeof group, "system:serviceaccounts:%s", sub->ns);
  api_user_add_group(out, "system:serviceaccounts");
  api_user_add_group(out, group);
  api_user_add_group(out, "system:authenticated");
}

int api_authn_serviceaccount_at(const api_satokens *t, api_authn_lookup_fn fn, void *arg,
                                const char *token, int64_t now, api_user *out, tug_error *err) {
  _cleanup_json_ json_t *peeked = tug_jwt_peek_claims(token);
  const char *iss = json_string_value(json_object_get(peeked, "iss"));
  if (iss == NULL || t->issuer == NULL || strcmp(iss, t->issuer) != 0)
    return 0;
  _cleanup_json_ json_t *claims = NULL;
  if (tug_jwt_verify(t->keys, t->nkeys, token, now, &claims, err) < 0)
    return -1;
  if (!api_satoken_for_audience(claims, t->issuer))
    return tug_error_set(err, EACCES, "token audiences are invalid");
  api_satoken_subject sub;
  lookup l = {fn, arg};
  if (api_satoken_subject_of(claims, &sub, err) < 0 || check_subject(&l, &sub, now, err) < 0)
    return -1;
  fill_user(&sub, out);
  return 1;
}

static json_t *from_cache(void *arg, const char *resource, const char *ns, const char *name) {
  return api_cache_object(arg, api_kind_by_resource("", "v1", resource), ns, name);
}

int api_authn_serviceaccount(api_server *s, const char *token, api_user *out, tug_error *err) {
  return api_authn_serviceaccount_at(&s->satokens, from_cache, s, token, (int64_t)time(NULL), out,
                                     err);
}
