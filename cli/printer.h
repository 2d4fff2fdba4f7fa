/*
 * printer.h — how tug prints objects: kubectl's tables, JSON, YAML and names.
 *
 * The one idea: tables come from the server (a meta.k8s.io/v1 Table, the same
 * columns kubectl shows), so the CLI holds no per-kind column logic; it only
 * picks the columns (priority 0, or all for -o wide), adds NAMESPACE for -A,
 * and aligns them as kubectl's tabwriter does (three spaces between columns).
 */
#ifndef TUG_CLI_PRINTER_H
#define TUG_CLI_PRINTER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

typedef struct cli_table_opts {
  bool wide;           /* also priority-1 columns */
  bool with_namespace; /* a NAMESPACE column first, from each row's object */
  bool no_headers;
  bool raw_headers; /* headers as given (custom columns), not upper-cased */
} cli_table_opts;

/* Print a Table's rows; returns the number of rows. Bad shapes print nothing. */
size_t cli_print_table(FILE *out, const json_t *table, const cli_table_opts *o);

/* One cell as kubectl prints it: strings as they are, numbers, booleans; NULL
 * or null as "<none>". Returns buf. */
const char *cli_format_cell(const json_t *cell, char *buf, size_t size);

/* YAML the way kubectl prints it: sorted keys, block style, sequences not
 * indented under their key, strings quoted only where YAML would misread them. */
void cli_print_yaml(FILE *out, const json_t *v);
/* The same, every line indented by indent spaces (describe's sections). */
void cli_print_yaml_indented(FILE *out, const json_t *v, int indent);
/* Whether s can be written as a plain YAML scalar and read back as the same string. */
bool cli_yaml_plain_ok(const char *s);

/* kubectl's -o json: four-space indent, sorted keys, trailing newline. */
void cli_print_json(FILE *out, const json_t *v);

/* "2d", "5h", "3m12s", "45s": kubectl's short durations (AGE and friends). */
const char *cli_format_age(double seconds, char *buf, size_t size);

#endif
