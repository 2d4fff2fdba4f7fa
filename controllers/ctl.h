/*
 * ctl.h — what tug-controllers' controllers share: the process context (one
 * API client, one Event recorder, one shared informer per resource, the
 * flags) and helpers on pods, owner references and API paths.
 *
 * Each controller file exports one ctl_<name>_new() that makes its
 * tug_controller (lib/controller.h) and registers its watches; main starts
 * the informers once every controller has registered.
 */
#ifndef TUG_CTL_H
#define TUG_CTL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "controller.h"
#include "events.h"
#include "http.h"
#include "selector.h"

typedef struct ctl_config {
  int workers;
  double node_grace_s;             /* --node-grace */
  double unreachable_toleration_s; /* --default-unreachable-toleration */
  double node_monitor_period_s;    /* how often every node is looked at */
  const char *cluster_cidr;        /* --cluster-cidr */
  int node_cidr_mask;              /* --node-cidr-mask-size */
  double job_backoff_s;            /* first delay before a failed Job pod is replaced */
  double quota_resync_s;           /* --quota-resync */
  const char *root_ca_pem;         /* --root-ca-file's content; NULL: none published */
} ctl_config;

enum ctl_resource {
  CTL_PODS,
  CTL_REPLICASETS,
  CTL_DEPLOYMENTS,
  CTL_JOBS,
  CTL_SERVICES,
  CTL_ENDPOINTS,
  CTL_NAMESPACES,
  CTL_QUOTAS,
  CTL_NODES,
  CTL_LEASES,
  CTL_SERVICEACCOUNTS,
  CTL_ROOT_CA, /* ConfigMaps named kube-root-ca.crt only */
  CTL_REPLICATIONCONTROLLERS,
  CTL_PODDISRUPTIONBUDGETS,
  CTL_CRONJOBS,
  CTL_DAEMONSETS,
  CTL_PVS,
  CTL_PVCS,
  CTL_STORAGECLASSES,
  CTL_STATEFULSETS,
  CTL_CONTROLLERREVISIONS,
  CTL_N_RESOURCES
};

typedef struct ctl_ctx {
  tug_client *client;
  tug_events *events;
  ctl_config cfg;
  tug_shared_informer *inf[CTL_N_RESOURCES];
} ctl_ctx;

/* The kind each shared informer watches (all namespaces, but Leases: tug-node-lease;
 * of ConfigMaps, only those named kube-root-ca.crt). */
extern const char *const ctl_resource_kinds[CTL_N_RESOURCES];

/* ---- the controllers ---- */
tug_controller *ctl_replicaset_new(ctl_ctx *x, tug_error *err);
tug_controller *ctl_deployment_new(ctl_ctx *x, tug_error *err);
tug_controller *ctl_job_new(ctl_ctx *x, tug_error *err);
tug_controller *ctl_gc_new(ctl_ctx *x, tug_error *err);
tug_controller *ctl_namespace_new(ctl_ctx *x, tug_error *err);
tug_controller *ctl_endpoints_new(ctl_ctx *x, tug_error *err);
tug_controller *ctl_quota_new(ctl_ctx *x, tug_error *err);
tug_controller *ctl_nodelifecycle_new(ctl_ctx *x, tug_error *err);
tug_controller *ctl_nodeipam_new(ctl_ctx *x, tug_error *err);
tug_controller *ctl_serviceaccounts_new(ctl_ctx *x, tug_error *err);
/* The ReplicaSet controller over ReplicationControllers (an equality selector). */
tug_controller *ctl_replicationcontroller_new(ctl_ctx *x, tug_error *err);
tug_controller *ctl_disruption_new(ctl_ctx *x, tug_error *err);
tug_controller *ctl_cronjob_new(ctl_ctx *x, tug_error *err);
tug_controller *ctl_daemonset_new(ctl_ctx *x, tug_error *err);
/* Persistent volumes: claims bound and provisioned (pvc.c), volumes' phases
 * and reclaim (pv.c). */
tug_controller *ctl_pvc_new(ctl_ctx *x, tug_error *err);
tug_controller *ctl_pv_new(ctl_ctx *x, tug_error *err);
tug_controller *ctl_statefulset_new(ctl_ctx *x, tug_error *err);

/* ---- caches ---- */

/* One shared informer per resource on x->client, with the indexes the
 * controllers read (ctl_add_indexes); not started. */
int ctl_open_informers(ctl_ctx *x, tug_error *err);
/* Stop (if still running) and free them; NULL entries are skipped. */
void ctl_close_informers(ctl_ctx *x);

/* The cached object under key, a new reference, or NULL. */
json_t *ctl_get(ctl_ctx *x, enum ctl_resource r, const char *key);
/* A new array of the cached objects in namespace ns (NULL: all), from the
 * informer's namespace index: the cost is what it finds. */
json_t *ctl_list(ctl_ctx *x, enum ctl_resource r, const char *ns);
/* The cached pods bound to node (index "node", which ctl_add_indexes adds
 * before the informers start); a new array. */
json_t *ctl_pods_on_node(ctl_ctx *x, const char *node);
int ctl_add_indexes(ctl_ctx *x, tug_error *err);

/* ---- pods ---- */

/* Neither Succeeded nor Failed, and not being deleted. */
bool ctl_pod_active(const json_t *pod);
/* Ready for at least min_ready seconds at wall-clock time now. */
bool ctl_pod_available(const json_t *pod, int64_t min_ready, double now);
/* When an available-soon pod will be available (seconds from now), or -1. */
double ctl_pod_available_in(const json_t *pod, int64_t min_ready, double now);
/* Order pods for deletion: the least valuable first (Kubernetes' ActivePods:
 * unscheduled, pending before running, not ready, ready for less time, more
 * restarts, newer). A qsort comparator over json_t *. */
int ctl_pod_deletion_cmp(const void *a, const void *b);
/* A pod for template, owned (controller) by owner, named generateName prefix-. */
json_t *ctl_pod_from_template(const json_t *template, const json_t *owner, const char *prefix);

/* ---- selectors ---- */

/* obj's spec.selector as a selector: a LabelSelector ({matchLabels,
 * matchExpressions}) or a Service's plain map. -1 when absent or invalid. */
int ctl_selector(const json_t *obj, tug_selector **out);
/* Queue every object of resource r in obj's namespace whose non-empty
 * selector matches obj's labels (or old's, when an update changed them). */
void ctl_enqueue_selecting(tug_controller *c, ctl_ctx *x, enum ctl_resource r, const json_t *old,
                           const json_t *obj);

/* ---- pod control ---- */

/* Create n pods from tmpl owned by owner, raising key's expectations and
 * recording SuccessfulCreate/FailedCreate; stops at the first failure. */
int ctl_create_pods(ctl_ctx *x, tug_controller *c, const char *key, const json_t *owner,
                    const json_t *tmpl, int n, tug_error *err);
/* Delete the n least valuable of pods (ctl_pod_deletion_cmp), likewise. */
int ctl_delete_pods(ctl_ctx *x, tug_controller *c, const char *key, const json_t *owner,
                    json_t *pods, int n);

/* ---- ownership ---- */

/*
 * Client-go's ControllerRefManager: of candidates (objects in owner's
 * namespace), those owner controls and that sel matches stay; those it
 * controls that sel no longer matches are released (their reference
 * removed); orphans that sel matches are adopted (a controller reference to
 * owner added) unless owner is being deleted. Returns a new array of what
 * owner controls now. Failed patches are skipped (the next reconcile tries
 * again) and counted in *failures.
 */
json_t *ctl_claim(ctl_ctx *x, const json_t *owner, const tug_selector *sel, json_t *candidates,
                  int *failures);
/* True when obj has an ownerReference with this uid. */
bool ctl_owned_by(const json_t *obj, const char *uid);

/* ---- writing ---- */

/* PUT obj's status through /status with obj's resourceVersion. */
int ctl_update_status(ctl_ctx *x, const json_t *obj, tug_error *err);
/* PUT status as obj's status when it differs from what obj has. */
int ctl_write_status(ctl_ctx *x, const json_t *obj, json_t *status, tug_error *err);
/* DELETE obj with a uid precondition and a propagation policy (NULL: the server's). */
int ctl_delete(ctl_ctx *x, const json_t *obj, const char *propagation, tug_error *err);
/* Merge-patch obj, with its resourceVersion as a precondition when keep_rv. */
int ctl_patch(ctl_ctx *x, const json_t *obj, json_t *patch, bool keep_rv, json_t **out,
              tug_error *err);

/* Remove finalizer f from obj (a merge patch with its resourceVersion); 0
 * when it has none (finalizer.c). */
int ctl_drop_finalizer(ctl_ctx *x, const json_t *obj, const char *f, tug_error *err);

/* Sort a JSON array in place; cmp compares two json_t * (as qsort passes them). */
void ctl_sort(json_t *arr, int (*cmp)(const void *, const void *));

/* ---- conditions ---- */

/* The condition of type in obj's status.conditions, borrowed; NULL when absent. */
json_t *ctl_condition(const json_t *obj, const char *type);
enum {
  CTL_COND_UPDATE_TIME = 1 << 0, /* carry lastUpdateTime (Deployments) */
  CTL_COND_PROBE_TIME = 1 << 1,  /* carry lastProbeTime (Jobs) */
  CTL_COND_REFRESH = 1 << 2,     /* rewrite even when status and reason are the same */
  CTL_COND_IN_PLACE = 1 << 3,    /* a changed condition keeps its place (Jobs) */
};
/*
 * Set a condition in status (an object; its "conditions" array is made when
 * missing), Kubernetes' SetDeploymentCondition: the same status and reason
 * leave it alone (unless CTL_COND_REFRESH); a new status gets
 * lastTransitionTime now, otherwise the old one is kept. A changed condition
 * moves to the end of the list, as Deployments and ReplicaSets order them
 * (filter out, then append), unless CTL_COND_IN_PLACE. True when changed.
 */
bool ctl_set_condition(json_t *status, const char *type, const char *cstatus, const char *reason,
                       const char *message, unsigned flags);
/* Remove the condition of type from status; true when one was there. */
bool ctl_remove_condition(json_t *status, const char *type);

#endif
