/*
 * daemonset-plan.h — the DaemonSet controller's rules, pure and tested
 * (Kubernetes' daemon/util and the daemon controller's decisions): which
 * nodes should run a daemon pod, the tolerations and node pinning every
 * daemon pod gets, and how far a rolling update may go on each pass.
 */
#ifndef TUG_CTL_DAEMONSET_PLAN_H
#define TUG_CTL_DAEMONSET_PLAN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The label that names a daemon pod's template revision, as Kubernetes'. */
#define CTL_DS_HASH_LABEL "controller-revision-hash"

/*
 * Kubernetes' NodeShouldRunDaemonPod for the pod template spec on node:
 * *run when a new daemon pod belongs there (nodeName, nodeSelector, required
 * node affinity, and every NoSchedule/NoExecute taint tolerated, counting the
 * default daemon tolerations); *keep when one already there may stay (the same,
 * but only NoExecute taints count).
 */
void ctl_ds_should_run(const json_t *pod_spec, const json_t *node, bool *run, bool *keep);

/* Add the tolerations every daemon pod has (Kubernetes'
 * AddOrUpdateDaemonPodTolerations): not-ready and unreachable NoExecute;
 * disk-, memory-, pid-pressure and unschedulable NoSchedule; and
 * network-unavailable NoSchedule for host-network pods. */
void ctl_ds_add_tolerations(json_t *pod_spec);

/* Pin the pod to node: required node affinity replaced by the one term
 * matchFields metadata.name In [node], for the scheduler to bind. */
void ctl_ds_pin_to_node(json_t *pod_spec, const char *node);

/* The node a daemon pod is for: spec.nodeName, else its pinning term's; NULL. */
const char *ctl_ds_pod_node(const json_t *pod);

/* One node of a rolling update, as the update pass sees it. */
typedef struct ctl_ds_update_node {
  bool has_old, has_new; /* a pod of an old / the current template */
  bool old_available, new_available;
  bool delete_old, create_new; /* the pass's decisions */
} ctl_ds_update_node;

/*
 * Kubernetes' rollingUpdate over the nodes that should run a daemon pod.
 * With max_surge 0: delete old pods whose node may go unavailable, an
 * unavailable old pod always, an available one while fewer than
 * max_unavailable nodes are unavailable. With max_surge > 0: start a new pod
 * beside an old one (at once when the old is unavailable, else while fewer
 * than max_surge nodes surge), and delete the old pod once the new is
 * available. Returns how many nodes got a decision.
 */
int ctl_ds_rolling_update(ctl_ds_update_node *nodes, size_t n, int64_t max_unavailable,
                          int64_t max_surge);

#endif
