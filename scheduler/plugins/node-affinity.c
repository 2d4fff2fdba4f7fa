/*
 * node-affinity.c — NodeAffinity: spec.nodeSelector (every label equal) and
 * requiredDuringSchedulingIgnoredDuringExecution (any term; in a term, every
 * matchExpressions requirement on labels and matchFields on metadata.name).
 *
 * Operators are Kubernetes': In, NotIn, Exists, DoesNotExist, Gt, Lt (Gt and
 * Lt compare integers). An empty term, or an empty list of terms, matches
 * no node, as in Kubernetes.
 */
#include <stdlib.h>
#include <string.h>

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

static bool in_values(const json_t *values, const char *v) {
  size_t i;
  json_t *x;
  json_array_foreach(values, i, x) {
    if (json_is_string(x) && strcmp(json_string_value(x), v) == 0)
      return true;
  }
  return false;
}

static bool compare_int(const char *label, const json_t *values, bool greater) {
  const char *want = json_string_value(json_array_get(values, 0));
  char *end1, *end2;
  if (label == NULL || want == NULL)
    return false;
  long long have = strtoll(label, &end1, 10), limit = strtoll(want, &end2, 10);
  if (*end1 || *end2 || end1 == label || end2 == want)
    return false;
  return greater ? have > limit : have < limit;
}

/* One requirement against a value (NULL: the label or field is absent). */
static bool requirement(const json_t *req, const char *value) {
  const char *op = tug_obj_get_str(req, "operator");
  const json_t *values = json_object_get(req, "values");
  if (op == NULL)
    return false;
  if (strcmp(op, "In") == 0)
    return value && in_values(values, value);
  if (strcmp(op, "NotIn") == 0)
    return value == NULL || !in_values(values, value);
  if (strcmp(op, "Exists") == 0)
    return value != NULL;
  if (strcmp(op, "DoesNotExist") == 0)
    return value == NULL;
  if (strcmp(op, "Gt") == 0 || strcmp(op, "Lt") == 0)
    return compare_int(value, values, op[0] == 'G');
  return false;
}

static bool term_matches(const json_t *term, const sched_node *n) {
  const json_t *exprs = json_object_get(term, "matchExpressions");
  const json_t *fields = json_object_get(term, "matchFields");
  if (json_array_size(exprs) == 0 && json_array_size(fields) == 0)
    return false;
  size_t i;
  json_t *req;
  json_array_foreach(exprs, i, req) {
    const char *key = tug_obj_get_str(req, "key");
    if (key == NULL || !requirement(req, json_string_value(json_object_get(n->labels, key))))
      return false;
  }
  json_array_foreach(fields, i, req) {
    const char *key = tug_obj_get_str(req, "key");
    if (key == NULL || strcmp(key, "metadata.name") != 0 || !requirement(req, n->name))
      return false;
  }
  return true;
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
    if (term_matches(term, n))
      return NULL;
  }
  return reason;
}

const sched_plugin sched_plugin_node_affinity = {
    .name = "NodeAffinity", .prepare = prepare, .filter = filter, .release = free};
