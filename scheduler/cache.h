/*
 * cache.h — the scheduler's picture of nodes and what is placed on them.
 *
 * The one idea: a node's allocation counts every pod the scheduler believes
 * is there, including pods it has only *assumed* (chosen a node for, bind in
 * flight). The next decision therefore never reuses space a bind is about to
 * take; a bind that fails removes the assumption and the space returns.
 *
 * Pods naming a node the cache does not know yet (or any more) hang on a
 * placeholder node that is never offered to plugins. Not thread-safe: the
 * scheduler holds its lock around every call.
 */
#ifndef SCHED_CACHE_H
#define SCHED_CACHE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "hashmap.h"
#include "pod.h"
#include "resources.h"

typedef enum { SCHED_NO_SCHEDULE, SCHED_PREFER_NO_SCHEDULE, SCHED_NO_EXECUTE } sched_effect;

typedef struct sched_taint {
  char *key, *value;
  sched_effect effect;
} sched_taint;

typedef struct sched_node {
  char *name;
  json_t *obj;    /* NULL for a placeholder */
  json_t *labels; /* borrowed from obj; NULL when none */
  sched_taint *taints;
  size_t n_taints;
  bool ready, unschedulable;
  sched_res alloc;     /* status.allocatable (capacity when absent) */
  sched_res requested; /* sum of its pods' requests, assumed ones included */
  sched_res nonzero;   /* the same with scoring defaults for empty requests */
  sched_pod **pods;
  size_t n_pods, cap_pods;
  size_t index; /* in sched_cache.nodes; SIZE_MAX for a placeholder */
} sched_node;

typedef struct sched_cache {
  sched_node **nodes; /* known nodes, in arrival order (placeholders excluded) */
  size_t n_nodes, cap_nodes;
  tug_hashmap *by_name; /* every node, placeholders included */
  /* What volume binding reads (plugins/volume-binding.c): JSON objects of
   * PersistentVolumeClaims by "ns/name", PersistentVolumes and StorageClasses
   * by name. */
  json_t *claims, *volumes, *classes;
} sched_cache;

sched_cache *sched_cache_new(void);
void sched_cache_free(sched_cache *c);

/* Add or update a Node object (the reference is kept). -1 without a name or memory. */
int sched_cache_set_node(sched_cache *c, json_t *node);
/* Forget a node; pods still on it stay, on a placeholder, until they go. */
void sched_cache_delete_node(sched_cache *c, const char *name);
sched_node *sched_cache_node(const sched_cache *c, const char *name);

/* Put pod on node_name as ASSUMED or BOUND and count its requests. -1 on memory. */
int sched_cache_add_pod(sched_cache *c, sched_pod *pod, const char *node_name,
                        sched_pod_state state);
/* Take pod off its node (no-op when it has none); it becomes PENDING. */
void sched_cache_remove_pod(sched_cache *c, sched_pod *pod);

/* Set (obj not NULL) or forget the object under key in one of the storage
 * maps above. */
void sched_cache_set_storage(json_t *map, const char *key, json_t *obj);

/* Allocatable of the nodes that can take pods (Ready, schedulable). */
sched_res sched_cache_capacity(const sched_cache *c);

/* The node can take new pods: known, Ready and not cordoned. */
static inline bool sched_node_usable(const sched_node *n) {
  return n->obj && n->ready && !n->unschedulable;
}

#endif
