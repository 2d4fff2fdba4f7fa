/* Unit tests for RBAC: PolicyRule matching (verbs, groups, subresources, resourceNames,
 * non-resource URLs), coverage for escalation checks, and the index of bindings —
 * users, groups, service accounts, namespaces, aggregation — built from objects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first; the blank line keeps clang-format from
 * sorting it ahead of them. */

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../rbac-index.h"
#include "../rbac-rules.h"
#include "../../lib/tests/json_text.h"

static rbac_rules rules_of(const char *single_quoted) {
  rbac_rules rs = {0};
  json_t *j = js(single_quoted);
  assert_int_equal(rbac_rules_parse(j, &rs), 0);
  json_decref(j);
  return rs;
}

static bool allows(const rbac_rules *rs, const char *verb, const char *group, const char *res,
                   const char *sub, const char *name) {
  api_authz_attrs a;
  api_authz_resource(&a, NULL, verb, group, res, sub, "ns", name);
  return rbac_rules_allow(rs, &a);
}

static bool allows_path(const rbac_rules *rs, const char *verb, const char *path) {
  api_authz_attrs a;
  api_authz_path(&a, NULL, verb, path);
  return rbac_rules_allow(rs, &a);
}

static void test_a_rule_needs_its_verb_group_and_resource(void **state) {
  (void)state;
  rbac_rules rs =
      rules_of("[{'verbs':['get','list'],'apiGroups':['apps'],'resources':['deployments']}]");
  assert_true(allows(&rs, "get", "apps", "deployments", NULL, "d"));
  assert_true(allows(&rs, "list", "apps", "deployments", NULL, NULL));
  assert_false(allows(&rs, "delete", "apps", "deployments", NULL, "d"));
  assert_false(allows(&rs, "get", "", "deployments", NULL, "d"));
  assert_false(allows(&rs, "get", "apps", "replicasets", NULL, "d"));
  assert_false(allows(&rs, "get", "apps", "deployments", "scale", "d"));
  rbac_rules_free(&rs);
}

static void test_stars_match_any_verb_group_and_resource(void **state) {
  (void)state;
  rbac_rules rs = rules_of("[{'verbs':['*'],'apiGroups':['*'],'resources':['*']}]");
  assert_true(allows(&rs, "escalate", "rbac.authorization.k8s.io", "roles", NULL, "x"));
  assert_true(allows(&rs, "get", "", "pods", "log", "p"));
  assert_false(allows_path(&rs, "get", "/healthz"));
  rbac_rules_free(&rs);
}

static void test_subresources_are_named_or_starred(void **state) {
  (void)state;
  rbac_rules rs =
      rules_of("[{'verbs':['get'],'apiGroups':['','apps'],'resources':['pods/log','*/scale']}]");
  assert_true(allows(&rs, "get", "", "pods", "log", "p"));
  assert_false(allows(&rs, "get", "", "pods", NULL, "p"));
  assert_false(allows(&rs, "get", "", "pods", "status", "p"));
  assert_true(allows(&rs, "get", "apps", "deployments", "scale", "d"));
  assert_true(allows(&rs, "get", "apps", "replicasets", "scale", "r"));
  assert_false(allows(&rs, "get", "apps", "deployments", NULL, "d"));
  rbac_rules_free(&rs);
}

static void test_resource_names_limit_a_rule_to_those_objects(void **state) {
  (void)state;
  rbac_rules rs = rules_of("[{'verbs':['get','list'],'apiGroups':[''],'resources':['configmaps'],"
                           "'resourceNames':['a','b']}]");
  assert_true(allows(&rs, "get", "", "configmaps", NULL, "a"));
  assert_false(allows(&rs, "get", "", "configmaps", NULL, "c"));
  /* A list names no object: a rule limited to names does not allow it. */
  assert_false(allows(&rs, "list", "", "configmaps", NULL, NULL));
  rbac_rules_free(&rs);
}

static void test_non_resource_urls_match_exactly_or_by_star_prefix(void **state) {
  (void)state;
  rbac_rules rs = rules_of("[{'verbs':['get'],'nonResourceURLs':['/healthz','/apis/*']}]");
  assert_true(allows_path(&rs, "get", "/healthz"));
  assert_false(allows_path(&rs, "get", "/healthz/etcd"));
  assert_true(allows_path(&rs, "get", "/apis/apps/v1"));
  assert_true(allows_path(&rs, "get", "/apis/"));
  assert_false(allows_path(&rs, "get", "/apis"));
  assert_false(allows_path(&rs, "post", "/healthz"));
  /* A URL rule says nothing of resources. */
  assert_false(allows(&rs, "get", "", "pods", NULL, "p"));
  rbac_rules_free(&rs);
}

static void test_coverage_treats_a_requested_star_literally(void **state) {
  (void)state;
  rbac_rules have =
      rules_of("[{'verbs':['get','list'],'apiGroups':[''],'resources':['pods','secrets']}]");
  rbac_rules want = rules_of("[{'verbs':['get'],'apiGroups':[''],'resources':['pods']},"
                             "{'verbs':['*'],'apiGroups':[''],'resources':['pods']},"
                             "{'verbs':['get'],'apiGroups':[''],'resources':['nodes']}]");
  char missing[256];
  assert_true(rbac_rules_cover(&have, &want.v[0], missing, sizeof missing));
  assert_false(rbac_rules_cover(&have, &want.v[1], missing, sizeof missing));
  assert_string_equal(missing, "{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"*\"]}");
  assert_false(rbac_rules_cover(&have, &want.v[2], missing, sizeof missing));
  rbac_rules star = rules_of("[{'verbs':['*'],'apiGroups':['*'],'resources':['*']}]");
  for (size_t i = 0; i < want.n; i++)
    assert_true(rbac_rules_cover(&star, &want.v[i], NULL, 0));
  rbac_rules_free(&have);
  rbac_rules_free(&want);
  rbac_rules_free(&star);
}

/* ---- the index ---- */

static json_t *objs[4];

static rbac_index *index_of(const char *roles, const char *cluster_roles, const char *bindings,
                            const char *cluster_bindings) {
  const char *texts[4] = {roles, cluster_roles, bindings, cluster_bindings};
  const json_t *const *arrays[4];
  size_t n[4];
  static const json_t *items[4][16];
  for (int i = 0; i < 4; i++) {
    objs[i] = js(texts[i]);
    n[i] = json_array_size(objs[i]);
    assert_true(n[i] <= 16);
    for (size_t j = 0; j < n[i]; j++)
      items[i][j] = json_array_get(objs[i], j);
    arrays[i] = items[i];
  }
  rbac_objects o = {arrays[0], arrays[1], arrays[2], arrays[3], n[0], n[1], n[2], n[3]};
  return rbac_index_build(&o);
}

static void free_objs(void) {
  for (int i = 0; i < 4; i++)
    json_decref(objs[i]);
}

static bool can(const rbac_index *ix, const api_user *u, const char *verb, const char *res,
                const char *ns) {
  api_authz_attrs a;
  api_authz_resource(&a, u, verb, "", res, NULL, ns, NULL);
  return rbac_index_allows(ix, &a);
}

#define ROLE_PODS                                                                                  \
  "[{'metadata':{'name':'pods','namespace':'a'},"                                                  \
  "'rules':[{'verbs':['get','list'],'apiGroups':[''],'resources':['pods']}]}]"
#define CR_SECRETS                                                                                 \
  "[{'metadata':{'name':'secrets'},"                                                               \
  "'rules':[{'verbs':['get'],'apiGroups':[''],'resources':['secrets']}]}]"

static void test_a_role_binding_grants_only_in_its_namespace(void **state) {
  (void)state;
  rbac_index *ix = index_of(
      ROLE_PODS, CR_SECRETS,
      "[{'metadata':{'name':'b1','namespace':'a'},'roleRef':{'kind':'Role','name':'pods'},"
      "'subjects':[{'kind':'User','name':'alice'}]},"
      "{'metadata':{'name':'b2','namespace':'a'},'roleRef':{'kind':'ClusterRole','name':'secrets'},"
      "'subjects':[{'kind':'Group','name':'devs'}]}]",
      "[]");
  api_user alice, bob;
  api_user_set(&alice, "alice", NULL);
  api_user_set(&bob, "bob", NULL);
  api_user_add_group(&bob, "devs");
  assert_true(can(ix, &alice, "list", "pods", "a"));
  assert_false(can(ix, &alice, "list", "pods", "b"));
  assert_false(can(ix, &alice, "list", "pods", ""));
  assert_false(can(ix, &alice, "get", "secrets", "a"));
  /* A ClusterRole bound by a RoleBinding applies in that namespace only. */
  assert_true(can(ix, &bob, "get", "secrets", "a"));
  assert_false(can(ix, &bob, "get", "secrets", "b"));
  assert_int_equal(rbac_index_grants(ix), 2);
  rbac_index_free(ix);
  free_objs();
}

static void test_a_cluster_role_binding_grants_everywhere_and_service_accounts_match(void **state) {
  (void)state;
  rbac_index *ix = index_of(
      "[]", CR_SECRETS,
      "[{'metadata':{'name':'b','namespace':'a'},'roleRef':{'kind':'Role','name':'missing'},"
      "'subjects':[{'kind':'User','name':'x'}]}]",
      "[{'metadata':{'name':'c'},'roleRef':{'kind':'ClusterRole','name':'secrets'},"
      "'subjects':[{'kind':'ServiceAccount','name':'bot','namespace':'a'}]}]");
  api_user bot, x;
  api_user_set(&bot, "system:serviceaccount:a:bot", NULL);
  api_user_set(&x, "x", NULL);
  assert_true(can(ix, &bot, "get", "secrets", "b"));
  assert_true(can(ix, &bot, "get", "secrets", ""));
  /* A binding to a role that does not exist grants nothing. */
  assert_false(can(ix, &x, "get", "pods", "a"));
  rbac_rules rs = {0};
  assert_int_equal(rbac_index_user_rules(ix, &bot, "", &rs), 0);
  assert_int_equal(rs.n, 1);
  rbac_rules_free(&rs);
  rbac_index_free(ix);
  free_objs();
}

static void note_stale(const char *name, const json_t *rules, void *arg) {
  assert_string_equal(name, "agg");
  *(size_t *)arg = json_array_size(rules);
}

static void test_an_aggregated_cluster_role_holds_the_rules_its_selectors_match(void **state) {
  (void)state;
  rbac_index *ix =
      index_of("[]",
               "[{'metadata':{'name':'agg'},'aggregationRule':{'clusterRoleSelectors':"
               "[{'matchLabels':{'agg':'true'}}]}},"
               "{'metadata':{'name':'p1','labels':{'agg':'true'}},"
               "'rules':[{'verbs':['get'],'apiGroups':[''],'resources':['pods']}]},"
               "{'metadata':{'name':'p2','labels':{'agg':'true'}},"
               "'rules':[{'verbs':['get'],'apiGroups':[''],'resources':['pods']},"
               "{'verbs':['list'],'apiGroups':[''],'resources':['services']}]},"
               "{'metadata':{'name':'other'},'rules':[{'verbs':['*'],'apiGroups':['*'],'resources':"
               "['*']}]}]",
               "[]",
               "[{'metadata':{'name':'c'},'roleRef':{'kind':'ClusterRole','name':'agg'},"
               "'subjects':[{'kind':'User','name':'u'}]}]");
  api_user u;
  api_user_set(&u, "u", NULL);
  assert_true(can(ix, &u, "get", "pods", "a"));
  assert_true(can(ix, &u, "list", "services", "a"));
  assert_false(can(ix, &u, "delete", "pods", "a"));
  size_t n = 0;
  rbac_index_stale_aggregates(ix, note_stale, &n);
  assert_int_equal(n, 2); /* the duplicate pods rule once */
  rbac_index_free(ix);
  free_objs();
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_a_rule_needs_its_verb_group_and_resource),
      cmocka_unit_test(test_stars_match_any_verb_group_and_resource),
      cmocka_unit_test(test_subresources_are_named_or_starred),
      cmocka_unit_test(test_resource_names_limit_a_rule_to_those_objects),
      cmocka_unit_test(test_non_resource_urls_match_exactly_or_by_star_prefix),
      cmocka_unit_test(test_coverage_treats_a_requested_star_literally),
      cmocka_unit_test(test_a_role_binding_grants_only_in_its_namespace),
      cmocka_unit_test(test_a_cluster_role_binding_grants_everywhere_and_service_accounts_match),
      cmocka_unit_test(test_an_aggregated_cluster_role_holds_the_rules_its_selectors_match),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
