/*
 * Tests of the ResourceQuota controller's reconcile (quota.c) against a
 * recording client: status.used recounted from the caches, finished pods not
 * counted, a lower recount checked against a live list before it is written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ctl_fixture.h"
#include "object.h"

#define QSTATUS "/api/v1/namespaces/ns/resourcequotas/q/status"

static json_t *quota(const char *used_pods) {
  json_t *q = fx_object("v1", "ResourceQuota", "ns", "q", "q-uid");
  json_object_set_new(q, "spec",
                      json_pack("{s:{s:s, s:s, s:s}}", "hard", "pods", "10", "requests.cpu", "4",
                                "count/services", "5"));
  if (used_pods)
    json_object_set_new(q, "status", json_pack("{s:{s:s}}", "used", "pods", used_pods));
  return q;
}

static json_t *pod_requesting(const char *name, const char *cpu, const char *phase) {
  json_t *p = fx_pod("ns", name, name, NULL, phase, true, NULL);
  json_object_set_new(json_array_get(tug_obj_get(p, "spec.containers"), 0), "resources",
                      json_pack("{s:{s:s}}", "requests", "cpu", cpu));
  return p;
}

static void test_used_counts_active_pods_cpu_and_services(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(ctl_quota_new);
  fx_put(f, CTL_QUOTAS, quota(NULL));
  fx_put(f, CTL_PODS, pod_requesting("a", "250m", "Running"));
  fx_put(f, CTL_PODS, pod_requesting("b", "1", "Pending"));
  fx_put(f, CTL_PODS, pod_requesting("done", "2", "Succeeded"));
  fx_put(f, CTL_SERVICES, fx_object("v1", "Service", "ns", "s", "s-uid"));
  fx_reconcile(f, "ns/q");
  json_t *st = fx_body(f, "PUT", QSTATUS, 0);
  assert_string_equal(tug_obj_get_str(st, "status.used.pods"), "2");
  json_t *used = tug_obj_get(st, "status.used");
  assert_string_equal(json_string_value(json_object_get(used, "requests.cpu")), "1250m");
  assert_string_equal(json_string_value(json_object_get(used, "count/services")), "1");
  assert_string_equal(json_string_value(json_object_get(tug_obj_get(st, "status.hard"), "pods")),
                      "10");
  fx_free(f);
}

static void test_a_recount_below_the_charge_is_checked_against_a_live_list(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(ctl_quota_new);
  /* Admission charged 3 pods; the cache shows one; the live list shows three. */
  fx_put(f, CTL_QUOTAS, quota("3"));
  fx_put(f, CTL_PODS, pod_requesting("a", "100m", "Running"));
  fake_api_answer(f->api, "GET", "/api/v1/namespaces/ns/pods", 200,
                  json_pack("{s:[o, o, o]}", "items", pod_requesting("a", "100m", "Running"),
                            pod_requesting("b", "100m", "Running"),
                            pod_requesting("c", "100m", "Running")));
  fx_reconcile(f, "ns/q");
  assert_int_equal(fx_sent(f, "GET", "/api/v1/namespaces/ns/pods"), 1);
  json_t *st = fx_body(f, "PUT", QSTATUS, 0);
  assert_string_equal(tug_obj_get_str(st, "status.used.pods"), "3");
  assert_string_equal(tug_obj_get_str(st, "metadata.resourceVersion"), "1");
  fx_free(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_used_counts_active_pods_cpu_and_services),
      cmocka_unit_test(test_a_recount_below_the_charge_is_checked_against_a_live_list),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
