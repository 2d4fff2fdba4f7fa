/*
 * kinds.c — the built-in kinds and their paths (see kinds.h).
 */
#include "kinds.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "object.h"

const tug_kind tug_kinds[] = {
    {"", "v1", "Namespace", "namespaces", false},
    {"", "v1", "Node", "nodes", false},
    {"", "v1", "Pod", "pods", true},
    {"", "v1", "Service", "services", true},
    {"", "v1", "Endpoints", "endpoints", true},
    {"", "v1", "ConfigMap", "configmaps", true},
    {"", "v1", "Secret", "secrets", true},
    {"", "v1", "ServiceAccount", "serviceaccounts", true},
    {"", "v1", "ResourceQuota", "resourcequotas", true},
    {"", "v1", "LimitRange", "limitranges", true},
    {"", "v1", "Event", "events", true},
    {"apps", "v1", "Deployment", "deployments", true},
    {"apps", "v1", "ReplicaSet", "replicasets", true},
    {"batch", "v1", "Job", "jobs", true},
    {"scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", false},
    {"coordination.k8s.io", "v1", "Lease", "leases", true},
    {"rbac.authorization.k8s.io", "v1", "Role", "roles", true},
    {"rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", false},
    {"rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", true},
    {"rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", false},
    {"authorization.k8s.io", "v1", "SubjectAccessReview", "subjectaccessreviews", false},
    {"authorization.k8s.io", "v1", "LocalSubjectAccessReview", "localsubjectaccessreviews", true},
    {"authorization.k8s.io", "v1", "SelfSubjectAccessReview", "selfsubjectaccessreviews", false},
    {"authorization.k8s.io", "v1", "SelfSubjectRulesReview", "selfsubjectrulesreviews", false},
    {"scheduling.tug.io", "v1", "Queue", "queues", false},
    {"apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", false},
    {"policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", true},
    {"", "v1", "ReplicationController", "replicationcontrollers", true},
    {"networking.k8s.io", "v1", "Ingress", "ingresses", true},
    {"batch", "v1", "CronJob", "cronjobs", true},
    {"apps", "v1", "DaemonSet", "daemonsets", true},
    {"", "v1", "PersistentVolume", "persistentvolumes", false},
    {"", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", true},
    {"storage.k8s.io", "v1", "StorageClass", "storageclasses", false},
    {"apps", "v1", "StatefulSet", "statefulsets", true},
    {"networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", true},
    {"apps", "v1", "ControllerRevision", "controllerrevisions", true},
    {NULL, NULL, NULL, NULL, false},
};

static bool same_api_version(const tug_kind *k, const char *api_version) {
  size_t g = strlen(k->group);
  if (g == 0)
    return strcmp(api_version, k->version) == 0;
  return strncmp(api_version, k->group, g) == 0 && api_version[g] == '/' &&
         strcmp(api_version + g + 1, k->version) == 0;
}

const tug_kind *tug_kind_find(const char *api_version, const char *kind) {
  if (kind == NULL)
    return NULL;
  for (const tug_kind *k = tug_kinds; k->kind; k++)
    if (strcmp(k->kind, kind) == 0 && (api_version == NULL || same_api_version(k, api_version)))
      return k;
  return NULL;
}

const tug_kind *tug_kind_by_resource(const char *group, const char *resource) {
  for (const tug_kind *k = tug_kinds; k->kind; k++)
    if (strcmp(k->group, group) == 0 && strcmp(k->resource, resource) == 0)
      return k;
  return NULL;
}

int tug_kind_path(char *buf, size_t size, const tug_kind *k, const char *ns, const char *name,
                  const char *sub) {
  char prefix[160], scope[300] = "", item[600] = "";
  if (k->group[0])
    snprintf(prefix, sizeof prefix, "/apis/%s/%s", k->group, k->version);
  else
    snprintf(prefix, sizeof prefix, "/api/%s", k->version);
  if (k->namespaced && ns && ns[0])
    snprintf(scope, sizeof scope, "/namespaces/%s", ns);
  if (name)
    snprintf(item, sizeof item, "/%s%s%s", name, sub ? "/" : "", sub ? sub : "");
  int n = snprintf(buf, size, "%s%s/%s%s", prefix, scope, k->resource, item);
  return n > 0 && (size_t)n < size ? 0 : -1;
}

int tug_api_path(char *buf, size_t size, const char *kind, const char *ns, const char *name,
                 const char *sub, tug_error *err) {
  const tug_kind *k = tug_kind_find(NULL, kind);
  if (k == NULL)
    return tug_error_set(err, ENOENT, "kind %s: not a built-in kind", kind ? kind : "(none)");
  if (tug_kind_path(buf, size, k, ns, name, sub) < 0)
    return tug_error_set(err, ENAMETOOLONG, "path of %s %s: too long", kind, name ? name : "");
  return 0;
}

int tug_obj_path(char *buf, size_t size, const json_t *obj, const char *sub, tug_error *err) {
  const char *kind = tug_obj_kind(obj), *name = tug_obj_name(obj);
  if (name == NULL)
    return tug_error_set(err, EINVAL, "%s without a name", kind ? kind : "object");
  const tug_kind *k = tug_kind_find(tug_obj_api_version(obj), kind);
  if (k == NULL)
    return tug_error_set(err, ENOENT, "%s %s: not a built-in kind", tug_obj_api_version(obj),
                         kind ? kind : "(none)");
  if (tug_kind_path(buf, size, k, tug_obj_namespace(obj), name, sub) < 0)
    return tug_error_set(err, ENAMETOOLONG, "path of %s %s: too long", kind, name);
  return 0;
}
