/* Unit tests for defaulting and validation: Deployment, ReplicaSet and Job
 * (apiserver/validation-workloads.c). */
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

/* ---- Deployment ---- */

static void deployment_requires_a_selector_matching_its_template(void **state) {
  (void)state;
  edit_yields("Deployment", "spec.selector", NULL, "spec.selector", "FieldValueRequired");
  edit_yields_message("Deployment", "spec.selector.matchLabels.app", "'api'",
                      "spec.template.metadata.labels", "FieldValueInvalid",
                      "Invalid value: {\"app\":\"web\",\"tier\":\"fe\"}: `selector` does not "
                      "match template `labels`");
  edit_yields("Deployment", "spec.selector", "{}", "spec.selector", "FieldValueInvalid");
  edit_yields("Deployment", "spec.selector.matchLabels", "{'bad key':'x'}", "spec.selector",
              "FieldValueInvalid");
  edit_yields("Deployment", "spec.template.metadata.labels", NULL, "spec.template.metadata.labels",
              "FieldValueInvalid");
}

static void deployment_replicas_and_durations_are_not_negative(void **state) {
  (void)state;
  edit_yields_message("Deployment", "spec.replicas", "-1", "spec.replicas", "FieldValueInvalid",
                      "Invalid value: -1: must be greater than or equal to 0");
  edit_yields("Deployment", "spec.minReadySeconds", "-5", "spec.minReadySeconds",
              "FieldValueInvalid");
  edit_yields("Deployment", "spec.revisionHistoryLimit", "-1", "spec.revisionHistoryLimit",
              "FieldValueInvalid");
  edit_yields_message("Deployment", "spec.progressDeadlineSeconds", "5",
                      "spec.progressDeadlineSeconds", "FieldValueInvalid",
                      "Invalid value: 5: must be greater than minReadySeconds");
}

static void deployment_strategy_is_rolling_update_or_recreate(void **state) {
  (void)state;
  edit_yields("Deployment", "spec.strategy.type", "'BlueGreen'", "spec.strategy.type",
              "FieldValueNotSupported");
  edit_yields("Deployment", "spec.strategy.type", "'Recreate'", "spec.strategy.rollingUpdate",
              "FieldValueForbidden");
  json_t *causes = edited("Deployment", "spec.strategy", js("{'type':'Recreate'}"));
  expect_none(causes);
  json_decref(causes);
}

static void rolling_update_bounds_are_counts_or_percents_not_both_zero(void **state) {
  (void)state;
  edit_yields("Deployment", "spec.strategy.rollingUpdate.maxSurge", "'25'",
              "spec.strategy.rollingUpdate.maxSurge", "FieldValueInvalid");
  edit_yields("Deployment", "spec.strategy.rollingUpdate.maxSurge", "-1",
              "spec.strategy.rollingUpdate.maxSurge", "FieldValueInvalid");
  edit_yields("Deployment", "spec.strategy.rollingUpdate.maxUnavailable", "'150%'",
              "spec.strategy.rollingUpdate.maxUnavailable", "FieldValueInvalid");
  json_t *causes = edited("Deployment", "spec.strategy.rollingUpdate",
                          js("{'maxSurge':0,'maxUnavailable':'0%'}"));
  expect_only(causes, "spec.strategy.rollingUpdate.maxUnavailable", "FieldValueInvalid");
  expect_message(causes, "spec.strategy.rollingUpdate.maxUnavailable", "FieldValueInvalid",
                 "Invalid value: \"0%\": may not be 0 when `maxSurge` is 0");
  json_decref(causes);
}

static void deployment_template_is_a_pod_spec_that_restarts_always(void **state) {
  (void)state;
  edit_yields("Deployment", "spec.template.spec.containers.0.image", NULL,
              "spec.template.spec.containers[0].image", "FieldValueRequired");
  edit_yields_message("Deployment", "spec.template.spec.restartPolicy", "'OnFailure'",
                      "spec.template.spec.restartPolicy", "FieldValueNotSupported",
                      "Unsupported value: \"OnFailure\": supported values: \"Always\"");
  edit_yields("Deployment", "spec.template", NULL, "spec.template", "FieldValueRequired");
  edit_yields("Deployment", "spec.template.metadata.annotations", "{'a b':'c'}",
              "spec.template.metadata.annotations", "FieldValueInvalid");
  edit_yields("Deployment", "spec", NULL, "spec", "FieldValueRequired");
}

static void deployment_defaults_replicas_strategy_and_limits(void **state) {
  (void)state;
  json_t *d = example("Deployment");
  put(d, "spec.replicas", NULL);
  put(d, "spec.strategy", NULL);
  api_default_deployment(d);
  expect_int_at(d, "spec.replicas", 1);
  expect_str_at(d, "spec.strategy.type", "RollingUpdate");
  expect_str_at(d, "spec.strategy.rollingUpdate.maxSurge", "25%");
  expect_str_at(d, "spec.strategy.rollingUpdate.maxUnavailable", "25%");
  expect_int_at(d, "spec.revisionHistoryLimit", 10);
  expect_int_at(d, "spec.progressDeadlineSeconds", 600);
  expect_str_at(d, "spec.template.spec.restartPolicy", "Always");
  expect_str_at(d, "spec.template.spec.containers.0.imagePullPolicy", "IfNotPresent");
  json_decref(d);
  d = defaulted("Deployment", NULL, NULL);
  expect_int_at(d, "spec.replicas", 3);
  expect_int_at(d, "spec.strategy.rollingUpdate.maxSurge", 1);
  expect_str_at(d, "spec.strategy.rollingUpdate.maxUnavailable", "10%");
  json_decref(d);
  d = defaulted("Deployment", "spec.strategy", js("{'type':'Recreate'}"));
  assert_null(get(d, "spec.strategy.rollingUpdate"));
  json_decref(d);
}

/* Kubernetes defaults requests from limits on Pods, never in a template. */
static void templates_keep_limits_without_copying_them_to_requests(void **state) {
  (void)state;
  static const char *const kinds[] = {"Deployment", "ReplicaSet", "Job"};
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
    json_t *w = defaulted(kinds[i], "spec.template.spec.containers.0.resources",
                          js("{'limits':{'cpu':'500m','memory':128}}"));
    expect_str_at(w, "spec.template.spec.containers.0.resources.limits.memory", "128");
    assert_null(get(w, "spec.template.spec.containers.0.resources.requests"));
    json_decref(w);
  }
}

static void deployment_selector_is_immutable(void **state) {
  (void)state;
  json_t *causes = updated("Deployment", "spec.selector.matchLabels.tier", json_string("fe"));
  expect_message(causes, "spec.selector", "FieldValueInvalid",
                 "Invalid value: {\"matchLabels\":{\"app\":\"web\",\"tier\":\"fe\"}}: field is "
                 "immutable");
  assert_int_equal(json_array_size(causes), 1);
  json_decref(causes);
  causes = updated("Deployment", "spec.replicas", json_integer(10));
  expect_none(causes);
  json_decref(causes);
}

/* ---- ReplicaSet ---- */

static void replicaset_rules_match_deployment_rules(void **state) {
  (void)state;
  edit_yields("ReplicaSet", "spec.replicas", "-2", "spec.replicas", "FieldValueInvalid");
  edit_yields("ReplicaSet", "spec.selector", NULL, "spec.selector", "FieldValueRequired");
  edit_yields("ReplicaSet", "spec.selector.matchExpressions.0.values.0", "'api'",
              "spec.template.metadata.labels", "FieldValueInvalid");
  edit_yields("ReplicaSet", "spec.selector.matchExpressions.0.operator", "'Like'", "spec.selector",
              "FieldValueInvalid");
  edit_yields("ReplicaSet", "spec.template.spec.containers.0.name", "'Web'",
              "spec.template.spec.containers[0].name", "FieldValueInvalid");
  json_t *rs = defaulted("ReplicaSet", "spec.replicas", NULL);
  expect_int_at(rs, "spec.replicas", 1);
  expect_str_at(rs, "spec.template.spec.restartPolicy", "Always");
  json_decref(rs);
  json_t *causes = updated("ReplicaSet", "spec.selector", js("{'matchLabels':{'app':'web'}}"));
  expect_only(causes, "spec.selector", "FieldValueInvalid");
  json_decref(causes);
}

/* ---- Job ---- */

static void job_template_must_restart_on_failure_or_never(void **state) {
  (void)state;
  edit_yields("Job", "spec.template.spec.restartPolicy", NULL, "spec.template.spec.restartPolicy",
              "FieldValueRequired");
  edit_yields_message("Job", "spec.template.spec.restartPolicy", "'Always'",
                      "spec.template.spec.restartPolicy", "FieldValueNotSupported",
                      "Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\"");
  json_t *job = defaulted("Job", "spec.template.spec.restartPolicy", NULL);
  assert_null(get(job, "spec.template.spec.restartPolicy"));
  expect_int_at(job, "spec.template.spec.terminationGracePeriodSeconds", 30);
  json_decref(job);
}

static void job_counts_and_limits_are_not_negative(void **state) {
  (void)state;
  edit_yields("Job", "spec.parallelism", "-1", "spec.parallelism", "FieldValueInvalid");
  edit_yields("Job", "spec.completions", "-1", "spec.completions", "FieldValueInvalid");
  edit_yields("Job", "spec.backoffLimit", "-1", "spec.backoffLimit", "FieldValueInvalid");
  edit_yields("Job", "spec.activeDeadlineSeconds", "0", "spec.activeDeadlineSeconds",
              "FieldValueInvalid");
  edit_yields("Job", "spec.ttlSecondsAfterFinished", "-1", "spec.ttlSecondsAfterFinished",
              "FieldValueInvalid");
  edit_yields("Job", "spec.selector", "{'matchLabels':{'job':'x'}}",
              "spec.template.metadata.labels", "FieldValueInvalid");
}

static void job_defaults_one_completion_only_when_neither_count_is_set(void **state) {
  (void)state;
  json_t *job = defaulted("Job", NULL, NULL);
  expect_int_at(job, "spec.completions", 1);
  expect_int_at(job, "spec.parallelism", 1);
  expect_int_at(job, "spec.backoffLimit", 2);
  json_decref(job);
  job = defaulted("Job", "spec.parallelism", json_integer(4));
  assert_null(get(job, "spec.completions"));
  expect_int_at(job, "spec.parallelism", 4);
  json_decref(job);
  job = defaulted("Job", "spec.completions", json_integer(5));
  expect_int_at(job, "spec.completions", 5);
  expect_int_at(job, "spec.parallelism", 1);
  json_decref(job);
  job = defaulted("Job", "spec.backoffLimit", NULL);
  expect_int_at(job, "spec.backoffLimit", 6);
  json_decref(job);
}

static void job_template_and_completions_are_immutable(void **state) {
  (void)state;
  json_t *causes = updated("Job", "spec.template.spec.containers.0.image", json_string("b:2"));
  expect_only(causes, "spec.template", "FieldValueInvalid");
  json_decref(causes);
  causes = updated("Job", "spec.completions", json_integer(3));
  expect_only(causes, "spec.completions", "FieldValueInvalid");
  json_decref(causes);
  causes = updated("Job", "spec.backoffLimit", json_integer(3));
  expect_none(causes);
  json_decref(causes);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(deployment_requires_a_selector_matching_its_template),
      cmocka_unit_test(deployment_replicas_and_durations_are_not_negative),
      cmocka_unit_test(deployment_strategy_is_rolling_update_or_recreate),
      cmocka_unit_test(rolling_update_bounds_are_counts_or_percents_not_both_zero),
      cmocka_unit_test(deployment_template_is_a_pod_spec_that_restarts_always),
      cmocka_unit_test(deployment_defaults_replicas_strategy_and_limits),
      cmocka_unit_test(templates_keep_limits_without_copying_them_to_requests),
      cmocka_unit_test(deployment_selector_is_immutable),
      cmocka_unit_test(replicaset_rules_match_deployment_rules),
      cmocka_unit_test(job_template_must_restart_on_failure_or_never),
      cmocka_unit_test(job_counts_and_limits_are_not_negative),
      cmocka_unit_test(job_defaults_one_completion_only_when_neither_count_is_set),
      cmocka_unit_test(job_template_and_completions_are_immutable),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
