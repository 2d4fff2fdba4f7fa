/*
 * pod-rules.h — rules about Pods that more than one binary applies: is a pod
 * finished, is it ready, does a toleration match a taint. One copy, so the
 * scheduler, the controllers, the agent and the API server cannot disagree.
 */
#ifndef TUG_POD_RULES_H
#define TUG_POD_RULES_H

#include <jansson.h>
#include <stdbool.h>

/* status.phase Succeeded or Failed: the pod will never run again. */
bool tug_pod_terminal(const json_t *pod);

/* The Ready condition of status.conditions is True. */
bool tug_pod_ready(const json_t *pod);

/* A container's figure of one resource (0: none), for tug_pod_effective. */
typedef int64_t (*tug_ctr_value_fn)(const json_t *ctr, void *arg);

/*
 * Kubernetes' effective figure of a pod spec for one resource (what its
 * PodRequests and PodLimits compute): the larger of
 *  - the sum over the app containers and every sidecar (an init container
 *    with restartPolicy Always, which runs on beside the app), and
 *  - for each regular init container, its own figure plus the sidecars listed
 *    before it: init containers run one at a time, beside the sidecars
 *    started so far.
 * The scheduler, quota admission and the agent's pod cgroup all count this
 * way. Sums saturate at INT64_MAX.
 */
int64_t tug_pod_effective(const json_t *spec, tug_ctr_value_fn value, void *arg);

/* An init container with restartPolicy Always. */
bool tug_ctr_is_sidecar(const json_t *ctr);

/* A quota resource about pods' compute resources: cpu, memory (both meaning
 * requests), requests.*, limits.*. */
bool tug_quota_compute_resource(const char *res);

/*
 * What pod uses of the compute quota resource res: the request (or limit) it
 * names, combined over the containers as tug_pod_effective does, in the
 * quantity parser's units (millicores for cpu, bytes for memory). *missing
 * (may be NULL) is set when a container, init containers included, does not
 * state it: admission then refuses the pod, as Kubernetes does for a quota
 * on that resource.
 */
int64_t tug_pod_quota_usage(const json_t *pod, const char *res, bool *missing);

/* One spec.tolerations[] entry; strings borrowed from the pod. */
typedef struct tug_toleration {
  const char *key, *value, *effect;
  bool exists; /* operator Exists (else Equal, the default) */
} tug_toleration;

/* Read a toleration; any JSON is accepted (a missing field is NULL). */
void tug_toleration_parse(const json_t *toleration, tug_toleration *out);

/*
 * Kubernetes' ToleratesTaint: the toleration matches the taint
 * key=value:effect when its effect is empty or equal, its key is equal — or
 * empty with operator Exists, which matches every key — and, with operator
 * Equal, its value is equal (a missing value is ""). value may be NULL for "".
 */
bool tug_toleration_matches(const tug_toleration *t, const char *key, const char *value,
                            const char *effect);

#endif
