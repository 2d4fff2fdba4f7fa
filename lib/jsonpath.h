/*
 * jsonpath.h — kubectl's JSONPath templates (`-o jsonpath`, `--sort-by`,
 * `-o custom-columns`), the subset kubectl 1.32 implements.
 *
 * The one idea: a template is literal text with {actions}; an action is a
 * chain of steps (.field, ['key'], [i], [a:b:s], [*], .., [?(filter)],
 * [a,b] unions, "literals") that maps a set of values to a set of values, and
 * its results are printed joined by spaces ({range EXPR}...{end} repeats its
 * body for each result). Missing keys give no result rather than an error, as
 * with kubectl's default --allow-missing-template-keys; an index past the end
 * of an array is an error, as in kubectl.
 */
#ifndef TUG_LIB_JSONPATH_H
#define TUG_LIB_JSONPATH_H

#include <jansson.h>
#include <stdio.h>

#include "error.h"

typedef struct tug_jsonpath tug_jsonpath;

/* Parse a template; NULL with err (EINVAL, the reason) on bad syntax. */
tug_jsonpath *tug_jsonpath_parse(const char *tmpl, tug_error *err);
void tug_jsonpath_free(tug_jsonpath *jp);

/* Print the template for data as kubectl does: strings raw, numbers and
 * booleans as text, objects and arrays as compact JSON, one action's results
 * separated by spaces. 0, or -1 with err when evaluation fails. */
int tug_jsonpath_print(const tug_jsonpath *jp, const json_t *data, FILE *out, tug_error *err);

/* Every action's results in order (range bodies included), as a new array;
 * NULL with err when evaluation fails. For --sort-by and custom columns. */
json_t *tug_jsonpath_find(const tug_jsonpath *jp, const json_t *data, tug_error *err);

/* One value as tug_jsonpath_print writes it; a new string. */
char *tug_jsonpath_text(const json_t *v);

/* kubectl's relaxed path for --sort-by and custom columns: "a.b", ".a.b",
 * "{a.b}" and "{.a.b}" all become "{.a.b}"; a new string, or NULL with err
 * for anything else (braces inside). "" stays "". */
char *tug_jsonpath_relaxed(const char *expr, tug_error *err);

static inline void tug_jsonpath_freep(tug_jsonpath **jp) {
  tug_jsonpath_free(*jp);
}
#define _cleanup_jsonpath_ __attribute__((cleanup(tug_jsonpath_freep)))

#endif
