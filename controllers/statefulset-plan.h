/*
 * statefulset-plan.h — the next steps of a StatefulSet, from the state of
 * its ordinals alone (pure, tested).
 *
 * Kubernetes' order: under OrderedReady, ordinal i is created only once
 * every lower one is Running and Ready, and pods go in reverse order, one at
 * a time, each after the one above it is gone; under Parallel, every missing
 * pod is created and every condemned one deleted at once. A rolling update
 * replaces, from the highest ordinal down to the partition, one pod at a
 * time, and only while every pod is Running and Ready.
 */
#ifndef TUG_CTL_STATEFULSET_PLAN_H
#define TUG_CTL_STATEFULSET_PLAN_H

#include <stdbool.h>
#include <stddef.h>

typedef struct ctl_sts_spec {
  int replicas, start; /* ordinals start .. start+replicas-1 are wanted */
  bool parallel;       /* podManagementPolicy: Parallel */
  bool on_delete;      /* updateStrategy: OnDelete */
  int partition;       /* RollingUpdate: ordinals below it keep their revision */
  int max_unavailable; /* RollingUpdate: pods that may be down at once; 0 means 1 */
} ctl_sts_spec;

typedef struct ctl_sts_pod {
  int ordinal;
  bool terminating; /* being deleted */
  bool failed;      /* Succeeded or Failed: to be replaced */
  bool ready;       /* Running and Ready */
  bool updated;     /* at the update revision */
} ctl_sts_pod;

typedef enum { CTL_STS_CREATE, CTL_STS_DELETE } ctl_sts_verb;

typedef struct ctl_sts_action {
  ctl_sts_verb verb;
  int ordinal;
} ctl_sts_action;

/* Up to max actions for the pods that exist (any order, one per ordinal)
 * into out; returns how many. */
size_t ctl_sts_plan(const ctl_sts_spec *spec, const ctl_sts_pod *pods, size_t n,
                    ctl_sts_action *out, size_t max);

#endif
