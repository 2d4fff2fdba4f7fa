/* Unit tests for ConfigMap and Secret defaulting and validation (apiserver/validation-config.c):
 * Kubernetes' key rules, base64, the 1 MiB ceiling, `immutable`, secret types, and stringData
 * merged into data the way kube-apiserver merges it. */
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

#include "cleanup.h"
#include "registry.h"
#include "quota-eval.h"
#include "validation.h"

#include "../../lib/tests/json_text.h"

#define MIB (1024 * 1024)
#define REDACTED "<secret contents redacted>"
#define IMMUTABLE_SET "Forbidden: field is immutable when `immutable` is set"

/* A ConfigMap or Secret named like the volume tests' with body's members added. */
static json_t *named(const char *kind, const char *name, const char *body) {
  size_t size = strlen(body) + 200;
  _cleanup_free_ char *text = malloc(size);
  snprintf(text, size,
           "{'apiVersion':'v1','kind':'%s','metadata':{'name':'%s','namespace':'default'}%s%s}",
           kind, name, *body ? "," : "", body);
  return js(text);
}

static json_t *configmap(const char *body) {
  return named("ConfigMap", "game", body);
}

static json_t *secret(const char *body) {
  return named("Secret", "creds", body);
}

/* A write as the server runs it: defaults (which change obj), metadata, the kind's rules. */
static json_t *causes_of(json_t *obj, const json_t *old) {
  const api_kind *k = api_kind_by_gvk("v1", json_string_value(json_object_get(obj, "kind")));
  assert_non_null(k);
  json_t *causes = json_array();
  k->defaults(obj);
  api_validate_metadata(obj, k->kind, k->namespaced, causes);
  k->validate(obj, old, causes);
  return causes;
}

/* The causes of a create of obj; obj is consumed. */
static json_t *created(json_t *obj) {
  json_t *causes = causes_of(obj, NULL);
  json_decref(obj);
  return causes;
}

/* The causes of updating old (defaulted first, as it was stored) to obj; both consumed. */
static json_t *updated(json_t *old, json_t *obj) {
  json_t *stored = json_deep_copy(old);
  json_decref(causes_of(stored, NULL));
  json_t *causes = causes_of(obj, stored);
  json_decref(stored);
  json_decref(old);
  json_decref(obj);
  return causes;
}

static void dump_and_fail(const json_t *causes, const char *want) {
  _cleanup_free_ char *dump = json_dumps(causes, JSON_INDENT(1));
  fail_msg("expected %s in causes: %s", want, dump);
}

/* The message of the cause with this field and reason; fails when there is none. */
static const char *cause(const json_t *causes, const char *field, const char *reason) {
  size_t i;
  json_t *c;
  json_array_foreach(causes, i, c) {
    if (strcmp(json_string_value(json_object_get(c, "field")), field) == 0 &&
        strcmp(json_string_value(json_object_get(c, "reason")), reason) == 0)
      return json_string_value(json_object_get(c, "message"));
  }
  dump_and_fail(causes, field);
  return NULL;
}

/* Exactly n causes, consuming them; the last checked first. */
static void assert_count(json_t *causes, size_t n) {
  if (json_array_size(causes) != n) {
    char want[32];
    snprintf(want, sizeof want, "exactly %zu", n);
    dump_and_fail(causes, want);
  }
  json_decref(causes);
}

/* The only cause is field/reason with message. */
static void assert_only(json_t *causes, const char *field, const char *reason,
                        const char *message) {
  assert_string_equal(cause(causes, field, reason), message);
  assert_count(causes, 1);
}

static const char *str_at(const json_t *obj, const char *map, const char *key) {
  return json_string_value(json_object_get(json_object_get(obj, map), key));
}

/* A JSON string of n copies of c, in ' quotes, for the templates above. */
static char *long_value(size_t n, char c) {
  char *s = malloc(n + 3);
  s[0] = '\'';
  memset(s + 1, c, n);
  s[n + 1] = '\'';
  s[n + 2] = '\0';
  return s;
}

/* ---- ConfigMap ---- */

static void configmap_with_data_binary_data_and_immutable_is_valid(void **state) {
  (void)state;
  assert_count(created(configmap("'data':{'game.properties':'lives=3','UI_THEME':'dark',"
                                 "'-x_.y':''},'binaryData':{'logo.png':'iVBORw0KGgo='},"
                                 "'immutable':true")),
               0);
  assert_count(created(configmap("")), 0);
  assert_count(created(configmap("'data':null,'binaryData':{}")), 0);
}

static void configmap_keys_follow_kubernetes_config_key_rules(void **state) {
  (void)state;
  assert_only(created(configmap("'data':{'a b':'x'}")), "data[a b]", "FieldValueInvalid",
              "Invalid value: \"a b\": a valid config key must consist of alphanumeric "
              "characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', "
              "regex used for validation is '[-._a-zA-Z0-9]+')");
  assert_only(created(configmap("'data':{'.':'x'}")), "data[.]", "FieldValueInvalid",
              "Invalid value: \".\": must not be '.'");
  assert_only(created(configmap("'data':{'..':'x'}")), "data[..]", "FieldValueInvalid",
              "Invalid value: \"..\": must not be '..'");
  assert_only(created(configmap("'data':{'..data':'x'}")), "data[..data]", "FieldValueInvalid",
              "Invalid value: \"..data\": must not start with '..'");
  assert_only(created(configmap("'binaryData':{'a/b':'eA=='}")), "binaryData[a/b]",
              "FieldValueInvalid",
              "Invalid value: \"a/b\": a valid config key must consist of alphanumeric "
              "characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', "
              "regex used for validation is '[-._a-zA-Z0-9]+')");
  assert_count(created(configmap("'data':{'':'x'}")), 1);
}

static void configmap_key_longer_than_253_is_invalid(void **state) {
  (void)state;
  char key[300], body[400];
  memset(key, 'k', 254);
  key[254] = '\0';
  snprintf(body, sizeof body, "'data':{'%s':'x'}", key);
  json_t *causes = created(configmap(body));
  assert_non_null(strstr(json_string_value(json_object_get(json_array_get(causes, 0), "message")),
                         "must be no more than 253 characters"));
  assert_count(causes, 1);
  key[253] = '\0';
  snprintf(body, sizeof body, "'data':{'%s':'x'}", key);
  assert_count(created(configmap(body)), 0);
}

static void configmap_key_in_both_data_and_binary_data_is_refused(void **state) {
  (void)state;
  assert_only(created(configmap("'data':{'k':'x'},'binaryData':{'k':'eA=='}")), "data[k]",
              "FieldValueInvalid", "Invalid value: \"k\": duplicate of key present in binaryData");
}

static void configmap_values_are_strings_and_binary_data_base64(void **state) {
  (void)state;
  assert_only(created(configmap("'data':{'k':3}")), "data[k]", "FieldValueInvalid",
              "Invalid value: 3: must be a string");
  assert_only(created(configmap("'binaryData':{'k':'no!'}")), "binaryData[k]", "FieldValueInvalid",
              "Invalid value: \"no!\": illegal base64 data at input byte 2");
  assert_only(created(configmap("'data':['k']")), "data", "FieldValueInvalid",
              "Invalid value: [\"k\"]: must be an object");
}

static void configmap_binary_data_is_stored_as_canonical_base64(void **state) {
  (void)state;
  json_t *cm = configmap("'binaryData':{'k':'Zm9v\\nYmFy'}");
  json_decref(causes_of(cm, NULL));
  assert_string_equal(str_at(cm, "binaryData", "k"), "Zm9vYmFy");
  json_decref(cm);
}

static void configmap_over_one_mib_in_all_is_too_long(void **state) {
  (void)state;
  _cleanup_free_ char *half = long_value(MIB / 2, 'a');
  _cleanup_free_ char *body = malloc(MIB * 2);
  snprintf(body, MIB * 2, "'data':{'a':%s,'b':%s}", half, half);
  assert_count(created(configmap(body)), 0);
  /* One byte more, in binaryData. */
  snprintf(body, MIB * 2, "'data':{'a':%s,'b':%s},'binaryData':{'c':'eA=='}", half, half);
  assert_only(created(configmap(body)), "data", "FieldValueTooLong",
              "Too long: must have at most 1048576 bytes in data and binaryData together");
}

static void immutable_configmap_keeps_its_contents_and_the_flag(void **state) {
  (void)state;
  const char *stored = "'immutable':true,'data':{'k':'v'},'binaryData':{'b':'eA=='}";
  assert_count(updated(configmap(stored), configmap(stored)), 0);
  json_t *labelled = configmap(stored);
  json_object_set_new(json_object_get(labelled, "metadata"), "labels", js("{'a':'b'}"));
  assert_count(updated(configmap(stored), labelled), 0);
  assert_only(updated(configmap(stored),
                      configmap("'immutable':true,'data':{'k':'w'},'binaryData':{'b':'eA=='}")),
              "data", "FieldValueForbidden", IMMUTABLE_SET);
  assert_only(updated(configmap(stored), configmap("'immutable':true,'data':{'k':'v'}")),
              "binaryData", "FieldValueForbidden", IMMUTABLE_SET);
  assert_only(updated(configmap(stored),
                      configmap("'immutable':false,'data':{'k':'v'},'binaryData':{'b':'eA=='}")),
              "immutable", "FieldValueForbidden", IMMUTABLE_SET);
  assert_only(updated(configmap(stored), configmap("'data':{'k':'v'},'binaryData':{'b':'eA=='}")),
              "immutable", "FieldValueForbidden", IMMUTABLE_SET);
  /* A mutable one may change and become immutable. */
  assert_count(
      updated(configmap("'data':{'k':'v'}"), configmap("'data':{'k':'w'},'immutable':true")), 0);
  assert_only(created(configmap("'immutable':'yes'")), "immutable", "FieldValueInvalid",
              "Invalid value: \"yes\": must be a boolean");
}

/* ---- Secret ---- */

static void secret_type_defaults_to_opaque(void **state) {
  (void)state;
  static const char *const bodies[] = {"", "'type':null", "'type':''"};
  for (size_t i = 0; i < 3; i++) {
    json_t *s = secret(bodies[i]);
    assert_count(causes_of(s, NULL), 0);
    assert_string_equal(json_string_value(json_object_get(s, "type")), "Opaque");
    json_decref(s);
  }
}

static void string_data_is_merged_into_data_as_base64_and_dropped(void **state) {
  (void)state;
  json_t *s = secret("'data':{'b':'eHg=','c':'Yw=='},'stringData':{'a':'hello','b':'x'}");
  assert_count(causes_of(s, NULL), 0);
  assert_null(json_object_get(s, "stringData"));
  assert_int_equal(json_object_size(json_object_get(s, "data")), 3);
  assert_string_equal(str_at(s, "data", "a"), "aGVsbG8=");
  assert_string_equal(str_at(s, "data", "b"), "eA=="); /* stringData wins */
  assert_string_equal(str_at(s, "data", "c"), "Yw==");
  /* Defaulting again changes nothing. */
  json_t *again = json_deep_copy(s);
  assert_count(causes_of(again, NULL), 0);
  assert_true(json_equal(again, s));
  json_decref(again);
  json_decref(s);
}

static void string_data_alone_creates_data_and_empty_string_data_vanishes(void **state) {
  (void)state;
  json_t *s = secret("'stringData':{'password':'s3cr3t'}");
  assert_count(causes_of(s, NULL), 0);
  assert_string_equal(str_at(s, "data", "password"), "czNjcjN0");
  json_decref(s);
  s = secret("'stringData':{}");
  assert_count(causes_of(s, NULL), 0);
  assert_null(json_object_get(s, "stringData"));
  assert_null(json_object_get(s, "data"));
  json_decref(s);
}

static void string_data_keys_are_checked_as_data_keys(void **state) {
  (void)state;
  json_t *causes = created(secret("'stringData':{'bad key':'x'}"));
  cause(causes, "data[bad key]", "FieldValueInvalid");
  assert_count(causes, 1);
}

static void string_data_that_cannot_merge_stays_and_is_refused_without_its_value(void **state) {
  (void)state;
  assert_only(created(secret("'stringData':{'pin':1234}")), "stringData[pin]", "FieldValueInvalid",
              "Invalid value: \"" REDACTED "\": must be a string");
  assert_only(created(secret("'stringData':'x'")), "stringData", "FieldValueInvalid",
              "Invalid value: \"x\": must be an object");
  json_t *s = secret("'data':'x','stringData':{'a':'b'}");
  json_t *causes = causes_of(s, NULL);
  assert_non_null(json_object_get(s, "stringData"));
  assert_only(causes, "data", "FieldValueInvalid", "Invalid value: \"x\": must be an object");
  json_decref(s);
}

static void secret_data_must_be_base64_and_is_never_echoed(void **state) {
  (void)state;
  assert_only(created(secret("'data':{'p':'c2VjcmV0!'}")), "data[p]", "FieldValueInvalid",
              "Invalid value: \"" REDACTED "\": illegal base64 data at input byte 8");
  assert_only(created(secret("'data':{'p':'c2VjcmV'}")), "data[p]", "FieldValueInvalid",
              "Invalid value: \"" REDACTED "\": illegal base64 data at input byte 4");
  assert_only(created(secret("'data':{'p':7}")), "data[p]", "FieldValueInvalid",
              "Invalid value: \"" REDACTED "\": must be a base64-encoded string");
}

static void secret_data_is_stored_as_canonical_base64(void **state) {
  (void)state;
  json_t *s = secret("'data':{'k':'Zm9v\\r\\nYmFy\\n'}");
  assert_count(causes_of(s, NULL), 0);
  assert_string_equal(str_at(s, "data", "k"), "Zm9vYmFy");
  json_decref(s);
}

static void secret_over_one_mib_decoded_is_too_long(void **state) {
  (void)state;
  /* 4 * (MIB / 3 + 1) base64 characters decode to MIB + 2 bytes; MIB / 3 * 4 to MIB - 1. */
  _cleanup_free_ char *big = long_value(4 * (MIB / 3 + 1), 'A');
  _cleanup_free_ char *fits = long_value(MIB / 3 * 4, 'A');
  _cleanup_free_ char *body = malloc(2 * MIB);
  snprintf(body, 2 * MIB, "'data':{'k':%s}", big);
  assert_only(created(secret(body)), "data", "FieldValueTooLong",
              "Too long: must have at most 1048576 bytes");
  snprintf(body, 2 * MIB, "'data':{'k':%s}", fits);
  assert_count(created(secret(body)), 0);
}

static void secret_types_require_their_keys(void **state) {
  (void)state;
  json_t *causes = created(secret("'type':'kubernetes.io/tls','data':{}"));
  assert_string_equal(cause(causes, "data[tls.crt]", "FieldValueRequired"), "Required value");
  cause(causes, "data[tls.key]", "FieldValueRequired");
  assert_count(causes, 2);
  assert_count(created(secret("'type':'kubernetes.io/tls','stringData':{'tls.crt':'c',"
                              "'tls.key':'k'}")),
               0);
  causes = created(secret("'type':'kubernetes.io/basic-auth'"));
  cause(causes, "data[username]", "FieldValueRequired");
  cause(causes, "data[password]", "FieldValueRequired");
  assert_count(causes, 2);
  assert_count(created(secret("'type':'kubernetes.io/basic-auth','stringData':{'password':'p'}")),
               0);
  assert_only(created(secret("'type':'kubernetes.io/ssh-auth','data':{'ssh-privatekey':''}")),
              "data[ssh-privatekey]", "FieldValueRequired", "Required value");
  assert_only(created(secret("'type':'kubernetes.io/service-account-token'")),
              "metadata.annotations[kubernetes.io/service-account.name]", "FieldValueRequired",
              "Required value");
  assert_only(created(secret("'type':'kubernetes.io/dockerconfigjson'")), "data[.dockerconfigjson]",
              "FieldValueRequired", "Required value");
  causes = created(secret("'type':'kubernetes.io/dockerconfigjson',"
                          "'stringData':{'.dockerconfigjson':'{auths'}"));
  cause(causes, "data[.dockerconfigjson]", "FieldValueInvalid");
  assert_count(causes, 1);
  assert_count(created(secret("'type':'kubernetes.io/dockerconfigjson',"
                              "'stringData':{'.dockerconfigjson':'{\\'auths\\':{}}'}")),
               0);
  assert_count(created(secret("'type':'bootstrap.kubernetes.io/token'")), 0);
  assert_count(created(secret("'type':'example.com/custom'")), 0);
  assert_only(created(secret("'type':5")), "type", "FieldValueInvalid",
              "Invalid value: 5: must be a string");
}

static void secret_type_cannot_change(void **state) {
  (void)state;
  assert_only(updated(secret("'type':'Opaque'"), secret("'type':'kubernetes.io/basic-auth',"
                                                        "'stringData':{'username':'u'}")),
              "type", "FieldValueInvalid",
              "Invalid value: \"kubernetes.io/basic-auth\": field is immutable");
  assert_count(updated(secret(""), secret("'stringData':{'a':'b'}")), 0);
}

static void immutable_secret_refuses_new_data_also_through_string_data(void **state) {
  (void)state;
  const char *stored = "'immutable':true,'data':{'k':'dg=='}";
  assert_count(updated(secret(stored), secret(stored)), 0);
  assert_only(updated(secret(stored), secret("'immutable':true,'data':{'k':'dg=='},"
                                             "'stringData':{'k':'w'}")),
              "data", "FieldValueForbidden", IMMUTABLE_SET);
  /* The same bytes through stringData are no change. */
  assert_count(updated(secret(stored), secret("'immutable':true,'stringData':{'k':'v'}")), 0);
  assert_only(updated(secret(stored), secret("'data':{'k':'dg=='}")), "immutable",
              "FieldValueForbidden", IMMUTABLE_SET);
}

/* ---- quota ---- */

static void quota_may_count_configmaps_and_secrets_by_their_plural(void **state) {
  (void)state;
  assert_true(tug_quota_plain_count("configmaps"));
  assert_true(tug_quota_plain_count("secrets"));
  assert_false(tug_quota_plain_count("deployments"));
  json_t *causes = created(js("{'apiVersion':'v1','kind':'ResourceQuota','metadata':{'name':"
                              "'q','namespace':'default'},'spec':{'hard':{'configmaps':'2',"
                              "'secrets':'1.5','count/secrets':'3'}}}"));
  assert_only(causes, "spec.hard[secrets]", "FieldValueInvalid",
              "Invalid value: \"1.5\": must be an integer");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(configmap_with_data_binary_data_and_immutable_is_valid),
      cmocka_unit_test(configmap_keys_follow_kubernetes_config_key_rules),
      cmocka_unit_test(configmap_key_longer_than_253_is_invalid),
      cmocka_unit_test(configmap_key_in_both_data_and_binary_data_is_refused),
      cmocka_unit_test(configmap_values_are_strings_and_binary_data_base64),
      cmocka_unit_test(configmap_binary_data_is_stored_as_canonical_base64),
      cmocka_unit_test(configmap_over_one_mib_in_all_is_too_long),
      cmocka_unit_test(immutable_configmap_keeps_its_contents_and_the_flag),
      cmocka_unit_test(secret_type_defaults_to_opaque),
      cmocka_unit_test(string_data_is_merged_into_data_as_base64_and_dropped),
      cmocka_unit_test(string_data_alone_creates_data_and_empty_string_data_vanishes),
      cmocka_unit_test(string_data_keys_are_checked_as_data_keys),
      cmocka_unit_test(string_data_that_cannot_merge_stays_and_is_refused_without_its_value),
      cmocka_unit_test(secret_data_must_be_base64_and_is_never_echoed),
      cmocka_unit_test(secret_data_is_stored_as_canonical_base64),
      cmocka_unit_test(secret_over_one_mib_decoded_is_too_long),
      cmocka_unit_test(secret_types_require_their_keys),
      cmocka_unit_test(secret_type_cannot_change),
      cmocka_unit_test(immutable_secret_refuses_new_data_also_through_string_data),
      cmocka_unit_test(quota_may_count_configmaps_and_secrets_by_their_plural),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
