/*
 * Tests of the garbage collector's reconcile (gc.c) against a recording
 * client: dependents of gone owners are deleted, of live ones kept; the
 * orphan and foreground finalizers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include "ctl_fixture.h"
#include "object.h"

#define POD_KEY(name) "0|ns/" name /* "<resource>|ns/name", CTL_PODS */

static json_t *rs(const char *name, const char *uid) {
  return fx_object("apps/v1", "ReplicaSet", "ns", name, uid);
}

static void test_a_pod_whose_owner_is_gone_is_deleted_in_the_background(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(ctl_gc_new);
  json_t *owner = rs("gone", "rs-gone");
  fx_put(f, CTL_PODS, fx_pod("ns", "p", "pod-uid", NULL, "Running", true, owner));
  fx_reconcile(f, POD_KEY("p"));
  /* checked live before deleting: the cache may lag */
  assert_int_equal(fx_sent(f, "GET", "/apis/apps/v1/namespaces/ns/replicasets/gone"), 1);
  json_t *opts = fx_body(f, "DELETE", "/api/v1/namespaces/ns/pods/p", 0);
  assert_string_equal(tug_obj_get_str(opts, "propagationPolicy"), "Background");
  assert_string_equal(tug_obj_get_str(opts, "preconditions.uid"), "pod-uid");
  json_decref(owner);
  fx_free(f);
}

static void test_an_owner_of_the_same_name_with_another_uid_is_not_the_owner(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(ctl_gc_new);
  json_t *owner = rs("web", "rs-old");
  fx_put(f, CTL_REPLICASETS, rs("web", "rs-new"));
  fx_put(f, CTL_PODS, fx_pod("ns", "p", "pod-uid", NULL, "Running", true, owner));
  fake_api_answer(f->api, "GET", "/apis/apps/v1/namespaces/ns/replicasets/web", 200,
                  rs("web", "rs-new"));
  fx_reconcile(f, POD_KEY("p"));
  assert_int_equal(fx_sent(f, "DELETE", "/api/v1/namespaces/ns/pods/p"), 1);
  json_decref(owner);
  fx_free(f);
}

static void test_a_live_owner_keeps_its_dependent_and_a_gone_one_is_dropped(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(ctl_gc_new);
  json_t *live = rs("live", "rs-live"), *gone = rs("gone", "rs-gone");
  fx_put(f, CTL_REPLICASETS, json_incref(live));
  json_t *pod = fx_pod("ns", "p", "pod-uid", NULL, "Running", true, live);
  json_t *ref = tug_controller_ref_new(gone);
  json_object_set_new(ref, "controller", json_false());
  json_array_append_new(tug_obj_get(pod, "metadata.ownerReferences"), ref);
  fx_put(f, CTL_PODS, pod);
  fx_reconcile(f, POD_KEY("p"));
  assert_int_equal(fx_sent(f, "DELETE", NULL), 0);
  json_t *patch = fx_body(f, "PATCH", "/api/v1/namespaces/ns/pods/p", 0);
  json_t *refs = tug_obj_get(patch, "metadata.ownerReferences");
  assert_int_equal(json_array_size(refs), 1);
  assert_string_equal(tug_obj_get_str(json_array_get(refs, 0), "uid"), "rs-live");
  json_decref(live);
  json_decref(gone);
  fx_free(f);
}

/* owner being deleted with finalizer f, one pod depending on it */
static json_t *deleting_owner(ctl_fixture *f, const char *finalizer) {
  json_t *owner = rs("web", "rs-uid");
  json_t *md = json_object_get(owner, "metadata");
  json_object_set_new(md, "deletionTimestamp", json_string("2026-01-01T00:00:00Z"));
  json_object_set_new(md, "finalizers", json_pack("[s]", finalizer));
  fx_put(f, CTL_REPLICASETS, json_incref(owner));
  fx_put(f, CTL_PODS, fx_pod("ns", "dep", "dep-uid", NULL, "Running", true, owner));
  return owner;
}

static void test_orphan_strips_the_owner_from_dependents_then_the_finalizer(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(ctl_gc_new);
  json_decref(deleting_owner(f, "orphan"));
  fx_reconcile(f, "1|ns/web"); /* CTL_REPLICASETS */
  json_t *dep = fx_body(f, "PATCH", "/api/v1/namespaces/ns/pods/dep", 0);
  assert_int_equal(json_array_size(tug_obj_get(dep, "metadata.ownerReferences")), 0);
  json_t *own = fx_body(f, "PATCH", "/apis/apps/v1/namespaces/ns/replicasets/web", 0);
  assert_int_equal(json_array_size(tug_obj_get(own, "metadata.finalizers")), 0);
  assert_int_equal(fx_sent(f, "DELETE", NULL), 0);
  fx_free(f);
}

static void test_foreground_deletes_dependents_before_the_finalizer_goes(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(ctl_gc_new);
  json_decref(deleting_owner(f, "foregroundDeletion"));
  fx_reconcile(f, "1|ns/web");
  json_t *opts = fx_body(f, "DELETE", "/api/v1/namespaces/ns/pods/dep", 0);
  assert_string_equal(tug_obj_get_str(opts, "propagationPolicy"), "Foreground");
  assert_int_equal(fx_sent(f, "PATCH", NULL), 0);
  fx_free(f);
}

static void test_an_owner_of_a_kind_it_cannot_look_up_is_kept(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(ctl_gc_new);
  json_t *owner = fx_object("example.com/v1", "Widget", "ns", "w", "w-uid");
  fx_put(f, CTL_PODS, fx_pod("ns", "p", "pod-uid", NULL, "Running", true, owner));
  fx_reconcile(f, POD_KEY("p"));
  assert_int_equal(fx_sent(f, NULL, NULL), 0);
  json_decref(owner);
  fx_free(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_a_pod_whose_owner_is_gone_is_deleted_in_the_background),
      cmocka_unit_test(test_an_owner_of_the_same_name_with_another_uid_is_not_the_owner),
      cmocka_unit_test(test_a_live_owner_keeps_its_dependent_and_a_gone_one_is_dropped),
      cmocka_unit_test(test_orphan_strips_the_owner_from_dependents_then_the_finalizer),
      cmocka_unit_test(test_foreground_deletes_dependents_before_the_finalizer_goes),
      cmocka_unit_test(test_an_owner_of_a_kind_it_cannot_look_up_is_kept),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
