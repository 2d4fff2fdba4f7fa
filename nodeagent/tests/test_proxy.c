/*
 * Services as nftables rules: what agent_proxy_render writes for ClusterIP and
 * NodePort Services, and that nftables itself accepts, updates, replaces and
 * deletes the table (in a private user + network namespace, so no root is
 * needed): an update in place must leave the table a fresh apply would make.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first. */

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <nftables/libnftables.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "network/proxy.h"
#include "nft_fixture.h"

static const agent_proxy_config cfg = {.node_ip = "198.19.200.11",
                                       .cluster_cidr = "198.18.0.0/16",
                                       .service_cidr = "198.19.0.0/17",
                                       .bridge = "tug0"};

static json_t *parse(const char *text) {
  json_error_t e;
  json_t *j = json_loads(text, 0, &e);
  if (j == NULL)
    fail_msg("bad test JSON: %s", e.text);
  return j;
}

/* web: ClusterIP, 3 ready + 1 not ready. shop/cart: NodePort, two named ports.
 * dns: UDP. idle: no endpoints. */
static const char services_json[] =
    "[{\"metadata\": {\"name\": \"web\", \"namespace\": \"demo\"},"
    "  \"spec\": {\"clusterIP\": \"198.19.0.10\", \"ports\": ["
    "    {\"port\": 80, \"targetPort\": 8080, \"protocol\": \"TCP\"}]}},"
    " {\"metadata\": {\"name\": \"cart\", \"namespace\": \"shop\"},"
    "  \"spec\": {\"type\": \"NodePort\", \"clusterIP\": \"198.19.0.20\", \"ports\": ["
    "    {\"name\": \"http\", \"port\": 80, \"targetPort\": 8080, \"nodePort\": 30080},"
    "    {\"name\": \"admin\", \"port\": 9000, \"targetPort\": 9090, \"nodePort\": 30090}]}},"
    " {\"metadata\": {\"name\": \"dns\", \"namespace\": \"kube-system\"},"
    "  \"spec\": {\"clusterIP\": \"198.19.0.53\", \"ports\": ["
    "    {\"name\": \"dns\", \"port\": 53, \"protocol\": \"UDP\"}]}},"
    " {\"metadata\": {\"name\": \"idle\", \"namespace\": \"demo\"},"
    "  \"spec\": {\"type\": \"NodePort\", \"clusterIP\": \"198.19.0.30\", \"ports\": ["
    "    {\"port\": 443, \"nodePort\": 30443}]}}]";

static const char endpoints_json[] =
    "[{\"metadata\": {\"name\": \"web\", \"namespace\": \"demo\"},"
    "  \"subsets\": [{\"addresses\": [{\"ip\": \"198.18.2.7\"}, {\"ip\": \"198.18.1.5\"},"
    "                                 {\"ip\": \"198.18.1.6\"}],"
    "                 \"notReadyAddresses\": [{\"ip\": \"198.18.3.9\"}],"
    "                 \"ports\": [{\"port\": 8080, \"protocol\": \"TCP\"}]}]},"
    " {\"metadata\": {\"name\": \"cart\", \"namespace\": \"shop\"},"
    "  \"subsets\": [{\"addresses\": [{\"ip\": \"198.18.1.20\"}],"
    "                 \"ports\": [{\"name\": \"admin\", \"port\": 9090},"
    "                             {\"name\": \"http\", \"port\": 8080}]},"
    "                {\"addresses\": [{\"ip\": \"198.18.2.21\"}],"
    "                 \"ports\": [{\"name\": \"http\", \"port\": 8081}]}]},"
    " {\"metadata\": {\"name\": \"dns\", \"namespace\": \"kube-system\"},"
    "  \"subsets\": [{\"addresses\": [{\"ip\": \"198.18.1.53\"}],"
    "                 \"ports\": [{\"name\": \"dns\", \"port\": 5353, \"protocol\": \"UDP\"}]}]},"
    " {\"metadata\": {\"name\": \"idle\", \"namespace\": \"demo\"},"
    "  \"subsets\": [{\"notReadyAddresses\": [{\"ip\": \"198.18.1.99\"}],"
    "                 \"ports\": [{\"port\": 8443}]}]}]";

static char *render_text(const char *svcs, const char *eps) {
  _cleanup_json_ json_t *s = parse(svcs);
  _cleanup_json_ json_t *e = parse(eps);
  tug_error err = {0};
  char *text = agent_proxy_render(&cfg, s, e, &err);
  if (text == NULL)
    fail_msg("render: %s", err.msg);
  return text;
}

static char *render_all(void) {
  return render_text(services_json, endpoints_json);
}

/* The body of chain `prefix...` (from its name to its closing brace), or fail. */
static char *chain_body(const char *text, const char *prefix) {
  char needle[128];
  snprintf(needle, sizeof needle, "chain %s", prefix);
  const char *start = strstr(text, needle);
  if (start == NULL)
    fail_msg("no chain %s in:\n%s", prefix, text);
  const char *end = strstr(start, "\n\t}\n");
  return strndup(start, (size_t)(end - start));
}

static void test_cluster_ip_dnats_to_three_ready_endpoints_at_random(void **state) {
  (void)state;
  _cleanup_free_ char *text = render_all();
  assert_non_null(strstr(text, "198.19.0.10 . tcp . 80 : goto svc-demo/web/80-"));
  _cleanup_free_ char *svc = chain_body(text, "svc-demo/web/80-");
  /* 1/3, then 1/2 of the rest, then the rest: equal weights. */
  assert_non_null(strstr(svc, "\t\tmeta l4proto tcp numgen random mod 3 == 0 dnat ip to "
                              "198.18.1.5:8080\n"
                              "\t\tmeta l4proto tcp numgen random mod 2 == 0 dnat ip to "
                              "198.18.1.6:8080\n"
                              "\t\tmeta l4proto tcp dnat ip to 198.18.2.7:8080"));
  /* Clients outside the pod network (other hosts, the node) are masqueraded. */
  assert_non_null(strstr(svc, "ip saddr != 198.18.0.0/16 meta mark set meta mark | 0x4000"));
  /* Not a NodePort Service: no NodePort chain. */
  assert_null(strstr(text, "nodeport-demo/web"));
}

static void test_pods_leave_the_cluster_network_as_the_node(void **state) {
  (void)state;
  _cleanup_free_ char *text = render_all();
  _cleanup_free_ char *post = chain_body(text, "nat-postrouting");
  assert_non_null(strstr(post, "ip saddr 198.18.0.0/16 ip daddr != 198.18.0.0/16 "
                               "oifname != \"tug0\" masquerade fully-random"));
}

static void test_not_ready_addresses_get_no_connections(void **state) {
  (void)state;
  _cleanup_free_ char *text = render_all();
  assert_null(strstr(text, "198.18.3.9"));
  assert_null(strstr(text, "198.18.1.99"));
}

static void test_node_port_marks_for_masquerade_and_joins_the_service(void **state) {
  (void)state;
  _cleanup_free_ char *text = render_all();
  assert_non_null(strstr(text, "tcp . 30080 : goto nodeport-shop/cart/http-"));
  assert_non_null(strstr(text, "tcp . 30090 : goto nodeport-shop/cart/admin-"));
  assert_non_null(strstr(text, "ip daddr 198.19.200.11 meta l4proto . th dport vmap "
                               "@service_nodeports"));
  _cleanup_free_ char *np = chain_body(text, "nodeport-shop/cart/http-");
  assert_non_null(strstr(np, "meta mark set meta mark | 0x4000\n\t\tgoto svc-shop/cart/http-"));
  assert_non_null(strstr(text, "meta mark & 0x4000 == 0x4000 masquerade"));
  /* Same-node and hairpin traffic through a Service: marked where it is forwarded. */
  _cleanup_free_ char *fwd = chain_body(text, "filter-forward");
  assert_non_null(strstr(fwd, "iifname \"tug0\" oifname \"tug0\" ct status dnat "
                              "meta mark set meta mark | 0x4000"));
}

static void test_named_ports_match_endpoint_ports_by_name(void **state) {
  (void)state;
  _cleanup_free_ char *text = render_all();
  _cleanup_free_ char *http = chain_body(text, "svc-shop/cart/http-");
  assert_non_null(strstr(http, "numgen random mod 2 == 0 dnat ip to 198.18.1.20:8080\n"
                               "\t\tmeta l4proto tcp dnat ip to 198.18.2.21:8081"));
  _cleanup_free_ char *admin = chain_body(text, "svc-shop/cart/admin-");
  assert_non_null(strstr(admin, "meta l4proto tcp dnat ip to 198.18.1.20:9090"));
  assert_null(strstr(admin, "198.18.2.21"));
}

static void test_udp_service(void **state) {
  (void)state;
  _cleanup_free_ char *text = render_all();
  assert_non_null(strstr(text, "198.19.0.53 . udp . 53 : goto svc-kube-system/dns/dns-"));
  _cleanup_free_ char *dns = chain_body(text, "svc-kube-system/dns/dns-");
  assert_non_null(strstr(dns, "meta l4proto udp dnat ip to 198.18.1.53:5353"));
}

static void test_no_ready_endpoints_rejects_vip_and_node_port(void **state) {
  (void)state;
  _cleanup_free_ char *text = render_all();
  assert_null(strstr(text, "chain svc-demo/idle"));
  assert_null(strstr(text, "goto svc-demo/idle"));
  const char *set = strstr(text, "set no_endpoint_services {");
  assert_non_null(set);
  assert_non_null(strstr(set, "198.19.0.30 . tcp . 443"));
  set = strstr(text, "set no_endpoint_nodeports {");
  assert_non_null(set);
  assert_non_null(strstr(set, "tcp . 30443"));
  static const char *const hooks[] = {"filter-input", "filter-forward", "filter-output"};
  for (size_t i = 0; i < 3; i++) {
    _cleanup_free_ char *chain = chain_body(text, hooks[i]);
    assert_non_null(strstr(chain, "ip daddr . meta l4proto . th dport @no_endpoint_services "
                                  "goto refuse"));
  }
  _cleanup_free_ char *input = chain_body(text, "filter-input");
  assert_non_null(strstr(input, "ip daddr 198.19.200.11 meta l4proto . th dport "
                                "@no_endpoint_nodeports goto refuse"));
  _cleanup_free_ char *refuse = chain_body(text, "refuse");
  assert_non_null(strstr(refuse, "meta l4proto tcp reject with tcp reset\n\t\treject"));
}

static void test_output_is_sorted_whatever_the_input_order(void **state) {
  (void)state;
  _cleanup_json_ json_t *s = parse(services_json);
  _cleanup_json_ json_t *e = parse(endpoints_json);
  _cleanup_json_ json_t *rs = json_array(), *re = json_array();
  for (size_t i = json_array_size(s); i-- > 0;)
    json_array_append(rs, json_array_get(s, i));
  for (size_t i = json_array_size(e); i-- > 0;)
    json_array_append(re, json_array_get(e, i));
  tug_error err = {0};
  _cleanup_free_ char *a = agent_proxy_render(&cfg, s, e, &err);
  _cleanup_free_ char *b = agent_proxy_render(&cfg, rs, re, &err);
  assert_non_null(a);
  assert_non_null(b);
  assert_string_equal(a, b);
  /* Namespace, then name: demo/web before kube-system/dns before shop/cart. */
  assert_true(strstr(a, "chain svc-demo/web/") < strstr(a, "chain svc-kube-system/dns/"));
  assert_true(strstr(a, "chain svc-kube-system/dns/") < strstr(a, "chain svc-shop/cart/"));
}

static void test_headless_sctp_and_broken_objects_are_left_out(void **state) {
  (void)state;
  _cleanup_free_ char *text = render_text(
      "[{\"metadata\": {\"name\": \"headless\", \"namespace\": \"a\"},"
      "  \"spec\": {\"clusterIP\": \"None\", \"ports\": [{\"port\": 80}]}},"
      " {\"metadata\": {\"name\": \"noip\", \"namespace\": \"a\"},"
      "  \"spec\": {\"ports\": [{\"port\": 80}]}},"
      " {\"metadata\": {\"name\": \"sctp\", \"namespace\": \"a\"},"
      "  \"spec\": {\"clusterIP\": \"198.19.0.1\", \"ports\": [{\"port\": 80, "
      "\"protocol\": \"SCTP\"}]}},"
      " {\"metadata\": {\"namespace\": \"a\"}, \"spec\": {\"clusterIP\": \"198.19.0.2\"}},"
      " {\"metadata\": {\"name\": \"v6\", \"namespace\": \"a\"},"
      "  \"spec\": {\"clusterIP\": \"fd00::1\", \"ports\": [{\"port\": 80}]}},"
      " {\"metadata\": {\"name\": \"badports\", \"namespace\": \"a\"},"
      "  \"spec\": {\"clusterIP\": \"198.19.0.3\", \"ports\": [{\"port\": 0}, {\"port\": 70000},"
      "    {\"port\": \"80\"}, 7, {\"name\": \"ok\", \"port\": 81}]}},"
      " {\"metadata\": {\"name\": \"noports\", \"namespace\": \"a\"},"
      "  \"spec\": {\"clusterIP\": \"198.19.0.4\", \"ports\": 5}},"
      " 42, null, {}]",
      "[{\"metadata\": {\"name\": \"badports\", \"namespace\": \"a\"},"
      "  \"subsets\": [{\"addresses\": [{\"ip\": \"nope\"}, {}, 3, {\"ip\": \"198.18.0.9\"}],"
      "                 \"ports\": [{\"name\": \"ok\", \"port\": 99999}]},"
      "                {\"addresses\": [{\"ip\": \"198.18.0.8\"}],"
      "                 \"ports\": [{\"name\": \"ok\", \"port\": 8081}]},"
      "                \"junk\", {\"addresses\": 1, \"ports\": {}}]},"
      " {\"metadata\": {\"name\": \"sctp\"}}, 5]");
  assert_null(strstr(text, "headless"));
  assert_null(strstr(text, "noip"));
  assert_null(strstr(text, "sctp"));
  assert_null(strstr(text, "v6"));
  assert_null(strstr(text, "noports"));
  assert_null(strstr(text, "198.19.0.2 "));
  assert_non_null(strstr(text, "198.19.0.3 . tcp . 81 : goto svc-a/badports/ok-"));
  assert_null(strstr(text, "198.18.0.9"));
  assert_non_null(strstr(text, "dnat ip to 198.18.0.8:8081"));
  assert_null(strstr(text, ". 70000"));
}

static void test_bad_config_and_non_arrays_fail_with_a_message(void **state) {
  (void)state;
  _cleanup_json_ json_t *obj = json_object();
  tug_error err = {0};
  assert_null(agent_proxy_render(&cfg, obj, NULL, &err));
  assert_int_equal(err.code, TUG_E_PARSE);
  agent_proxy_config bad = cfg;
  bad.cluster_cidr = "198.18.0.0";
  assert_null(agent_proxy_render(&bad, NULL, NULL, &err));
  assert_non_null(strstr(err.msg, "cluster CIDR"));
  bad = cfg;
  bad.bridge = "tug0\" accept";
  assert_null(agent_proxy_render(&bad, NULL, NULL, &err));
  bad = cfg;
  bad.node_ip = NULL;
  assert_null(agent_proxy_render(&bad, NULL, NULL, &err));
  assert_null(agent_proxy_render(NULL, NULL, NULL, &err));
  /* No Services at all is a valid, empty ruleset. */
  _cleanup_free_ char *empty = agent_proxy_render(&cfg, NULL, NULL, &err);
  assert_non_null(empty);
  assert_null(strstr(empty, "elements"));
}

static void test_cidr_is_written_as_its_network(void **state) {
  (void)state;
  agent_proxy_config c = cfg;
  c.service_cidr = "198.19.5.5/17";
  tug_error err = {0};
  _cleanup_free_ char *text = agent_proxy_render(&c, NULL, NULL, &err);
  assert_non_null(text);
  assert_non_null(strstr(text, "ip daddr 198.19.0.0/17 goto refuse"));
}

static void test_conflicting_vip_port_goes_to_the_first_service_in_order(void **state) {
  (void)state;
  _cleanup_free_ char *text =
      render_text("[{\"metadata\": {\"name\": \"b\", \"namespace\": \"x\"},"
                  "  \"spec\": {\"clusterIP\": \"198.19.0.9\", \"ports\": [{\"port\": 80}]}},"
                  " {\"metadata\": {\"name\": \"a\", \"namespace\": \"x\"},"
                  "  \"spec\": {\"clusterIP\": \"198.19.0.9\", \"ports\": [{\"port\": 80}]}}]",
                  "[{\"metadata\": {\"name\": \"b\", \"namespace\": \"x\"},"
                  "  \"subsets\": [{\"addresses\": [{\"ip\": \"198.18.0.5\"}],"
                  "                 \"ports\": [{\"port\": 80}]}]}]");
  /* x/a sorts first and has no endpoints: rejected; x/b is left out. */
  const char *set = strstr(text, "set no_endpoint_services {");
  assert_non_null(set);
  assert_non_null(strstr(set, "198.19.0.9 . tcp . 80"));
  assert_null(strstr(text, "svc-x/b/"));
  assert_null(strstr(text, "198.18.0.5"));
}

/* --- against nftables, in a private user + network namespace ------------ */

#define CHECK(cond)                                                                                \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      dprintf(fd, "line %d: %s; %s", __LINE__, #cond, err.msg);                                    \
      return 1;                                                                                    \
    }                                                                                              \
  } while (0)

/* The child's half: apply, read back, replace, refuse a broken ruleset, flush. */
static int nft_round_trip(int fd) {
  tug_error err = {0};
  agent_proxy *p;
  CHECK(agent_proxy_open(&p, &err) == 0);
  char *first = render_all();
  CHECK(agent_proxy_apply(p, first, &err) == 0);
  char *listed = nft_fixture_list_table();
  CHECK(listed != NULL);
  CHECK(strstr(listed, "chain svc-demo/web/80-") != NULL);
  CHECK(strstr(listed, "numgen random mod 3 0 dnat to 198.18.1.5:8080") != NULL);
  CHECK(strstr(listed, "goto nodeport-shop/cart/http-") != NULL);
  CHECK(strstr(listed, "tcp . 30443") != NULL);
  free(listed);

  /* An update that moves, adds and removes endpoints, chains, elements and a
   * NodePort gives the very table a fresh replacement gives. */
  char *changed = render_text(
      "[{\"metadata\": {\"name\": \"web\", \"namespace\": \"demo\"},"
      "  \"spec\": {\"clusterIP\": \"198.19.0.10\", \"ports\": [{\"port\": 80}]}},"
      " {\"metadata\": {\"name\": \"cart\", \"namespace\": \"shop\"},"
      "  \"spec\": {\"clusterIP\": \"198.19.0.20\", \"ports\": ["
      "    {\"name\": \"http\", \"port\": 80}, {\"name\": \"admin\", \"port\": 9000}]}},"
      " {\"metadata\": {\"name\": \"idle\", \"namespace\": \"demo\"},"
      "  \"spec\": {\"type\": \"NodePort\", \"clusterIP\": \"198.19.0.30\", \"ports\": ["
      "    {\"port\": 443, \"nodePort\": 30443}]}},"
      " {\"metadata\": {\"name\": \"new\", \"namespace\": \"demo\"},"
      "  \"spec\": {\"clusterIP\": \"198.19.0.31\", \"ports\": [{\"port\": 80}]}}]",
      "[{\"metadata\": {\"name\": \"web\", \"namespace\": \"demo\"},"
      "  \"subsets\": [{\"addresses\": [{\"ip\": \"198.18.1.5\"}, {\"ip\": \"198.18.9.9\"}],"
      "                 \"ports\": [{\"port\": 8080}]}]},"
      " {\"metadata\": {\"name\": \"cart\", \"namespace\": \"shop\"},"
      "  \"subsets\": [{\"addresses\": [{\"ip\": \"198.18.1.20\"}],"
      "                 \"ports\": [{\"name\": \"http\", \"port\": 8080}]}]},"
      " {\"metadata\": {\"name\": \"idle\", \"namespace\": \"demo\"},"
      "  \"subsets\": [{\"addresses\": [{\"ip\": \"198.18.1.99\"}],"
      "                 \"ports\": [{\"port\": 8443}]}]}]");
  CHECK(agent_proxy_apply(p, changed, &err) == 0);
  listed = nft_fixture_list_table();
  CHECK(listed != NULL);
  char *updated = nft_fixture_normalized(listed);
  CHECK(agent_proxy_flush(p, &err) == 0);
  CHECK(agent_proxy_apply(p, changed, &err) == 0);
  listed = nft_fixture_list_table();
  CHECK(listed != NULL);
  char *fresh = nft_fixture_normalized(listed);
  if (strcmp(updated, fresh) != 0)
    dprintf(fd, "updated:\n%s\nfresh:\n%s\n", updated, fresh);
  CHECK(strcmp(updated, fresh) == 0);
  CHECK(strstr(fresh, "chain nodeport-demo/idle/443-") != NULL);
  CHECK(strstr(fresh, "nodeport-shop/cart") == NULL);
  free(updated);
  free(fresh);
  free(changed);

  /* Again, with web gone: the table is replaced, not merged. */
  char *second = render_text("[{\"metadata\": {\"name\": \"solo\", \"namespace\": \"b\"},"
                             "  \"spec\": {\"clusterIP\": \"198.19.0.40\", \"ports\": ["
                             "    {\"port\": 80}]}}]",
                             "[{\"metadata\": {\"name\": \"solo\", \"namespace\": \"b\"},"
                             "  \"subsets\": [{\"addresses\": [{\"ip\": \"198.18.4.4\"}],"
                             "                 \"ports\": [{\"port\": 80}]}]}]");
  CHECK(agent_proxy_apply(p, second, &err) == 0);
  CHECK(agent_proxy_apply(p, second, &err) == 0);
  listed = nft_fixture_list_table();
  CHECK(listed != NULL && strstr(listed, "chain svc-b/solo/80-") != NULL);
  CHECK(strstr(listed, "svc-demo/web") == NULL);
  free(listed);

  /* A broken ruleset is refused whole, with nft's words, and the old one stays. */
  CHECK(agent_proxy_apply(p, "table ip tugboat { chain x { bogus } }\n", &err) < 0);
  CHECK(strstr(err.msg, "Error") != NULL);
  listed = nft_fixture_list_table();
  CHECK(listed != NULL && strstr(listed, "chain svc-b/solo/80-") != NULL);
  free(listed);

  CHECK(agent_proxy_flush(p, &err) == 0);
  CHECK(nft_fixture_list_table() == NULL);
  CHECK(agent_proxy_flush(p, &err) == 0);
  agent_proxy_close(p);
  free(first);
  free(second);
  return 0;
}

static void test_nftables_accepts_replaces_and_flushes_the_table(void **state) {
  (void)state;
  nft_fixture_run_in_netns(nft_round_trip);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cluster_ip_dnats_to_three_ready_endpoints_at_random),
      cmocka_unit_test(test_not_ready_addresses_get_no_connections),
      cmocka_unit_test(test_node_port_marks_for_masquerade_and_joins_the_service),
      cmocka_unit_test(test_pods_leave_the_cluster_network_as_the_node),
      cmocka_unit_test(test_named_ports_match_endpoint_ports_by_name),
      cmocka_unit_test(test_udp_service),
      cmocka_unit_test(test_no_ready_endpoints_rejects_vip_and_node_port),
      cmocka_unit_test(test_output_is_sorted_whatever_the_input_order),
      cmocka_unit_test(test_headless_sctp_and_broken_objects_are_left_out),
      cmocka_unit_test(test_bad_config_and_non_arrays_fail_with_a_message),
      cmocka_unit_test(test_cidr_is_written_as_its_network),
      cmocka_unit_test(test_conflicting_vip_port_goes_to_the_first_service_in_order),
      cmocka_unit_test(test_nftables_accepts_replaces_and_flushes_the_table),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
