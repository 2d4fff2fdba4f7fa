/*
 * Tests of the ReplicaSet controller's reconcile (replicaset.c) against a
 * recording client: what it creates, deletes, adopts and writes in status.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "ctl_fixture.h"
#include "object.h"

static json_t *replicaset(int replicas) {
  json_t *rs = fx_object("apps/v1", "ReplicaSet", "ns", "web", "rs-uid");
  json_object_set_new(rs, "spec",
                      json_pack("{s:i, s:{s:{s:s}}, s:{s:{s:{s:s}}, s:{s:[{s:s, s:s}]}}}",
                                "replicas", replicas, "selector", "matchLabels", "app", "web",
                                "template", "metadata", "labels", "app", "web", "spec",
                                "containers", "name", "c", "image", "busybox"));
  return rs;
}

static void test_creates_the_missing_pods_owned_by_the_replicaset(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(ctl_replicaset_new);
  json_t *rs = replicaset(3);
  fx_put(f, CTL_REPLICASETS, json_incref(rs));
  fx_reconcile(f, "ns/web");
  assert_int_equal(fx_sent(f, "POST", "/api/v1/namespaces/ns/pods"), 3);
  json_t *pod = fx_body(f, "POST", "/api/v1/namespaces/ns/pods", 0);
  assert_string_equal(tug_obj_get_str(pod, "metadata.labels.app"), "web");
  json_t *ref = tug_controller_ref(pod);
  assert_non_null(ref);
  assert_string_equal(json_string_value(json_object_get(ref, "uid")), "rs-uid");
  json_t *status = fx_body(f, "PUT", "/apis/apps/v1/namespaces/ns/replicasets/web/status", 0);
  assert_int_equal(tug_obj_get_int(status, "status.replicas", -1), 0);
  json_decref(rs);
  fx_free(f);
}

static void test_does_not_create_again_before_the_informer_sees_the_pods(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(ctl_replicaset_new);
  fx_put(f, CTL_REPLICASETS, replicaset(2));
  fx_reconcile(f, "ns/web");
  fx_reconcile(f, "ns/web");
  assert_int_equal(fx_sent(f, "POST", NULL), 2);
  fx_free(f);
}

static void test_deletes_the_least_valuable_extra_pod_with_its_uid(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(ctl_replicaset_new);
  json_t *rs = replicaset(1);
  fx_put(f, CTL_REPLICASETS, json_incref(rs));
  fx_put(f, CTL_PODS, fx_pod("ns", "ready", "u-ready", "{\"app\":\"web\"}", "Running", true, rs));
  fx_put(f, CTL_PODS,
         fx_pod("ns", "pending", "u-pending", "{\"app\":\"web\"}", "Pending", false, rs));
  fx_reconcile(f, "ns/web");
  assert_int_equal(fx_sent(f, "DELETE", NULL), 1);
  assert_int_equal(fx_sent(f, "DELETE", "/api/v1/namespaces/ns/pods/pending"), 1);
  json_t *opts = fx_body(f, "DELETE", NULL, 0);
  assert_string_equal(tug_obj_get_str(opts, "preconditions.uid"), "u-pending");
  assert_int_equal(fx_sent(f, "POST", NULL), 0);
  json_decref(rs);
  fx_free(f);
}

static void test_adopts_a_matching_orphan_instead_of_creating(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(ctl_replicaset_new);
  fx_put(f, CTL_REPLICASETS, replicaset(1));
  fx_put(f, CTL_PODS,
         fx_pod("ns", "orphan", "u-orphan", "{\"app\":\"web\"}", "Running", true, NULL));
  fx_put(f, CTL_PODS, fx_pod("ns", "other", "u-other", "{\"app\":\"db\"}", "Running", true, NULL));
  fx_reconcile(f, "ns/web");
  assert_int_equal(fx_sent(f, "PATCH", NULL), 1);
  json_t *patch = fx_body(f, "PATCH", "/api/v1/namespaces/ns/pods/orphan", 0);
  json_t *ref = json_array_get(tug_obj_get(patch, "metadata.ownerReferences"), 0);
  assert_string_equal(json_string_value(json_object_get(ref, "uid")), "rs-uid");
  assert_int_equal(fx_sent(f, "POST", NULL), 0);
  json_t *status = fx_body(f, "PUT", NULL, 0);
  assert_int_equal(tug_obj_get_int(status, "status.replicas", -1), 1);
  fx_free(f);
}

static void test_records_a_refused_create_in_a_replica_failure_condition(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(ctl_replicaset_new);
  fx_put(f, CTL_REPLICASETS, replicaset(4));
  fake_api_answer(
      f->api, "POST", "/api/v1/namespaces/ns/pods", 403,
      json_pack("{s:s, s:i, s:s}", "kind", "Status", "code", 403, "message", "exceeded quota: q"));
  tug_error err = {0};
  assert_int_equal(fx_reconcile_rc(f, "ns/web", &err), -1);
  /* slow start: the first batch of one fails, so no more are tried */
  assert_int_equal(fx_sent(f, "POST", NULL), 1);
  json_t *status = fx_body(f, "PUT", NULL, 0);
  json_t *cond = json_array_get(tug_obj_get(status, "status.conditions"), 0);
  assert_string_equal(json_string_value(json_object_get(cond, "type")), "ReplicaFailure");
  assert_non_null(strstr(json_string_value(json_object_get(cond, "message")), "exceeded quota"));
  fx_free(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_creates_the_missing_pods_owned_by_the_replicaset),
      cmocka_unit_test(test_does_not_create_again_before_the_informer_sees_the_pods),
      cmocka_unit_test(test_deletes_the_least_valuable_extra_pod_with_its_uid),
      cmocka_unit_test(test_adopts_a_matching_orphan_instead_of_creating),
      cmocka_unit_test(test_records_a_refused_create_in_a_replica_failure_condition),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
