/*
 * node-selector.c — NodeSelectorTerm matching (see node-selector.h).
 */
#include "node-selector.h"

#include <stdlib.h>
#include <string.h>

#include "object.h"

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

bool tug_node_term_matches(const json_t *term, const char *node, const json_t *labels) {
  const json_t *exprs = json_object_get(term, "matchExpressions");
  const json_t *fields = json_object_get(term, "matchFields");
  if (json_array_size(exprs) == 0 && json_array_size(fields) == 0)
    return false;
  size_t i;
  json_t *req;
  json_array_foreach(exprs, i, req) {
    const char *key = tug_obj_get_str(req, "key");
    if (key == NULL || !requirement(req, json_string_value(json_object_get(labels, key))))
      return false;
  }
  json_array_foreach(fields, i, req) {
    const char *key = tug_obj_get_str(req, "key");
    if (key == NULL || strcmp(key, "metadata.name") != 0 || !requirement(req, node))
      return false;
  }
  return true;
}
