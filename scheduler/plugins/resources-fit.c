/*
 * resources-fit.c — NodeResourcesFit (filter) and the allocation scores:
 * LeastAllocated (spread, the default), MostAllocated (bin-packing) and
 * BalancedAllocation (cpu and memory used in the same proportion).
 *
 * Fit counts requests; scores count requests with Kubernetes' defaults for
 * containers that ask for nothing, so that empty pods still spread.
 */
#include <stdlib.h>

#include "plugin.h"

static const char *fit(const sched_pod *p, void *state, const sched_node *n) {
  (void)state;
  static const char *const reasons[SCHED_NRES] = {"Insufficient cpu", "Insufficient memory",
                                                  "Too many pods"};
  for (int r = 0; r < SCHED_NRES; r++)
    if (p->req.v[r] && tug_quantity_add_sat(n->requested.v[r], p->req.v[r]) > n->alloc.v[r])
      return reasons[r];
  return NULL;
}

const sched_plugin sched_plugin_resources_fit = {.name = "NodeResourcesFit", .filter = fit};

/* Percent of resource r of n used once p is there, capped at 100. */
static int64_t used_pct(const sched_pod *p, const sched_node *n, int r) {
  int64_t alloc = n->alloc.v[r];
  if (alloc <= 0)
    return 100;
  int64_t used = tug_quantity_add_sat(n->nonzero.v[r], p->nonzero.v[r]);
  return used >= alloc ? 100 : (int64_t)((double)used * 100 / (double)alloc);
}

static int64_t least(const sched_pod *p, void *state, const sched_node *n) {
  (void)state;
  return (200 - used_pct(p, n, SCHED_CPU) - used_pct(p, n, SCHED_MEMORY)) / 2;
}

static int64_t most(const sched_pod *p, void *state, const sched_node *n) {
  (void)state;
  return (used_pct(p, n, SCHED_CPU) + used_pct(p, n, SCHED_MEMORY)) / 2;
}

/* 100 * (1 - |cpu fraction - memory fraction| / 2), the standard deviation of two. */
static int64_t balanced(const sched_pod *p, void *state, const sched_node *n) {
  (void)state;
  return 100 - llabs(used_pct(p, n, SCHED_CPU) - used_pct(p, n, SCHED_MEMORY)) / 2;
}

const sched_plugin sched_plugin_least = {.name = "LeastAllocated", .score = least};
const sched_plugin sched_plugin_most = {.name = "MostAllocated", .score = most};
const sched_plugin sched_plugin_balanced = {.name = "BalancedAllocation", .score = balanced};
