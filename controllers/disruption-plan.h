/*
 * disruption-plan.h — a PodDisruptionBudget's numbers from its spec and the
 * counts the controller gathered (pure, tested).
 *
 * Kubernetes' arithmetic: minAvailable as a count needs that many healthy
 * pods and expects the pods selected; a percentage of minAvailable, and any
 * maxUnavailable, are taken of the owners' scale (rounded up), which the
 * budget then expects. Disruptions allowed are healthy minus desired, never
 * below zero, and zero while no pod is expected (a budget whose first pods
 * just appeared must not allow anything before it has counted them).
 */
#ifndef TUG_CTL_DISRUPTION_PLAN_H
#define TUG_CTL_DISRUPTION_PLAN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct ctl_budget {
  int64_t expected; /* status.expectedPods */
  int64_t desired;  /* status.desiredHealthy */
  int64_t healthy;  /* status.currentHealthy */
  int64_t allowed;  /* status.disruptionsAllowed */
} ctl_budget;

/* Whether spec (a PDB's) needs the owners' scale: maxUnavailable is set, or
 * minAvailable is a percentage. */
bool ctl_budget_needs_scale(const json_t *spec);

/* The numbers for spec given the pods selected, the owners' summed scale
 * (read only when ctl_budget_needs_scale) and the healthy pods. */
ctl_budget ctl_budget_plan(const json_t *spec, int64_t pods, int64_t scale, int64_t healthy);

#endif
