/*
 * resources.h — the resource vectors the scheduler adds and compares.
 *
 * The one idea: everything the queues and plugins account is a fixed vector of
 * cpu (milli-units), memory (bytes) and pods (a count), so fair-share and fit
 * arithmetic are loops over three int64s and never touch JSON.
 */
#ifndef SCHED_RESOURCES_H
#define SCHED_RESOURCES_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "quantity.h"

enum { SCHED_CPU, SCHED_MEMORY, SCHED_PODS, SCHED_NRES };

typedef struct sched_res {
  int64_t v[SCHED_NRES];
} sched_res;

/* "cpu", "memory", "pods". */
extern const char *const sched_res_names[SCHED_NRES];

/* Sums saturate (lib/quantity.h): a node or queue holding pods whose
 * requests add up past int64 looks full, never nearly empty. A saturated sum
 * has lost count, so whoever takes a pod back out of one recounts instead
 * (sched_res_saturated). */
static inline void sched_res_add(sched_res *a, const sched_res *b) {
  for (int r = 0; r < SCHED_NRES; r++)
    a->v[r] = tug_quantity_add_sat(a->v[r], b->v[r]);
}

static inline void sched_res_sub(sched_res *a, const sched_res *b) {
  for (int r = 0; r < SCHED_NRES; r++)
    a->v[r] = tug_quantity_sub_sat(a->v[r], b->v[r]);
}

static inline bool sched_res_saturated(const sched_res *a) {
  for (int r = 0; r < SCHED_NRES; r++)
    if (a->v[r] == INT64_MAX || a->v[r] == INT64_MIN)
      return true;
  return false;
}

/* True when a <= b in every resource. */
static inline bool sched_res_le(const sched_res *a, const sched_res *b) {
  for (int r = 0; r < SCHED_NRES; r++)
    if (a->v[r] > b->v[r])
      return false;
  return true;
}

/*
 * A resource map ({"cpu": "2", "memory": "4Gi", "pods": 110}) into out; other
 * names are ignored. set (may be NULL) says which were present. Quantities
 * may be strings or numbers. Fails with TUG_E_PARSE on a bad quantity.
 */
int sched_res_parse(const json_t *map, sched_res *out, bool set[SCHED_NRES], tug_error *err);

/* {"cpu": "1500m", "memory": "1Gi", "pods": "3"}, a new object. */
json_t *sched_res_to_json(const sched_res *r);

/*
 * What a pod spec asks for, Kubernetes' way (tug_pod_effective: the app
 * containers and sidecars summed, or an init container beside the sidecars
 * before it when that is more), plus one pod. A container without
 * a request but with a limit requests its limit. nonzero (may be NULL) is the
 * same with Kubernetes' scoring defaults (100m cpu, 200Mi memory) for
 * containers that ask for nothing, so that spreading sees empty pods.
 */
void sched_pod_requests(const json_t *spec, sched_res *req, sched_res *nonzero);

#endif
