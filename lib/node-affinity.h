/*
 * node-affinity.h — whether a pod may run on a node by its labels and name:
 * spec.nodeSelector (every label equal) and required node affinity
 * (requiredDuringSchedulingIgnoredDuringExecution: any term; in a term, every
 * matchExpressions requirement on labels and every matchFields requirement
 * on metadata.name). One copy for the scheduler, the DaemonSet controller and
 * a PersistentVolume's node affinity (lib/volume-rules.c).
 *
 * Operators are Kubernetes': In, NotIn, Exists, DoesNotExist, Gt, Lt (Gt and
 * Lt compare integers). An empty term, or an empty list of terms, matches no
 * node, as in Kubernetes.
 */
#ifndef TUG_NODE_AFFINITY_H
#define TUG_NODE_AFFINITY_H

#include <jansson.h>
#include <stdbool.h>

/* One nodeSelectorTerm against a node's name and labels. */
bool tug_node_term_matches(const json_t *term, const char *node_name, const json_t *labels);

/* Every nodeSelector label equal in labels. */
bool tug_node_selector_matches(const json_t *node_selector, const json_t *labels);

/* A pod spec's nodeSelector and required node affinity against a node. */
bool tug_node_affinity_matches(const json_t *pod_spec, const char *node_name, const json_t *labels);

#endif
