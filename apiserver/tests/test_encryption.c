/*
 * Unit tests for encryption at rest (apiserver/encryption*.c): Kubernetes'
 * EncryptionConfiguration read, values sealed and opened in Kubernetes'
 * stored format, rotation, and what must fail. The known-answer values were
 * made with an independent AES implementation (Python's cryptography) in
 * the layout Kubernetes writes: prefix | nonce | ciphertext | tag for
 * aesgcm with the etcd key as additional data, prefix | IV | ciphertext for
 * aescbc.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first. */

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "encryption.h"

#define KEY32 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define KEY16 "MDEyMzQ1Njc4OWFiY2RlZg=="
#define AT "/registry/secrets/default/s1"
#define PLAIN "{\"kind\":\"Secret\"}"

static api_encryption *parse(const char *yaml) {
  tug_error err = {0};
  api_encryption *e = api_encryption_parse(yaml, strlen(yaml), "test.yaml", &err);
  if (e == NULL)
    fail_msg("%s", err.msg);
  return e;
}

static void refused(const char *yaml, const char *why) {
  tug_error err = {0};
  api_encryption *e = api_encryption_parse(yaml, strlen(yaml), "test.yaml", &err);
  assert_null(e);
  if (strstr(err.msg, why) == NULL)
    fail_msg("\"%s\" does not say \"%s\"", err.msg, why);
}

static const char *config(const char *providers) {
  static char buf[2048];
  snprintf(buf, sizeof buf,
           "apiVersion: apiserver.config.k8s.io/v1\n"
           "kind: EncryptionConfiguration\n"
           "resources:\n"
           "  - resources: [secrets]\n"
           "    providers:\n%s",
           providers);
  return buf;
}

#define GCM(name, key) "      - aesgcm: {keys: [{name: " name ", secret: " key "}]}\n"
#define CBC(name, key) "      - aescbc: {keys: [{name: " name ", secret: " key "}]}\n"
#define IDENTITY "      - identity: {}\n"

static char *seal(const api_encryption *e, const char *plural, const char *at, size_t *len) {
  char *out = NULL;
  tug_error err = {0};
  if (api_encryption_seal(e, "", plural, at, PLAIN, strlen(PLAIN), &out, len, &err) < 0)
    fail_msg("%s", err.msg);
  return out;
}

/* 0 with the plain text compared to PLAIN, or -1 with errno-like code. */
static int open_at(const api_encryption *e, const char *at, const char *v, size_t len) {
  char *plain = NULL;
  size_t plen;
  tug_error err = {0};
  if (api_encryption_open(e, "", "secrets", at, v, len, &plain, &plen, NULL, &err) < 0)
    return -err.code;
  assert_int_equal(plen, strlen(PLAIN));
  assert_string_equal(plain, PLAIN);
  free(plain);
  return 0;
}

static bool is_stale(const api_encryption *e, const char *v, size_t len) {
  char *plain = NULL;
  size_t plen;
  bool stale = false;
  tug_error err = {0};
  assert_int_equal(api_encryption_open(e, "", "secrets", AT, v, len, &plain, &plen, &stale, &err),
                   0);
  free(plain);
  return stale;
}

static void aesgcm_seals_with_the_kubernetes_prefix_and_opens(void **state) {
  (void)state;
  api_encryption *e = parse(config(GCM("key1", KEY32) IDENTITY));
  assert_true(api_encryption_seals(e, "", "secrets"));
  size_t len;
  char *v = seal(e, "secrets", AT, &len);
  const char *prefix = "k8s:enc:aesgcm:v1:key1:";
  assert_memory_equal(v, prefix, strlen(prefix));
  assert_int_equal(len, strlen(prefix) + 12 + strlen(PLAIN) + 16);
  assert_null(memmem(v, len, "Secret", 6));
  assert_int_equal(open_at(e, AT, v, len), 0);
  free(v);
  api_encryption_free(e);
}

static void every_aesgcm_write_has_a_fresh_nonce(void **state) {
  (void)state;
  api_encryption *e = parse(config(GCM("key1", KEY32)));
  size_t a_len, b_len;
  char *a = seal(e, "secrets", AT, &a_len), *b = seal(e, "secrets", AT, &b_len);
  size_t pl = strlen("k8s:enc:aesgcm:v1:key1:");
  assert_int_equal(a_len, b_len);
  assert_memory_not_equal(a + pl, b + pl, 12);
  free(a);
  free(b);
  api_encryption_free(e);
}

/* The etcd key is authenticated: a value copied under another name does not open. */
static void an_aesgcm_value_moved_to_another_key_or_altered_does_not_open(void **state) {
  (void)state;
  api_encryption *e = parse(config(GCM("key1", KEY32)));
  size_t len;
  char *v = seal(e, "secrets", AT, &len);
  assert_int_equal(open_at(e, "/registry/secrets/default/other", v, len), -EIO);
  v[len - 1] ^= 1;
  assert_int_equal(open_at(e, AT, v, len), -EIO);
  free(v);
  api_encryption_free(e);
}

static void values_written_by_another_aes_implementation_open(void **state) {
  (void)state;
  static const char *const vectors[] = {
      "azhzOmVuYzphZXNnY206djE6a2V5MTpkZWZnaGlqa2xtbm8zObUPF410pBwxOouoAB7fPyjccLPJauwSucWxMDqf"
      "Sbg=",
      "azhzOmVuYzphZXNjYmM6djE6a2V5MToAAQIDBAUGBwgJCgsMDQ4PHpn0KofbnvirKiie/IIFjZtt88O4BhV+J2Y9"
      "ZZEku3o="};
  api_encryption *e = parse(config(GCM("key1", KEY32) CBC("key1", KEY32)));
  for (size_t i = 0; i < 2; i++) {
    unsigned char *raw;
    size_t len, bad;
    assert_int_equal(tug_base64_decode(vectors[i], strlen(vectors[i]), &raw, &len, &bad), 0);
    assert_int_equal(open_at(e, AT, (const char *)raw, len), 0);
    free(raw);
  }
  api_encryption_free(e);
}

static void aescbc_pads_to_whole_blocks_and_opens(void **state) {
  (void)state;
  api_encryption *e = parse(config(CBC("k", KEY16)));
  size_t len;
  char *v = seal(e, "secrets", AT, &len);
  size_t pl = strlen("k8s:enc:aescbc:v1:k:");
  assert_memory_equal(v, "k8s:enc:aescbc:v1:k:", pl);
  assert_int_equal((len - pl - 16) % 16, 0);
  assert_true(len - pl - 16 > strlen(PLAIN));
  assert_int_equal(open_at(e, AT, v, len), 0);
  free(v);
  api_encryption_free(e);
}

/* Rotation: the new key listed first seals, the old one still opens. */
static void a_new_key_listed_first_seals_and_the_old_one_still_opens(void **state) {
  (void)state;
  api_encryption *before = parse(config(GCM("key1", KEY32)));
  size_t len;
  char *old = seal(before, "secrets", AT, &len);
  api_encryption *after = parse(config(GCM("key2", KEY16) GCM("key1", KEY32)));
  assert_int_equal(open_at(after, AT, old, len), 0);
  assert_true(is_stale(after, old, len)); /* an update must rewrite it */
  assert_false(is_stale(before, old, len));
  size_t nlen;
  char *fresh = seal(after, "secrets", AT, &nlen);
  assert_memory_equal(fresh, "k8s:enc:aesgcm:v1:key2:", 23);
  /* Once key1 is dropped, what it sealed no longer opens: rewrite first. */
  api_encryption *dropped = parse(config(GCM("key2", KEY16)));
  assert_int_equal(open_at(dropped, AT, old, len), -EIO);
  assert_int_equal(open_at(dropped, AT, fresh, nlen), 0);
  free(old);
  free(fresh);
  api_encryption_free(before);
  api_encryption_free(after);
  api_encryption_free(dropped);
}

static void plain_values_open_only_with_an_identity_provider(void **state) {
  (void)state;
  api_encryption *with = parse(config(GCM("key1", KEY32) IDENTITY));
  api_encryption *without = parse(config(GCM("key1", KEY32)));
  assert_int_equal(open_at(with, AT, PLAIN, strlen(PLAIN)), 0);
  assert_true(is_stale(with, PLAIN, strlen(PLAIN))); /* written before encryption: reseal */
  assert_int_equal(open_at(without, AT, PLAIN, strlen(PLAIN)), -EIO);
  api_encryption_free(with);
  api_encryption_free(without);
}

static void resources_not_named_are_stored_plain(void **state) {
  (void)state;
  api_encryption *e = parse(config(GCM("key1", KEY32)));
  assert_false(api_encryption_seals(e, "", "configmaps"));
  assert_false(api_encryption_seals(NULL, "", "secrets"));
  size_t len;
  char *v = seal(e, "configmaps", "/registry/configmaps/default/c", &len);
  assert_int_equal(len, strlen(PLAIN));
  assert_memory_equal(v, PLAIN, len);
  free(v);
  api_encryption_free(e);
  api_encryption *star =
      parse("apiVersion: apiserver.config.k8s.io/v1\n"
            "kind: EncryptionConfiguration\n"
            "resources:\n"
            "  - resources: ['*.apps', configmaps]\n"
            "    providers: [{aescbc: {keys: [{name: a, secret: " KEY16 "}]}}]\n");
  assert_true(api_encryption_seals(star, "apps", "deployments"));
  assert_true(api_encryption_seals(star, "", "configmaps"));
  assert_false(api_encryption_seals(star, "", "secrets"));
  api_encryption_free(star);
}

static void unusable_configurations_are_refused_with_the_field(void **state) {
  (void)state;
  refused(config("      - aesgcm: {keys: [{name: k, secret: c2hvcnQ=}]}\n"), "16, 24 or 32 bytes");
  refused(config("      - aesgcm: {keys: [{name: k, secret: '!!'}]}\n"), "not base64");
  refused(config("      - aesgcm: {keys: [{secret: " KEY16 "}]}\n"), "providers[0].aesgcm.keys[0]");
  refused(config("      - kms: {name: vault}\n"), "unsupported provider");
  refused(config("      - aesgcm: {keys: []}\n"), "at least one key");
  refused("apiVersion: v1\nkind: ConfigMap\n", "EncryptionConfiguration");
  refused("apiVersion: apiserver.config.k8s.io/v1\n"
          "kind: EncryptionConfiguration\n"
          "resources: [{resources: ['*.*'], providers: [{identity: {}}]}]\n",
          "services cannot be encrypted");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(aesgcm_seals_with_the_kubernetes_prefix_and_opens),
      cmocka_unit_test(every_aesgcm_write_has_a_fresh_nonce),
      cmocka_unit_test(an_aesgcm_value_moved_to_another_key_or_altered_does_not_open),
      cmocka_unit_test(values_written_by_another_aes_implementation_open),
      cmocka_unit_test(aescbc_pads_to_whole_blocks_and_opens),
      cmocka_unit_test(a_new_key_listed_first_seals_and_the_old_one_still_opens),
      cmocka_unit_test(plain_values_open_only_with_an_identity_provider),
      cmocka_unit_test(resources_not_named_are_stored_plain),
      cmocka_unit_test(unusable_configurations_are_refused_with_the_field),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
