/*
 * node-affinity.c — NodeAffinity: spec.nodeSelector (every label equal) and
 * requiredDuringSchedulingIgnoredDuringExecution (any term; in a term, every
 * matchExpressions requirement on labels and matchFields on metadata.name).
 *
 * Terms are matched by lib/node-selector.h (Kubernetes' operators; an empty
 * term matches no node); an empty list of terms matches no node either.
 */
#include <stdlib.h>
#include <string.h>

#include "node-selector.h"
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
  const char *key;
  json_t *want;
  json_object_foreach((json_t *)a->selector, key, want) {
    const char *have = json_string_value(json_object_get(n->labels, key));
    if (have == NULL || !json_is_string(want) || strcmp(have, json_string_value(want)) != 0)
      return reason;
  }
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
