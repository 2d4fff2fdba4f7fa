/*
 * queue.h — Tugboat's queues: which pending pod is tried next, and whether
 * its Queue may take the capacity it asks for (docs/scheduler.md, "Queues, in numbers").
 *
 * The one idea: each Queue owns a heap of pending pods (higher priority
 * first, then older first) and counts the requests of the pods it admitted.
 * Quota is checked against those counts, not against nodes:
 *
 *   lend(q)      what q lends its cohort: lendingLimit, else all of nominal
 *                (nothing for a queue without a cohort);
 *   guarded(q)   nominal - lend(q), which no other queue may ever use;
 *   shared(C)    sum over C's queues of max(0, usage - guarded): what C's
 *                queues take from what C lends;
 *   pool         cluster capacity - every queue's nominal: the common pool;
 *                each cohort takes max(0, shared(C) - lend(C)) from it.
 *
 * A resource a queue's nominal does not name has a nominal of 0: all of it is
 * borrowed from the pool, yet using it does not make a pod a borrower for
 * ordering and reclaim (a queue that guarantees cpu need not list pods) as
 * long as the pod asks for some resource the nominal does name.
 *
 * A pod of q fits when usage + request stays within nominal + borrowingLimit
 * (when set) and the growth of its cohort's draw on the pool fits in what the
 * pool has left. The next pod comes from pods that fit within their queue's
 * nominal first, then pods that borrow, then pods that could only get in by
 * preemption; inside a class, from the queue with the lowest weighted share
 * (dominant borrowed fraction of what could be borrowed, over weight). Pods
 * that do not fit (by quota or on nodes) are parked by the caller until
 * capacity frees (best-effort FIFO), or, in a strictFIFO queue, stay at the
 * head and block their queue until then.
 *
 * Within a queue, pods rank by priority raised by their wait (queue-aging.h);
 * the ranks are recomputed, and the heap rebuilt, at most once a second. The
 * raise orders pods only: preemption compares their own priorities.
 *
 * Namespaces map to the first queue (by name) listing them in spec.namespaces,
 * then the first whose namespaceSelector matches, else the "default" queue,
 * which exists without an object (nominal 0, priority preemption within it).
 * Not thread-safe: the scheduler holds its lock.
 */
#ifndef SCHED_QUEUE_H
#define SCHED_QUEUE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "budget.h"
#include "hashmap.h"
#include "histogram.h"
#include "pod.h"
#include "queue-aging.h"
#include "resources.h"
#include "selector.h"

typedef enum { SCHED_RECLAIM_NEVER, SCHED_RECLAIM_LOWER, SCHED_RECLAIM_ANY } sched_reclaim;

typedef struct sched_podvec {
  sched_pod **v;
  size_t n, cap;
} sched_podvec;

typedef struct sched_queue {
  char *name;
  json_t *obj; /* NULL for the built-in default */
  char *cohort;
  sched_res nominal, borrow_limit, lend_limit;
  bool has_nominal[SCHED_NRES], has_borrow[SCHED_NRES], has_lend[SCHED_NRES];
  double weight;
  bool strict_fifo;
  tug_queue_aging aging;
  double ranked_at; /* wall time the heap's ranks were computed at */
  bool stale_ranks; /* the aging changed: recompute them on the next pop */
  sched_reclaim reclaim;
  bool within_queue; /* withinQueue: LowerPriority */
  char **namespaces;
  size_t n_namespaces;
  tug_selector *ns_selector;

  sched_res usage;
  /* Preemption in progress: requests of this queue's pods waiting for victims
   * to go (incoming) and of its pods chosen as victims (outgoing). */
  sched_res incoming, outgoing;
  sched_podvec heap, parked, backoff, admitted;
  double next_backoff;
  bool blocked; /* strict FIFO head waits for blocked_gen to pass */
  uint64_t blocked_gen;
  tug_histogram wait;  /* seconds from pending to admitted, for /metrics */
  sched_budget budget; /* resource-hours per window (budget.h) */
} sched_queue;

typedef struct sched_queues {
  sched_queue **v; /* sorted by name */
  size_t n, cap;
  sched_queue *dflt;
  tug_hashmap *ns_labels; /* namespace → its labels (a reference) */
  tug_hashmap *ns_memo;   /* namespace → queue, cleared on every change */
  sched_res capacity;
  uint64_t gen, flushed_gen;
  double (*wall_clock)(void); /* epoch seconds, for aging; replaceable in tests */
} sched_queues;

/* Why a pending pod waits, for Queue status' pendingWorkloads. */
typedef enum {
  SCHED_WAIT_NONE,       /* not tried yet */
  SCHED_WAIT_QUOTA,      /* its queue's quota (nominal + borrowingLimit) is used up */
  SCHED_WAIT_COHORT,     /* its queue may borrow, but its cohort and the pool lend nothing */
  SCHED_WAIT_NODES,      /* quota has room, no node fits */
  SCHED_WAIT_PREEMPTING, /* victims are leaving to make room for it */
  SCHED_WAIT_BACKOFF,    /* its binding failed; it is tried again later */
  SCHED_WAIT_BUDGET,     /* its queue spent this window's resource-hours */
} sched_wait;

/* How many pending pods a Queue's status lists, in order. */
#define SCHED_PENDING_SHOWN 20

typedef enum {
  SCHED_ADMIT_NOMINAL, /* fits within the queue's nominal quota */
  SCHED_ADMIT_BORROW,  /* fits by borrowing */
  SCHED_ADMIT_NO,      /* does not fit now */
} sched_admit;

sched_queues *sched_queues_new(void);
void sched_queues_free(sched_queues *qs);

/* Add or replace a Queue object; pods move to their namespace's queue. */
int sched_queues_set(sched_queues *qs, json_t *queue, tug_error *err);
void sched_queues_delete(sched_queues *qs, const char *name);
/* A Namespace object's labels, for namespaceSelector; NULL labels forget it. */
void sched_queues_set_namespace(sched_queues *qs, const char *ns, json_t *labels);
sched_queue *sched_queues_get(const sched_queues *qs, const char *name);
sched_queue *sched_queues_for_namespace(sched_queues *qs, const char *ns);
/* The cluster's usable capacity; the common pool is what nominals leave of it. */
void sched_queues_set_capacity(sched_queues *qs, const sched_res *capacity);
/* Capacity may have freed: parked pods and blocked queues are tried again. */
void sched_queues_kick(sched_queues *qs);

/* A pending pod joins its namespace's queue, ready to be tried. */
void sched_queues_push(sched_queues *qs, sched_pod *p);
/*
 * The next pod to try, out of every queue; NULL when none is ready. The pod
 * leaves its queue (qstate NONE) and the caller must hand it back with
 * admit, park, backoff or push. *verdict says whether its queue has room;
 * pods without room come last, so that they are reported (or preempt).
 */
sched_pod *sched_queues_pop(sched_queues *qs, double now, sched_admit *verdict);
/* Count an assumed or bound pod in its queue's usage. */
void sched_queues_admit(sched_queues *qs, sched_pod *p);
/* Unschedulable now: wait for capacity to free (see the header comment). */
void sched_queues_park(sched_queues *qs, sched_pod *p);
/* Try again at monotonic time until. */
void sched_queues_backoff(sched_queues *qs, sched_pod *p, double until);
/* Take the pod out of its queue wherever it is, uncounting its usage. */
void sched_queues_release(sched_queues *qs, sched_pod *p);

/* Would q have room for req now? */
sched_admit sched_queues_admits(const sched_queues *qs, const sched_queue *q, const sched_res *req);
/* Whether q's usage plus req stays within the resources its nominal names,
 * and req asks for at least one of them (else it is all borrowed). */
bool sched_queue_within_nominal(const sched_queue *q, const sched_res *req);
/* q's weighted share: dominant borrowed fraction over weight (0 within nominal). */
double sched_queues_share(const sched_queues *qs, const sched_queue *q);
/* What q may still borrow or lend, for status: per resource, never negative. */
void sched_queue_borrowed(const sched_queue *q, sched_res *out);
void sched_queues_lendable(const sched_queues *qs, const sched_queue *q, sched_res *out);
/* Pods waiting in q (ready, parked and backing off). */
size_t sched_queue_pending(const sched_queue *q);
/* Why a pod of q asking for req waits on quota: used up, the cohort lends nothing,
 * or the queue's budget for this window is spent. */
sched_wait sched_queue_quota_wait(const sched_queue *q, const sched_res *req);
/* Record why p waits (message may be NULL), or forget it (SCHED_WAIT_NONE). */
void sched_pod_set_wait(sched_pod *p, sched_wait why, const char *message);
/* q's first `limit` pending pods in the order it would offer them: [{namespace, name,
 * position, priority, rank, reason, message}]. */
json_t *sched_queue_pending_workloads(const sched_queue *q, size_t limit);
/* q's status object: usage, borrowed, lendable, weightedShare (‰), admitted, pending,
 * pendingWorkloads. */
json_t *sched_queues_status(const sched_queues *qs, const sched_queue *q);

#endif
