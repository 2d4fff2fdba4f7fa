/*
 * cmd-get.c — `tug get`: tables the server prints, JSON, YAML, names, watches
 * and raw paths.
 *
 * Tables are asked for with kubectl's Accept header, so the server's columns
 * (kubectl's) are printed as they come; -o json|yaml|name ask for plain JSON.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli.h"
#include "columns.h"
#include "jsonpath.h"
#include "object.h"
#include "printer.h"
#include "sort-by.h"

#define TABLE_ACCEPT "application/json;as=Table;v=v1;g=meta.k8s.io, application/json"

typedef enum {
  OUT_TABLE,
  OUT_WIDE,
  OUT_JSON,
  OUT_YAML,
  OUT_NAME,
  OUT_JSONPATH,
  OUT_COLUMNS
} out_format;

/* What -o asks for; a template or columns are parsed once, here. */
typedef struct output {
  out_format f;
  const char *tmpl;  /* jsonpath: the template as given, for errors */
  char *tmpl_file;   /* jsonpath-file: its contents */
  tug_jsonpath *jp;  /* jsonpath, jsonpath-file */
  cli_columns *cols; /* custom-columns */
} output;

static void output_clear(output *o) {
  free(o->tmpl_file);
  tug_jsonpath_free(o->jp);
  cli_columns_free(o->cols);
}

static char *read_file(const char *path, tug_error *err) {
  _cleanup_fclose_ FILE *f = fopen(path, "r");
  if (f == NULL)
    return tug_error_errno(err, errno, "read %s", path), NULL;
  char *buf = NULL;
  size_t cap = 0;
  if (getdelim(&buf, &cap, '\0', f) < 0) {
    free(buf);
    return strdup("");
  }
  return buf;
}

static int parse_template(output *out, const char *tmpl, tug_error *err) {
  out->tmpl = tmpl;
  if (tmpl[0] == '\0')
    return tug_error_set(err, EINVAL, "template format specified but no template given");
  out->jp = tug_jsonpath_parse(tmpl, err);
  return out->jp ? 0 : tug_error_wrap(err, "error parsing jsonpath %s", tmpl);
}

static int parse_output(const char *o, output *out, tug_error *err) {
  static const struct {
    const char *name;
    out_format f;
  } names[] = {{"wide", OUT_WIDE}, {"json", OUT_JSON}, {"yaml", OUT_YAML}, {"name", OUT_NAME}};
  *out = (output){.f = OUT_TABLE};
  if (o == NULL)
    return 0;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(o, names[i].name) == 0) {
      out->f = names[i].f;
      return 0;
    }
  if (strncmp(o, "jsonpath=", 9) == 0 || strcmp(o, "jsonpath") == 0) {
    out->f = OUT_JSONPATH;
    return parse_template(out, o[8] ? o + 9 : "", err);
  }
  if (strncmp(o, "jsonpath-file=", 14) == 0) {
    out->f = OUT_JSONPATH;
    out->tmpl_file = read_file(o + 14, err);
    return out->tmpl_file ? parse_template(out, out->tmpl_file, err) : -1;
  }
  if (strncmp(o, "custom-columns=", 15) == 0 || strcmp(o, "custom-columns") == 0) {
    out->f = OUT_COLUMNS;
    out->cols = cli_columns_parse(o[14] ? o + 15 : "", err);
    return out->cols ? 0 : -1;
  }
  return tug_error_set(err, EINVAL,
                       "unknown output format \"%s\" (want wide, json, yaml, name, "
                       "jsonpath=TEMPLATE, jsonpath-file=FILE or custom-columns=SPEC)",
                       o);
}

static int get_raw(cli_ctx *ctx) {
  if (ctx->opts.raw[0] != '/')
    return cli_failf("--raw %s: want an absolute path such as /api/v1/pods", ctx->opts.raw);
  tug_error err = {0};
  tug_client *c = cli_client(ctx, &err);
  if (c == NULL)
    return cli_fail(ctx, &err);
  tug_request req = {.method = "GET", .path = ctx->opts.raw, .accept = "*/*", .raw = true};
  tug_response resp;
  int rc = tug_client_do(c, &req, &resp, &err);
  if (rc >= 0) {
    fwrite(resp.text, 1, resp.text_len, stdout);
    if (resp.text_len > 0 && resp.text[resp.text_len - 1] != '\n')
      putchar('\n');
  }
  tug_response_clear(&resp);
  return rc < 0 ? cli_fail(ctx, &err) : 0;
}

/* Items of a list get the kind and apiVersion the server leaves out, as kubectl adds them. */
static void fill_kinds(json_t *items, const cli_resource *r) {
  char gv[200];
  snprintf(gv, sizeof gv, "%s%s%s", r->group, r->group[0] ? "/" : "", r->version);
  size_t i;
  json_t *it;
  json_array_foreach(items, i, it) {
    if (tug_obj_kind(it) == NULL)
      json_object_set_new(it, "kind", json_string(r->kind));
    if (tug_obj_api_version(it) == NULL)
      json_object_set_new(it, "apiVersion", json_string(gv));
  }
}

/* What -o jsonpath and custom-columns print to stdout, all or nothing. */
static int print_template(const output *out, const json_t *doc, const json_t *objects,
                          tug_error *err) {
  char *buf = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&buf, &len);
  if (mem == NULL)
    return tug_error_set(err, ENOMEM, "print");
  int rc = out->f == OUT_COLUMNS ? cli_columns_print(mem, out->cols, objects, false, err)
                                 : tug_jsonpath_print(out->jp, doc, mem, err);
  fclose(mem);
  if (rc == 0)
    fwrite(buf, 1, len, stdout);
  else if (out->f == OUT_JSONPATH)
    tug_error_wrap(err, "error executing jsonpath \"%s\"", out->tmpl);
  free(buf);
  return rc;
}

/* As kubectl, JSON and YAML leave managedFields out unless asked: they are
 * the server's bookkeeping, longer than most objects. */
static void hide_managed_fields(json_t *items) {
  size_t i;
  json_t *it;
  json_array_foreach(items, i, it) tug_obj_del(it, "metadata.managedFields");
}

static int print_objects(const output *out, const cli_resource *r, json_t *items, bool single,
                         bool managed_fields, tug_error *err) {
  char ref[300];
  if (out->f == OUT_NAME) {
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it) printf("%s/%s\n", cli_resource_ref(r, ref, sizeof ref),
                                            tug_obj_name(it) ? tug_obj_name(it) : "");
    return 0;
  }
  fill_kinds(items, r);
  if (!managed_fields && (out->f == OUT_JSON || out->f == OUT_YAML))
    hide_managed_fields(items);
  _cleanup_json_ json_t *doc =
      single ? json_incref(json_array_get(items, 0))
             : json_pack("{s:s, s:O, s:s, s:{s:s}}", "apiVersion", "v1", "items", items, "kind",
                         "List", "metadata", "resourceVersion", "");
  if (out->f == OUT_JSON)
    cli_print_json(stdout, doc);
  else if (out->f == OUT_YAML)
    cli_print_yaml(stdout, doc);
  else
    return print_template(out, doc, items, err);
  return 0;
}

typedef struct get_req {
  cli_ctx *ctx;
  const cli_resource *res;
  const char *ns;   /* NULL: all namespaces */
  const char *name; /* NULL: a list */
  const output *out;
  bool several_kinds; /* `get svc,endpoints`: names as kind/name, a blank line between kinds */
} get_req;

static bool is_table(const get_req *g) {
  return g->out->f == OUT_TABLE || g->out->f == OUT_WIDE;
}

static char *get_path(const get_req *g) {
  _cleanup_free_ char *base = cli_resource_path(g->res, g->ns, g->name, NULL);
  if (base == NULL || g->name)
    return tug_steal_ptr(&base);
  /* Sorting a table needs each row's whole object, not only its metadata. */
  bool whole = is_table(g) && g->ctx->opts.sort_by && g->ctx->opts.sort_by[0];
  const char *kv[] = {"labelSelector",
                      g->ctx->opts.selector,
                      "fieldSelector",
                      g->ctx->opts.field_selector,
                      "includeObject",
                      whole ? "Object" : NULL,
                      NULL};
  return tug_client_path_query(base, kv);
}

static void no_resources(const get_req *g) {
  if (g->ns && g->res->namespaced)
    fprintf(stderr, "No resources found in %s namespace.\n", g->ns);
  else
    fprintf(stderr, "No resources found\n");
}

/* GET the path as a Table or plain JSON; *out gets the body. */
static int fetch(const get_req *g, const char *path, bool table, json_t **out, tug_error *err) {
  tug_request req = {.method = "GET", .path = path, .accept = table ? TABLE_ACCEPT : NULL};
  tug_response resp;
  int rc = tug_client_do(g->ctx->client, &req, &resp, err);
  *out = rc < 0 ? NULL : tug_steal_ptr(&resp.body);
  tug_response_clear(&resp);
  return rc;
}

typedef struct watch_print {
  cli_table_opts topts;
  json_t *defs; /* the first table's column definitions */
  const output *out;
  const cli_resource *res;
  bool managed_fields;
} watch_print;

static int on_event(const char *type, json_t *object, void *arg) {
  watch_print *w = arg;
  if (strcmp(type, "BOOKMARK") == 0)
    return 0;
  if (strcmp(type, "ERROR") == 0) {
    fprintf(stderr, "error: watch: %s\n", tug_obj_get_str(object, "message"));
    return 1;
  }
  if (w->out->f == OUT_TABLE || w->out->f == OUT_WIDE) {
    /* Only the first event of a Table watch carries the columns. */
    if (json_array_size(json_object_get(object, "columnDefinitions")) == 0)
      json_object_set(object, "columnDefinitions", w->defs);
    w->topts.no_headers = true;
    cli_print_table(stdout, object, &w->topts);
  } else {
    _cleanup_json_ json_t *items = json_pack("[O]", object);
    tug_error err = {0};
    if (print_objects(w->out, w->res, items, true, w->managed_fields, &err) < 0) {
      fprintf(stderr, "error: %s\n", err.msg);
      return 1;
    }
  }
  fflush(stdout);
  return 0;
}

static int watch(const get_req *g, const json_t *first, const cli_table_opts *topts) {
  const char *rv = tug_obj_get_str(first, "metadata.resourceVersion");
  /* One object is watched as kubectl does: its list, narrowed to its name. */
  get_req list = *g;
  list.name = NULL;
  _cleanup_free_ char *base = get_path(&list);
  _cleanup_free_ char *by_name = NULL;
  if (g->name && asprintf(&by_name, "metadata.name=%s", g->name) < 0)
    by_name = NULL;
  const char *kv[] = {
      "watch", "true",          "resourceVersion", rv ? rv : "0", "allowWatchBookmarks",
      "true",  "fieldSelector", by_name,           NULL};
  _cleanup_free_ char *path = base ? tug_client_path_query(base, kv) : NULL;
  if (path == NULL)
    return cli_failf("out of memory");
  watch_print w = {.topts = *topts,
                   .defs = json_object_get(first, "columnDefinitions"),
                   .out = g->out,
                   .res = g->res,
                   .managed_fields = g->ctx->opts.show_managed_fields};
  tug_error err = {0};
  int rc = tug_client_watch_accept(g->ctx->client, path, is_table(g) ? TABLE_ACCEPT : NULL,
                                   on_event, &w, NULL, &err);
  return rc < 0 ? cli_fail(g->ctx, &err) : 0;
}

/* --sort-by: a table's rows by their objects, a list's items. */
static int sort(const get_req *g, json_t *body, tug_error *err) {
  const char *by = g->ctx->opts.sort_by;
  if (by == NULL || by[0] == '\0' || g->name)
    return 0;
  return is_table(g) ? cli_sort_by(json_object_get(body, "rows"), "object", by, err)
                     : cli_sort_by(json_object_get(body, "items"), NULL, by, err);
}

/* With several kinds, kubectl names each row kind[.group]/name. */
static void prefix_names(const get_req *g, json_t *table) {
  char kind[256];
  snprintf(kind, sizeof kind, "%s%s%s", g->res->kind, g->res->group[0] ? "." : "", g->res->group);
  for (char *c = kind; *c; c++)
    *c = (char)tolower((unsigned char)*c);
  size_t i, col = 0;
  json_t *def;
  json_array_foreach(json_object_get(table, "columnDefinitions"), i, def) {
    if (strcmp(json_string_value(json_object_get(def, "name")) ?: "", "Name") == 0)
      col = i;
  }
  json_t *row;
  json_array_foreach(json_object_get(table, "rows"), i, row) {
    json_t *cells = json_object_get(row, "cells");
    const char *name = json_string_value(json_array_get(cells, col));
    char *full = NULL;
    if (name && asprintf(&full, "%s/%s", kind, name) > 0)
      json_array_set_new(cells, col, json_string(full));
    free(full);
  }
}

static int get_one(const get_req *g, bool *printed_header) {
  tug_error err = {0};
  _cleanup_free_ char *path = get_path(g);
  if (path == NULL)
    return cli_failf("out of memory");
  bool table = is_table(g);
  _cleanup_json_ json_t *body = NULL;
  if (fetch(g, path, table, &body, &err) < 0 || sort(g, body, &err) < 0)
    return cli_fail(g->ctx, &err);
  cli_table_opts topts = {.wide = g->out->f == OUT_WIDE,
                          .with_namespace = g->ns == NULL && g->res->namespaced,
                          .no_headers = *printed_header};
  int rc = 0;
  if (table) {
    if (g->several_kinds)
      prefix_names(g, body);
    size_t n = cli_print_table(stdout, body, &topts);
    if (n > 0)
      *printed_header = true;
    else if (!g->ctx->opts.watch)
      no_resources(g);
  } else if (g->name) {
    _cleanup_json_ json_t *items = json_pack("[O]", body);
    rc = print_objects(g->out, g->res, items, true, g->ctx->opts.show_managed_fields, &err);
  } else {
    json_t *items = json_object_get(body, "items");
    if (json_array_size(items) == 0 && (g->out->f == OUT_NAME || g->out->f == OUT_COLUMNS))
      no_resources(g);
    rc = print_objects(g->out, g->res, items, false, g->ctx->opts.show_managed_fields, &err);
  }
  if (rc < 0)
    return cli_fail(g->ctx, &err);
  if (g->ctx->opts.watch) {
    fflush(stdout);
    return watch(g, body, &topts);
  }
  return 0;
}

/* `get KIND,KIND... [NAME...]`: each kind in turn, as kubectl does. */
static int get_kinds(get_req *g) {
  const cli_opts *o = &g->ctx->opts;
  _cleanup_free_ char *kinds = strdup(o->pos[0]);
  if (kinds == NULL)
    return cli_failf("out of memory");
  g->several_kinds = true;
  char *save = NULL;
  int rc = 0;
  bool first = true;
  for (char *k = strtok_r(kinds, ",", &save); k && rc == 0; k = strtok_r(NULL, ",", &save)) {
    cli_resource res;
    tug_error err = {0};
    if (cli_resolve(g->ctx, k, &res, &err) < 0)
      return cli_fail(g->ctx, &err);
    g->res = &res;
    g->ns = o->all_namespaces && o->npos == 1 ? NULL : g->ctx->namespace;
    bool printed_header = false;
    if (!first && is_table(g))
      putchar('\n');
    first = false;
    g->name = NULL;
    for (int i = 1; i < o->npos && rc == 0; i++) {
      g->name = o->pos[i];
      rc = get_one(g, &printed_header);
    }
    if (o->npos == 1)
      rc = get_one(g, &printed_header);
  }
  return rc;
}

int cmd_get(cli_ctx *ctx) {
  const cli_opts *o = &ctx->opts;
  if (o->raw)
    return get_raw(ctx);
  tug_error err = {0};
  __attribute__((cleanup(output_clear))) output out = {0};
  if (parse_output(o->output, &out, &err) < 0)
    return cli_fail(ctx, &err);
  get_req g = {.ctx = ctx, .out = &out};
  if (o->npos == 0)
    return cli_failf("you must specify the type of resource to get, such as \"tug get pods\"");
  if (strchr(o->pos[0], ',') && !strchr(o->pos[0], '/'))
    return get_kinds(&g);
  int i = 0;
  cli_resource res;
  const char *first_name;
  if (cli_kind_name(ctx, &i, true, &res, &first_name, &err) < 0)
    return cli_fail(ctx, &err);
  g.res = &res;
  g.ns = o->all_namespaces && !first_name ? NULL : ctx->namespace;
  bool printed_header = false;
  g.name = first_name;
  int rc = get_one(&g, &printed_header);
  for (; i < o->npos && rc == 0; i++) {
    g.name = o->pos[i];
    rc = get_one(&g, &printed_header);
  }
  return rc;
}
