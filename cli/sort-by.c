/*
 * sort-by.c — ordering by a JSONPath key (see sort-by.h).
 */
#include "sort-by.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "jsonpath.h"
#include "quantity.h"
#include "timestamp.h"

int cli_natural_cmp(const char *a, const char *b) {
  while (*a && *b) {
    if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
      while (*a == '0')
        a++;
      while (*b == '0')
        b++;
      size_t na = strspn(a, "0123456789"), nb = strspn(b, "0123456789");
      if (na != nb)
        return na < nb ? -1 : 1;
      int c = strncmp(a, b, na);
      if (c != 0)
        return c < 0 ? -1 : 1;
      a += na;
      b += nb;
      continue;
    }
    if (*a != *b)
      return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
    a++, b++;
  }
  return *a ? 1 : *b ? -1 : 0;
}

static int cmp_num(double a, double b) {
  return a < b ? -1 : a > b;
}

static int cmp_strings(const char *a, const char *b) {
  double ta = tug_time_parse(a), tb = tug_time_parse(b);
  if (ta >= 0 && tb >= 0)
    return cmp_num(ta, tb);
  int64_t qa, qb;
  tug_error e = {0};
  if (tug_quantity_parse_milli(a, TUG_QUANTITY_ALLOW_NEGATIVE, &qa, &e) == 0 &&
      tug_quantity_parse_milli(b, TUG_QUANTITY_ALLOW_NEGATIVE, &qb, &e) == 0)
    return qa < qb ? -1 : qa > qb;
  return cli_natural_cmp(a, b);
}

/* Missing and null first, then by type; within a type as sort-by.h says. */
static int rank(const json_t *v) {
  if (v == NULL || json_is_null(v))
    return 0;
  if (json_is_boolean(v))
    return 1;
  if (json_is_number(v))
    return 2;
  if (json_is_string(v))
    return 3;
  return 4;
}

static int cmp_keys(const json_t *a, const json_t *b) {
  int ra = rank(a), rb = rank(b);
  if (ra != rb)
    return ra < rb ? -1 : 1;
  switch (ra) {
  case 1:
    return json_is_true(a) - json_is_true(b);
  case 2:
    return cmp_num(json_number_value(a), json_number_value(b));
  case 3:
    return cmp_strings(json_string_value(a), json_string_value(b));
  default:
    return 0;
  }
}

typedef struct keyed {
  json_t *key; /* borrowed from the element */
  size_t index;
} keyed;

static int keyed_cmp(const void *x, const void *y) {
  const keyed *a = x, *b = y;
  int c = cmp_keys(a->key, b->key);
  return c ? c : a->index < b->index ? -1 : 1;
}

int cli_sort_by(json_t *elems, const char *member, const char *path, tug_error *err) {
  _cleanup_free_ char *relaxed = tug_jsonpath_relaxed(path, err);
  if (relaxed == NULL)
    return -1;
  _cleanup_jsonpath_ tug_jsonpath *jp = tug_jsonpath_parse(relaxed, err);
  if (jp == NULL)
    return tug_error_wrap(err, "--sort-by %s", path);
  size_t n = json_array_size(elems);
  _cleanup_free_ keyed *keys = calloc(n + 1, sizeof *keys);
  _cleanup_json_ json_t *found = json_array(); /* holds every key while sorting */
  if (keys == NULL || found == NULL)
    return tug_error_set(err, ENOMEM, "sort");
  bool any = false;
  for (size_t i = 0; i < n; i++) {
    json_t *e = json_array_get(elems, i);
    _cleanup_json_ json_t *res =
        tug_jsonpath_find(jp, member ? json_object_get(e, member) : e, err);
    if (res == NULL)
      return tug_error_wrap(err, "--sort-by %s", path);
    keys[i] = (keyed){.key = json_array_get(res, 0), .index = i};
    any |= keys[i].key != NULL;
    json_array_append(found, res);
  }
  if (n > 0 && !any)
    return tug_error_set(
        err, ENOENT, "couldn't find any field with path \"%s\" in the list of objects", relaxed);
  qsort(keys, n, sizeof *keys, keyed_cmp);
  _cleanup_json_ json_t *sorted = json_array();
  for (size_t i = 0; sorted && i < n; i++)
    json_array_append(sorted, json_array_get(elems, keys[i].index));
  if (sorted == NULL || json_array_clear(elems) < 0 || json_array_extend(elems, sorted) < 0)
    return tug_error_set(err, ENOMEM, "sort");
  return 0;
}
