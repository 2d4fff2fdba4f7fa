/* Unit tests for defaulting and validation: Namespace, Node, Event and Lease
 * (apiserver/validation-cluster.c). */
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

/* ---- Namespace and Node ---- */

static void namespace_is_labelled_with_its_name(void **state) {
  (void)state;
  json_t *ns = defaulted("Namespace", NULL, NULL);
  expect_str_at(ns, "metadata.labels[kubernetes.io/metadata.name]", "team-a");
  expect_str_at(ns, "metadata.labels.team", "a");
  json_decref(ns);
  edit_yields("Namespace", "spec.finalizers", "['bad finalizer']", "spec.finalizers[0]",
              "FieldValueInvalid");
}

static void node_pod_cidr_and_taints_are_checked(void **state) {
  (void)state;
  edit_yields("Node", "spec.podCIDR", "'198.18.1.0'", "spec.podCIDR", "FieldValueInvalid");
  edit_yields("Node", "spec.podCIDR", "'198.18.1.0/33'", "spec.podCIDR", "FieldValueInvalid");
  edit_yields("Node", "spec.podCIDRs.0", "'x'", "spec.podCIDRs[0]", "FieldValueInvalid");
  edit_yields("Node", "spec.taints.0.effect", NULL, "spec.taints[0].effect", "FieldValueRequired");
  edit_yields("Node", "spec.taints.0.effect", "'NoRun'", "spec.taints[0].effect",
              "FieldValueNotSupported");
  edit_yields("Node", "spec.taints.0.key", "'bad key'", "spec.taints[0].key", "FieldValueInvalid");
  edit_yields("Node", "spec.taints.1", "{'key':'dedicated','value':'x','effect':'NoSchedule'}",
              "spec.taints[1]", "FieldValueDuplicate");
  edit_yields("Node", "spec.unschedulable", "'yes'", "spec.unschedulable", "FieldValueInvalid");
}

static void node_pod_cidr_is_set_once(void **state) {
  (void)state;
  json_t *causes = updated("Node", "spec.podCIDR", json_string("198.18.2.0/24"));
  expect_only(causes, "spec.podCIDR", "FieldValueForbidden");
  json_decref(causes);
  json_t *old = defaulted("Node", "spec.podCIDR", NULL);
  json_t *obj = defaulted("Node", NULL, NULL);
  causes = run("Node", obj, old);
  expect_none(causes);
  json_decref(causes);
  json_decref(obj);
  json_decref(old);
}

static void node_allocatable_defaults_to_capacity(void **state) {
  (void)state;
  json_t *node = defaulted("Node", NULL, NULL);
  expect_str_at(node, "status.allocatable.cpu", "4");
  json_decref(node);
  node = defaulted("Node", "status.allocatable", js("{'cpu':'3'}"));
  expect_str_at(node, "status.allocatable.cpu", "3");
  json_decref(node);
}

/* ---- Event ---- */

static void event_needs_an_involved_object_with_kind_and_name(void **state) {
  (void)state;
  edit_yields("Event", "involvedObject", NULL, "involvedObject", "FieldValueRequired");
  edit_yields("Event", "involvedObject.kind", NULL, "involvedObject.kind", "FieldValueRequired");
  edit_yields("Event", "involvedObject.name", "''", "involvedObject.name", "FieldValueRequired");
  edit_yields("Event", "involvedObject.namespace", "'other'", "involvedObject.namespace",
              "FieldValueInvalid");
  edit_yields("Event", "reason", "42", "reason", "FieldValueInvalid");
  edit_yields("Event", "message", "['a']", "message", "FieldValueInvalid");
  edit_yields("Event", "lastTimestamp", "'yesterday'", "lastTimestamp", "FieldValueInvalid");
}

/* ---- PriorityClass and Lease ---- */

static void lease_durations_are_positive_and_times_rfc3339(void **state) {
  (void)state;
  edit_yields("Lease", "spec.leaseDurationSeconds", "0", "spec.leaseDurationSeconds",
              "FieldValueInvalid");
  edit_yields("Lease", "spec.leaseTransitions", "-1", "spec.leaseTransitions", "FieldValueInvalid");
  edit_yields("Lease", "spec.holderIdentity", "7", "spec.holderIdentity", "FieldValueInvalid");
  static const char *const bad_times[] = {"'2024-05-01 10:00:00Z'", "'2024-13-01T10:00:00Z'",
                                          "'2024-05-01T10:00:00'",  "'2024-05-01T10:00:00.Z'",
                                          "'2024-05-01T25:00:00Z'", "'now'"};
  for (size_t i = 0; i < sizeof bad_times / sizeof bad_times[0]; i++)
    edit_yields("Lease", "spec.renewTime", bad_times[i], "spec.renewTime", "FieldValueInvalid");
  json_t *causes = edited("Lease", "spec.acquireTime", js("'2024-05-01T10:00:00Z'"));
  expect_none(causes);
  json_decref(causes);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(namespace_is_labelled_with_its_name),
      cmocka_unit_test(node_pod_cidr_and_taints_are_checked),
      cmocka_unit_test(node_pod_cidr_is_set_once),
      cmocka_unit_test(node_allocatable_defaults_to_capacity),
      cmocka_unit_test(event_needs_an_involved_object_with_kind_and_name),
      cmocka_unit_test(lease_durations_are_positive_and_times_rfc3339),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
