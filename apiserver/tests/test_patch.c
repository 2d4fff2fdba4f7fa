/* Unit tests for PATCH bodies (apiserver/patch.c): the three formats, the
 * merge keys strategic merge takes from the schema, and the status codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first; the blank line keeps clang-format from
 * sorting it ahead of them. */

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "patch.h"

#include "../../lib/tests/json_text.h"

static const char *deployment =
    "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},"
    "'spec':{'replicas':1,'template':{'spec':{"
    "'containers':[{'name':'main','image':'busybox','env':[{'name':'A','value':'1'}],"
    "'ports':[{'containerPort':80,'name':'http'}],'args':['x','y']}],"
    "'tolerations':[{'key':'a','operator':'Exists'}]}}}}";

/* Apply patch (single-quoted JSON) of type to the Deployment; expect success. */
static json_t *patched(api_patch_type type, const char *patch) {
  _cleanup_json_ json_t *t = js(deployment), *p = js(patch);
  api_response out = {0};
  json_t *got = api_patch_apply(type, t, p, &out);
  if (got == NULL)
    fail_msg("patch %s failed: %s", patch, json_string_value(json_object_get(out.body, "message")));
  return got;
}

/* Apply patch and expect the HTTP code in the Status it fails with. */
static void fails_with(api_patch_type type, const char *patch, int code) {
  _cleanup_json_ json_t *t = js(deployment), *p = js(patch);
  api_response out = {0};
  assert_null(api_patch_apply(type, t, p, &out));
  assert_int_equal(out.code, code);
  assert_int_equal(json_integer_value(json_object_get(out.body, "code")), code);
  json_decref(out.body);
}

static void expect_at(const json_t *obj, const char *ptr, const char *want) {
  _cleanup_json_ json_t *w = js(want);
  json_t *v = json_object_get(obj, "spec");
  v = json_object_get(json_object_get(json_object_get(v, "template"), "spec"), ptr);
  if (!json_equal(v, w)) {
    _cleanup_free_ char *g = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    fail_msg("spec.template.spec.%s: got %s, want %s", ptr, g ? g : "nothing", want);
  }
}

/* No "$" key anywhere in v. */
static void assert_no_directives(const json_t *v) {
  const char *k;
  json_t *x;
  size_t i;
  if (json_is_object(v))
    json_object_foreach((json_t *)v, k, x) {
      if (k[0] == '$')
        fail_msg("directive %s stored", k);
      assert_no_directives(x);
    }
  json_array_foreach(v, i, x) assert_no_directives(x);
}

static void set_env_twice_leaves_no_directive_in_the_template(void **state) {
  (void)state;
  _cleanup_json_ json_t *d =
      patched(API_PATCH_STRATEGIC,
              "{'spec':{'template':{'spec':{'$setElementOrder/containers':[{'name':'main'}],"
              "'containers':[{'$setElementOrder/env':[{'name':'A'},{'name':'B'}],"
              "'env':[{'name':'B','value':'2'}],'name':'main'}]}}}}");
  assert_no_directives(d);
  json_t *c = json_array_get(
      json_object_get(
          json_object_get(json_object_get(json_object_get(d, "spec"), "template"), "spec"),
          "containers"),
      0);
  _cleanup_json_ json_t *env = js("[{'name':'A','value':'1'},{'name':'B','value':'2'}]");
  assert_true(json_equal(json_object_get(c, "env"), env));
}

static void merge_keys_come_from_the_schema(void **state) {
  (void)state;
  /* ports merge by containerPort, not name; args and tolerations are atomic. */
  _cleanup_json_ json_t *d =
      patched(API_PATCH_STRATEGIC,
              "{'spec':{'template':{'spec':{'containers':[{'name':'main','args':['z'],"
              "'ports':[{'containerPort':80,'protocol':'TCP'},{'containerPort':443}]}],"
              "'tolerations':[{'key':'b','operator':'Exists'}]}}}}");
  expect_at(d, "tolerations", "[{'key':'b','operator':'Exists'}]");
  json_t *c = json_array_get(
      json_object_get(
          json_object_get(json_object_get(json_object_get(d, "spec"), "template"), "spec"),
          "containers"),
      0);
  _cleanup_json_ json_t *ports =
      js("[{'containerPort':80,'name':'http','protocol':'TCP'},{'containerPort':443}]");
  _cleanup_json_ json_t *args = js("['z']");
  assert_true(json_equal(json_object_get(c, "args"), args));
  assert_true(json_equal(json_object_get(c, "ports"), ports));
}

static void a_merged_list_element_without_its_key_is_422(void **state) {
  (void)state;
  fails_with(API_PATCH_STRATEGIC,
             "{'spec':{'template':{'spec':{'containers':[{'image':'nameless'}]}}}}", 422);
}

static void unknown_directives_are_400(void **state) {
  (void)state;
  fails_with(API_PATCH_STRATEGIC, "{'spec':{'$frob':1}}", 400);
  fails_with(API_PATCH_STRATEGIC, "{'spec':{'$patch':'frob'}}", 400);
}

static void json_patch_failures_are_422_and_leave_nothing(void **state) {
  (void)state;
  fails_with(API_PATCH_JSON,
             "[{'op':'replace','path':'/spec/replicas','value':5},"
             "{'op':'test','path':'/spec/replicas','value':1}]",
             422);
  fails_with(API_PATCH_JSON, "[{'op':'remove','path':'/spec/nothing'}]", 422);
  fails_with(API_PATCH_JSON, "[{'op':'replace','path':'','value':[]}]", 422);
  _cleanup_json_ json_t *d = patched(
      API_PATCH_JSON, "[{'op':'test','path':'/spec/replicas','value':1},"
                      "{'op':'add','path':'/metadata/annotations','value':{}},"
                      "{'op':'add','path':'/metadata/annotations/example.com~1team','value':'x'},"
                      "{'op':'add','path':'/spec/template/spec/containers/0/args/-','value':'z'}]");
  expect_at(d, "containers",
            "[{'name':'main','image':'busybox','env':[{'name':'A','value':'1'}],"
            "'ports':[{'containerPort':80,'name':'http'}],'args':['x','y','z']}]");
  assert_string_equal(
      json_string_value(json_object_get(
          json_object_get(json_object_get(d, "metadata"), "annotations"), "example.com/team")),
      "x");
}

static void bodies_are_checked_before_anything_is_read(void **state) {
  (void)state;
  api_response out = {0};
  _cleanup_json_ json_t *obj = js("{}"), *arr = js("[]");
  assert_int_equal(api_patch_check_body(API_PATCH_JSON, obj, &out), -1);
  assert_int_equal(out.code, 400);
  json_decref(out.body);
  out = (api_response){0};
  assert_int_equal(api_patch_check_body(API_PATCH_MERGE, arr, &out), -1);
  assert_int_equal(out.code, 400);
  json_decref(out.body);
  out = (api_response){0};
  _cleanup_json_ json_t *big = json_array();
  for (int i = 0; i <= 10000; i++)
    json_array_append_new(big, json_object());
  assert_int_equal(api_patch_check_body(API_PATCH_JSON, big, &out), -1);
  assert_int_equal(out.code, 413);
  json_decref(out.body);
  assert_int_equal(api_patch_check_body(API_PATCH_JSON, arr, NULL), 0);
}

static void content_types_name_the_format(void **state) {
  (void)state;
  api_patch_type t;
  assert_true(api_patch_type_of("application/json-patch+json", &t));
  assert_int_equal(t, API_PATCH_JSON);
  assert_true(api_patch_type_of("application/strategic-merge-patch+json; charset=utf-8", &t));
  assert_int_equal(t, API_PATCH_STRATEGIC);
  assert_true(api_patch_type_of("Application/Merge-Patch+JSON", &t));
  assert_int_equal(t, API_PATCH_MERGE);
  assert_false(api_patch_type_of("application/json", &t));
  assert_false(api_patch_type_of("application/json-patch+jsonx", &t));
  assert_false(api_patch_type_of(NULL, &t));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(set_env_twice_leaves_no_directive_in_the_template),
      cmocka_unit_test(merge_keys_come_from_the_schema),
      cmocka_unit_test(a_merged_list_element_without_its_key_is_422),
      cmocka_unit_test(unknown_directives_are_400),
      cmocka_unit_test(json_patch_failures_are_422_and_leave_nothing),
      cmocka_unit_test(bodies_are_checked_before_anything_is_read),
      cmocka_unit_test(content_types_name_the_format),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
