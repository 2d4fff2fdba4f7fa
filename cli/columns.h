/*
 * columns.h — `tug get -o custom-columns=NAME:.metadata.name,...`: a table
 * whose columns are JSONPaths, as kubectl's custom-columns printer.
 *
 * The one idea: the columns become a meta.k8s.io Table (definitions, one row
 * per object), so printer.c aligns them the same way as server tables. A
 * cell is every value its path finds, comma-separated, or "<none>".
 */
#ifndef TUG_CLI_COLUMNS_H
#define TUG_CLI_COLUMNS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "error.h"

typedef struct cli_columns cli_columns;

/* "HEADER:PATH,HEADER:PATH" (paths in kubectl's relaxed form); NULL with err. */
cli_columns *cli_columns_parse(const char *spec, tug_error *err);
void cli_columns_free(cli_columns *c);

/* One row per object; 0 or -1 with err when a path fails. */
int cli_columns_print(FILE *out, const cli_columns *c, const json_t *objects, bool no_headers,
                      tug_error *err);

static inline void cli_columns_freep(cli_columns **c) {
  cli_columns_free(*c);
}
#define _cleanup_columns_ __attribute__((cleanup(cli_columns_freep)))

#endif
