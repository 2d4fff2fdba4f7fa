/*
 * disruption.h — PodDisruptionBudget rules that the API server (the eviction
 * subresource) and the disruption controller both apply, so that they agree
 * on which pods a budget covers and on what its status says.
 *
 * The budget's status is the contract between them: the controller computes
 * disruptionsAllowed from the healthy pods it sees; an eviction spends one
 * (in the same etcd transaction as the pod's delete) and writes the pod into
 * disruptedPods, which the controller keeps out of its healthy count until
 * the pod is gone or two minutes have passed.
 */
#ifndef TUG_DISRUPTION_H
#define TUG_DISRUPTION_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* How long an eviction's entry in disruptedPods holds a pod out of the
 * healthy count before the controller assumes the delete never happened. */
#define TUG_PDB_DELETION_TIMEOUT_SECONDS 120

/* Entries of disruptedPods beyond which evictions are refused (403). */
#define TUG_PDB_MAX_DISRUPTED_PODS 2000

/* Whether the budget covers pod (same namespace assumed): policy/v1 reads an
 * absent selector as no pod and an empty one as every pod. */
bool tug_pdb_selects(const json_t *pdb, const json_t *pod);

/* An eviction that needs no budget: the pod is Succeeded, Failed or Pending,
 * or already being deleted — it is no longer serving, so removing it is no
 * disruption. */
bool tug_eviction_ignores_budgets(const json_t *pod);

typedef enum tug_eviction_verdict {
  TUG_EVICT_ALLOW,      /* delete; the budget is not touched (an unhealthy pod) */
  TUG_EVICT_SPEND,      /* delete and spend one of the budget's disruptions */
  TUG_EVICT_EXHAUSTED,  /* 429: no disruption allowed now */
  TUG_EVICT_STALE,      /* 429: status older than the budget's spec (generation) */
  TUG_EVICT_NEGATIVE,   /* 403: the status allows a negative number */
  TUG_EVICT_UNCONFIRMED /* 403: too many evictions the controller has not seen */
} tug_eviction_verdict;

/* What evicting pod does to the one budget that covers it, by Kubernetes'
 * rules: a pod that is not Ready goes without spending when the budget says
 * AlwaysAllow or is met anyway (currentHealthy >= desiredHealthy > 0). */
tug_eviction_verdict tug_eviction_decide(const json_t *pdb, const json_t *pod);

/* Spend one disruption in pdb (its status, in place): disruptionsAllowed
 * minus one, the pod in disruptedPods at now, the DisruptionAllowed
 * condition turned False when none is left. */
void tug_pdb_spend(json_t *pdb, const char *pod_name, const char *now);

/* Set the DisruptionAllowed condition from status.disruptionsAllowed
 * (SufficientPods / InsufficientPods), or False with reason and message
 * given (SyncFailed); lastTransitionTime moves only when status changes. */
void tug_pdb_set_condition(json_t *pdb, const char *reason, const char *message, const char *now);

#endif
