/* Unit tests for the ServiceAccount token authenticator (apiserver/authn-serviceaccount.c),
 * over a lookup that stands for the watch caches. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first; the blank line keeps clang-format from
 * sorting it ahead of them. */

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/tests/json_text.h"
#include "authn.h"
#include "satoken.h"

#define ISSUER "https://kubernetes.default.svc.cluster.local"
enum { NOW = 1800000000 };

typedef struct fixture {
  api_satokens keys;
  json_t *objects; /* "resource/ns/name" → object */
} fixture;

static json_t *fake_lookup(void *arg, const char *resource, const char *ns, const char *name) {
  fixture *f = arg;
  char key[300];
  snprintf(key, sizeof key, "%s/%s/%s", resource, ns, name);
  return json_incref(json_object_get(f->objects, key));
}

static void put(fixture *f, const char *resource, const char *ns, const char *name, const char *uid,
                const char *deletion) {
  char key[300];
  snprintf(key, sizeof key, "%s/%s/%s", resource, ns, name);
  json_t *obj =
      json_pack("{s:{s:s, s:s, s:s}}", "metadata", "name", name, "namespace", ns, "uid", uid);
  if (deletion)
    json_object_set_new(json_object_get(obj, "metadata"), "deletionTimestamp",
                        json_string(deletion));
  json_object_set_new(f->objects, key, obj);
}

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  tug_error err = {0};
  if (f == NULL || api_satokens_init(&f->keys, NULL, NULL, ISSUER, &err) < 0)
    return -1;
  f->objects = json_object();
  put(f, "serviceaccounts", "team-a", "builder", "sa-uid", NULL);
  put(f, "pods", "team-a", "web-1", "pod-uid", NULL);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  api_satokens_free(&f->keys);
  json_decref(f->objects);
  free(f);
  return 0;
}

/* A token signed by the fixture's key; pod NULL: not bound. */
static char *token_for(fixture *f, const char *issuer, const char *pod, const json_t *aud) {
  api_satoken_subject sub = {.ns = "team-a", .sa_name = "builder", .sa_uid = "sa-uid"};
  if (pod)
    sub.pod_name = pod, sub.pod_uid = "pod-uid";
  json_t *claims = api_satoken_claims(issuer, aud, &sub, NOW, 3607, "jti");
  tug_error err = {0};
  char *token = tug_jwt_sign(f->keys.signer, claims, &err);
  json_decref(claims);
  assert_non_null(token);
  return token;
}

static int authn(fixture *f, const char *token, int64_t now, api_user *u, tug_error *err) {
  *err = (tug_error){0};
  return api_authn_serviceaccount_at(&f->keys, fake_lookup, f, token, now, u, err);
}

static void a_valid_token_is_its_service_account(void **state) {
  fixture *f = *state;
  char *token = token_for(f, ISSUER, "web-1", NULL);
  api_user u;
  tug_error err;
  assert_int_equal(authn(f, token, NOW + 10, &u, &err), 1);
  assert_string_equal(u.name, "system:serviceaccount:team-a:builder");
  assert_string_equal(u.uid, "sa-uid");
  assert_int_equal(u.ngroups, 3);
  assert_true(api_user_in_group(&u, "system:serviceaccounts"));
  assert_true(api_user_in_group(&u, "system:serviceaccounts:team-a"));
  assert_true(api_user_in_group(&u, "system:authenticated"));
  free(token);
}

static void tokens_of_another_issuer_or_not_jwts_are_left_to_others(void **state) {
  fixture *f = *state;
  char *token = token_for(f, "https://other.example", NULL, NULL);
  api_user u;
  tug_error err;
  assert_int_equal(authn(f, token, NOW, &u, &err), 0);
  assert_int_equal(authn(f, "31ada4fd-adec-460c-809a-9e56ceb75269", NOW, &u, &err), 0);
  free(token);
}

static void an_expired_token_is_refused(void **state) {
  fixture *f = *state;
  char *token = token_for(f, ISSUER, NULL, NULL);
  api_user u;
  tug_error err;
  assert_int_equal(authn(f, token, NOW + 3607 + TUG_JWT_LEEWAY + 1, &u, &err), -1);
  assert_string_equal(err.msg, "token has expired");
  free(token);
}

static void a_token_for_another_audience_is_refused(void **state) {
  fixture *f = *state;
  json_t *aud = js("['vault']");
  char *token = token_for(f, ISSUER, NULL, aud);
  api_user u;
  tug_error err;
  assert_int_equal(authn(f, token, NOW, &u, &err), -1);
  assert_string_equal(err.msg, "token audiences are invalid");
  free(token), json_decref(aud);
}

static void a_deleted_or_recreated_account_ends_its_tokens(void **state) {
  fixture *f = *state;
  char *token = token_for(f, ISSUER, NULL, NULL);
  api_user u;
  tug_error err;
  put(f, "serviceaccounts", "team-a", "builder", "another-uid", NULL);
  assert_int_equal(authn(f, token, NOW, &u, &err), -1);
  assert_string_equal(
      err.msg, "service account team-a/builder uid (another-uid) does not match claim (sa-uid)");
  json_object_del(f->objects, "serviceaccounts/team-a/builder");
  assert_int_equal(authn(f, token, NOW, &u, &err), -1);
  assert_string_equal(err.msg, "service account team-a/builder has been deleted");
  free(token);
}

static void a_bound_pod_gone_replaced_or_past_its_grace_ends_its_tokens(void **state) {
  fixture *f = *state;
  char *token = token_for(f, ISSUER, "web-1", NULL);
  api_user u;
  tug_error err;
  /* Being deleted, its grace period still running: still good. */
  put(f, "pods", "team-a", "web-1", "pod-uid", "2027-01-15T08:00:30Z"); /* NOW + 30 s */
  assert_int_equal(authn(f, token, NOW, &u, &err), 1);
  assert_int_equal(authn(f, token, NOW + 30, &u, &err), -1);
  assert_string_equal(err.msg, "pod team-a/web-1 has been deleted");
  put(f, "pods", "team-a", "web-1", "new-pod-uid", NULL);
  assert_int_equal(authn(f, token, NOW, &u, &err), -1);
  json_object_del(f->objects, "pods/team-a/web-1");
  assert_int_equal(authn(f, token, NOW, &u, &err), -1);
  assert_string_equal(err.msg, "pod team-a/web-1 has been deleted");
  free(token);
}

int main(void) {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
  const struct CMUnitTest tests[] = {
      T(a_valid_token_is_its_service_account),
      T(tokens_of_another_issuer_or_not_jwts_are_left_to_others),
      T(an_expired_token_is_refused),
      T(a_token_for_another_audience_is_refused),
      T(a_deleted_or_recreated_account_ends_its_tokens),
      T(a_bound_pod_gone_replaced_or_past_its_grace_ends_its_tokens),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
