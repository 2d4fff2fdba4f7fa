/* Unit tests for the persistent volume rules: claim/volume matching, the
 * best volume, node pinning, and a node's local-path room. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first; the blank line keeps clang-format from
 * sorting it ahead of them. */

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "object.h"
#include "volume-rules.h"

static json_t *js(const char *text) {
  json_error_t e;
  json_t *v = json_loads(text, 0, &e);
  if (v == NULL)
    fail_msg("bad test JSON: %s: %s", e.text, text);
  return v;
}

#define CLAIM                                                                                      \
  "{\"metadata\":{\"name\":\"data\",\"namespace\":\"st\",\"uid\":\"u1\"},"                         \
  "\"spec\":{\"storageClassName\":\"manual\",\"accessModes\":[\"ReadWriteOnce\"],"                 \
  "\"resources\":{\"requests\":{\"storage\":\"1Gi\"}}}}"

static json_t *volume(const char *name, const char *size, const char *cls, const char *extra) {
  char buf[1024];
  snprintf(buf, sizeof buf,
           "{\"metadata\":{\"name\":\"%s\"},\"spec\":{\"capacity\":{\"storage\":\"%s\"},"
           "\"storageClassName\":\"%s\",\"accessModes\":[\"ReadWriteOnce\",\"ReadOnlyMany\"]%s},"
           "\"status\":{\"phase\":\"Available\"}}",
           name, size, cls, extra ? extra : "");
  return js(buf);
}

static void a_claim_is_served_by_a_big_enough_volume_of_its_class(void **state) {
  (void)state;
  json_t *pvc = js(CLAIM);
  json_t *fits = volume("a", "2Gi", "manual", NULL), *small = volume("b", "512Mi", "manual", NULL);
  json_t *other = volume("c", "2Gi", "fast", NULL);
  assert_true(tug_volume_satisfies(fits, pvc));
  assert_false(tug_volume_satisfies(small, pvc));
  assert_false(tug_volume_satisfies(other, pvc));
  assert_int_equal(tug_claim_request(pvc), 1024LL * 1024 * 1024);
  json_decref(pvc), json_decref(fits), json_decref(small), json_decref(other);
}

static void every_requested_access_mode_must_be_offered(void **state) {
  (void)state;
  json_t *pvc = js(CLAIM);
  json_object_set_new(json_object_get(pvc, "spec"), "accessModes",
                      json_pack("[s]", "ReadWriteMany"));
  json_t *pv = volume("a", "2Gi", "manual", NULL);
  assert_false(tug_volume_satisfies(pv, pvc));
  json_decref(pvc), json_decref(pv);
}

static void a_volume_reserved_for_another_claim_or_released_is_not_offered(void **state) {
  (void)state;
  json_t *pvc = js(CLAIM);
  json_t *mine = volume("a", "5Gi", "manual",
                        ",\"claimRef\":{\"namespace\":\"st\",\"name\":\"data\",\"uid\":\"u1\"}");
  json_t *theirs = volume("b", "1Gi", "manual",
                          ",\"claimRef\":{\"namespace\":\"st\",\"name\":\"data\",\"uid\":\"u0\"}");
  json_t *released = volume("c", "1Gi", "manual", NULL);
  json_object_set_new(json_object_get(released, "status"), "phase", json_string("Released"));
  assert_true(tug_volume_satisfies(mine, pvc));
  assert_false(tug_volume_satisfies(theirs, pvc));
  assert_false(tug_volume_satisfies(released, pvc));
  json_decref(pvc), json_decref(mine), json_decref(theirs), json_decref(released);
}

static void the_best_volume_is_the_reserved_one_else_the_smallest(void **state) {
  (void)state;
  json_t *pvc = js(CLAIM);
  json_t *pvs = json_array();
  json_array_append_new(pvs, volume("big", "10Gi", "manual", NULL));
  json_array_append_new(pvs, volume("snug", "1Gi", "manual", NULL));
  json_array_append_new(pvs, volume("mid", "3Gi", "manual", NULL));
  assert_string_equal(tug_obj_name(tug_volume_best(pvs, pvc)), "snug");
  json_array_append_new(pvs, volume("held", "8Gi", "manual",
                                    ",\"claimRef\":{\"namespace\":\"st\",\"name\":\"data\"}"));
  assert_string_equal(tug_obj_name(tug_volume_best(pvs, pvc)), "held");
  json_decref(pvc), json_decref(pvs);
}

static void a_claims_selector_narrows_the_volumes(void **state) {
  (void)state;
  json_t *pvc = js(CLAIM);
  json_object_set_new(json_object_get(pvc, "spec"), "selector",
                      json_pack("{s:{s:s}}", "matchLabels", "tier", "gold"));
  json_t *plain = volume("a", "2Gi", "manual", NULL);
  json_t *gold = volume("b", "2Gi", "manual", NULL);
  json_object_set_new(json_object_get(gold, "metadata"), "labels",
                      json_pack("{s:s}", "tier", "gold"));
  assert_false(tug_volume_satisfies(plain, pvc));
  assert_true(tug_volume_satisfies(gold, pvc));
  json_decref(pvc), json_decref(plain), json_decref(gold);
}

#define PINNED(node)                                                                               \
  ",\"nodeAffinity\":{\"required\":{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":"       \
  "\"kubernetes.io/hostname\",\"operator\":\"In\",\"values\":[\"" node "\"]}]}]}}"

static void a_local_volume_is_pinned_to_its_node(void **state) {
  (void)state;
  json_t *pv = volume("a", "1Gi", "local-path", PINNED("n1"));
  json_t *free_pv = volume("b", "1Gi", "local-path", NULL);
  json_t *n1 = json_pack("{s:s}", "kubernetes.io/hostname", "n1");
  json_t *n2 = json_pack("{s:s}", "kubernetes.io/hostname", "n2");
  assert_string_equal(tug_volume_node(pv), "n1");
  assert_true(tug_volume_node_matches(pv, "n1", n1));
  assert_false(tug_volume_node_matches(pv, "n2", n2));
  assert_true(tug_volume_node_matches(free_pv, "n2", n2));
  assert_null(tug_volume_node(free_pv));
  json_decref(pv), json_decref(free_pv), json_decref(n1), json_decref(n2);
}

static void a_nodes_local_path_room_counts_only_its_provisioned_volumes(void **state) {
  (void)state;
  json_t *pvs = json_array();
  json_t *a = volume("a", "3Gi", "local-path", PINNED("n1"));
  json_t *b = volume("b", "2Gi", "local-path", PINNED("n1"));
  json_t *c = volume("c", "4Gi", "local-path", PINNED("n2"));
  json_t *d = volume("d", "4Gi", "manual", PINNED("n1"));
  json_t *ann = json_pack("{s:s}", TUG_ANN_PROVISIONED_BY, TUG_LOCAL_PATH_PROVISIONER);
  json_object_set(json_object_get(a, "metadata"), "annotations", ann);
  json_object_set(json_object_get(b, "metadata"), "annotations", ann);
  json_object_set(json_object_get(c, "metadata"), "annotations", ann);
  json_array_append_new(pvs, a), json_array_append_new(pvs, b);
  json_array_append_new(pvs, c), json_array_append_new(pvs, d);
  int64_t gi = 1024LL * 1024 * 1024;
  assert_int_equal(tug_local_path_used(pvs, "n1"), 5 * gi);
  assert_int_equal(tug_local_path_used(pvs, "n2"), 4 * gi);
  assert_int_equal(tug_local_path_used(pvs, "n3"), 0);
  json_t *node = js("{\"metadata\":{\"name\":\"n1\",\"annotations\":"
                    "{\"local-path.tugboat.io/capacity\":\"10Gi\"}}}");
  json_t *none = js("{\"metadata\":{\"name\":\"n2\"}}");
  assert_int_equal(tug_local_path_capacity(node), 10 * gi);
  assert_int_equal(tug_local_path_capacity(none), -1);
  json_decref(pvs), json_decref(ann), json_decref(node), json_decref(none);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_claim_is_served_by_a_big_enough_volume_of_its_class),
      cmocka_unit_test(every_requested_access_mode_must_be_offered),
      cmocka_unit_test(a_volume_reserved_for_another_claim_or_released_is_not_offered),
      cmocka_unit_test(the_best_volume_is_the_reserved_one_else_the_smallest),
      cmocka_unit_test(a_claims_selector_narrows_the_volumes),
      cmocka_unit_test(a_local_volume_is_pinned_to_its_node),
      cmocka_unit_test(a_nodes_local_path_room_counts_only_its_provisioned_volumes),
  };
  return cmocka_run_group_tests_name("volume-rules", tests, NULL, NULL);
}
