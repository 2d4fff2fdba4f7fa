/*
 * node-affinity.c — NodeAffinity: spec.nodeSelector (every label equal) and
 * requiredDuringSchedulingIgnoredDuringExecution (any term; in a term, every
 * matchExpressions requirement on labels and matchFields on metadata.name).
 *
 * The rule itself is lib/node-affinity.h's, which the DaemonSet controller
 * shares; the pod's parts are found once in prepare.
 */
#include <stdlib.h>
#include <string.h>

#include "node-affinity.h"
#include "object.h"
#include "plugin.h"

typedef struct affinity {
  const json_t *selector; /* spec.nodeSelector */
  const json_t *terms;    /* required nodeSelectorTerms, or NULL */
} affinity;

static int prepare(const sched_cache *c, const sched_pod *p, void **state) {
  (void)c;
  const json_t *sel = tug_obj_get(p->obj, "spec.nodeSelector");
  const json_t *req = tug_obj_get(
      p->obj, "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution");
  if (json_object_size(sel) == 0 && req == NULL)
    return 1;
  affinity *a = malloc(sizeof *a);
  if (a == NULL)
    return -1;
  a->selector = sel;
  a->terms = req ? json_object_get(req, "nodeSelectorTerms") : NULL;
  if (req && a->terms == NULL)
    a->terms = json_null(); /* required with no terms: nothing matches */
  *state = a;
  return 0;
}

static const char *filter(const sched_pod *p, void *state, const sched_node *n) {
  (void)p;
  static const char *const reason = "node(s) didn't match Pod's node affinity/selector";
  const affinity *a = state;
  if (!tug_node_selector_matches(a->selector, n->labels))
    return reason;
  if (a->terms == NULL)
    return NULL;
  size_t i;
  json_t *term;
  json_array_foreach(a->terms, i, term) {
    if (tug_node_term_matches(term, n->name, n->labels))
      return NULL;
  }
  return reason;
}

const sched_plugin sched_plugin_node_affinity = {
    .name = "NodeAffinity", .prepare = prepare, .filter = filter, .release = free};
