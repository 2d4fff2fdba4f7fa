/* Unit tests for JSON Patch (RFC 6902) and JSON Pointer (RFC 6901): the RFCs'
 * own examples first, then atomicity and the errors a server must tell apart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "jsonpatch.h"
#include "json_text.h"

/* Apply patch to doc and expect want (JSON text). */
static void expect_patch(const char *doc, const char *patch, const char *want) {
  _cleanup_json_ json_t *d = test_json(doc), *p = test_json(patch), *w = test_json(want);
  _cleanup_json_ json_t *got = NULL;
  tug_error err = {0};
  if (tug_json_patch(d, p, &got, &err) < 0)
    fail_msg("patch %s on %s failed: %s", patch, doc, err.msg);
  if (!json_equal(got, w)) {
    _cleanup_free_ char *g = json_dumps(got, JSON_ENCODE_ANY | JSON_COMPACT);
    fail_msg("patch %s on %s: got %s, want %s", patch, doc, g, want);
  }
}

/* Apply patch to doc and expect it to fail with code, leaving doc as it was. */
static void expect_failure(const char *doc, const char *patch, int code, const char *msg_part) {
  _cleanup_json_ json_t *d = test_json(doc), *p = test_json(patch), *before = test_json(doc);
  json_t *got = (json_t *)0x1;
  tug_error err = {0};
  assert_int_equal(tug_json_patch(d, p, &got, &err), -1);
  assert_null(got);
  assert_int_equal(err.code, code);
  if (strstr(err.msg, msg_part) == NULL)
    fail_msg("message \"%s\" lacks \"%s\"", err.msg, msg_part);
  assert_true(json_equal(d, before));
}

/* ---- RFC 6902, appendix A ---- */

static void rfc6902_a1_adds_an_object_member(void **state) {
  (void)state;
  expect_patch("{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\"}]",
               "{\"baz\":\"qux\",\"foo\":\"bar\"}");
}

static void rfc6902_a2_adds_an_array_element(void **state) {
  (void)state;
  expect_patch("{\"foo\":[\"bar\",\"baz\"]}",
               "[{\"op\":\"add\",\"path\":\"/foo/1\",\"value\":\"qux\"}]",
               "{\"foo\":[\"bar\",\"qux\",\"baz\"]}");
}

static void rfc6902_a3_removes_an_object_member(void **state) {
  (void)state;
  expect_patch("{\"baz\":\"qux\",\"foo\":\"bar\"}", "[{\"op\":\"remove\",\"path\":\"/baz\"}]",
               "{\"foo\":\"bar\"}");
}

static void rfc6902_a4_removes_an_array_element(void **state) {
  (void)state;
  expect_patch("{\"foo\":[\"bar\",\"qux\",\"baz\"]}", "[{\"op\":\"remove\",\"path\":\"/foo/1\"}]",
               "{\"foo\":[\"bar\",\"baz\"]}");
}

static void rfc6902_a5_replaces_a_value(void **state) {
  (void)state;
  expect_patch("{\"baz\":\"qux\",\"foo\":\"bar\"}",
               "[{\"op\":\"replace\",\"path\":\"/baz\",\"value\":\"boo\"}]",
               "{\"baz\":\"boo\",\"foo\":\"bar\"}");
}

static void rfc6902_a6_moves_a_value(void **state) {
  (void)state;
  expect_patch("{\"foo\":{\"bar\":\"baz\",\"waldo\":\"fred\"},\"qux\":{\"corge\":\"grault\"}}",
               "[{\"op\":\"move\",\"from\":\"/foo/waldo\",\"path\":\"/qux/thud\"}]",
               "{\"foo\":{\"bar\":\"baz\"},\"qux\":{\"corge\":\"grault\",\"thud\":\"fred\"}}");
}

static void rfc6902_a7_moves_an_array_element(void **state) {
  (void)state;
  expect_patch("{\"foo\":[\"all\",\"grass\",\"cows\",\"eat\"]}",
               "[{\"op\":\"move\",\"from\":\"/foo/1\",\"path\":\"/foo/3\"}]",
               "{\"foo\":[\"all\",\"cows\",\"eat\",\"grass\"]}");
}

static void rfc6902_a8_test_succeeds(void **state) {
  (void)state;
  expect_patch("{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}",
               "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"qux\"},"
               "{\"op\":\"test\",\"path\":\"/foo/1\",\"value\":2}]",
               "{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}");
}

static void rfc6902_a9_test_fails(void **state) {
  (void)state;
  expect_failure("{\"baz\":\"qux\"}", "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"bar\"}]",
                 EINVAL, "testing value /baz failed");
}

static void rfc6902_a10_adds_a_nested_member_object(void **state) {
  (void)state;
  expect_patch("{\"foo\":\"bar\"}",
               "[{\"op\":\"add\",\"path\":\"/child\",\"value\":{\"grandchild\":{}}}]",
               "{\"foo\":\"bar\",\"child\":{\"grandchild\":{}}}");
}

static void rfc6902_a11_ignores_unrecognized_members(void **state) {
  (void)state;
  expect_patch("{\"foo\":\"bar\"}",
               "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\",\"xyz\":123}]",
               "{\"foo\":\"bar\",\"baz\":\"qux\"}");
}

static void rfc6902_a12_add_to_a_nonexistent_target_fails(void **state) {
  (void)state;
  expect_failure("{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/baz/bat\",\"value\":\"qux\"}]",
                 EINVAL, "parent of path /baz/bat does not exist");
}

static void rfc6902_a14_unescapes_tilde_before_slash(void **state) {
  (void)state;
  expect_patch("{\"/\":9,\"~1\":10}", "[{\"op\":\"test\",\"path\":\"/~01\",\"value\":10}]",
               "{\"/\":9,\"~1\":10}");
}

static void rfc6902_a15_strings_never_equal_numbers(void **state) {
  (void)state;
  expect_failure("{\"/\":9,\"~1\":10}", "[{\"op\":\"test\",\"path\":\"/~01\",\"value\":\"10\"}]",
                 EINVAL, "testing value /~01 failed");
}

static void rfc6902_a16_adds_an_array_value_at_the_end(void **state) {
  (void)state;
  expect_patch("{\"foo\":[\"bar\"]}",
               "[{\"op\":\"add\",\"path\":\"/foo/-\",\"value\":[\"abc\",\"def\"]}]",
               "{\"foo\":[\"bar\",[\"abc\",\"def\"]]}");
}

/* ---- RFC 6901, section 5 ---- */

static void rfc6901_examples_resolve(void **state) {
  (void)state;
  _cleanup_json_ json_t *doc =
      test_json("{\"foo\":[\"bar\",\"baz\"],\"\":0,\"a/b\":1,\"c%d\":2,\"e^f\":3,\"g|h\":4,"
            "\"i\\\\j\":5,\"k\\\"l\":6,\" \":7,\"m~n\":8}");
  static const struct {
    const char *ptr;
    int want;
  } cases[] = {{"/", 0},     {"/a~1b", 1}, {"/c%d", 2}, {"/e^f", 3}, {"/g|h", 4},
               {"/i\\j", 5}, {"/k\"l", 6}, {"/ ", 7},   {"/m~0n", 8}};
  assert_ptr_equal(tug_json_pointer_get(doc, ""), doc);
  assert_string_equal(json_string_value(tug_json_pointer_get(doc, "/foo/0")), "bar");
  assert_int_equal(json_array_size(tug_json_pointer_get(doc, "/foo")), 2);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    assert_int_equal(json_integer_value(tug_json_pointer_get(doc, cases[i].ptr)), cases[i].want);
}

static void pointers_that_are_malformed_name_nothing(void **state) {
  (void)state;
  _cleanup_json_ json_t *doc = test_json("{\"foo\":[\"bar\",\"baz\"],\"a~b\":1}");
  assert_null(tug_json_pointer_get(doc, "foo"));
  assert_null(tug_json_pointer_get(doc, "/a~b"));
  assert_null(tug_json_pointer_get(doc, "/a~2b"));
  assert_null(tug_json_pointer_get(doc, "/foo/01"));
  assert_null(tug_json_pointer_get(doc, "/foo/-"));
  assert_null(tug_json_pointer_get(doc, "/foo/2"));
  assert_null(tug_json_pointer_get(doc, "/foo/0/x"));
}

/* ---- beyond the examples ---- */

static void a_failing_operation_leaves_nothing_applied(void **state) {
  (void)state;
  expect_failure("{\"spec\":{\"replicas\":3}}",
                 "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":5},"
                 "{\"op\":\"test\",\"path\":\"/spec/replicas\",\"value\":3}]",
                 EINVAL, "operation 1 (test)");
  expect_failure("{\"a\":[1]}",
                 "[{\"op\":\"add\",\"path\":\"/a/-\",\"value\":2},"
                 "{\"op\":\"remove\",\"path\":\"/missing\"}]",
                 EINVAL, "path /missing does not exist");
}

static void a_document_that_is_not_a_patch_is_a_parse_error(void **state) {
  (void)state;
  expect_failure("{}", "{\"op\":\"add\"}", TUG_E_PARSE, "must be an array");
  expect_failure("{}", "[{\"op\":\"add\",\"path\":\"/a\",\"value\":1}, 7]", TUG_E_PARSE,
                 "operation 1 of the JSON patch is integer");
}

static void malformed_operations_do_not_apply(void **state) {
  (void)state;
  expect_failure("{}", "[{\"op\":\"frob\",\"path\":\"/a\"}]", EINVAL, "unknown op \"frob\"");
  expect_failure("{}", "[{\"path\":\"/a\"}]", EINVAL, "\"op\" is missing");
  expect_failure("{}", "[{\"op\":\"add\",\"value\":1}]", EINVAL, "\"path\" is missing");
  expect_failure("{}", "[{\"op\":\"add\",\"path\":\"/a\"}]", EINVAL, "\"value\" is missing");
  expect_failure("{}", "[{\"op\":\"add\",\"path\":\"a\",\"value\":1}]", EINVAL,
                 "not a JSON Pointer");
  expect_failure("{}", "[{\"op\":\"copy\",\"path\":\"/a\"}]", EINVAL, "\"from\" is missing");
}

static void array_indexes_follow_the_rfc(void **state) {
  (void)state;
  expect_patch("[1,2]", "[{\"op\":\"add\",\"path\":\"/2\",\"value\":3}]", "[1,2,3]");
  expect_patch("[1,2]", "[{\"op\":\"add\",\"path\":\"/0\",\"value\":0}]", "[0,1,2]");
  expect_failure("[1,2]", "[{\"op\":\"add\",\"path\":\"/3\",\"value\":3}]", EINVAL, "not an index");
  expect_failure("[1,2]", "[{\"op\":\"add\",\"path\":\"/01\",\"value\":3}]", EINVAL,
                 "not an index");
  expect_failure("[1,2]", "[{\"op\":\"remove\",\"path\":\"/-\"}]", EINVAL, "does not exist");
  expect_failure("[1,2]", "[{\"op\":\"replace\",\"path\":\"/2\",\"value\":0}]", EINVAL,
                 "does not exist");
  expect_failure("{\"a\":\"s\"}", "[{\"op\":\"add\",\"path\":\"/a/b\",\"value\":0}]", EINVAL,
                 "is string, not an object or array");
}

static void the_root_can_be_replaced_but_not_removed(void **state) {
  (void)state;
  expect_patch("{\"a\":1}", "[{\"op\":\"replace\",\"path\":\"\",\"value\":{\"b\":2}}]",
               "{\"b\":2}");
  expect_patch("{\"a\":1}", "[{\"op\":\"add\",\"path\":\"\",\"value\":[]}]", "[]");
  expect_failure("{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"\"}]", EINVAL, "whole document");
}

static void move_and_copy_check_their_source(void **state) {
  (void)state;
  expect_patch("{\"a\":{\"b\":1}}", "[{\"op\":\"copy\",\"from\":\"/a\",\"path\":\"/c\"}]",
               "{\"a\":{\"b\":1},\"c\":{\"b\":1}}");
  expect_patch("{\"a\":1}", "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/a\"}]", "{\"a\":1}");
  expect_patch("{\"ab\":1}", "[{\"op\":\"move\",\"from\":\"/ab\",\"path\":\"/abc\"}]",
               "{\"abc\":1}");
  expect_failure("{\"a\":{\"b\":1}}", "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/a/c\"}]",
                 EINVAL, "its own child");
  expect_failure("{}", "[{\"op\":\"move\",\"from\":\"/x\",\"path\":\"/y\"}]", EINVAL,
                 "from /x does not exist");
}

static void copies_share_nothing_with_the_patch(void **state) {
  (void)state;
  _cleanup_json_ json_t *doc = test_json("{}");
  _cleanup_json_ json_t *p = test_json("[{\"op\":\"add\",\"path\":\"/a\",\"value\":{\"b\":1}}]");
  _cleanup_json_ json_t *got = NULL;
  assert_int_equal(tug_json_patch(doc, p, &got, NULL), 0);
  json_object_set_new(tug_json_pointer_get(got, "/a"), "c", json_true());
  assert_null(tug_json_pointer_get(p, "/0/value/c"));
  assert_int_equal(json_object_size(doc), 0);
}

static void test_compares_numbers_by_value_and_objects_by_members(void **state) {
  (void)state;
  expect_patch("{\"n\":1,\"o\":{\"x\":1,\"y\":[1.5,null]}}",
               "[{\"op\":\"test\",\"path\":\"/n\",\"value\":1.0},"
               "{\"op\":\"test\",\"path\":\"/o\",\"value\":{\"y\":[1.5,null],\"x\":1}}]",
               "{\"n\":1,\"o\":{\"x\":1,\"y\":[1.5,null]}}");
  expect_failure("{\"o\":{\"x\":1}}",
                 "[{\"op\":\"test\",\"path\":\"/o\",\"value\":{\"x\":1,\"y\":2}}]", EINVAL,
                 "test failed");
  expect_patch("{\"a\":null}", "[{\"op\":\"test\",\"path\":\"/a\",\"value\":null}]",
               "{\"a\":null}");
  expect_failure("{}", "[{\"op\":\"test\",\"path\":\"/a\",\"value\":null}]", EINVAL,
                 "does not exist");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(rfc6902_a1_adds_an_object_member),
      cmocka_unit_test(rfc6902_a2_adds_an_array_element),
      cmocka_unit_test(rfc6902_a3_removes_an_object_member),
      cmocka_unit_test(rfc6902_a4_removes_an_array_element),
      cmocka_unit_test(rfc6902_a5_replaces_a_value),
      cmocka_unit_test(rfc6902_a6_moves_a_value),
      cmocka_unit_test(rfc6902_a7_moves_an_array_element),
      cmocka_unit_test(rfc6902_a8_test_succeeds),
      cmocka_unit_test(rfc6902_a9_test_fails),
      cmocka_unit_test(rfc6902_a10_adds_a_nested_member_object),
      cmocka_unit_test(rfc6902_a11_ignores_unrecognized_members),
      cmocka_unit_test(rfc6902_a12_add_to_a_nonexistent_target_fails),
      cmocka_unit_test(rfc6902_a14_unescapes_tilde_before_slash),
      cmocka_unit_test(rfc6902_a15_strings_never_equal_numbers),
      cmocka_unit_test(rfc6902_a16_adds_an_array_value_at_the_end),
      cmocka_unit_test(rfc6901_examples_resolve),
      cmocka_unit_test(pointers_that_are_malformed_name_nothing),
      cmocka_unit_test(a_failing_operation_leaves_nothing_applied),
      cmocka_unit_test(a_document_that_is_not_a_patch_is_a_parse_error),
      cmocka_unit_test(malformed_operations_do_not_apply),
      cmocka_unit_test(array_indexes_follow_the_rfc),
      cmocka_unit_test(the_root_can_be_replaced_but_not_removed),
      cmocka_unit_test(move_and_copy_check_their_source),
      cmocka_unit_test(copies_share_nothing_with_the_patch),
      cmocka_unit_test(test_compares_numbers_by_value_and_objects_by_members),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
