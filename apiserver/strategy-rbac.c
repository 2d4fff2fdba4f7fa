/*
 * strategy-rbac.c — Roles, ClusterRoles and their bindings: escalation
 * prevention, as Kubernetes' RBAC registry does it.
 *
 * Whoever writes a Role or ClusterRole must already hold every permission it
 * grants (where it grants them: the Role's namespace, or cluster-wide), or be
 * allowed the verb "escalate" on it. Whoever writes a binding must hold every
 * permission of the role it binds, or be allowed "bind" on that role. Only
 * those allowed "escalate" may set an aggregationRule, whose rules come from
 * other roles. The cluster's masters hold everything.
 */
#include <stdio.h>
#include <string.h>

#include "authz.h"
#include "object.h"
#include "rbac.h"
#include "registry.h"
#include "server.h"
#include "status.h"

static const char RBAC_GROUP[] = "rbac.authorization.k8s.io";

/* Whether the requester may verb (escalate, bind) the role ns/name. */
static bool may(api_request *r, const char *verb, bool cluster, const char *ns, const char *name) {
  api_authz_attrs a;
  api_authz_resource(&a, &r->user, verb, RBAC_GROUP, cluster ? "clusterroles" : "roles", NULL,
                     cluster ? NULL : ns, name);
  return api_authorize(r->server, &a, NULL, 0);
}

static void groups_text(const api_user *u, char *buf, size_t size) {
  size_t n = 0;
  buf[0] = '\0';
  for (int i = 0; i < u->ngroups && n + 1 < size; i++)
    n += (size_t)snprintf(buf + n, size - n, "%s\"%s\"", i ? " " : "", u->groups[i]);
}

static int refuse(api_request *r, const json_t *obj, const char *missing, api_response *out) {
  char groups[1024];
  groups_text(&r->user, groups, sizeof groups);
  const char *kind = tug_obj_get_str(obj, "kind");
  const api_kind *k = api_kind_by_gvk(tug_obj_get_str(obj, "apiVersion"), kind);
  json_decref(out->body);
  out->code = 403;
  out->body = api_status(
      403, "Forbidden", api_status_details(k, tug_obj_name(obj)),
      "%s.%s \"%s\" is forbidden: user \"%s\" (groups=[%s]) is attempting to grant RBAC "
      "permissions not currently held:\n%s",
      k ? k->plural : "", RBAC_GROUP, tug_obj_name(obj) ?: "", r->user.name, groups, missing);
  return -1;
}

/* Every rule of want covered by what the requester holds in ns ("" cluster). */
static bool holds(api_request *r, const rbac_rules *want, const char *ns, char *missing,
                  size_t size) {
  rbac_rules have = {0};
  api_rbac_user_rules(r->server->rbac, &r->user, ns, &have);
  bool ok = true;
  for (size_t i = 0; i < want->n && ok; i++)
    ok = rbac_rules_cover(&have, &want->v[i], missing, size);
  rbac_rules_free(&have);
  return ok;
}

static bool is_cluster(const json_t *obj) {
  const char *kind = tug_obj_get_str(obj, "kind");
  return kind && strncmp(kind, "Cluster", 7) == 0;
}

static int admit_role(api_request *r, const json_t *obj, const json_t *old, api_response *out) {
  (void)old;
  bool cluster = is_cluster(obj);
  const char *ns = cluster ? "" : tug_obj_namespace(obj);
  if (api_user_in_group(&r->user, "system:masters") ||
      may(r, "escalate", cluster, ns, tug_obj_name(obj)))
    return 0;
  if (json_object_get(obj, "aggregationRule")) {
    api_fail(out, 403,
             "%s \"%s\" is forbidden: must have the escalate verb on clusterroles to use an "
             "aggregationRule",
             "clusterroles.rbac.authorization.k8s.io", tug_obj_name(obj));
    return -1;
  }
  rbac_rules want = {0};
  rbac_rules_parse(json_object_get(obj, "rules"), &want);
  char missing[1024] = "";
  bool ok = holds(r, &want, ns ? ns : "", missing, sizeof missing);
  rbac_rules_free(&want);
  return ok ? 0 : refuse(r, obj, missing, out);
}

static int admit_binding(api_request *r, const json_t *obj, const json_t *old, api_response *out) {
  (void)old;
  bool cluster_binding = is_cluster(obj);
  const char *ns = cluster_binding ? "" : tug_obj_namespace(obj);
  const char *ref_kind = tug_obj_get_str(obj, "roleRef.kind");
  const char *ref_name = tug_obj_get_str(obj, "roleRef.name");
  bool cluster_role = ref_kind && strcmp(ref_kind, "ClusterRole") == 0;
  if (api_user_in_group(&r->user, "system:masters") || may(r, "bind", cluster_role, ns, ref_name))
    return 0;
  rbac_rules want = {0};
  char missing[1024] = "";
  if (api_rbac_role_rules(r->server->rbac, cluster_role, ns, ref_name ?: "", &want) < 0) {
    rbac_rules_free(&want);
    api_fail(
        out, 403,
        "%s \"%s\" is forbidden: %s \"%s\" not found, and binding it needs the bind verb on it",
        cluster_binding ? "clusterrolebindings.rbac.authorization.k8s.io"
                        : "rolebindings.rbac.authorization.k8s.io",
        tug_obj_name(obj), cluster_role ? "clusterroles" : "roles", ref_name ?: "");
    return -1;
  }
  bool ok = holds(r, &want, ns ? ns : "", missing, sizeof missing);
  rbac_rules_free(&want);
  return ok ? 0 : refuse(r, obj, missing, out);
}

const api_strategy api_strategy_rbac_role = {.admit_request = admit_role};
const api_strategy api_strategy_rbac_binding = {.admit_request = admit_binding};
