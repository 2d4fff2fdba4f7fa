/*
 * image-gc.c — image garbage collection and status.images (image-gc.h).
 *
 * When an image was last used is kept in memory, as kubelet keeps it: an
 * image a pod names counts as used at every round, and a record's lastUsed
 * (its pull) seeds it. A round measures the file system of the store with
 * statvfs after each removal, so it stops as soon as the low threshold is
 * reached whatever the images' recorded sizes (compressed) say.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "cleanup.h"
#include "hashmap.h"
#include "image-gc.h"
#include "log.h"
#include "stopper.h"

bool agent_image_gc_due(const agent_image_gc_policy *p, int64_t size, int64_t used) {
  return size > 0 && used * 100 >= size * p->high_percent;
}

static const agent_image_gc_item *sort_items;

/* Least recently used first; then the older first seen, then by digest, so the order is total. */
static int by_last_use(const void *a, const void *b) {
  const agent_image_gc_item *x = &sort_items[*(const size_t *)a],
                            *y = &sort_items[*(const size_t *)b];
  if (x->last_used != y->last_used)
    return x->last_used < y->last_used ? -1 : 1;
  if (x->first_seen != y->first_seen)
    return x->first_seen < y->first_seen ? -1 : 1;
  return strcmp(x->digest, y->digest);
}

size_t agent_image_gc_plan(const agent_image_gc_policy *p, const agent_image_gc_item *items,
                           size_t n, int64_t size, int64_t used, time_t now, size_t *order) {
  if (!agent_image_gc_due(p, size, used))
    return 0;
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (!items[i].in_use && difftime(now, items[i].first_seen) >= p->min_age_s)
      order[k++] = i;
  static pthread_mutex_t sort_mu = PTHREAD_MUTEX_INITIALIZER; /* qsort takes no argument */
  pthread_mutex_lock(&sort_mu);
  sort_items = items;
  qsort(order, k, sizeof *order, by_last_use);
  pthread_mutex_unlock(&sort_mu);
  int64_t to_free = used - size * p->low_percent / 100, freed = 0;
  size_t take = 0;
  while (take < k && freed < to_free)
    freed += items[order[take++]].size;
  return take;
}

static int by_size_desc(const void *a, const void *b) {
  const agent_image_entry *x = a, *y = b;
  if (x->size != y->size)
    return x->size > y->size ? -1 : 1;
  return strcmp(x->digest, y->digest);
}

json_t *agent_image_status(const agent_image_entry *list, size_t n) {
  agent_image_entry *sorted = malloc((n ? n : 1) * sizeof *sorted);
  json_t *out = json_array();
  if (sorted == NULL || out == NULL) {
    free(sorted);
    return out;
  }
  memcpy(sorted, list, n * sizeof *sorted);
  qsort(sorted, n, sizeof *sorted, by_size_desc);
  for (size_t i = 0; i < n && i < AGENT_NODE_MAX_IMAGES; i++)
    json_array_append_new(out, json_pack("{s:O, s:I}", "names", sorted[i].names, "sizeBytes",
                                         (json_int_t)sorted[i].size));
  free(sorted);
  return out;
}

typedef struct seen {
  time_t first, last;
} seen;

struct agent_image_gc {
  agent_image_gc_options o;
  char dir[1024];    /* the store's file system, for statvfs */
  tug_hashmap *seen; /* digest → seen */
  json_t *published;
  tug_stopper stopper;
  pthread_t thread;
  bool started;
};

static int measure(const agent_image_gc *g, int64_t *size, int64_t *used) {
  struct statvfs v;
  if (statvfs(g->dir, &v) < 0)
    return -1;
  *size = (int64_t)v.f_blocks * (int64_t)v.f_frsize;
  *used = *size - (int64_t)v.f_bavail * (int64_t)v.f_frsize;
  return 0;
}

/* The digests of the stored images the node's pods name. */
static json_t *images_in_use(agent_image_gc *g) {
  json_t *digests = json_object();
  _cleanup_json_ json_t *names = g->o.pod_images(g->o.arg);
  size_t i;
  json_t *v;
  json_array_foreach(names, i, v) {
    char digest[80];
    if (agent_puller_stored_digest(g->o.puller, json_string_value(v), digest) == 1)
      json_object_set_new(digests, digest, json_true());
  }
  return digests;
}

/* The plan's view of list, with what this process has seen of each image. */
static void items_of(agent_image_gc *g, const agent_image_entry *list, size_t n,
                     const json_t *in_use, time_t now, agent_image_gc_item *items) {
  for (size_t i = 0; i < n; i++) {
    seen *s = tug_hashmap_get(g->seen, list[i].digest);
    if (s == NULL && (s = calloc(1, sizeof *s)) != NULL) {
      s->first = s->last = list[i].last_used ? list[i].last_used : now;
      tug_hashmap_put(g->seen, list[i].digest, s);
    }
    bool used = json_object_get(in_use, list[i].digest) != NULL;
    if (s && used)
      s->last = now;
    items[i] = (agent_image_gc_item){.digest = list[i].digest,
                                     .size = list[i].size,
                                     .first_seen = s ? s->first : now,
                                     .last_used = s ? s->last : now,
                                     .in_use = used || s == NULL};
  }
}

static void collect(agent_image_gc *g, const agent_image_entry *list, size_t n) {
  int64_t size, used;
  if (n == 0 || measure(g, &size, &used) < 0 || !agent_image_gc_due(&g->o.policy, size, used))
    return;
  _cleanup_json_ json_t *in_use = images_in_use(g);
  agent_image_gc_item *items = calloc(n, sizeof *items);
  size_t *order = calloc(n, sizeof *order);
  time_t now = time(NULL);
  size_t k = 0;
  if (items && order) {
    items_of(g, list, n, in_use, now, items);
    k = agent_image_gc_plan(&g->o.policy, items, n, size, used, now, order);
  }
  tug_info("image garbage collection", "used=%lld size=%lld high=%d%% candidates=%zu",
           (long long)used, (long long)size, g->o.policy.high_percent, k);
  for (size_t j = 0; j < k; j++) {
    tug_error err = {0};
    const char *digest = items[order[j]].digest;
    if (agent_image_store_remove(g->o.store, digest, &err) < 0) {
      tug_warn("image not removed", "image=%s err=%s", digest, TUG_LOG_ERR(&err));
      break; /* a pull in flight (EBUSY): the next round tries again */
    }
    tug_info("image removed", "image=%s size=%lld", digest, (long long)items[order[j]].size);
    free(tug_hashmap_remove(g->seen, digest));
    if (measure(g, &size, &used) == 0 && used * 100 < size * g->o.policy.low_percent)
      break;
  }
  free(items);
  free(order);
}

/* status.images, written when it changed since the last write that worked. */
static void publish(agent_image_gc *g) {
  agent_image_entry *list = NULL;
  size_t n = 0;
  tug_error err = {0};
  if (agent_image_store_list(g->o.store, &list, &n, &err) < 0)
    return;
  json_t *images = agent_image_status(list, n);
  agent_image_list_free(list, n);
  if (images == NULL || json_equal(images, g->published)) {
    json_decref(images);
    return;
  }
  if (g->o.publish(json_incref(images), g->o.arg, &err) < 0) {
    tug_warn("status.images not written", "err=%s", TUG_LOG_ERR(&err));
    json_decref(images);
    return;
  }
  json_decref(g->published);
  g->published = images;
}

static void *gc_main(void *arg) {
  agent_image_gc *g = arg;
  do {
    agent_image_entry *list = NULL;
    size_t n = 0;
    tug_error err = {0};
    if (agent_image_store_list(g->o.store, &list, &n, &err) == 0)
      collect(g, list, n);
    agent_image_list_free(list, n);
    publish(g);
  } while (tug_stopper_sleep_ms(&g->stopper, (long)(g->o.period_s * 1000)));
  return NULL;
}

int agent_image_gc_start(const agent_image_gc_options *o, agent_image_gc **out, tug_error *err) {
  if (o->policy.low_percent > o->policy.high_percent || o->policy.high_percent > 100 ||
      o->policy.low_percent < 0)
    return tug_error_set(err, EINVAL,
                         "image GC thresholds: low %d%% must be at most high %d%%, both in 0..100",
                         o->policy.low_percent, o->policy.high_percent);
  agent_image_gc *g = calloc(1, sizeof *g);
  if (g == NULL || (g->seen = tug_hashmap_new()) == NULL) {
    free(g);
    return tug_error_set(err, ENOMEM, "image gc");
  }
  g->o = *o;
  snprintf(g->dir, sizeof g->dir, "%s", agent_image_store_dir(o->store));
  tug_stopper_init(&g->stopper);
  int rc = pthread_create(&g->thread, NULL, gc_main, g);
  if (rc != 0) {
    agent_image_gc_stop(g);
    return tug_error_errno(err, rc, "start image gc thread");
  }
  g->started = true;
  *out = g;
  return 0;
}

void agent_image_gc_stop(agent_image_gc *g) {
  if (g == NULL)
    return;
  tug_stopper_stop(&g->stopper);
  if (g->started)
    pthread_join(g->thread, NULL);
  tug_stopper_destroy(&g->stopper);
  tug_hashmap_free(g->seen, free);
  json_decref(g->published);
  free(g);
}
