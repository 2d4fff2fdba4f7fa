/* Unit tests for apply's three-way merge patch, its annotation and its order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "apply-plan.h"
#include "cleanup.h"
#include "cli_test.h"
#include "object.h"

static void field_removed_from_the_file_is_nulled(void **state) {
  (void)state;
  _cleanup_json_ json_t *orig = J("{\"metadata\":{\"labels\":{\"a\":\"1\",\"b\":\"2\"}}}");
  _cleanup_json_ json_t *mod = J("{\"metadata\":{\"labels\":{\"a\":\"1\"}}}");
  _cleanup_json_ json_t *live =
      J("{\"metadata\":{\"labels\":{\"a\":\"1\",\"b\":\"2\"},\"uid\":\"u\"}}");
  _cleanup_json_ json_t *p = cli_apply_patch(orig, mod, live);
  assert_json(p, "{\"metadata\":{\"labels\":{\"b\":null}}}");
}

static void server_defaults_are_left_alone(void **state) {
  (void)state;
  _cleanup_json_ json_t *mod = J("{\"spec\":{\"replicas\":2}}");
  _cleanup_json_ json_t *live =
      J("{\"spec\":{\"replicas\":2,\"revisionHistoryLimit\":10},\"status\":{}}");
  _cleanup_json_ json_t *p = cli_apply_patch(mod, mod, live);
  assert_json(p, "{}");
}

static void changed_and_added_fields_are_sent(void **state) {
  (void)state;
  _cleanup_json_ json_t *orig = J("{\"spec\":{\"replicas\":2}}");
  _cleanup_json_ json_t *mod = J("{\"spec\":{\"replicas\":3,\"paused\":true}}");
  _cleanup_json_ json_t *live = J("{\"spec\":{\"replicas\":2}}");
  _cleanup_json_ json_t *p = cli_apply_patch(orig, mod, live);
  assert_json(p, "{\"spec\":{\"replicas\":3,\"paused\":true}}");
}

static void list_whose_items_the_server_defaulted_is_unchanged(void **state) {
  (void)state;
  _cleanup_json_ json_t *mod = J("{\"c\":[{\"name\":\"a\",\"image\":\"x\"}]}");
  _cleanup_json_ json_t *live =
      J("{\"c\":[{\"name\":\"a\",\"image\":\"x\",\"imagePullPolicy\":\"Always\"}]}");
  _cleanup_json_ json_t *p = cli_apply_patch(mod, mod, live);
  assert_json(p, "{}");
}

static void list_changed_in_the_file_is_replaced_whole(void **state) {
  (void)state;
  _cleanup_json_ json_t *orig = J("{\"c\":[{\"name\":\"a\",\"env\":[1]}]}");
  _cleanup_json_ json_t *mod = J("{\"c\":[{\"name\":\"a\"}]}");
  _cleanup_json_ json_t *live = J("{\"c\":[{\"name\":\"a\",\"env\":[1],\"d\":1}]}");
  _cleanup_json_ json_t *p = cli_apply_patch(orig, mod, live);
  assert_json(p, "{\"c\":[{\"name\":\"a\"}]}");
}

static void no_last_applied_only_adds(void **state) {
  (void)state;
  _cleanup_json_ json_t *mod = J("{\"a\":1}");
  _cleanup_json_ json_t *live = J("{\"a\":1,\"b\":2}");
  _cleanup_json_ json_t *p = cli_apply_patch(NULL, mod, live);
  assert_json(p, "{}");
}

static void field_already_gone_is_not_nulled(void **state) {
  (void)state;
  _cleanup_json_ json_t *orig = J("{\"a\":1,\"b\":2}");
  _cleanup_json_ json_t *mod = J("{\"a\":1}");
  _cleanup_json_ json_t *live = J("{\"a\":1}");
  _cleanup_json_ json_t *p = cli_apply_patch(orig, mod, live);
  assert_json(p, "{}");
}

static void subset_compares_numbers_by_value_and_lists_by_length(void **state) {
  (void)state;
  _cleanup_json_ json_t *a = J("[1, {\"x\":2.0}]");
  _cleanup_json_ json_t *b = J("[1.0, {\"x\":2, \"y\":3}]");
  _cleanup_json_ json_t *c = J("[1, {\"x\":2}, 3]");
  assert_true(cli_json_subset(a, b));
  assert_false(cli_json_subset(a, c));
  assert_false(cli_json_subset(b, a));
  assert_false(cli_json_subset(a, NULL));
}

static void annotation_holds_the_object_without_itself(void **state) {
  (void)state;
  _cleanup_json_ json_t *obj =
      J("{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"annotations\":"
        "{\"kubectl.kubernetes.io/last-applied-configuration\":\"old\"}}}");
  _cleanup_json_ json_t *out = cli_apply_annotate(obj);
  const char *ann = tug_obj_annotation(out, CLI_LAST_APPLIED);
  assert_non_null(ann);
  assert_string_equal(ann, "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"}}");
  assert_string_equal(tug_obj_annotation(obj, CLI_LAST_APPLIED), "old");
}

static void order_puts_namespaces_and_quotas_first_and_is_stable(void **state) {
  (void)state;
  _cleanup_json_ json_t *objs =
      J("[{\"kind\":\"Deployment\",\"n\":1},{\"kind\":\"ResourceQuota\"},{\"kind\":\"Service\"},"
        "{\"kind\":\"Namespace\"},{\"kind\":\"Deployment\",\"n\":2},{\"kind\":\"Queue\"},{}]");
  size_t order[7];
  cli_apply_order(objs, order);
  size_t want[] = {3, 5, 1, 2, 0, 4, 6};
  for (size_t i = 0; i < 7; i++)
    assert_int_equal(order[i], want[i]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(field_removed_from_the_file_is_nulled),
      cmocka_unit_test(server_defaults_are_left_alone),
      cmocka_unit_test(changed_and_added_fields_are_sent),
      cmocka_unit_test(list_whose_items_the_server_defaulted_is_unchanged),
      cmocka_unit_test(list_changed_in_the_file_is_replaced_whole),
      cmocka_unit_test(no_last_applied_only_adds),
      cmocka_unit_test(field_already_gone_is_not_nulled),
      cmocka_unit_test(subset_compares_numbers_by_value_and_lists_by_length),
      cmocka_unit_test(annotation_holds_the_object_without_itself),
      cmocka_unit_test(order_puts_namespaces_and_quotas_first_and_is_stable),
  };
  return cmocka_run_group_tests_name("cli-apply-plan", tests, NULL, NULL);
}
