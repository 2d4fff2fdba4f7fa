/*
 * preempt.c — choosing a node and the victims that evict least (see preempt.h).
 *
 * Trying a node changes the cache and queue usage in place (victims taken
 * off, then given back), so every path restores what it took before it
 * returns; the scheduler's lock makes that invisible to everyone else.
 */
#include "preempt.h"

#include <stdlib.h>
#include <string.h>

void sched_victims_clear(sched_victims *v) {
  free(v->pods);
  memset(v, 0, sizeof *v);
}

static bool borrowing(const sched_queue *q) {
  for (int r = 0; r < SCHED_NRES; r++)
    if (q->usage.v[r] > q->nominal.v[r])
      return true;
  return false;
}

/* q's share as it will be once preemptions under way are done, plus extra. */
static double share_to_be(sched_queues *qs, sched_queue *q, const sched_res *extra) {
  sched_res saved = q->usage;
  sched_res_add(&q->usage, &q->incoming);
  sched_res_sub(&q->usage, &q->outgoing);
  if (extra)
    sched_res_add(&q->usage, extra);
  double share = sched_queues_share(qs, q);
  q->usage = saved;
  return share;
}

/* What one preemption search knows about its preemptor. */
typedef struct search {
  sched_queues *qs;
  const sched_pod *p;
  double share_after; /* p's queue's weighted share once p is admitted */
} search;

static bool may_evict(const search *s, const sched_pod *v) {
  const sched_pod *p = s->p;
  const sched_queue *q = p->queue;
  sched_queue *vq = v->queue;
  if (v->state != SCHED_POD_BOUND || v->terminating || v->preemptor || vq == NULL)
    return false;
  if (vq == q)
    return q->within_queue && v->priority < p->priority;
  if (!q->cohort || !vq->cohort || strcmp(q->cohort, vq->cohort) != 0)
    return false;
  if (q->reclaim == SCHED_RECLAIM_NEVER || !borrowing(vq))
    return false;
  if (q->reclaim == SCHED_RECLAIM_LOWER && v->priority >= p->priority)
    return false;
  /* Reclaim nominal quota; or, for fairness, take from a queue whose share
   * stays above p's queue's even once p runs (so it can never take back). */
  return sched_queue_within_nominal(q, &p->req) || s->share_after < share_to_be(s->qs, vq, NULL);
}

/* Less important first: lower priority, then younger. */
static int by_importance(const void *a, const void *b) {
  const sched_pod *x = *(sched_pod *const *)a, *y = *(sched_pod *const *)b;
  if (x->priority != y->priority)
    return x->priority < y->priority ? -1 : 1;
  if (x->created != y->created)
    return x->created > y->created ? -1 : 1;
  return 0;
}

static void take(sched_cache *c, sched_pod *v) {
  sched_res_sub(&v->queue->usage, &v->req);
  sched_cache_remove_pod(c, v);
}

static void give_back(sched_cache *c, sched_pod *v, sched_node *n) {
  sched_res_add(&v->queue->usage, &v->req);
  sched_cache_add_pod(c, v, n->name, SCHED_POD_BOUND);
}

static bool fits(const search *s, sched_framework *fw, const sched_node *n) {
  const char *why;
  return sched_framework_fits(fw, s->p, n, &why) &&
         sched_queues_admits(s->qs, s->p->queue, &s->p->req) != SCHED_ADMIT_NO;
}

/* The victims needed on n, into cand (n of them); 0 when evicting cannot help. */
static size_t try_node(sched_cache *c, const search *s, sched_framework *fw, sched_node *n,
                       sched_pod **cand) {
  size_t k = 0;
  for (size_t i = 0; i < n->n_pods; i++)
    if (may_evict(s, n->pods[i]))
      cand[k++] = n->pods[i];
  if (k == 0)
    return 0;
  qsort(cand, k, sizeof *cand, by_importance);
  for (size_t i = 0; i < k; i++)
    take(c, cand[i]);
  if (!fits(s, fw, n)) {
    for (size_t i = 0; i < k; i++)
      give_back(c, cand[i], n);
    return 0;
  }
  /* Reprieve the most important first; whoever p cannot do without stays a victim. */
  size_t victims = 0;
  for (size_t i = k; i-- > 0;) {
    give_back(c, cand[i], n);
    if (!fits(s, fw, n)) {
      take(c, cand[i]);
      cand[k - 1 - victims++] = cand[i];
    }
  }
  for (size_t i = k - victims; i < k; i++)
    give_back(c, cand[i], n);
  memmove(cand, cand + (k - victims), victims * sizeof *cand);
  return victims;
}

typedef struct cost {
  size_t n;
  int64_t max_prio, sum_prio;
  double oldest; /* creation time of the oldest victim: later is better */
} cost;

static cost cost_of(sched_pod *const *v, size_t n) {
  cost c = {.n = n, .max_prio = INT64_MIN, .oldest = 1e300};
  for (size_t i = 0; i < n; i++) {
    c.max_prio = v[i]->priority > c.max_prio ? v[i]->priority : c.max_prio;
    c.sum_prio += v[i]->priority;
    c.oldest = v[i]->created < c.oldest ? v[i]->created : c.oldest;
  }
  return c;
}

static bool cheaper(const cost *a, const cost *b) {
  if (a->n != b->n)
    return a->n < b->n;
  if (a->max_prio != b->max_prio)
    return a->max_prio < b->max_prio;
  if (a->sum_prio != b->sum_prio)
    return a->sum_prio < b->sum_prio;
  return a->oldest > b->oldest;
}

int sched_preempt(sched_cache *c, sched_queues *qs, sched_framework *fw, sched_pod *p,
                  sched_victims *out) {
  memset(out, 0, sizeof *out);
  if (p->preempt_never || p->queue == NULL)
    return 0;
  size_t most = 0;
  for (size_t i = 0; i < c->n_nodes; i++)
    most = c->nodes[i]->n_pods > most ? c->nodes[i]->n_pods : most;
  sched_pod **cand = malloc((most ? most : 1) * sizeof *cand);
  if (cand == NULL || sched_framework_begin(fw, c, p) < 0) {
    free(cand);
    return -1;
  }
  search s = {.qs = qs, .p = p};
  s.share_after = share_to_be(qs, p->queue, &p->req);
  cost best = {0};
  for (size_t i = 0; i < c->n_nodes; i++) {
    sched_node *n = c->nodes[i];
    if (!sched_node_usable(n))
      continue;
    size_t k = try_node(c, &s, fw, n, cand);
    cost nc = cost_of(cand, k);
    if (k == 0 || (out->node && !cheaper(&nc, &best)))
      continue;
    sched_pod **v = realloc(out->pods, k * sizeof *v);
    if (v == NULL)
      break;
    memcpy(v, cand, k * sizeof *v);
    out->pods = v;
    out->n = k;
    out->node = n;
    best = nc;
  }
  sched_framework_end(fw);
  free(cand);
  return out->node ? 1 : 0;
}
