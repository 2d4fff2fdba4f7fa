/*
 * sort-by.h — `tug get --sort-by=PATH`: ordering objects (or a Table's rows,
 * by the object each carries) by a JSONPath, as kubectl does.
 *
 * The one idea: each element's key is the first value the path finds; a
 * missing key sorts first; numbers compare as numbers, timestamps by time,
 * quantities ("500m", "1Gi") by amount, other strings naturally ("pod-2"
 * before "pod-10"). The sort is stable, so ties keep the server's order.
 */
#ifndef TUG_CLI_SORT_BY_H
#define TUG_CLI_SORT_BY_H

#include <jansson.h>

#include "error.h"

/*
 * Sort the array elems in place by path (kubectl's relaxed form: ".a.b",
 * "{.a.b}"). member: NULL to read each element itself, or the key holding
 * the object ("object" for Table rows). Fails like kubectl when the path is
 * bad or no element has it.
 */
int cli_sort_by(json_t *elems, const char *member, const char *path, tug_error *err);

/* a < b in kubectl's natural order: runs of digits compare as numbers. */
int cli_natural_cmp(const char *a, const char *b);

#endif
