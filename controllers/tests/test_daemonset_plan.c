/*
 * Tests of the DaemonSet controller's rules (daemonset-plan.c): which nodes
 * run a daemon pod (selector, affinity, taints and the default daemon
 * tolerations), how pods are pinned, and how a rolling update proceeds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "daemonset-plan.h"
#include "object.h"

static json_t *node(const char *name, const char *labels, const char *taints) {
  json_t *n = json_pack("{s:{s:s, s:o}, s:{s:o}}", "metadata", "name", name, "labels",
                        json_loads(labels ? labels : "{}", 0, NULL), "spec", "taints",
                        json_loads(taints ? taints : "[]", 0, NULL));
  return n;
}

/* run and keep as a two-letter code: "rk", "-k", "--". */
static const char *decide(const char *spec_json, json_t *n) {
  static char out[3];
  json_t *spec = json_loads(spec_json, 0, NULL);
  bool run, keep;
  ctl_ds_should_run(spec, n, &run, &keep);
  out[0] = run ? 'r' : '-', out[1] = keep ? 'k' : '-', out[2] = '\0';
  json_decref(spec);
  json_decref(n);
  return out;
}

static void node_selector_and_affinity_pick_nodes(void **state) {
  (void)state;
  const char *sel = "{\"nodeSelector\":{\"disk\":\"ssd\"}}";
  assert_string_equal(decide(sel, node("a", "{\"disk\":\"ssd\"}", NULL)), "rk");
  assert_string_equal(decide(sel, node("b", "{\"disk\":\"hdd\"}", NULL)), "--");
  const char *aff =
      "{\"affinity\":{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
      "{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"zone\",\"operator\":"
      "\"In\",\"values\":[\"z1\",\"z2\"]}]}]}}}}";
  assert_string_equal(decide(aff, node("a", "{\"zone\":\"z2\"}", NULL)), "rk");
  assert_string_equal(decide(aff, node("b", "{\"zone\":\"z3\"}", NULL)), "--");
  assert_string_equal(decide("{\"nodeName\":\"a\"}", node("b", NULL, NULL)), "--");
}

static void taints_need_tolerations_and_daemons_tolerate_the_node_conditions(void **state) {
  (void)state;
  const char *dedicated = "[{\"key\":\"dedicated\",\"value\":\"db\",\"effect\":\"NoSchedule\"}]";
  assert_string_equal(decide("{}", node("a", NULL, dedicated)), "-k");
  assert_string_equal(
      decide("{\"tolerations\":[{\"key\":\"dedicated\",\"operator\":\"Equal\",\"value\":\"db\"}]}",
             node("a", NULL, dedicated)),
      "rk");
  const char *evict = "[{\"key\":\"dedicated\",\"effect\":\"NoExecute\"}]";
  assert_string_equal(decide("{}", node("a", NULL, evict)), "--");
  /* Cordoned, not ready, unreachable, under pressure: daemons stay or come. */
  assert_string_equal(
      decide("{}",
             node("a", NULL,
                  "[{\"key\":\"node.kubernetes.io/unschedulable\",\"effect\":\"NoSchedule\"},"
                  "{\"key\":\"node.kubernetes.io/memory-pressure\",\"effect\":\"NoSchedule\"},"
                  "{\"key\":\"node.kubernetes.io/unreachable\",\"effect\":\"NoExecute\"}]")),
      "rk");
  /* not-ready NoSchedule is not among them: an old pod stays, no new one comes. */
  assert_string_equal(
      decide("{}", node("a", NULL,
                        "[{\"key\":\"node.kubernetes.io/not-ready\",\"effect\":\"NoSchedule\"}]")),
      "-k");
}

static void daemon_pods_are_pinned_and_tolerant(void **state) {
  (void)state;
  json_t *pod = json_pack("{s:{s:b, s:{s:{s:{s:[{}]}}}}}", "spec", "hostNetwork", 1, "affinity",
                          "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution",
                          "nodeSelectorTerms");
  json_t *spec = json_object_get(pod, "spec");
  assert_null(ctl_ds_pod_node(pod));
  ctl_ds_pin_to_node(spec, "n1");
  ctl_ds_add_tolerations(spec);
  ctl_ds_add_tolerations(spec); /* idempotent */
  assert_string_equal(ctl_ds_pod_node(pod), "n1");
  assert_int_equal(json_array_size(json_object_get(spec, "tolerations")), 7);
  json_object_set_new(spec, "nodeName", json_string("n2"));
  assert_string_equal(ctl_ds_pod_node(pod), "n2");
  json_decref(pod);
}

static void without_surge_old_pods_go_within_max_unavailable(void **state) {
  (void)state;
  ctl_ds_update_node n[4] = {
      {.has_old = true, .old_available = true},
      {.has_old = true, .old_available = true},
      {.has_old = true, .old_available = false}, /* broken already: always replaced */
      {.has_new = true, .new_available = true},
  };
  assert_int_equal(ctl_ds_rolling_update(n, 4, 1, 0), 2);
  assert_true(n[0].delete_old);
  assert_false(n[1].delete_old);
  assert_true(n[2].delete_old);
  /* A new pod not yet available uses up the budget. */
  ctl_ds_update_node m[2] = {{.has_new = true}, {.has_old = true, .old_available = true}};
  assert_int_equal(ctl_ds_rolling_update(m, 2, 1, 0), 0);
}

static void with_surge_new_pods_start_beside_old_ones(void **state) {
  (void)state;
  ctl_ds_update_node n[3] = {
      {.has_old = true, .old_available = true},
      {.has_old = true, .old_available = true},
      {.has_old = true, .has_new = true, .old_available = true, .new_available = true},
  };
  assert_int_equal(ctl_ds_rolling_update(n, 3, 0, 1), 2);
  assert_true(n[0].create_new);
  assert_false(n[1].create_new);
  assert_true(n[2].delete_old);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(node_selector_and_affinity_pick_nodes),
      cmocka_unit_test(taints_need_tolerations_and_daemons_tolerate_the_node_conditions),
      cmocka_unit_test(daemon_pods_are_pinned_and_tolerant),
      cmocka_unit_test(without_surge_old_pods_go_within_max_unavailable),
      cmocka_unit_test(with_surge_new_pods_start_beside_old_ones),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
