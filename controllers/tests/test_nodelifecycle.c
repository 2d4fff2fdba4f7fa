/*
 * Tests of the node lifecycle controller's reconcile (nodelifecycle.c)
 * against a recording client: a silent node turns Unknown, is tainted, and
 * its pods are evicted by their tolerations. The controller remembers when it
 * last heard from each node for the process, so each test uses node names of
 * its own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ctl_fixture.h"
#include "object.h"

#define UNREACHABLE "node.kubernetes.io/unreachable"

static json_t *node(const char *name, const char *ready, bool tainted) {
  json_t *n = fx_object("v1", "Node", NULL, name, name);
  json_object_set_new(n, "status",
                      json_pack("{s:[{s:s, s:s, s:s}]}", "conditions", "type", "Ready", "status",
                                ready, "lastHeartbeatTime", "2026-01-01T00:00:00Z"));
  if (tainted)
    json_object_set_new(n, "spec",
                        json_pack("{s:[{s:s, s:s, s:s}]}", "taints", "key", UNREACHABLE, "effect",
                                  "NoExecute", "timeAdded", "2026-01-01T00:00:00Z"));
  return n;
}

static json_t *pod_on(const char *node, const char *name, json_t *tolerations) {
  json_t *p = fx_pod("ns", name, name, NULL, "Running", false, NULL);
  json_t *spec = json_object_get(p, "spec");
  json_object_set_new(spec, "nodeName", json_string(node));
  if (tolerations)
    json_object_set_new(spec, "tolerations", tolerations);
  return p;
}

static void test_a_node_silent_past_the_grace_turns_unknown(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(ctl_nodelifecycle_new);
  f->x.cfg.node_grace_s = -1; /* any silence is too long */
  fx_put(f, CTL_NODES, node("s1", "True", false));
  fx_reconcile(f, "s1");
  json_t *patch = fx_body(f, "PATCH", "/api/v1/nodes/s1/status", 0);
  json_t *c = json_array_get(tug_obj_get(patch, "status.conditions"), 0);
  assert_string_equal(tug_obj_get_str(c, "status"), "Unknown");
  assert_string_equal(tug_obj_get_str(patch, "metadata.resourceVersion"), "1");
  fx_free(f);
}

static void test_an_unknown_node_is_tainted_unreachable(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(ctl_nodelifecycle_new);
  fx_put(f, CTL_NODES, node("u1", "Unknown", false));
  fx_reconcile(f, "u1");
  json_t *patch = fx_body(f, "PATCH", "/api/v1/nodes/u1", 0);
  json_t *t = json_array_get(tug_obj_get(patch, "spec.taints"), 0);
  assert_string_equal(tug_obj_get_str(t, "key"), UNREACHABLE);
  assert_string_equal(tug_obj_get_str(t, "effect"), "NoExecute");
  fx_free(f);
}

static void test_a_ready_node_loses_the_taint(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(ctl_nodelifecycle_new);
  fx_put(f, CTL_NODES, node("r1", "True", true));
  fx_reconcile(f, "r1");
  json_t *patch = fx_body(f, "PATCH", "/api/v1/nodes/r1", 0);
  assert_int_equal(json_array_size(tug_obj_get(patch, "spec.taints")), 0);
  fx_free(f);
}

static void test_pods_are_evicted_unless_they_tolerate_the_taint(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(ctl_nodelifecycle_new);
  fx_put(f, CTL_NODES, node("e1", "Unknown", true));
  fx_put(f, CTL_PODS, pod_on("e1", "plain", NULL));
  fx_put(f, CTL_PODS,
         pod_on("e1", "forever",
                json_pack("[{s:s, s:s, s:s}]", "key", UNREACHABLE, "operator", "Exists", "effect",
                          "NoExecute")));
  fx_put(f, CTL_PODS,
         pod_on("e1", "long",
                json_pack("[{s:s, s:s, s:I}]", "key", UNREACHABLE, "operator", "Exists",
                          "tolerationSeconds", (json_int_t)1000000000)));
  /* Equal with a value the taint does not have: no match, so the default applies. */
  fx_put(f, CTL_PODS,
         pod_on("e1", "wrong-value",
                json_pack("[{s:s, s:s, s:s}]", "key", UNREACHABLE, "operator", "Equal", "value",
                          "x")));
  fx_put(f, CTL_PODS, pod_on("other", "elsewhere", NULL));
  fx_reconcile(f, "e1");
  assert_int_equal(fx_sent(f, "DELETE", "/api/v1/namespaces/ns/pods/plain"), 1);
  assert_int_equal(fx_sent(f, "DELETE", "/api/v1/namespaces/ns/pods/wrong-value"), 1);
  assert_int_equal(fx_sent(f, "DELETE", NULL), 2);
  fx_free(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_a_node_silent_past_the_grace_turns_unknown),
      cmocka_unit_test(test_an_unknown_node_is_tainted_unreachable),
      cmocka_unit_test(test_a_ready_node_loses_the_taint),
      cmocka_unit_test(test_pods_are_evicted_unless_they_tolerate_the_taint),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
