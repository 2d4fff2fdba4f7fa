/*
 * Unit tests of the disruption budget rules the API server's eviction and the
 * disruption controller share (disruption.c): which pods a budget covers,
 * which evictions need no budget, the eviction decision, and spending.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first. */

#include <cmocka.h>

#include <stdio.h>

#include "cleanup.h"
#include "disruption.h"
#include "json_text.h"
#include "object.h"

#define READY "'status':{'phase':'Running','conditions':[{'type':'Ready','status':'True'}]}"
#define NOT_READY "'status':{'phase':'Running','conditions':[{'type':'Ready','status':'False'}]}"

/* A budget of generation 1 observed, with these status numbers. */
static json_t *budget(int healthy, int desired, int allowed, const char *policy) {
  json_t *b = js("{'metadata':{'name':'web','generation':1},'spec':{'minAvailable':2}}");
  json_t *st =
      json_pack("{s:i, s:i, s:i, s:i, s:i}", "observedGeneration", 1, "currentHealthy", healthy,
                "desiredHealthy", desired, "disruptionsAllowed", allowed, "expectedPods", 3);
  json_object_set_new(b, "status", st);
  if (policy)
    tug_obj_set_str(b, "spec.unhealthyPodEvictionPolicy", policy, NULL);
  return b;
}

static void test_absent_selector_covers_nothing_and_empty_covers_everything(void **state) {
  (void)state;
  _cleanup_json_ json_t *pod = js("{'metadata':{'name':'p','labels':{'app':'web'}}}");
  _cleanup_json_ json_t *none = js("{'spec':{}}"), *all = js("{'spec':{'selector':{}}}"),
                        *web = js("{'spec':{'selector':{'matchLabels':{'app':'web'}}}}"),
                        *db = js("{'spec':{'selector':{'matchExpressions':[{'key':'app',"
                                 "'operator':'In','values':['db']}]}}}");
  assert_false(tug_pdb_selects(none, pod));
  assert_true(tug_pdb_selects(all, pod));
  assert_true(tug_pdb_selects(web, pod));
  assert_false(tug_pdb_selects(db, pod));
}

static void test_pending_finished_and_deleting_pods_need_no_budget(void **state) {
  (void)state;
  _cleanup_json_ json_t *pending = js("{'status':{'phase':'Pending'}}"),
                        *done = js("{'status':{'phase':'Succeeded'}}"),
                        *failed = js("{'status':{'phase':'Failed'}}"),
                        *deleting = js(
                            "{'metadata':{'deletionTimestamp':'2026-01-01T00:00:00Z'}," READY "}"),
                        *running = js("{" READY "}");
  assert_true(tug_eviction_ignores_budgets(pending));
  assert_true(tug_eviction_ignores_budgets(done));
  assert_true(tug_eviction_ignores_budgets(failed));
  assert_true(tug_eviction_ignores_budgets(deleting));
  assert_false(tug_eviction_ignores_budgets(running));
}

static void test_a_ready_pod_spends_a_disruption_or_gets_429(void **state) {
  (void)state;
  _cleanup_json_ json_t *pod = js("{" READY "}");
  _cleanup_json_ json_t *room = budget(3, 2, 1, NULL), *full = budget(2, 2, 0, NULL),
                        *negative = budget(1, 2, -1, NULL);
  assert_int_equal(tug_eviction_decide(room, pod), TUG_EVICT_SPEND);
  assert_int_equal(tug_eviction_decide(full, pod), TUG_EVICT_EXHAUSTED);
  assert_int_equal(tug_eviction_decide(negative, pod), TUG_EVICT_NEGATIVE);
}

static void test_a_budget_not_yet_observed_at_its_generation_is_stale(void **state) {
  (void)state;
  _cleanup_json_ json_t *pod = js("{" READY "}");
  _cleanup_json_ json_t *b = budget(3, 2, 1, NULL);
  tug_obj_set(b, "metadata.generation", json_integer(2), NULL);
  assert_int_equal(tug_eviction_decide(b, pod), TUG_EVICT_STALE);
}

static void test_an_unready_pod_goes_free_when_the_budget_is_met_or_always_allows(void **state) {
  (void)state;
  _cleanup_json_ json_t *pod = js("{" NOT_READY "}");
  _cleanup_json_ json_t *met = budget(2, 2, 0, NULL), *short_ = budget(1, 2, 0, NULL),
                        *always = budget(1, 2, 0, "AlwaysAllow"),
                        *if_healthy = budget(1, 2, 0, "IfHealthyBudget"),
                        *nothing_desired = budget(0, 0, 0, NULL);
  assert_int_equal(tug_eviction_decide(met, pod), TUG_EVICT_ALLOW);
  assert_int_equal(tug_eviction_decide(always, pod), TUG_EVICT_ALLOW);
  /* Below its budget, an unready pod is judged as any other (Kubernetes). */
  assert_int_equal(tug_eviction_decide(short_, pod), TUG_EVICT_EXHAUSTED);
  assert_int_equal(tug_eviction_decide(if_healthy, pod), TUG_EVICT_EXHAUSTED);
  assert_int_equal(tug_eviction_decide(nothing_desired, pod), TUG_EVICT_EXHAUSTED);
}

static void test_too_many_unconfirmed_evictions_are_refused(void **state) {
  (void)state;
  _cleanup_json_ json_t *pod = js("{" READY "}");
  _cleanup_json_ json_t *b = budget(3, 2, 1, NULL);
  json_t *map = json_object();
  for (int i = 0; i <= TUG_PDB_MAX_DISRUPTED_PODS; i++) {
    char name[32];
    snprintf(name, sizeof name, "p%d", i);
    json_object_set_new(map, name, json_string("2026-01-01T00:00:00Z"));
  }
  tug_obj_set(b, "status.disruptedPods", map, NULL);
  assert_int_equal(tug_eviction_decide(b, pod), TUG_EVICT_UNCONFIRMED);
}

static void test_spending_the_last_disruption_turns_the_condition_false(void **state) {
  (void)state;
  _cleanup_json_ json_t *b = budget(4, 2, 2, NULL);
  tug_pdb_set_condition(b, NULL, NULL, "2026-01-01T00:00:00Z");
  tug_pdb_spend(b, "web-1", "2026-01-01T00:00:05Z");
  assert_int_equal(tug_obj_get_int(b, "status.disruptionsAllowed", -9), 1);
  assert_string_equal(tug_obj_get_str(b, "status.disruptedPods.web-1"), "2026-01-01T00:00:05Z");
  json_t *c = json_array_get(tug_obj_get(b, "status.conditions"), 0);
  assert_string_equal(tug_obj_get_str(c, "status"), "True");
  tug_pdb_spend(b, "web-2", "2026-01-01T00:00:09Z");
  assert_int_equal(tug_obj_get_int(b, "status.disruptionsAllowed", -9), 0);
  assert_int_equal(json_object_size(tug_obj_get(b, "status.disruptedPods")), 2);
  assert_int_equal(json_array_size(tug_obj_get(b, "status.conditions")), 1);
  assert_string_equal(tug_obj_get_str(c, "status"), "False");
  assert_string_equal(tug_obj_get_str(c, "reason"), "InsufficientPods");
  assert_string_equal(tug_obj_get_str(c, "lastTransitionTime"), "2026-01-01T00:00:09Z");
  assert_int_equal(tug_obj_get_int(c, "observedGeneration", -1), 1);
}

static void test_sync_failure_sets_its_reason_and_message(void **state) {
  (void)state;
  _cleanup_json_ json_t *b = budget(3, 2, 1, NULL);
  tug_pdb_set_condition(b, "SyncFailed", "found no controller ref for pod \"x\"",
                        "2026-01-01T00:00:00Z");
  json_t *c = json_array_get(tug_obj_get(b, "status.conditions"), 0);
  assert_string_equal(tug_obj_get_str(c, "status"), "False");
  assert_string_equal(tug_obj_get_str(c, "reason"), "SyncFailed");
  assert_string_equal(tug_obj_get_str(c, "message"), "found no controller ref for pod \"x\"");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_absent_selector_covers_nothing_and_empty_covers_everything),
      cmocka_unit_test(test_pending_finished_and_deleting_pods_need_no_budget),
      cmocka_unit_test(test_a_ready_pod_spends_a_disruption_or_gets_429),
      cmocka_unit_test(test_a_budget_not_yet_observed_at_its_generation_is_stale),
      cmocka_unit_test(test_an_unready_pod_goes_free_when_the_budget_is_met_or_always_allows),
      cmocka_unit_test(test_too_many_unconfirmed_evictions_are_refused),
      cmocka_unit_test(test_spending_the_last_disruption_turns_the_condition_false),
      cmocka_unit_test(test_sync_failure_sets_its_reason_and_message),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
