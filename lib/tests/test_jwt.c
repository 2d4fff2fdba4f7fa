/* Unit tests for JSON Web Tokens (lib/jwt.c) and base64url (lib/base64.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first; the blank line keeps clang-format from
 * sorting it ahead of them. */

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base64.h"
#include "jwt.h"

enum { NOW = 1800000000 };

/* A PEM file holding text; its path in path (a mkstemp template). */
static void write_file(char *path, const char *text) {
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
  close(fd);
}

/* A private key of the given kind written to a temporary file. */
static void write_private_key(char *path, EVP_PKEY *pkey) {
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE *f = fdopen(fd, "w");
  assert_true(PEM_write_PrivateKey(f, pkey, NULL, NULL, 0, NULL, NULL));
  fclose(f);
  EVP_PKEY_free(pkey);
}

static json_t *claims_at(int64_t exp, int64_t nbf) {
  return json_pack("{s:s, s:s, s:I, s:I, s:I}", "iss", "https://tugboat.local", "sub",
                   "system:serviceaccount:team-a:builder", "exp", (json_int_t)exp, "nbf",
                   (json_int_t)nbf, "iat", (json_int_t)nbf);
}

static char *sign(const tug_jwt_key *k, int64_t exp, int64_t nbf) {
  json_t *c = claims_at(exp, nbf);
  tug_error err = {0};
  char *token = tug_jwt_sign(k, c, &err);
  json_decref(c);
  assert_non_null(token);
  return token;
}

static int verify(tug_jwt_key *k, const char *token, int64_t now, tug_error *err) {
  json_t *claims = NULL;
  int rc = tug_jwt_verify(&k, 1, token, now, &claims, err);
  json_decref(claims);
  return rc;
}

static void base64url_round_trips_without_padding(void **state) {
  (void)state;
  const unsigned char bytes[] = {0xfb, 0xff, 0xfe, 'a'};
  char *coded = tug_base64url_encode(bytes, sizeof bytes);
  assert_string_equal(coded, "-__-YQ");
  unsigned char *back = NULL;
  size_t len = 0;
  assert_int_equal(tug_base64url_decode(coded, strlen(coded), &back, &len), 0);
  assert_int_equal(len, sizeof bytes);
  assert_memory_equal(back, bytes, sizeof bytes);
  free(back), free(coded);
}

static void base64url_refuses_the_standard_alphabet_and_padding(void **state) {
  (void)state;
  unsigned char *out = NULL;
  size_t len;
  assert_int_equal(tug_base64url_decode("+__-YQ", 6, &out, &len), -1);
  assert_int_equal(tug_base64url_decode("-__-YQ==", 8, &out, &len), -1);
  assert_int_equal(tug_base64url_decode("-__-Y\n", 6, &out, &len), -1);
  assert_int_equal(tug_base64url_decode("A", 1, &out, &len), -1);
  assert_null(out);
}

static void es256_token_verifies_and_carries_its_claims(void **state) {
  (void)state;
  tug_error err = {0};
  tug_jwt_key *k = tug_jwt_key_generate("ES256", &err);
  assert_non_null(k);
  assert_string_equal(tug_jwt_key_alg(k), "ES256");
  char *token = sign(k, NOW + 600, NOW);
  json_t *claims = NULL;
  assert_int_equal(tug_jwt_verify(&k, 1, token, NOW, &claims, &err), 0);
  assert_string_equal(json_string_value(json_object_get(claims, "sub")),
                      "system:serviceaccount:team-a:builder");
  json_t *peeked = tug_jwt_peek_claims(token);
  assert_true(json_equal(peeked, claims));
  /* The header names the key that signed. */
  unsigned char *header = NULL;
  size_t len;
  assert_int_equal(tug_base64url_decode(token, strchr(token, '.') - token, &header, &len), 0);
  assert_non_null(strstr((char *)header, tug_jwt_key_id(k)));
  free(header), json_decref(peeked), json_decref(claims), free(token);
  tug_jwt_key_free(k);
}

static void rs256_key_from_a_file_signs_and_its_public_half_verifies(void **state) {
  (void)state;
  char priv[] = "/tmp/test_jwt_rsaXXXXXX", pub[] = "/tmp/test_jwt_pubXXXXXX";
  write_private_key(priv, EVP_RSA_gen(2048));
  tug_error err = {0};
  tug_jwt_key *k = tug_jwt_key_load(priv, &err);
  assert_non_null(k);
  assert_string_equal(tug_jwt_key_alg(k), "RS256");
  char *pem = tug_jwt_key_public_pem(k, &err);
  write_file(pub, pem);
  tug_jwt_key **keys = NULL;
  size_t n = 0;
  assert_int_equal(tug_jwt_keys_load(pub, &keys, &n, &err), 0);
  assert_int_equal(n, 1);
  assert_string_equal(tug_jwt_key_id(keys[0]), tug_jwt_key_id(k));
  char *token = sign(k, NOW + 600, NOW);
  assert_int_equal(verify(keys[0], token, NOW, &err), 0);
  free(token), free(pem), tug_jwt_key_free(keys[0]), free(keys), tug_jwt_key_free(k);
  unlink(priv), unlink(pub);
}

static void a_changed_claim_breaks_the_signature(void **state) {
  (void)state;
  tug_error err = {0};
  tug_jwt_key *k = tug_jwt_key_generate("ES256", &err);
  char *token = sign(k, NOW + 600, NOW);
  /* Same header and signature, claims of another user. */
  json_t *other = json_pack("{s:s, s:I}", "sub", "system:serviceaccount:kube-system:admin", "exp",
                            (json_int_t)NOW + 600);
  char *forged_claims = json_dumps(other, JSON_COMPACT);
  char *coded = tug_base64url_encode(forged_claims, strlen(forged_claims));
  char forged[4096];
  const char *dot1 = strchr(token, '.'), *dot2 = strchr(dot1 + 1, '.');
  snprintf(forged, sizeof forged, "%.*s.%s%s", (int)(dot1 - token), token, coded, dot2);
  assert_int_equal(verify(k, forged, NOW, &err), -1);
  assert_string_equal(err.msg, "invalid signature");
  free(coded), free(forged_claims), json_decref(other), free(token), tug_jwt_key_free(k);
}

static void another_key_does_not_verify(void **state) {
  (void)state;
  tug_error err = {0};
  tug_jwt_key *a = tug_jwt_key_generate("ES256", &err), *b = tug_jwt_key_generate("ES256", &err);
  char *token = sign(a, NOW + 600, NOW);
  assert_int_equal(verify(b, token, NOW, &err), -1);
  assert_string_equal(err.msg, "invalid signature");
  /* With both keys, the one the token names is found. */
  tug_jwt_key *both[] = {b, a};
  json_t *claims = NULL;
  assert_int_equal(tug_jwt_verify(both, 2, token, NOW, &claims, &err), 0);
  json_decref(claims), free(token), tug_jwt_key_free(a), tug_jwt_key_free(b);
}

static void alg_none_is_refused(void **state) {
  (void)state;
  tug_error err = {0};
  tug_jwt_key *k = tug_jwt_key_generate("ES256", &err);
  const char *h = "{\"alg\":\"none\"}", *c = "{\"sub\":\"x\"}";
  char *hb = tug_base64url_encode(h, strlen(h)), *cb = tug_base64url_encode(c, strlen(c));
  char token[256];
  snprintf(token, sizeof token, "%s.%s.", hb, cb);
  assert_int_equal(verify(k, token, NOW, &err), -1);
  snprintf(token, sizeof token, "%s.%s", hb, cb);
  assert_int_equal(verify(k, token, NOW, &err), -1);
  assert_string_equal(err.msg, "malformed token: not three parts");
  free(hb), free(cb), tug_jwt_key_free(k);
}

static void expiry_and_not_before_allow_a_minute_of_skew(void **state) {
  (void)state;
  tug_error err = {0};
  tug_jwt_key *k = tug_jwt_key_generate("ES256", &err);
  char *token = sign(k, NOW + 600, NOW);
  assert_int_equal(verify(k, token, NOW + 600 + TUG_JWT_LEEWAY, &err), 0);
  assert_int_equal(verify(k, token, NOW + 601 + TUG_JWT_LEEWAY, &err), -1);
  assert_string_equal(err.msg, "token has expired");
  assert_int_equal(verify(k, token, NOW - TUG_JWT_LEEWAY, &err), 0);
  assert_int_equal(verify(k, token, NOW - TUG_JWT_LEEWAY - 1, &err), -1);
  assert_string_equal(err.msg, "token is not valid yet");
  free(token), tug_jwt_key_free(k);
}

static void a_key_file_may_hold_several_keys(void **state) {
  (void)state;
  tug_error err = {0};
  tug_jwt_key *a = tug_jwt_key_generate("ES256", &err), *b = tug_jwt_key_generate("ES256", &err);
  char *pa = tug_jwt_key_public_pem(a, &err), *pb = tug_jwt_key_public_pem(b, &err);
  char both[4096], path[] = "/tmp/test_jwt_keysXXXXXX";
  snprintf(both, sizeof both, "%s%s", pa, pb);
  write_file(path, both);
  tug_jwt_key **keys = NULL;
  size_t n = 0;
  assert_int_equal(tug_jwt_keys_load(path, &keys, &n, &err), 0);
  assert_int_equal(n, 2);
  char *token = sign(b, NOW + 600, NOW);
  json_t *claims = NULL;
  assert_int_equal(tug_jwt_verify(keys, n, token, NOW, &claims, &err), 0);
  json_decref(claims), free(token), free(pa), free(pb);
  for (size_t i = 0; i < n; i++)
    tug_jwt_key_free(keys[i]);
  free(keys), tug_jwt_key_free(a), tug_jwt_key_free(b), unlink(path);
}

static void keys_jwt_cannot_use_are_refused(void **state) {
  (void)state;
  char p384[] = "/tmp/test_jwt_p384XXXXXX", empty[] = "/tmp/test_jwt_emptyXXXXXX";
  write_private_key(p384, EVP_EC_gen("P-384"));
  write_file(empty, "not a key\n");
  tug_error err = {0};
  assert_null(tug_jwt_key_load(p384, &err));
  assert_non_null(strstr(err.msg, "must be on P-256"));
  tug_jwt_key **keys = NULL;
  size_t n = 0;
  assert_int_equal(tug_jwt_keys_load(empty, &keys, &n, &err), -1);
  assert_non_null(strstr(err.msg, "no PEM key"));
  assert_null(tug_jwt_key_load("/nonexistent/sa.key", &err));
  assert_null(tug_jwt_key_generate("HS256", &err)); /* a shared secret is no key pair */
  unlink(p384), unlink(empty);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(base64url_round_trips_without_padding),
      cmocka_unit_test(base64url_refuses_the_standard_alphabet_and_padding),
      cmocka_unit_test(es256_token_verifies_and_carries_its_claims),
      cmocka_unit_test(rs256_key_from_a_file_signs_and_its_public_half_verifies),
      cmocka_unit_test(a_changed_claim_breaks_the_signature),
      cmocka_unit_test(another_key_does_not_verify),
      cmocka_unit_test(alg_none_is_refused),
      cmocka_unit_test(expiry_and_not_before_allow_a_minute_of_skew),
      cmocka_unit_test(a_key_file_may_hold_several_keys),
      cmocka_unit_test(keys_jwt_cannot_use_are_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
