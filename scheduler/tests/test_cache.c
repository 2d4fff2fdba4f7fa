/*
 * Tests of the scheduler cache: allocations count assumed pods, forgetting
 * an assumption returns the space, placeholders for unknown nodes, and the
 * usable capacity.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cache.h"
#include "fixtures.h"
#include "object.h"

static void set_node(sched_cache *c, json_t *node) {
  assert_int_equal(sched_cache_set_node(c, node), 0);
  json_decref(node);
}

static void test_assumed_pods_count_until_forgotten(void **state) {
  (void)state;
  sched_cache *c = sched_cache_new();
  set_node(c, fx_node("n1", "4", "8Gi"));
  sched_pod *a = fx_sched_pod("default", "a", "1500m", "1Gi", 0, 0);
  sched_pod *b = fx_sched_pod("default", "b", "500m", "", 0, 0);
  assert_int_equal(sched_cache_add_pod(c, a, "n1", SCHED_POD_ASSUMED), 0);
  assert_int_equal(sched_cache_add_pod(c, b, "n1", SCHED_POD_BOUND), 0);
  sched_node *n = sched_cache_node(c, "n1");
  assert_int_equal(n->requested.v[SCHED_CPU], 2000);
  assert_int_equal(n->requested.v[SCHED_MEMORY], 1LL << 30);
  assert_int_equal(n->requested.v[SCHED_PODS], 2);
  assert_int_equal(n->nonzero.v[SCHED_MEMORY], (1LL << 30) + 200LL * 1024 * 1024);
  sched_cache_remove_pod(c, a);
  assert_int_equal(n->requested.v[SCHED_CPU], 500);
  assert_int_equal(n->n_pods, 1);
  assert_ptr_equal(n->pods[0], b);
  assert_null(a->node);
  assert_int_equal(a->state, SCHED_POD_PENDING);
  sched_cache_remove_pod(c, b);
  sched_pod_free(a);
  sched_pod_free(b);
  sched_cache_free(c);
}

static void test_pods_on_unknown_nodes_wait_on_a_placeholder(void **state) {
  (void)state;
  sched_cache *c = sched_cache_new();
  sched_pod *a = fx_sched_pod("default", "a", "1", "", 0, 0);
  assert_int_equal(sched_cache_add_pod(c, a, "later", SCHED_POD_BOUND), 0);
  assert_int_equal(c->n_nodes, 0); /* never offered to plugins */
  set_node(c, fx_node("later", "4", "8Gi"));
  assert_int_equal(c->n_nodes, 1);
  assert_int_equal(sched_cache_node(c, "later")->requested.v[SCHED_CPU], 1000);
  sched_cache_delete_node(c, "later");
  assert_int_equal(c->n_nodes, 0);
  assert_non_null(sched_cache_node(c, "later")); /* still holds a */
  sched_cache_remove_pod(c, a);
  assert_null(sched_cache_node(c, "later"));
  sched_pod_free(a);
  sched_cache_free(c);
}

static void test_capacity_counts_ready_schedulable_nodes(void **state) {
  (void)state;
  sched_cache *c = sched_cache_new();
  set_node(c, fx_node("ok", "4", "8Gi"));
  json_t *cordoned = fx_node("cordoned", "4", "8Gi");
  json_object_set_new(json_object_get(cordoned, "spec"), "unschedulable", json_true());
  set_node(c, cordoned);
  json_t *notready = fx_node("notready", "4", "8Gi");
  json_object_set_new(json_array_get(tug_obj_get(notready, "status.conditions"), 0), "status",
                      json_string("False"));
  set_node(c, notready);
  sched_res cap = sched_cache_capacity(c);
  assert_int_equal(cap.v[SCHED_CPU], 4000);
  assert_int_equal(cap.v[SCHED_MEMORY], 8LL << 30);
  assert_int_equal(cap.v[SCHED_PODS], 110);
  sched_cache_free(c);
}

static void test_node_taints_and_bad_quantities_are_parsed_safely(void **state) {
  (void)state;
  sched_cache *c = sched_cache_new();
  json_t *n = fx_node("n", "lots", "8Gi");
  json_object_set_new(json_object_get(n, "spec"), "taints",
                      json_pack("[{s:s, s:s, s:s}, {s:i}, {s:s, s:s}]", "key", "gpu", "value",
                                "yes", "effect", "NoExecute", "key", 7, "key", "x", "effect",
                                "PreferNoSchedule"));
  set_node(c, n);
  sched_node *sn = sched_cache_node(c, "n");
  assert_int_equal(sn->alloc.v[SCHED_CPU], 0);
  assert_int_equal(sn->n_taints, 2);
  assert_string_equal(sn->taints[0].key, "gpu");
  assert_int_equal(sn->taints[0].effect, SCHED_NO_EXECUTE);
  assert_int_equal(sn->taints[1].effect, SCHED_PREFER_NO_SCHEDULE);
  sched_cache_free(c);
}

static void test_pod_requests_follow_kubernetes_rules(void **state) {
  (void)state;
  json_t *spec =
      json_pack("{s:[{s:{s:{s:s}}}, {s:{s:{s:s, s:s}}}], s:[{s:{s:{s:s}}}]}", "containers",
                "resources", "requests", "cpu", "250m", "resources", "limits", "cpu", "1", "memory",
                "1Gi", "initContainers", "resources", "requests", "cpu", "2");
  sched_res req, nz;
  sched_pod_requests(spec, &req, &nz);
  assert_int_equal(req.v[SCHED_CPU], 2000);         /* the init container's 2 beats 1.25 */
  assert_int_equal(req.v[SCHED_MEMORY], 1LL << 30); /* a limit without a request */
  assert_int_equal(req.v[SCHED_PODS], 1);
  json_decref(spec);
}

/* Three requests of a third of 2^64 bytes each wrapped to 2 bytes; the sum
 * saturates instead, so the pod fits nowhere. */
static void test_pod_requests_that_overflow_saturate(void **state) {
  (void)state;
  json_t *c = json_pack("{s:{s:{s:s}}}", "resources", "requests", "memory", "6148914691236517206");
  json_t *spec = json_pack("{s:[O, O, O]}", "containers", c, c, c);
  sched_res req;
  sched_pod_requests(spec, &req, NULL);
  assert_int_equal(req.v[SCHED_MEMORY], INT64_MAX);
  json_decref(spec);
  json_decref(c);
}

/* A node whose pods' sum saturated recounts when one leaves: the others'
 * requests are exact again, not INT64_MAX minus the one that left. */
static void test_a_saturated_node_recounts_when_a_pod_leaves(void **state) {
  (void)state;
  sched_cache *c = sched_cache_new();
  set_node(c, fx_node("n1", "4", "8Gi"));
  sched_pod *huge = fx_sched_pod("default", "huge", "1", "7Ei", 0, 0);
  sched_pod *huge2 = fx_sched_pod("default", "huge2", "1", "7Ei", 0, 0);
  sched_pod *small = fx_sched_pod("default", "small", "1", "1Gi", 0, 0);
  assert_int_equal(sched_cache_add_pod(c, huge, "n1", SCHED_POD_BOUND), 0);
  assert_int_equal(sched_cache_add_pod(c, huge2, "n1", SCHED_POD_BOUND), 0);
  assert_int_equal(sched_cache_add_pod(c, small, "n1", SCHED_POD_BOUND), 0);
  sched_node *n = sched_cache_node(c, "n1");
  assert_int_equal(n->requested.v[SCHED_MEMORY], INT64_MAX);
  sched_cache_remove_pod(c, huge);
  assert_int_equal(n->requested.v[SCHED_MEMORY], (7LL << 60) + (1LL << 30));
  sched_cache_remove_pod(c, huge2);
  assert_int_equal(n->requested.v[SCHED_MEMORY], 1LL << 30);
  assert_int_equal(n->requested.v[SCHED_CPU], 1000);
  sched_cache_remove_pod(c, small);
  sched_pod_free(huge);
  sched_pod_free(huge2);
  sched_pod_free(small);
  sched_cache_free(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pod_requests_that_overflow_saturate),
      cmocka_unit_test(test_a_saturated_node_recounts_when_a_pod_leaves),
      cmocka_unit_test(test_assumed_pods_count_until_forgotten),
      cmocka_unit_test(test_pods_on_unknown_nodes_wait_on_a_placeholder),
      cmocka_unit_test(test_capacity_counts_ready_schedulable_nodes),
      cmocka_unit_test(test_node_taints_and_bad_quantities_are_parsed_safely),
      cmocka_unit_test(test_pod_requests_follow_kubernetes_rules),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
