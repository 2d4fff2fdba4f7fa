/* Unit tests for the StatefulSet ordinal plan: ordered and parallel
 * creation, reverse-order scale down, rolling updates down to the partition. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first; the blank line keeps clang-format from
 * sorting it ahead of them. */

#include <cmocka.h>

#include "statefulset-plan.h"

#define READY(o)                                                                                   \
  { .ordinal = (o), .ready = true, .updated = true }

static size_t plan(const ctl_sts_spec *s, const ctl_sts_pod *pods, size_t n, ctl_sts_action *out) {
  return ctl_sts_plan(s, pods, n, out, 16);
}

static void ordered_ready_creates_the_lowest_missing_ordinal_only(void **state) {
  (void)state;
  ctl_sts_spec s = {.replicas = 3};
  ctl_sts_action a[16];
  assert_int_equal(plan(&s, NULL, 0, a), 1);
  assert_int_equal(a[0].verb, CTL_STS_CREATE);
  assert_int_equal(a[0].ordinal, 0);
  ctl_sts_pod one[] = {READY(0)};
  assert_int_equal(plan(&s, one, 1, a), 1);
  assert_int_equal(a[0].ordinal, 1);
}

static void ordered_ready_waits_for_a_pod_that_is_not_ready(void **state) {
  (void)state;
  ctl_sts_spec s = {.replicas = 3};
  ctl_sts_pod pods[] = {READY(0), {.ordinal = 1, .updated = true}};
  ctl_sts_action a[16];
  assert_int_equal(plan(&s, pods, 2, a), 0);
}

static void parallel_creates_every_missing_ordinal_at_once(void **state) {
  (void)state;
  ctl_sts_spec s = {.replicas = 3, .parallel = true};
  ctl_sts_pod pods[] = {{.ordinal = 1, .updated = true}};
  ctl_sts_action a[16];
  assert_int_equal(plan(&s, pods, 1, a), 2);
  assert_int_equal(a[0].ordinal, 0);
  assert_int_equal(a[1].ordinal, 2);
}

static void a_failed_pod_is_deleted_to_be_made_again(void **state) {
  (void)state;
  ctl_sts_spec s = {.replicas = 2};
  ctl_sts_pod pods[] = {{.ordinal = 0, .failed = true, .updated = true}, READY(1)};
  ctl_sts_action a[16];
  assert_int_equal(plan(&s, pods, 2, a), 1);
  assert_int_equal(a[0].verb, CTL_STS_DELETE);
  assert_int_equal(a[0].ordinal, 0);
}

static void scale_down_removes_the_highest_first_one_at_a_time(void **state) {
  (void)state;
  ctl_sts_spec s = {.replicas = 1};
  ctl_sts_pod pods[] = {READY(0), READY(1), READY(2)};
  ctl_sts_action a[16];
  assert_int_equal(plan(&s, pods, 3, a), 1);
  assert_int_equal(a[0].verb, CTL_STS_DELETE);
  assert_int_equal(a[0].ordinal, 2);
  pods[2].terminating = true;
  assert_int_equal(plan(&s, pods, 3, a), 0); /* web-1 waits for web-2 to be gone */
  s.parallel = true;
  pods[2].terminating = false;
  assert_int_equal(plan(&s, pods, 3, a), 2);
}

static void a_rolling_update_replaces_from_the_top_down_to_the_partition(void **state) {
  (void)state;
  ctl_sts_spec s = {.replicas = 3, .partition = 1};
  ctl_sts_pod pods[] = {READY(0), READY(1), READY(2)};
  for (int i = 0; i < 3; i++)
    pods[i].updated = false;
  ctl_sts_action a[16];
  assert_int_equal(plan(&s, pods, 3, a), 1);
  assert_int_equal(a[0].ordinal, 2);
  pods[2].updated = true;
  assert_int_equal(plan(&s, pods, 3, a), 1);
  assert_int_equal(a[0].ordinal, 1);
  pods[1].updated = true;
  assert_int_equal(plan(&s, pods, 3, a), 0); /* web-0 is below the partition */
  s.on_delete = true;
  s.partition = 0;
  assert_int_equal(plan(&s, pods, 3, a), 0); /* OnDelete: the user deletes */
}

static void max_unavailable_replaces_that_many_pods_at_once_from_the_top(void **state) {
  (void)state;
  ctl_sts_spec s = {.replicas = 4, .max_unavailable = 2};
  ctl_sts_pod pods[] = {READY(0), READY(1), READY(2), READY(3)};
  for (int i = 0; i < 4; i++)
    pods[i].updated = false;
  ctl_sts_action a[16];
  assert_int_equal(plan(&s, pods, 4, a), 2);
  assert_int_equal(a[0].verb, CTL_STS_DELETE);
  assert_int_equal(a[0].ordinal, 3);
  assert_int_equal(a[1].ordinal, 2);
  s.partition = 3;
  assert_int_equal(plan(&s, pods, 4, a), 1); /* the partition still holds */
  assert_int_equal(a[0].ordinal, 3);
}

static void pods_that_are_down_count_against_max_unavailable(void **state) {
  (void)state;
  ctl_sts_spec s = {.replicas = 3, .max_unavailable = 2, .parallel = true};
  ctl_sts_pod pods[] = {READY(0), READY(1), {.ordinal = 2, .updated = true}};
  pods[0].updated = pods[1].updated = false;
  ctl_sts_action a[16];
  /* Parallel: web-2 is still coming up, so only one more may go */
  assert_int_equal(plan(&s, pods, 3, a), 1);
  assert_int_equal(a[0].ordinal, 1);
  pods[1].terminating = true;
  assert_int_equal(plan(&s, pods, 3, a), 0);
  /* OrderedReady waits for every pod whatever the budget */
  s.parallel = false;
  pods[1].terminating = false;
  assert_int_equal(plan(&s, pods, 3, a), 0);
}

static void ordinals_start_where_the_set_says(void **state) {
  (void)state;
  ctl_sts_spec s = {.replicas = 2, .start = 5};
  ctl_sts_pod pods[] = {READY(5), READY(0)};
  ctl_sts_action a[16];
  assert_int_equal(plan(&s, pods, 2, a), 1);
  assert_int_equal(a[0].verb, CTL_STS_CREATE);
  assert_int_equal(a[0].ordinal, 6);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(ordered_ready_creates_the_lowest_missing_ordinal_only),
      cmocka_unit_test(ordered_ready_waits_for_a_pod_that_is_not_ready),
      cmocka_unit_test(parallel_creates_every_missing_ordinal_at_once),
      cmocka_unit_test(a_failed_pod_is_deleted_to_be_made_again),
      cmocka_unit_test(scale_down_removes_the_highest_first_one_at_a_time),
      cmocka_unit_test(a_rolling_update_replaces_from_the_top_down_to_the_partition),
      cmocka_unit_test(max_unavailable_replaces_that_many_pods_at_once_from_the_top),
      cmocka_unit_test(pods_that_are_down_count_against_max_unavailable),
      cmocka_unit_test(ordinals_start_where_the_set_says),
  };
  return cmocka_run_group_tests_name("statefulset-plan", tests, NULL, NULL);
}
