/*
 * columns.c — custom columns (see columns.h).
 */
#include "array.h"
#include "columns.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "jsonpath.h"
#include "printer.h"

typedef struct column {
  char *header;
  tug_jsonpath *path;
} column;

struct cli_columns {
  column *v;
  size_t n, cap;
};

void cli_columns_free(cli_columns *c) {
  if (c == NULL)
    return;
  for (size_t i = 0; i < c->n; i++) {
    free(c->v[i].header);
    tug_jsonpath_free(c->v[i].path);
  }
  free(c->v);
  free(c);
}

static int add_column(cli_columns *c, const char *part, size_t len, tug_error *err) {
  _cleanup_free_ char *text = strndup(part, len);
  char *colon = text ? strchr(text, ':') : NULL;
  if (text == NULL)
    return tug_error_set(err, ENOMEM, "custom columns");
  if (colon == NULL)
    return tug_error_set(err, EINVAL,
                         "unexpected custom-columns spec: %s, expected <header>:<json-path-expr>",
                         text);
  *colon = '\0';
  _cleanup_free_ char *relaxed = tug_jsonpath_relaxed(colon + 1, err);
  if (relaxed == NULL)
    return -1;
  if (TUG_ARRAY_RESERVE(c->v, c->cap, c->n + 1, 8) < 0)
    return tug_error_set(err, ENOMEM, "custom columns");
  column *v = c->v;
  v[c->n] = (column){.header = strdup(text), .path = tug_jsonpath_parse(relaxed, err)};
  c->n++;
  if (v[c->n - 1].path == NULL)
    return tug_error_wrap(err, "custom-columns %s:%s", text, colon + 1);
  return v[c->n - 1].header ? 0 : tug_error_set(err, ENOMEM, "custom columns");
}

cli_columns *cli_columns_parse(const char *spec, tug_error *err) {
  if (spec == NULL || spec[0] == '\0')
    return tug_error_set(err, EINVAL,
                         "custom-columns format specified but no custom columns given"),
           NULL;
  cli_columns *c = calloc(1, sizeof *c);
  if (c == NULL)
    return tug_error_set(err, ENOMEM, "custom columns"), NULL;
  for (const char *p = spec;;) {
    size_t len = strcspn(p, ",");
    if (add_column(c, p, len, err) < 0) {
      cli_columns_free(c);
      return NULL;
    }
    if (p[len] == '\0')
      return c;
    p += len + 1;
  }
}

/* The cell of one column: every value found, comma-separated, or "<none>". */
static json_t *cell(const column *col, const json_t *obj, tug_error *err) {
  _cleanup_json_ json_t *found = tug_jsonpath_find(col->path, obj, err);
  if (found == NULL)
    return NULL;
  if (json_array_size(found) == 0)
    return json_string("<none>");
  char *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&buf, &len);
  if (out == NULL)
    return tug_error_set(err, ENOMEM, "custom columns"), NULL;
  size_t i;
  json_t *v;
  json_array_foreach(found, i, v) {
    _cleanup_free_ char *text = tug_jsonpath_text(v);
    fprintf(out, "%s%s", i ? "," : "", text ? text : "");
  }
  fclose(out);
  json_t *s = json_string(buf);
  free(buf);
  return s;
}

int cli_columns_print(FILE *out, const cli_columns *c, const json_t *objects, bool no_headers,
                      tug_error *err) {
  _cleanup_json_ json_t *table = json_pack("{s:[], s:[]}", "columnDefinitions", "rows");
  if (table == NULL)
    return tug_error_set(err, ENOMEM, "custom columns");
  json_t *defs = json_object_get(table, "columnDefinitions"),
         *rows = json_object_get(table, "rows");
  for (size_t k = 0; k < c->n; k++)
    json_array_append_new(defs, json_pack("{s:s, s:i}", "name", c->v[k].header, "priority", 0));
  size_t i;
  json_t *obj;
  json_array_foreach(objects, i, obj) {
    json_t *cells = json_array();
    json_array_append_new(rows, json_pack("{s:o}", "cells", cells));
    for (size_t k = 0; k < c->n; k++) {
      json_t *v = cell(&c->v[k], obj, err);
      if (v == NULL)
        return -1;
      json_array_append_new(cells, v);
    }
  }
  cli_table_opts o = {.no_headers = no_headers, .raw_headers = true};
  cli_print_table(out, table, &o);
  return 0;
}
