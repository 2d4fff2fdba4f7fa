/* Unit tests for object paths, metadata accessors, merge patches and JSON limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "object.h"
#include "strategicpatch.h"
#include "json_text.h"

static void assert_json_eq(const json_t *got, const char *want_text) {
  _cleanup_json_ json_t *want = test_json(want_text);
  if (!json_equal(got, want)) {
    _cleanup_free_ char *g = got ? json_dumps(got, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    fail_msg("got %s, want %s", g ? g : "NULL", want_text);
  }
}

static const char *pod_json =
    "{\"apiVersion\":\"v1\",\"kind\":\"Pod\","
    "\"metadata\":{\"name\":\"web\",\"namespace\":\"prod\",\"uid\":\"u-1\","
    "\"resourceVersion\":\"42\",\"generation\":3,"
    "\"labels\":{\"app.kubernetes.io/name\":\"web\"},\"annotations\":\"oops\"},"
    "\"spec\":{\"containers\":[{\"name\":\"app\"}],\"replicas\":2.5}}";

/* ---- paths ---- */

static void get_follows_dotted_path_and_borrows(void **state) {
  (void)state;
  _cleanup_json_ json_t *pod = test_json(pod_json);
  assert_ptr_equal(tug_obj_get(pod, "metadata"), json_object_get(pod, "metadata"));
  assert_true(json_is_array(tug_obj_get(pod, "spec.containers")));
  assert_string_equal(tug_obj_get_str(pod, "metadata.name"), "web");
}

static void get_is_null_for_missing_steps_non_objects_and_bad_paths(void **state) {
  (void)state;
  _cleanup_json_ json_t *pod = test_json(pod_json);
  assert_null(tug_obj_get(pod, "metadata.missing"));
  assert_null(tug_obj_get(pod, "metadata.name.first"));
  assert_null(tug_obj_get(pod, "spec.containers.0"));
  assert_null(tug_obj_get(pod, ""));
  assert_null(tug_obj_get(pod, "metadata..name"));
  assert_null(tug_obj_get(pod, "metadata."));
  assert_null(tug_obj_get(NULL, "metadata"));
  assert_null(tug_obj_get(pod, NULL));
}

static void typed_getters_reject_other_types(void **state) {
  (void)state;
  _cleanup_json_ json_t *pod = test_json(pod_json);
  assert_null(tug_obj_get_str(pod, "metadata.generation"));
  assert_int_equal(tug_obj_get_int(pod, "metadata.generation", -1), 3);
  assert_int_equal(tug_obj_get_int(pod, "metadata.name", -1), -1);
  assert_int_equal(tug_obj_get_int(pod, "spec.replicas", -1), -1);
  assert_int_equal(tug_obj_get_int(pod, "spec.nothing", 7), 7);
}

static void set_creates_intermediate_objects(void **state) {
  (void)state;
  _cleanup_json_ json_t *o = json_object();
  tug_error err = {0};
  assert_int_equal(tug_obj_set(o, "spec.template.spec.nodeName", json_string("n1"), &err), 0);
  assert_json_eq(o, "{\"spec\":{\"template\":{\"spec\":{\"nodeName\":\"n1\"}}}}");
  assert_int_equal(tug_obj_set(o, "spec.template.spec.nodeName", json_string("n2"), &err), 0);
  assert_string_equal(tug_obj_get_str(o, "spec.template.spec.nodeName"), "n2");
}

static void set_fails_on_non_object_intermediate_and_frees_value(void **state) {
  (void)state;
  _cleanup_json_ json_t *pod = test_json(pod_json);
  tug_error err = {0};
  assert_int_equal(tug_obj_set(pod, "metadata.name.first", json_string("x"), &err), -1);
  assert_int_equal(err.code, EINVAL);
  assert_string_equal(err.msg, "set metadata.name.first: metadata.name is a string, not an object");
  assert_string_equal(tug_obj_name(pod), "web");
}

static void set_rejects_malformed_paths(void **state) {
  (void)state;
  _cleanup_json_ json_t *o = json_object();
  tug_error err = {0};
  assert_int_equal(tug_obj_set(o, "a..b", json_true(), &err), -1);
  assert_int_equal(tug_obj_set(o, ".a", json_true(), &err), -1);
  assert_int_equal(tug_obj_set(o, "", json_true(), &err), -1);
  assert_int_equal(json_object_size(o), 0);
}

static void del_removes_and_reports_whether_it_did(void **state) {
  (void)state;
  _cleanup_json_ json_t *pod = test_json(pod_json);
  assert_true(tug_obj_del(pod, "metadata.uid"));
  assert_null(tug_obj_uid(pod));
  assert_false(tug_obj_del(pod, "metadata.uid"));
  assert_false(tug_obj_del(pod, "metadata.name.x"));
  assert_false(tug_obj_del(pod, "status"));
  assert_true(tug_obj_del(pod, "spec"));
  assert_null(tug_obj_get(pod, "spec"));
}

/* ---- metadata ---- */

static void metadata_getters_read_the_usual_fields(void **state) {
  (void)state;
  _cleanup_json_ json_t *pod = test_json(pod_json);
  assert_string_equal(tug_obj_kind(pod), "Pod");
  assert_string_equal(tug_obj_api_version(pod), "v1");
  assert_string_equal(tug_obj_name(pod), "web");
  assert_string_equal(tug_obj_namespace(pod), "prod");
  assert_string_equal(tug_obj_uid(pod), "u-1");
  assert_string_equal(tug_obj_resource_version(pod), "42");
  assert_null(tug_obj_generate_name(pod));
  assert_null(tug_obj_deletion_timestamp(pod));
  assert_non_null(tug_obj_labels(pod));
  assert_null(tug_obj_annotations(pod)); /* a string, not an object */
  assert_string_equal(tug_obj_label(pod, "app.kubernetes.io/name"), "web");
  assert_null(tug_obj_label(pod, "tier"));
}

static void metadata_setters_create_metadata_when_missing(void **state) {
  (void)state;
  _cleanup_json_ json_t *o = json_object();
  tug_error err = {0};
  assert_int_equal(tug_obj_set_name(o, "a", &err), 0);
  assert_int_equal(tug_obj_set_namespace(o, "ns", &err), 0);
  assert_int_equal(tug_obj_set_uid(o, "u", &err), 0);
  assert_int_equal(tug_obj_set_resource_version(o, "7", &err), 0);
  assert_int_equal(tug_obj_set_generate_name(o, "a-", &err), 0);
  assert_int_equal(tug_obj_set_deletion_timestamp(o, "2026-01-02T03:04:05Z", &err), 0);
  assert_int_equal(tug_obj_set_label(o, "app.kubernetes.io/name", "a", &err), 0);
  assert_int_equal(tug_obj_set_annotation(o, "note", "hi", &err), 0);
  assert_json_eq(o, "{\"metadata\":{\"name\":\"a\",\"namespace\":\"ns\",\"uid\":\"u\","
                    "\"resourceVersion\":\"7\",\"generateName\":\"a-\","
                    "\"deletionTimestamp\":\"2026-01-02T03:04:05Z\","
                    "\"labels\":{\"app.kubernetes.io/name\":\"a\"},"
                    "\"annotations\":{\"note\":\"hi\"}}}");
}

static void set_label_fails_when_labels_is_not_an_object(void **state) {
  (void)state;
  _cleanup_json_ json_t *o = test_json("{\"metadata\":{\"labels\":[1]}}");
  tug_error err = {0};
  assert_int_equal(tug_obj_set_label(o, "a", "b", &err), -1);
  assert_int_equal(err.code, EINVAL);
  assert_non_null(strstr(err.msg, "metadata.labels"));
}

/* ---- RFC 7386 ---- */

/* Appendix A of RFC 7386, plus the example of section 3. */
static const char *rfc7386_cases[][3] = {
    {"{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}"},
    {"{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}"},
    {"{\"a\":\"b\"}", "{\"a\":null}", "{}"},
    {"{\"a\":\"b\",\"b\":\"c\"}", "{\"a\":null}", "{\"b\":\"c\"}"},
    {"{\"a\":[\"b\"]}", "{\"a\":\"c\"}", "{\"a\":\"c\"}"},
    {"{\"a\":\"c\"}", "{\"a\":[\"b\"]}", "{\"a\":[\"b\"]}"},
    {"{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}", "{\"a\":{\"b\":\"d\"}}"},
    {"{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}"},
    {"[\"a\",\"b\"]", "[\"c\",\"d\"]", "[\"c\",\"d\"]"},
    {"{\"a\":\"b\"}", "[\"c\"]", "[\"c\"]"},
    {"{\"a\":\"foo\"}", "null", "null"},
    {"{\"a\":\"foo\"}", "\"bar\"", "\"bar\""},
    {"{\"e\":null}", "{\"a\":1}", "{\"e\":null,\"a\":1}"},
    {"[1,2]", "{\"a\":\"b\",\"c\":null}", "{\"a\":\"b\"}"},
    {"{}", "{\"a\":{\"bb\":{\"ccc\":null}}}", "{\"a\":{\"bb\":{}}}"},
    {"{\"title\":\"Goodbye!\",\"author\":{\"givenName\":\"John\",\"familyName\":\"Doe\"},"
     "\"tags\":[\"example\",\"sample\"],\"content\":\"This will be unchanged\"}",
     "{\"title\":\"Hello!\",\"phoneNumber\":\"+01-123-456-7890\",\"author\":{\"familyName\":null},"
     "\"tags\":[\"example\"]}",
     "{\"title\":\"Hello!\",\"author\":{\"givenName\":\"John\"},\"tags\":[\"example\"],"
     "\"content\":\"This will be unchanged\",\"phoneNumber\":\"+01-123-456-7890\"}"},
};

static void merge_patch_passes_every_rfc7386_example(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof rfc7386_cases / sizeof rfc7386_cases[0]; i++) {
    _cleanup_json_ json_t *target = test_json(rfc7386_cases[i][0]);
    _cleanup_json_ json_t *patch = test_json(rfc7386_cases[i][1]);
    _cleanup_json_ json_t *before = json_deep_copy(target);
    _cleanup_json_ json_t *got = tug_obj_merge_patch(target, patch);
    assert_json_eq(got, rfc7386_cases[i][2]);
    assert_true(json_equal(target, before));
  }
}

static void merge_patch_keeps_target_key_order(void **state) {
  (void)state;
  _cleanup_json_ json_t *t = test_json("{\"a\":1,\"b\":2,\"c\":3}");
  _cleanup_json_ json_t *p = test_json("{\"d\":4,\"a\":0}");
  _cleanup_json_ json_t *got = tug_obj_merge_patch(t, p);
  _cleanup_free_ char *text = json_dumps(got, JSON_COMPACT);
  assert_string_equal(text, "{\"a\":0,\"b\":2,\"c\":3,\"d\":4}");
}

static void merge_patch_result_shares_nothing_with_inputs(void **state) {
  (void)state;
  _cleanup_json_ json_t *t = test_json("{\"keep\":{\"x\":1}}");
  _cleanup_json_ json_t *p = test_json("{\"new\":{\"y\":2}}");
  _cleanup_json_ json_t *got = tug_obj_merge_patch(t, p);
  tug_error err = {0};
  assert_int_equal(tug_obj_set(got, "keep.x", json_integer(9), &err), 0);
  assert_int_equal(tug_obj_set(got, "new.y", json_integer(9), &err), 0);
  assert_int_equal(tug_obj_get_int(t, "keep.x", 0), 1);
  assert_int_equal(tug_obj_get_int(p, "new.y", 0), 2);
}

/* ---- strategic merge patch (more in test_strategicpatch.c) ---- */

static void smp_agrees_with_rfc7386_when_no_list_is_keyed(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof rfc7386_cases / sizeof rfc7386_cases[0]; i++) {
    _cleanup_json_ json_t *t = test_json(rfc7386_cases[i][0]), *p = test_json(rfc7386_cases[i][1]);
    _cleanup_json_ json_t *got = NULL;
    tug_error err = {0};
    if (tug_smp_apply(t, p, NULL, &got, &err) < 0)
      fail_msg("patch %s failed: %s", rfc7386_cases[i][1], err.msg);
    assert_json_eq(got, rfc7386_cases[i][2]);
  }
}

/* ---- limits ---- */

static json_t *nested_arrays(int depth) {
  size_t n = (size_t)depth;
  _cleanup_free_ char *text = malloc(2 * n + 1);
  memset(text, '[', n);
  memset(text + n, ']', n);
  text[2 * n] = '\0';
  return test_json(text);
}

static void limits_accept_exactly_max_depth_and_reject_one_more(void **state) {
  (void)state;
  _cleanup_json_ json_t *three = nested_arrays(3);
  _cleanup_json_ json_t *scalar = json_integer(1);
  tug_error err = {0};
  assert_int_equal(tug_obj_check_limits(three, 3, 100, &err), 0);
  assert_int_equal(tug_obj_check_limits(three, 2, 100, &err), -1);
  assert_int_equal(err.code, TUG_E_PARSE);
  assert_string_equal(err.msg, "JSON is nested deeper than 2 levels");
  assert_int_equal(tug_obj_check_limits(scalar, 0, 1, &err), 0);
}

static void limits_count_every_value_including_containers(void **state) {
  (void)state;
  _cleanup_json_ json_t *v = test_json("{\"a\":[1,2],\"b\":{}}");
  tug_error err = {0};
  assert_int_equal(tug_obj_check_limits(v, 64, 5, &err), 0);
  assert_int_equal(tug_obj_check_limits(v, 64, 4, &err), -1);
  assert_string_equal(err.msg, "JSON has more than 4 values");
}

static void limits_reject_very_deep_input_without_recursing(void **state) {
  (void)state;
  _cleanup_json_ json_t *deep = nested_arrays(2000);
  tug_error err = {0};
  assert_int_equal(tug_obj_check_limits(deep, 64, 1000000, &err), -1);
  assert_int_equal(tug_obj_check_limits(deep, 5000, 1000000, &err), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(get_follows_dotted_path_and_borrows),
      cmocka_unit_test(get_is_null_for_missing_steps_non_objects_and_bad_paths),
      cmocka_unit_test(typed_getters_reject_other_types),
      cmocka_unit_test(set_creates_intermediate_objects),
      cmocka_unit_test(set_fails_on_non_object_intermediate_and_frees_value),
      cmocka_unit_test(set_rejects_malformed_paths),
      cmocka_unit_test(del_removes_and_reports_whether_it_did),
      cmocka_unit_test(metadata_getters_read_the_usual_fields),
      cmocka_unit_test(metadata_setters_create_metadata_when_missing),
      cmocka_unit_test(set_label_fails_when_labels_is_not_an_object),
      cmocka_unit_test(merge_patch_passes_every_rfc7386_example),
      cmocka_unit_test(merge_patch_keeps_target_key_order),
      cmocka_unit_test(merge_patch_result_shares_nothing_with_inputs),
      cmocka_unit_test(smp_agrees_with_rfc7386_when_no_list_is_keyed),
      cmocka_unit_test(limits_accept_exactly_max_depth_and_reject_one_more),
      cmocka_unit_test(limits_count_every_value_including_containers),
      cmocka_unit_test(limits_reject_very_deep_input_without_recursing),
  };
  return cmocka_run_group_tests_name("object", tests, NULL, NULL);
}
