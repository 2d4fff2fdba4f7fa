/* Unit tests for the strategic merge patch: merging by key, the four
 * directives, and that no directive is ever stored. A small stand-in schema
 * plays the part of the API server's one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "strategicpatch.h"
#include "json_text.h"

/* Stand-in for the API server's schema: Kubernetes' tags for a few fields. */
static bool stand_in_lookup(const void *ctx, const char *path, tug_smp_field *out) {
  static const struct {
    const char *path;
    tug_smp_field f;
  } fields[] = {
      {"spec.containers", {true, "name"}},
      {"spec.containers.env", {true, "name"}},
      {"spec.containers.ports", {true, "containerPort"}},
      {"spec.containers.args", {false, NULL}},
      {"spec.tolerations", {false, NULL}},
      {"spec.hostAliases", {true, "ip"}},
      {"l", {true, "name"}},
      {"metadata.finalizers", {true, NULL}},
  };
  (void)ctx;
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
    if (strcmp(fields[i].path, path) == 0) {
      *out = fields[i].f;
      return true;
    }
  return false;
}

static const tug_smp_schema stand_in = {.lookup = stand_in_lookup};

/* Patch target with patch under schema; expect want and untouched inputs. */
static void check(const tug_smp_schema *schema, const char *target, const char *patch,
                  const char *want) {
  _cleanup_json_ json_t *t = test_json(target), *p = test_json(patch), *w = test_json(want);
  _cleanup_json_ json_t *t0 = json_deep_copy(t), *p0 = json_deep_copy(p), *got = NULL;
  tug_error err = {0};
  if (tug_smp_apply(t, p, schema, &got, &err) < 0)
    fail_msg("patch %s failed: %s", patch, err.msg);
  if (!json_equal(got, w)) {
    _cleanup_free_ char *g = json_dumps(got, JSON_ENCODE_ANY | JSON_COMPACT);
    fail_msg("patch %s: got %s, want %s", patch, g, want);
  }
  assert_true(json_equal(t, t0));
  assert_true(json_equal(p, p0));
}

static void check_fails(const tug_smp_schema *schema, const char *target, const char *patch,
                        int code, const char *msg_part) {
  _cleanup_json_ json_t *t = test_json(target), *p = test_json(patch);
  json_t *got = (json_t *)0x1;
  tug_error err = {0};
  assert_int_equal(tug_smp_apply(t, p, schema, &got, &err), -1);
  assert_null(got);
  assert_int_equal(err.code, code);
  if (strstr(err.msg, msg_part) == NULL)
    fail_msg("message \"%s\" lacks \"%s\"", err.msg, msg_part);
}

static const char *pod = "{\"spec\":{\"containers\":["
                         "{\"name\":\"app\",\"image\":\"app:1\",\"env\":[{\"name\":\"A\","
                         "\"value\":\"1\"}],\"ports\":[{\"containerPort\":80,\"name\":\"http\"}]},"
                         "{\"name\":\"sidecar\",\"image\":\"proxy:1\"}]}}";

/* ---- merging by key ---- */

static void named_elements_merge_by_name_without_a_schema(void **state) {
  (void)state;
  check(NULL, pod, "{\"spec\":{\"containers\":[{\"name\":\"sidecar\",\"image\":\"proxy:2\"}]}}",
        "{\"spec\":{\"containers\":["
        "{\"name\":\"app\",\"image\":\"app:1\",\"env\":[{\"name\":\"A\",\"value\":\"1\"}],"
        "\"ports\":[{\"containerPort\":80,\"name\":\"http\"}]},"
        "{\"name\":\"sidecar\",\"image\":\"proxy:2\"}]}}");
}

/* Kubernetes' order: the patch's elements in patch order, stored-only ones
 * placed after them unless the stored order puts them earlier. */
static void patched_elements_come_in_patch_order(void **state) {
  (void)state;
  check(NULL, "{\"l\":[{\"name\":\"a\"},{\"name\":\"b\"}]}",
        "{\"l\":[{\"name\":\"c\",\"x\":1},{\"name\":\"a\",\"x\":2}]}",
        "{\"l\":[{\"name\":\"c\",\"x\":1},{\"name\":\"a\",\"x\":2},{\"name\":\"b\"}]}");
}

static void the_schema_names_the_merge_key(void **state) {
  (void)state;
  check(&stand_in, pod,
        "{\"spec\":{\"containers\":[{\"name\":\"app\",\"ports\":[{\"containerPort\":80,"
        "\"protocol\":\"TCP\"},{\"containerPort\":443}]}]}}",
        "{\"spec\":{\"containers\":["
        "{\"name\":\"app\",\"image\":\"app:1\",\"env\":[{\"name\":\"A\",\"value\":\"1\"}],"
        "\"ports\":[{\"containerPort\":80,\"name\":\"http\",\"protocol\":\"TCP\"},"
        "{\"containerPort\":443}]},"
        "{\"name\":\"sidecar\",\"image\":\"proxy:1\"}]}}");
}

static void the_schema_makes_atomic_lists_replace_even_named_ones(void **state) {
  (void)state;
  check(&stand_in, "{\"spec\":{\"tolerations\":[{\"name\":\"a\",\"key\":\"k\"}]}}",
        "{\"spec\":{\"tolerations\":[{\"name\":\"b\"}]}}",
        "{\"spec\":{\"tolerations\":[{\"name\":\"b\"}]}}");
  check(&stand_in, "{\"spec\":{\"containers\":[{\"name\":\"a\",\"args\":[\"x\",\"y\"]}]}}",
        "{\"spec\":{\"containers\":[{\"name\":\"a\",\"args\":[\"z\"]}]}}",
        "{\"spec\":{\"containers\":[{\"name\":\"a\",\"args\":[\"z\"]}]}}");
}

static void scalar_merge_lists_take_the_union(void **state) {
  (void)state;
  check(&stand_in, "{\"metadata\":{\"finalizers\":[\"a\",\"b\"]}}",
        "{\"metadata\":{\"finalizers\":[\"c\",\"a\"]}}",
        "{\"metadata\":{\"finalizers\":[\"c\",\"a\",\"b\"]}}");
}

static void an_empty_patch_list_leaves_a_merging_list_alone(void **state) {
  (void)state;
  check(&stand_in, "{\"spec\":{\"hostAliases\":[{\"ip\":\"1.2.3.4\"}]}}",
        "{\"spec\":{\"hostAliases\":[]}}", "{\"spec\":{\"hostAliases\":[{\"ip\":\"1.2.3.4\"}]}}");
  /* Without a schema an empty list cannot be told apart from an atomic one. */
  check(NULL, "{\"l\":[{\"name\":\"a\"}]}", "{\"l\":[]}", "{\"l\":[]}");
}

static void lists_without_names_are_replaced_without_a_schema(void **state) {
  (void)state;
  check(NULL, "{\"args\":[\"a\",\"b\"],\"ports\":[{\"port\":80},{\"port\":81}]}",
        "{\"args\":[\"c\"],\"ports\":[{\"port\":90}]}",
        "{\"args\":[\"c\"],\"ports\":[{\"port\":90}]}");
  check(NULL, "{\"c\":[{\"name\":\"a\"},{\"port\":1}]}", "{\"c\":[{\"name\":\"b\"}]}",
        "{\"c\":[{\"name\":\"b\"}]}");
}

/* ---- $patch ---- */

/* As in Kubernetes' own tests ("delete map from nested map"), a deleted
 * object field is left empty; one the target lacks does not appear. */
static void patch_delete_removes_list_elements_and_empties_objects(void **state) {
  (void)state;
  check(NULL, "{\"l\":[{\"name\":\"a\"},{\"name\":\"b\"}],\"m\":{\"x\":1},\"n\":1}",
        "{\"l\":[{\"name\":\"b\",\"$patch\":\"delete\"},{\"name\":\"ghost\",\"$patch\":"
        "\"delete\"}],\"m\":{\"$patch\":\"delete\"}}",
        "{\"l\":[{\"name\":\"a\"}],\"m\":{},\"n\":1}");
  check(NULL, "{\"n\":1}", "{\"m\":{\"$patch\":\"delete\"}}", "{\"n\":1}");
  check(NULL, "{\"l\":[{\"name\":\"a\"},{\"name\":\"a\"},{\"name\":\"b\"}]}",
        "{\"l\":[{\"name\":\"a\",\"$patch\":\"delete\"}]}", "{\"l\":[{\"name\":\"b\"}]}");
}

static void patch_replace_replaces_an_object_whole(void **state) {
  (void)state;
  check(NULL, "{\"metadata\":{\"labels\":{\"a\":\"1\",\"b\":\"2\"}}}",
        "{\"metadata\":{\"labels\":{\"$patch\":\"replace\",\"c\":\"3\"}}}",
        "{\"metadata\":{\"labels\":{\"c\":\"3\"}}}");
}

static void patch_replace_marker_replaces_a_merging_list(void **state) {
  (void)state;
  check(&stand_in, pod,
        "{\"spec\":{\"containers\":[{\"$patch\":\"replace\"},{\"name\":\"only\","
        "\"image\":\"i\"}]}}",
        "{\"spec\":{\"containers\":[{\"name\":\"only\",\"image\":\"i\"}]}}");
}

static void directives_in_a_list_new_to_the_target_are_applied(void **state) {
  (void)state;
  check(NULL, "{\"spec\":{}}",
        "{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"i\",\"$setElementOrder/env\":"
        "[{\"name\":\"E\"}],\"env\":[{\"name\":\"E\",\"value\":\"v\"}]},"
        "{\"name\":\"b\",\"$patch\":\"delete\"}]}}",
        "{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"i\",\"env\":[{\"name\":\"E\","
        "\"value\":\"v\"}]}]}}");
}

static void unknown_and_misplaced_directives_fail(void **state) {
  (void)state;
  check_fails(NULL, pod, "{\"spec\":{\"containers\":[{\"name\":\"app\",\"$patch\":\"frob\"}]}}",
              TUG_E_PARSE, "unknown $patch directive \"frob\"");
  check_fails(NULL, pod, "{\"$patch\":\"delete\"}", TUG_E_PARSE, "not the whole object");
  check_fails(NULL, pod, "{\"spec\":{\"$frob\":1}}", TUG_E_PARSE,
              "unknown directive \"$frob\" in spec");
  check_fails(NULL, "{}", "{\"a\":{\"b\":{\"$setElementOrder\":[]}}}", TUG_E_PARSE,
              "unknown directive \"$setElementOrder\" in a.b");
  check_fails(&stand_in, pod,
              "{\"spec\":{\"containers\":[{\"$patch\":\"merge\"},{\"name\":\"x\"}]}}", TUG_E_PARSE,
              "not allowed in the list spec.containers");
}

static void a_merged_element_needs_its_merge_key(void **state) {
  (void)state;
  check_fails(&stand_in, pod,
              "{\"spec\":{\"containers\":[{\"name\":\"app\",\"ports\":[{\"name\":\"http\","
              "\"$patch\":\"delete\"}]}]}}",
              EINVAL, "lacks its merge key \"containerPort\"");
}

/* ---- $setElementOrder ---- */

static void set_env_twice_stores_no_directive(void **state) {
  (void)state;
  /* What `kubectl set env deployment/web B=2` sends the second time. */
  check(&stand_in, pod,
        "{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"app\"},{\"name\":\"sidecar\"}],"
        "\"containers\":[{\"$setElementOrder/env\":[{\"name\":\"A\"},{\"name\":\"B\"}],"
        "\"env\":[{\"name\":\"B\",\"value\":\"2\"}],\"name\":\"app\"}]}}",
        "{\"spec\":{\"containers\":["
        "{\"name\":\"app\",\"image\":\"app:1\",\"env\":[{\"name\":\"A\",\"value\":\"1\"},"
        "{\"name\":\"B\",\"value\":\"2\"}],\"ports\":[{\"containerPort\":80,\"name\":\"http\"}]},"
        "{\"name\":\"sidecar\",\"image\":\"proxy:1\"}]}}");
}

static void set_element_order_reorders_a_list_it_does_not_patch(void **state) {
  (void)state;
  check(NULL, "{\"l\":[{\"name\":\"a\"},{\"name\":\"b\"},{\"name\":\"c\"}]}",
        "{\"$setElementOrder/l\":[{\"name\":\"c\"},{\"name\":\"a\"},{\"name\":\"b\"}]}",
        "{\"l\":[{\"name\":\"c\"},{\"name\":\"a\"},{\"name\":\"b\"}]}");
}

static void server_only_elements_keep_their_place(void **state) {
  (void)state;
  check(NULL, "{\"l\":[{\"name\":\"a\"},{\"name\":\"b\"},{\"name\":\"c\"}]}",
        "{\"$setElementOrder/l\":[{\"name\":\"c\"},{\"name\":\"a\"}]}",
        "{\"l\":[{\"name\":\"b\"},{\"name\":\"c\"},{\"name\":\"a\"}]}");
  check(NULL, "{\"l\":[{\"name\":\"a\"},{\"name\":\"b\"},{\"name\":\"c\"}]}",
        "{\"$setElementOrder/l\":[{\"name\":\"a\"},{\"name\":\"d\"},{\"name\":\"c\"}],"
        "\"l\":[{\"name\":\"d\"}]}",
        "{\"l\":[{\"name\":\"a\"},{\"name\":\"d\"},{\"name\":\"b\"},{\"name\":\"c\"}]}");
}

/* Two cases of Kubernetes' own tests: an order naming new and stored
 * elements, with elements only the server has. */
static void set_element_order_matches_kubernetes(void **state) {
  (void)state;
  check(NULL, "{\"l\":[{\"name\":\"1\",\"other\":\"a\"},{\"name\":\"3\"}]}",
        "{\"$setElementOrder/l\":[{\"name\":\"1\"},{\"name\":\"2\"}],\"l\":[{\"name\":\"2\"}]}",
        "{\"l\":[{\"name\":\"1\",\"other\":\"a\"},{\"name\":\"2\"},{\"name\":\"3\"}]}");
  check(NULL, "{\"l\":[1,4,2]}", "{\"$setElementOrder/l\":[3,1,2],\"l\":[3]}", "{\"l\":[3,1,4,2]}");
}

static void set_element_order_must_be_a_list(void **state) {
  (void)state;
  check_fails(NULL, "{\"l\":[]}", "{\"$setElementOrder/l\":{}}", TUG_E_PARSE,
              "$setElementOrder/l must be a list");
}

/* ---- $deleteFromPrimitiveList ---- */

static void delete_from_primitive_list_removes_values(void **state) {
  (void)state;
  check(NULL, "{\"metadata\":{\"finalizers\":[\"a\",\"b\",\"c\",\"b\"]}}",
        "{\"metadata\":{\"$deleteFromPrimitiveList/finalizers\":[\"b\"]}}",
        "{\"metadata\":{\"finalizers\":[\"a\",\"c\"]}}");
  check(NULL, "{\"metadata\":{\"finalizers\":[\"a\",\"b\",\"c\"]}}",
        "{\"metadata\":{\"$setElementOrder/finalizers\":[\"c\",\"d\",\"a\"],"
        "\"$deleteFromPrimitiveList/finalizers\":[\"b\"],\"finalizers\":[\"d\"]}}",
        "{\"metadata\":{\"finalizers\":[\"c\",\"d\",\"a\"]}}");
  check_fails(NULL, "{\"f\":[\"a\"]}", "{\"$deleteFromPrimitiveList/f\":\"a\"}", TUG_E_PARSE,
              "must be a list");
}

/* ---- $retainKeys ---- */

static void retain_keys_clears_the_other_members(void **state) {
  (void)state;
  check(NULL,
        "{\"strategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":1}},\"r\":1}",
        "{\"strategy\":{\"$retainKeys\":[\"type\"],\"type\":\"Recreate\"}}",
        "{\"strategy\":{\"type\":\"Recreate\"},\"r\":1}");
  check_fails(NULL, "{\"s\":{}}", "{\"s\":{\"$retainKeys\":[\"type\"],\"other\":1}}", EINVAL,
              "sets \"other\", which its $retainKeys omits");
  check_fails(NULL, "{\"s\":{}}", "{\"s\":{\"$retainKeys\":[1]}}", TUG_E_PARSE,
              "must be a list of keys");
}

/* Lists of thousands (a body limit allows them) merge in about linear time:
 * every element is found through an index, never by scanning. */
static void long_lists_merge_without_scanning(void **state) {
  (void)state;
  enum { N = 20000 };
  _cleanup_json_ json_t *t = json_pack("{s:[]}", "l"),
                        *p = json_pack("{s:[], s:[]}", "l", "$setElementOrder/l");
  for (int i = 0; i < N; i++) {
    json_array_append_new(json_object_get(t, "l"), json_pack("{s:i, s:i}", "name", i, "v", 0));
    json_array_append_new(json_object_get(p, "l"), json_pack("{s:i, s:i}", "name", N - i, "v", 1));
    json_array_append_new(json_object_get(p, "$setElementOrder/l"), json_pack("{s:i}", "name", i));
  }
  json_array_append_new(json_object_get(p, "$setElementOrder/l"), json_pack("{s:i}", "name", N));
  _cleanup_json_ json_t *got = NULL;
  tug_error err = {0};
  assert_int_equal(tug_smp_apply(t, p, &stand_in, &got, &err), 0);
  json_t *l = json_object_get(got, "l");
  assert_int_equal(json_array_size(l), N + 1);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(l, 0), "v")), 0);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(l, N), "name")), N);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(l, N / 2), "v")), 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(named_elements_merge_by_name_without_a_schema),
      cmocka_unit_test(patched_elements_come_in_patch_order),
      cmocka_unit_test(the_schema_names_the_merge_key),
      cmocka_unit_test(the_schema_makes_atomic_lists_replace_even_named_ones),
      cmocka_unit_test(scalar_merge_lists_take_the_union),
      cmocka_unit_test(an_empty_patch_list_leaves_a_merging_list_alone),
      cmocka_unit_test(lists_without_names_are_replaced_without_a_schema),
      cmocka_unit_test(patch_delete_removes_list_elements_and_empties_objects),
      cmocka_unit_test(patch_replace_replaces_an_object_whole),
      cmocka_unit_test(patch_replace_marker_replaces_a_merging_list),
      cmocka_unit_test(directives_in_a_list_new_to_the_target_are_applied),
      cmocka_unit_test(unknown_and_misplaced_directives_fail),
      cmocka_unit_test(a_merged_element_needs_its_merge_key),
      cmocka_unit_test(set_env_twice_stores_no_directive),
      cmocka_unit_test(set_element_order_reorders_a_list_it_does_not_patch),
      cmocka_unit_test(server_only_elements_keep_their_place),
      cmocka_unit_test(set_element_order_matches_kubernetes),
      cmocka_unit_test(set_element_order_must_be_a_list),
      cmocka_unit_test(delete_from_primitive_list_removes_values),
      cmocka_unit_test(retain_keys_clears_the_other_members),
      cmocka_unit_test(long_lists_merge_without_scanning),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
