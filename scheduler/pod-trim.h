/*
 * pod-trim.h — a Pod object cut down to what the scheduler reads, with the
 * values many pods have in common stored once.
 *
 * The pod informer's cache is most of the scheduler's memory: 50,000 pods as
 * the API server sends them are jansson trees of ~15 KB each. The trimmer is
 * that informer's transform. It keeps kind and apiVersion, metadata's name,
 * namespace, uid, resourceVersion, labels and timestamps; spec's nodeName,
 * schedulerName, priority, preemptionPolicy, nodeSelector, affinity,
 * tolerations, topologySpreadConstraints and, of each (init) container, only
 * resources and host ports; status.phase. Everything else (conditions and
 * container statuses, annotations, managedFields, images, env, probes,
 * volumes) is never read here. Then every kept value that is not unique to
 * the pod (namespace, labels, the trimmed containers, tolerations, ...) is
 * looked up in a table of values seen before and shared when equal, since
 * pods of one template differ only in name and uid. Shared values are safe
 * because informer objects are read-only by contract.
 */
#ifndef SCHED_POD_TRIM_H
#define SCHED_POD_TRIM_H

#include <jansson.h>

typedef struct sched_trimmer sched_trimmer;

sched_trimmer *sched_trimmer_new(void);
void sched_trimmer_free(sched_trimmer *t);
/* Distinct values held for sharing. */
size_t sched_trimmer_size(const sched_trimmer *t);

/*
 * The trimmed pod, a new object (a tug_informer_transform_fn; arg is a
 * sched_trimmer, or NULL to trim without sharing). Not thread-safe per
 * trimmer: one informer thread calls it. NULL when obj is not an object.
 */
json_t *sched_pod_trim(json_t *obj, void *arg);

#endif
