/*
 * printer.c — tables, YAML and JSON for tug's output (see printer.h).
 */
#include "printer.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "object.h"

enum { CELL_MAX = 512, GAP = 3 };

const char *cli_format_cell(const json_t *cell, char *buf, size_t size) {
  switch (cell ? json_typeof(cell) : JSON_NULL) {
  case JSON_STRING:
    snprintf(buf, size, "%s", json_string_value(cell));
    break;
  case JSON_INTEGER:
    snprintf(buf, size, "%" JSON_INTEGER_FORMAT, json_integer_value(cell));
    break;
  case JSON_REAL:
    snprintf(buf, size, "%g", json_real_value(cell));
    break;
  case JSON_TRUE:
    snprintf(buf, size, "true");
    break;
  case JSON_FALSE:
    snprintf(buf, size, "false");
    break;
  case JSON_NULL:
    snprintf(buf, size, "<none>");
    break;
  default: {
    _cleanup_free_ char *s = json_dumps(cell, JSON_COMPACT);
    snprintf(buf, size, "%s", s ? s : "");
  }
  }
  return buf;
}

typedef struct table_plan {
  size_t ncols;       /* printed columns, NAMESPACE included */
  size_t *src;        /* per printed column: index in the row's cells, or SIZE_MAX for NAMESPACE */
  const char **names; /* per printed column: header */
  size_t *width;
} table_plan;

static const char *cell_text(const json_t *row, size_t src, char *buf, size_t size) {
  if (src == SIZE_MAX) {
    const char *ns = tug_obj_get_str(json_object_get(row, "object"), "metadata.namespace");
    snprintf(buf, size, "%s", ns ? ns : "");
    return buf;
  }
  return cli_format_cell(json_array_get(json_object_get(row, "cells"), src), buf, size);
}

static void print_padded(FILE *out, const char *s, size_t width, bool last) {
  if (last) {
    fprintf(out, "%s\n", s);
    return;
  }
  fprintf(out, "%-*s", (int)(width + GAP), s);
}

static int plan_columns(const json_t *defs, const cli_table_opts *o, table_plan *p) {
  size_t n = json_array_size(defs) + 1;
  p->src = calloc(n, sizeof *p->src);
  p->names = calloc(n, sizeof *p->names);
  p->width = calloc(n, sizeof *p->width);
  if (!p->src || !p->names || !p->width)
    return -1;
  if (o->with_namespace) {
    p->src[p->ncols] = SIZE_MAX;
    p->names[p->ncols++] = "NAMESPACE";
  }
  size_t i;
  json_t *def;
  json_array_foreach(defs, i, def) {
    if (!o->wide && tug_obj_get_int(def, "priority", 0) > 0)
      continue;
    const char *name = tug_obj_get_str(def, "name");
    p->src[p->ncols] = i;
    p->names[p->ncols++] = name ? name : "";
  }
  return 0;
}

/* Header names are upper case, as kubectl prints them ("Name" → "NAME",
 * "Min Available" → "MIN AVAILABLE"). */
static void upper(char *s) {
  for (; *s; s++)
    if (*s >= 'a' && *s <= 'z')
      *s = (char)(*s - 'a' + 'A');
}

size_t cli_print_table(FILE *out, const json_t *table, const cli_table_opts *o) {
  const json_t *rows = json_object_get(table, "rows");
  const json_t *defs = json_object_get(table, "columnDefinitions");
  if (!json_is_array(rows) || !json_is_array(defs) || json_array_size(rows) == 0)
    return 0;
  table_plan p = {0};
  char buf[CELL_MAX];
  size_t nrows = json_array_size(rows);
  if (plan_columns(defs, o, &p) == 0) {
    for (size_t c = 0; c < p.ncols; c++)
      p.width[c] = o->no_headers ? 0 : strlen(p.names[c]);
    for (size_t r = 0; r < nrows; r++)
      for (size_t c = 0; c < p.ncols; c++) {
        size_t w = strlen(cell_text(json_array_get(rows, r), p.src[c], buf, sizeof buf));
        if (w > p.width[c])
          p.width[c] = w;
      }
    if (!o->no_headers)
      for (size_t c = 0; c < p.ncols; c++) {
        snprintf(buf, sizeof buf, "%s", p.names[c]);
        if (!o->raw_headers)
          upper(buf);
        print_padded(out, buf, p.width[c], c + 1 == p.ncols);
      }
    for (size_t r = 0; r < nrows; r++)
      for (size_t c = 0; c < p.ncols; c++)
        print_padded(out, cell_text(json_array_get(rows, r), p.src[c], buf, sizeof buf), p.width[c],
                     c + 1 == p.ncols);
  } else {
    nrows = 0;
  }
  free(p.src);
  free(p.names);
  free(p.width);
  return nrows;
}

/* ---- YAML ---- */

static bool looks_like_scalar(const char *s) {
  static const char *const words[] = {"true", "false", "yes", "no", "on", "off",
                                      "null", "y",     "n",   "~",  NULL};
  for (int i = 0; words[i]; i++)
    if (strcasecmp(s, words[i]) == 0)
      return true;
  char *end;
  strtod(s, &end);
  if (*end == '\0')
    return true;
  strtoll(s, &end, 0);
  if (*end == '\0')
    return true;
  /* YAML 1.1 readers take dates ("2024-05-01T10:00:00Z") as timestamps. */
  int y, mo, d;
  char c;
  if (sscanf(s, "%4d-%2d-%2d%c", &y, &mo, &d, &c) >= 3 && s[4] == '-')
    return true;
  /* They take 0b1010, 1_000 and 12:30 as numbers too. */
  return strncasecmp(s, "0b", 2) == 0 || strncasecmp(s, "0o", 2) == 0 ||
         (strspn(s, "0123456789_:.+-eE") == strlen(s) && strpbrk(s, "0123456789"));
}

bool cli_yaml_plain_ok(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || s[0] == ' ' || s[n - 1] == ' ' || strchr("-?:,[]{}#&*!|>'\"%@`", s[0]))
    return false;
  if (strstr(s, ": ") || strstr(s, " #") || s[n - 1] == ':')
    return false;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p < 0x20 || *p == 0x7f)
      return false;
  return !looks_like_scalar(s);
}

static void yaml_scalar(FILE *out, const json_t *v) {
  char buf[64];
  if (json_is_string(v)) {
    const char *s = json_string_value(v);
    if (cli_yaml_plain_ok(s)) {
      fputs(s, out);
    } else {
      _cleanup_free_ char *q = json_dumps(v, JSON_ENCODE_ANY);
      fputs(q ? q : "\"\"", out);
    }
    return;
  }
  fputs(json_is_null(v) ? "null" : cli_format_cell(v, buf, sizeof buf), out);
}

static bool is_empty_container(const json_t *v) {
  return (json_is_object(v) && json_object_size(v) == 0) ||
         (json_is_array(v) && json_array_size(v) == 0);
}

static void yaml_value(FILE *out, const json_t *v, int indent, bool in_seq);

static int key_cmp(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void yaml_object(FILE *out, const json_t *v, int indent, bool first_inline) {
  size_t n = json_object_size(v);
  _cleanup_free_ const char **keys = calloc(n ? n : 1, sizeof *keys);
  if (keys == NULL)
    return;
  size_t i = 0;
  const char *k;
  json_t *child;
  json_object_foreach((json_t *)v, k, child) keys[i++] = k;
  qsort(keys, n, sizeof *keys, key_cmp);
  for (i = 0; i < n; i++) {
    child = json_object_get(v, keys[i]);
    if (!(i == 0 && first_inline))
      fprintf(out, "%*s", indent, "");
    json_t *kv = json_string(keys[i]);
    yaml_scalar(out, kv);
    json_decref(kv);
    fputc(':', out);
    if (json_is_object(child) && !is_empty_container(child)) {
      fputc('\n', out);
      yaml_object(out, child, indent + 2, false);
    } else if (json_is_array(child) && !is_empty_container(child)) {
      fputc('\n', out);
      yaml_value(out, child, indent, false);
    } else {
      fputc(' ', out);
      yaml_value(out, child, indent, false);
    }
  }
}

static void yaml_value(FILE *out, const json_t *v, int indent, bool in_seq) {
  (void)in_seq;
  if (json_is_object(v) && json_object_size(v) > 0) {
    yaml_object(out, v, indent, false);
  } else if (json_is_array(v) && json_array_size(v) > 0) {
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item) {
      fprintf(out, "%*s- ", indent, "");
      if (json_is_object(item) && json_object_size(item) > 0) {
        yaml_object(out, item, indent + 2, true);
      } else if (json_is_array(item) && json_array_size(item) > 0) {
        fputc('\n', out);
        yaml_value(out, item, indent + 2, true);
      } else {
        yaml_value(out, item, indent + 2, true);
      }
    }
  } else if (json_is_object(v)) {
    fputs("{}\n", out);
  } else if (json_is_array(v)) {
    fputs("[]\n", out);
  } else {
    yaml_scalar(out, v);
    fputc('\n', out);
  }
}

void cli_print_yaml(FILE *out, const json_t *v) {
  yaml_value(out, v, 0, false);
}

void cli_print_yaml_indented(FILE *out, const json_t *v, int indent) {
  if (!json_is_object(v) && !json_is_array(v))
    fprintf(out, "%*s", indent, "");
  yaml_value(out, v, indent, false);
}

void cli_print_json(FILE *out, const json_t *v) {
  json_dumpf(v, out, JSON_INDENT(4) | JSON_SORT_KEYS | JSON_ENCODE_ANY);
  fputc('\n', out);
}

const char *cli_format_age(double seconds, char *buf, size_t size) {
  long s = seconds < 0 || isnan(seconds) ? 0 : (long)seconds;
  if (s < 120)
    snprintf(buf, size, "%lds", s);
  else if (s < 600)
    snprintf(buf, size, "%ldm%lds", s / 60, s % 60);
  else if (s < 3 * 3600)
    snprintf(buf, size, "%ldm", s / 60);
  else if (s < 8 * 3600)
    snprintf(buf, size, "%ldh%ldm", s / 3600, (s % 3600) / 60);
  else if (s < 48 * 3600)
    snprintf(buf, size, "%ldh", s / 3600);
  else if (s < 8 * 86400)
    snprintf(buf, size, "%ldd%ldh", s / 86400, (s % 86400) / 3600);
  else
    snprintf(buf, size, "%ldd", s / 86400);
  return buf;
}
