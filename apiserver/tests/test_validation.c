/* Unit tests for defaulting and validation: every kind at once (valid examples, unchanged updates,
 * idempotent defaults), names and metadata, and robustness against any JSON (apiserver/validation.c
 * and all validators). */
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

/* ---- every kind ---- */

static void valid_example_of_every_kind_has_no_causes(void **state) {
  (void)state;
  for (size_t i = 0; i < NKINDS; i++) {
    json_t *obj = example(kinds[i].kind);
    json_t *causes = run(kinds[i].kind, obj, NULL);
    if (json_array_size(causes))
      fail_with(causes, kinds[i].kind, "example", "has causes");
    json_decref(causes);
    json_decref(obj);
  }
}

static void unchanged_update_of_every_kind_has_no_causes(void **state) {
  (void)state;
  for (size_t i = 0; i < NKINDS; i++) {
    json_t *old = example(kinds[i].kind);
    kinds[i].defaults(old);
    json_t *obj = json_deep_copy(old);
    json_t *causes = run(kinds[i].kind, obj, old);
    if (json_array_size(causes))
      fail_with(causes, kinds[i].kind, "update", "has causes");
    json_decref(causes);
    json_decref(obj);
    json_decref(old);
  }
}

static void defaults_are_idempotent_for_every_kind(void **state) {
  (void)state;
  for (size_t i = 0; i < NKINDS; i++) {
    json_t *once = example(kinds[i].kind);
    kinds[i].defaults(once);
    json_t *twice = json_deep_copy(once);
    kinds[i].defaults(twice);
    if (!json_equal(once, twice))
      fail_msg("%s: defaulting twice changed the object", kinds[i].kind);
    json_decref(once);
    json_decref(twice);
  }
}

/* ---- names ---- */

static void dns1123_label_allows_lowercase_alphanumerics_and_inner_dashes(void **state) {
  (void)state;
  assert_true(api_dns1123_label("web"));
  assert_true(api_dns1123_label("123-abc"));
  assert_true(api_dns1123_label("a"));
  assert_false(api_dns1123_label(""));
  assert_false(api_dns1123_label(NULL));
  assert_false(api_dns1123_label("Web"));
  assert_false(api_dns1123_label("-web"));
  assert_false(api_dns1123_label("web-"));
  assert_false(api_dns1123_label("a.b"));
  char s[80];
  memset(s, 'a', 63);
  s[63] = '\0';
  assert_true(api_dns1123_label(s));
  strcat(s, "a");
  assert_false(api_dns1123_label(s));
}

static void dns1123_subdomain_allows_dotted_labels_up_to_253(void **state) {
  (void)state;
  assert_true(api_dns1123_subdomain("example.com"));
  assert_true(api_dns1123_subdomain("node-1.example.com"));
  assert_false(api_dns1123_subdomain("example..com"));
  assert_false(api_dns1123_subdomain(".example"));
  assert_false(api_dns1123_subdomain("example."));
  assert_false(api_dns1123_subdomain("Bad_Name"));
  assert_false(api_dns1123_subdomain("a.-b"));
  char s[300];
  memset(s, 'a', 253);
  s[253] = '\0';
  assert_true(api_dns1123_subdomain(s));
  strcat(s, "a");
  assert_false(api_dns1123_subdomain(s));
}

/* ---- metadata ---- */

static void metadata_requires_a_name_or_generate_name(void **state) {
  (void)state;
  edit_yields_message("Pod", "metadata.name", NULL, "metadata.name", "FieldValueRequired",
                      "Required value: name or generateName is required");
  edit_yields("Pod", "metadata", NULL, "metadata.name", "FieldValueRequired");
  json_t *obj = example("Pod");
  put(obj, "metadata.name", NULL);
  put(obj, "metadata.generateName", json_string("web-"));
  json_t *causes = run("Pod", obj, NULL);
  expect_none(causes);
  json_decref(causes);
  json_decref(obj);
}

static void metadata_generate_name_is_checked_as_a_prefix(void **state) {
  (void)state;
  edit_yields("Pod", "metadata.generateName", "'Web-'", "metadata.generateName",
              "FieldValueInvalid");
  edit_yields("Service", "metadata.generateName", "'a.b-'", "metadata.generateName",
              "FieldValueInvalid");
}

static void metadata_name_of_most_kinds_is_a_dns_subdomain(void **state) {
  (void)state;
  edit_yields_message(
      "Pod", "metadata.name", "'Bad_Name'", "metadata.name", "FieldValueInvalid",
      "Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case "
      "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric "
      "character (e.g. 'example.com', regex used for validation is "
      "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
  static const char *const subdomain_kinds[] = {"Node",  "Deployment", "Event",
                                                "Lease", "Job",        "PriorityClass"};
  for (size_t i = 0; i < sizeof subdomain_kinds / sizeof subdomain_kinds[0]; i++) {
    json_t *causes = edited(subdomain_kinds[i], "metadata.name", js("'a.b-c'"));
    expect_none(causes);
    json_decref(causes);
  }
}

static void metadata_name_of_namespaces_and_services_is_a_dns_label(void **state) {
  (void)state;
  edit_yields("Service", "metadata.name", "'web.v2'", "metadata.name", "FieldValueInvalid");
  json_t *obj = example("Namespace");
  put(obj, "metadata.name", json_string("team.a"));
  json_t *causes = run("Namespace", obj, NULL);
  expect(causes, "metadata.name", "FieldValueInvalid");
  json_decref(causes);
  json_decref(obj);
}

static void metadata_name_longer_than_the_limit_is_invalid(void **state) {
  (void)state;
  char name[300];
  memset(name, 'a', 254);
  name[254] = '\0';
  json_t *causes = edited("Pod", "metadata.name", json_string(name));
  /* The value is quoted cut short, the rule in full. */
  const char *msg = expect(causes, "metadata.name", "FieldValueInvalid");
  assert_non_null(strstr(msg, "...: must be no more than 253 characters"));
  assert_true(strlen(msg) < 200);
  json_decref(causes);
  name[64] = '\0';
  causes = edited("Service", "metadata.name", json_string(name));
  expect(causes, "metadata.name", "FieldValueInvalid");
  json_decref(causes);
}

static void metadata_namespace_is_forbidden_on_cluster_scoped_kinds(void **state) {
  (void)state;
  edit_yields("Node", "metadata.namespace", "'default'", "metadata.namespace",
              "FieldValueForbidden");
  edit_yields("Pod", "metadata.namespace", "'Team_A'", "metadata.namespace", "FieldValueInvalid");
}

static void metadata_labels_need_valid_keys_and_values(void **state) {
  (void)state;
  edit_yields("Pod", "metadata.labels", "{'bad key':'x'}", "metadata.labels", "FieldValueInvalid");
  edit_yields("Pod", "metadata.labels", "{'app':'not valid!'}", "metadata.labels",
              "FieldValueInvalid");
  edit_yields("Pod", "metadata.labels", "{'app':3}", "metadata.labels[app]", "FieldValueInvalid");
  edit_yields("Pod", "metadata.labels", "['app']", "metadata.labels", "FieldValueInvalid");
  json_t *causes = edited("Pod", "metadata.labels",
                          js("{'app.kubernetes.io/name':'web','empty':'','v':'1.2_a-b'}"));
  expect_none(causes);
  json_decref(causes);
}

static void metadata_annotations_need_valid_keys_and_fit_in_256k(void **state) {
  (void)state;
  edit_yields("Pod", "metadata.annotations", "{'bad key':'x'}", "metadata.annotations",
              "FieldValueInvalid");
  edit_yields("Pod", "metadata.annotations", "{'ok':1}", "metadata.annotations[ok]",
              "FieldValueInvalid");
  /* Keys are checked case-insensitively, so an uppercase prefix is fine. */
  json_t *causes = edited("Pod", "metadata.annotations", js("{'Example.COM/Owner':'x'}"));
  expect_none(causes);
  json_decref(causes);
  size_t big = 256 * 1024;
  char *value = malloc(big + 1);
  memset(value, 'x', big);
  value[big] = '\0';
  json_t *anns = json_object();
  json_object_set_new(anns, "a", json_string(value));
  free(value);
  causes = edited("Pod", "metadata.annotations", anns);
  expect_message(causes, "metadata.annotations", "FieldValueTooLong",
                 "Too long: must have at most 262144 bytes");
  json_decref(causes);
}

static void metadata_owner_references_need_api_version_kind_name_and_uid(void **state) {
  (void)state;
  json_t *causes = edited("Pod", "metadata.ownerReferences", js("[{'kind':'ReplicaSet'}]"));
  expect(causes, "metadata.ownerReferences[0].apiVersion", "FieldValueRequired");
  expect(causes, "metadata.ownerReferences[0].name", "FieldValueRequired");
  expect(causes, "metadata.ownerReferences[0].uid", "FieldValueRequired");
  expect_absent(causes, "metadata.ownerReferences[0].kind", "FieldValueRequired");
  assert_int_equal(json_array_size(causes), 3);
  json_decref(causes);
  edit_yields("Pod", "metadata.ownerReferences", "['rs']", "metadata.ownerReferences[0]",
              "FieldValueInvalid");
}

static void metadata_allows_one_controller_owner_only(void **state) {
  (void)state;
  edit_yields(
      "Pod", "metadata.ownerReferences",
      "[{'apiVersion':'apps/v1','kind':'ReplicaSet','name':'a','uid':'1','controller':true},"
      "{'apiVersion':'apps/v1','kind':'ReplicaSet','name':'b','uid':'2','controller':true}]",
      "metadata.ownerReferences", "FieldValueInvalid");
}

static void metadata_finalizers_are_qualified_names(void **state) {
  (void)state;
  edit_yields("Pod", "metadata.finalizers", "['example.com/cleanup','bad finalizer']",
              "metadata.finalizers", "FieldValueInvalid");
  edit_yields("Pod", "metadata.finalizers", "[7]", "metadata.finalizers[0]", "FieldValueInvalid");
  edit_yields("Pod", "metadata.finalizers", "['orphan','foregroundDeletion']",
              "metadata.finalizers", "FieldValueInvalid");
}

/* ---- robustness: any JSON, anywhere ---- */

/* Paths worth breaking, per kind, each with the type class the field accepts:
 * o object, a array, s string, i integer, n number, b boolean, q quantity (string or
 * number), p port (integer or string). */

static const struct {
  const char *kind;
  const char *const paths[72];
} typed_paths[] = {
    {"Pod",
     {"o:metadata",
      "s:metadata.name",
      "s:metadata.generateName",
      "s:metadata.namespace",
      "o:metadata.labels",
      "s:metadata.labels.app",
      "o:metadata.annotations",
      "s:metadata.annotations[example.com/owner]",
      "a:metadata.ownerReferences",
      "a:metadata.finalizers",
      "o:spec",
      "a:spec.containers",
      "o:spec.containers.0",
      "s:spec.containers.0.name",
      "s:spec.containers.0.image",
      "a:spec.containers.0.command",
      "s:spec.containers.0.command.0",
      "a:spec.containers.0.args",
      "s:spec.containers.0.workingDir",
      "a:spec.containers.0.env",
      "o:spec.containers.0.env.0",
      "s:spec.containers.0.env.0.name",
      "s:spec.containers.0.env.0.value",
      "o:spec.containers.0.env.0.valueFrom",
      "a:spec.containers.0.ports",
      "o:spec.containers.0.ports.0",
      "i:spec.containers.0.ports.0.containerPort",
      "i:spec.containers.0.ports.0.hostPort",
      "s:spec.containers.0.ports.0.name",
      "s:spec.containers.0.ports.0.protocol",
      "s:spec.containers.0.ports.0.hostIP",
      "o:spec.containers.0.resources",
      "o:spec.containers.0.resources.requests",
      "o:spec.containers.0.resources.limits",
      "q:spec.containers.0.resources.limits.cpu",
      "o:spec.containers.0.livenessProbe",
      "o:spec.containers.0.livenessProbe.httpGet",
      "p:spec.containers.0.livenessProbe.httpGet.port",
      "s:spec.containers.0.livenessProbe.httpGet.path",
      "a:spec.containers.0.livenessProbe.httpGet.httpHeaders",
      "i:spec.containers.0.livenessProbe.periodSeconds",
      "i:spec.containers.0.livenessProbe.successThreshold",
      "o:spec.containers.0.readinessProbe.tcpSocket",
      "o:spec.containers.0.startupProbe.exec",
      "a:spec.containers.0.startupProbe.exec.command",
      "s:spec.containers.0.imagePullPolicy",
      "a:spec.initContainers",
      "s:spec.restartPolicy",
      "i:spec.terminationGracePeriodSeconds",
      "i:spec.activeDeadlineSeconds",
      "s:spec.dnsPolicy",
      "o:spec.nodeSelector",
      "s:spec.nodeSelector.disk",
      "s:spec.nodeName",
      "a:spec.tolerations",
      "o:spec.tolerations.0",
      "s:spec.tolerations.0.key",
      "s:spec.tolerations.0.operator",
      "s:spec.tolerations.0.value",
      "s:spec.tolerations.0.effect",
      "i:spec.tolerations.0.tolerationSeconds",
      "i:spec.priority",
      "s:spec.priorityClassName",
      "b:spec.hostNetwork"}},
    {"Deployment",
     {"o:spec",
      "i:spec.replicas",
      "o:spec.selector",
      "o:spec.selector.matchLabels",
      "s:spec.selector.matchLabels.app",
      "a:spec.selector.matchExpressions",
      "o:spec.strategy",
      "s:spec.strategy.type",
      "o:spec.strategy.rollingUpdate",
      "p:spec.strategy.rollingUpdate.maxSurge",
      "p:spec.strategy.rollingUpdate.maxUnavailable",
      "i:spec.minReadySeconds",
      "i:spec.revisionHistoryLimit",
      "i:spec.progressDeadlineSeconds",
      "b:spec.paused",
      "o:spec.template",
      "o:spec.template.metadata",
      "o:spec.template.metadata.labels",
      "o:spec.template.spec",
      "a:spec.template.spec.containers",
      "o:spec.template.spec.containers.0",
      "s:spec.template.spec.containers.0.image",
      "s:spec.template.spec.restartPolicy"}},
    {"ReplicaSet",
     {"o:spec", "i:spec.replicas", "o:spec.selector", "a:spec.selector.matchExpressions",
      "o:spec.selector.matchExpressions.0", "s:spec.selector.matchExpressions.0.key",
      "s:spec.selector.matchExpressions.0.operator", "a:spec.selector.matchExpressions.0.values",
      "o:spec.template", "o:spec.template.spec", "i:spec.minReadySeconds"}},
    {"Job",
     {"o:spec", "i:spec.parallelism", "i:spec.completions", "i:spec.backoffLimit",
      "i:spec.activeDeadlineSeconds", "i:spec.ttlSecondsAfterFinished", "b:spec.suspend",
      "o:spec.selector", "o:spec.template", "o:spec.template.spec",
      "s:spec.template.spec.restartPolicy", "a:spec.template.spec.containers"}},
    {"Service",
     {"o:spec", "s:spec.type", "a:spec.ports", "o:spec.ports.0", "i:spec.ports.0.port",
      "s:spec.ports.0.name", "s:spec.ports.0.protocol", "p:spec.ports.0.targetPort",
      "i:spec.ports.0.nodePort", "o:spec.selector", "s:spec.selector.app", "s:spec.clusterIP",
      "s:spec.sessionAffinity"}},
    {"Endpoints",
     {"a:subsets", "o:subsets.0", "a:subsets.0.addresses", "o:subsets.0.addresses.0",
      "s:subsets.0.addresses.0.ip", "s:subsets.0.addresses.0.nodeName",
      "s:subsets.0.addresses.0.hostname", "o:subsets.0.addresses.0.targetRef",
      "a:subsets.0.notReadyAddresses", "a:subsets.0.ports", "o:subsets.0.ports.0",
      "i:subsets.0.ports.0.port", "s:subsets.0.ports.0.name", "s:subsets.0.ports.0.protocol"}},
    {"Namespace",
     {"o:metadata", "s:metadata.name", "o:metadata.labels", "o:spec", "a:spec.finalizers",
      "s:spec.finalizers.0"}},
    {"Node",
     {"o:spec", "s:spec.podCIDR", "a:spec.podCIDRs", "s:spec.podCIDRs.0", "a:spec.taints",
      "o:spec.taints.0", "s:spec.taints.0.key", "s:spec.taints.0.value", "s:spec.taints.0.effect",
      "b:spec.unschedulable", "~:status", "~:status.capacity"}},
    {"ResourceQuota",
     {"o:spec", "o:spec.hard", "q:spec.hard.pods", "q:spec.hard[requests.cpu]",
      "q:spec.hard[count/deployments.apps]"}},
    {"LimitRange",
     {"o:spec", "a:spec.limits", "o:spec.limits.0", "s:spec.limits.0.type", "o:spec.limits.0.max",
      "q:spec.limits.0.max.cpu", "o:spec.limits.0.min", "o:spec.limits.0.default",
      "o:spec.limits.0.defaultRequest", "o:spec.limits.0.maxLimitRequestRatio",
      "q:spec.limits.0.maxLimitRequestRatio.cpu"}},
    {"Event",
     {"o:involvedObject", "s:involvedObject.kind", "s:involvedObject.name",
      "s:involvedObject.namespace", "s:reason", "s:message", "s:type", "i:count", "o:source",
      "s:firstTimestamp", "s:lastTimestamp", "s:eventTime"}},
    {"PriorityClass", {"i:value", "b:globalDefault", "s:description", "s:preemptionPolicy"}},
    {"Lease",
     {"o:spec", "s:spec.holderIdentity", "i:spec.leaseDurationSeconds", "i:spec.leaseTransitions",
      "s:spec.acquireTime", "s:spec.renewTime"}},
    {"Queue",
     {"o:spec",
      "a:spec.namespaces",
      "s:spec.namespaces.0",
      "o:spec.namespaceSelector",
      "s:spec.cohort",
      "o:spec.nominal",
      "q:spec.nominal.cpu",
      "o:spec.borrowingLimit",
      "o:spec.lendingLimit",
      "q:spec.lendingLimit.cpu",
      "n:spec.weight",
      "b:spec.strictFIFO",
      "o:spec.preemption",
      "s:spec.preemption.reclaimWithinCohort",
      "s:spec.preemption.withinQueue",
      "o:spec.aging",
      "i:spec.aging.intervalSeconds",
      "i:spec.aging.maxBoost",
      "o:spec.budget",
      "i:spec.budget.windowSeconds",
      "o:spec.budget.limits",
      "q:spec.budget.limits.cpu"}},
};

static const char *const wrong_values[] = {
    "'x y'", "7", "1.5", "true", "null", "{}", "[]", "[7]", "{'a':[{}]}", "[[{'a':null}]]",
};

static bool accepts(char type_class, const json_t *v) {
  switch (type_class) {
  case 'o':
    return json_is_object(v);
  case 'a':
    return json_is_array(v);
  case 's':
    return json_is_string(v);
  case 'i':
    return json_is_integer(v);
  case 'n':
    return json_is_number(v);
  case 'b':
    return json_is_boolean(v);
  case 'q':
    return json_is_string(v) || json_is_number(v);
  case 'p':
    return json_is_string(v) || json_is_integer(v);
  }
  return true;
}

/* Every value of every type at every path: never a crash (ASan watches), always valid
 * causes, and a cause whenever the type is wrong (null means absent, never wrong). */

static void every_validator_survives_wrong_types_at_every_path(void **state) {
  (void)state;
  for (size_t k = 0; k < sizeof typed_paths / sizeof typed_paths[0]; k++) {
    for (size_t p = 0; typed_paths[k].paths[p]; p++) {
      const char *entry = typed_paths[k].paths[p], *path = entry + 2;
      for (size_t w = 0; w < sizeof wrong_values / sizeof wrong_values[0]; w++) {
        json_t *value = js(wrong_values[w]);
        bool wrong = !json_is_null(value) && !accepts(entry[0], value);
        json_t *obj = example(typed_paths[k].kind);
        put(obj, path, value);
        json_t *causes = run(typed_paths[k].kind, obj, NULL);
        size_t i;
        json_t *c;
        json_array_foreach(causes, i, c) {
          assert_true(json_is_string(json_object_get(c, "field")));
          assert_true(json_is_string(json_object_get(c, "message")));
        }
        if (wrong && json_array_size(causes) == 0)
          fail_msg("%s %s = %s: no cause", typed_paths[k].kind, path, wrong_values[w]);
        /* An update from the broken object must survive as well. */
        json_t *again = json_deep_copy(obj);
        json_t *update_causes = run(typed_paths[k].kind, again, obj);
        json_decref(update_causes);
        json_decref(again);
        json_decref(causes);
        json_decref(obj);
      }
    }
  }
}

static void every_validator_survives_any_top_level_value(void **state) {
  (void)state;
  for (size_t k = 0; k < NKINDS; k++) {
    for (size_t w = 0; w < sizeof wrong_values / sizeof wrong_values[0]; w++) {
      json_t *obj = js(wrong_values[w]);
      json_t *old = example(kinds[k].kind);
      json_t *causes = run(kinds[k].kind, obj, NULL);
      expect(causes, "metadata.name", "FieldValueRequired");
      json_decref(causes);
      causes = run(kinds[k].kind, obj, old);
      json_decref(causes);
      causes = run(kinds[k].kind, old, obj);
      json_decref(causes);
      json_decref(old);
      json_decref(obj);
    }
  }
}

static void causes_stay_valid_utf8_with_long_non_ascii_keys(void **state) {
  (void)state;
  /* A path or message cut short in the middle of a character would make api_cause drop
   * the cause, so every one must still be there. */
  char key[600] = "";
  for (int i = 0; i < 200; i++)
    strcat(key, "\xc3\xa9");
  json_t *obj = example("Pod");
  json_t *selector = json_object(), *limits = json_object(), *requests = json_object();
  json_object_set_new(selector, key, json_string("x"));
  json_object_set_new(limits, key, json_string("1"));
  json_object_set_new(requests, key, json_string("2"));
  put(obj, "spec.nodeSelector", selector);
  put(obj, "spec.containers.0.resources.limits", limits);
  put(obj, "spec.containers.0.resources.requests", requests);
  json_t *causes = run("Pod", obj, NULL);
  /* The node selector's key, both resource names, and the request above its limit. */
  assert_int_equal(json_array_size(causes), 4);
  json_decref(causes);
  json_decref(obj);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(valid_example_of_every_kind_has_no_causes),
      cmocka_unit_test(unchanged_update_of_every_kind_has_no_causes),
      cmocka_unit_test(defaults_are_idempotent_for_every_kind),
      cmocka_unit_test(dns1123_label_allows_lowercase_alphanumerics_and_inner_dashes),
      cmocka_unit_test(dns1123_subdomain_allows_dotted_labels_up_to_253),
      cmocka_unit_test(metadata_requires_a_name_or_generate_name),
      cmocka_unit_test(metadata_generate_name_is_checked_as_a_prefix),
      cmocka_unit_test(metadata_name_of_most_kinds_is_a_dns_subdomain),
      cmocka_unit_test(metadata_name_of_namespaces_and_services_is_a_dns_label),
      cmocka_unit_test(metadata_name_longer_than_the_limit_is_invalid),
      cmocka_unit_test(metadata_namespace_is_forbidden_on_cluster_scoped_kinds),
      cmocka_unit_test(metadata_labels_need_valid_keys_and_values),
      cmocka_unit_test(metadata_annotations_need_valid_keys_and_fit_in_256k),
      cmocka_unit_test(metadata_owner_references_need_api_version_kind_name_and_uid),
      cmocka_unit_test(metadata_allows_one_controller_owner_only),
      cmocka_unit_test(metadata_finalizers_are_qualified_names),
      cmocka_unit_test(every_validator_survives_wrong_types_at_every_path),
      cmocka_unit_test(every_validator_survives_any_top_level_value),
      cmocka_unit_test(causes_stay_valid_utf8_with_long_non_ascii_keys),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
