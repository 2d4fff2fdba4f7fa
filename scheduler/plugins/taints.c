/*
 * taints.c — TaintToleration: a node's NoSchedule and NoExecute taints keep
 * off every pod that does not tolerate them (PreferNoSchedule only scores
 * in Kubernetes, and is ignored here).
 *
 * Whether a toleration matches a taint is lib/pod-rules.h's rule; the pod's
 * tolerations are parsed once in prepare, then checked against each node.
 */
#include <stdlib.h>
#include <string.h>

#include "object.h"
#include "plugin.h"
#include "pod-rules.h"

typedef struct tolerations {
  size_t n;
  tug_toleration t[];
} tolerations;

static int prepare(const sched_cache *c, const sched_pod *p, void **state) {
  (void)c;
  const json_t *list = tug_obj_get(p->obj, "spec.tolerations");
  size_t n = json_array_size(list), i;
  tolerations *ts = malloc(sizeof *ts + n * sizeof ts->t[0]);
  if (ts == NULL)
    return -1;
  ts->n = 0;
  json_t *t;
  json_array_foreach(list, i, t) tug_toleration_parse(t, &ts->t[ts->n++]);
  *state = ts;
  return 0;
}

static const char *const effects[] = {"NoSchedule", "PreferNoSchedule", "NoExecute"};

static bool tolerates(const tug_toleration *to, const sched_taint *taint) {
  return tug_toleration_matches(to, taint->key, taint->value, effects[taint->effect]);
}

static const char *filter(const sched_pod *p, void *state, const sched_node *n) {
  (void)p;
  const tolerations *ts = state;
  for (size_t i = 0; i < n->n_taints; i++) {
    const sched_taint *taint = &n->taints[i];
    if (taint->effect == SCHED_PREFER_NO_SCHEDULE)
      continue;
    bool ok = false;
    for (size_t j = 0; j < ts->n && !ok; j++)
      ok = tolerates(&ts->t[j], taint);
    if (!ok)
      return "node(s) had untolerated taint";
  }
  return NULL;
}

const sched_plugin sched_plugin_taints = {
    .name = "TaintToleration", .prepare = prepare, .filter = filter, .release = free};
