/*
 * taints.c — TaintToleration: a node's NoSchedule and NoExecute taints keep
 * off every pod that does not tolerate them (PreferNoSchedule only scores
 * in Kubernetes, and is ignored here).
 *
 * A toleration matches a taint when its key is equal (or empty with
 * operator Exists: every key), its value is equal (or operator Exists), and
 * its effect is equal or empty (every effect).
 */
#include <stdlib.h>
#include <string.h>

#include "object.h"
#include "plugin.h"

typedef struct toleration {
  const char *key, *value, *effect; /* borrowed from the pod */
  bool exists;
} toleration;

typedef struct tolerations {
  size_t n;
  toleration t[];
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
  json_array_foreach(list, i, t) {
    const char *op = tug_obj_get_str(t, "operator");
    toleration *to = &ts->t[ts->n++];
    to->key = tug_obj_get_str(t, "key");
    to->value = tug_obj_get_str(t, "value");
    to->effect = tug_obj_get_str(t, "effect");
    to->exists = op && strcmp(op, "Exists") == 0;
  }
  *state = ts;
  return 0;
}

static const char *const effects[] = {"NoSchedule", "PreferNoSchedule", "NoExecute"};

static bool tolerates(const toleration *to, const sched_taint *taint) {
  if (to->effect && to->effect[0] && strcmp(to->effect, effects[taint->effect]) != 0)
    return false;
  if (to->key == NULL || to->key[0] == '\0')
    return to->exists;
  if (strcmp(to->key, taint->key) != 0)
    return false;
  return to->exists || strcmp(to->value ? to->value : "", taint->value) == 0;
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
