/*
 * Tests of ControllerRevision history (history.c): which revisions go to
 * keep revisionHistoryLimit under the DaemonSet and the StatefulSet rule, the
 * data a revision holds; and of the failed daemon pods' back-off (backoff.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "backoff.h"
#include "history.h"
#include "object.h"

static void old_revisions_go_oldest_first_beyond_the_limit(void **state) {
  (void)state;
  ctl_history_rev revs[] = {
      {.revision = 3}, {.revision = 1}, {.revision = 2}, {.revision = 4, .current = true}};
  bool doomed[4];
  assert_int_equal(ctl_history_doomed(revs, 4, 1, false, doomed), 2);
  assert_true(doomed[1] && doomed[2]);
  assert_false(doomed[0] || doomed[3]);
  assert_int_equal(ctl_history_doomed(revs, 4, 3, false, doomed), 0);
}

static void a_revision_a_pod_runs_is_never_deleted(void **state) {
  (void)state;
  ctl_history_rev revs[] = {
      {.revision = 1, .live = true}, {.revision = 2}, {.revision = 3, .current = true}};
  bool doomed[3];
  /* StatefulSets: live revisions do not count, so one old one may stay */
  assert_int_equal(ctl_history_doomed(revs, 3, 1, false, doomed), 0);
  /* DaemonSets: every old revision counts, but a live one is skipped */
  assert_int_equal(ctl_history_doomed(revs, 3, 0, true, doomed), 1);
  assert_true(doomed[1]);
  assert_false(doomed[0]);
}

static void a_revision_holds_a_patch_that_replaces_the_template(void **state) {
  (void)state;
  json_t *ds = json_loads("{\"spec\":{\"template\":{\"metadata\":{\"labels\":{\"a\":\"b\"}},"
                          "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}}}",
                          0, NULL);
  json_t *data = ctl_history_template_data(ds);
  assert_string_equal(tug_obj_get_str(data, "spec.template.$patch"), "replace");
  assert_string_equal(tug_obj_get_str(data, "spec.template.metadata.labels.a"), "b");
  json_t *rev = json_pack("{s:O, s:I}", "data", data, "revision", (json_int_t)1);
  assert_non_null(ctl_history_template(rev));
  json_t *two = json_pack("[O, {s:I}]", rev, "revision", (json_int_t)7);
  assert_int_equal(ctl_history_max(two), 7);
  json_decref(ds), json_decref(data), json_decref(rev), json_decref(two);
}

static void failed_pod_backoff_doubles_up_to_its_cap_and_restarts_after_quiet(void **state) {
  (void)state;
  ctl_backoff *b = ctl_backoff_new(1, 4);
  double d;
  assert_false(ctl_backoff_waiting(b, "uid/n1", 100, &d));
  ctl_backoff_next(b, "uid/n1", 100);
  assert_true(ctl_backoff_waiting(b, "uid/n1", 100.5, &d));
  assert_true(d == 1);
  assert_false(ctl_backoff_waiting(b, "uid/n1", 101.5, &d));
  assert_false(ctl_backoff_waiting(b, "uid/n2", 100.5, &d)); /* per node */
  ctl_backoff_next(b, "uid/n1", 101.5);
  ctl_backoff_next(b, "uid/n1", 104);
  ctl_backoff_next(b, "uid/n1", 108);
  assert_true(ctl_backoff_waiting(b, "uid/n1", 111, &d));
  assert_true(d == 4);                /* 1, 2, 4, then capped */
  ctl_backoff_next(b, "uid/n1", 200); /* quiet for more than twice the cap */
  assert_true(ctl_backoff_waiting(b, "uid/n1", 200.5, &d));
  assert_true(d == 1);
  ctl_backoff_free(b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(old_revisions_go_oldest_first_beyond_the_limit),
      cmocka_unit_test(a_revision_a_pod_runs_is_never_deleted),
      cmocka_unit_test(a_revision_holds_a_patch_that_replaces_the_template),
      cmocka_unit_test(failed_pod_backoff_doubles_up_to_its_cap_and_restarts_after_quiet),
  };
  return cmocka_run_group_tests_name("history", tests, NULL, NULL);
}
