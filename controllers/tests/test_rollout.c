/*
 * Tests of the rolling-update arithmetic and the pod-template hash, checked
 * against the figures Kubernetes' deployment/util gives for the same input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "rollout.h"

static json_t *deployment(int replicas, const char *surge, const char *unavailable) {
  json_t *d = json_pack("{s:{s:i, s:{s:s, s:{}}}}", "spec", "replicas", replicas, "strategy",
                        "type", "RollingUpdate", "rollingUpdate");
  json_t *ru =
      json_object_get(json_object_get(json_object_get(d, "spec"), "strategy"), "rollingUpdate");
  if (surge)
    json_object_set_new(ru, "maxSurge",
                        surge[0] == '#' ? json_integer(atoi(surge + 1)) : json_string(surge));
  if (unavailable)
    json_object_set_new(ru, "maxUnavailable",
                        unavailable[0] == '#' ? json_integer(atoi(unavailable + 1))
                                              : json_string(unavailable));
  return d;
}

static void test_default_bounds_round_surge_up_and_unavailable_down(void **state) {
  (void)state;
  int64_t s, u;
  json_t *d = deployment(3, NULL, NULL);
  ctl_rollout_bounds(d, &s, &u);
  assert_int_equal(s, 1); /* ceil(0.75) */
  assert_int_equal(u, 0); /* floor(0.75) */
  json_decref(d);
  d = deployment(10, "25%", "25%");
  ctl_rollout_bounds(d, &s, &u);
  assert_int_equal(s, 3);
  assert_int_equal(u, 2);
  json_decref(d);
}

static void test_zero_surge_and_zero_unavailable_allows_one_unavailable(void **state) {
  (void)state;
  int64_t s, u;
  json_t *d = deployment(1, "#0", "10%");
  ctl_rollout_bounds(d, &s, &u);
  assert_int_equal(s, 0);
  assert_int_equal(u, 1);
  json_decref(d);
}

static void test_recreate_has_no_bounds_and_no_unavailable(void **state) {
  (void)state;
  json_t *d =
      json_pack("{s:{s:i, s:{s:s}}}", "spec", "replicas", 4, "strategy", "type", "Recreate");
  int64_t s, u;
  ctl_rollout_bounds(d, &s, &u);
  assert_int_equal(s, 0);
  assert_int_equal(u, 0);
  assert_int_equal(ctl_rollout_max_unavailable(d), 0);
  json_decref(d);
}

static void test_max_unavailable_never_exceeds_replicas(void **state) {
  (void)state;
  json_t *d = deployment(2, "#1", "#5");
  assert_int_equal(ctl_rollout_max_unavailable(d), 2);
  json_decref(d);
}

static void test_new_replicaset_grows_within_surge(void **state) {
  (void)state;
  /* 3 replicas, surge 1: old 3 + new 0 → new may go to 1. */
  assert_int_equal(ctl_rollout_new_replicas(3, 1, 3, 0), 1);
  /* Already at replicas + surge: stays. */
  assert_int_equal(ctl_rollout_new_replicas(3, 1, 4, 1), 1);
  /* Old shrank to 2: new may reach 2. */
  assert_int_equal(ctl_rollout_new_replicas(3, 1, 3, 1), 2);
  /* Never beyond replicas. */
  assert_int_equal(ctl_rollout_new_replicas(3, 5, 3, 2), 3);
}

static void test_old_side_waits_for_new_pods_to_be_available(void **state) {
  (void)state;
  /* 3 replicas, unavailable 0: old 3 + new 1 not yet available → nothing may go. */
  assert_true(ctl_rollout_max_scale_down(3, 0, 4, 1, 0) <= 0);
  /* The new pod is available: one old pod may go. */
  assert_int_equal(ctl_rollout_max_scale_down(3, 0, 4, 1, 1), 1);
}

static void test_unhealthy_old_pods_go_first_then_available_ones(void **state) {
  (void)state;
  ctl_rs_counts olds[] = {{.spec = 2, .available = 1}, {.spec = 3, .available = 3}};
  assert_int_equal(ctl_rollout_cleanup_unhealthy(olds, 2, 5), 1);
  assert_int_equal(olds[0].spec, 1);
  assert_int_equal(olds[1].spec, 3);
  /* 5 available, at least 3 must stay: 2 go, oldest first. */
  assert_int_equal(ctl_rollout_scale_down_old(olds, 2, 5, 3), 2);
  assert_int_equal(olds[0].spec, 0);
  assert_int_equal(olds[1].spec, 2);
  assert_int_equal(ctl_rollout_scale_down_old(olds, 2, 3, 3), 0);
}

static void test_percent_parsing_rejects_junk(void **state) {
  (void)state;
  json_t *bad = json_string("x%"), *neg = json_integer(-1), *pct = json_string("50%");
  assert_int_equal(ctl_int_or_percent(bad, 10, true, 7), 7);
  assert_int_equal(ctl_int_or_percent(neg, 10, true, 7), 7);
  assert_int_equal(ctl_int_or_percent(pct, 5, true, 0), 3);
  assert_int_equal(ctl_int_or_percent(pct, 5, false, 0), 2);
  json_decref(bad), json_decref(neg), json_decref(pct);
}

static void test_template_hash_ignores_its_own_label_and_follows_collisions(void **state) {
  (void)state;
  json_t *a = json_pack("{s:{s:{s:s}}, s:{s:[{s:s}]}}", "metadata", "labels", "app", "web", "spec",
                        "containers", "name", "main");
  json_t *b = json_deep_copy(a);
  json_object_set_new(json_object_get(json_object_get(b, "metadata"), "labels"), CTL_HASH_LABEL,
                      json_string("abc"));
  char ha[16], hb[16], hc[16];
  ctl_template_hash(a, 0, ha, sizeof ha);
  ctl_template_hash(b, 0, hb, sizeof hb);
  ctl_template_hash(a, 1, hc, sizeof hc);
  assert_string_equal(ha, hb);
  assert_string_not_equal(ha, hc);
  assert_true(strspn(ha, "bcdfghjklmnpqrstvwxz2456789") == strlen(ha));
  assert_true(ctl_templates_equal(a, b));
  json_object_set_new(json_object_get(json_object_get(b, "metadata"), "labels"), "app",
                      json_string("db"));
  assert_false(ctl_templates_equal(a, b));
  json_decref(a), json_decref(b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_default_bounds_round_surge_up_and_unavailable_down),
      cmocka_unit_test(test_zero_surge_and_zero_unavailable_allows_one_unavailable),
      cmocka_unit_test(test_recreate_has_no_bounds_and_no_unavailable),
      cmocka_unit_test(test_max_unavailable_never_exceeds_replicas),
      cmocka_unit_test(test_new_replicaset_grows_within_surge),
      cmocka_unit_test(test_old_side_waits_for_new_pods_to_be_available),
      cmocka_unit_test(test_unhealthy_old_pods_go_first_then_available_ones),
      cmocka_unit_test(test_percent_parsing_rejects_junk),
      cmocka_unit_test(test_template_hash_ignores_its_own_label_and_follows_collisions),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
