/*
 * workqueue.c — the rate-limited work queue (see workqueue.h).
 *
 * Four sets under one mutex, as in client-go: `dirty` (keys that need
 * processing), the `ready` FIFO (dirty keys not being processed, in order),
 * `processing` (keys a worker holds) and `waiting` (a min-heap of delayed keys
 * by due time). A key is in `ready` only if it is dirty and not processing;
 * done() moves a key that became dirty meanwhile back into `ready`. There is
 * no timer thread: each get() moves due keys from the heap to `ready` and
 * sleeps until the earliest due time.
 */
#include "workqueue.h"
#include "array.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "hashmap.h"

enum { DEFAULT_BASE_MS = 5, DEFAULT_MAX_MS = 1000 * 1000 };

#define PRESENT ((void *)1)

typedef struct delayed {
  char *key;
  int64_t due_ms;
  size_t idx; /* position in the heap */
} delayed;

struct tug_workqueue {
  pthread_mutex_t mu;
  pthread_cond_t cond;
  long base_ms, max_ms;
  char **ready; /* ring buffer of owned keys */
  size_t head, count, cap;
  tug_hashmap *dirty, *processing, *failures, *waiting; /* waiting: key → delayed */
  delayed **heap;
  size_t n_heap, heap_cap;
  bool shutting_down;
};

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

tug_workqueue *tug_workqueue_new(const tug_workqueue_options *opts) {
  tug_workqueue *q = calloc(1, sizeof *q);
  if (q == NULL)
    return NULL;
  pthread_mutex_init(&q->mu, NULL);
  tug_cond_init_monotonic(&q->cond);
  q->base_ms = opts && opts->base_delay_ms > 0 ? opts->base_delay_ms : DEFAULT_BASE_MS;
  q->max_ms = opts && opts->max_delay_ms > 0 ? opts->max_delay_ms : DEFAULT_MAX_MS;
  q->dirty = tug_hashmap_new();
  q->processing = tug_hashmap_new();
  q->failures = tug_hashmap_new();
  q->waiting = tug_hashmap_new();
  if (!q->dirty || !q->processing || !q->failures || !q->waiting) {
    tug_workqueue_free(q);
    return NULL;
  }
  return q;
}

static void delayed_free(void *p) {
  delayed *d = p;
  free(d->key);
  free(d);
}

void tug_workqueue_free(tug_workqueue *q) {
  if (q == NULL)
    return;
  for (size_t i = 0; i < q->count; i++)
    free(q->ready[(q->head + i) % q->cap]);
  free(q->ready);
  tug_hashmap_free(q->dirty, NULL);
  tug_hashmap_free(q->processing, NULL);
  tug_hashmap_free(q->failures, NULL);
  tug_hashmap_free(q->waiting, delayed_free); /* the heap holds the same entries */
  free(q->heap);
  pthread_mutex_destroy(&q->mu);
  pthread_cond_destroy(&q->cond);
  free(q);
}

static bool ready_push(tug_workqueue *q, const char *key) {
  if (q->count == q->cap) {
    size_t cap = q->cap ? q->cap * 2 : 16;
    char **r = malloc(cap * sizeof *r);
    if (r == NULL)
      return false;
    for (size_t i = 0; i < q->count; i++)
      r[i] = q->ready[(q->head + i) % q->cap];
    free(q->ready);
    q->ready = r;
    q->cap = cap;
    q->head = 0;
  }
  char *k = strdup(key);
  if (k == NULL)
    return false;
  q->ready[(q->head + q->count++) % q->cap] = k;
  return true;
}

static char *ready_pop(tug_workqueue *q) {
  char *k = q->ready[q->head];
  q->head = (q->head + 1) % q->cap;
  q->count--;
  return k;
}

static void add_locked(tug_workqueue *q, const char *key) {
  if (q->shutting_down || tug_hashmap_get(q->dirty, key))
    return;
  tug_hashmap_put(q->dirty, key, PRESENT);
  if (tug_hashmap_get(q->processing, key))
    return; /* done() queues it */
  if (ready_push(q, key))
    pthread_cond_signal(&q->cond);
  else
    tug_hashmap_remove(q->dirty, key);
}

void tug_workqueue_add(tug_workqueue *q, const char *key) {
  pthread_mutex_lock(&q->mu);
  add_locked(q, key);
  pthread_mutex_unlock(&q->mu);
}

static void heap_swap(tug_workqueue *q, size_t a, size_t b) {
  delayed *t = q->heap[a];
  q->heap[a] = q->heap[b];
  q->heap[b] = t;
  q->heap[a]->idx = a;
  q->heap[b]->idx = b;
}

static void heap_up(tug_workqueue *q, size_t i) {
  while (i > 0 && q->heap[(i - 1) / 2]->due_ms > q->heap[i]->due_ms) {
    heap_swap(q, i, (i - 1) / 2);
    i = (i - 1) / 2;
  }
}

static void heap_down(tug_workqueue *q, size_t i) {
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < q->n_heap && q->heap[l]->due_ms < q->heap[m]->due_ms)
      m = l;
    if (r < q->n_heap && q->heap[r]->due_ms < q->heap[m]->due_ms)
      m = r;
    if (m == i)
      return;
    heap_swap(q, i, m);
    i = m;
  }
}

/* Remember key as due at due_ms; true when it became the earliest. */
static bool wait_locked(tug_workqueue *q, const char *key, int64_t due_ms) {
  delayed *d = tug_hashmap_get(q->waiting, key);
  if (d) {
    if (due_ms >= d->due_ms)
      return false;
    d->due_ms = due_ms;
    heap_up(q, d->idx);
    return d->idx == 0;
  }
  if (TUG_ARRAY_RESERVE(q->heap, q->heap_cap, q->n_heap + 1, 16) < 0)
    return false;
  d = calloc(1, sizeof *d);
  if (d == NULL || (d->key = strdup(key)) == NULL) {
    free(d);
    return false;
  }
  d->due_ms = due_ms;
  d->idx = q->n_heap;
  q->heap[q->n_heap++] = d;
  tug_hashmap_put(q->waiting, key, d);
  heap_up(q, d->idx);
  return d->idx == 0;
}

static void add_after_locked(tug_workqueue *q, const char *key, long delay_ms) {
  if (q->shutting_down)
    return;
  if (delay_ms <= 0) {
    add_locked(q, key);
    return;
  }
  /* Waiters sleep until the earliest due time; a new earliest must wake them. */
  if (wait_locked(q, key, now_ms() + delay_ms))
    pthread_cond_broadcast(&q->cond);
}

void tug_workqueue_add_after(tug_workqueue *q, const char *key, long delay_ms) {
  pthread_mutex_lock(&q->mu);
  add_after_locked(q, key, delay_ms);
  pthread_mutex_unlock(&q->mu);
}

void tug_workqueue_add_rate_limited(tug_workqueue *q, const char *key) {
  pthread_mutex_lock(&q->mu);
  intptr_t failures = (intptr_t)tug_hashmap_get(q->failures, key);
  long delay = q->base_ms;
  for (intptr_t i = 0; i < failures && delay < q->max_ms; i++)
    delay *= 2;
  if (delay > q->max_ms)
    delay = q->max_ms;
  tug_hashmap_put(q->failures, key, (void *)(failures + 1));
  add_after_locked(q, key, delay);
  pthread_mutex_unlock(&q->mu);
}

void tug_workqueue_forget(tug_workqueue *q, const char *key) {
  pthread_mutex_lock(&q->mu);
  tug_hashmap_remove(q->failures, key);
  pthread_mutex_unlock(&q->mu);
}

int tug_workqueue_num_requeues(tug_workqueue *q, const char *key) {
  pthread_mutex_lock(&q->mu);
  intptr_t n = (intptr_t)tug_hashmap_get(q->failures, key);
  pthread_mutex_unlock(&q->mu);
  return (int)n;
}

/* Move delayed keys that are due into the ready FIFO. */
static void promote_due(tug_workqueue *q) {
  int64_t now = now_ms();
  while (q->n_heap > 0 && q->heap[0]->due_ms <= now) {
    delayed *d = q->heap[0];
    heap_swap(q, 0, --q->n_heap);
    heap_down(q, 0);
    tug_hashmap_remove(q->waiting, d->key);
    add_locked(q, d->key);
    delayed_free(d);
  }
}

char *tug_workqueue_get(tug_workqueue *q) {
  pthread_mutex_lock(&q->mu);
  char *key = NULL;
  for (;;) {
    if (!q->shutting_down)
      promote_due(q);
    if (q->count > 0) {
      key = ready_pop(q);
      tug_hashmap_remove(q->dirty, key);
      tug_hashmap_put(q->processing, key, PRESENT);
      break;
    }
    if (q->shutting_down)
      break;
    if (q->n_heap > 0) {
      struct timespec deadline = tug_deadline_ms((long)(q->heap[0]->due_ms - now_ms()) + 1);
      pthread_cond_timedwait(&q->cond, &q->mu, &deadline);
    } else {
      pthread_cond_wait(&q->cond, &q->mu);
    }
  }
  pthread_mutex_unlock(&q->mu);
  return key;
}

void tug_workqueue_done(tug_workqueue *q, const char *key) {
  pthread_mutex_lock(&q->mu);
  tug_hashmap_remove(q->processing, key);
  if (tug_hashmap_get(q->dirty, key)) {
    if (ready_push(q, key))
      pthread_cond_signal(&q->cond);
    else
      tug_hashmap_remove(q->dirty, key);
  }
  pthread_mutex_unlock(&q->mu);
}

void tug_workqueue_shutdown(tug_workqueue *q) {
  pthread_mutex_lock(&q->mu);
  q->shutting_down = true;
  pthread_cond_broadcast(&q->cond);
  pthread_mutex_unlock(&q->mu);
}

size_t tug_workqueue_len(tug_workqueue *q) {
  pthread_mutex_lock(&q->mu);
  size_t n = q->count;
  pthread_mutex_unlock(&q->mu);
  return n;
}
