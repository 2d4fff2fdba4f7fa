/* Unit tests for defaulting and validation: Service and Endpoints (apiserver/validation-service.c).
 */
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

/* ---- Service ---- */

static void service_requires_ports(void **state) {
  (void)state;
  edit_yields("Service", "spec.ports", "[]", "spec.ports", "FieldValueRequired");
  edit_yields("Service", "spec", NULL, "spec.ports", "FieldValueRequired");
}

static void service_type_is_cluster_ip_or_node_port(void **state) {
  (void)state;
  edit_yields_message("Service", "spec.type", "'LoadBalancer'", "spec.type",
                      "FieldValueNotSupported",
                      "Unsupported value: \"LoadBalancer\": supported values: \"ClusterIP\", "
                      "\"NodePort\"");
  edit_yields("Service", "spec.type", "'ExternalName'", "spec.type", "FieldValueNotSupported");
}

static void service_ports_are_in_range_named_and_unique(void **state) {
  (void)state;
  edit_yields("Service", "spec.ports.0.port", "0", "spec.ports[0].port", "FieldValueInvalid");
  edit_yields("Service", "spec.ports.0.port", NULL, "spec.ports[0].port", "FieldValueRequired");
  edit_yields("Service", "spec.ports.0.protocol", "'ICMP'", "spec.ports[0].protocol",
              "FieldValueNotSupported");
  edit_yields("Service", "spec.ports.1.name", NULL, "spec.ports[1].name", "FieldValueRequired");
  edit_yields_message("Service", "spec.ports.1.name", "'http'", "spec.ports[1].name",
                      "FieldValueDuplicate", "Duplicate value: \"http\"");
  edit_yields("Service", "spec.ports.1.port", "80", "spec.ports[1]", "FieldValueDuplicate");
  edit_yields("Service", "spec.ports.0.targetPort", "70000", "spec.ports[0].targetPort",
              "FieldValueInvalid");
  edit_yields("Service", "spec.ports.0.targetPort", "'not a name'", "spec.ports[0].targetPort",
              "FieldValueInvalid");
  edit_yields("Service", "spec.ports.0.targetPort", "true", "spec.ports[0].targetPort",
              "FieldValueInvalid");
  json_t *causes = edited("Service", "spec.ports", js("[{'port':80}]"));
  expect_none(causes);
  json_decref(causes);
}

static void node_ports_are_in_range_and_only_for_node_port_services(void **state) {
  (void)state;
  edit_yields("Service", "spec.ports.0.nodePort", "30080", "spec.ports[0].nodePort",
              "FieldValueForbidden");
  json_t *obj = example("Service");
  put(obj, "spec.type", json_string("NodePort"));
  put(obj, "spec.ports.0.nodePort", json_integer(8080));
  json_t *causes = run("Service", obj, NULL);
  expect_message(causes, "spec.ports[0].nodePort", "FieldValueInvalid",
                 "Invalid value: 8080: provided port is not in the valid range. The range of "
                 "valid ports is 30000-32767");
  assert_int_equal(json_array_size(causes), 1);
  json_decref(causes);
  put(obj, "spec.ports.0.nodePort", json_integer(30080));
  causes = run("Service", obj, NULL);
  expect_none(causes);
  json_decref(causes);
  /* Two ports share a node port only with different protocols. */
  put(obj, "spec.ports.1.nodePort", json_integer(30080));
  causes = run("Service", obj, NULL);
  expect_message(causes, "spec.ports[1].nodePort", "FieldValueDuplicate", "Duplicate value: 30080");
  json_decref(causes);
  put(obj, "spec.ports.1.protocol", json_string("UDP"));
  causes = run("Service", obj, NULL);
  expect_none(causes);
  json_decref(causes);
  json_decref(obj);
}

static void service_selector_and_cluster_ip_are_checked(void **state) {
  (void)state;
  edit_yields("Service", "spec.selector", "{'app':'web!'}", "spec.selector", "FieldValueInvalid");
  edit_yields("Service", "spec.clusterIP", "'198.19.0.300'", "spec.clusterIP", "FieldValueInvalid");
  edit_yields("Service", "spec.clusterIP", "'fd00::1'", "spec.clusterIP", "FieldValueInvalid");
  edit_yields("Service", "spec.sessionAffinity", "'Cookie'", "spec.sessionAffinity",
              "FieldValueNotSupported");
  json_t *causes = edited("Service", "spec.clusterIP", js("'None'"));
  expect_none(causes);
  json_decref(causes);
  causes = edited("Service", "spec.clusterIP", js("'198.19.0.10'"));
  expect_none(causes);
  json_decref(causes);
}

static void service_defaults_type_affinity_protocol_and_target_port(void **state) {
  (void)state;
  json_t *svc = defaulted("Service", NULL, NULL);
  expect_str_at(svc, "spec.type", "ClusterIP");
  expect_str_at(svc, "spec.sessionAffinity", "None");
  expect_str_at(svc, "spec.ports.0.protocol", "TCP");
  expect_str_at(svc, "spec.ports.0.targetPort", "http");
  expect_int_at(svc, "spec.ports.1.targetPort", 9090);
  json_decref(svc);
}

static void service_cluster_ip_is_immutable_once_set(void **state) {
  (void)state;
  json_t *causes = updated("Service", "spec.clusterIP", json_string("198.19.0.10"));
  expect_none(causes);
  json_decref(causes);
  json_t *old = defaulted("Service", "spec.clusterIP", json_string("198.19.0.10"));
  json_t *obj = json_deep_copy(old);
  put(obj, "spec.clusterIP", json_string("198.19.0.11"));
  causes = run("Service", obj, old);
  expect_only(causes, "spec.clusterIP", "FieldValueInvalid");
  json_decref(causes);
  json_decref(obj);
  json_decref(old);
}

/* ---- Endpoints ---- */

static void endpoints_addresses_are_ipv4_and_ports_valid(void **state) {
  (void)state;
  edit_yields("Endpoints", "subsets.0.addresses.0.ip", "'198.18.1'", "subsets[0].addresses[0].ip",
              "FieldValueInvalid");
  edit_yields("Endpoints", "subsets.0.addresses.0.ip", NULL, "subsets[0].addresses[0].ip",
              "FieldValueRequired");
  edit_yields("Endpoints", "subsets.0.notReadyAddresses.0", "{'ip':'x'}",
              "subsets[0].notReadyAddresses[0].ip", "FieldValueInvalid");
  edit_yields("Endpoints", "subsets.0.ports.0.port", "0", "subsets[0].ports[0].port",
              "FieldValueInvalid");
  edit_yields("Endpoints", "subsets.0.ports.0.protocol", "'tcp'", "subsets[0].ports[0].protocol",
              "FieldValueNotSupported");
  json_t *ep = defaulted("Endpoints", NULL, NULL);
  expect_str_at(ep, "subsets.0.ports.0.protocol", "TCP");
  json_decref(ep);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(service_requires_ports),
      cmocka_unit_test(service_type_is_cluster_ip_or_node_port),
      cmocka_unit_test(service_ports_are_in_range_named_and_unique),
      cmocka_unit_test(node_ports_are_in_range_and_only_for_node_port_services),
      cmocka_unit_test(service_selector_and_cluster_ip_are_checked),
      cmocka_unit_test(service_defaults_type_affinity_protocol_and_target_port),
      cmocka_unit_test(service_cluster_ip_is_immutable_once_set),
      cmocka_unit_test(endpoints_addresses_are_ipv4_and_ports_valid),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
