/*
 * Tests of the Endpoints controller's reconcile (endpoints.c) against a
 * recording client: which pods land in addresses, and how ports resolve.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ctl_fixture.h"
#include "object.h"

#define EP "/api/v1/namespaces/ns/endpoints"

static json_t *service(void) {
  json_t *s = fx_object("v1", "Service", "ns", "web", "svc-uid");
  json_object_set_new(s, "spec",
                      json_pack("{s:{s:s}, s:[{s:s, s:i, s:s}]}", "selector", "app", "web", "ports",
                                "name", "http", "port", 80, "targetPort", "http"));
  return s;
}

/* A pod of app=web at ip serving its port "http" on port. */
static json_t *web_pod(const char *name, const char *ip, bool ready, int port) {
  json_t *p = fx_pod("ns", name, name, "{\"app\":\"web\"}", "Running", ready, NULL);
  json_object_set_new(json_object_get(p, "status"), "podIP", json_string(ip));
  json_t *ctr = json_array_get(tug_obj_get(p, "spec.containers"), 0);
  json_object_set_new(ctr, "ports",
                      json_pack("[{s:s, s:i}]", "name", "http", "containerPort", port));
  return p;
}

static void test_ready_and_unready_pods_go_to_their_lists_by_resolved_port(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(ctl_endpoints_new);
  fx_put(f, CTL_SERVICES, service());
  fx_put(f, CTL_PODS, web_pod("b", "10.0.0.2", true, 8080));
  fx_put(f, CTL_PODS, web_pod("a", "10.0.0.1", true, 8080));
  fx_put(f, CTL_PODS, web_pod("c", "10.0.0.3", false, 8080));
  fx_put(f, CTL_PODS, web_pod("d", "10.0.0.4", true, 9090));
  json_t *gone = web_pod("e", "10.0.0.5", true, 8080);
  json_object_set_new(json_object_get(gone, "status"), "phase", json_string("Succeeded"));
  fx_put(f, CTL_PODS, gone);
  fx_reconcile(f, "ns/web");
  json_t *ep = fx_body(f, "POST", EP, 0);
  json_t *subsets = json_object_get(ep, "subsets");
  assert_int_equal(json_array_size(subsets), 2);
  json_t *s8080 = json_array_get(subsets, 0);
  if (tug_obj_get_int(json_array_get(json_object_get(s8080, "ports"), 0), "port", 0) != 8080)
    s8080 = json_array_get(subsets, 1);
  json_t *addrs = json_object_get(s8080, "addresses");
  assert_int_equal(json_array_size(addrs), 2);
  assert_string_equal(tug_obj_get_str(json_array_get(addrs, 0), "ip"), "10.0.0.1");
  assert_string_equal(tug_obj_get_str(json_array_get(addrs, 1), "ip"), "10.0.0.2");
  json_t *unready = json_object_get(s8080, "notReadyAddresses");
  assert_int_equal(json_array_size(unready), 1);
  assert_string_equal(tug_obj_get_str(json_array_get(unready, 0), "ip"), "10.0.0.3");
  fx_free(f);
}

static void test_an_up_to_date_endpoints_is_not_written_again(void **state) {
  (void)state;
  ctl_fixture *f = fx_new(ctl_endpoints_new);
  fx_put(f, CTL_SERVICES, service());
  fx_put(f, CTL_PODS, web_pod("a", "10.0.0.1", true, 8080));
  fx_reconcile(f, "ns/web");
  json_t *ep = json_deep_copy(fx_body(f, "POST", EP, 0));
  fx_put(f, CTL_ENDPOINTS, ep);
  fake_api_reset(f->api);
  fx_reconcile(f, "ns/web");
  assert_int_equal(fx_sent(f, NULL, NULL), 0);
  /* A new pod: now the existing object is replaced (PUT), not created. */
  fx_put(f, CTL_PODS, web_pod("b", "10.0.0.2", true, 8080));
  fx_reconcile(f, "ns/web");
  assert_int_equal(fx_sent(f, "PUT", EP "/web"), 1);
  fx_free(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ready_and_unready_pods_go_to_their_lists_by_resolved_port),
      cmocka_unit_test(test_an_up_to_date_endpoints_is_not_written_again),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
