/*
 * Tests of the controller shape's pure parts: expectations (creations by
 * count, deletions by uid, expiry), owner references and the ready-made
 * index functions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "clock.h"
#include "controller.h"

static void test_expectations_wait_for_every_creation(void **state) {
  (void)state;
  tug_expectations *e = tug_expectations_new();
  assert_true(tug_expectations_satisfied(e, "ns/a")); /* never expected anything */
  tug_expectations_expect_creations(e, "ns/a", 2);
  assert_false(tug_expectations_satisfied(e, "ns/a"));
  tug_expectations_creation_observed(e, "ns/a");
  assert_false(tug_expectations_satisfied(e, "ns/a"));
  tug_expectations_creation_observed(e, "ns/a");
  assert_true(tug_expectations_satisfied(e, "ns/a"));
  tug_expectations_creation_observed(e, "ns/a"); /* an extra one is harmless */
  assert_true(tug_expectations_satisfied(e, "ns/a"));
  tug_expectations_free(e);
}

static void test_deletions_count_once_per_uid(void **state) {
  (void)state;
  tug_expectations *e = tug_expectations_new();
  tug_expectations_expect_deletion(e, "ns/a", "u1");
  tug_expectations_expect_deletion(e, "ns/a", "u2");
  tug_expectations_deletion_observed(e, "ns/a", "u1");
  tug_expectations_deletion_observed(e, "ns/a", "u1"); /* deletionTimestamp, then removal */
  assert_false(tug_expectations_satisfied(e, "ns/a"));
  tug_expectations_deletion_observed(e, "ns/a", "u2");
  assert_true(tug_expectations_satisfied(e, "ns/a"));
  tug_expectations_free(e);
}

static void test_expectations_expire_so_a_lost_event_never_wedges_a_key(void **state) {
  (void)state;
  tug_expectations *e = tug_expectations_new();
  tug_expectations_expect_creations(e, "ns/a", 1);
  double now = tug_monotonic_seconds();
  assert_false(tug_expectations_satisfied_at(e, "ns/a", now + 10));
  assert_true(tug_expectations_satisfied_at(e, "ns/a", now + 301));
  assert_true(tug_expectations_satisfied(e, "ns/a"));
  tug_expectations_expect_creations(e, "ns/b", 1);
  tug_expectations_forget(e, "ns/b");
  assert_true(tug_expectations_satisfied(e, "ns/b"));
  tug_expectations_free(e);
}

static void test_owner_key_follows_the_controller_reference_only(void **state) {
  (void)state;
  json_t *owner =
      json_pack("{s:s, s:s, s:{s:s, s:s, s:s}}", "apiVersion", "apps/v1", "kind", "ReplicaSet",
                "metadata", "name", "web-1", "namespace", "ns", "uid", "u1");
  json_t *ref = tug_controller_ref_new(owner);
  assert_true(json_is_true(json_object_get(ref, "controller")));
  json_t *pod =
      json_pack("{s:{s:s, s:s, s:[{s:s, s:s, s:s}, o]}}", "metadata", "name", "p", "namespace",
                "ns", "ownerReferences", "kind", "Other", "name", "x", "uid", "u0", ref);
  char key[64];
  assert_true(tug_controller_owner_key(pod, "ReplicaSet", key, sizeof key));
  assert_string_equal(key, "ns/web-1");
  assert_false(tug_controller_owner_key(pod, "Job", key, sizeof key));
  json_t *orphan = json_pack("{s:{s:s}}", "metadata", "name", "q");
  assert_null(tug_controller_ref(orphan));
  assert_false(tug_controller_owner_key(orphan, "ReplicaSet", key, sizeof key));
  assert_false(tug_controller_owner_key(NULL, "ReplicaSet", key, sizeof key));
  json_decref(owner), json_decref(pod), json_decref(orphan);
}

static void indexes_file_pods_by_node_and_objects_by_owner_uid(void **state) {
  (void)state;
  json_t *owner =
      json_pack("{s:s, s:s, s:{s:s, s:s, s:s}}", "apiVersion", "apps/v1", "kind", "ReplicaSet",
                "metadata", "name", "web-1", "namespace", "ns", "uid", "rs-uid");
  json_t *pod = json_pack("{s:{s:s, s:[o]}, s:{s:s}}", "metadata", "name", "p", "ownerReferences",
                          tug_controller_ref_new(owner), "spec", "nodeName", "n1");
  json_t *loose = json_pack("{s:{s:s}, s:{}}", "metadata", "name", "q", "spec");
  char buf[64];
  assert_true(tug_index_pod_node(pod, buf, sizeof buf));
  assert_string_equal(buf, "n1");
  assert_true(tug_index_owner_uid(pod, buf, sizeof buf));
  assert_string_equal(buf, "rs-uid");
  assert_false(tug_index_pod_node(loose, buf, sizeof buf)); /* not bound: not filed */
  assert_false(tug_index_owner_uid(loose, buf, sizeof buf));
  assert_false(tug_index_pod_node(pod, buf, 2)); /* does not fit: not filed */
  json_decref(owner), json_decref(pod), json_decref(loose);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_expectations_wait_for_every_creation),
      cmocka_unit_test(test_deletions_count_once_per_uid),
      cmocka_unit_test(test_expectations_expire_so_a_lost_event_never_wedges_a_key),
      cmocka_unit_test(test_owner_key_follows_the_controller_reference_only),
      cmocka_unit_test(indexes_file_pods_by_node_and_objects_by_owner_uid),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
