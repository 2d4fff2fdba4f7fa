/*
 * volume-rules.h — the rules on persistent volumes that the volume
 * controller, the scheduler and the agent share: does a volume satisfy a
 * claim, which node holds a local volume, how much of a node's local-path
 * room is taken.
 *
 * The one idea: binding matches on what never changes after creation (class,
 * access modes, volume mode, size, selector), so the controller's choice and
 * the scheduler's filter can never disagree. All functions accept any JSON.
 */
#ifndef TUG_VOLUME_RULES_H
#define TUG_VOLUME_RULES_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* The built-in provisioner, its default class, and the Kubernetes keys they use. */
#define TUG_LOCAL_PATH_PROVISIONER "tugboat.io/local-path"
#define TUG_ANN_SELECTED_NODE "volume.kubernetes.io/selected-node"
#define TUG_ANN_PROVISIONED_BY "pv.kubernetes.io/provisioned-by"
#define TUG_ANN_BIND_COMPLETED "pv.kubernetes.io/bind-completed"
#define TUG_ANN_DEFAULT_CLASS "storageclass.kubernetes.io/is-default-class"
/* What an agent publishes on its Node: where its local-path volumes live and
 * how many bytes they may take (tug-agent --local-path-capacity). */
#define TUG_ANN_LOCAL_PATH_ROOT "local-path.tugboat.io/root"
#define TUG_ANN_LOCAL_PATH_CAPACITY "local-path.tugboat.io/capacity"
/* Holds a provisioned volume until its node's agent removed the directory. */
#define TUG_FINALIZER_LOCAL_PATH "tugboat.io/local-path-cleanup"

/* Bytes of the "storage" entry of a resource map; -1 when absent or bad. */
int64_t tug_storage_bytes(const json_t *map);
/* A claim's requested bytes (spec.resources.requests.storage), -1 when none. */
int64_t tug_claim_request(const json_t *pvc);
/* The class a claim asks for: spec.storageClassName ("" is no class). */
const char *tug_claim_class(const json_t *pvc);

/* Whether pv can serve pvc: free (no claimRef, or one naming this claim),
 * same class, big enough, every requested access mode offered, same volume
 * mode, labels matching the claim's selector. */
bool tug_volume_satisfies(const json_t *pv, const json_t *pvc);
/* Of pvs (an array), the volume for pvc: one reserved for it by claimRef
 * first, else the smallest that satisfies it; borrowed, NULL when none. */
const json_t *tug_volume_best(const json_t *pvs, const json_t *pvc);

/* The node a local volume is pinned to (a kubernetes.io/hostname In [one]
 * node affinity), or NULL. */
const char *tug_volume_node(const json_t *pv);
/* Whether a node's labels (and name) satisfy pv's nodeAffinity; true when it has none. */
bool tug_volume_node_matches(const json_t *pv, const char *node, const json_t *labels);
/* Bytes of the local-path volumes among pvs pinned to node. */
int64_t tug_local_path_used(const json_t *pvs, const char *node);
/* A node's local-path room in bytes (its annotation), -1 when it offers none. */
int64_t tug_local_path_capacity(const json_t *node);

#endif
