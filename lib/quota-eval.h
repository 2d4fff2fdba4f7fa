/*
 * quota-eval.h — what an object uses of a ResourceQuota resource: the one
 * evaluator that the API server's admission (charging a write) and the quota
 * controller (recounting a namespace) share, so that the two never count
 * differently.
 *
 * Resources are Kubernetes' names: compute resources of pods ("cpu" and
 * "memory", meaning requests; "requests.*", "limits.*"), object counts
 * ("count/<resource>[.<group>]"), and the older plain counts ("pods",
 * "services", "configmaps", "secrets"). Amounts are in the quantity parser's
 * units: millicores for cpu, bytes for memory, whole numbers for counts.
 * Finished pods (Succeeded or Failed) use nothing, as in Kubernetes.
 */
#ifndef TUG_QUOTA_EVAL_H
#define TUG_QUOTA_EVAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "kinds.h"

/* The plain object counts that need no "count/" prefix. */
bool tug_quota_plain_count(const char *res);

/* The kind whose objects res measures (Pod for compute resources) or counts;
 * NULL for a resource about no built-in kind. */
const tug_kind *tug_quota_kind(const char *res);

/*
 * What obj, of kind k, uses of res: 1 when res counts objects of its kind,
 * a pod's amount (summed over its containers) for compute resources, 0 when
 * res is not about it or it is a finished pod. *missing (may be NULL) is set
 * when a container does not state what res measures: admission then refuses
 * the pod, as Kubernetes does; a recount counts what the others state.
 */
int64_t tug_quota_usage(const tug_kind *k, const json_t *obj, const char *res, bool *missing);

#endif
