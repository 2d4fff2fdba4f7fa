/*
 * topology-spread.c — PodTopologySpread: keep the pods a constraint selects
 * (in the pod's namespace) evenly spread over the values of a node label.
 *
 * prepare counts matching pods per domain once per pod. A DoNotSchedule
 * constraint filters out nodes where placing the pod would make
 * count(domain) + 1 - min(count) exceed maxSkew, and nodes without the
 * label; ScheduleAnyway constraints score: fewer matching pods in the
 * node's domains, higher score. The minimum is over the domains of every
 * known node that has the label (Kubernetes narrows that to nodes passing
 * the pod's node affinity; here a selector-limited pod sees all domains).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"
#include "object.h"
#include "plugin.h"

typedef struct domain_counts {
  tug_hashmap *count; /* label value → (count + 1), as a pointer-sized integer */
  int64_t min;
} domain_counts;

typedef struct spread_state {
  size_t n;
  domain_counts d[];
} spread_state;

static void release(void *state) {
  spread_state *s = state;
  for (size_t i = 0; s && i < s->n; i++)
    tug_hashmap_free(s->d[i].count, NULL);
  free(s);
}

static int64_t matching_pods(const sched_node *n, const sched_pod *p, const sched_spread *sp) {
  int64_t count = 0;
  for (size_t i = 0; i < n->n_pods; i++) {
    const sched_pod *o = n->pods[i];
    if (strcmp(o->ns, p->ns) == 0 && tug_selector_matches(sp->selector, tug_obj_labels(o->obj)))
      count++;
  }
  return count;
}

static int count_domains(const sched_cache *c, const sched_pod *p, const sched_spread *sp,
                         domain_counts *d) {
  if ((d->count = tug_hashmap_new()) == NULL)
    return -1;
  for (size_t i = 0; i < c->n_nodes; i++) {
    const sched_node *n = c->nodes[i];
    const char *v = json_string_value(json_object_get(n->labels, sp->key));
    if (v == NULL)
      continue;
    intptr_t have = (intptr_t)tug_hashmap_get(d->count, v), now = have ? have - 1 : 0;
    tug_hashmap_put(d->count, v, (void *)(now + matching_pods(n, p, sp) + 1));
  }
  d->min = INT64_MAX;
  tug_hashmap_iter it;
  const char *key;
  void *val;
  tug_hashmap_iter_init(&it, d->count);
  while (tug_hashmap_next(&it, &key, &val))
    if ((intptr_t)val - 1 < d->min)
      d->min = (intptr_t)val - 1;
  return 0;
}

static int prepare(const sched_cache *c, const sched_pod *p, void **state) {
  if (p->n_spread == 0)
    return 1;
  spread_state *s = calloc(1, sizeof *s + p->n_spread * sizeof s->d[0]);
  if (s == NULL)
    return -1;
  *state = s;
  for (; s->n < p->n_spread; s->n++)
    if (count_domains(c, p, &p->spread[s->n], &s->d[s->n]) < 0)
      return -1;
  return 0;
}

/* Matching pods in n's domain for constraint i; -1 when n lacks the label. */
static int64_t domain_count(const spread_state *s, const sched_pod *p, size_t i,
                            const sched_node *n) {
  const char *v = json_string_value(json_object_get(n->labels, p->spread[i].key));
  if (v == NULL)
    return -1;
  intptr_t have = (intptr_t)tug_hashmap_get(s->d[i].count, v);
  return have ? have - 1 : 0;
}

static const char *filter(const sched_pod *p, void *state, const sched_node *n) {
  const spread_state *s = state;
  for (size_t i = 0; i < s->n; i++) {
    if (!p->spread[i].hard)
      continue;
    int64_t count = domain_count(s, p, i, n);
    if (count < 0)
      return "node(s) didn't match pod topology spread constraints (missing required label)";
    if (count + 1 - s->d[i].min > p->spread[i].max_skew)
      return "node(s) didn't match pod topology spread constraints";
  }
  return NULL;
}

/* Raw score: matching pods in the node's soft domains (fewer is better). */
static int64_t score(const sched_pod *p, void *state, const sched_node *n) {
  const spread_state *s = state;
  int64_t total = 0;
  for (size_t i = 0; i < s->n; i++) {
    if (p->spread[i].hard)
      continue;
    int64_t count = domain_count(s, p, i, n);
    total += count < 0 ? 0 : count;
  }
  return total;
}

static void normalize(void *state, int64_t *scores, size_t n) {
  (void)state;
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  for (size_t i = 0; i < n; i++) {
    lo = scores[i] < lo ? scores[i] : lo;
    hi = scores[i] > hi ? scores[i] : hi;
  }
  for (size_t i = 0; i < n; i++)
    scores[i] = hi == lo ? 100 : (hi - scores[i]) * 100 / (hi - lo);
}

const sched_plugin sched_plugin_spread = {.name = "PodTopologySpread",
                                          .prepare = prepare,
                                          .filter = filter,
                                          .score = score,
                                          .normalize = normalize,
                                          .release = release};
