/*
 * registry.c — the table of kinds (see registry.h) and lookups in it.
 */
#include "registry.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "table.h"
#include "validation.h"

static const char *const verbs_all[] = {
    "create", "delete", "deletecollection", "get", "list", "patch", "update", "watch", NULL};

static const api_strategy generic = {0};

#define KIND(g, v, k, plural_, singular_, ns, subs, strat, id, ...)                                \
  {                                                                                                \
    .group = g, .version = v, .kind = k, .plural = plural_, .singular = singular_,                 \
    .short_names = {__VA_ARGS__}, .namespaced = ns, .subresources = subs, .verbs = verbs_all,      \
    .defaults = api_default_##id, .validate = api_validate_##id, .columns = api_columns_##id,      \
    .strategy = strat                                                                              \
  }

const api_kind api_kinds[] = {
    KIND("", "v1", "Namespace", "namespaces", "namespace", false, API_SUB_STATUS | API_SUB_FINALIZE,
         &api_strategy_namespace, namespace, "ns", NULL),
    KIND("", "v1", "Node", "nodes", "node", false, API_SUB_STATUS, &api_strategy_node, node, "no",
         NULL),
    KIND("", "v1", "Pod", "pods", "pod", true, API_SUB_STATUS | API_SUB_BINDING | API_SUB_LOG,
         &api_strategy_pod, pod, "po", NULL),
    KIND("", "v1", "Service", "services", "service", true, API_SUB_STATUS, &generic, service, "svc",
         NULL),
    KIND("", "v1", "Endpoints", "endpoints", "endpoints", true, 0, &generic, endpoints, "ep", NULL),
    KIND("", "v1", "ConfigMap", "configmaps", "configmap", true, 0, &generic, configmap, "cm",
         NULL),
    KIND("", "v1", "Secret", "secrets", "secret", true, 0, &generic, secret, NULL),
    KIND("", "v1", "ResourceQuota", "resourcequotas", "resourcequota", true, API_SUB_STATUS,
         &api_strategy_resourcequota, resourcequota, "quota", NULL),
    KIND("", "v1", "LimitRange", "limitranges", "limitrange", true, 0, &generic, limitrange,
         "limits", NULL),
    KIND("", "v1", "Event", "events", "event", true, 0, &api_strategy_event, event, "ev", NULL),
    KIND("apps", "v1", "Deployment", "deployments", "deployment", true,
         API_SUB_STATUS | API_SUB_SCALE, &api_strategy_workload, deployment, "deploy", NULL),
    KIND("apps", "v1", "ReplicaSet", "replicasets", "replicaset", true,
         API_SUB_STATUS | API_SUB_SCALE, &api_strategy_workload, replicaset, "rs", NULL),
    KIND("batch", "v1", "Job", "jobs", "job", true, API_SUB_STATUS, &api_strategy_workload, job,
         NULL),
    KIND("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", "priorityclass", false, 0,
         &generic, priorityclass, "pc", NULL),
    KIND("coordination.k8s.io", "v1", "Lease", "leases", "lease", true, 0, &generic, lease, NULL),
    KIND("scheduling.tug.io", "v1", "Queue", "queues", "queue", false, API_SUB_STATUS, &generic,
         queue, "q", NULL),
    {.kind = NULL},
};

const api_kind *api_kind_by_resource(const char *group, const char *version, const char *plural) {
  for (const api_kind *k = api_kinds; k->kind; k++)
    if (strcmp(k->group, group) == 0 && strcmp(k->version, version) == 0 &&
        strcmp(k->plural, plural) == 0)
      return k;
  return NULL;
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
  for (const api_kind *k = api_kinds; k->kind; k++)
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
