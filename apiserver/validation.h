/*
 * validation.h — defaulting and validation of every kind the API server serves.
 *
 * The server runs, for each write: api_default_<kind>(obj), then
 * api_validate_metadata(), then api_validate_<kind>(obj, old). Validators
 * follow Kubernetes: they collect one cause per bad field ({reason, message,
 * field}, see api_cause in registry.h) and never stop at the first, and they
 * survive any JSON — a value of the wrong type is a cause, not a crash.
 * Fields they do not know are left alone: unknown fields are kept.
 */
#ifndef TUG_APISERVER_VALIDATION_H
#define TUG_APISERVER_VALIDATION_H

#include <jansson.h>
#include <stdbool.h>

/* DNS-1123 label: at most 63 of [a-z0-9-], alphanumeric at both ends. */
bool api_dns1123_label(const char *s);
/* DNS-1123 subdomain: at most 253 characters, dot-separated DNS-1123 labels. */
bool api_dns1123_subdomain(const char *s);

/*
 * metadata: name (or generateName) by the kind's naming rule, namespace for
 * namespaced kinds only, labels, annotations (valid keys, at most 256 KiB in
 * all), ownerReferences and finalizers. kind is the Kind ("Pod").
 */
void api_validate_metadata(const json_t *obj, const char *kind, bool namespaced, json_t *causes);

/* One pair per kind, the api_default_fn and api_validate_fn of registry.h: old is
 * the stored object on update, NULL on create. */
void api_default_namespace(json_t *obj);
void api_validate_namespace(const json_t *obj, const json_t *old, json_t *causes);
void api_default_node(json_t *obj);
void api_validate_node(const json_t *obj, const json_t *old, json_t *causes);
void api_default_pod(json_t *obj);
void api_validate_pod(const json_t *obj, const json_t *old, json_t *causes);
void api_default_service(json_t *obj);
void api_validate_service(const json_t *obj, const json_t *old, json_t *causes);
/* The node port range validation checks against (--service-node-port-range). */
void api_service_set_node_port_range(int min, int max);
void api_default_endpoints(json_t *obj);
void api_validate_endpoints(const json_t *obj, const json_t *old, json_t *causes);
void api_default_configmap(json_t *obj);
void api_validate_configmap(const json_t *obj, const json_t *old, json_t *causes);
/* Also merges the write-only stringData into data, as kube-apiserver does. */
void api_default_secret(json_t *obj);
void api_validate_secret(const json_t *obj, const json_t *old, json_t *causes);
void api_default_serviceaccount(json_t *obj);
void api_validate_serviceaccount(const json_t *obj, const json_t *old, json_t *causes);
void api_default_resourcequota(json_t *obj);
void api_validate_resourcequota(const json_t *obj, const json_t *old, json_t *causes);
/* The object counts a quota names by the core plural alone: pods, services, configmaps,
 * secrets (other kinds only as count/<resource>[.<group>]). */
void api_default_limitrange(json_t *obj);
void api_validate_limitrange(const json_t *obj, const json_t *old, json_t *causes);
void api_default_event(json_t *obj);
void api_validate_event(const json_t *obj, const json_t *old, json_t *causes);
void api_default_deployment(json_t *obj);
void api_validate_deployment(const json_t *obj, const json_t *old, json_t *causes);
void api_default_replicaset(json_t *obj);
void api_validate_replicaset(const json_t *obj, const json_t *old, json_t *causes);
void api_default_job(json_t *obj);
void api_validate_job(const json_t *obj, const json_t *old, json_t *causes);
void api_default_poddisruptionbudget(json_t *obj);
void api_validate_poddisruptionbudget(const json_t *obj, const json_t *old, json_t *causes);
/* An equality selector defaulted from the template's labels, as Kubernetes' v1 does. */
void api_default_replicationcontroller(json_t *obj);
void api_validate_replicationcontroller(const json_t *obj, const json_t *old, json_t *causes);
void api_default_ingress(json_t *obj);
void api_validate_ingress(const json_t *obj, const json_t *old, json_t *causes);
void api_default_priorityclass(json_t *obj);
void api_validate_priorityclass(const json_t *obj, const json_t *old, json_t *causes);
void api_default_lease(json_t *obj);
void api_validate_lease(const json_t *obj, const json_t *old, json_t *causes);
void api_default_role(json_t *obj);
void api_validate_role(const json_t *obj, const json_t *old, json_t *causes);
void api_default_clusterrole(json_t *obj);
void api_validate_clusterrole(const json_t *obj, const json_t *old, json_t *causes);
void api_default_rolebinding(json_t *obj);
void api_validate_rolebinding(const json_t *obj, const json_t *old, json_t *causes);
void api_default_clusterrolebinding(json_t *obj);
void api_validate_clusterrolebinding(const json_t *obj, const json_t *old, json_t *causes);
/* The access reviews' (all four share one shape of spec). */
void api_default_accessreview(json_t *obj);
void api_validate_accessreview(const json_t *obj, const json_t *old, json_t *causes);
void api_default_queue(json_t *obj);
void api_validate_queue(const json_t *obj, const json_t *old, json_t *causes);

/* A CustomResourceDefinition: names, group, versions (exactly one stored),
 * structural schemas (jsonschema.h), printer columns, subresources. */
void api_default_customresourcedefinition(json_t *obj);
void api_validate_customresourcedefinition(const json_t *obj, const json_t *old, json_t *causes);

/* A CronJob: cron schedule, IANA time zone, concurrency, the Job template
 * (validation-cronjob.c). */
void api_default_cronjob(json_t *obj);
void api_validate_cronjob(const json_t *obj, const json_t *old, json_t *causes);

/* A DaemonSet: selector, template, update strategy (validation-daemonset.c). */
void api_default_daemonset(json_t *obj);
void api_validate_daemonset(const json_t *obj, const json_t *old, json_t *causes);
/* Persistent volumes (validation-storage.c) and StatefulSets (validation-statefulset.c). */
void api_default_persistentvolume(json_t *obj);
void api_validate_persistentvolume(const json_t *obj, const json_t *old, json_t *causes);
void api_default_persistentvolumeclaim(json_t *obj);
void api_validate_persistentvolumeclaim(const json_t *obj, const json_t *old, json_t *causes);
void api_default_storageclass(json_t *obj);
void api_validate_storageclass(const json_t *obj, const json_t *old, json_t *causes);
void api_default_statefulset(json_t *obj);
void api_validate_statefulset(const json_t *obj, const json_t *old, json_t *causes);
/* A NetworkPolicy: selectors, peers, ports, policyTypes (validation-networkpolicy.c). */
void api_default_networkpolicy(json_t *obj);
void api_validate_networkpolicy(const json_t *obj, const json_t *old, json_t *causes);
/* A ControllerRevision: data required and immutable, revision not negative
 * (validation-controllerrevision.c). */
void api_default_controllerrevision(json_t *obj);
void api_validate_controllerrevision(const json_t *obj, const json_t *old, json_t *causes);

#endif
