/*
 * Tests of the Deployment controller's reconcile (deployment.c,
 * deployment-status.c) against a recording client: the ReplicaSets it makes
 * and resizes, hash collisions, history clean-up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "ctl_fixture.h"
#include "deployment.h"
#include "object.h"

#define RS_PATH "/apis/apps/v1/namespaces/ns/replicasets"

static json_t *deployment(int replicas, const char *image) {
  json_t *d = fx_object("apps/v1", "Deployment", "ns", "web", "d-uid");
  json_object_set_new(d, "spec",
                      json_pack("{s:i, s:{s:{s:s}}, s:{s:{s:{s:s}}, s:{s:[{s:s, s:s}]}}}",
                                "replicas", replicas, "selector", "matchLabels", "app", "web",
                                "template", "metadata", "labels", "app", "web", "spec",
                                "containers", "name", "c", "image", image));
  return d;
}

/* A ReplicaSet of d's with spec.replicas n, all of them ready and available. */
static json_t *owned_rs(const json_t *d, const char *name, const char *uid, int n,
                        const char *revision, const char *image) {
  json_t *rs = fx_object("apps/v1", "ReplicaSet", "ns", name, uid);
  json_t *md = json_object_get(rs, "metadata");
  json_object_set_new(md, "labels", json_pack("{s:s}", "app", "web"));
  json_object_set_new(md, "ownerReferences", json_pack("[o]", tug_controller_ref_new(d)));
  json_object_set_new(
      md, "annotations",
      json_pack("{s:s, s:s}", CTL_REVISION_ANNOTATION, revision, CTL_DESIRED_ANNOTATION, "3"));
  json_object_set_new(rs, "spec",
                      json_pack("{s:i, s:{s:{s:s}}, s:{s:{s:{s:s}}, s:{s:[{s:s, s:s}]}}}",
                                "replicas", n, "selector", "matchLabels", "app", "web", "template",
                                "metadata", "labels", "app", "web", "spec", "containers", "name",
                                "c", "image", image));
  json_object_set_new(
      rs, "status",
      json_pack("{s:i, s:i, s:i}", "replicas", n, "readyReplicas", n, "availableReplicas", n));
  return rs;
}

static void test_a_new_deployment_gets_a_replicaset_of_revision_one(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(ctl_deployment_new);
  fx_put(f, CTL_DEPLOYMENTS, deployment(3, "busybox"));
  fx_reconcile(f, "ns/web");
  assert_int_equal(fx_sent(f, "POST", RS_PATH), 1);
  json_t *rs = fx_body(f, "POST", RS_PATH, 0);
  assert_int_equal(tug_obj_get_int(rs, "spec.replicas", -1), 3);
  assert_string_equal(tug_obj_annotation(rs, CTL_REVISION_ANNOTATION), "1");
  const char *hash = tug_obj_get_str(rs, "spec.selector.matchLabels.pod-template-hash");
  assert_non_null(hash);
  assert_string_equal(tug_obj_get_str(rs, "spec.template.metadata.labels.pod-template-hash"), hash);
  assert_string_equal(json_string_value(json_object_get(tug_controller_ref(rs), "uid")), "d-uid");
  fx_free(f);
}

static void test_a_hash_collision_bumps_collision_count(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(ctl_deployment_new);
  fx_put(f, CTL_DEPLOYMENTS, deployment(3, "busybox"));
  fake_api_answer(f->api, "POST", RS_PATH, 409,
                  json_pack("{s:s, s:i, s:s}", "kind", "Status", "code", 409, "message", "exists"));
  /* The ReplicaSet of that name belongs to someone else. */
  fake_api_answer(f->api, "GET", RS_PATH, 200, fx_object("apps/v1", "ReplicaSet", "ns", "x", "o"));
  tug_error err = {0};
  assert_int_equal(fx_reconcile_rc(f, "ns/web", &err), -1);
  assert_int_equal(err.code, TUG_E_CONFLICT);
  json_t *st = fx_body(f, "PUT", "/apis/apps/v1/namespaces/ns/deployments/web/status", 0);
  assert_int_equal(tug_obj_get_int(st, "status.collisionCount", -1), 1);
  fx_free(f);
}

static void test_a_new_template_surges_one_and_keeps_the_old_pods(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(ctl_deployment_new);
  json_t *d = deployment(3, "busybox:2");
  fx_put(f, CTL_DEPLOYMENTS, json_incref(d));
  fx_put(f, CTL_REPLICASETS, owned_rs(d, "web-old", "rs-old", 3, "1", "busybox:1"));
  fx_reconcile(f, "ns/web");
  /* 25 % of 3: one surge pod (rounded up), no unavailable one (rounded down) */
  json_t *rs = fx_body(f, "POST", RS_PATH, 0);
  assert_int_equal(tug_obj_get_int(rs, "spec.replicas", -1), 1);
  assert_string_equal(tug_obj_annotation(rs, CTL_REVISION_ANNOTATION), "2");
  for (size_t i = 0; i < fx_sent(f, "PATCH", RS_PATH "/web-old"); i++)
    assert_int_equal(
        tug_obj_get_int(fx_body(f, "PATCH", RS_PATH "/web-old", i), "spec.replicas", 3), 3);
  json_decref(d);
  fx_free(f);
}

static void test_scaling_resizes_the_only_replicaset(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(ctl_deployment_new);
  json_t *d = deployment(5, "busybox");
  fx_put(f, CTL_DEPLOYMENTS, json_incref(d));
  /* Reconcile once to learn the template's ReplicaSet name, then pretend it exists. */
  fx_reconcile(f, "ns/web");
  json_t *made = json_deep_copy(fx_body(f, "POST", RS_PATH, 0));
  json_object_set_new(json_object_get(made, "metadata"), "uid", json_string("rs-new"));
  json_object_set_new(json_object_get(made, "metadata"), "resourceVersion", json_string("7"));
  json_object_set_new(json_object_get(made, "spec"), "replicas", json_integer(2));
  fx_put(f, CTL_REPLICASETS, made);
  fake_api_reset(f->api);
  fx_reconcile(f, "ns/web");
  assert_int_equal(fx_sent(f, "POST", RS_PATH), 0);
  json_t *patch = fx_body(f, "PATCH", RS_PATH, 0);
  assert_int_equal(tug_obj_get_int(patch, "spec.replicas", -1), 5);
  assert_string_equal(tug_obj_get_str(patch, "metadata.resourceVersion"), "7");
  json_decref(d);
  fx_free(f);
}

static void test_history_beyond_the_limit_is_deleted(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(ctl_deployment_new);
  json_t *d = deployment(2, "busybox:2");
  json_object_set_new(json_object_get(d, "spec"), "revisionHistoryLimit", json_integer(0));
  fx_put(f, CTL_DEPLOYMENTS, json_incref(d));
  fx_reconcile(f, "ns/web");
  json_t *made = json_deep_copy(fx_body(f, "POST", RS_PATH, 0));
  json_object_set_new(json_object_get(made, "metadata"), "uid", json_string("rs-new"));
  json_object_set_new(
      made, "status",
      json_pack("{s:i, s:i, s:i}", "replicas", 2, "readyReplicas", 2, "availableReplicas", 2));
  fx_put(f, CTL_REPLICASETS, made);
  fx_put(f, CTL_REPLICASETS, owned_rs(d, "web-old", "rs-old", 0, "1", "busybox:1"));
  /* The status of a complete rollout, as the previous reconcile would have written it. */
  json_object_set_new(d, "status",
                      json_pack("{s:i, s:i, s:i, s:i, s:i}", "observedGeneration", 0, "replicas", 2,
                                "updatedReplicas", 2, "availableReplicas", 2, "readyReplicas", 2));
  fx_put(f, CTL_DEPLOYMENTS, json_incref(d));
  fake_api_reset(f->api);
  fx_reconcile(f, "ns/web");
  assert_int_equal(fx_sent(f, "DELETE", RS_PATH "/web-old"), 1);
  assert_string_equal(tug_obj_get_str(fx_body(f, "DELETE", RS_PATH, 0), "preconditions.uid"),
                      "rs-old");
  json_decref(d);
  fx_free(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_a_new_deployment_gets_a_replicaset_of_revision_one),
      cmocka_unit_test(test_a_hash_collision_bumps_collision_count),
      cmocka_unit_test(test_a_new_template_surges_one_and_keeps_the_old_pods),
      cmocka_unit_test(test_scaling_resizes_the_only_replicaset),
      cmocka_unit_test(test_history_beyond_the_limit_is_deleted),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
