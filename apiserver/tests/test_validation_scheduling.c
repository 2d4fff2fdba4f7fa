/* Unit tests for defaulting and validation: PriorityClass and Queue
 * (apiserver/validation-scheduling.c). */
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

/* ---- PriorityClass and Lease ---- */

static void priority_class_value_is_required_and_bounded(void **state) {
  (void)state;
  edit_yields("PriorityClass", "value", NULL, "value", "FieldValueRequired");
  edit_yields_message("PriorityClass", "value", "1000000001", "value", "FieldValueInvalid",
                      "Invalid value: 1000000001: maximum allowed value of a user defined "
                      "priority is 1000000000");
  edit_yields("PriorityClass", "value", "-2147483649", "value", "FieldValueInvalid");
  edit_yields("PriorityClass", "value", "'high'", "value", "FieldValueInvalid");
  edit_yields("PriorityClass", "globalDefault", "'yes'", "globalDefault", "FieldValueInvalid");
  edit_yields("PriorityClass", "preemptionPolicy", "'Always'", "preemptionPolicy",
              "FieldValueNotSupported");
  json_t *causes = edited("PriorityClass", "value", js("-2147483648"));
  expect_none(causes);
  json_decref(causes);
  json_t *pc = example("PriorityClass");
  put(pc, "metadata.name", json_string("system-node-critical"));
  put(pc, "value", json_integer(2000001000));
  causes = run("PriorityClass", pc, NULL);
  expect_none(causes);
  json_decref(causes);
  json_decref(pc);
}

static void priority_class_value_and_policy_are_immutable(void **state) {
  (void)state;
  json_t *pc = defaulted("PriorityClass", NULL, NULL);
  expect_str_at(pc, "preemptionPolicy", "PreemptLowerPriority");
  json_decref(pc);
  json_t *causes = updated("PriorityClass", "value", json_integer(2000));
  expect_message(causes, "value", "FieldValueForbidden",
                 "Forbidden: may not be changed in an update.");
  assert_int_equal(json_array_size(causes), 1);
  json_decref(causes);
  causes = updated("PriorityClass", "preemptionPolicy", json_string("Never"));
  expect_only(causes, "preemptionPolicy", "FieldValueInvalid");
  json_decref(causes);
  causes = updated("PriorityClass", "description", json_string("changed"));
  expect_none(causes);
  json_decref(causes);
}

/* ---- Queue ---- */

static void queue_takes_namespaces_or_a_selector_not_both(void **state) {
  (void)state;
  edit_yields("Queue", "spec.namespaceSelector", "{'matchLabels':{'team':'a'}}",
              "spec.namespaceSelector", "FieldValueForbidden");
  edit_yields("Queue", "spec.namespaces.1", "'Team_B'", "spec.namespaces[1]", "FieldValueInvalid");
  edit_yields("Queue", "spec.namespaces.1", "'team-a'", "spec.namespaces[1]",
              "FieldValueDuplicate");
  json_t *obj = example("Queue");
  put(obj, "spec.namespaces", NULL);
  put(obj, "spec.namespaceSelector", js("{'matchExpressions':[{'key':'team','operator':'Nope'}]}"));
  json_t *causes = run("Queue", obj, NULL);
  expect_only(causes, "spec.namespaceSelector", "FieldValueInvalid");
  json_decref(causes);
  json_decref(obj);
}

static void queue_quotas_cover_cpu_memory_and_pods(void **state) {
  (void)state;
  edit_yields_message(
      "Queue", "spec.nominal.gpu", "'1'", "spec.nominal[gpu]", "FieldValueNotSupported",
      "Unsupported value: \"gpu\": supported values: \"cpu\", \"memory\", \"pods\"");
  edit_yields("Queue", "spec.nominal.memory", "'-1Gi'", "spec.nominal[memory]",
              "FieldValueInvalid");
  edit_yields("Queue", "spec.cohort", "'Research'", "spec.cohort", "FieldValueInvalid");
}

static void queue_lends_at_most_its_nominal_quota_and_only_in_a_cohort(void **state) {
  (void)state;
  edit_yields_message("Queue", "spec.lendingLimit.cpu", "'9'", "spec.lendingLimit[cpu]",
                      "FieldValueInvalid",
                      "Invalid value: \"9\": must be less than or equal to nominal cpu of 8");
  json_t *obj = example("Queue");
  put(obj, "spec.nominal.pods", NULL);
  put(obj, "spec.lendingLimit.pods", json_integer(1));
  json_t *causes = run("Queue", obj, NULL);
  expect_only(causes, "spec.lendingLimit[pods]", "FieldValueInvalid");
  json_decref(causes);
  json_decref(obj);
  obj = example("Queue");
  put(obj, "spec.cohort", NULL);
  causes = run("Queue", obj, NULL);
  expect(causes, "spec.borrowingLimit", "FieldValueInvalid");
  expect(causes, "spec.lendingLimit", "FieldValueInvalid");
  assert_int_equal(json_array_size(causes), 2);
  json_decref(causes);
  json_decref(obj);
}

static void queue_weight_is_positive_and_preemption_known(void **state) {
  (void)state;
  edit_yields("Queue", "spec.weight", "0", "spec.weight", "FieldValueInvalid");
  edit_yields("Queue", "spec.weight", "-0.5", "spec.weight", "FieldValueInvalid");
  edit_yields("Queue", "spec.weight", "'2'", "spec.weight", "FieldValueInvalid");
  edit_yields("Queue", "spec.strictFIFO", "1", "spec.strictFIFO", "FieldValueInvalid");
  edit_yields("Queue", "spec.preemption.reclaimWithinCohort", "'Always'",
              "spec.preemption.reclaimWithinCohort", "FieldValueNotSupported");
  edit_yields("Queue", "spec.preemption.withinQueue", "'Any'", "spec.preemption.withinQueue",
              "FieldValueNotSupported");
  edit_yields("Queue", "spec.aging.intervalSeconds", "-1", "spec.aging.intervalSeconds",
              "FieldValueInvalid");
  edit_yields("Queue", "spec.aging.maxBoost", "'5'", "spec.aging.maxBoost", "FieldValueInvalid");
  edit_yields("Queue", "spec.budget.windowSeconds", "0", "spec.budget.windowSeconds",
              "FieldValueInvalid");
  edit_yields("Queue", "spec.budget.limits.cpu", "'lots'", "spec.budget.limits[cpu]",
              "FieldValueInvalid");
  json_t *causes = edited("Queue", "spec.weight", js("0.5"));
  expect_none(causes);
  json_decref(causes);
}

static void queue_defaults_weight_fifo_and_preemption(void **state) {
  (void)state;
  json_t *q = js("{'apiVersion':'scheduling.tug.io/v1','kind':'Queue','metadata':{'name':'q'}}");
  api_default_queue(q);
  expect_int_at(q, "spec.weight", 1);
  assert_true(json_is_false(get(q, "spec.strictFIFO")));
  expect_str_at(q, "spec.preemption.reclaimWithinCohort", "Never");
  expect_str_at(q, "spec.preemption.withinQueue", "Never");
  expect_int_at(q, "spec.aging.intervalSeconds", 10);
  expect_int_at(q, "spec.aging.maxBoost", 1000);
  json_t *causes = run("Queue", q, NULL);
  expect_none(causes);
  json_decref(causes);
  json_decref(q);
  q = defaulted("Queue", NULL, NULL);
  expect_int_at(q, "spec.weight", 2);
  assert_true(json_is_true(get(q, "spec.strictFIFO")));
  expect_str_at(q, "spec.preemption.reclaimWithinCohort", "LowerPriority");
  expect_str_at(q, "spec.nominal.pods", "50");
  expect_int_at(q, "spec.aging.intervalSeconds", 0); /* a strict FIFO keeps its order */
  json_decref(q);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(priority_class_value_is_required_and_bounded),
      cmocka_unit_test(priority_class_value_and_policy_are_immutable),
      cmocka_unit_test(queue_takes_namespaces_or_a_selector_not_both),
      cmocka_unit_test(queue_quotas_cover_cpu_memory_and_pods),
      cmocka_unit_test(queue_lends_at_most_its_nominal_quota_and_only_in_a_cohort),
      cmocka_unit_test(queue_weight_is_positive_and_preemption_known),
      cmocka_unit_test(queue_defaults_weight_fifo_and_preemption),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
