/*
 * queue.c — Queue objects, their pending heaps, quota and fair share (see queue.h).
 */
#include "queue.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "array.h"
#include "object.h"

/* ---- vectors and the heap of pending pods ---- */

static int podvec_push(sched_podvec *pv, sched_pod *p) {
  if (TUG_ARRAY_RESERVE(pv->v, pv->cap, pv->n + 1, 16) < 0)
    return -1;
  p->qslot = pv->n;
  pv->v[pv->n++] = p;
  return 0;
}

static void podvec_remove(sched_podvec *pv, sched_pod *p) {
  sched_pod *last = pv->v[--pv->n];
  pv->v[p->qslot] = last;
  last->qslot = p->qslot;
}

/* Higher rank (priority raised by the wait) first, then older, then earlier arrival. */
static bool before(const sched_pod *a, const sched_pod *b) {
  if (a->rank != b->rank)
    return a->rank > b->rank;
  if (a->created != b->created)
    return a->created < b->created;
  return a->seq < b->seq;
}

static void heap_swap(sched_podvec *h, size_t i, size_t j) {
  sched_pod *t = h->v[i];
  h->v[i] = h->v[j];
  h->v[j] = t;
  h->v[i]->qslot = i;
  h->v[j]->qslot = j;
}

static void sift_up(sched_podvec *h, size_t i) {
  while (i > 0 && before(h->v[i], h->v[(i - 1) / 2])) {
    heap_swap(h, i, (i - 1) / 2);
    i = (i - 1) / 2;
  }
}

static void sift_down(sched_podvec *h, size_t i) {
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < h->n && before(h->v[l], h->v[m]))
      m = l;
    if (r < h->n && before(h->v[r], h->v[m]))
      m = r;
    if (m == i)
      return;
    heap_swap(h, i, m);
    i = m;
  }
}

static int heap_push(sched_podvec *h, sched_pod *p) {
  if (podvec_push(h, p) < 0)
    return -1;
  sift_up(h, p->qslot);
  return 0;
}

static void heapify(sched_podvec *h) {
  for (size_t i = h->n / 2; i-- > 0;)
    sift_down(h, i);
}

static void heap_remove(sched_podvec *h, sched_pod *p) {
  size_t i = p->qslot;
  podvec_remove(h, p);
  if (i < h->n) {
    sift_down(h, i);
    sift_up(h, h->v[i]->qslot);
  }
}

/* ---- Queue objects ---- */

static void queue_clear_config(sched_queue *q) {
  json_decref(q->obj);
  q->obj = NULL;
  free(q->cohort);
  q->cohort = NULL;
  for (size_t i = 0; i < q->n_namespaces; i++)
    free(q->namespaces[i]);
  free(q->namespaces);
  q->namespaces = NULL;
  q->n_namespaces = 0;
  tug_selector_free(q->ns_selector);
  q->ns_selector = NULL;
  memset(&q->nominal, 0, sizeof q->nominal);
  memset(&q->borrow_limit, 0, sizeof q->borrow_limit);
  memset(&q->lend_limit, 0, sizeof q->lend_limit);
  memset(q->has_nominal, 0, sizeof q->has_nominal);
  memset(q->has_borrow, 0, sizeof q->has_borrow);
  memset(q->has_lend, 0, sizeof q->has_lend);
  q->weight = 1;
  q->strict_fifo = false;
  q->aging = tug_queue_aging_of(NULL);
  q->stale_ranks = true;
  q->reclaim = SCHED_RECLAIM_NEVER;
  q->within_queue = false;
  memset(&q->budget, 0, sizeof q->budget);
}

/* The built-in default queue: like a cluster without queues, where a
 * higher-priority pod may preempt lower ones. */
static void queue_builtin_default(sched_queue *q) {
  queue_clear_config(q);
  q->within_queue = true;
}

/* Waits in a queue run from milliseconds to hours. */
static const double wait_bounds[] = {0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 600, 1800, 3600};

static sched_queue *queue_new(const char *name) {
  sched_queue *q = calloc(1, sizeof *q);
  if (q == NULL || (q->name = strdup(name)) == NULL) {
    free(q);
    return NULL;
  }
  tug_histogram_init(&q->wait, wait_bounds, sizeof wait_bounds / sizeof wait_bounds[0]);
  queue_clear_config(q);
  return q;
}

static void queue_free(sched_queue *q) {
  queue_clear_config(q);
  free(q->heap.v);
  free(q->parked.v);
  free(q->backoff.v);
  free(q->admitted.v);
  free(q->name);
  free(q);
}

static int parse_namespaces(sched_queue *q, const json_t *spec, tug_error *err) {
  json_t *list = json_object_get(spec, "namespaces");
  size_t n = json_array_size(list), i;
  json_t *v;
  if (n && (q->namespaces = calloc(n, sizeof *q->namespaces)) == NULL)
    return tug_error_set(err, ENOMEM, "queue %s: namespaces", q->name);
  json_array_foreach(list, i, v) {
    if (json_is_string(v) && (q->namespaces[q->n_namespaces] = strdup(json_string_value(v))))
      q->n_namespaces++;
  }
  json_t *sel = json_object_get(spec, "namespaceSelector");
  if (json_is_object(sel) &&
      tug_selector_from_match_labels(json_object_get(sel, "matchLabels"),
                                     json_object_get(sel, "matchExpressions"), &q->ns_selector,
                                     err) < 0)
    return tug_error_wrap(err, "queue %s: namespaceSelector", q->name);
  return 0;
}

static int parse_queue(sched_queue *q, json_t *obj, tug_error *err) {
  json_t *spec = json_object_get(obj, "spec");
  const char *cohort = tug_obj_get_str(spec, "cohort");
  if (cohort && cohort[0] && (q->cohort = strdup(cohort)) == NULL)
    return tug_error_set(err, ENOMEM, "queue %s", q->name);
  if (sched_res_parse(json_object_get(spec, "nominal"), &q->nominal, q->has_nominal, err) < 0 ||
      sched_res_parse(json_object_get(spec, "borrowingLimit"), &q->borrow_limit, q->has_borrow,
                      err) < 0 ||
      sched_res_parse(json_object_get(spec, "lendingLimit"), &q->lend_limit, q->has_lend, err) < 0)
    return tug_error_wrap(err, "queue %s", q->name);
  json_t *w = json_object_get(spec, "weight");
  q->weight = json_is_number(w) && json_number_value(w) > 0 ? json_number_value(w) : 1;
  q->strict_fifo = json_is_true(json_object_get(spec, "strictFIFO"));
  q->aging = tug_queue_aging_of(spec);
  const char *reclaim = tug_obj_get_str(spec, "preemption.reclaimWithinCohort");
  q->reclaim = reclaim == NULL                         ? SCHED_RECLAIM_NEVER
               : strcmp(reclaim, "Any") == 0           ? SCHED_RECLAIM_ANY
               : strcmp(reclaim, "LowerPriority") == 0 ? SCHED_RECLAIM_LOWER
                                                       : SCHED_RECLAIM_NEVER;
  const char *within = tug_obj_get_str(spec, "preemption.withinQueue");
  q->within_queue = within && strcmp(within, "LowerPriority") == 0;
  if (parse_namespaces(q, spec, err) < 0)
    return -1;
  if (sched_budget_parse(&q->budget, spec, json_object_get(obj, "status"), err) < 0)
    return tug_error_wrap(err, "queue %s", q->name);
  q->obj = json_incref(obj);
  return 0;
}

static double wall_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

sched_queues *sched_queues_new(void) {
  sched_queues *qs = calloc(1, sizeof *qs);
  if (qs == NULL)
    return NULL;
  qs->wall_clock = wall_now;
  qs->ns_labels = tug_hashmap_new();
  qs->ns_memo = tug_hashmap_new();
  qs->dflt = queue_new("default");
  qs->v = malloc(8 * sizeof *qs->v);
  if (!qs->ns_labels || !qs->ns_memo || !qs->dflt || !qs->v) {
    sched_queues_free(qs);
    return NULL;
  }
  queue_builtin_default(qs->dflt);
  qs->cap = 8;
  qs->v[qs->n++] = qs->dflt;
  return qs;
}

static void decref_labels(void *v) {
  json_decref(v);
}

void sched_queues_free(sched_queues *qs) {
  if (qs == NULL)
    return;
  for (size_t i = 0; i < qs->n; i++)
    queue_free(qs->v[i]);
  if (qs->n == 0 && qs->dflt)
    queue_free(qs->dflt);
  free(qs->v);
  tug_hashmap_free(qs->ns_labels, decref_labels);
  tug_hashmap_free(qs->ns_memo, NULL);
  free(qs);
}

sched_queue *sched_queues_get(const sched_queues *qs, const char *name) {
  for (size_t i = 0; i < qs->n; i++)
    if (strcmp(qs->v[i]->name, name) == 0)
      return qs->v[i];
  return NULL;
}

static bool lists_namespace(const sched_queue *q, const char *ns) {
  for (size_t i = 0; i < q->n_namespaces; i++)
    if (strcmp(q->namespaces[i], ns) == 0)
      return true;
  return false;
}

static sched_queue *resolve_namespace(const sched_queues *qs, const char *ns) {
  for (size_t i = 0; i < qs->n; i++)
    if (lists_namespace(qs->v[i], ns))
      return qs->v[i];
  json_t *labels = tug_hashmap_get(qs->ns_labels, ns);
  for (size_t i = 0; i < qs->n && labels; i++)
    if (qs->v[i]->ns_selector && tug_selector_matches(qs->v[i]->ns_selector, labels))
      return qs->v[i];
  return qs->dflt;
}

sched_queue *sched_queues_for_namespace(sched_queues *qs, const char *ns) {
  sched_queue *q = tug_hashmap_get(qs->ns_memo, ns);
  if (q == NULL) {
    q = resolve_namespace(qs, ns);
    tug_hashmap_put(qs->ns_memo, ns, q);
  }
  return q;
}

/* ---- moving pods between states ---- */

static sched_podvec *list_of(sched_queue *q, sched_qstate s) {
  switch (s) {
  case SCHED_Q_ACTIVE:
    return &q->heap;
  case SCHED_Q_PARKED:
    return &q->parked;
  case SCHED_Q_BACKOFF:
    return &q->backoff;
  case SCHED_Q_ADMITTED:
    return &q->admitted;
  default:
    return NULL;
  }
}

/* Charge q's budget for the usage held so far, before that usage changes; the
 * clock is read only for queues that have a budget (admits are a hot path). */
static void charge_budget(const sched_queues *qs, sched_queue *q) {
  if (q->budget.window_s > 0)
    sched_budget_charge(&q->budget, &q->usage, qs->wall_clock());
}

/* q's usage from its admitted pods, after a saturated sum lost count. */
static void recount_usage(sched_queue *q) {
  memset(&q->usage, 0, sizeof q->usage);
  for (size_t i = 0; i < q->admitted.n; i++)
    sched_res_add(&q->usage, &q->admitted.v[i]->req);
}

void sched_queues_release(sched_queues *qs, sched_pod *p) {
  sched_queue *q = p->queue;
  if (q == NULL || p->qstate == SCHED_Q_NONE)
    return;
  if (p->qstate == SCHED_Q_ACTIVE)
    heap_remove(&q->heap, p);
  else
    podvec_remove(list_of(q, p->qstate), p);
  if (p->qstate == SCHED_Q_ADMITTED) {
    charge_budget(qs, q);
    if (sched_res_saturated(&q->usage))
      recount_usage(q);
    else
      sched_res_sub(&q->usage, &p->req);
    qs->gen++;
  }
  p->qstate = SCHED_Q_NONE;
}

static void place(sched_queues *qs, sched_pod *p, sched_qstate s) {
  sched_queues_release(qs, p);
  if (p->queue == NULL)
    p->queue = sched_queues_for_namespace(qs, p->ns);
  sched_queue *q = p->queue;
  if (s == SCHED_Q_ACTIVE) {
    if (q->ranked_at == 0)
      q->ranked_at = qs->wall_clock();
    p->rank = tug_queue_aging_rank(&q->aging, p->priority, q->ranked_at - p->created);
  }
  int rc = s == SCHED_Q_ACTIVE ? heap_push(&q->heap, p) : podvec_push(list_of(q, s), p);
  if (rc < 0)
    return; /* out of memory: the pod is retried on its next update */
  p->qstate = s;
  if (s == SCHED_Q_ADMITTED) {
    charge_budget(qs, q);
    sched_res_add(&q->usage, &p->req);
  }
}

void sched_queues_push(sched_queues *qs, sched_pod *p) {
  place(qs, p, SCHED_Q_ACTIVE);
}
void sched_queues_admit(sched_queues *qs, sched_pod *p) {
  place(qs, p, SCHED_Q_ADMITTED);
}

void sched_queues_park(sched_queues *qs, sched_pod *p) {
  sched_queue *q = p->queue ? p->queue : sched_queues_for_namespace(qs, p->ns);
  if (q->strict_fifo) {
    place(qs, p, SCHED_Q_ACTIVE);
    q->blocked = true;
    q->blocked_gen = qs->gen;
  } else {
    place(qs, p, SCHED_Q_PARKED);
  }
}

void sched_queues_backoff(sched_queues *qs, sched_pod *p, double until) {
  place(qs, p, SCHED_Q_BACKOFF);
  p->backoff_until = until;
  if (p->queue && (p->queue->backoff.n == 1 || until < p->queue->next_backoff))
    p->queue->next_backoff = until;
}

/* A preemptor's or victim's share of its queue's preemptions in flight
 * (see incoming/outgoing) moves with it: sign -1 takes it off q, +1 puts it on. */
static void carry_preemption(const sched_pod *p, sched_queue *q, int sign) {
  sched_res *into = p->victims_pending > 0 ? &q->incoming : p->preemptor ? &q->outgoing : NULL;
  if (into == NULL || q == NULL)
    return;
  if (sign > 0)
    sched_res_add(into, &p->req);
  else
    sched_res_sub(into, &p->req);
}

static const sched_qstate queue_states[] = {SCHED_Q_ACTIVE, SCHED_Q_PARKED, SCHED_Q_BACKOFF,
                                            SCHED_Q_ADMITTED};
#define N_QUEUE_STATES (sizeof queue_states / sizeof queue_states[0])

/* Move the pods of q's list s that belong elsewhere now (all: every one of them).
 * They are collected first: taking one out of a heap reorders the rest. */
static void move_pods(sched_queues *qs, sched_queue *q, sched_qstate s, bool all) {
  sched_podvec *pv = list_of(q, s), out = {0};
  for (size_t j = 0; j < pv->n; j++) {
    sched_pod *p = pv->v[j];
    size_t slot = p->qslot;
    if ((all || sched_queues_for_namespace(qs, p->ns) != q) && podvec_push(&out, p) < 0)
      break;
    p->qslot = slot; /* podvec_push took it over */
  }
  for (size_t j = 0; j < out.n; j++) {
    sched_pod *p = out.v[j];
    sched_queues_release(qs, p);
    carry_preemption(p, q, -1);
    p->queue = NULL;
    place(qs, p, s);
    carry_preemption(p, p->queue, +1);
  }
  free(out.v);
}

static void forget_namespaces(sched_queues *qs) {
  tug_hashmap *memo = tug_hashmap_new();
  if (memo == NULL)
    return;
  tug_hashmap_free(qs->ns_memo, NULL);
  qs->ns_memo = memo;
}

/* Move every pod whose namespace now maps elsewhere. */
static void rehome(sched_queues *qs) {
  forget_namespaces(qs);
  for (size_t i = 0; i < qs->n; i++)
    for (size_t s = 0; s < N_QUEUE_STATES; s++)
      move_pods(qs, qs->v[i], queue_states[s], false);
  qs->gen++;
}

static int insert_sorted(sched_queues *qs, sched_queue *q) {
  if (TUG_ARRAY_RESERVE(qs->v, qs->cap, qs->n + 1, 8) < 0)
    return -1;
  size_t i = qs->n;
  while (i > 0 && strcmp(qs->v[i - 1]->name, q->name) > 0) {
    qs->v[i] = qs->v[i - 1];
    i--;
  }
  qs->v[i] = q;
  qs->n++;
  return 0;
}

int sched_queues_set(sched_queues *qs, json_t *obj, tug_error *err) {
  const char *name = tug_obj_name(obj);
  if (name == NULL)
    return tug_error_set(err, TUG_E_PARSE, "queue without a name");
  sched_queue *q = sched_queues_get(qs, name);
  if (q && q->obj && json_equal(json_object_get(q->obj, "spec"), json_object_get(obj, "spec"))) {
    json_decref(q->obj); /* a status or metadata change: nothing to redo */
    q->obj = json_incref(obj);
    return 0;
  }
  bool fresh = q == NULL;
  if (fresh && (q = queue_new(name)) == NULL)
    return tug_error_set(err, ENOMEM, "queue %s", name);
  queue_clear_config(q);
  if (parse_queue(q, obj, err) < 0) {
    if (fresh)
      queue_free(q);
    else if (q == qs->dflt)
      queue_builtin_default(q);
    return -1;
  }
  if (fresh && insert_sorted(qs, q) < 0) {
    queue_free(q);
    return tug_error_set(err, ENOMEM, "queue %s", name);
  }
  rehome(qs);
  return 0;
}

void sched_queues_delete(sched_queues *qs, const char *name) {
  sched_queue *q = sched_queues_get(qs, name);
  if (q == NULL)
    return;
  if (q == qs->dflt) {
    queue_builtin_default(q);
    rehome(qs);
    return;
  }
  queue_clear_config(q);
  size_t i = 0;
  while (qs->v[i] != q)
    i++;
  memmove(&qs->v[i], &qs->v[i + 1], (qs->n - i - 1) * sizeof *qs->v);
  qs->n--;
  /* Its pods still point at it: move them all before freeing. */
  forget_namespaces(qs);
  for (size_t s = 0; s < N_QUEUE_STATES; s++)
    move_pods(qs, q, queue_states[s], true);
  queue_free(q);
  qs->gen++;
}

void sched_queues_set_namespace(sched_queues *qs, const char *ns, json_t *labels) {
  json_t *old = labels ? tug_hashmap_put(qs->ns_labels, ns, json_incref(labels))
                       : tug_hashmap_remove(qs->ns_labels, ns);
  bool same = (old == NULL && labels == NULL) || (old && labels && json_equal(old, labels));
  json_decref(old);
  bool selectors = false;
  for (size_t i = 0; i < qs->n; i++)
    selectors |= qs->v[i]->ns_selector != NULL;
  if (!same && selectors)
    rehome(qs);
}

void sched_queues_set_capacity(sched_queues *qs, const sched_res *capacity) {
  if (memcmp(&qs->capacity, capacity, sizeof *capacity) == 0)
    return;
  qs->capacity = *capacity;
  qs->gen++;
}

void sched_queues_kick(sched_queues *qs) {
  qs->gen++;
}

/* ---- quota ---- */

static int64_t max0(int64_t v) {
  return v > 0 ? v : 0;
}

static int64_t lend_of(const sched_queue *q, int r) {
  if (q->cohort == NULL)
    return 0;
  return q->has_lend[r] ? q->lend_limit.v[r] : q->nominal.v[r];
}

static int64_t guarded_of(const sched_queue *q, int r) {
  return tug_quantity_sub_sat(q->nominal.v[r], lend_of(q, r));
}

static bool same_cohort(const sched_queue *a, const sched_queue *b) {
  if (a == b)
    return true;
  return a->cohort && b->cohort && strcmp(a->cohort, b->cohort) == 0;
}

/* What q's cohort lends and what its queues take from that. */
static void cohort_sums(const sched_queues *qs, const sched_queue *q, sched_res *lend,
                        sched_res *shared) {
  memset(lend, 0, sizeof *lend);
  memset(shared, 0, sizeof *shared);
  for (size_t i = 0; i < qs->n; i++) {
    const sched_queue *o = qs->v[i];
    if (!same_cohort(q, o))
      continue;
    for (int r = 0; r < SCHED_NRES; r++) {
      lend->v[r] = tug_quantity_add_sat(lend->v[r], lend_of(o, r));
      shared->v[r] = tug_quantity_add_sat(
          shared->v[r], max0(tug_quantity_sub_sat(o->usage.v[r], guarded_of(o, r))));
    }
  }
}

static void pool_total(const sched_queues *qs, sched_res *out) {
  *out = qs->capacity;
  for (size_t i = 0; i < qs->n; i++)
    sched_res_sub(out, &qs->v[i]->nominal);
  for (int r = 0; r < SCHED_NRES; r++)
    out->v[r] = max0(out->v[r]);
}

/* Whether q is the first of its cohort in qs->v, so each cohort is summed once. */
static bool cohort_leader(const sched_queues *qs, size_t idx) {
  for (size_t i = 0; i < idx; i++)
    if (same_cohort(qs->v[i], qs->v[idx]))
      return false;
  return true;
}

static void pool_used(const sched_queues *qs, sched_res *out) {
  memset(out, 0, sizeof *out);
  sched_res lend, shared;
  for (size_t i = 0; i < qs->n; i++) {
    if (!cohort_leader(qs, i))
      continue;
    cohort_sums(qs, qs->v[i], &lend, &shared);
    for (int r = 0; r < SCHED_NRES; r++)
      out->v[r] =
          tug_quantity_add_sat(out->v[r], max0(tug_quantity_sub_sat(shared.v[r], lend.v[r])));
  }
}

/* The common pool: its size and what the cohorts take from it. */
typedef struct pool {
  sched_res total, used;
} pool;

static void pool_of(const sched_queues *qs, pool *pl) {
  pool_total(qs, &pl->total);
  pool_used(qs, &pl->used);
}

static sched_admit admits_in(const sched_queues *qs, const sched_queue *q, const sched_res *req,
                             const pool *pl) {
  if (sched_budget_spent(&q->budget, req))
    return SCHED_ADMIT_NO;
  sched_res lend, shared;
  cohort_sums(qs, q, &lend, &shared);
  for (int r = 0; r < SCHED_NRES; r++) {
    int64_t u = q->usage.v[r], want = tug_quantity_add_sat(u, req->v[r]);
    if (req->v[r] == 0)
      continue;
    if (q->has_borrow[r] && want > tug_quantity_add_sat(q->nominal.v[r], q->borrow_limit.v[r]))
      return SCHED_ADMIT_NO;
    int64_t g = guarded_of(q, r);
    int64_t now_shared = shared.v[r];
    int64_t new_shared =
        tug_quantity_add_sat(tug_quantity_sub_sat(now_shared, max0(tug_quantity_sub_sat(u, g))),
                             max0(tug_quantity_sub_sat(want, g)));
    int64_t growth = tug_quantity_sub_sat(max0(tug_quantity_sub_sat(new_shared, lend.v[r])),
                                          max0(tug_quantity_sub_sat(now_shared, lend.v[r])));
    if (growth > tug_quantity_sub_sat(pl->total.v[r], pl->used.v[r]))
      return SCHED_ADMIT_NO;
  }
  return sched_queue_within_nominal(q, req) ? SCHED_ADMIT_NOMINAL : SCHED_ADMIT_BORROW;
}

sched_admit sched_queues_admits(const sched_queues *qs, const sched_queue *q,
                                const sched_res *req) {
  pool pl;
  pool_of(qs, &pl);
  return admits_in(qs, q, req, &pl);
}

void sched_queue_borrowed(const sched_queue *q, sched_res *out) {
  for (int r = 0; r < SCHED_NRES; r++)
    out->v[r] = max0(tug_quantity_sub_sat(q->usage.v[r], q->nominal.v[r]));
}

void sched_queues_lendable(const sched_queues *qs, const sched_queue *q, sched_res *out) {
  (void)qs;
  for (int r = 0; r < SCHED_NRES; r++)
    out->v[r] = max0(tug_quantity_sub_sat(
        lend_of(q, r), max0(tug_quantity_sub_sat(q->usage.v[r], guarded_of(q, r)))));
}

static double share_in(const sched_queues *qs, const sched_queue *q, const sched_res *total) {
  sched_res lend, shared, borrowed;
  cohort_sums(qs, q, &lend, &shared);
  sched_queue_borrowed(q, &borrowed);
  double dominant = 0;
  for (int r = 0; r < SCHED_NRES; r++) {
    double can_lend = (double)lend.v[r] - (double)lend_of(q, r) + (double)total->v[r];
    if (borrowed.v[r] == 0)
      continue;
    double f = can_lend > 0 ? (double)borrowed.v[r] / can_lend : 1.0;
    if (f > dominant)
      dominant = f;
  }
  return dominant / q->weight;
}

double sched_queues_share(const sched_queues *qs, const sched_queue *q) {
  sched_res total;
  pool_total(qs, &total);
  return share_in(qs, q, &total);
}

size_t sched_queue_pending(const sched_queue *q) {
  return q->heap.n + q->parked.n + q->backoff.n;
}

/* ---- why pods wait, and in which order ---- */

sched_wait sched_queue_quota_wait(const sched_queue *q, const sched_res *req) {
  if (sched_budget_spent(&q->budget, req))
    return SCHED_WAIT_BUDGET;
  if (q->cohort == NULL)
    return SCHED_WAIT_QUOTA;
  for (int r = 0; r < SCHED_NRES; r++)
    if (req->v[r] && q->has_borrow[r] &&
        tug_quantity_add_sat(q->usage.v[r], req->v[r]) >
            tug_quantity_add_sat(q->nominal.v[r], q->borrow_limit.v[r]))
      return SCHED_WAIT_QUOTA;
  return SCHED_WAIT_COHORT;
}

void sched_pod_set_wait(sched_pod *p, sched_wait why, const char *message) {
  p->wait_reason = why;
  free(p->wait_message);
  p->wait_message = message && why != SCHED_WAIT_NONE ? strdup(message) : NULL;
}

static const char *wait_reason_name(int why) {
  static const char *const names[] = {
      [SCHED_WAIT_NONE] = "Pending",
      [SCHED_WAIT_QUOTA] = "QuotaExhausted",
      [SCHED_WAIT_COHORT] = "WaitingForBorrowableCapacity",
      [SCHED_WAIT_NODES] = "NoNodeFits",
      [SCHED_WAIT_PREEMPTING] = "Preempting",
      [SCHED_WAIT_BACKOFF] = "BackOff",
      [SCHED_WAIT_BUDGET] = "BudgetExhausted",
  };
  return why >= 0 && why <= SCHED_WAIT_BUDGET ? names[why] : names[0];
}

static int cmp_before(const void *a, const void *b) {
  const sched_pod *x = *(sched_pod *const *)a, *y = *(sched_pod *const *)b;
  return before(x, y) ? -1 : before(y, x) ? 1 : 0;
}

static void gather(sched_pod **out, size_t *n, const sched_podvec *v) {
  for (size_t i = 0; i < v->n; i++)
    out[(*n)++] = v->v[i];
}

json_t *sched_queue_pending_workloads(const sched_queue *q, size_t limit) {
  size_t total = sched_queue_pending(q), n = 0;
  json_t *items = json_array();
  sched_pod **all = total ? malloc(total * sizeof *all) : NULL;
  if (items == NULL || (total && all == NULL)) {
    free(all);
    return items;
  }
  /* Ready pods by rank; the parked and backing-off rejoin by rank when tried again. */
  gather(all, &n, &q->heap);
  gather(all, &n, &q->parked);
  gather(all, &n, &q->backoff);
  qsort(all, n, sizeof *all, cmp_before);
  for (size_t i = 0; i < n && i < limit; i++) {
    const sched_pod *p = all[i];
    json_t *w = json_pack("{s:s, s:s, s:I, s:I, s:I, s:s}", "namespace", p->ns, "name", p->name,
                          "position", (json_int_t)(i + 1), "priority", (json_int_t)p->priority,
                          "rank", (json_int_t)p->rank, "reason", wait_reason_name(p->wait_reason));
    if (w && p->wait_message)
      json_object_set_new(w, "message", json_string(p->wait_message));
    json_array_append_new(items, w);
  }
  free(all);
  return items;
}

json_t *sched_queues_status(const sched_queues *qs, const sched_queue *q) {
  sched_res borrowed, lendable;
  sched_queue_borrowed(q, &borrowed);
  sched_queues_lendable(qs, q, &lendable);
  json_t *st =
      json_pack("{s:o, s:o, s:o, s:I, s:I, s:I, s:o}", "usage", sched_res_to_json(&q->usage),
                "borrowed", sched_res_to_json(&borrowed), "lendable", sched_res_to_json(&lendable),
                "weightedShare", (json_int_t)llround(sched_queues_share(qs, q) * 1000), "admitted",
                (json_int_t)q->admitted.n, "pending", (json_int_t)sched_queue_pending(q),
                "pendingWorkloads", sched_queue_pending_workloads(q, SCHED_PENDING_SHOWN));
  json_t *budget = sched_budget_status(&q->budget, &q->usage, qs->wall_clock());
  if (st && budget)
    json_object_set_new(st, "budget", budget);
  else
    json_decref(budget);
  return st;
}

/* ---- choosing the next pod ---- */

static void refresh(sched_queues *qs, sched_queue *q, double now) {
  if (qs->flushed_gen != qs->gen)
    while (q->parked.n)
      place(qs, q->parked.v[q->parked.n - 1], SCHED_Q_ACTIVE);
  if (q->backoff.n == 0 || now < q->next_backoff)
    return;
  double next = INFINITY;
  for (size_t i = 0; i < q->backoff.n;) {
    sched_pod *p = q->backoff.v[i];
    if (p->backoff_until <= now) {
      place(qs, p, SCHED_Q_ACTIVE);
      continue;
    }
    if (p->backoff_until < next)
      next = p->backoff_until;
    i++;
  }
  q->next_backoff = next;
}

bool sched_queue_within_nominal(const sched_queue *q, const sched_res *req) {
  bool named = false;
  for (int r = 0; r < SCHED_NRES; r++) {
    if (!q->has_nominal[r] || req->v[r] == 0)
      continue;
    if (tug_quantity_add_sat(q->usage.v[r], req->v[r]) > q->nominal.v[r])
      return false;
    named = true;
  }
  return named;
}

typedef struct candidate {
  sched_queue *q;
  sched_admit verdict;
  double share;
} candidate;

/* a is a better pick than b: fits within nominal before borrowing before
 * needing preemption; then the lower share; then the better head. */
static bool better(const candidate *a, const candidate *b) {
  if (a->verdict != b->verdict)
    return a->verdict < b->verdict;
  if (a->share != b->share)
    return a->share < b->share;
  return before(a->q->heap.v[0], b->q->heap.v[0]);
}

/* The head of q, unless q is a strict FIFO queue waiting for capacity. */
static bool queue_head(sched_queues *qs, sched_queue *q, const pool *pl, candidate *c) {
  if (q->blocked && q->blocked_gen == qs->gen)
    return false;
  q->blocked = false;
  if (q->heap.n == 0)
    return false;
  c->q = q;
  c->verdict = admits_in(qs, q, &q->heap.v[0]->req, pl);
  c->share = share_in(qs, q, &pl->total);
  return true;
}

/* Ranks grow with the wait: recompute them, at most once a second, and
 * rebuild the heap (ranks taken at one instant keep it a heap between). */
static void rerank(sched_queue *q, double wall) {
  if (!q->stale_ranks && (q->aging.interval_s <= 0 || wall - q->ranked_at < 1.0))
    return;
  q->ranked_at = wall;
  q->stale_ranks = false;
  for (size_t i = 0; i < q->heap.n; i++) {
    sched_pod *p = q->heap.v[i];
    p->rank = tug_queue_aging_rank(&q->aging, p->priority, wall - p->created);
  }
  heapify(&q->heap);
}

sched_pod *sched_queues_pop(sched_queues *qs, double now, sched_admit *verdict) {
  candidate best = {0}, c;
  pool pl;
  double wall = qs->wall_clock();
  for (size_t i = 0; i < qs->n; i++) /* a new budget window frees room, as a pod leaving does */
    if (sched_budget_charge(&qs->v[i]->budget, &qs->v[i]->usage, wall))
      qs->gen++;
  for (size_t i = 0; i < qs->n; i++) {
    refresh(qs, qs->v[i], now);
    rerank(qs->v[i], wall);
  }
  pool_of(qs, &pl);
  for (size_t i = 0; i < qs->n; i++) {
    if (queue_head(qs, qs->v[i], &pl, &c) && (best.q == NULL || better(&c, &best)))
      best = c;
  }
  qs->flushed_gen = qs->gen;
  if (best.q == NULL)
    return NULL;
  sched_pod *p = best.q->heap.v[0];
  sched_queues_release(qs, p);
  *verdict = best.verdict;
  return p;
}
