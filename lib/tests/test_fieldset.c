/* Unit tests for field sets: FieldsV1 round trips, the set operations, and
 * paths printed as Kubernetes prints them in conflicts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "cleanup.h"
#include "fieldset.h"
#include "json_text.h"

static json_t *set(const char *v1) {
  json_t *s = NULL;
  tug_error err = {0};
  _cleanup_json_ json_t *j = js(v1);
  if (tug_fieldset_from_v1(j, &s, &err) < 0)
    fail_msg("%s: %s", v1, err.msg);
  return s;
}

static void assert_v1(const json_t *s, const char *want) {
  _cleanup_json_ json_t *got = tug_fieldset_to_v1(s), *w = js(want);
  if (!json_equal(got, w)) {
    _cleanup_free_ char *g = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS);
    fail_msg("got %s, want %s", g, want);
  }
}

static void fields_v1_round_trips(void **state) {
  (void)state;
  const char *v1 = "{'f:metadata':{'f:labels':{'.':{},'f:app':{}}},"
                   "'f:spec':{'f:containers':{'k:{\\'name\\':\\'web\\'}':{'.':{},'f:image':{}}}}}";
  _cleanup_json_ json_t *s = set(v1);
  assert_true(
      tug_fieldset_is_member(json_object_get(json_object_get(s, "f:metadata"), "f:labels")));
  assert_v1(s, v1);
}

static void malformed_fields_v1_is_refused(void **state) {
  (void)state;
  json_t *s = NULL;
  tug_error err = {0};
  _cleanup_json_ json_t *bad = js("{'spec':{}}"), *notobj = js("{'f:a':3}");
  assert_int_equal(tug_fieldset_from_v1(bad, &s, &err), -1);
  assert_int_equal(err.code, TUG_E_PARSE);
  assert_int_equal(tug_fieldset_from_v1(notobj, &s, &err), -1);
}

static void union_difference_and_intersection_work_on_members(void **state) {
  (void)state;
  _cleanup_json_ json_t *a = set("{'f:spec':{'f:replicas':{},'f:paused':{}}}");
  _cleanup_json_ json_t *b = set("{'f:spec':{'f:replicas':{}},'f:data':{'f:x':{}}}");
  _cleanup_json_ json_t *u = tug_fieldset_union(a, b);
  _cleanup_json_ json_t *d = tug_fieldset_difference(a, b);
  _cleanup_json_ json_t *i = tug_fieldset_intersection(a, b);
  assert_v1(u, "{'f:spec':{'f:replicas':{},'f:paused':{}},'f:data':{'f:x':{}}}");
  assert_v1(d, "{'f:spec':{'f:paused':{}}}");
  assert_v1(i, "{'f:spec':{'f:replicas':{}}}");
  _cleanup_json_ json_t *none = tug_fieldset_difference(b, u);
  assert_true(tug_fieldset_empty(none));
}

static void a_member_with_children_keeps_its_dot(void **state) {
  (void)state;
  _cleanup_json_ json_t *a = set("{'f:labels':{'.':{},'f:app':{}}}");
  _cleanup_json_ json_t *b = set("{'f:labels':{'f:app':{}}}");
  _cleanup_json_ json_t *d = tug_fieldset_difference(a, b);
  assert_v1(d, "{'f:labels':{}}");
}

static void within_keeps_or_drops_subtrees(void **state) {
  (void)state;
  _cleanup_json_ json_t *a = set("{'f:spec':{'f:replicas':{}},'f:status':{'f:phase':{}}}");
  _cleanup_json_ json_t *status = set("{'f:status':{}}");
  _cleanup_json_ json_t *in = tug_fieldset_within(a, status, true);
  _cleanup_json_ json_t *out = tug_fieldset_within(a, status, false);
  assert_v1(in, "{'f:status':{'f:phase':{}}}");
  assert_v1(out, "{'f:spec':{'f:replicas':{}}}");
}

static void paths_print_as_kubernetes_does(void **state) {
  (void)state;
  _cleanup_json_ json_t *s =
      set("{'f:spec':{'f:replicas':{},'f:template':{'f:spec':{'f:containers':{'k:{\\'name\\':\\'"
          "web\\'}':"
          "{'f:image':{}},'k:{\\'containerPort\\':80,\\'protocol\\':\\'TCP\\'}':{}}}}},"
          "'f:metadata':{'f:finalizers':{'v:\\'x\\'':{}}}}");
  _cleanup_json_ json_t *paths = json_array();
  tug_fieldset_paths(s, paths);
  _cleanup_json_ json_t *want =
      test_json("[\".spec.replicas\",\".spec.template.spec.containers[name=\\\"web\\\"].image\","
                "\".spec.template.spec.containers[containerPort=80,protocol=\\\"TCP\\\"]\","
                "\".metadata.finalizers[=\\\"x\\\"]\"]");
  if (!json_equal(paths, want)) {
    _cleanup_free_ char *g = json_dumps(paths, JSON_COMPACT);
    fail_msg("got %s", g);
  }
}

static void key_elements_sort_their_fields(void **state) {
  (void)state;
  char buf[128];
  _cleanup_json_ json_t *k = js("{'protocol':'TCP','containerPort':80}");
  assert_string_equal(tug_fieldset_key_pe(k, buf, sizeof buf),
                      "k:{\"containerPort\":80,\"protocol\":\"TCP\"}");
  _cleanup_json_ json_t *v = js("'a'");
  assert_string_equal(tug_fieldset_value_pe(v, buf, sizeof buf), "v:\"a\"");
  assert_null(tug_fieldset_key_pe(k, buf, 8));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(fields_v1_round_trips),
      cmocka_unit_test(malformed_fields_v1_is_refused),
      cmocka_unit_test(union_difference_and_intersection_work_on_members),
      cmocka_unit_test(a_member_with_children_keeps_its_dot),
      cmocka_unit_test(within_keeps_or_drops_subtrees),
      cmocka_unit_test(paths_print_as_kubernetes_does),
      cmocka_unit_test(key_elements_sort_their_fields),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
