/*
 * Tests of PodDisruptionBudget arithmetic (disruption-plan.c) and of the
 * disruption controller's reconcile (disruption.c) against a recording
 * client: counts from the selected pods and their owners' scale, recent
 * evictions kept out of the healthy count, and the fail-safe status.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <time.h>

#include "ctl_fixture.h"
#include "disruption-plan.h"
#include "object.h"
#include "timestamp.h"

#define PDB_STATUS "/apis/policy/v1/namespaces/ns/poddisruptionbudgets/web/status"

static ctl_budget plan(const char *spec, int64_t pods, int64_t scale, int64_t healthy) {
  json_t *s = json_loads(spec, 0, NULL);
  assert_non_null(s);
  ctl_budget b = ctl_budget_plan(s, pods, scale, healthy);
  json_decref(s);
  return b;
}

static void test_min_available_count_expects_the_pods_selected(void **state) {
  (void)state;
  json_t *count = json_pack("{s:i}", "minAvailable", 2);
  assert_false(ctl_budget_needs_scale(count));
  json_decref(count);
  ctl_budget b = plan("{\"minAvailable\": 2}", 3, 0, 3);
  assert_int_equal(b.expected, 3);
  assert_int_equal(b.desired, 2);
  assert_int_equal(b.allowed, 1);
  b = plan("{\"minAvailable\": 2}", 3, 0, 1);
  assert_int_equal(b.allowed, 0); /* never negative */
}

static void test_percentages_and_max_unavailable_take_the_owners_scale_rounded_up(void **state) {
  (void)state;
  ctl_budget b = plan("{\"minAvailable\": \"50%\"}", 3, 5, 5);
  assert_int_equal(b.expected, 5);
  assert_int_equal(b.desired, 3); /* 2.5 rounds up */
  assert_int_equal(b.allowed, 2);
  b = plan("{\"maxUnavailable\": \"30%\"}", 10, 10, 10);
  assert_int_equal(b.desired, 7); /* 10 - ceil(3.0) */
  assert_int_equal(b.allowed, 3);
  b = plan("{\"maxUnavailable\": \"33%\"}", 10, 10, 10);
  assert_int_equal(b.desired, 6); /* 10 - ceil(3.3) */
  b = plan("{\"maxUnavailable\": \"25%\"}", 3, 3, 3);
  assert_int_equal(b.desired, 2); /* 3 - ceil(0.75) */
  b = plan("{\"maxUnavailable\": 5}", 3, 3, 3);
  assert_int_equal(b.desired, 0);
  assert_int_equal(b.allowed, 3);
}

static void test_nothing_is_allowed_while_no_pod_is_expected(void **state) {
  (void)state;
  ctl_budget b = plan("{\"maxUnavailable\": 1}", 0, 0, 0);
  assert_int_equal(b.allowed, 0);
  b = plan("{\"minAvailable\": 0}", 0, 0, 0);
  assert_int_equal(b.allowed, 0);
  b = plan("{}", 2, 0, 2); /* neither bound: expects nothing */
  assert_int_equal(b.allowed, 0);
}

/* ---- the controller ---- */

static json_t *pdb(const char *spec_json) {
  json_t *p = fx_object("policy/v1", "PodDisruptionBudget", "ns", "web", "pdb-uid");
  tug_obj_set(p, "metadata.generation", json_integer(3), NULL);
  json_t *spec = json_loads(spec_json, 0, NULL);
  json_object_set_new(spec, "selector", json_pack("{s:{s:s}}", "matchLabels", "app", "web"));
  json_object_set_new(p, "spec", spec);
  return p;
}

/* A Deployment of replicas, its ReplicaSet, and ready pods of it. */
static void deployment_with_pods(ctl_fixture *f, int replicas, int ready, int not_ready) {
  json_t *d = fx_object("apps/v1", "Deployment", "ns", "web", "dep-uid");
  json_object_set_new(d, "spec", json_pack("{s:i}", "replicas", replicas));
  json_t *rs = fx_object("apps/v1", "ReplicaSet", "ns", "web-1", "rs-uid");
  json_object_set_new(rs, "spec", json_pack("{s:i}", "replicas", replicas));
  tug_obj_set(rs, "metadata.ownerReferences", json_pack("[o]", tug_controller_ref_new(d)), NULL);
  for (int i = 0; i < ready + not_ready; i++) {
    char name[16], uid[16];
    snprintf(name, sizeof name, "web-%d", i);
    snprintf(uid, sizeof uid, "pod-%d", i);
    fx_put(f, CTL_PODS, fx_pod("ns", name, uid, "{\"app\": \"web\"}", "Running", i < ready, rs));
  }
  fx_put(f, CTL_DEPLOYMENTS, d);
  fx_put(f, CTL_REPLICASETS, rs);
}

static json_t *written_status(ctl_fixture *f) {
  return json_object_get(fx_body(f, "PUT", PDB_STATUS, fx_sent(f, "PUT", PDB_STATUS) - 1),
                         "status");
}

static void test_reconcile_counts_ready_pods_against_the_deployments_scale(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(ctl_disruption_new);
  deployment_with_pods(f, 4, 3, 1);
  fx_put(f, CTL_PODDISRUPTIONBUDGETS, pdb("{\"maxUnavailable\": 1}"));
  fx_reconcile(f, "ns/web");
  json_t *st = written_status(f);
  assert_int_equal(tug_obj_get_int(st, "expectedPods", -1), 4);
  assert_int_equal(tug_obj_get_int(st, "desiredHealthy", -1), 3);
  assert_int_equal(tug_obj_get_int(st, "currentHealthy", -1), 3);
  assert_int_equal(tug_obj_get_int(st, "disruptionsAllowed", -1), 0);
  assert_int_equal(tug_obj_get_int(st, "observedGeneration", -1), 3);
  json_t *c = json_array_get(json_object_get(st, "conditions"), 0);
  assert_string_equal(tug_obj_get_str(c, "type"), "DisruptionAllowed");
  assert_string_equal(tug_obj_get_str(c, "reason"), "InsufficientPods");
  fx_free(f);
}

static void test_a_recent_eviction_is_not_counted_healthy_and_an_old_one_is_dropped(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(ctl_disruption_new);
  deployment_with_pods(f, 3, 3, 0);
  json_t *p = pdb("{\"minAvailable\": 1}");
  char now[32], old[32];
  tug_time_format(time(NULL), now, sizeof now);
  tug_time_format(time(NULL) - 600, old, sizeof old);
  json_object_set_new(
      p, "status",
      json_pack("{s:{s:s, s:s, s:s}}", "disruptedPods", "web-0", now, "web-1", old, "gone", now));
  fx_put(f, CTL_PODDISRUPTIONBUDGETS, p);
  fx_reconcile(f, "ns/web");
  json_t *st = written_status(f);
  assert_int_equal(tug_obj_get_int(st, "currentHealthy", -1), 2);
  assert_int_equal(tug_obj_get_int(st, "disruptionsAllowed", -1), 1);
  json_t *kept = json_object_get(st, "disruptedPods");
  assert_int_equal(json_object_size(kept), 1);
  assert_non_null(json_object_get(kept, "web-0"));
  fx_free(f);
}

static void test_a_pod_without_controller_fails_safe_for_a_percentage(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(ctl_disruption_new);
  fx_put(f, CTL_PODS,
         fx_pod("ns", "bare", "bare-uid", "{\"app\": \"web\"}", "Running", true, NULL));
  json_t *p = pdb("{\"minAvailable\": \"50%\"}");
  json_object_set_new(p, "status", json_pack("{s:i}", "disruptionsAllowed", 3));
  fx_put(f, CTL_PODDISRUPTIONBUDGETS, p);
  fx_reconcile(f, "ns/web");
  json_t *st = written_status(f);
  assert_int_equal(tug_obj_get_int(st, "disruptionsAllowed", -1), 0);
  json_t *c = json_array_get(json_object_get(st, "conditions"), 0);
  assert_string_equal(tug_obj_get_str(c, "reason"), "SyncFailed");
  assert_string_equal(tug_obj_get_str(c, "message"), "found no controller ref for pod \"bare\"");
  fx_free(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_min_available_count_expects_the_pods_selected),
      cmocka_unit_test(test_percentages_and_max_unavailable_take_the_owners_scale_rounded_up),
      cmocka_unit_test(test_nothing_is_allowed_while_no_pod_is_expected),
      cmocka_unit_test(test_reconcile_counts_ready_pods_against_the_deployments_scale),
      cmocka_unit_test(test_a_recent_eviction_is_not_counted_healthy_and_an_old_one_is_dropped),
      cmocka_unit_test(test_a_pod_without_controller_fails_safe_for_a_percentage),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
