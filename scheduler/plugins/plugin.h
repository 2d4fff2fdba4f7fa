/*
 * plugin.h — the extension points of the placement pipeline, Kubernetes
 * scheduling framework style: each plugin is a file that fills some of them.
 *
 * For each pod the framework calls prepare once (a plugin that has nothing
 * to check for this pod says so and is skipped), then filter on nodes until
 * it has enough feasible ones, then score on those, then normalize. Filters
 * answer NULL for a node that passes, else a static reason counted in the
 * FailedScheduling message ("Insufficient cpu"). Scores are 0..100.
 */
#ifndef SCHED_PLUGIN_H
#define SCHED_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include "cache.h"
#include "pod.h"

typedef struct sched_plugin {
  const char *name;
  /* 1: nothing to do for this pod (skip); 0: go on with *state (may stay NULL); -1: memory. */
  int (*prepare)(const sched_cache *c, const sched_pod *p, void **state);
  const char *(*filter)(const sched_pod *p, void *state, const sched_node *n);
  int64_t (*score)(const sched_pod *p, void *state, const sched_node *n);
  /* Rescale the feasible nodes' raw scores to 0..100 in place. */
  void (*normalize)(void *state, int64_t *scores, size_t n);
  void (*release)(void *state);
} sched_plugin;

/* Every plugin, by the name configuration files use. NULL when unknown. */
const sched_plugin *sched_plugin_find(const char *name);

extern const sched_plugin sched_plugin_node_status;   /* NodeUnschedulable (not Ready too) */
extern const sched_plugin sched_plugin_resources_fit; /* NodeResourcesFit */
extern const sched_plugin sched_plugin_node_affinity; /* NodeAffinity (nodeSelector too) */
extern const sched_plugin sched_plugin_taints;        /* TaintToleration */
extern const sched_plugin sched_plugin_host_ports;    /* NodePorts */
extern const sched_plugin sched_plugin_spread;        /* PodTopologySpread */
extern const sched_plugin sched_plugin_least;         /* LeastAllocated */
extern const sched_plugin sched_plugin_most;          /* MostAllocated */
extern const sched_plugin sched_plugin_balanced;      /* BalancedAllocation */

/* VolumeBinding: where the pod's claims can be reached or provisioned. */
extern const sched_plugin sched_plugin_volume_binding;

#endif
