/*
 * queue-aging.h — how long a pending pod has waited raises its rank in its
 * Queue (docs/scheduler.md, "Aging"), so a steady stream of higher-priority
 * pods cannot hold a lower one back for ever.
 *
 * A pod's rank is its priority plus one for each full spec.aging.intervalSeconds
 * since its creationTimestamp, at most spec.aging.maxBoost more. The API server
 * fills the defaults in (aging on, except in a strictFIFO queue); the scheduler
 * applies the same defaults to Queues stored before the field existed.
 */
#ifndef TUG_QUEUE_AGING_H
#define TUG_QUEUE_AGING_H

#include <jansson.h>
#include <stdint.h>

#define TUG_QUEUE_AGING_INTERVAL_S 10
#define TUG_QUEUE_AGING_MAX_BOOST 1000

typedef struct tug_queue_aging {
  int64_t interval_s; /* 0: off */
  int64_t max_boost;
} tug_queue_aging;

/* The aging of a Queue's spec (NULL: the built-in default queue), defaults applied. */
tug_queue_aging tug_queue_aging_of(const json_t *spec);
/* The rank of a pod of priority prio that has waited wait_s seconds. */
int64_t tug_queue_aging_rank(const tug_queue_aging *a, int64_t prio, double wait_s);

#endif
