/*
 * Tests of creating and deleting an owner's pods (podcontrol.c) against a
 * recording client: slow-start batches, expectations, uid preconditions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>

#include "ctl_fixture.h"
#include "object.h"

#define PODS "/api/v1/namespaces/ns/pods"

static json_t *template(void) {
  return json_pack("{s:{s:{s:s}}, s:{s:[{s:s, s:s}]}}", "metadata", "labels", "app", "web", "spec",
                   "containers", "name", "c", "image", "busybox");
}

/* key's expectations are met after exactly n more observed creations. */
static void assert_expects_creations(ctl_fixture *f, const char *key, int n) {
  tug_expectations *e = tug_controller_expectations(f->c);
  for (int i = 0; i < n - 1; i++)
    tug_expectations_creation_observed(e, key);
  assert_false(tug_expectations_satisfied(e, key));
  tug_expectations_creation_observed(e, key);
  assert_true(tug_expectations_satisfied(e, key));
}

static void test_creates_all_pods_and_expects_each(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(fx_bare_controller);
  json_t *rs = fx_object("apps/v1", "ReplicaSet", "ns", "web", "rs-uid"), *tmpl = template();
  tug_error err = {0};
  assert_int_equal(ctl_create_pods(&f->x, f->c, "ns/web", rs, tmpl, 10, &err), 0);
  assert_int_equal(fx_sent(f, "POST", PODS), 10);
  assert_expects_creations(f, "ns/web", 10);
  json_decref(rs);
  json_decref(tmpl);
  fx_free(f);
}

static void test_a_refused_batch_stops_the_creates_and_lowers_expectations(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(fx_bare_controller);
  json_t *rs = fx_object("apps/v1", "ReplicaSet", "ns", "web", "rs-uid"), *tmpl = template();
  /* batch 1 (one pod) succeeds; batch 2 (two pods): one refused; no batch 3 */
  fake_api_answer(f->api, "POST", PODS, 201, fx_pod("ns", "a", "a", NULL, "Pending", false, rs));
  fake_api_answer(f->api, "POST", PODS, 201, fx_pod("ns", "b", "b", NULL, "Pending", false, rs));
  fake_api_answer(f->api, "POST", PODS, 403,
                  json_pack("{s:s, s:i, s:s}", "kind", "Status", "code", 403, "message", "quota"));
  tug_error err = {0};
  assert_int_equal(ctl_create_pods(&f->x, f->c, "ns/web", rs, tmpl, 10, &err), -1);
  assert_int_equal(err.code, EACCES);
  assert_int_equal(fx_sent(f, "POST", PODS), 3);
  assert_expects_creations(f, "ns/web", 2); /* the two made, not the eight never sent */
  json_decref(rs);
  json_decref(tmpl);
  fx_free(f);
}

static void test_deletes_the_n_least_valuable_with_uid_preconditions(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(fx_bare_controller);
  json_t *rs = fx_object("apps/v1", "ReplicaSet", "ns", "web", "rs-uid");
  json_t *pods = json_pack("[o, o, o]", fx_pod("ns", "ready", "u1", NULL, "Running", true, rs),
                           fx_pod("ns", "pending", "u2", NULL, "Pending", false, rs),
                           fx_pod("ns", "unready", "u3", NULL, "Running", false, rs));
  assert_int_equal(ctl_delete_pods(&f->x, f->c, "ns/web", rs, pods, 2), 0);
  assert_int_equal(fx_sent(f, "DELETE", NULL), 2);
  assert_int_equal(fx_sent(f, "DELETE", PODS "/pending"), 1);
  assert_int_equal(fx_sent(f, "DELETE", PODS "/unready"), 1);
  tug_expectations *e = tug_controller_expectations(f->c);
  assert_false(tug_expectations_satisfied(e, "ns/web"));
  tug_expectations_deletion_observed(e, "ns/web", "u2");
  tug_expectations_deletion_observed(e, "ns/web", "u3");
  assert_true(tug_expectations_satisfied(e, "ns/web"));
  json_decref(pods);
  json_decref(rs);
  fx_free(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_creates_all_pods_and_expects_each),
      cmocka_unit_test(test_a_refused_batch_stops_the_creates_and_lowers_expectations),
      cmocka_unit_test(test_deletes_the_n_least_valuable_with_uid_preconditions),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
