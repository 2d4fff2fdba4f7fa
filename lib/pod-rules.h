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

/* A quota resource about pods' compute resources: cpu, memory (both meaning
 * requests), requests.*, limits.*. */
bool tug_quota_compute_resource(const char *res);

/*
 * What pod uses of the compute quota resource res: the sum over its
 * containers of the request (or limit) it names, in the quantity parser's
 * units (millicores for cpu, bytes for memory). *missing (may be NULL) is set
 * when a container does not state it: admission then refuses the pod, as
 * Kubernetes does for a quota on that resource.
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
