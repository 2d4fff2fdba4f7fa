/* Unit tests for defaulting and validation: ResourceQuota and LimitRange
 * (apiserver/validation-quota.c). */
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

#include "../../lib/tests/json_text.h"
#include "validation_cases.h"

/* ---- ResourceQuota and LimitRange ---- */

static void quota_names_only_resources_admission_counts(void **state) {
  (void)state;
  edit_yields("ResourceQuota", "spec.hard[request.cpu]", "'1'", "spec.hard[request.cpu]",
              "FieldValueInvalid");
  edit_yields("ResourceQuota", "spec.hard.count/Pods", "'1'", "spec.hard[count/Pods]",
              "FieldValueInvalid");
  json_t *causes = edited("ResourceQuota", "spec.hard[count/jobs.batch]", js("'2'"));
  expect_none(causes);
  json_decref(causes);
  causes = edited("ResourceQuota", "spec.hard.secrets", js("'2'"));
  expect_none(causes);
  json_decref(causes);
}

static void quota_values_are_non_negative_and_counts_whole(void **state) {
  (void)state;
  edit_yields("ResourceQuota", "spec.hard[requests.cpu]", "'-1'", "spec.hard[requests.cpu]",
              "FieldValueInvalid");
  edit_yields("ResourceQuota", "spec.hard[requests.memory]", "'8 Gi'", "spec.hard[requests.memory]",
              "FieldValueInvalid");
  edit_yields_message("ResourceQuota", "spec.hard.pods", "'1.5'", "spec.hard[pods]",
                      "FieldValueInvalid", "Invalid value: \"1.5\": must be an integer");
  edit_yields("ResourceQuota", "spec.hard", "['pods']", "spec.hard", "FieldValueInvalid");
  json_t *quota = defaulted("ResourceQuota", NULL, NULL);
  json_t *services = json_object_get(get(quota, "spec.hard"), "services");
  assert_string_equal(json_string_value(services), "3");
  json_decref(quota);
}

static void limit_range_items_have_a_type_and_ordered_bounds(void **state) {
  (void)state;
  edit_yields("LimitRange", "spec.limits.0.type", "'Volume'", "spec.limits[0].type",
              "FieldValueNotSupported");
  edit_yields("LimitRange", "spec.limits.0.type", NULL, "spec.limits[0].type",
              "FieldValueRequired");
  /* Above max, a min is above the defaults too: each pair is its own cause. */
  json_t *causes = edited("LimitRange", "spec.limits.0.min.cpu", js("'3'"));
  expect_message(causes, "spec.limits[0].min[cpu]", "FieldValueInvalid",
                 "Invalid value: \"3\": min value 3 is greater than max value 2");
  expect_message(causes, "spec.limits[0].defaultRequest[cpu]", "FieldValueInvalid",
                 "Invalid value: \"250m\": min value 3 is greater than default request value 250m");
  expect(causes, "spec.limits[0].default[cpu]", "FieldValueInvalid");
  assert_int_equal(json_array_size(causes), 3);
  json_decref(causes);
  causes = edited("LimitRange", "spec.limits.0.defaultRequest.cpu", js("'1'"));
  expect_only(causes, "spec.limits[0].defaultRequest[cpu]", "FieldValueInvalid");
  json_decref(causes);
  edit_yields("LimitRange", "spec.limits.0.default.cpu", "'3'", "spec.limits[0].default[cpu]",
              "FieldValueInvalid");
  edit_yields("LimitRange", "spec.limits.0.maxLimitRequestRatio.cpu", "'0.5'",
              "spec.limits[0].maxLimitRequestRatio[cpu]", "FieldValueInvalid");
  edit_yields("LimitRange", "spec.limits.1.default", "{'memory':'1Gi'}", "spec.limits[1].default",
              "FieldValueForbidden");
  edit_yields("LimitRange", "spec.limits.1.max.gpu", "'1'", "spec.limits[1].max[gpu]",
              "FieldValueInvalid");
}

static void limit_range_defaults_chain_from_max_and_min(void **state) {
  (void)state;
  json_t *lr = defaulted("LimitRange", "spec.limits.0",
                         js("{'type':'Container','max':{'cpu':'2','memory':'1Gi'},"
                            "'min':{'memory':'64Mi'},'default':{'cpu':1}}"));
  expect_str_at(lr, "spec.limits.0.default.cpu", "1");
  expect_str_at(lr, "spec.limits.0.default.memory", "1Gi");
  expect_str_at(lr, "spec.limits.0.defaultRequest.cpu", "1");
  expect_str_at(lr, "spec.limits.0.defaultRequest.memory", "1Gi");
  assert_null(get(lr, "spec.limits.1.default"));
  json_decref(lr);
  lr = defaulted("LimitRange", "spec.limits.0", js("{'type':'Container','min':{'cpu':'100m'}}"));
  expect_str_at(lr, "spec.limits.0.defaultRequest.cpu", "100m");
  assert_null(get(lr, "spec.limits.0.default"));
  json_decref(lr);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(quota_names_only_resources_admission_counts),
      cmocka_unit_test(quota_values_are_non_negative_and_counts_whole),
      cmocka_unit_test(limit_range_items_have_a_type_and_ordered_bounds),
      cmocka_unit_test(limit_range_defaults_chain_from_max_and_min),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
