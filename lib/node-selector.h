/*
 * node-selector.h — Kubernetes' NodeSelectorTerm, the one rule the
 * scheduler's node affinity and a PersistentVolume's node affinity share.
 *
 * A term matches a node when every matchExpressions requirement holds on its
 * labels and every matchFields requirement on its name (metadata.name, the
 * only field Kubernetes allows). Operators: In, NotIn, Exists, DoesNotExist,
 * Gt, Lt (integers). An empty term matches no node, as in Kubernetes.
 */
#ifndef TUG_NODE_SELECTOR_H
#define TUG_NODE_SELECTOR_H

#include <jansson.h>
#include <stdbool.h>

/* labels: the node's labels object (NULL: none). */
bool tug_node_term_matches(const json_t *term, const char *node, const json_t *labels);

#endif
