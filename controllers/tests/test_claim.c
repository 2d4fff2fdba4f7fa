/*
 * Tests of adoption and release by selector (claim.c) against a recording
 * client.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ctl_fixture.h"
#include "object.h"

static json_t *owner(bool deleting) {
  json_t *rs = fx_object("apps/v1", "ReplicaSet", "ns", "web", "rs-uid");
  if (deleting)
    json_object_set_new(json_object_get(rs, "metadata"), "deletionTimestamp",
                        json_string("2026-01-01T00:00:00Z"));
  return rs;
}

static json_t *claim(ctl_fixture *f, const json_t *rs, json_t *candidates, int *failures) {
  tug_selector *sel = NULL;
  tug_error err = {0};
  assert_int_equal(tug_selector_parse("app=web", &sel, &err), 0);
  json_t *mine = ctl_claim(&f->x, rs, sel, candidates, failures);
  tug_selector_free(sel);
  json_decref(candidates);
  return mine;
}

static void test_releases_an_owned_pod_the_selector_no_longer_matches(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(fx_bare_controller);
  json_t *rs = owner(false);
  int failures = 0;
  json_t *mine =
      claim(f, rs,
            json_pack("[o, o]", fx_pod("ns", "kept", "k", "{\"app\":\"web\"}", "Running", true, rs),
                      fx_pod("ns", "moved", "m", "{\"app\":\"db\"}", "Running", true, rs)),
            &failures);
  assert_int_equal(json_array_size(mine), 1);
  assert_string_equal(tug_obj_name(json_array_get(mine, 0)), "kept");
  json_t *patch = fx_body(f, "PATCH", "/api/v1/namespaces/ns/pods/moved", 0);
  assert_int_equal(json_array_size(tug_obj_get(patch, "metadata.ownerReferences")), 0);
  assert_string_equal(tug_obj_get_str(patch, "metadata.resourceVersion"), "1");
  assert_int_equal(failures, 0);
  json_decref(mine);
  json_decref(rs);
  fx_free(f);
}

static void test_never_adopts_for_an_owner_being_deleted_or_a_pod_owned_elsewhere(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(fx_bare_controller);
  json_t *rs = owner(true), *other = fx_object("apps/v1", "ReplicaSet", "ns", "x", "other");
  int failures = 0;
  json_t *mine = claim(
      f, rs,
      json_pack("[o, o]", fx_pod("ns", "orphan", "o", "{\"app\":\"web\"}", "Running", true, NULL),
                fx_pod("ns", "theirs", "t", "{\"app\":\"web\"}", "Running", true, other)),
      &failures);
  assert_int_equal(json_array_size(mine), 0);
  assert_int_equal(fx_sent(f, NULL, NULL), 0);
  json_decref(mine);
  json_decref(rs);
  json_decref(other);
  fx_free(f);
}

static void test_a_conflicting_adoption_counts_as_a_failure_and_is_not_claimed(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(fx_bare_controller);
  json_t *rs = owner(false);
  fake_api_answer(
      f->api, "PATCH", "/api/v1/namespaces/ns/pods/orphan", 409,
      json_pack("{s:s, s:i, s:s}", "kind", "Status", "code", 409, "message", "changed"));
  int failures = 0;
  json_t *mine = claim(
      f, rs,
      json_pack("[o]", fx_pod("ns", "orphan", "o", "{\"app\":\"web\"}", "Running", true, NULL)),
      &failures);
  assert_int_equal(json_array_size(mine), 0);
  assert_int_equal(failures, 1);
  json_decref(mine);
  json_decref(rs);
  fx_free(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_releases_an_owned_pod_the_selector_no_longer_matches),
      cmocka_unit_test(test_never_adopts_for_an_owner_being_deleted_or_a_pod_owned_elsewhere),
      cmocka_unit_test(test_a_conflicting_adoption_counts_as_a_failure_and_is_not_claimed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
