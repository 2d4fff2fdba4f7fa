/*
 * workqueue.h — client-go's rate-limited work queue of string keys.
 *
 * The invariants a controller relies on:
 *  - a key is queued at most once: adding it again while it waits is a no-op;
 *  - a key is handed to at most one worker at a time: added while a worker
 *    holds it, it is queued again only when that worker calls done;
 *  - add_rate_limited delays a key by base * 2^failures (capped), and forget
 *    resets its failures once it succeeds.
 *
 * Worker loop:
 *   char *key;
 *   while ((key = tug_workqueue_get(q)) != NULL) {
 *     if (reconcile(key) < 0) tug_workqueue_add_rate_limited(q, key);
 *     else tug_workqueue_forget(q, key);
 *     tug_workqueue_done(q, key);
 *     free(key);
 *   }
 *
 * lib/controller.h runs this loop, with metrics and hooks, for every process:
 * use the queue through it.
 *
 * All functions are thread-safe. Delays are measured on the monotonic clock.
 */
#ifndef TUG_WORKQUEUE_H
#define TUG_WORKQUEUE_H

#include <stddef.h>

#include "error.h"

typedef struct tug_workqueue tug_workqueue;

typedef struct tug_workqueue_options {
  long base_delay_ms; /* first retry delay; 0: 5 ms */
  long max_delay_ms;  /* cap on retry delays; 0: 1000 s */
} tug_workqueue_options;

/* opts may be NULL. NULL when memory runs out. */
tug_workqueue *tug_workqueue_new(const tug_workqueue_options *opts);
/* Free the queue; no thread may be using it (shut it down and join workers first). */
void tug_workqueue_free(tug_workqueue *q);

/* Queue key now unless it is already queued. Ignored after shutdown. */
void tug_workqueue_add(tug_workqueue *q, const char *key);
/* Queue key after delay_ms; a key already waiting keeps the earlier time. */
void tug_workqueue_add_after(tug_workqueue *q, const char *key, long delay_ms);
/* Queue key after its back-off (base * 2^failures, capped) and count one failure. */
void tug_workqueue_add_rate_limited(tug_workqueue *q, const char *key);
/* Reset key's failures: its next add_rate_limited waits the base delay again. */
void tug_workqueue_forget(tug_workqueue *q, const char *key);
/* How many times key went through add_rate_limited since its last forget. */
int tug_workqueue_num_requeues(tug_workqueue *q, const char *key);

/*
 * The next key, blocking until one is ready. The caller owns the returned
 * string, must call tug_workqueue_done with it when finished, then free it.
 * NULL once the queue is shut down and no key is left ready.
 */
char *tug_workqueue_get(tug_workqueue *q);
/* Processing of key is over; if it was added meanwhile, it is queued again. */
void tug_workqueue_done(tug_workqueue *q, const char *key);

/* Stop accepting keys and wake every waiting get. Keys already ready are still
 * handed out; delayed ones are dropped. */
void tug_workqueue_shutdown(tug_workqueue *q);

/* Keys ready to be handed out (not the delayed ones, not those being processed). */
size_t tug_workqueue_len(tug_workqueue *q);

#endif
