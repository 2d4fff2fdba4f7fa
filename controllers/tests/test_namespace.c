/*
 * Tests of the namespace controller's reconcile (namespace.c) against a
 * recording client: a terminating namespace's collections are deleted, and
 * it is finalized only once they are empty.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ctl_fixture.h"
#include "object.h"

static json_t *terminating(void) {
  json_t *ns = fx_object("v1", "Namespace", NULL, "team", "ns-uid");
  json_object_set_new(json_object_get(ns, "metadata"), "deletionTimestamp",
                      json_string("2026-01-01T00:00:00Z"));
  json_object_set_new(ns, "spec", json_pack("{s:[s]}", "finalizers", "kubernetes"));
  return ns;
}

/* Discovery: pods (deletable, namespaced), nodes (cluster-scoped), one apps group. */
static void answer_discovery(fake_api *api) {
  fake_api_answer(api, "GET", "/api/v1", 200,
                  json_pack("{s:[{s:s, s:b, s:[s, s]}, {s:s, s:b, s:[s, s]}, {s:s, s:b, s:[s]}]}",
                            "resources", "name", "pods", "namespaced", 1, "verbs", "list",
                            "deletecollection", "name", "nodes", "namespaced", 0, "verbs", "list",
                            "deletecollection", "name", "pods/log", "namespaced", 1, "verbs",
                            "get"));
  fake_api_answer(
      api, "GET", "/apis", 200,
      json_pack("{s:[{s:{s:s}}]}", "groups", "preferredVersion", "groupVersion", "apps/v1"));
  fake_api_answer(api, "GET", "/apis/apps/v1", 200,
                  json_pack("{s:[{s:s, s:b, s:[s]}]}", "resources", "name", "deployments",
                            "namespaced", 1, "verbs", "deletecollection"));
}

static void test_deletes_every_namespaced_collection_then_waits_for_them(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(ctl_namespace_new);
  fx_put(f, CTL_NAMESPACES, terminating());
  answer_discovery(f->api);
  fake_api_answer(f->api, "GET", "/api/v1/namespaces/team/pods", 200,
                  json_pack("{s:[{}]}", "items")); /* a pod still stopping */
  fake_api_answer(f->api, "GET", "/apis/apps/v1/namespaces/team/deployments", 200,
                  json_pack("{s:[]}", "items"));
  fx_reconcile(f, "team");
  assert_int_equal(fx_sent(f, "DELETE", "/api/v1/namespaces/team/pods"), 1);
  assert_int_equal(fx_sent(f, "DELETE", "/apis/apps/v1/namespaces/team/deployments"), 1);
  assert_int_equal(fx_sent(f, "DELETE", "/api/v1/namespaces/team/nodes"), 0);
  assert_int_equal(fx_sent(f, "PUT", NULL), 0);
  fx_free(f);
}

static void test_an_empty_namespace_is_finalized_without_the_kubernetes_finalizer(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(ctl_namespace_new);
  fx_put(f, CTL_NAMESPACES, terminating());
  answer_discovery(f->api);
  fake_api_answer(f->api, "GET", "/api/v1/namespaces/team/pods", 200, json_pack("{s:[]}", "items"));
  fake_api_answer(f->api, "GET", "/apis/apps/v1/namespaces/team/deployments", 200,
                  json_pack("{s:[]}", "items"));
  fx_reconcile(f, "team");
  json_t *ns = fx_body(f, "PUT", "/api/v1/namespaces/team/finalize", 0);
  assert_int_equal(json_array_size(tug_obj_get(ns, "spec.finalizers")), 0);
  fx_free(f);
}

static void test_a_live_namespace_is_left_alone(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(ctl_namespace_new);
  fx_put(f, CTL_NAMESPACES, fx_object("v1", "Namespace", NULL, "team", "ns-uid"));
  fx_reconcile(f, "team");
  assert_int_equal(fx_sent(f, NULL, NULL), 0);
  fx_free(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_deletes_every_namespaced_collection_then_waits_for_them),
      cmocka_unit_test(test_an_empty_namespace_is_finalized_without_the_kubernetes_finalizer),
      cmocka_unit_test(test_a_live_namespace_is_left_alone),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
