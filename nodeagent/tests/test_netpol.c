/*
 * NetworkPolicy as nftables rules: what agent_netpol_render writes for the
 * pods of one node (isolation, peers by pod, namespace and address block,
 * ports by number, range and name), and that nftables accepts it inside
 * table ip tugboat, updated in place to the table a fresh apply makes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first. */

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "network/netpol.h"
#include "network/proxy.h"
#include "nft_fixture.h"

static json_t *parse(const char *text) {
  json_error_t e;
  json_t *j = json_loads(text, 0, &e);
  if (j == NULL)
    fail_msg("bad test JSON: %s", e.text);
  return j;
}

static const char namespaces_json[] =
    "[{\"metadata\": {\"name\": \"team-a\", \"labels\": {\"team\": \"a\"}}},"
    " {\"metadata\": {\"name\": \"team-b\", \"labels\": {\"team\": \"b\"}}}]";

/* web and other on n1, client on n2, a finished pod that is no one's peer. */
static const char pods_json[] =
    "[{\"metadata\": {\"name\": \"web\", \"namespace\": \"team-a\", \"uid\": \"u1\","
    "               \"labels\": {\"app\": \"web\"}},"
    "  \"spec\": {\"nodeName\": \"n1\", \"containers\": [{\"name\": \"c\", \"ports\": ["
    "    {\"name\": \"http\", \"containerPort\": 8080}]}]},"
    "  \"status\": {\"phase\": \"Running\", \"podIP\": \"198.18.1.5\"}},"
    " {\"metadata\": {\"name\": \"client\", \"namespace\": \"team-a\", \"uid\": \"u2\","
    "               \"labels\": {\"app\": \"client\"}},"
    "  \"spec\": {\"nodeName\": \"n2\"},"
    "  \"status\": {\"phase\": \"Running\", \"podIP\": \"198.18.2.6\"}},"
    " {\"metadata\": {\"name\": \"other\", \"namespace\": \"team-b\", \"uid\": \"u3\","
    "               \"labels\": {\"app\": \"client\"}},"
    "  \"spec\": {\"nodeName\": \"n1\"},"
    "  \"status\": {\"phase\": \"Running\", \"podIP\": \"198.18.1.7\"}},"
    " {\"metadata\": {\"name\": \"done\", \"namespace\": \"team-a\", \"uid\": \"u4\","
    "               \"labels\": {\"app\": \"client\"}},"
    "  \"spec\": {\"nodeName\": \"n2\"},"
    "  \"status\": {\"phase\": \"Succeeded\", \"podIP\": \"198.18.2.9\"}}]";

static const char deny_all[] = "{\"metadata\": {\"name\": \"deny-all\", \"namespace\": \"team-a\"},"
                               " \"spec\": {\"podSelector\": {}}}";
static const char allow_client[] =
    "{\"metadata\": {\"name\": \"allow-client\", \"namespace\": \"team-a\"},"
    " \"spec\": {\"podSelector\": {\"matchLabels\": {\"app\": \"web\"}},"
    "  \"ingress\": [{\"from\": [{\"podSelector\": {\"matchLabels\": {\"app\": \"client\"}}}],"
    "                 \"ports\": [{\"port\": \"http\"}]},"
    "                {\"from\": [{\"namespaceSelector\": {\"matchLabels\": {\"team\": "
    "\"b\"}}}]}]}}";
static const char team_b_egress[] =
    "{\"metadata\": {\"name\": \"egress\", \"namespace\": \"team-b\"},"
    " \"spec\": {\"podSelector\": {}, \"policyTypes\": [\"Egress\"],"
    "  \"egress\": [{\"to\": [{\"ipBlock\": {\"cidr\": \"198.18.0.7/16\","
    "                                      \"except\": [\"198.18.2.0/24\"]}}],"
    "                \"ports\": [{\"protocol\": \"UDP\", \"port\": 53},"
    "                            {\"protocol\": \"TCP\", \"port\": 8000, \"endPort\": 8080}]}]}}";
static const char client_to_web[] =
    "{\"metadata\": {\"name\": \"to-web\", \"namespace\": \"team-a\"},"
    " \"spec\": {\"podSelector\": {\"matchLabels\": {\"app\": \"client\"}},"
    "  \"egress\": [{\"to\": [{\"podSelector\": {\"matchLabels\": {\"app\": \"web\"}}}],"
    "                \"ports\": [{\"port\": \"http\"}, {\"port\": 9000}]}]}}";

/* The rules for node with the policies (a JSON array's text). */
static char *render(const char *node, const char *policies) {
  _cleanup_json_ json_t *pol = parse(policies);
  _cleanup_json_ json_t *pods = parse(pods_json);
  _cleanup_json_ json_t *nss = parse(namespaces_json);
  agent_netpol_input in = {.node_name = node, .policies = pol, .pods = pods, .namespaces = nss};
  tug_error err = {0};
  char *text = agent_netpol_render(&in, &err);
  if (text == NULL)
    fail_msg("render: %s", err.msg);
  return text;
}

static char *policies(const char *a, const char *b, const char *c) {
  char *s = NULL;
  if (asprintf(&s, "[%s%s%s%s%s]", a, b ? "," : "", b ? b : "", c ? "," : "", c ? c : "") < 0)
    fail();
  return s;
}

static void test_no_policy_isolates_nothing(void **state) {
  (void)state;
  _cleanup_free_ char *text = render("n1", "[]");
  assert_null(strstr(text, "elements"));
  assert_null(strstr(text, "chain pol-"));
  assert_non_null(strstr(text, "ct state established,related accept"));
}

static void test_default_deny_isolates_ingress_of_the_namespaces_pods_on_this_node(void **state) {
  (void)state;
  _cleanup_free_ char *list = policies(deny_all, NULL, NULL);
  _cleanup_free_ char *text = render("n1", list);
  assert_non_null(strstr(text, "198.18.1.5 : jump pol-in-team-a/web-"));
  /* other is in team-b; client lives on n2: neither is isolated here */
  assert_null(strstr(text, "198.18.1.7 :"));
  assert_null(strstr(text, "198.18.2.6 :"));
  assert_null(strstr(text, "pol-out-"));
  const char *chain = strstr(text, "\tchain pol-in-team-a/web-");
  assert_non_null(chain);
  assert_non_null(strstr(chain, "{\n\t\tgoto policy-deny\n\t}\n"));
}

static void test_peers_by_pod_and_namespace_with_a_named_port(void **state) {
  (void)state;
  _cleanup_free_ char *list = policies(deny_all, allow_client, NULL);
  _cleanup_free_ char *text = render("n1", list);
  /* client's pods of team-a only (done has finished), on web's port named http */
  assert_non_null(strstr(text, "\t\tip saddr 198.18.2.6 meta l4proto tcp th dport 8080 accept\n"));
  assert_null(strstr(text, "198.18.2.9"));
  /* every pod of team-b, any port */
  assert_non_null(strstr(text, "\t\tip saddr 198.18.1.7 accept\n"));
}

static void test_egress_to_an_ip_block_with_except_and_a_port_range(void **state) {
  (void)state;
  _cleanup_free_ char *list = policies(team_b_egress, NULL, NULL);
  _cleanup_free_ char *text = render("n1", list);
  assert_non_null(strstr(text, "198.18.1.7 : jump pol-out-team-b/other-"));
  assert_null(strstr(text, "pol-in-"));
  assert_non_null(strstr(text, "\t\tip daddr 198.18.0.0/16 ip daddr != { 198.18.2.0/24 } meta "
                               "l4proto udp th dport 53 return\n"));
  assert_non_null(strstr(text, "\t\tip daddr 198.18.0.0/16 ip daddr != { 198.18.2.0/24 } meta "
                               "l4proto tcp th dport 8000-8080 return\n"));
}

static void test_egress_named_ports_resolve_on_each_destination(void **state) {
  (void)state;
  _cleanup_free_ char *list = policies(client_to_web, NULL, NULL);
  _cleanup_free_ char *text = render("n2", list);
  assert_non_null(strstr(text, "198.18.2.6 : jump pol-out-team-a/client-"));
  assert_non_null(strstr(text, "\t\tip daddr 198.18.1.5 meta l4proto tcp th dport 9000 return\n"));
  assert_non_null(strstr(text, "\t\tip daddr 198.18.1.5 meta l4proto tcp th dport 8080 return\n"));
  /* policyTypes absent with egress rules: both directions, and no ingress rule */
  assert_non_null(strstr(text, "198.18.2.6 : jump pol-in-team-a/client-"));
}

static void test_equal_input_gives_equal_text_and_non_arrays_fail(void **state) {
  (void)state;
  _cleanup_free_ char *l1 = policies(deny_all, allow_client, team_b_egress);
  _cleanup_free_ char *l2 = policies(team_b_egress, allow_client, deny_all);
  _cleanup_free_ char *a = render("n1", l1);
  _cleanup_free_ char *b = render("n1", l2);
  assert_string_equal(a, b);
  _cleanup_json_ json_t *obj = json_object();
  agent_netpol_input in = {.node_name = "n1", .policies = obj};
  tug_error err = {0};
  assert_null(agent_netpol_render(&in, &err));
  assert_non_null(strstr(err.msg, "JSON arrays"));
}

/* --- against nftables ---------------------------------------------------- */

static const agent_proxy_config cfg = {.node_ip = "198.19.200.11",
                                       .cluster_cidr = "198.18.0.0/16",
                                       .service_cidr = "198.19.0.0/17",
                                       .bridge = "tug0"};

static char *table_with(const char *node, const char *list) {
  _cleanup_free_ char *rules = render(node, list);
  agent_proxy_config c = cfg;
  c.extra = rules;
  tug_error err = {0};
  return agent_proxy_render(&c, NULL, NULL, &err);
}

#define CHECK(cond)                                                                                \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      dprintf(fd, "line %d: %s; %s", __LINE__, #cond, err.msg);                                    \
      return 1;                                                                                    \
    }                                                                                              \
  } while (0)

static int nft_round_trip(int fd) {
  tug_error err = {0};
  agent_proxy *p;
  _cleanup_free_ char *all = policies(deny_all, allow_client, team_b_egress);
  _cleanup_free_ char *fewer = policies(allow_client, NULL, NULL);
  _cleanup_free_ char *first = table_with("n1", all), *second = table_with("n1", fewer);
  CHECK(first && second && agent_proxy_open(&p, &err) == 0);
  CHECK(agent_proxy_apply(p, first, &err) == 0);
  char *listed = nft_fixture_list_table();
  CHECK(listed && strstr(listed, "chain pol-out-team-b/other-") != NULL);
  CHECK(strstr(listed, "reject with icmp admin-prohibited") != NULL);
  free(listed);
  /* a policy less: changed in place, to what a fresh apply gives */
  CHECK(agent_proxy_apply(p, second, &err) == 0);
  char *updated = nft_fixture_normalized(nft_fixture_list_table());
  CHECK(agent_proxy_flush(p, &err) == 0 && agent_proxy_apply(p, second, &err) == 0);
  char *fresh = nft_fixture_normalized(nft_fixture_list_table());
  if (strcmp(updated, fresh) != 0)
    dprintf(fd, "updated:\n%s\nfresh:\n%s\n", updated, fresh);
  CHECK(strcmp(updated, fresh) == 0);
  CHECK(strstr(fresh, "pol-out-") == NULL && strstr(fresh, "pol-in-team-a/web-") != NULL);
  free(updated);
  free(fresh);
  agent_proxy_close(p);
  return 0;
}

static void test_nftables_accepts_policies_and_updates_them_in_place(void **state) {
  (void)state;
  nft_fixture_run_in_netns(nft_round_trip);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_no_policy_isolates_nothing),
      cmocka_unit_test(test_default_deny_isolates_ingress_of_the_namespaces_pods_on_this_node),
      cmocka_unit_test(test_peers_by_pod_and_namespace_with_a_named_port),
      cmocka_unit_test(test_egress_to_an_ip_block_with_except_and_a_port_range),
      cmocka_unit_test(test_egress_named_ports_resolve_on_each_destination),
      cmocka_unit_test(test_equal_input_gives_equal_text_and_non_arrays_fail),
      cmocka_unit_test(test_nftables_accepts_policies_and_updates_them_in_place),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
