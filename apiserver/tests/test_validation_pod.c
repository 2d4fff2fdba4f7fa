/* Unit tests for defaulting and validation: pod specs and their defaults and updates
 * (apiserver/validation-pod.c). */
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

/* ---- Pod: containers ---- */

static void pod_requires_at_least_one_container(void **state) {
  (void)state;
  edit_yields("Pod", "spec.containers", "[]", "spec.containers", "FieldValueRequired");
  edit_yields("Pod", "spec.containers", NULL, "spec.containers", "FieldValueRequired");
  edit_yields("Pod", "spec", NULL, "spec.containers", "FieldValueRequired");
  edit_yields_message("Pod", "spec.containers", "{'name':'web'}", "spec.containers",
                      "FieldValueInvalid", "Invalid value: {\"name\":\"web\"}: must be an array");
  edit_yields_message("Pod", "spec", "'web'", "spec", "FieldValueInvalid",
                      "Invalid value: \"web\": must be an object");
}

static void container_names_are_unique_across_containers_and_init_containers(void **state) {
  (void)state;
  json_t *obj = example("Pod");
  json_array_append_new(get(obj, "spec.containers"), js("{'name':'web','image':'b'}"));
  put(obj, "spec.initContainers", js("[{'name':'web','image':'b'}]"));
  json_t *causes = run("Pod", obj, NULL);
  expect_message(causes, "spec.containers[1].name", "FieldValueDuplicate",
                 "Duplicate value: \"web\"");
  expect(causes, "spec.initContainers[0].name", "FieldValueDuplicate");
  assert_int_equal(json_array_size(causes), 2);
  json_decref(causes);
  json_decref(obj);
}

static void init_containers_may_not_probe_unless_they_are_sidecars(void **state) {
  (void)state;
  const char *probe = "{'exec':{'command':['true']}}";
  json_t *obj = example("Pod");
  put(obj, "spec.initContainers",
      js("[{'name':'i','image':'b','lifecycle':{},'livenessProbe':{'exec':{'command':['true']}},"
         "'readinessProbe':{'exec':{'command':['true']}},'startupProbe':{'exec':{'command':"
         "['true']}}}]"));
  json_t *causes = run("Pod", obj, NULL);
  expect_message(causes, "spec.initContainers[0].livenessProbe", "FieldValueForbidden",
                 "Forbidden: may not be set for init containers without restartPolicy=Always");
  expect(causes, "spec.initContainers[0].lifecycle", "FieldValueForbidden");
  expect(causes, "spec.initContainers[0].readinessProbe", "FieldValueForbidden");
  expect(causes, "spec.initContainers[0].startupProbe", "FieldValueForbidden");
  assert_int_equal(json_array_size(causes), 4);
  json_decref(causes);
  /* A sidecar may: its probes are checked like an app container's. */
  put(obj, "spec.initContainers.0.restartPolicy", js("'Always'"));
  put(obj, "spec.initContainers.0.livenessProbe", js(probe));
  causes = run("Pod", obj, NULL);
  expect_none(causes);
  json_decref(causes);
  json_decref(obj);
}

static void container_restart_policy_is_always_and_for_init_containers_only(void **state) {
  (void)state;
  json_t *obj = example("Pod");
  put(obj, "spec.initContainers", js("[{'name':'i','image':'b','restartPolicy':'OnFailure'}]"));
  put(obj, "spec.containers.0.restartPolicy", js("'Always'"));
  json_t *causes = run("Pod", obj, NULL);
  expect_message(causes, "spec.initContainers[0].restartPolicy", "FieldValueNotSupported",
                 "Unsupported value: \"OnFailure\": supported values: \"Always\"");
  expect_message(causes, "spec.containers[0].restartPolicy", "FieldValueForbidden",
                 "Forbidden: may not be set for non-init containers");
  assert_int_equal(json_array_size(causes), 2);
  json_decref(causes);
  json_decref(obj);
}

/* ---- Pod: spec fields ---- */

static void restart_policy_must_be_always_on_failure_or_never(void **state) {
  (void)state;
  edit_yields_message(
      "Pod", "spec.restartPolicy", "'Sometimes'", "spec.restartPolicy", "FieldValueNotSupported",
      "Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"");
}

static void termination_grace_period_must_not_be_negative(void **state) {
  (void)state;
  edit_yields_message("Pod", "spec.terminationGracePeriodSeconds", "-1",
                      "spec.terminationGracePeriodSeconds", "FieldValueInvalid",
                      "Invalid value: -1: must be greater than or equal to 0");
  edit_yields("Pod", "spec.terminationGracePeriodSeconds", "1.5",
              "spec.terminationGracePeriodSeconds", "FieldValueInvalid");
  edit_yields("Pod", "spec.activeDeadlineSeconds", "0", "spec.activeDeadlineSeconds",
              "FieldValueInvalid");
}

static void node_selector_needs_valid_labels(void **state) {
  (void)state;
  edit_yields("Pod", "spec.nodeSelector", "{'disk type':'ssd'}", "spec.nodeSelector",
              "FieldValueInvalid");
  edit_yields("Pod", "spec.nodeSelector", "{'disk':true}", "spec.nodeSelector[disk]",
              "FieldValueInvalid");
}

static void tolerations_need_known_operators_and_effects(void **state) {
  (void)state;
  edit_yields("Pod", "spec.tolerations.0.operator", "'In'", "spec.tolerations[0].operator",
              "FieldValueNotSupported");
  edit_yields("Pod", "spec.tolerations.0.effect", "'NoRun'", "spec.tolerations[0].effect",
              "FieldValueNotSupported");
  edit_yields("Pod", "spec.tolerations.0", "{'operator':'Exists','value':'x'}",
              "spec.tolerations[0].operator", "FieldValueInvalid");
  edit_yields("Pod", "spec.tolerations.0", "{'value':'x'}", "spec.tolerations[0].operator",
              "FieldValueInvalid");
  edit_yields("Pod", "spec.tolerations.0", "{'key':'a','tolerationSeconds':30}",
              "spec.tolerations[0].effect", "FieldValueInvalid");
  edit_yields("Pod", "spec.tolerations.0.key", "'bad key'", "spec.tolerations[0].key",
              "FieldValueInvalid");
  json_t *causes =
      edited("Pod", "spec.tolerations",
             js("[{'operator':'Exists'},{'key':'a','operator':'Exists',"
                "'effect':'NoExecute','tolerationSeconds':30},{'key':'b','effect':''}]"));
  expect_none(causes);
  json_decref(causes);
}

static void priority_is_an_int32_and_its_class_a_subdomain(void **state) {
  (void)state;
  edit_yields("Pod", "spec.priority", "'high'", "spec.priority", "FieldValueInvalid");
  edit_yields("Pod", "spec.priority", "3000000000", "spec.priority", "FieldValueInvalid");
  edit_yields("Pod", "spec.priorityClassName", "'High'", "spec.priorityClassName",
              "FieldValueInvalid");
  edit_yields("Pod", "spec.nodeName", "'node_1'", "spec.nodeName", "FieldValueInvalid");
}

/* ---- Pod: defaults ---- */

static void pod_defaults_fill_what_kubernetes_fills(void **state) {
  (void)state;
  json_t *pod = defaulted("Pod", NULL, NULL);
  expect_str_at(pod, "spec.restartPolicy", "Always");
  expect_int_at(pod, "spec.terminationGracePeriodSeconds", 30);
  expect_str_at(pod, "spec.dnsPolicy", "ClusterFirst");
  expect_str_at(pod, "spec.schedulerName", "default-scheduler");
  expect_str_at(pod, "spec.containers.0.imagePullPolicy", "IfNotPresent");
  expect_str_at(pod, "spec.containers.0.terminationMessagePath", "/dev/termination-log");
  expect_str_at(pod, "spec.containers.0.terminationMessagePolicy", "File");
  expect_str_at(pod, "spec.containers.0.ports.0.protocol", "TCP");
  expect_int_at(pod, "spec.containers.0.livenessProbe.timeoutSeconds", 1);
  expect_int_at(pod, "spec.containers.0.livenessProbe.successThreshold", 1);
  expect_int_at(pod, "spec.containers.0.livenessProbe.failureThreshold", 3);
  expect_int_at(pod, "spec.containers.0.readinessProbe.periodSeconds", 10);
  expect_str_at(pod, "spec.containers.0.livenessProbe.httpGet.scheme", "HTTP");
  assert_null(get(pod, "status"));
  json_decref(pod);
  pod = defaulted("Pod", "spec.containers.0.livenessProbe.httpGet.path", NULL);
  expect_str_at(pod, "spec.containers.0.livenessProbe.httpGet.path", "/");
  json_decref(pod);
}

static void pod_defaults_keep_values_already_set(void **state) {
  (void)state;
  json_t *pod = example("Pod");
  put(pod, "spec.restartPolicy", json_string("Never"));
  put(pod, "spec.terminationGracePeriodSeconds", json_integer(5));
  put(pod, "spec.dnsPolicy", json_string("Default"));
  put(pod, "spec.schedulerName", json_string("batch"));
  put(pod, "spec.containers.0.imagePullPolicy", json_string("Never"));
  put(pod, "spec.containers.0.ports.0.protocol", json_string("UDP"));
  put(pod, "spec.containers.0.terminationMessagePolicy", json_string("FallbackToLogsOnError"));
  api_default_pod(pod);
  expect_str_at(pod, "spec.restartPolicy", "Never");
  expect_int_at(pod, "spec.terminationGracePeriodSeconds", 5);
  expect_str_at(pod, "spec.dnsPolicy", "Default");
  expect_str_at(pod, "spec.schedulerName", "batch");
  expect_str_at(pod, "spec.containers.0.imagePullPolicy", "Never");
  expect_str_at(pod, "spec.containers.0.ports.0.protocol", "UDP");
  expect_str_at(pod, "spec.containers.0.terminationMessagePolicy", "FallbackToLogsOnError");
  expect_int_at(pod, "spec.containers.0.livenessProbe.periodSeconds", 5);
  expect_str_at(pod, "spec.containers.0.livenessProbe.httpGet.path", "/healthz");
  json_decref(pod);
}

static void image_pull_policy_is_always_for_latest_or_untagged_images(void **state) {
  (void)state;
  static const struct {
    const char *image, *policy;
  } cases[] = {
      {"busybox", "Always"},
      {"busybox:latest", "Always"},
      {"localhost:5000/busybox", "Always"},
      {"localhost:5000/busybox:1.36", "IfNotPresent"},
      {"busybox:1.36", "IfNotPresent"},
      {"busybox@sha256:0123456789abcdef", "IfNotPresent"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    json_t *pod = defaulted("Pod", "spec.containers.0.image", json_string(cases[i].image));
    json_t *v = get(pod, "spec.containers.0.imagePullPolicy");
    if (strcmp(json_string_value(v), cases[i].policy) != 0)
      fail_msg("%s: expected %s, got %s", cases[i].image, cases[i].policy, json_string_value(v));
    json_decref(pod);
  }
}

static void requests_default_to_limits_and_numbers_become_strings(void **state) {
  (void)state;
  json_t *pod = defaulted("Pod", "spec.containers.0.resources",
                          js("{'limits':{'cpu':1,'memory':'128Mi','example.com/gpu':'1'},"
                             "'requests':{'memory':'64Mi'}}"));
  expect_str_at(pod, "spec.containers.0.resources.requests.cpu", "1");
  expect_str_at(pod, "spec.containers.0.resources.limits.cpu", "1");
  expect_str_at(pod, "spec.containers.0.resources.requests.memory", "64Mi");
  expect_str_at(pod, "spec.containers.0.resources.requests[example.com/gpu]", "1");
  json_decref(pod);
  pod = defaulted("Pod", "spec.containers.0.resources", js("{'requests':{'cpu':0.5}}"));
  expect_str_at(pod, "spec.containers.0.resources.requests.cpu", "0.5");
  assert_null(get(pod, "spec.containers.0.resources.limits"));
  json_decref(pod);
}

/* Kubernetes defaults requests from limits on Pods only: a template keeps
 * what kubectl set (`set resources --limits`), its pods get the default. */
static void templates_keep_limits_without_requests(void **state) {
  (void)state;
  const char *kinds[] = {"Deployment", "ReplicaSet", "Job"};
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
    json_t *obj = defaulted(kinds[i], "spec.template.spec.containers.0.resources",
                            js("{'limits':{'cpu':'200m'}}"));
    expect_str_at(obj, "spec.template.spec.containers.0.resources.limits.cpu", "200m");
    if (get(obj, "spec.template.spec.containers.0.resources.requests"))
      fail_msg("%s: requests defaulted on a template", kinds[i]);
    json_decref(obj);
  }
}

/* ---- Pod: updates ---- */

static void pod_update_may_change_container_images(void **state) {
  (void)state;
  json_t *causes = updated("Pod", "spec.containers.0.image", json_string("busybox:1.37"));
  expect_none(causes);
  json_decref(causes);
}

static void pod_update_may_not_change_other_spec_fields(void **state) {
  (void)state;
  json_t *causes = updated("Pod", "spec.containers.0.command", js("['sh']"));
  const char *msg = expect(causes, "spec", "FieldValueForbidden");
  assert_non_null(strstr(msg, "Forbidden: pod updates may not change fields other than "));
  json_decref(causes);
  causes = updated("Pod", "spec.restartPolicy", json_string("Never"));
  expect_only(causes, "spec", "FieldValueForbidden");
  json_decref(causes);
}

static void pod_update_may_add_tolerations_but_not_remove_them(void **state) {
  (void)state;
  json_t *causes = updated("Pod", "spec.tolerations.1", js("{'operator':'Exists'}"));
  expect_none(causes);
  json_decref(causes);
  causes = updated("Pod", "spec.tolerations", js("[]"));
  expect_only(causes, "spec.tolerations", "FieldValueForbidden");
  json_decref(causes);
}

static void pod_update_may_set_node_name_once(void **state) {
  (void)state;
  json_t *causes = updated("Pod", "spec.nodeName", json_string("node-1"));
  expect_none(causes);
  json_decref(causes);
  json_t *old = defaulted("Pod", "spec.nodeName", json_string("node-1"));
  json_t *obj = json_deep_copy(old);
  put(obj, "spec.nodeName", json_string("node-2"));
  causes = run("Pod", obj, old);
  expect_only(causes, "spec.nodeName", "FieldValueForbidden");
  json_decref(causes);
  put(obj, "spec.nodeName", NULL);
  causes = run("Pod", obj, old);
  expect_only(causes, "spec.nodeName", "FieldValueForbidden");
  json_decref(causes);
  json_decref(obj);
  json_decref(old);
}

static void pod_update_may_only_shorten_active_deadline(void **state) {
  (void)state;
  json_t *old = defaulted("Pod", "spec.activeDeadlineSeconds", json_integer(100));
  json_t *obj = json_deep_copy(old);
  put(obj, "spec.activeDeadlineSeconds", json_integer(50));
  json_t *causes = run("Pod", obj, old);
  expect_none(causes);
  json_decref(causes);
  put(obj, "spec.activeDeadlineSeconds", json_integer(200));
  causes = run("Pod", obj, old);
  expect_only(causes, "spec.activeDeadlineSeconds", "FieldValueInvalid");
  json_decref(causes);
  put(obj, "spec.activeDeadlineSeconds", NULL);
  causes = run("Pod", obj, old);
  expect_only(causes, "spec.activeDeadlineSeconds", "FieldValueInvalid");
  json_decref(causes);
  json_decref(obj);
  json_decref(old);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(pod_requires_at_least_one_container),
      cmocka_unit_test(container_names_are_unique_across_containers_and_init_containers),
      cmocka_unit_test(init_containers_may_not_probe_unless_they_are_sidecars),
      cmocka_unit_test(container_restart_policy_is_always_and_for_init_containers_only),
      cmocka_unit_test(restart_policy_must_be_always_on_failure_or_never),
      cmocka_unit_test(termination_grace_period_must_not_be_negative),
      cmocka_unit_test(node_selector_needs_valid_labels),
      cmocka_unit_test(tolerations_need_known_operators_and_effects),
      cmocka_unit_test(priority_is_an_int32_and_its_class_a_subdomain),
      cmocka_unit_test(pod_defaults_fill_what_kubernetes_fills),
      cmocka_unit_test(pod_defaults_keep_values_already_set),
      cmocka_unit_test(image_pull_policy_is_always_for_latest_or_untagged_images),
      cmocka_unit_test(requests_default_to_limits_and_numbers_become_strings),
      cmocka_unit_test(templates_keep_limits_without_requests),
      cmocka_unit_test(pod_update_may_change_container_images),
      cmocka_unit_test(pod_update_may_not_change_other_spec_fields),
      cmocka_unit_test(pod_update_may_add_tolerations_but_not_remove_them),
      cmocka_unit_test(pod_update_may_set_node_name_once),
      cmocka_unit_test(pod_update_may_only_shorten_active_deadline),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
