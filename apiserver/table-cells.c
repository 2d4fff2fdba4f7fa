/*
 * table-cells.c — the pieces every kind's columns are built from: a growable
 * text buffer that becomes a JSON string cell, typed getters that fall back to
 * kubectl's placeholders, the name/age cells, container lists, and label
 * selectors printed the way apimachinery's String() prints them.
 */
#include "table-internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "object.h"
#include "selector.h"

/* ---- text buffer ---- */

static bool buf_reserve(table_buf *b, size_t extra) {
  if (b->oom)
    return false;
  if (b->len + extra + 1 <= b->cap)
    return true;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < b->len + extra + 1)
    cap *= 2;
  char *s = realloc(b->s, cap);
  if (s == NULL) {
    b->oom = true;
    return false;
  }
  b->s = s;
  b->cap = cap;
  return true;
}

void table_buf_add(table_buf *b, const char *s) {
  size_t n = s ? strlen(s) : 0;
  if (!buf_reserve(b, n))
    return;
  memcpy(b->s + b->len, s ? s : "", n);
  b->len += n;
  b->s[b->len] = '\0';
}

void table_buf_addf(table_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0 || !buf_reserve(b, (size_t)n))
    return;
  va_start(ap, fmt);
  vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

void table_buf_sep(table_buf *b, const char *sep, size_t *count) {
  if ((*count)++ > 0)
    table_buf_add(b, sep);
}

const char *table_buf_str(const table_buf *b) {
  return b->s ? b->s : "";
}

void table_buf_free(table_buf *b) {
  free(b->s);
  *b = (table_buf){0};
}

json_t *table_buf_json(table_buf *b, const char *dflt) {
  json_t *j = NULL;
  if (!b->oom)
    j = b->len == 0 && dflt ? json_string(dflt) : json_stringn(table_buf_str(b), b->len);
  table_buf_free(b);
  return j;
}

/* ---- typed getters ---- */

json_t *table_text(const char *s) {
  json_t *j = json_string(s ? s : "");
  /* Only a string that is not UTF-8 fails here; such a cell reads as empty. */
  return j ? j : json_string("");
}

const char *table_str(const json_t *obj, const char *path, const char *dflt) {
  const char *s = tug_obj_get_str(obj, path);
  return s && *s ? s : dflt;
}

json_t *table_str_cell(const json_t *obj, const char *path, const char *dflt) {
  return table_text(table_str(obj, path, dflt));
}

json_t *table_int_cell(const json_t *obj, const char *path, int64_t dflt) {
  return json_integer(tug_obj_get_int(obj, path, dflt));
}

/* "0.250" → "0.25", "2.000" → "2". */
static void add_real(table_buf *b, double v) {
  char num[64];
  snprintf(num, sizeof num, "%.3f", v);
  char *end = num + strlen(num);
  if (strchr(num, '.')) {
    while (end[-1] == '0')
      *--end = '\0';
    if (end[-1] == '.')
      *--end = '\0';
  }
  table_buf_add(b, num);
}

void table_add_scalar(table_buf *b, const json_t *v, const char *dflt) {
  if (json_is_string(v))
    table_buf_add(b, json_string_value(v));
  else if (json_is_integer(v))
    table_buf_addf(b, "%" PRId64, (int64_t)json_integer_value(v));
  else if (json_is_real(v))
    add_real(b, json_real_value(v));
  else if (json_is_boolean(v))
    table_buf_add(b, json_is_true(v) ? "true" : "false");
  else
    table_buf_add(b, dflt);
}

const json_t *table_condition(const json_t *obj, const char *path, const char *type) {
  size_t i;
  json_t *c;
  json_array_foreach(tug_obj_get(obj, path), i, c) {
    const char *t = tug_obj_get_str(c, "type");
    if (t && strcmp(t, type) == 0)
      return c;
  }
  return NULL;
}

bool table_condition_true(const json_t *obj, const char *path, const char *type) {
  const char *status = tug_obj_get_str(table_condition(obj, path, type), "status");
  return status && strcmp(status, "True") == 0;
}

/* ---- name and age ---- */

json_t *table_cell_name(const json_t *obj) {
  return table_str_cell(obj, "metadata.name", "");
}

json_t *table_cell_age(const json_t *obj) {
  char buf[32];
  return table_text(
      table_since(tug_obj_get_str(obj, "metadata.creationTimestamp"), buf, sizeof buf));
}

/* Howard Hinnant's civil_from_days: the inverse of the parser's days_from_civil. */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

json_t *table_cell_created_at(const json_t *obj) {
  int64_t t, y;
  int m, d;
  if (!table_parse_time(tug_obj_get_str(obj, "metadata.creationTimestamp"), &t))
    t = TABLE_ZERO_TIME;
  int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
  int64_t secs = t - days * 86400;
  civil_from_days(days, &y, &m, &d);
  char buf[64];
  snprintf(buf, sizeof buf, "%04" PRId64 "-%02d-%02dT%02d:%02d:%02dZ", y, m, d, (int)(secs / 3600),
           (int)(secs / 60 % 60), (int)(secs % 60));
  return table_text(buf);
}

/* ---- containers ---- */

static json_t *container_field(const json_t *obj, const char *podspec_path, const char *field) {
  char path[128];
  snprintf(path, sizeof path, "%s.containers", podspec_path);
  table_buf b = {0};
  size_t i, n = 0;
  json_t *c;
  json_array_foreach(tug_obj_get(obj, path), i, c) {
    table_buf_sep(&b, ",", &n);
    table_buf_add(&b, tug_obj_get_str(c, field));
  }
  return table_buf_json(&b, NULL);
}

json_t *table_container_names(const json_t *obj, const char *podspec_path) {
  return container_field(obj, podspec_path, "name");
}

json_t *table_container_images(const json_t *obj, const char *podspec_path) {
  return container_field(obj, podspec_path, "image");
}

/* ---- labels and selectors ---- */

int table_compare_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char **table_sorted_keys(const json_t *o, size_t *n) {
  const char *k;
  json_t *v;
  *n = 0;
  if (json_object_size(o) == 0)
    return NULL;
  const char **keys = calloc(json_object_size(o), sizeof *keys);
  if (keys == NULL)
    return NULL;
  json_object_foreach((json_t *)o, k, v) {
    keys[(*n)++] = k;
  }
  qsort(keys, *n, sizeof *keys, table_compare_str);
  return keys;
}

void table_add_sorted(table_buf *b, const char **items, size_t n, const char *sep, bool unique) {
  size_t count = 0;
  if (n > 1)
    qsort(items, n, sizeof *items, table_compare_str);
  for (size_t i = 0; i < n; i++) {
    if (unique && i > 0 && strcmp(items[i], items[i - 1]) == 0)
      continue;
    table_buf_sep(b, sep, &count);
    table_buf_add(b, items[i]);
  }
}

json_t *table_format_labels(const json_t *labels) {
  size_t n, count = 0;
  _cleanup_free_ const char **keys = table_sorted_keys(labels, &n);
  table_buf b = {0};
  for (size_t i = 0; i < n; i++) {
    table_buf_sep(&b, ",", &count);
    table_buf_add(&b, keys[i]);
    table_buf_add(&b, "=");
    table_buf_add(&b, json_string_value(json_object_get(labels, keys[i])));
  }
  return table_buf_json(&b, "<none>");
}

/* One requirement of a selector, as apimachinery's labels.Requirement. */
typedef struct requirement {
  const char *key;
  const char *op; /* "=", "in", "notin", "exists", "!" */
  const json_t *values;
  const char *value; /* for "=" */
  size_t order;
} requirement;

static int compare_requirement(const void *a, const void *b) {
  const requirement *x = a, *y = b;
  int c = strcmp(x->key, y->key);
  return c ? c : (x->order > y->order) - (x->order < y->order);
}

/* NULL, null or an array of valid label values. */
static bool values_valid(const json_t *values) {
  size_t i;
  json_t *v;
  if (values != NULL && !json_is_array(values) && !json_is_null(values))
    return false;
  json_array_foreach(values, i, v) {
    if (!json_is_string(v) || !tug_label_value_valid(json_string_value(v), NULL))
      return false;
  }
  return true;
}

static bool expression_requirement(const json_t *e, requirement *r) {
  const char *op = tug_obj_get_str(e, "operator");
  json_t *values = json_object_get(e, "values");
  size_t n = json_array_size(values);
  r->key = tug_obj_get_str(e, "key");
  r->values = values;
  if (r->key == NULL || op == NULL || !tug_label_key_valid(r->key, NULL) || !values_valid(values))
    return false;
  if (strcmp(op, "In") == 0 || strcmp(op, "NotIn") == 0)
    r->op = op[0] == 'I' ? "in" : "notin";
  else if (strcmp(op, "Exists") == 0 || strcmp(op, "DoesNotExist") == 0)
    r->op = op[0] == 'E' ? "exists" : "!";
  else
    return false;
  bool needs_values = r->op[0] == 'i' || r->op[0] == 'n';
  return needs_values ? n > 0 : n == 0;
}

static void add_sorted_values(table_buf *b, const json_t *values) {
  size_t n = json_array_size(values);
  _cleanup_free_ const char **vals = calloc(n ? n : 1, sizeof *vals);
  if (vals == NULL) {
    b->oom = true;
    return;
  }
  for (size_t i = 0; i < n; i++)
    vals[i] = json_string_value(json_array_get(values, i));
  table_buf_add(b, "(");
  table_add_sorted(b, vals, n, ",", false);
  table_buf_add(b, ")");
}

static void add_requirement(table_buf *b, const requirement *r) {
  if (strcmp(r->op, "!") == 0)
    table_buf_addf(b, "!%s", r->key);
  else if (strcmp(r->op, "exists") == 0)
    table_buf_add(b, r->key);
  else if (strcmp(r->op, "=") == 0)
    table_buf_addf(b, "%s=%s", r->key, r->value);
  else {
    table_buf_addf(b, "%s %s ", r->key, r->op);
    add_sorted_values(b, r->values);
  }
}

/* Collects matchLabels then matchExpressions; false when any is invalid. */
static bool collect_requirements(const json_t *sel, requirement *reqs, size_t *n) {
  json_t *labels = json_object_get(sel, "matchLabels");
  json_t *exprs = json_object_get(sel, "matchExpressions");
  const char *k;
  json_t *v;
  size_t i;
  if ((labels && !json_is_object(labels) && !json_is_null(labels)) ||
      (exprs && !json_is_array(exprs) && !json_is_null(exprs)))
    return false;
  json_object_foreach(labels, k, v) {
    if (!json_is_string(v) || !tug_label_key_valid(k, NULL) ||
        !tug_label_value_valid(json_string_value(v), NULL))
      return false;
    reqs[*n] = (requirement){.key = k, .op = "=", .value = json_string_value(v), .order = *n};
    (*n)++;
  }
  json_array_foreach(exprs, i, v) {
    if (!expression_requirement(v, &reqs[*n]))
      return false;
    reqs[*n].order = *n;
    (*n)++;
  }
  return true;
}

bool table_format_selector(const json_t *selector, table_buf *out) {
  if (selector == NULL || json_is_null(selector))
    return true;
  if (!json_is_object(selector))
    return false;
  size_t total = json_object_size(json_object_get(selector, "matchLabels")) +
                 json_array_size(json_object_get(selector, "matchExpressions"));
  _cleanup_free_ requirement *reqs = calloc(total ? total : 1, sizeof *reqs);
  size_t n = 0, count = 0;
  if (reqs == NULL) {
    out->oom = true;
    return true;
  }
  if (!collect_requirements(selector, reqs, &n))
    return false;
  qsort(reqs, n, sizeof *reqs, compare_requirement);
  for (size_t i = 0; i < n; i++) {
    table_buf_sep(out, ",", &count);
    add_requirement(out, &reqs[i]);
  }
  return true;
}

json_t *table_selector_cell(const json_t *obj, const char *path) {
  table_buf b = {0};
  if (!table_format_selector(tug_obj_get(obj, path), &b)) {
    table_buf_free(&b);
    return table_text("<error>");
  }
  return table_buf_json(&b, "<none>");
}
