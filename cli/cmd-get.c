/*
 * cmd-get.c — `tug get`: tables the server prints, JSON, YAML, names, watches
 * and raw paths.
 *
 * Tables are asked for with kubectl's Accept header, so the server's columns
 * (kubectl's) are printed as they come; -o json|yaml|name ask for plain JSON.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli.h"
#include "object.h"
#include "printer.h"

#define TABLE_ACCEPT "application/json;as=Table;v=v1;g=meta.k8s.io, application/json"

typedef enum { OUT_TABLE, OUT_WIDE, OUT_JSON, OUT_YAML, OUT_NAME } out_format;

static int parse_output(const char *o, out_format *f) {
  static const struct {
    const char *name;
    out_format f;
  } names[] = {{"wide", OUT_WIDE}, {"json", OUT_JSON}, {"yaml", OUT_YAML}, {"name", OUT_NAME}};
  if (o == NULL) {
    *f = OUT_TABLE;
    return 0;
  }
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(o, names[i].name) == 0) {
      *f = names[i].f;
      return 0;
    }
  return -1;
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

static void print_objects(out_format f, const cli_resource *r, json_t *items, bool single) {
  char ref[300];
  if (f == OUT_NAME) {
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it) printf("%s/%s\n", cli_resource_ref(r, ref, sizeof ref),
                                            tug_obj_name(it) ? tug_obj_name(it) : "");
    return;
  }
  fill_kinds(items, r);
  _cleanup_json_ json_t *doc =
      single ? json_incref(json_array_get(items, 0))
             : json_pack("{s:s, s:O, s:s, s:{s:s}}", "apiVersion", "v1", "items", items, "kind",
                         "List", "metadata", "resourceVersion", "");
  if (f == OUT_JSON)
    cli_print_json(stdout, doc);
  else
    cli_print_yaml(stdout, doc);
}

typedef struct get_req {
  cli_ctx *ctx;
  const cli_resource *res;
  const char *ns;   /* NULL: all namespaces */
  const char *name; /* NULL: a list */
  out_format format;
} get_req;

static char *get_path(const get_req *g) {
  _cleanup_free_ char *base = cli_resource_path(g->res, g->ns, g->name, NULL);
  if (base == NULL || g->name)
    return tug_steal_ptr(&base);
  const char *kv[] = {"labelSelector", g->ctx->opts.selector, "fieldSelector",
                      g->ctx->opts.field_selector, NULL};
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
  out_format format;
  const cli_resource *res;
} watch_print;

static int on_event(const char *type, json_t *object, void *arg) {
  watch_print *w = arg;
  if (strcmp(type, "BOOKMARK") == 0)
    return 0;
  if (strcmp(type, "ERROR") == 0) {
    fprintf(stderr, "error: watch: %s\n", tug_obj_get_str(object, "message"));
    return 1;
  }
  if (w->format == OUT_TABLE || w->format == OUT_WIDE) {
    /* Only the first event of a Table watch carries the columns. */
    if (json_array_size(json_object_get(object, "columnDefinitions")) == 0)
      json_object_set(object, "columnDefinitions", w->defs);
    w->topts.no_headers = true;
    cli_print_table(stdout, object, &w->topts);
  } else {
    _cleanup_json_ json_t *items = json_pack("[O]", object);
    print_objects(w->format, w->res, items, true);
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
  bool table = g->format == OUT_TABLE || g->format == OUT_WIDE;
  watch_print w = {.topts = *topts,
                   .defs = json_object_get(first, "columnDefinitions"),
                   .format = g->format,
                   .res = g->res};
  tug_error err = {0};
  int rc = tug_client_watch_accept(g->ctx->client, path, table ? TABLE_ACCEPT : NULL, on_event, &w,
                                   NULL, &err);
  return rc < 0 ? cli_fail(g->ctx, &err) : 0;
}

static int get_one(const get_req *g, bool *printed_header) {
  tug_error err = {0};
  _cleanup_free_ char *path = get_path(g);
  if (path == NULL)
    return cli_failf("out of memory");
  bool table = g->format == OUT_TABLE || g->format == OUT_WIDE;
  _cleanup_json_ json_t *body = NULL;
  if (fetch(g, path, table, &body, &err) < 0)
    return cli_fail(g->ctx, &err);
  cli_table_opts topts = {.wide = g->format == OUT_WIDE,
                          .with_namespace = g->ns == NULL && g->res->namespaced,
                          .no_headers = *printed_header};
  if (table) {
    size_t n = cli_print_table(stdout, body, &topts);
    if (n > 0)
      *printed_header = true;
    else if (!g->ctx->opts.watch)
      no_resources(g);
  } else if (g->name) {
    _cleanup_json_ json_t *items = json_pack("[O]", body);
    print_objects(g->format, g->res, items, true);
  } else {
    json_t *items = json_object_get(body, "items");
    if (json_array_size(items) == 0 && g->format == OUT_NAME)
      no_resources(g);
    print_objects(g->format, g->res, items, false);
  }
  if (g->ctx->opts.watch) {
    fflush(stdout);
    return watch(g, body, &topts);
  }
  return 0;
}

int cmd_get(cli_ctx *ctx) {
  const cli_opts *o = &ctx->opts;
  if (o->raw)
    return get_raw(ctx);
  get_req g = {.ctx = ctx};
  if (parse_output(o->output, &g.format) < 0)
    return cli_failf("unknown output format \"%s\" (want wide, json, yaml or name)", o->output);
  if (o->npos == 0)
    return cli_failf("you must specify the type of resource to get, such as \"tug get pods\"");
  tug_error err = {0};
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
