/*
 * What a starting pod learns about Services: kubelet's environment variables
 * and the /etc/hosts lines, and how a container's own env wins over them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first. */

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "agent-network-env.h"
#include "agent-podspec.h"
#include "cleanup.h"

static json_t *services(void) {
  return json_loads("[{\"metadata\": {\"name\": \"my-web\", \"namespace\": \"demo\"},"
                    "  \"spec\": {\"clusterIP\": \"198.19.0.10\", \"ports\": ["
                    "    {\"name\": \"http\", \"port\": 80, \"protocol\": \"TCP\"},"
                    "    {\"name\": \"dns\", \"port\": 53, \"protocol\": \"UDP\"}]}},"
                    " {\"metadata\": {\"name\": \"api\", \"namespace\": \"demo\"},"
                    "  \"spec\": {\"clusterIP\": \"198.19.0.11\", \"ports\": [{\"port\": 8080}]}},"
                    " {\"metadata\": {\"name\": \"headless\", \"namespace\": \"demo\"},"
                    "  \"spec\": {\"clusterIP\": \"None\", \"ports\": [{\"port\": 1}]}},"
                    " {\"metadata\": {\"name\": \"other\", \"namespace\": \"prod\"},"
                    "  \"spec\": {\"clusterIP\": \"198.19.0.12\", \"ports\": [{\"port\": 443}]}}]",
                    0, NULL);
}

static const char *var(const json_t *env, const char *name) {
  return json_string_value(json_object_get(env, name));
}

static void test_env_has_kubelets_variables_for_the_namespace(void **state) {
  (void)state;
  _cleanup_json_ json_t *svcs = services();
  _cleanup_json_ json_t *env = agent_service_env(svcs, "demo");
  assert_string_equal(var(env, "MY_WEB_SERVICE_HOST"), "198.19.0.10");
  assert_string_equal(var(env, "MY_WEB_SERVICE_PORT"), "80");
  assert_string_equal(var(env, "MY_WEB_SERVICE_PORT_HTTP"), "80");
  assert_string_equal(var(env, "MY_WEB_SERVICE_PORT_DNS"), "53");
  assert_string_equal(var(env, "MY_WEB_PORT"), "tcp://198.19.0.10:80");
  assert_string_equal(var(env, "MY_WEB_PORT_80_TCP"), "tcp://198.19.0.10:80");
  assert_string_equal(var(env, "MY_WEB_PORT_80_TCP_PROTO"), "tcp");
  assert_string_equal(var(env, "MY_WEB_PORT_80_TCP_PORT"), "80");
  assert_string_equal(var(env, "MY_WEB_PORT_80_TCP_ADDR"), "198.19.0.10");
  assert_string_equal(var(env, "MY_WEB_PORT_53_UDP"), "udp://198.19.0.10:53");
  assert_string_equal(var(env, "API_SERVICE_HOST"), "198.19.0.11");
  assert_string_equal(var(env, "API_PORT_8080_TCP"), "tcp://198.19.0.11:8080");
  assert_null(var(env, "HEADLESS_SERVICE_HOST"));
  assert_null(var(env, "OTHER_SERVICE_HOST"));
  assert_int_equal(json_object_size(env), 13 + 7);
}

static void test_every_pod_sees_the_kubernetes_service(void **state) {
  (void)state;
  _cleanup_json_ json_t *svcs = services();
  json_array_append_new(svcs,
                        json_pack("{s:{s:s, s:s}, s:{s:s, s:[{s:s, s:i}]}}", "metadata", "name",
                                  "kubernetes", "namespace", "default", "spec", "clusterIP",
                                  "198.19.0.1", "ports", "name", "https", "port", 443));
  _cleanup_json_ json_t *env = agent_service_env(svcs, "demo");
  assert_string_equal(var(env, "KUBERNETES_SERVICE_HOST"), "198.19.0.1");
  assert_string_equal(var(env, "KUBERNETES_SERVICE_PORT"), "443");
  assert_string_equal(var(env, "KUBERNETES_SERVICE_PORT_HTTPS"), "443");
  assert_string_equal(var(env, "KUBERNETES_PORT_443_TCP"), "tcp://198.19.0.1:443");
}

static void test_hosts_name_every_service_and_the_pod(void **state) {
  (void)state;
  _cleanup_json_ json_t *svcs = services();
  _cleanup_free_ char *hosts = agent_service_hosts(svcs, "demo", "198.18.3.7", "web-1");
  assert_non_null(strstr(hosts, "127.0.0.1\tlocalhost\n"));
  assert_non_null(strstr(hosts, "198.18.3.7\tweb-1\n"));
  assert_non_null(strstr(hosts, "198.19.0.11\tapi.demo.svc api.demo.svc.cluster.local api\n"));
  assert_non_null(
      strstr(hosts, "198.19.0.10\tmy-web.demo.svc my-web.demo.svc.cluster.local my-web\n"));
  /* Another namespace's Service by its full name only. */
  assert_non_null(strstr(hosts, "198.19.0.12\tother.prod.svc other.prod.svc.cluster.local\n"));
  assert_null(strstr(hosts, "headless"));
  /* Sorted: api before my-web. */
  assert_true(strstr(hosts, "api.demo") < strstr(hosts, "my-web.demo"));
}

static void test_hosts_without_an_address(void **state) {
  (void)state;
  _cleanup_json_ json_t *none = json_array();
  _cleanup_free_ char *hosts = agent_service_hosts(none, "demo", "", "solo");
  assert_non_null(strstr(hosts, "127.0.1.1\tsolo\n"));
}

static void test_containers_own_env_wins_over_services(void **state) {
  (void)state;
  _cleanup_json_ json_t *svcs = services();
  _cleanup_json_ json_t *env = agent_service_env(svcs, "demo");
  _cleanup_json_ json_t *ctr = json_loads(
      "{\"name\": \"c\", \"env\": [{\"name\": \"API_SERVICE_HOST\", \"value\": \"mine\"}]}", 0,
      NULL);
  agent_ctr_plan plan;
  tug_error err = {0};
  assert_int_equal(agent_podspec_plan(ctr, NULL, "p", env, 0, &plan, &err), 0);
  int api_host = 0;
  bool web = false;
  for (char **e = plan.env; *e; e++) {
    api_host += strncmp(*e, "API_SERVICE_HOST=", 17) == 0;
    web |= strcmp(*e, "MY_WEB_SERVICE_HOST=198.19.0.10") == 0;
    if (strncmp(*e, "API_SERVICE_HOST=", 17) == 0)
      assert_string_equal(*e, "API_SERVICE_HOST=mine");
  }
  assert_int_equal(api_host, 1);
  assert_true(web);
  agent_podspec_plan_free(&plan);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_env_has_kubelets_variables_for_the_namespace),
      cmocka_unit_test(test_every_pod_sees_the_kubernetes_service),
      cmocka_unit_test(test_hosts_name_every_service_and_the_pod),
      cmocka_unit_test(test_hosts_without_an_address),
      cmocka_unit_test(test_containers_own_env_wins_over_services),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
