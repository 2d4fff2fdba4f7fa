/*
 * scheduler.h — the scheduler's state and its one decision loop, without
 * the network: objects come in as JSON (from informers, or from tests and
 * the benchmark), decisions go out through a sink.
 *
 * The one idea: one lock, one decision at a time. sched_core_schedule_one
 * pops the next pod from the queues, runs the plugins over the cache, and
 * either assumes the pod on a node (the sink starts the bind), evicts
 * victims for it (the sink deletes them), or reports why nothing fits (the
 * sink records a FailedScheduling event). The API calls run elsewhere and
 * come back through bind_failed, or through the informers.
 *
 * Every function takes the core's lock; sink callbacks run under it and must
 * only queue work, never call back into the core.
 */
#ifndef SCHED_SCHEDULER_H
#define SCHED_SCHEDULER_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "cache.h"
#include "framework.h"
#include "hashmap.h"
#include "queue.h"

typedef struct sched_sink {
  /* p was assumed on node: bind it. */
  void (*bind)(void *arg, const sched_pod *p, const char *node);
  /* Delete victim gracefully to make room for preemptor. */
  void (*evict)(void *arg, const sched_pod *victim, const sched_pod *preemptor);
  /* p could not be placed; message counts the reasons. */
  void (*unschedulable)(void *arg, const sched_pod *p, const char *message);
} sched_sink;

typedef struct sched_stats {
  uint64_t scheduled, unschedulable, errors; /* attempts by result */
  uint64_t preemptions;                      /* victims evicted */
  uint64_t bind_failures;
} sched_stats;

typedef struct sched_core {
  pthread_mutex_t mu;
  sched_cache *cache;
  sched_queues *queues;
  sched_framework *fw;
  tug_hashmap *pods; /* "ns/name" → sched_pod */
  uint64_t seq;
  sched_sink sink;
  void *sink_arg;
  const char *name; /* pods with another spec.schedulerName are left alone */
  sched_stats stats;
} sched_core;

sched_core *sched_core_new(const sched_profile *profile, const sched_sink *sink, void *arg);
void sched_core_free(sched_core *c);

/* Informer events. now is monotonic seconds (pending pods' latency starts there). */
void sched_core_pod_changed(sched_core *c, json_t *pod, double now);
void sched_core_pod_deleted(sched_core *c, const json_t *pod);
void sched_core_node_changed(sched_core *c, json_t *node);
void sched_core_node_deleted(sched_core *c, const char *name);
void sched_core_queue_changed(sched_core *c, json_t *queue);
void sched_core_queue_deleted(sched_core *c, const char *name);
/* A PersistentVolumeClaim, PersistentVolume or StorageClass (kind) added,
 * changed or deleted: the volume binding plugin's view; pods waiting for
 * room are tried again. */
void sched_core_storage_changed(sched_core *c, const char *kind, json_t *obj, bool deleted);
void sched_core_namespace_changed(sched_core *c, const char *name, json_t *labels);

/* One decision; false when no pod is ready to be tried. */
bool sched_core_schedule_one(sched_core *c, double now);
/* The bind of key (with that uid) failed: forget the assumption, retry after back-off. */
void sched_core_bind_failed(sched_core *c, const char *key, const char *uid, double now);
/* Parked pods are tried again (capacity may have freed without an event we see). */
void sched_core_kick(sched_core *c);

#endif
