/*
 * registry.c — the table of kinds (see registry.h) and lookups in it.
 */
#include "registry.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "crd.h"
#include "server.h"
#include "table.h"
#include "validation.h"

/* Kubernetes' verbs: every kind has all of them but Namespaces, which cannot
 * be deleted as a collection. */
const char *const api_verbs_all[] = {
    "create", "delete", "deletecollection", "get", "list", "patch", "update", "watch", NULL};
/* The access reviews are asked, never stored or read back. */
static const char *const verbs_create[] = {"create", NULL};
static const char *const verbs_no_collection[] = {"create", "delete", "get",   "list",
                                                  "patch",  "update", "watch", NULL};

/* `kubectl get all`: what runs an application, as in Kubernetes (pods,
 * services and the workloads that make pods); configuration, cluster objects
 * and Tugboat's own Queues are not in it. */
static const char *const cat_all[] = {"all", NULL};

static const char *const sub_read_write[] = {"get", "patch", "update", NULL};
static const char *const sub_create[] = {"create", NULL};
static const char *const sub_get[] = {"get", NULL};
static const char *const sub_update[] = {"update", NULL};
static const char *const sub_stream[] = {"create", "get", NULL};

const api_subresource api_subresources[] = {
    {API_SUB_STATUS, "status", sub_read_write, NULL, NULL, NULL},
    {API_SUB_SCALE, "scale", sub_read_write, "autoscaling", "v1", "Scale"},
    {API_SUB_BINDING, "binding", sub_create, NULL, NULL, "Binding"},
    {API_SUB_LOG, "log", sub_get, NULL, NULL, NULL},
    {API_SUB_FINALIZE, "finalize", sub_update, NULL, NULL, NULL},
    {API_SUB_TOKEN, "token", sub_create, "authentication.k8s.io", "v1", "TokenRequest"},
    {API_SUB_EVICTION, "eviction", sub_create, "policy", "v1", "Eviction"},
    {API_SUB_EXEC, "exec", sub_stream, NULL, NULL, "PodExecOptions"},
    {API_SUB_ATTACH, "attach", sub_stream, NULL, NULL, "PodAttachOptions"},
    {API_SUB_PORTFORWARD, "portforward", sub_stream, NULL, NULL, "PodPortForwardOptions"},
    {API_SUB_PENDING, "pendingworkloads", sub_get, NULL, NULL, "PendingWorkloadsSummary"},
    {.name = NULL},
};

static const api_strategy generic = {0};

#define KIND(g, v, k, plural_, singular_, ns, subs, strat, verbs_, cats, id, ...)                  \
  {                                                                                                \
    .group = g, .version = v, .kind = k, .plural = plural_, .singular = singular_,                 \
    .short_names = {__VA_ARGS__}, .namespaced = ns, .subresources = subs, .verbs = verbs_,         \
    .categories = cats, .defaults = api_default_##id, .validate = api_validate_##id,               \
    .columns = api_columns_##id, .strategy = strat                                                 \
  }

const api_kind api_kinds[] = {
    KIND("", "v1", "Namespace", "namespaces", "namespace", false, API_SUB_STATUS | API_SUB_FINALIZE,
         &api_strategy_namespace, verbs_no_collection, NULL, namespace, "ns", NULL),
    KIND("", "v1", "Node", "nodes", "node", false, API_SUB_STATUS, &api_strategy_node,
         api_verbs_all, NULL, node, "no", NULL),
    KIND("", "v1", "Pod", "pods", "pod", true,
         API_SUB_STATUS | API_SUB_BINDING | API_SUB_LOG | API_SUB_EVICTION | API_SUB_EXEC |
             API_SUB_ATTACH | API_SUB_PORTFORWARD,
         &api_strategy_pod, api_verbs_all, cat_all, pod, "po", NULL),
    KIND("", "v1", "Service", "services", "service", true, API_SUB_STATUS, &generic, api_verbs_all,
         cat_all, service, "svc", NULL),
    KIND("", "v1", "Endpoints", "endpoints", "endpoints", true, 0, &generic, api_verbs_all, NULL,
         endpoints, "ep", NULL),
    KIND("", "v1", "ConfigMap", "configmaps", "configmap", true, 0, &generic, api_verbs_all, NULL,
         configmap, "cm", NULL),
    KIND("", "v1", "Secret", "secrets", "secret", true, 0, &generic, api_verbs_all, NULL, secret,
         NULL),
    KIND("", "v1", "ServiceAccount", "serviceaccounts", "serviceaccount", true, API_SUB_TOKEN,
         &generic, api_verbs_all, NULL, serviceaccount, "sa", NULL),
    KIND("", "v1", "ResourceQuota", "resourcequotas", "resourcequota", true, API_SUB_STATUS,
         &api_strategy_resourcequota, api_verbs_all, NULL, resourcequota, "quota", NULL),
    KIND("", "v1", "LimitRange", "limitranges", "limitrange", true, 0, &generic, api_verbs_all,
         NULL, limitrange, "limits", NULL),
    KIND("", "v1", "Event", "events", "event", true, 0, &api_strategy_event, api_verbs_all, NULL,
         event, "ev", NULL),
    KIND("apps", "v1", "Deployment", "deployments", "deployment", true,
         API_SUB_STATUS | API_SUB_SCALE, &api_strategy_workload, api_verbs_all, cat_all, deployment,
         "deploy", NULL),
    KIND("apps", "v1", "ReplicaSet", "replicasets", "replicaset", true,
         API_SUB_STATUS | API_SUB_SCALE, &api_strategy_workload, api_verbs_all, cat_all, replicaset,
         "rs", NULL),
    KIND("batch", "v1", "Job", "jobs", "job", true, API_SUB_STATUS, &api_strategy_workload,
         api_verbs_all, cat_all, job, NULL),
    KIND("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", "priorityclass", false, 0,
         &generic, api_verbs_all, NULL, priorityclass, "pc", NULL),
    KIND("coordination.k8s.io", "v1", "Lease", "leases", "lease", true, 0, &api_strategy_lease,
         api_verbs_all, NULL, lease, NULL),
    KIND("rbac.authorization.k8s.io", "v1", "Role", "roles", "role", true, 0,
         &api_strategy_rbac_role, api_verbs_all, NULL, role, NULL),
    KIND("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", "clusterrole", false, 0,
         &api_strategy_rbac_role, api_verbs_all, NULL, clusterrole, NULL),
    KIND("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", "rolebinding", true, 0,
         &api_strategy_rbac_binding, api_verbs_all, NULL, rolebinding, NULL),
    KIND("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings",
         "clusterrolebinding", false, 0, &api_strategy_rbac_binding, api_verbs_all, NULL,
         clusterrolebinding, NULL),
    KIND("authorization.k8s.io", "v1", "SubjectAccessReview", "subjectaccessreviews", "", false, 0,
         &api_strategy_access_review, verbs_create, NULL, accessreview, NULL),
    KIND("authorization.k8s.io", "v1", "LocalSubjectAccessReview", "localsubjectaccessreviews", "",
         true, 0, &api_strategy_access_review, verbs_create, NULL, accessreview, NULL),
    KIND("authorization.k8s.io", "v1", "SelfSubjectAccessReview", "selfsubjectaccessreviews", "",
         false, 0, &api_strategy_access_review, verbs_create, NULL, accessreview, NULL),
    KIND("authorization.k8s.io", "v1", "SelfSubjectRulesReview", "selfsubjectrulesreviews", "",
         false, 0, &api_strategy_rules_review, verbs_create, NULL, accessreview, NULL),
    KIND("scheduling.tug.io", "v1", "Queue", "queues", "queue", false,
         API_SUB_STATUS | API_SUB_PENDING, &generic, api_verbs_all, NULL, queue, "q", NULL),
    KIND("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions",
         "customresourcedefinition", false, API_SUB_STATUS, &api_strategy_crd, api_verbs_all, NULL,
         customresourcedefinition, "crd", "crds", NULL),
    KIND("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", "poddisruptionbudget", true,
         API_SUB_STATUS, &generic, api_verbs_all, NULL, poddisruptionbudget, "pdb", NULL),
    KIND("", "v1", "ReplicationController", "replicationcontrollers", "replicationcontroller", true,
         API_SUB_STATUS | API_SUB_SCALE, &api_strategy_workload, api_verbs_all, cat_all,
         replicationcontroller, "rc", NULL),
    KIND("networking.k8s.io", "v1", "Ingress", "ingresses", "ingress", true, API_SUB_STATUS,
         &generic, api_verbs_all, NULL, ingress, "ing", NULL),
    KIND("batch", "v1", "CronJob", "cronjobs", "cronjob", true, API_SUB_STATUS,
         &api_strategy_cronjob, api_verbs_all, cat_all, cronjob, "cj", NULL),
    KIND("apps", "v1", "DaemonSet", "daemonsets", "daemonset", true, API_SUB_STATUS,
         &api_strategy_workload, api_verbs_all, cat_all, daemonset, "ds", NULL),
    /* Persistent volumes and StatefulSets. */
    KIND("", "v1", "PersistentVolume", "persistentvolumes", "persistentvolume", false,
         API_SUB_STATUS, &api_strategy_persistentvolume, api_verbs_all, NULL, persistentvolume,
         "pv", NULL),
    KIND("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", "persistentvolumeclaim", true,
         API_SUB_STATUS, &api_strategy_persistentvolumeclaim, api_verbs_all, NULL,
         persistentvolumeclaim, "pvc", NULL),
    KIND("storage.k8s.io", "v1", "StorageClass", "storageclasses", "storageclass", false, 0,
         &generic, api_verbs_all, NULL, storageclass, "sc", NULL),
    KIND("apps", "v1", "StatefulSet", "statefulsets", "statefulset", true,
         API_SUB_STATUS | API_SUB_SCALE, &api_strategy_workload, api_verbs_all, cat_all,
         statefulset, "sts", NULL),
    KIND("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", "networkpolicy", true, 0,
         &generic, api_verbs_all, NULL, networkpolicy, "netpol", NULL),
    KIND("apps", "v1", "ControllerRevision", "controllerrevisions", "controllerrevision", true, 0,
         &generic, api_verbs_all, NULL, controllerrevision, NULL),
    {.kind = NULL},
};

/* Kinds added at run time: appended, published by the count, never moved,
 * so that readers walk them without a lock. */
enum { CUSTOM_KINDS_MAX = 4096 };
static const api_kind *custom_kinds[CUSTOM_KINDS_MAX];
static atomic_size_t custom_count;
static pthread_mutex_t custom_mu = PTHREAD_MUTEX_INITIALIZER;

static const api_kind *live_custom_from(size_t slot) {
  size_t n = atomic_load_explicit(&custom_count, memory_order_acquire);
  for (; slot < n; slot++)
    if (!atomic_load(&custom_kinds[slot]->custom->retired))
      return custom_kinds[slot];
  return NULL;
}

const api_kind *api_kind_first(void) {
  return api_kinds;
}

const api_kind *api_kind_next(const api_kind *k) {
  if (k->custom)
    return live_custom_from(k->custom->slot + 1);
  return k[1].kind ? &k[1] : live_custom_from(0);
}

int api_kind_add(const api_kind *k, tug_error *err) {
  pthread_mutex_lock(&custom_mu);
  size_t n = atomic_load(&custom_count);
  if (n == CUSTOM_KINDS_MAX) {
    pthread_mutex_unlock(&custom_mu);
    return tug_error_set(err, ENOSPC, "add kind %s: %d kinds were added already", k->kind,
                         CUSTOM_KINDS_MAX);
  }
  k->custom->slot = n;
  custom_kinds[n] = k;
  atomic_store_explicit(&custom_count, n + 1, memory_order_release);
  pthread_mutex_unlock(&custom_mu);
  return 0;
}

void api_kind_retire(const api_kind *k) {
  atomic_store(&k->custom->retired, true);
}

struct api_watchcache *api_kind_cache(const api_server *s, const api_kind *k) {
  if (k->custom)
    return atomic_load(&k->custom->cache);
  return s->caches[k - api_kinds];
}

static bool is_resource(const api_kind *k, const char *group, const char *version,
                        const char *plural) {
  return strcmp(k->group, group) == 0 && strcmp(k->version, version) == 0 &&
         strcmp(k->plural, plural) == 0;
}

const api_kind *api_kind_by_resource(const char *group, const char *version, const char *plural) {
  for (const api_kind *k = api_kinds; k->kind; k++)
    if (is_resource(k, group, version, plural))
      return k;
  for (const api_kind *k = live_custom_from(0); k; k = live_custom_from(k->custom->slot + 1))
    if (is_resource(k, group, version, plural))
      return k;
  return NULL;
}

bool api_kind_allows(const api_kind *k, const char *verb) {
  for (const char *const *v = k->verbs; *v; v++)
    if (strcmp(*v, verb) == 0)
      return true;
  return false;
}

const char *api_kind_api_version(const api_kind *k, char *buf, size_t size) {
  if (k->group[0])
    snprintf(buf, size, "%s/%s", k->group, k->version);
  else
    snprintf(buf, size, "%s", k->version);
  return buf;
}

const api_kind *api_kind_by_gvk(const char *api_version, const char *kind) {
  if (api_version == NULL || kind == NULL)
    return NULL;
  char buf[128];
  for (const api_kind *k = api_kind_first(); k; k = api_kind_next(k))
    if (strcmp(k->kind, kind) == 0 &&
        strcmp(api_kind_api_version(k, buf, sizeof buf), api_version) == 0)
      return k;
  return NULL;
}

void api_cause(json_t *causes, const char *reason, const char *field, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  json_array_append_new(
      causes, json_pack("{s:s, s:s, s:s}", "reason", reason, "message", msg, "field", field));
}
