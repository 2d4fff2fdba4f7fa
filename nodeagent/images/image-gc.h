/*
 * image-gc.h — the node's image manager: image garbage collection by disk
 * thresholds, and status.images on the Node.
 *
 * Kubelet's rule: when the store's file system is used at or above the high
 * threshold (imageGCHighThresholdPercent, 85), images are removed until it
 * is below the low one (imageGCLowThresholdPercent, 80): least recently used
 * first, never one a pod on the node names (whatever its containers' state),
 * never one younger than the minimum age (imageMinimumGCAge, 2 min). A layer
 * goes with the last image that lists it. The choice is a pure function
 * (agent_image_gc_plan) apart from the thread that measures and removes.
 *
 * The same thread reports status.images (names, sizeBytes; largest first,
 * at most AGENT_NODE_MAX_IMAGES as kubelet's nodeStatusMaxImages) whenever
 * the set changes.
 */
#ifndef TUG_AGENT_IMAGE_GC_H
#define TUG_AGENT_IMAGE_GC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "error.h"
#include "image-puller.h"
#include "image-store.h"

enum {
  AGENT_IMAGE_GC_HIGH_PERCENT = 85,
  AGENT_IMAGE_GC_LOW_PERCENT = 80,
  AGENT_IMAGE_GC_MIN_AGE_SECONDS = 120,
  AGENT_IMAGE_GC_PERIOD_SECONDS = 10,
  AGENT_NODE_MAX_IMAGES = 50,
};

typedef struct agent_image_gc_policy {
  int high_percent, low_percent;
  double min_age_s;
} agent_image_gc_policy;

/* One stored image as the plan sees it. */
typedef struct agent_image_gc_item {
  const char *digest;
  int64_t size;
  time_t first_seen, last_used;
  bool in_use;
} agent_image_gc_item;

/* Whether a file system of size bytes with used bytes is at or above the high threshold. */
bool agent_image_gc_due(const agent_image_gc_policy *p, int64_t size, int64_t used);
/* Which of items to remove, in order, into order[] (indices): the removable ones
 * (not in use, at least min_age old) least recently used first, as many as bring
 * used below the low threshold by their sizes. Their count. */
size_t agent_image_gc_plan(const agent_image_gc_policy *p, const agent_image_gc_item *items,
                           size_t n, int64_t size, int64_t used, time_t now, size_t *order);
/* status.images of a store listing: a new array. */
json_t *agent_image_status(const agent_image_entry *list, size_t n);

typedef struct agent_image_gc agent_image_gc;

typedef struct agent_image_gc_options {
  agent_image_store *store;
  agent_puller *puller; /* resolves pods' image names to stored images */
  agent_image_gc_policy policy;
  double period_s;
  /* The images the node's pods name: a new array of strings. */
  json_t *(*pod_images)(void *arg);
  /* Write status.images (a reference taken). */
  int (*publish)(json_t *images, void *arg, tug_error *err);
  void *arg;
} agent_image_gc_options;

int agent_image_gc_start(const agent_image_gc_options *o, agent_image_gc **out, tug_error *err);
void agent_image_gc_stop(agent_image_gc *g);

#endif
