/*
 * cmd-delete.c — `tug delete KIND NAME... | -f FILE`, optionally waiting
 * until each object is gone (finalizers, graceful pod termination).
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

static int delete_one(cli_ctx *ctx, const cli_resource *r, const char *ns, const char *name) {
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
  if (ctx->opts.wait && wait_gone(ctx, path, &err) < 0)
    return cli_fail(ctx, &err);
  return 0;
}

static int delete_files(cli_ctx *ctx) {
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
    rc |= delete_one(ctx, &r, cli_object_namespace(ctx, obj), tug_obj_name(obj));
  }
  cli_manifests_free(&m);
  return rc;
}

int cmd_delete(cli_ctx *ctx) {
  if (ctx->opts.nfiles > 0)
    return delete_files(ctx);
  _cleanup_target_ cli_target t;
  if (cli_target_parse(ctx, &t) != 0)
    return 1;
  int rc = delete_one(ctx, &t.res, ctx->namespace, t.name);
  for (int i = t.next; i < ctx->opts.npos; i++)
    rc |= delete_one(ctx, &t.res, ctx->namespace, ctx->opts.pos[i]);
  return rc;
}
