/*
 * Tests of the node IPAM controller's reconcile (nodeipam.c) against a
 * recording client: each Node gets a free pod CIDR, never one in use or just
 * handed out. The controller keeps its assignments for the process, so each
 * test uses node names of its own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ctl_fixture.h"
#include "object.h"

static json_t *node(const char *name, const char *cidr) {
  json_t *n = fx_object("v1", "Node", NULL, name, name);
  if (cidr)
    json_object_set_new(n, "spec", json_pack("{s:s}", "podCIDR", cidr));
  return n;
}

static void test_a_new_node_gets_the_first_free_block(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(ctl_nodeipam_new);
  fx_put(f, CTL_NODES, node("a1", "10.64.0.0/24"));
  fx_put(f, CTL_NODES, node("a2", NULL));
  fx_reconcile(f, "a1");
  assert_int_equal(fx_sent(f, NULL, NULL), 0);
  fx_reconcile(f, "a2");
  json_t *patch = fx_body(f, "PATCH", "/api/v1/nodes/a2", 0);
  assert_string_equal(tug_obj_get_str(patch, "spec.podCIDR"), "10.64.1.0/24");
  assert_string_equal(json_string_value(json_array_get(tug_obj_get(patch, "spec.podCIDRs"), 0)),
                      "10.64.1.0/24");
  assert_string_equal(tug_obj_get_str(patch, "metadata.resourceVersion"), "1");
  fx_free(f);
}

static void test_a_block_handed_out_but_not_yet_seen_is_not_given_twice(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(ctl_nodeipam_new);
  fx_put(f, CTL_NODES, node("b1", NULL));
  fx_put(f, CTL_NODES, node("b2", NULL));
  fx_reconcile(f, "b1");
  fx_reconcile(f, "b2");
  const char *first = tug_obj_get_str(fx_body(f, "PATCH", "/api/v1/nodes/b1", 0), "spec.podCIDR");
  const char *second = tug_obj_get_str(fx_body(f, "PATCH", "/api/v1/nodes/b2", 0), "spec.podCIDR");
  assert_string_not_equal(first, second);
  fx_reconcile(f, "b1"); /* still pending: not assigned again */
  assert_int_equal(fx_sent(f, "PATCH", "/api/v1/nodes/b1"), 1);
  fx_free(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_a_new_node_gets_the_first_free_block),
      cmocka_unit_test(test_a_block_handed_out_but_not_yet_seen_is_not_given_twice),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
