/*
 * cmd-delete.c — `tug delete KIND NAME... | KIND -l SEL | KIND --all | -f FILE`,
 * optionally waiting until every object is gone (finalizers, graceful pod
 * termination). A selector or --all lists the matches and deletes each, as
 * kubectl does, so every object is named as it goes.
 *
 * Objects from files are deleted in the reverse of apply order, so workloads
 * go before the namespaces and quotas they live in.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apply-plan.h"
#include "cleanup.h"
#include "cli.h"
#include "manifests.h"
#include "object.h"

enum { WAIT_POLL_MS = 200, DEFAULT_WAIT_S = 60 };

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Poll until GET answers 404, or the --timeout passes. */
static int wait_gone(cli_ctx *ctx, const char *path, tug_error *err) {
  long limit = ctx->opts.timeout_s > 0 ? ctx->opts.timeout_s : DEFAULT_WAIT_S;
  double deadline = now_s() + (double)limit;
  for (;;) {
    tug_error e = {0};
    if (tug_client_get(ctx->client, path, NULL, &e) < 0) {
      if (e.code == ENOENT)
        return 0;
      *err = e;
      return -1;
    }
    if (now_s() > deadline)
      return tug_error_set(err, ETIMEDOUT, "timed out after %lds waiting for %s to go", limit,
                           path);
    usleep(WAIT_POLL_MS * 1000);
  }
}

/* DELETE one object and print it; its path joins gone for --wait. */
static int delete_one(cli_ctx *ctx, const cli_resource *r, const char *ns, const char *name,
                      json_t *gone) {
  tug_error err = {0};
  _cleanup_free_ char *path = cli_resource_path(r, ns, name, NULL);
  if (path == NULL)
    return cli_failf("out of memory");
  char grace[32];
  snprintf(grace, sizeof grace, "%d", ctx->opts.grace_period);
  const char *kv[] = {"gracePeriodSeconds", ctx->opts.grace_period >= 0 ? grace : NULL, NULL};
  _cleanup_free_ char *q = tug_client_path_query(path, kv);
  if (q == NULL)
    return cli_failf("out of memory");
  char ref[300];
  if (tug_client_delete(ctx->client, q, NULL, &err) < 0)
    return cli_fail(ctx, &err);
  printf("%s \"%s\" deleted\n", cli_resource_ref(r, ref, sizeof ref), name);
  fflush(stdout);
  json_array_append_new(gone, json_string(path));
  return 0;
}

/* --wait: kubectl deletes everything first, then waits for all of it. */
static int wait_all(cli_ctx *ctx, const json_t *gone) {
  if (!ctx->opts.wait)
    return 0;
  size_t i;
  json_t *path;
  json_array_foreach(gone, i, path) {
    tug_error err = {0};
    if (wait_gone(ctx, json_string_value(path), &err) < 0)
      return cli_fail(ctx, &err);
  }
  return 0;
}

static int delete_files(cli_ctx *ctx, json_t *gone) {
  tug_error err = {0};
  cli_manifests m;
  if (cli_manifests_load(ctx, &m, &err) < 0 || cli_client(ctx, &err) == NULL) {
    cli_manifests_free(&m);
    return cli_fail(ctx, &err);
  }
  _cleanup_free_ size_t *order = calloc(m.n + 1, sizeof *order);
  int rc = order ? 0 : cli_failf("out of memory");
  if (order)
    cli_apply_order(m.objs, order);
  for (size_t k = m.n; k > 0 && order; k--) {
    const json_t *obj = json_array_get(m.objs, order[k - 1]);
    cli_resource r;
    if (cli_resolve_kind(ctx, tug_obj_api_version(obj), tug_obj_kind(obj), &r, &err) < 0) {
      rc = cli_fail(ctx, &err);
      continue;
    }
    if (tug_obj_name(obj) == NULL) {
      rc = cli_failf("a %s in the manifests has no name", tug_obj_kind(obj));
      continue;
    }
    rc |= delete_one(ctx, &r, cli_object_namespace(ctx, obj), tug_obj_name(obj), gone);
  }
  cli_manifests_free(&m);
  return rc;
}

/* -l SELECTOR, --field-selector or --all: list what matches, then delete each. */
static int delete_matching(cli_ctx *ctx, const cli_resource *r, json_t *gone) {
  const cli_opts *o = &ctx->opts;
  tug_error err = {0};
  _cleanup_free_ char *base =
      cli_resource_path(r, o->all_namespaces ? NULL : ctx->namespace, NULL, NULL);
  const char *kv[] = {"labelSelector", o->selector, "fieldSelector", o->field_selector, NULL};
  _cleanup_free_ char *path = base ? tug_client_path_query(base, kv) : NULL;
  if (path == NULL)
    return cli_failf("out of memory");
  _cleanup_json_ json_t *list = NULL;
  if (tug_client_get(ctx->client, path, &list, &err) < 0)
    return cli_fail(ctx, &err);
  json_t *items = json_object_get(list, "items");
  if (json_array_size(items) == 0) {
    printf("No resources found\n");
    return 0;
  }
  int rc = 0;
  size_t i;
  json_t *it;
  json_array_foreach(items, i, it) {
    if (tug_obj_name(it))
      rc |= delete_one(ctx, r, tug_obj_namespace(it), tug_obj_name(it), gone);
  }
  return rc;
}

static int delete_by_kind(cli_ctx *ctx, json_t *gone) {
  const cli_opts *o = &ctx->opts;
  bool matching = o->all || o->selector || o->field_selector;
  if (o->all && o->selector)
    return cli_failf("cannot set --all and --selector at the same time");
  if (o->all && o->field_selector)
    return cli_failf("cannot set --all and --field-selector at the same time");
  tug_error err = {0};
  int i = 0;
  cli_resource r;
  const char *name;
  if (cli_client(ctx, &err) == NULL || cli_kind_name(ctx, &i, matching, &r, &name, &err) < 0)
    return cli_fail(ctx, &err);
  if (matching && name)
    return cli_failf("name cannot be provided when a selector or --all is specified");
  if (matching)
    return delete_matching(ctx, &r, gone);
  int rc = delete_one(ctx, &r, ctx->namespace, name, gone);
  for (; i < ctx->opts.npos; i++)
    rc |= delete_one(ctx, &r, ctx->namespace, ctx->opts.pos[i], gone);
  return rc;
}

int cmd_delete(cli_ctx *ctx) {
  if (ctx->opts.npos == 2 && strcmp(ctx->opts.pos[0], "tenant") == 0)
    return cli_tenant_delete(ctx, ctx->opts.pos[1]);
  _cleanup_json_ json_t *gone = json_array();
  if (gone == NULL)
    return cli_failf("out of memory");
  int rc = ctx->opts.nfiles > 0 ? delete_files(ctx, gone) : delete_by_kind(ctx, gone);
  return wait_all(ctx, gone) | rc;
}
