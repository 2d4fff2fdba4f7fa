/* Unit tests for defaulting and validation: one container of a pod spec: name, image, command, env,
 * ports, resources and probes (apiserver/validation-container.c). */
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

static void container_name_is_required_and_a_dns_label(void **state) {
  (void)state;
  edit_yields("Pod", "spec.containers.0.name", NULL, "spec.containers[0].name",
              "FieldValueRequired");
  edit_yields("Pod", "spec.containers.0.name", "'Web'", "spec.containers[0].name",
              "FieldValueInvalid");
}

static void container_image_is_required_without_surrounding_spaces(void **state) {
  (void)state;
  edit_yields_message("Pod", "spec.containers.0.image", NULL, "spec.containers[0].image",
                      "FieldValueRequired", "Required value");
  edit_yields("Pod", "spec.containers.0.image", "''", "spec.containers[0].image",
              "FieldValueRequired");
  edit_yields("Pod", "spec.containers.0.image", "' busybox'", "spec.containers[0].image",
              "FieldValueInvalid");
}

static void container_command_and_args_are_lists_of_strings(void **state) {
  (void)state;
  edit_yields("Pod", "spec.containers.0.command", "'httpd -f'", "spec.containers[0].command",
              "FieldValueInvalid");
  edit_yields("Pod", "spec.containers.0.args", "['-p',8080]", "spec.containers[0].args[1]",
              "FieldValueInvalid");
}

static void env_names_are_checked_and_values_are_strings(void **state) {
  (void)state;
  edit_yields("Pod", "spec.containers.0.env.0.name", "'1MODE'", "spec.containers[0].env[0].name",
              "FieldValueInvalid");
  edit_yields("Pod", "spec.containers.0.env.0.name", "'MY MODE'", "spec.containers[0].env[0].name",
              "FieldValueInvalid");
  edit_yields("Pod", "spec.containers.0.env.0.name", NULL, "spec.containers[0].env[0].name",
              "FieldValueRequired");
  edit_yields("Pod", "spec.containers.0.env.0.value", "1", "spec.containers[0].env[0].value",
              "FieldValueInvalid");
  edit_yields("Pod", "spec.containers.0.env.0.valueFrom", "{'fieldRef':{}}",
              "spec.containers[0].env[0].valueFrom", "FieldValueInvalid");
  json_t *causes = edited("Pod", "spec.containers.0.env.0.name", js("'my.env-name_1'"));
  expect_none(causes);
  json_decref(causes);
}

static void container_ports_are_in_range_with_known_protocols(void **state) {
  (void)state;
  edit_yields_message("Pod", "spec.containers.0.ports.0.containerPort", "70000",
                      "spec.containers[0].ports[0].containerPort", "FieldValueInvalid",
                      "Invalid value: 70000: must be between 1 and 65535, inclusive");
  edit_yields("Pod", "spec.containers.0.ports.0.containerPort", "0",
              "spec.containers[0].ports[0].containerPort", "FieldValueInvalid");
  edit_yields("Pod", "spec.containers.0.ports.0.containerPort", NULL,
              "spec.containers[0].ports[0].containerPort", "FieldValueRequired");
  edit_yields("Pod", "spec.containers.0.ports.0.containerPort", "'8080'",
              "spec.containers[0].ports[0].containerPort", "FieldValueInvalid");
  edit_yields("Pod", "spec.containers.0.ports.0.hostPort", "-1",
              "spec.containers[0].ports[0].hostPort", "FieldValueInvalid");
  edit_yields_message("Pod", "spec.containers.0.ports.0.protocol", "'HTTP'",
                      "spec.containers[0].ports[0].protocol", "FieldValueNotSupported",
                      "Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\"");
}

static void container_port_names_are_short_iana_names_and_unique(void **state) {
  (void)state;
  edit_yields_message("Pod", "spec.containers.0.ports.0.name", "'http-frontend-01'",
                      "spec.containers[0].ports[0].name", "FieldValueInvalid",
                      "Invalid value: \"http-frontend-01\": must be no more than 15 characters");
  json_t *fifteen = edited("Pod", "spec.containers.0.ports.0.name", js("'http-frontend-1'"));
  expect_none(fifteen);
  json_decref(fifteen);
  edit_yields("Pod", "spec.containers.0.ports.0.name", "'8080'", "spec.containers[0].ports[0].name",
              "FieldValueInvalid");
  edit_yields("Pod", "spec.containers.0.ports.0.name", "'a--b'", "spec.containers[0].ports[0].name",
              "FieldValueInvalid");
  edit_yields("Pod", "spec.containers.0.ports.0.name", "'HTTP'", "spec.containers[0].ports[0].name",
              "FieldValueInvalid");
  json_t *obj = example("Pod");
  json_array_append_new(get(obj, "spec.containers.0.ports"),
                        js("{'name':'http','containerPort':8081}"));
  json_t *causes = run("Pod", obj, NULL);
  expect_only(causes, "spec.containers[0].ports[1].name", "FieldValueDuplicate");
  json_decref(causes);
  json_decref(obj);
}

/* ---- Pod: resources ---- */

static void resources_accept_standard_and_domain_prefixed_names_only(void **state) {
  (void)state;
  edit_yields_message("Pod", "spec.containers.0.resources.requests", "{'gpu':'1'}",
                      "spec.containers[0].resources.requests[gpu]", "FieldValueInvalid",
                      "Invalid value: \"gpu\": must be a standard resource for containers");
  json_t *causes = edited("Pod", "spec.containers.0.resources",
                          js("{'limits':{'example.com/gpu':'1','ephemeral-storage':'1Gi',"
                             "'hugepages-2Mi':'4Mi','pods':'1'}}"));
  expect_none(causes);
  json_decref(causes);
}

static void resource_quantities_must_be_valid_and_not_negative(void **state) {
  (void)state;
  edit_yields("Pod", "spec.containers.0.resources.requests.cpu", "'lots'",
              "spec.containers[0].resources.requests[cpu]", "FieldValueInvalid");
  edit_yields("Pod", "spec.containers.0.resources.requests.memory", "'64MB'",
              "spec.containers[0].resources.requests[memory]", "FieldValueInvalid");
  edit_yields_message("Pod", "spec.containers.0.resources.requests.cpu", "'-1'",
                      "spec.containers[0].resources.requests[cpu]", "FieldValueInvalid",
                      "Invalid value: \"-1\": must be greater than or equal to 0");
  edit_yields("Pod", "spec.containers.0.resources.requests.cpu", "true",
              "spec.containers[0].resources.requests[cpu]", "FieldValueInvalid");
  json_t *causes = edited("Pod", "spec.containers.0.resources.requests.cpu", js("0.25"));
  expect_none(causes);
  json_decref(causes);
}

static void request_above_its_limit_is_invalid(void **state) {
  (void)state;
  edit_yields_message("Pod", "spec.containers.0.resources.requests.cpu", "'600m'",
                      "spec.containers[0].resources.requests[cpu]", "FieldValueInvalid",
                      "Invalid value: \"600m\": must be less than or equal to cpu limit of 500m");
  edit_yields("Pod", "spec.containers.0.resources.requests.memory", "'1Gi'",
              "spec.containers[0].resources.requests[memory]", "FieldValueInvalid");
  json_t *causes = edited("Pod", "spec.containers.0.resources.requests.cpu", js("'0.5'"));
  expect_none(causes);
  json_decref(causes);
}

/* ---- Pod: probes ---- */

static void probe_needs_exactly_one_handler(void **state) {
  (void)state;
  edit_yields_message("Pod", "spec.containers.0.livenessProbe", "{'periodSeconds':5}",
                      "spec.containers[0].livenessProbe", "FieldValueRequired",
                      "Required value: must specify a handler type");
  edit_yields("Pod", "spec.containers.0.readinessProbe.exec", "{'command':['true']}",
              "spec.containers[0].readinessProbe.tcpSocket", "FieldValueForbidden");
}

static void http_get_probe_needs_a_port_and_an_absolute_path(void **state) {
  (void)state;
  edit_yields("Pod", "spec.containers.0.livenessProbe.httpGet.port", NULL,
              "spec.containers[0].livenessProbe.httpGet.port", "FieldValueRequired");
  edit_yields("Pod", "spec.containers.0.livenessProbe.httpGet.port", "0",
              "spec.containers[0].livenessProbe.httpGet.port", "FieldValueInvalid");
  edit_yields("Pod", "spec.containers.0.livenessProbe.httpGet.port", "'no_such port'",
              "spec.containers[0].livenessProbe.httpGet.port", "FieldValueInvalid");
  edit_yields("Pod", "spec.containers.0.livenessProbe.httpGet.path", "'healthz'",
              "spec.containers[0].livenessProbe.httpGet.path", "FieldValueInvalid");
  edit_yields("Pod", "spec.containers.0.livenessProbe.httpGet.scheme", "'FTP'",
              "spec.containers[0].livenessProbe.httpGet.scheme", "FieldValueNotSupported");
  edit_yields("Pod", "spec.containers.0.readinessProbe.tcpSocket.port", "65536",
              "spec.containers[0].readinessProbe.tcpSocket.port", "FieldValueInvalid");
}

static void exec_probe_needs_a_command(void **state) {
  (void)state;
  edit_yields("Pod", "spec.containers.0.startupProbe.exec.command", "[]",
              "spec.containers[0].startupProbe.exec.command", "FieldValueRequired");
  edit_yields("Pod", "spec.containers.0.startupProbe.exec", "{}",
              "spec.containers[0].startupProbe.exec.command", "FieldValueRequired");
}

static void probe_timings_have_minimums(void **state) {
  (void)state;
  static const struct {
    const char *key;
    const char *bad;
  } cases[] = {{"initialDelaySeconds", "-1"},
               {"periodSeconds", "0"},
               {"timeoutSeconds", "0"},
               {"failureThreshold", "0"},
               {"successThreshold", "0"}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char path[128], field[128];
    snprintf(path, sizeof path, "spec.containers.0.readinessProbe.%s", cases[i].key);
    snprintf(field, sizeof field, "spec.containers[0].readinessProbe.%s", cases[i].key);
    edit_yields("Pod", path, cases[i].bad, field, "FieldValueInvalid");
  }
}

static void liveness_and_startup_probes_succeed_once(void **state) {
  (void)state;
  edit_yields_message("Pod", "spec.containers.0.livenessProbe.successThreshold", "2",
                      "spec.containers[0].livenessProbe.successThreshold", "FieldValueInvalid",
                      "Invalid value: 2: must be 1");
  edit_yields("Pod", "spec.containers.0.startupProbe.successThreshold", "3",
              "spec.containers[0].startupProbe.successThreshold", "FieldValueInvalid");
  json_t *causes = edited("Pod", "spec.containers.0.readinessProbe.successThreshold", js("3"));
  expect_none(causes);
  json_decref(causes);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(container_name_is_required_and_a_dns_label),
      cmocka_unit_test(container_image_is_required_without_surrounding_spaces),
      cmocka_unit_test(container_command_and_args_are_lists_of_strings),
      cmocka_unit_test(env_names_are_checked_and_values_are_strings),
      cmocka_unit_test(container_ports_are_in_range_with_known_protocols),
      cmocka_unit_test(container_port_names_are_short_iana_names_and_unique),
      cmocka_unit_test(resources_accept_standard_and_domain_prefixed_names_only),
      cmocka_unit_test(resource_quantities_must_be_valid_and_not_negative),
      cmocka_unit_test(request_above_its_limit_is_invalid),
      cmocka_unit_test(probe_needs_exactly_one_handler),
      cmocka_unit_test(http_get_probe_needs_a_port_and_an_absolute_path),
      cmocka_unit_test(exec_probe_needs_a_command),
      cmocka_unit_test(probe_timings_have_minimums),
      cmocka_unit_test(liveness_and_startup_probes_succeed_once),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
