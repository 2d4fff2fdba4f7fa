/*
 * rollout.h — the arithmetic of Deployment rollouts, pure and tested
 * (Kubernetes' deployment/util): maxSurge and maxUnavailable resolved
 * against replicas, how far the new ReplicaSet may grow, how far old ones may
 * shrink, and the pod-template hash that names a template's ReplicaSet.
 */
#ifndef TUG_CTL_ROLLOUT_H
#define TUG_CTL_ROLLOUT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CTL_HASH_LABEL "pod-template-hash"

/* An int, or a "NN%" of total rounded up or down; dflt when v is neither. */
int64_t ctl_int_or_percent(const json_t *v, int64_t total, bool round_up, int64_t dflt);

/* A Deployment's maxSurge (rounded up) and maxUnavailable (rounded down) for
 * spec.replicas; both 0 makes maxUnavailable 1 (Kubernetes' ResolveFenceposts).
 * Recreate gives 0 and 0. */
void ctl_rollout_bounds(const json_t *deployment, int64_t *surge, int64_t *unavailable);

/* maxUnavailable as the Available condition uses it: 0 for Recreate or no
 * replicas, never more than replicas. */
int64_t ctl_rollout_max_unavailable(const json_t *deployment);

/* The new ReplicaSet's next size: grow towards replicas while every
 * ReplicaSet's spec together stays within replicas + surge. */
int64_t ctl_rollout_new_replicas(int64_t replicas, int64_t surge, int64_t all_spec,
                                 int64_t new_spec);

/* How many old pods may go now without going under replicas - unavailable,
 * counting the new ReplicaSet's unavailable pods as already missing. */
int64_t ctl_rollout_max_scale_down(int64_t replicas, int64_t unavailable, int64_t all_spec,
                                   int64_t new_spec, int64_t new_available);

/* A ReplicaSet as the old-side arithmetic sees it; spec is changed in place. */
typedef struct ctl_rs_counts {
  int64_t spec, available;
} ctl_rs_counts;

/* Scale down old ReplicaSets' unavailable pods first (oldest first), at most
 * max in all; returns how many went. */
int64_t ctl_rollout_cleanup_unhealthy(ctl_rs_counts *olds, size_t n, int64_t max);
/* Then scale old ReplicaSets down (oldest first) while all_available stays
 * above min_available; returns how many went. */
int64_t ctl_rollout_scale_down_old(ctl_rs_counts *olds, size_t n, int64_t all_available,
                                   int64_t min_available);

/* The template's hash with collision_count mixed in, as the pod-template-hash
 * label writes it (FNV-1a over canonical JSON, then Kubernetes' safe alphabet). */
void ctl_template_hash(const json_t *template, int64_t collision_count, char *buf, size_t size);
/* Equal templates once the pod-template-hash label is set aside. */
bool ctl_templates_equal(const json_t *a, const json_t *b);

#endif
