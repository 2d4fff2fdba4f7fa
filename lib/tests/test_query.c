/* Unit tests for Kubernetes' boolean query parameter rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "query.h"

static void absent_parameters_are_false(void **state) {
  (void)state;
  assert_false(tug_query_bool(false, NULL));
  assert_false(tug_query_bool(false, "true"));
}

static void only_zero_and_false_in_any_case_are_false(void **state) {
  (void)state;
  assert_false(tug_query_bool(true, "0"));
  assert_false(tug_query_bool(true, "false"));
  assert_false(tug_query_bool(true, "False"));
  assert_false(tug_query_bool(true, "FALSE"));
}

static void every_other_value_is_true(void **state) {
  (void)state;
  static const char *const yes[] = {"true", "True", "1", "", "yes", "no", "f", "00", "anything"};
  for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
    assert_true(tug_query_bool(true, yes[i]));
  assert_true(tug_query_bool(true, NULL));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(absent_parameters_are_false),
      cmocka_unit_test(only_zero_and_false_in_any_case_are_false),
      cmocka_unit_test(every_other_value_is_true),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
