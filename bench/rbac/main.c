/*
 * bench-rbac — what one RBAC decision costs with many bindings in place.
 *
 * Builds the authorizer's index (apiserver/rbac-index.h) from the default
 * roles' shape (an aggregated "view" and an "edit") and BINDINGS RoleBindings,
 * each granting one user view or edit in one of NAMESPACES namespaces, plus a
 * few ClusterRoleBindings to groups; then times decisions a request makes:
 * one allowed by the user's own binding, one denied (another namespace, so
 * every grant of the user and its groups is tried), one allowed through a
 * group. Prints the build time and ns per decision for each.
 *   bench-rbac [--bindings N] [--namespaces N] [--decisions N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "rbac-index.h"

static json_t *rule(const char *verbs, const char *group, const char *resources) {
  json_t *v = json_array(), *r = json_array();
  char buf[512], *save = NULL;
  snprintf(buf, sizeof buf, "%s", verbs);
  for (char *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save))
    json_array_append_new(v, json_string(w));
  snprintf(buf, sizeof buf, "%s", resources);
  for (char *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save))
    json_array_append_new(r, json_string(w));
  return json_pack("{s:o, s:[s], s:o}", "verbs", v, "apiGroups", group, "resources", r);
}

static json_t *cluster_roles(void) {
  const char *read = "get list watch", *write = "create update patch delete deletecollection";
  json_t *view = json_pack(
      "{s:{s:s, s:{s:s}}, s:[o, o, o]}", "metadata", "name", "system:aggregate-to-view", "labels",
      "agg", "true", "rules", rule(read, "", "pods pods/log services endpoints configmaps events"),
      rule(read, "apps", "deployments replicasets deployments/scale"), rule(read, "batch", "jobs"));
  json_t *edit = json_pack("{s:{s:s}, s:[o, o]}", "metadata", "name", "edit", "rules",
                           rule(write, "", "pods configmaps secrets services"),
                           rule(write, "apps", "deployments replicasets deployments/scale"));
  json_t *agg = json_pack("{s:{s:s}, s:{s:[{s:{s:s}}]}}", "metadata", "name", "view",
                          "aggregationRule", "clusterRoleSelectors", "matchLabels", "agg", "true");
  json_t *basic = json_pack("{s:{s:s}, s:[o]}", "metadata", "name", "basic", "rules",
                            rule("create", "authorization.k8s.io", "selfsubjectaccessreviews"));
  return json_pack("[o, o, o, o]", view, edit, agg, basic);
}

static json_t *bindings(int n, int namespaces) {
  json_t *a = json_array();
  for (int i = 0; i < n; i++) {
    char name[64], ns[64], user[64];
    snprintf(name, sizeof name, "b%d", i);
    snprintf(ns, sizeof ns, "ns-%d", i % namespaces);
    snprintf(user, sizeof user, "user-%d", i);
    json_array_append_new(a, json_pack("{s:{s:s, s:s}, s:{s:s, s:s}, s:[{s:s, s:s}]}", "metadata",
                                       "name", name, "namespace", ns, "roleRef", "kind",
                                       "ClusterRole", "name", i % 2 ? "edit" : "view", "subjects",
                                       "kind", "User", "name", user));
  }
  return a;
}

static json_t *cluster_bindings(void) {
  return json_pack("[{s:{s:s}, s:{s:s, s:s}, s:[{s:s, s:s}]}]", "metadata", "name", "basic",
                   "roleRef", "kind", "ClusterRole", "name", "basic", "subjects", "kind", "Group",
                   "name", "system:authenticated");
}

static const json_t **items(const json_t *a) {
  const json_t **v = calloc(json_array_size(a) + 1, sizeof *v);
  for (size_t i = 0; i < json_array_size(a); i++)
    v[i] = json_array_get(a, i);
  return v;
}

/* ns per decision over n decisions; want is what each must answer. */
static double time_decision(const rbac_index *ix, const api_authz_attrs *a, long n, bool want) {
  double t0 = tug_monotonic_seconds();
  long wrong = 0;
  for (long i = 0; i < n; i++)
    wrong += rbac_index_allows(ix, a) != want;
  double ns = (tug_monotonic_seconds() - t0) * 1e9 / (double)n;
  if (wrong) {
    fprintf(stderr, "bench-rbac: %ld wrong decisions\n", wrong);
    exit(1);
  }
  return ns;
}

int main(int argc, char **argv) {
  int nbind = 1000, nns = 100;
  long n = 2000000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--bindings") == 0)
      nbind = atoi(argv[i + 1]);
    else if (strcmp(argv[i], "--namespaces") == 0)
      nns = atoi(argv[i + 1]);
    else if (strcmp(argv[i], "--decisions") == 0)
      n = atol(argv[i + 1]);
  }
  json_t *cr = cluster_roles(), *rb = bindings(nbind, nns), *crb = cluster_bindings();
  const json_t **crv = items(cr), **rbv = items(rb), **crbv = items(crb);
  rbac_objects o = {.cluster_roles = crv,
                    .ncluster_roles = json_array_size(cr),
                    .bindings = rbv,
                    .nbindings = json_array_size(rb),
                    .cluster_bindings = crbv,
                    .ncluster_bindings = json_array_size(crb)};
  double t0 = tug_monotonic_seconds();
  rbac_index *ix = rbac_index_build(&o);
  double build_ms = (tug_monotonic_seconds() - t0) * 1e3;

  api_user u;
  api_user_set(&u, "user-1", NULL); /* edit in ns-1 */
  api_user_add_group(&u, "system:authenticated");
  api_authz_attrs hit, miss, group;
  api_authz_resource(&hit, &u, "update", "apps", "deployments", NULL, "ns-1", "d");
  api_authz_resource(&miss, &u, "update", "apps", "deployments", NULL, "ns-2", "d");
  api_authz_resource(&group, &u, "create", "authorization.k8s.io", "selfsubjectaccessreviews", NULL,
                     NULL, NULL);
  printf("bindings=%d namespaces=%d grants=%zu index_build_ms=%.2f\n", nbind, nns,
         rbac_index_grants(ix), build_ms);
  printf("allowed_by_user_binding_ns=%.1f\n", time_decision(ix, &hit, n, true));
  printf("denied_other_namespace_ns=%.1f\n", time_decision(ix, &miss, n, false));
  printf("allowed_by_group_binding_ns=%.1f\n", time_decision(ix, &group, n, true));
  rbac_index_free(ix);
  free(crv), free(rbv), free(crbv);
  json_decref(cr), json_decref(rb), json_decref(crb);
  return 0;
}
