/*
 * jsonpath.c — running kubectl's JSONPath templates (see jsonpath.h; the
 * syntax is parsed in jsonpath-parse.c).
 *
 * Evaluation carries a set of values, a jansson array of references into the
 * data, through each step of a chain; a range runs its body once per result.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "jsonpath-internal.h"
#include "object.h"

/* ---- evaluation ---- */

static int eval_chain(const chain *c, json_t *in, json_t **out, tug_error *err);

static int add(json_t *set, json_t *v) {
  return json_array_append(set, v);
}

static int key_cmp(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* An object's values in key order, so output does not depend on hashing. */
static int add_object_values(json_t *set, json_t *obj) {
  size_t n = json_object_size(obj), i = 0;
  _cleanup_free_ const char **keys = calloc(n + 1, sizeof *keys);
  if (keys == NULL)
    return -1;
  const char *k;
  json_t *v;
  json_object_foreach(obj, k, v) keys[i++] = k;
  qsort(keys, n, sizeof *keys, key_cmp);
  for (i = 0; i < n; i++)
    if (add(set, json_object_get(obj, keys[i])) < 0)
      return -1;
  return 0;
}

static int add_children(json_t *set, json_t *v) {
  if (json_is_object(v))
    return add_object_values(set, v);
  size_t i;
  json_t *it;
  json_array_foreach(v, i, it) if (add(set, it) < 0) return -1;
  return 0;
}

/* A container, then everything below it, depth first (kubectl's order). */
static int add_recursive(json_t *set, json_t *v) {
  if (json_object_size(v) == 0 && json_array_size(v) == 0)
    return 0;
  _cleanup_json_ json_t *children = json_array();
  if (children == NULL || add(set, v) < 0 || add_children(children, v) < 0)
    return -1;
  size_t i;
  json_t *c;
  json_array_foreach(children, i, c) if (add_recursive(set, c) < 0) return -1;
  return 0;
}

static int eval_array(const step *s, json_t *v, json_t *out, tug_error *err) {
  if (json_is_null(v))
    return 0;
  if (!json_is_array(v))
    return tug_error_set(err, EINVAL, "%s is not array or slice", tug_obj_type_name(v));
  long len = (long)json_array_size(v);
  long start = s->known[0] ? s->idx[0] : 0;
  if (start < 0)
    start += len;
  if (s->derived) {
    if (start < 0 || start >= len)
      return tug_error_set(err, EINVAL, "array index out of bounds: index %ld, length %ld",
                           s->known[0] ? s->idx[0] : 0, len);
    return add(out, json_array_get(v, (size_t)start));
  }
  long end = s->known[1] ? s->idx[1] : len;
  if (end < 0)
    end += len;
  long stride = s->known[2] ? s->idx[2] : 1;
  if (stride <= 0)
    return tug_error_set(err, EINVAL, "step must be > 0");
  start = start < 0 ? 0 : start > len ? len : start;
  end = end < 0 ? 0 : end > len ? len : end;
  for (long i = start; i < end; i += stride)
    if (add(out, json_array_get(v, (size_t)i)) < 0)
      return -1;
  return 0;
}

/* A filter's comparison. Numbers compare as numbers, strings as bytes;
 * values of different types are only ever unequal. */
static bool compare(const json_t *l, const char *op, const json_t *r) {
  int c;
  bool ordered = true;
  if (json_is_number(l) && json_is_number(r)) {
    double a = json_number_value(l), b = json_number_value(r);
    c = a < b ? -1 : a > b;
  } else if (json_is_string(l) && json_is_string(r)) {
    c = strcmp(json_string_value(l), json_string_value(r));
  } else {
    ordered = false;
    c = json_equal((json_t *)l, (json_t *)r) ? 0 : 1;
  }
  if (strcmp(op, "==") == 0)
    return c == 0;
  if (strcmp(op, "!=") == 0)
    return c != 0;
  if (!ordered)
    return false;
  if (strcmp(op, "<") == 0)
    return c < 0;
  if (strcmp(op, ">") == 0)
    return c > 0;
  if (strcmp(op, "<=") == 0)
    return c <= 0;
  return c >= 0;
}

/* One operand for one element: NULL (skip the element) when it gives nothing. */
static int operand(const chain *c, json_t *elem, json_t **out, tug_error *err) {
  _cleanup_json_ json_t *in = json_pack("[O]", elem);
  _cleanup_json_ json_t *res = NULL;
  if (in == NULL || eval_chain(c, in, &res, err) < 0)
    return -1;
  if (json_array_size(res) > 1)
    return tug_error_set(err, EINVAL, "can only compare one element at a time");
  *out = json_incref(json_array_get(res, 0));
  return 0;
}

static int eval_filter(const step *s, json_t *v, json_t *out, tug_error *err) {
  if (json_is_null(v))
    return 0;
  if (!json_is_array(v))
    return tug_error_set(err, EINVAL, "%s is not array or slice and cannot be filtered",
                         tug_obj_type_name(v));
  size_t i;
  json_t *elem;
  json_array_foreach(v, i, elem) {
    _cleanup_json_ json_t *l = NULL, *r = NULL;
    if (s->op[0] == '\0') {
      _cleanup_json_ json_t *in = json_pack("[O]", elem), *res = NULL;
      if (in == NULL || eval_chain(&s->left, in, &res, err) < 0)
        return -1;
      if (json_array_size(res) > 0 && add(out, elem) < 0)
        return -1;
      continue;
    }
    if (operand(&s->left, elem, &l, err) < 0 || operand(&s->right, elem, &r, err) < 0)
      return -1;
    if (l && r && compare(l, s->op, r) && add(out, elem) < 0)
      return -1;
  }
  return 0;
}

static int eval_step(const step *s, json_t *in, json_t *out, tug_error *err) {
  if (s->kind == STEP_LITERAL)
    return add(out, s->literal);
  if (s->kind == STEP_UNION) {
    for (size_t k = 0; k < s->nalts; k++) {
      _cleanup_json_ json_t *part = NULL;
      if (eval_chain(&s->alts[k], in, &part, err) < 0 || json_array_extend(out, part) < 0)
        return -1;
    }
    return 0;
  }
  size_t i;
  json_t *v;
  json_array_foreach(in, i, v) {
    int rc = 0;
    switch (s->kind) {
    case STEP_FIELD: {
      json_t *f = json_object_get(v, s->name);
      rc = f ? add(out, f) : 0;
      break;
    }
    case STEP_WILDCARD:
      rc = json_is_object(v) || json_is_array(v) ? add_children(out, v) : 0;
      break;
    case STEP_RECURSIVE:
      rc = add_recursive(out, v);
      break;
    case STEP_ARRAY:
      rc = eval_array(s, v, out, err);
      break;
    case STEP_FILTER:
      rc = eval_filter(s, v, out, err);
      break;
    default:
      break;
    }
    if (rc < 0) {
      if (err->msg[0] == '\0')
        tug_error_set(err, ENOMEM, "evaluate jsonpath");
      return -1;
    }
  }
  return 0;
}

static int eval_chain(const chain *c, json_t *in, json_t **out, tug_error *err) {
  _cleanup_json_ json_t *cur = json_incref(in);
  for (size_t i = 0; i < c->n; i++) {
    json_t *next = json_array();
    if (next == NULL)
      return tug_error_set(err, ENOMEM, "evaluate jsonpath");
    if (eval_step(&c->v[i], cur, next, err) < 0) {
      json_decref(next);
      return -1;
    }
    json_decref(cur);
    cur = next;
  }
  *out = tug_steal_ptr(&cur);
  return 0;
}

/* ---- running a template ---- */

typedef struct sink {
  FILE *out;     /* print mode */
  json_t *found; /* find mode */
} sink;

char *tug_jsonpath_text(const json_t *v) {
  char *s = NULL;
  switch (json_typeof(v)) {
  case JSON_STRING:
    return strdup(json_string_value(v));
  case JSON_INTEGER:
    return asprintf(&s, "%" JSON_INTEGER_FORMAT, json_integer_value(v)) < 0 ? NULL : s;
  case JSON_REAL: {
    /* The shortest text that reads back as the same number, as Go prints it. */
    double d = json_real_value(v);
    for (int prec = 1; prec <= 17; prec++) {
      free(s);
      if (asprintf(&s, "%.*g", prec, d) < 0)
        return NULL;
      if (strtod(s, NULL) == d)
        break;
    }
    return s;
  }
  case JSON_TRUE:
    return strdup("true");
  case JSON_FALSE:
    return strdup("false");
  case JSON_NULL:
    return strdup("null");
  default:
    return json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
  }
}

static int emit(sink *k, json_t *results, tug_error *err) {
  if (k->found)
    return json_array_extend(k->found, results) < 0
               ? tug_error_set(err, ENOMEM, "evaluate jsonpath")
               : 0;
  size_t i;
  json_t *v;
  json_array_foreach(results, i, v) {
    _cleanup_free_ char *text = tug_jsonpath_text(v);
    if (text == NULL)
      return tug_error_set(err, ENOMEM, "print jsonpath");
    fprintf(k->out, "%s%s", text, i + 1 < json_array_size(results) ? " " : "");
  }
  return 0;
}

static int run_body(const body *b, json_t *cur, sink *k, tug_error *err) {
  for (size_t i = 0; i < b->n; i++) {
    const segment *s = &b->v[i];
    if (s->kind == SEG_TEXT) {
      if (k->out)
        fputs(s->text, k->out);
      continue;
    }
    _cleanup_json_ json_t *in = json_pack("[O]", cur), *res = NULL;
    if (in == NULL)
      return tug_error_set(err, ENOMEM, "evaluate jsonpath");
    if (eval_chain(&s->expr, in, &res, err) < 0)
      return -1;
    if (s->kind == SEG_ACTION) {
      if (emit(k, res, err) < 0)
        return -1;
      continue;
    }
    size_t j;
    json_t *item;
    json_array_foreach(res, j, item) if (run_body(&s->inner, item, k, err) < 0) return -1;
  }
  return 0;
}

int tug_jsonpath_print(const tug_jsonpath *jp, const json_t *data, FILE *out, tug_error *err) {
  sink k = {.out = out};
  return run_body(&jp->top, (json_t *)data, &k, err);
}

json_t *tug_jsonpath_find(const tug_jsonpath *jp, const json_t *data, tug_error *err) {
  sink k = {.found = json_array()};
  if (k.found == NULL)
    return tug_error_set(err, ENOMEM, "evaluate jsonpath"), NULL;
  if (run_body(&jp->top, (json_t *)data, &k, err) < 0) {
    json_decref(k.found);
    return NULL;
  }
  return k.found;
}
