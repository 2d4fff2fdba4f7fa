/*
 * admission.h — what happens to an object between validation and storage:
 * the namespace must exist and not be terminating, LimitRange defaults,
 * PriorityClass → spec.priority, ResourceQuota, and Pod Security.
 *
 * Quota is charged inside the object's own etcd transaction: the quota's new
 * status.used is written with a compare on the quota's mod_revision, so of two
 * creates racing for the last unit one commits and the other retries, sees the
 * quota full and is refused (403). Deletes give the usage back the same way.
 */
#ifndef TUG_APISERVER_ADMISSION_H
#define TUG_APISERVER_ADMISSION_H

#include <jansson.h>

#include "registry.h"
#include "server.h"
#include "storage.h"

/* Namespace, LimitRange and PriorityClass admission for a new object; -1 with
 * out filled when refused. */
int api_admit_create(api_server *s, const api_kind *k, json_t *obj, api_response *out);

/* The kind's admission that needs the requester (registry.h, admit_request):
 * on create old is NULL; -1 with out filled when refused. */
int api_admit_request(api_request *r, const api_kind *k, const json_t *obj, const json_t *old,
                      api_response *out);

/* NodeRestriction and the finality of a pod's end (admission-node.c): the
 * admit_request of Pods, Nodes and Leases. */
int api_admit_pod_request(api_request *r, const json_t *pod, const json_t *old, api_response *out);
int api_admit_node_request(api_request *r, const json_t *node, const json_t *old,
                           api_response *out);
int api_admit_lease_request(api_request *r, const json_t *lease, const json_t *old,
                            api_response *out);

/* A Pod's LimitRange defaults and PriorityClass (the Pod strategy's admission). */
int api_admit_pod_defaults(api_server *s, json_t *pod, api_response *out);
/* A Pod's ServiceAccount (admission-serviceaccount.c): serviceAccountName
 * defaulted to "default" and required to exist (403), the token volume
 * kube-api-access-XXXXX added and mounted unless automount is off. */
int api_admit_pod_serviceaccount(api_server *s, json_t *pod, api_response *out);
/* Pod Security on a Namespace's update: a stricter enforce label warns about
 * the pods it would refuse (the Namespace strategy's admission). */
int api_podsec_namespace_update(api_server *s, const json_t *ns, const json_t *old,
                                api_response *out);

/* Pod Security for a Pod, or a Deployment's, ReplicaSet's or Job's pod template,
 * being created (old NULL) or updated, at its namespace's levels: a Pod that
 * violates the enforce level is refused (-1, 403 in out); what violates the
 * warn level, and a template that violates either, adds warnings to out; the
 * audit level logs. A Namespace whose enforce level becomes stricter warns
 * about its pods that would now be refused. */
int api_admit_pod_security(api_server *s, const api_kind *k, const json_t *obj, const json_t *old,
                           api_response *out);

/* Add the quota checks and usage updates for creating obj to txn; -1 with out
 * filled (403 naming quota, resource, requested, used, hard) when it would exceed one. */
int api_quota_charge(api_server *s, const api_kind *k, const json_t *obj, api_txn *txn,
                     api_response *out);
/* Add the usage given back by deleting obj to txn. */
int api_quota_release(api_server *s, const api_kind *k, const json_t *obj, api_txn *txn,
                      tug_error *err);
/* For a ResourceQuota being stored: status.hard from spec.hard, status.used
 * counted from what its namespace holds now. */
int api_quota_init_status(api_server *s, json_t *quota, tug_error *err);

#endif
