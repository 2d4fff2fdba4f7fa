/*
 * preempt.h — making room for a pod by evicting others (PostFilter).
 *
 * Who may be evicted for pod p of queue q (docs/scheduler.md, "Queues, in numbers"):
 *  - pods of q with lower priority, when q's preemption.withinQueue is
 *    LowerPriority (the built-in default queue allows it, as Kubernetes does);
 *  - pods of other queues of q's cohort that borrow, when q's
 *    reclaimWithinCohort is Any, or LowerPriority and they have lower priority,
 *    and either p fits within q's nominal quota (reclaim) or their queue's
 *    weighted share is above q's share counting p (fairness: preemption
 *    takes from the highest share, and never so far that it could be taken
 *    back).
 * Never pods already terminating or chosen by an earlier preemption, and
 * never for a pod whose preemptionPolicy is Never.
 *
 * On each usable node, every candidate is taken away; if p then fits the node
 * and its queue's quota, candidates are given back, most important first
 * (higher priority, then older), while p still fits. The node that evicts
 * least wins: fewest victims, then the lowest highest priority, then the
 * lowest priority sum, then the youngest.
 */
#ifndef SCHED_PREEMPT_H
#define SCHED_PREEMPT_H

#include <stddef.h>

#include "cache.h"
#include "framework.h"
#include "queue.h"

typedef struct sched_victims {
  sched_node *node;
  sched_pod **pods;
  size_t n;
} sched_victims;

/* 1 with victims in out (free with sched_victims_clear), 0 when nothing helps, -1 on memory. */
int sched_preempt(sched_cache *c, sched_queues *qs, sched_framework *fw, sched_pod *p,
                  sched_victims *out);
void sched_victims_clear(sched_victims *v);

#endif
