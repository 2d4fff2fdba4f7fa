/* Unit tests for defaulting and validation: CronJob and DaemonSet
 * (apiserver/validation-cronjob.c, apiserver/validation-daemonset.c). */
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

/* ---- CronJob ---- */

static void cronjob_defaults_are_kubernetes(void **state) {
  (void)state;
  json_t *c = defaulted("CronJob", NULL, NULL);
  expect_str_at(c, "spec.concurrencyPolicy", "Allow");
  assert_true(json_is_false(get(c, "spec.suspend")));
  expect_int_at(c, "spec.successfulJobsHistoryLimit", 3);
  expect_int_at(c, "spec.failedJobsHistoryLimit", 1);
  expect_str_at(c, "spec.jobTemplate.spec.template.spec.dnsPolicy", "ClusterFirst");
  /* A Job's own defaults are not a template's, as in Kubernetes. */
  assert_null(get(c, "spec.jobTemplate.spec.completions"));
  json_decref(c);
}

static void cronjob_schedule_is_cron_syntax_without_a_zone(void **state) {
  (void)state;
  edit_yields_message("CronJob", "spec.schedule", "'* * *'", "spec.schedule", "FieldValueInvalid",
                      "Invalid value: \"* * *\": expected exactly 5 fields, found 3: * * *");
  edit_yields_message("CronJob", "spec.schedule", "'TZ=UTC 0 * * * *'", "spec.schedule",
                      "FieldValueInvalid",
                      "Invalid value: \"TZ=UTC 0 * * * *\": cannot use TZ or CRON_TZ in "
                      "schedule, use timeZone field instead");
  edit_yields("CronJob", "spec.schedule", NULL, "spec.schedule", "FieldValueRequired");
  json_t *causes = edited("CronJob", "spec.schedule", js("'@hourly'"));
  expect_none(causes);
  json_decref(causes);
}

static void cronjob_time_zone_is_an_iana_name(void **state) {
  (void)state;
  edit_yields_message("CronJob", "spec.timeZone", "'Mars/Olympus'", "spec.timeZone",
                      "FieldValueInvalid",
                      "Invalid value: \"Mars/Olympus\": unknown time zone Mars/Olympus");
  edit_yields("CronJob", "spec.timeZone", "'Local'", "spec.timeZone", "FieldValueInvalid");
  edit_yields("CronJob", "spec.timeZone", "''", "spec.timeZone", "FieldValueInvalid");
  edit_yields("CronJob", "spec.timeZone", "'../../etc/passwd'", "spec.timeZone",
              "FieldValueInvalid");
}

static void cronjob_policy_limits_template_and_name(void **state) {
  (void)state;
  edit_yields("CronJob", "spec.concurrencyPolicy", "'Sometimes'", "spec.concurrencyPolicy",
              "FieldValueNotSupported");
  edit_yields("CronJob", "spec.startingDeadlineSeconds", "-1", "spec.startingDeadlineSeconds",
              "FieldValueInvalid");
  edit_yields("CronJob", "spec.failedJobsHistoryLimit", "-1", "spec.failedJobsHistoryLimit",
              "FieldValueInvalid");
  edit_yields("CronJob", "spec.jobTemplate", NULL, "spec.jobTemplate", "FieldValueRequired");
  edit_yields("CronJob", "spec.jobTemplate.spec.selector", "{'matchLabels':{'a':'b'}}",
              "spec.jobTemplate.spec.selector", "FieldValueInvalid");
  edit_yields("CronJob", "spec.jobTemplate.spec.template.spec.restartPolicy", "'Always'",
              "spec.jobTemplate.spec.template.spec.restartPolicy", "FieldValueNotSupported");
  edit_yields_message("CronJob", "metadata.name",
                      "'a-name-that-is-much-too-long-for-its-jobs-to-be-named-after-it'",
                      "metadata.name", "FieldValueInvalid",
                      "Invalid value: \"a-name-that-is-much-too-long-for-its-jobs-to-be-named-"
                      "after-it\": must be no more than 52 characters");
}

/* ---- DaemonSet ---- */

static void daemonset_defaults_are_kubernetes(void **state) {
  (void)state;
  json_t *d = defaulted("DaemonSet", NULL, NULL);
  expect_str_at(d, "spec.updateStrategy.type", "RollingUpdate");
  expect_int_at(d, "spec.updateStrategy.rollingUpdate.maxUnavailable", 1);
  expect_int_at(d, "spec.updateStrategy.rollingUpdate.maxSurge", 0);
  expect_int_at(d, "spec.revisionHistoryLimit", 10);
  expect_str_at(d, "spec.template.spec.restartPolicy", "Always");
  json_decref(d);
  d = defaulted("DaemonSet", "spec.updateStrategy", js("{'type':'OnDelete'}"));
  assert_null(get(d, "spec.updateStrategy.rollingUpdate"));
  json_decref(d);
}

static void daemonset_selector_template_and_strategy(void **state) {
  (void)state;
  edit_yields("DaemonSet", "spec.selector", NULL, "spec.selector", "FieldValueRequired");
  edit_yields("DaemonSet", "spec.selector.matchLabels.app", "'other'",
              "spec.template.metadata.labels", "FieldValueInvalid");
  edit_yields("DaemonSet", "spec.template.spec.restartPolicy", "'Never'",
              "spec.template.spec.restartPolicy", "FieldValueNotSupported");
  edit_yields("DaemonSet", "spec.template.spec.activeDeadlineSeconds", "60",
              "spec.template.spec.activeDeadlineSeconds", "FieldValueForbidden");
  edit_yields("DaemonSet", "spec.updateStrategy", "{'type':'Recreate'}", "spec.updateStrategy.type",
              "FieldValueNotSupported");
  edit_yields_message("DaemonSet", "spec.updateStrategy",
                      "{'type':'RollingUpdate','rollingUpdate':{'maxUnavailable':1,'maxSurge':1}}",
                      "spec.updateStrategy.rollingUpdate.maxSurge", "FieldValueInvalid",
                      "Invalid value: 1: may not be set when maxUnavailable is non-zero");
  edit_yields("DaemonSet", "spec.updateStrategy",
              "{'type':'RollingUpdate','rollingUpdate':{'maxUnavailable':0,'maxSurge':0}}",
              "spec.updateStrategy.rollingUpdate.maxUnavailable", "FieldValueRequired");
  json_t *causes = edited("DaemonSet", "spec.updateStrategy",
                          js("{'type':'RollingUpdate','rollingUpdate':{'maxUnavailable':0,"
                             "'maxSurge':'25%'}}"));
  expect_none(causes);
  json_decref(causes);
}

static void daemonset_selector_is_immutable(void **state) {
  (void)state;
  json_t *causes = updated("DaemonSet", "spec.selector.matchLabels.tier", json_string("x"));
  expect(causes, "spec.selector", "FieldValueInvalid");
  json_decref(causes);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(cronjob_defaults_are_kubernetes),
      cmocka_unit_test(cronjob_schedule_is_cron_syntax_without_a_zone),
      cmocka_unit_test(cronjob_time_zone_is_an_iana_name),
      cmocka_unit_test(cronjob_policy_limits_template_and_name),
      cmocka_unit_test(daemonset_defaults_are_kubernetes),
      cmocka_unit_test(daemonset_selector_template_and_strategy),
      cmocka_unit_test(daemonset_selector_is_immutable),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
