/*
 * cmd-drain.c — `tug cordon`, `tug uncordon` and `tug drain NODE`, as kubectl.
 *
 * Drain cordons the node, sorts its pods (drain.h), then evicts every pod it
 * may remove through pods/{name}/eviction, so that PodDisruptionBudgets hold:
 * a 429 (the budget allows no disruption now) is retried every 5 seconds
 * until --timeout, as kubectl does, while the pods' controllers bring
 * replacements up elsewhere. A pod counts as gone when it is not found or its
 * uid changed. --disable-eviction deletes instead, bypassing budgets.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli.h"
#include "controller.h"
#include "drain.h"
#include "kinds.h"
#include "object.h"
#include "pod-rules.h"

#define RETRY_AFTER_429_S 5

/* ---- which pods ---- */

static bool has_emptydir(const json_t *pod) {
  size_t i;
  json_t *v;
  json_array_foreach(tug_obj_get(pod, "spec.volumes"), i, v) {
    if (json_object_get(v, "emptyDir"))
      return true;
  }
  return false;
}

cli_drain_action cli_drain_filter(const json_t *pod, const cli_drain_flags *f, const char **why) {
  *why = NULL;
  if (tug_obj_annotation(pod, "kubernetes.io/config.mirror"))
    return CLI_DRAIN_SKIP;
  json_t *ref = tug_controller_ref(pod);
  const char *kind = ref ? tug_obj_get_str(ref, "kind") : NULL;
  if (kind && strcmp(kind, "DaemonSet") == 0) {
    if (!f->ignore_daemonsets) {
      *why = "cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore)";
      return CLI_DRAIN_REFUSE;
    }
    *why = "ignoring DaemonSet-managed Pods";
    return CLI_DRAIN_SKIP;
  }
  bool finished = tug_pod_terminal(pod);
  if (!finished && has_emptydir(pod) && !f->delete_emptydir_data) {
    *why = "cannot delete Pods with local storage (use --delete-emptydir-data to override)";
    return CLI_DRAIN_REFUSE;
  }
  if (!finished && kind == NULL) {
    if (!f->force) {
      *why = "cannot delete Pods that declare no controller (use --force to override)";
      return CLI_DRAIN_REFUSE;
    }
    *why = "deleting Pods that declare no controller";
  }
  return CLI_DRAIN_REMOVE;
}

/* ---- cordon ---- */

/* Set spec.unschedulable, saying "node/N cordoned" or "already cordoned". */
static int set_unschedulable(cli_ctx *ctx, const char *node, bool on) {
  tug_error err = {0};
  char path[512];
  _cleanup_json_ json_t *live = NULL;
  if (cli_client(ctx, &err) == NULL ||
      tug_api_path(path, sizeof path, "Node", NULL, node, NULL, &err) < 0 ||
      tug_client_get(ctx->client, path, &live, &err) < 0)
    return cli_fail(ctx, &err);
  const char *word = on ? "cordoned" : "uncordoned";
  if (json_is_true(tug_obj_get(live, "spec.unschedulable")) == on) {
    printf("node/%s already %s\n", node, word);
    return 0;
  }
  _cleanup_json_ json_t *patch =
      json_pack("{s:{s:o}}", "spec", "unschedulable", on ? json_true() : json_null());
  if (tug_client_patch(ctx->client, path, TUG_PATCH_STRATEGIC, patch, NULL, &err) < 0)
    return cli_fail(ctx, &err);
  printf("node/%s %s\n", node, word);
  return 0;
}

static const char *one_node(cli_ctx *ctx, const char *verb) {
  if (ctx->opts.npos != 1) {
    cli_failf("%s: want one NODE", verb);
    return NULL;
  }
  return ctx->opts.pos[0];
}

int cmd_cordon(cli_ctx *ctx) {
  const char *node = one_node(ctx, "cordon");
  return node ? set_unschedulable(ctx, node, true) : 1;
}

int cmd_uncordon(cli_ctx *ctx) {
  const char *node = one_node(ctx, "uncordon");
  return node ? set_unschedulable(ctx, node, false) : 1;
}

/* ---- drain ---- */

/* One pod on its way out. */
typedef struct leaving {
  json_t *pod;
  char path[512];
  bool asked; /* its eviction (or delete) was accepted */
  bool gone;
} leaving;

/* The node's pods drain may remove (a new array), or NULL when some pod
 * stops it (the reasons printed, kubectl's way). */
static json_t *pods_to_remove(cli_ctx *ctx, const char *node, const cli_drain_flags *f) {
  tug_error err = {0};
  char path[256], sel[300];
  snprintf(sel, sizeof sel, "spec.nodeName=%s", node);
  tug_list_options lo = {.field_selector = sel};
  _cleanup_json_ json_t *list = NULL;
  if (tug_api_path(path, sizeof path, "Pod", NULL, NULL, NULL, &err) < 0 ||
      tug_client_list(ctx->client, path, &lo, &list, &err) < 0) {
    cli_fail(ctx, &err);
    return NULL;
  }
  json_t *out = json_array();
  bool refused = false;
  size_t i;
  json_t *p;
  json_array_foreach(json_object_get(list, "items"), i, p) {
    const char *why;
    cli_drain_action a = cli_drain_filter(p, f, &why);
    if (why)
      fprintf(a == CLI_DRAIN_REFUSE ? stderr : stdout, "%s: %s: %s/%s\n",
              a == CLI_DRAIN_REFUSE ? "error" : "Warning", why, tug_obj_namespace(p),
              tug_obj_name(p));
    refused = refused || a == CLI_DRAIN_REFUSE;
    if (a == CLI_DRAIN_REMOVE)
      json_array_append(out, p);
  }
  if (refused) {
    fprintf(stderr, "error: unable to drain node \"%s\": some pods cannot be removed\n", node);
    json_decref(out);
    return NULL;
  }
  return out;
}

/* Ask for l's pod to go: 1 accepted (or already gone), 0 to retry (429), -1 failed. */
static int ask(cli_ctx *ctx, leaving *l, bool evict) {
  const json_t *pod = l->pod;
  int grace = ctx->opts.grace_period;
  tug_error err = {0};
  if (!evict) {
    tug_delete_options d = {
        .uid = tug_obj_uid(pod), .grace_set = grace >= 0, .grace_seconds = grace};
    int rc = tug_client_delete_with(ctx->client, l->path, &d, &err);
    return rc >= 0 || err.code == ENOENT ? 1 : (cli_fail(ctx, &err), -1);
  }
  _cleanup_json_ json_t *ev =
      json_pack("{s:s, s:s, s:{s:s, s:s}, s:{s:{s:s}}}", "apiVersion", "policy/v1", "kind",
                "Eviction", "metadata", "name", tug_obj_name(pod), "namespace",
                tug_obj_namespace(pod), "deleteOptions", "preconditions", "uid", tug_obj_uid(pod));
  if (grace >= 0)
    tug_obj_set(ev, "deleteOptions.gracePeriodSeconds", json_integer(grace), NULL);
  char path[600];
  snprintf(path, sizeof path, "%s/eviction", l->path);
  tug_request req = {.method = "POST", .path = path, .body = ev};
  tug_response resp = {0};
  int rc = tug_client_do(ctx->client, &req, &resp, &err);
  long code = resp.code;
  const char *msg = tug_obj_get_str(resp.body, "message");
  if (code == 429)
    printf("error when evicting pods/\"%s\" -n \"%s\" (will retry after %ds): %s\n",
           tug_obj_name(pod), tug_obj_namespace(pod), RETRY_AFTER_429_S, msg ? msg : "");
  tug_response_clear(&resp);
  if (rc >= 0 || code == 404)
    return 1;
  if (code == 429)
    return 0;
  fprintf(stderr, "error when evicting pods/\"%s\" -n \"%s\": %s\n", tug_obj_name(pod),
          tug_obj_namespace(pod), err.msg);
  return -1;
}

/* Whether l's pod is gone: not found, or another pod of that name. */
static bool is_gone(cli_ctx *ctx, const leaving *l) {
  tug_error err = {0};
  _cleanup_json_ json_t *now = NULL;
  if (tug_client_get(ctx->client, l->path, &now, &err) < 0)
    return err.code == ENOENT;
  const char *uid = tug_obj_uid(now), *was = tug_obj_uid(l->pod);
  return uid && was && strcmp(uid, was) != 0;
}

/* One round over the pods still there; how many are left, -1 on a failure.
 * *wait: a 429 asked to come back later. */
static int drain_round(cli_ctx *ctx, leaving *ls, size_t n, bool evict, bool *wait) {
  int left = 0;
  *wait = false;
  for (size_t i = 0; i < n; i++) {
    leaving *l = &ls[i];
    if (!l->asked) {
      int rc = ask(ctx, l, evict);
      if (rc < 0)
        return -1;
      l->asked = rc == 1;
      *wait = *wait || rc == 0;
    }
    if (l->asked && !l->gone && is_gone(ctx, l)) {
      l->gone = true;
      printf("pod/%s %s\n", tug_obj_name(l->pod), evict ? "evicted" : "deleted");
    }
    left += !l->gone;
  }
  fflush(stdout);
  return left;
}

static int remove_all(cli_ctx *ctx, const char *node, json_t *pods, double timeout_s) {
  size_t n = json_array_size(pods);
  bool evict = !ctx->opts.disable_eviction;
  _cleanup_free_ leaving *ls = calloc(n ? n : 1, sizeof *ls);
  if (ls == NULL)
    return cli_failf("out of memory");
  for (size_t i = 0; i < n; i++) {
    ls[i].pod = json_array_get(pods, i);
    tug_error err = {0};
    if (tug_api_path(ls[i].path, sizeof ls[i].path, "Pod", tug_obj_namespace(ls[i].pod),
                     tug_obj_name(ls[i].pod), NULL, &err) < 0)
      return cli_fail(ctx, &err);
    printf("%s pod %s/%s\n", evict ? "evicting" : "deleting", tug_obj_namespace(ls[i].pod),
           tug_obj_name(ls[i].pod));
  }
  time_t start = time(NULL);
  for (;;) {
    bool wait;
    int left = drain_round(ctx, ls, n, evict, &wait);
    if (left <= 0)
      return left < 0;
    if (timeout_s > 0 && difftime(time(NULL), start) >= timeout_s) {
      fprintf(stderr,
              "error: unable to drain node \"%s\" due to error: global timeout reached: %gs, "
              "%d pods left\n",
              node, timeout_s, left);
      return 1;
    }
    sleep(wait ? RETRY_AFTER_429_S : 1);
  }
}

int cmd_drain(cli_ctx *ctx) {
  const char *node = one_node(ctx, "drain");
  if (node == NULL)
    return 1;
  double timeout_s = 0;
  tug_error err = {0};
  if (ctx->opts.drain_timeout && cli_parse_duration(ctx->opts.drain_timeout, &timeout_s, &err) < 0)
    return cli_fail(ctx, &err);
  if (set_unschedulable(ctx, node, true) != 0)
    return 1;
  cli_drain_flags f = {ctx->opts.ignore_daemonsets, ctx->opts.delete_emptydir_data,
                       ctx->opts.force};
  _cleanup_json_ json_t *pods = pods_to_remove(ctx, node, &f);
  if (pods == NULL)
    return 1;
  if (remove_all(ctx, node, pods, timeout_s) != 0)
    return 1;
  printf("node/%s drained\n", node);
  return 0;
}
