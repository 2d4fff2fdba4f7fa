/*
 * framework.h — placing one pod: the configured filters, then scores, over a
 * sample of the nodes, and the reasons when nothing fits.
 *
 * The one idea: like kube-scheduler, a big cluster is not searched whole.
 * Filtering starts where the previous pod's search stopped and ends once
 * enough feasible nodes are found (percentageOfNodesToScore of the nodes,
 * adaptive by default: 50% minus 1% per 125 nodes, at least 5%, and never
 * fewer than minFeasibleNodesToFind); only those are scored.
 *
 * A profile comes from a --config file (YAML or JSON):
 *
 *   apiVersion: scheduling.tug.io/v1
 *   kind: SchedulerConfiguration
 *   percentageOfNodesToScore: 0        # 0: adaptive
 *   minFeasibleNodesToFind: 100
 *   plugins:
 *     filter: [NodeUnschedulable, NodeResourcesFit, NodeAffinity,
 *              TaintToleration, NodePorts, PodTopologySpread, VolumeBinding]
 *     score:
 *       - {name: LeastAllocated, weight: 1}     # or MostAllocated to bin-pack
 *       - {name: BalancedAllocation, weight: 1}
 *       - {name: PodTopologySpread, weight: 2}
 *
 * Without a file, or for a list the file leaves out, the defaults above.
 */
#ifndef SCHED_FRAMEWORK_H
#define SCHED_FRAMEWORK_H

#include <jansson.h>
#include <stddef.h>

#include "cache.h"
#include "error.h"
#include "plugins/plugin.h"

#define SCHED_MAX_PLUGINS 16
#define SCHED_MAX_REASONS 16

typedef struct sched_profile {
  const sched_plugin *filters[SCHED_MAX_PLUGINS];
  size_t n_filters;
  const sched_plugin *scores[SCHED_MAX_PLUGINS];
  int weights[SCHED_MAX_PLUGINS];
  size_t n_scores;
  int percentage;   /* of nodes to score; 0: adaptive */
  int min_feasible; /* minFeasibleNodesToFind */
} sched_profile;

void sched_profile_default(sched_profile *p);
/* A SchedulerConfiguration object; p keeps defaults for what it omits. */
int sched_profile_load(sched_profile *p, const json_t *config, tug_error *err);
int sched_profile_load_file(sched_profile *p, const char *path, tug_error *err);

typedef struct sched_reason {
  const char *reason;
  int count;
} sched_reason;

typedef struct sched_result {
  sched_node *node; /* the choice, or NULL */
  size_t n_nodes, evaluated, feasible;
  sched_reason reasons[SCHED_MAX_REASONS];
  size_t n_reasons;
} sched_result;

typedef struct sched_framework sched_framework;

sched_framework *sched_framework_new(const sched_profile *profile);
void sched_framework_free(sched_framework *fw);

/* Choose a node for p. -1 only when memory runs out. */
int sched_framework_place(sched_framework *fw, const sched_cache *c, const sched_pod *p,
                          sched_result *out);

/*
 * Per-pod filtering outside a placement (preemption asks "would p fit on n
 * if these pods were gone?" after changing n). begin prepares the filters
 * for p, fits runs them on n, end releases them.
 */
int sched_framework_begin(sched_framework *fw, const sched_cache *c, const sched_pod *p);
bool sched_framework_fits(sched_framework *fw, const sched_pod *p, const sched_node *n,
                          const char **reason);
void sched_framework_end(sched_framework *fw);

/* "0/5 nodes are available: 3 Insufficient cpu, 2 node(s) had untolerated taint." */
void sched_result_message(const sched_result *r, char *buf, size_t size);

#endif
