/*
 * rbac-bootstrap.c — the default ClusterRoles and ClusterRoleBindings, made
 * or reconciled at every start (see rbac.h).
 *
 * As Kubernetes does: a default object that is missing is created; one that
 * exists gains the rules (or subjects) it lacks and keeps what users added,
 * unless its annotation rbac.authorization.kubernetes.io/autoupdate is
 * "false", when it is left exactly as it is. admin, edit and view are
 * aggregated: their rules are gathered from the system:aggregate-to-* roles
 * and any ClusterRole labelled rbac.authorization.k8s.io/aggregate-to-<name>.
 *
 * The daemons' roles list what they do today: the scheduler watches nodes,
 * namespaces, queues and pods, binds and preempts pods, writes Queue status,
 * Events and its Lease; the controllers read and delete every kind (garbage
 * collection, namespace cleanup, quota counts) and write the kinds they own.
 * Agents are the node authorizer's (authz-node.c): system:node is made, as in
 * Kubernetes, but its binding has no subjects.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "object.h"
#include "rbac.h"
#include "server.h"
#include "storage.h"

/* Space-separated lists; "-" is the core group "". */
typedef struct rule_def {
  const char *verbs, *groups, *resources, *urls;
} rule_def;

typedef struct role_def {
  const char *name;
  const char *labels;    /* space-separated key=value, or NULL */
  const char *aggregate; /* the label its aggregationRule selects, or NULL */
  rule_def rules[16];
} role_def;

#define AGG "rbac.authorization.k8s.io/aggregate-to-"
#define WRITE "create delete deletecollection patch update"
#define READ "get list watch"
#define ALL "create delete deletecollection get list patch update watch"

static const role_def roles[] = {
    {"cluster-admin", NULL, NULL, {{"*", "*", "*", NULL}, {"*", NULL, NULL, "*"}}},
    {"admin", NULL, AGG "admin", {{0}}},
    {"edit", AGG "admin=true", AGG "edit", {{0}}},
    {"view", AGG "admin=true " AGG "edit=true", AGG "view", {{0}}},
    {"system:aggregate-to-admin",
     AGG "admin=true",
     NULL,
     {{ALL, "rbac.authorization.k8s.io", "roles rolebindings", NULL},
      {"create", "authorization.k8s.io", "localsubjectaccessreviews", NULL},
      {"get list watch update patch", "-", "resourcequotas/status", NULL}}},
    {"system:aggregate-to-edit",
     AGG "admin=true " AGG "edit=true",
     NULL,
     {{WRITE, "-",
       "pods pods/attach pods/exec pods/portforward pods/proxy configmaps events "
       "persistentvolumeclaims replicationcontrollers replicationcontrollers/scale secrets "
       "serviceaccounts services services/proxy",
       NULL},
      {READ, "-", "pods/attach pods/exec pods/portforward pods/proxy secrets services/proxy", NULL},
      {"create", "-", "pods/eviction", NULL},
      {"impersonate", "-", "serviceaccounts", NULL},
      {WRITE, "apps",
       "daemonsets deployments deployments/rollback deployments/scale replicasets "
       "replicasets/scale statefulsets statefulsets/scale",
       NULL},
      {WRITE, "autoscaling", "horizontalpodautoscalers", NULL},
      {WRITE, "batch", "cronjobs jobs", NULL},
      {WRITE, "networking.k8s.io", "ingresses networkpolicies", NULL},
      {WRITE, "policy", "poddisruptionbudgets", NULL},
      {ALL, "coordination.k8s.io", "leases", NULL},
      {"create", "-", "serviceaccounts/token", NULL}}},
    {"system:aggregate-to-view",
     AGG "admin=true " AGG "edit=true " AGG "view=true",
     NULL,
     {{READ, "-",
       "configmaps endpoints persistentvolumeclaims persistentvolumeclaims/status pods "
       "replicationcontrollers replicationcontrollers/scale serviceaccounts services "
       "services/status",
       NULL},
      {READ, "-",
       "bindings events limitranges namespaces/status pods/log pods/status "
       "replicationcontrollers/status resourcequotas resourcequotas/status",
       NULL},
      {READ, "-", "namespaces", NULL},
      {READ, "apps",
       "controllerrevisions daemonsets daemonsets/status deployments deployments/scale "
       "deployments/status replicasets replicasets/scale replicasets/status statefulsets "
       "statefulsets/scale statefulsets/status",
       NULL},
      {READ, "autoscaling", "horizontalpodautoscalers horizontalpodautoscalers/status", NULL},
      {READ, "batch", "cronjobs cronjobs/status jobs jobs/status", NULL},
      {READ, "policy", "poddisruptionbudgets poddisruptionbudgets/status", NULL},
      {READ, "networking.k8s.io", "ingresses ingresses/status networkpolicies", NULL}}},
    {"system:discovery",
     NULL,
     NULL,
     {{"get", NULL, NULL,
       "/api /api/* /apis /apis/* /healthz /livez /openapi /openapi/* /readyz /version "
       "/version/"}}},
    {"system:public-info-viewer",
     NULL,
     NULL,
     {{"get", NULL, NULL, "/healthz /livez /readyz /version /version/"}}},
    {"system:basic-user",
     NULL,
     NULL,
     {{"create", "authorization.k8s.io", "selfsubjectaccessreviews selfsubjectrulesreviews", NULL},
      {"create", "authentication.k8s.io", "selfsubjectreviews", NULL}}},
    {"system:monitoring", NULL, NULL, {{"get", NULL, NULL, "/metrics /livez /readyz /healthz"}}},
    {"system:kube-scheduler",
     NULL,
     NULL,
     {{READ, "-", "nodes namespaces pods", NULL},
      {READ, "scheduling.tug.io", "queues", NULL},
      {READ, "scheduling.k8s.io", "priorityclasses", NULL},
      {"create", "-", "pods/binding bindings", NULL},
      {"delete", "-", "pods", NULL},
      {"patch update", "-", "pods/status", NULL},
      {"patch update", "scheduling.tug.io", "queues/status", NULL},
      {"create patch update", "-", "events", NULL},
      {"create patch update", "events.k8s.io", "events", NULL},
      {"create get list watch update patch", "coordination.k8s.io", "leases", NULL},
      {READ, "-", "persistentvolumes", NULL},
      {READ " patch update", "-", "persistentvolumeclaims", NULL},
      {READ, "storage.k8s.io", "storageclasses", NULL},
      {"create", "authentication.k8s.io", "tokenreviews", NULL},
      {"create", "authorization.k8s.io", "subjectaccessreviews", NULL}}},
    {"system:kube-controller-manager",
     NULL,
     NULL,
     {{"get list watch update patch delete deletecollection", "*", "*", NULL},
      {"create", "-", "pods endpoints events serviceaccounts secrets configmaps", NULL},
      {"create", "apps", "replicasets deployments", NULL},
      {"create", "-", "persistentvolumes persistentvolumeclaims", NULL},
      {"create", "apps", "statefulsets", NULL},
      {"create", "apps", "controllerrevisions", NULL},
      {"create", "batch", "jobs", NULL},
      {"create", "coordination.k8s.io", "leases", NULL},
      {"create", "events.k8s.io", "events", NULL},
      {"create", "authentication.k8s.io", "tokenreviews", NULL},
      {"create", "authorization.k8s.io", "subjectaccessreviews", NULL}}},
    {"system:node",
     NULL,
     NULL,
     {{"get list watch create update patch delete", "-", "nodes nodes/status", NULL},
      {"get list watch delete", "-", "pods", NULL},
      {"update patch", "-", "pods/status", NULL},
      {"get", "-", "secrets configmaps persistentvolumeclaims serviceaccounts", NULL},
      {"create", "-", "serviceaccounts/token", NULL},
      {READ, "-", "services endpoints", NULL},
      {"create patch update", "-", "events", NULL},
      {"create get update patch delete", "coordination.k8s.io", "leases", NULL}}},
    {NULL},
};

typedef struct binding_def {
  const char *name, *role;
  const char *subjects; /* space-separated kind:name ("Group:system:masters"), or "" */
} binding_def;

static const binding_def bindings[] = {
    {"cluster-admin", "cluster-admin", "Group:system:masters"},
    {"system:discovery", "system:discovery", "Group:system:authenticated"},
    {"system:basic-user", "system:basic-user", "Group:system:authenticated"},
    {"system:public-info-viewer", "system:public-info-viewer",
     "Group:system:authenticated Group:system:unauthenticated"},
    {"system:monitoring", "system:monitoring", "Group:system:monitoring"},
    {"system:kube-scheduler", "system:kube-scheduler", "User:system:kube-scheduler"},
    {"system:kube-controller-manager", "system:kube-controller-manager",
     "User:system:kube-controller-manager"},
    {"system:node", "system:node", ""},
    {NULL},
};

static json_t *words(const char *list) {
  json_t *a = json_array();
  char *copy = strdup(list ? list : ""), *save = NULL;
  for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
    json_array_append_new(a, json_string(strcmp(w, "-") == 0 ? "" : w));
  free(copy);
  return a;
}

static json_t *rule_json(const rule_def *r) {
  json_t *o = json_pack("{s:o}", "verbs", words(r->verbs));
  if (r->urls)
    json_object_set_new(o, "nonResourceURLs", words(r->urls));
  else
    json_object_update_new(o, json_pack("{s:o, s:o}", "apiGroups", words(r->groups), "resources",
                                        words(r->resources)));
  return o;
}

static json_t *meta(const char *name, const char *labels) {
  json_t *l = json_pack("{s:s}", "kubernetes.io/bootstrapping", "rbac-defaults");
  char *copy = strdup(labels ? labels : ""), *save = NULL;
  for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
    char *eq = strchr(w, '=');
    if (eq) {
      *eq = '\0';
      json_object_set_new(l, w, json_string(eq + 1));
    }
  }
  free(copy);
  char uid[40], now[32];
  return json_pack("{s:s, s:s, s:s, s:o, s:{s:s}}", "name", name, "uid",
                   api_new_uid(uid, sizeof uid), "creationTimestamp", api_now(now, sizeof now),
                   "labels", l, "annotations", "rbac.authorization.kubernetes.io/autoupdate",
                   "true");
}

static json_t *role_json(const role_def *d) {
  json_t *rules = json_array();
  for (int i = 0; d->rules[i].verbs; i++)
    json_array_append_new(rules, rule_json(&d->rules[i]));
  json_t *o =
      json_pack("{s:s, s:s, s:o, s:o}", "apiVersion", "rbac.authorization.k8s.io/v1", "kind",
                "ClusterRole", "metadata", meta(d->name, d->labels), "rules", rules);
  if (d->aggregate) {
    char key[128];
    snprintf(key, sizeof key, "%s", d->aggregate);
    json_object_set_new(
        o, "aggregationRule",
        json_pack("{s:[{s:{s:s}}]}", "clusterRoleSelectors", "matchLabels", key, "true"));
  }
  return o;
}

static json_t *binding_json(const binding_def *d) {
  json_t *subjects = json_array();
  char *copy = strdup(d->subjects), *save = NULL;
  for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
    char *colon = strchr(w, ':');
    *colon = '\0';
    json_array_append_new(subjects, json_pack("{s:s, s:s, s:s}", "kind", w, "apiGroup",
                                              "rbac.authorization.k8s.io", "name", colon + 1));
  }
  free(copy);
  return json_pack("{s:s, s:s, s:o, s:{s:s, s:s, s:s}, s:o}", "apiVersion",
                   "rbac.authorization.k8s.io/v1", "kind", "ClusterRoleBinding", "metadata",
                   meta(d->name, NULL), "roleRef", "apiGroup", "rbac.authorization.k8s.io", "kind",
                   "ClusterRole", "name", d->role, "subjects", subjects);
}

/* Add to have's array member key what want's lacks; true when something was added. */
static bool add_missing(json_t *have, const json_t *want, const char *key) {
  json_t *list = json_object_get(have, key);
  if (!json_is_array(list)) {
    list = json_array();
    json_object_set_new(have, key, list);
  }
  bool added = false;
  size_t i, j;
  json_t *w, *h;
  json_array_foreach(json_object_get(want, key), i, w) {
    bool found = false;
    json_array_foreach(list, j, h) found |= json_equal(h, w);
    if (!found) {
      json_array_append(list, w);
      added = true;
    }
  }
  return added;
}

/* Create want, or add to its array member key what the stored one lacks
 * (unless autoupdate is "false"); key NULL: only create (aggregated roles,
 * whose rules the aggregation keeps). */
static int reconcile(api_server *s, const api_kind *k, json_t *want, const char *key,
                     tug_error *err) {
  const char *name = tug_obj_name(want);
  json_t *cur = NULL;
  int64_t rev;
  int rc = api_storage_get(s, k, NULL, name, &cur, &rev, err);
  if (rc < 0 && err->code == ENOENT) {
    tug_error_clear(err);
    rc = api_storage_create(s, k, want, NULL, err);
    if (rc == 0)
      tug_info("created default RBAC object", "kind=%s name=%s", k->kind, name);
    return rc < 0 && err->code == TUG_E_CONFLICT ? (tug_error_clear(err), 0) : rc;
  }
  if (rc < 0)
    return -1;
  const char *auto_ = json_string_value(json_object_get(
      tug_obj_get(cur, "metadata.annotations"), "rbac.authorization.kubernetes.io/autoupdate"));
  bool changed = key && !(auto_ && strcmp(auto_, "false") == 0) && add_missing(cur, want, key);
  if (changed && api_storage_update(s, k, cur, rev, NULL, err) == 0)
    tug_info("reconciled default RBAC object", "kind=%s name=%s", k->kind, name);
  json_decref(cur);
  return changed && err->code && err->code != TUG_E_CONFLICT ? -1 : (tug_error_clear(err), 0);
}

int api_rbac_bootstrap(api_server *s, tug_error *err) {
  const api_kind *cr = api_kind_by_resource("rbac.authorization.k8s.io", "v1", "clusterroles");
  const api_kind *crb =
      api_kind_by_resource("rbac.authorization.k8s.io", "v1", "clusterrolebindings");
  for (const role_def *d = roles; d->name; d++) {
    json_t *o = role_json(d);
    int rc = reconcile(s, cr, o, d->aggregate ? NULL : "rules", err);
    json_decref(o);
    if (rc < 0)
      return tug_error_wrap(err, "default cluster role %s", d->name);
  }
  for (const binding_def *d = bindings; d->name; d++) {
    json_t *o = binding_json(d);
    int rc = reconcile(s, crb, o, "subjects", err);
    json_decref(o);
    if (rc < 0)
      return tug_error_wrap(err, "default cluster role binding %s", d->name);
  }
  return 0;
}
