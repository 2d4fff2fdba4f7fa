/* Unit tests for ServiceAccount token claims and keys (apiserver/satoken.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first; the blank line keeps clang-format from
 * sorting it ahead of them. */

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../lib/tests/json_text.h"
#include "object.h"
#include "satoken.h"

#define ISSUER "https://kubernetes.default.svc.cluster.local"
enum { NOW = 1800000000 };

static const api_satoken_subject bound = {
    .ns = "team-a",
    .sa_name = "builder",
    .sa_uid = "sa-uid",
    .pod_name = "web-1",
    .pod_uid = "pod-uid",
    .node_name = "n1",
    .node_uid = "node-uid",
};

static void claims_are_kubernetes_bound_token_claims(void **state) {
  (void)state;
  json_t *c = api_satoken_claims(ISSUER, NULL, &bound, NOW, 3607, "jti-1");
  assert_string_equal(tug_obj_get_str(c, "iss"), ISSUER);
  assert_string_equal(tug_obj_get_str(c, "sub"), "system:serviceaccount:team-a:builder");
  assert_int_equal(json_array_size(json_object_get(c, "aud")), 1);
  assert_string_equal(json_string_value(json_array_get(json_object_get(c, "aud"), 0)), ISSUER);
  assert_int_equal(json_integer_value(json_object_get(c, "iat")), NOW);
  assert_int_equal(json_integer_value(json_object_get(c, "nbf")), NOW);
  assert_int_equal(json_integer_value(json_object_get(c, "exp")), NOW + 3607);
  assert_string_equal(tug_obj_get_str(c, "jti"), "jti-1");
  json_t *k8s = json_object_get(c, "kubernetes.io");
  json_t *want = js("{'namespace': 'team-a',"
                    " 'serviceaccount': {'name': 'builder', 'uid': 'sa-uid'},"
                    " 'pod': {'name': 'web-1', 'uid': 'pod-uid'},"
                    " 'node': {'name': 'n1', 'uid': 'node-uid'}}");
  assert_true(json_equal(k8s, want));
  json_decref(want), json_decref(c);
}

static void an_unbound_token_names_no_pod_and_keeps_asked_audiences(void **state) {
  (void)state;
  api_satoken_subject sa = {.ns = "team-a", .sa_name = "builder", .sa_uid = "sa-uid"};
  json_t *aud = js("['vault', 'ci']");
  json_t *c = api_satoken_claims(ISSUER, aud, &sa, NOW, 600, "j");
  assert_true(json_equal(json_object_get(c, "aud"), aud));
  assert_null(json_object_get(json_object_get(c, "kubernetes.io"), "pod"));
  assert_null(json_object_get(json_object_get(c, "kubernetes.io"), "node"));
  assert_true(api_satoken_for_audience(c, "ci"));
  assert_false(api_satoken_for_audience(c, ISSUER));
  json_decref(c), json_decref(aud);
}

static void the_subject_reads_back_from_the_claims(void **state) {
  (void)state;
  json_t *c = api_satoken_claims(ISSUER, NULL, &bound, NOW, 3607, "j");
  api_satoken_subject got;
  tug_error err = {0};
  assert_int_equal(api_satoken_subject_of(c, &got, &err), 0);
  assert_string_equal(got.ns, "team-a");
  assert_string_equal(got.sa_name, "builder");
  assert_string_equal(got.sa_uid, "sa-uid");
  assert_string_equal(got.pod_name, "web-1");
  assert_string_equal(got.pod_uid, "pod-uid");
  assert_string_equal(got.node_name, "n1");
  json_decref(c);
}

static void claims_that_contradict_themselves_are_refused(void **state) {
  (void)state;
  api_satoken_subject got;
  tug_error err = {0};
  json_t *c = api_satoken_claims(ISSUER, NULL, &bound, NOW, 3607, "j");
  json_object_set_new(c, "sub", json_string("system:serviceaccount:kube-system:admin"));
  assert_int_equal(api_satoken_subject_of(c, &got, &err), -1);
  assert_string_equal(err.msg, "token subject does not match its service account claims");
  json_decref(c);
  c = js("{'sub': 'system:serviceaccount:a:b', 'kubernetes.io': {'namespace': 'a'}}");
  assert_int_equal(api_satoken_subject_of(c, &got, &err), -1);
  assert_string_equal(err.msg, "token lacks its service account claims");
  json_decref(c);
  c = js("{'sub': 'system:serviceaccount:a:b', 'kubernetes.io': {'namespace': 'a',"
         " 'serviceaccount': {'name': 'b', 'uid': 'u'}, 'pod': {'name': 'p'}}}");
  assert_int_equal(api_satoken_subject_of(c, &got, &err), -1);
  assert_string_equal(err.msg, "token has a malformed pod claim");
  json_decref(c);
}

static void a_signed_token_expires_with_its_claims(void **state) {
  (void)state;
  api_satokens t;
  tug_error err = {0};
  assert_int_equal(api_satokens_init(&t, NULL, NULL, ISSUER, &err), 0);
  assert_true(t.generated);
  json_t *c = api_satoken_claims(ISSUER, NULL, &bound, NOW, 600, "j");
  char *token = tug_jwt_sign(t.signer, c, &err);
  json_t *back = NULL;
  assert_int_equal(tug_jwt_verify(t.keys, t.nkeys, token, NOW + 599, &back, &err), 0);
  assert_true(json_equal(back, c));
  json_decref(back);
  assert_int_equal(
      tug_jwt_verify(t.keys, t.nkeys, token, NOW + 600 + TUG_JWT_LEEWAY + 1, &back, &err), -1);
  assert_string_equal(err.msg, "token has expired");
  free(token), json_decref(c);
  api_satokens_free(&t);
}

static void a_missing_key_file_is_named(void **state) {
  (void)state;
  api_satokens t;
  tug_error err = {0};
  assert_int_equal(api_satokens_init(&t, "/nonexistent/sa.key", NULL, ISSUER, &err), -1);
  assert_non_null(strstr(err.msg, "--service-account-signing-key-file"));
  assert_non_null(strstr(err.msg, "/nonexistent/sa.key"));
  api_satokens_free(&t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(claims_are_kubernetes_bound_token_claims),
      cmocka_unit_test(an_unbound_token_names_no_pod_and_keeps_asked_audiences),
      cmocka_unit_test(the_subject_reads_back_from_the_claims),
      cmocka_unit_test(claims_that_contradict_themselves_are_refused),
      cmocka_unit_test(a_signed_token_expires_with_its_claims),
      cmocka_unit_test(a_missing_key_file_is_named),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
