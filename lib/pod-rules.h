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
