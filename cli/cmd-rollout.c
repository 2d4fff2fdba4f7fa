/*
 * cmd-rollout.c — `tug rollout status|history|undo deployment/NAME`,
 * `tug rollout status daemonset/NAME` (kubectl's messages for both), and
 * history and undo of daemonset/NAME and statefulset/NAME
 * (rollout-revisions.c).
 *
 * A Deployment's history is its ReplicaSets: each carries the revision it was
 * in the annotation deployment.kubernetes.io/revision. Undo copies the chosen
 * ReplicaSet's pod template back into the Deployment (without the
 * pod-template-hash label), as kubectl does; the controller does the rest.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli.h"
#include "object.h"
#include "kinds.h"
#include "rollout-revisions.h"

#define REVISION_ANN "deployment.kubernetes.io/revision"

enum { POLL_MS = 500, DEFAULT_TIMEOUT_S = 300 };

/* What `rollout status` waits on: the kind, kubectl's word for it, and its
 * progress message (NULL when the rollout is done). */
typedef struct rollout_kind {
  const char *plural, *kind, *word;
  const char *(*progress)(const json_t *obj, char *buf, size_t size);
} rollout_kind;

static int get_apps(cli_ctx *ctx, const rollout_kind *k, const char *name, json_t **out,
                    tug_error *err) {
  cli_resource d = {.group = "apps", .version = "v1", .namespaced = true};
  snprintf(d.name, sizeof d.name, "%s", k->plural);
  snprintf(d.kind, sizeof d.kind, "%s", k->kind);
  _cleanup_free_ char *path = cli_resource_path(&d, ctx->namespace, name, NULL);
  if (path == NULL)
    return tug_error_set(err, ENOMEM, "out of memory");
  return tug_client_get(ctx->client, path, out, err);
}

static const char *deployment_progress(const json_t *d, char *buf, size_t size);
static const char *daemonset_progress(const json_t *ds, char *buf, size_t size);

static const rollout_kind deployments = {"deployments", "Deployment", "deployment",
                                         deployment_progress};
static const rollout_kind daemonsets = {"daemonsets", "DaemonSet", "daemon set",
                                        daemonset_progress};

static int get_deployment(cli_ctx *ctx, const char *name, json_t **out, tug_error *err) {
  return get_apps(ctx, &deployments, name, out, err);
}

/* kubectl's DaemonSetStatusViewer. */
static const char *daemonset_progress(const json_t *ds, char *buf, size_t size) {
  const char *name = tug_obj_name(ds);
  int64_t gen = tug_obj_get_int(ds, "metadata.generation", 0);
  int64_t observed = tug_obj_get_int(ds, "status.observedGeneration", 0);
  int64_t desired = tug_obj_get_int(ds, "status.desiredNumberScheduled", 0);
  int64_t updated = tug_obj_get_int(ds, "status.updatedNumberScheduled", 0);
  int64_t available = tug_obj_get_int(ds, "status.numberAvailable", 0);
  if (observed < gen)
    snprintf(buf, size, "Waiting for daemon set spec update to be observed...");
  else if (updated < desired)
    snprintf(buf, size,
             "Waiting for daemon set \"%s\" rollout to finish: %lld out of %lld new pods have "
             "been updated...",
             name, (long long)updated, (long long)desired);
  else if (available < desired)
    snprintf(buf, size,
             "Waiting for daemon set \"%s\" rollout to finish: %lld of %lld updated pods are "
             "available...",
             name, (long long)available, (long long)desired);
  else
    return NULL;
  return buf;
}

/* kubectl's DeploymentStatusViewer. */
static const char *deployment_progress(const json_t *d, char *buf, size_t size) {
  const char *name = tug_obj_name(d);
  int64_t gen = tug_obj_get_int(d, "metadata.generation", 0);
  int64_t observed = tug_obj_get_int(d, "status.observedGeneration", 0);
  int64_t want = tug_obj_get_int(d, "spec.replicas", 1);
  int64_t updated = tug_obj_get_int(d, "status.updatedReplicas", 0);
  int64_t total = tug_obj_get_int(d, "status.replicas", 0);
  int64_t available = tug_obj_get_int(d, "status.availableReplicas", 0);
  if (observed < gen)
    snprintf(buf, size, "Waiting for deployment spec update to be observed...");
  else if (updated < want)
    snprintf(buf, size,
             "Waiting for deployment \"%s\" rollout to finish: %lld out of %lld new replicas "
             "have been updated...",
             name, (long long)updated, (long long)want);
  else if (total > updated)
    snprintf(buf, size,
             "Waiting for deployment \"%s\" rollout to finish: %lld old replicas are pending "
             "termination...",
             name, (long long)(total - updated));
  else if (available < updated)
    snprintf(buf, size,
             "Waiting for deployment \"%s\" rollout to finish: %lld of %lld updated replicas "
             "are available...",
             name, (long long)available, (long long)updated);
  else
    return NULL;
  return buf;
}

static int status(cli_ctx *ctx, const rollout_kind *k, const char *name) {
  long limit = ctx->opts.timeout_s > 0 ? ctx->opts.timeout_s : DEFAULT_TIMEOUT_S;
  time_t deadline = time(NULL) + limit;
  char last[512] = "", msg[512];
  for (;;) {
    tug_error err = {0};
    _cleanup_json_ json_t *d = NULL;
    if (get_apps(ctx, k, name, &d, &err) < 0)
      return cli_fail(ctx, &err);
    const char *type = tug_obj_get_str(d, "spec.updateStrategy.type");
    if (k == &daemonsets && type && strcmp(type, "RollingUpdate") != 0)
      return cli_failf("rollout status is only available for RollingUpdate strategy type");
    if (k->progress(d, msg, sizeof msg) == NULL) {
      printf("%s \"%s\" successfully rolled out\n", k->word, name);
      return 0;
    }
    if (strcmp(msg, last) != 0) {
      printf("%s\n", msg);
      fflush(stdout);
      snprintf(last, sizeof last, "%s", msg);
    }
    if (time(NULL) >= deadline)
      return cli_failf("timed out after %lds waiting for the rollout of \"%s\"", limit, name);
    usleep(POLL_MS * 1000);
  }
}

static long revision_of(const json_t *rs) {
  const char *r = tug_obj_annotation(rs, REVISION_ANN);
  return r ? strtol(r, NULL, 10) : 0;
}

static int by_revision(const void *a, const void *b) {
  long x = revision_of(*(json_t *const *)a), y = revision_of(*(json_t *const *)b);
  return x < y ? -1 : x > y;
}

static bool owned_by(const json_t *rs, const char *uid) {
  size_t i;
  json_t *ref;
  json_array_foreach(tug_obj_get(rs, "metadata.ownerReferences"), i, ref) {
    const char *u = tug_obj_get_str(ref, "uid");
    if (u && uid && strcmp(u, uid) == 0)
      return true;
  }
  return false;
}

/* The Deployment's ReplicaSets sorted by revision. */
typedef struct rs_history {
  json_t *list; /* the namespace's ReplicaSetList, which rs points into */
  json_t **rs;
  size_t n;
} rs_history;

static void rs_history_clear(rs_history *h) {
  json_decref(h->list);
  free(h->rs);
}

/* Fill h; prints the error and returns 1 (the exit code) on failure. */
static int history(cli_ctx *ctx, const json_t *d, rs_history *h) {
  tug_error err = {0};
  char path[512];
  *h = (rs_history){0};
  if (tug_api_path(path, sizeof path, "ReplicaSet", tug_obj_namespace(d), NULL, NULL, &err) < 0 ||
      tug_client_list(ctx->client, path, NULL, &h->list, &err) < 0)
    return cli_fail(ctx, &err);
  json_t *items = json_object_get(h->list, "items");
  h->rs = calloc(json_array_size(items) + 1, sizeof *h->rs);
  if (h->rs == NULL)
    return cli_failf("out of memory");
  size_t i;
  json_t *it;
  json_array_foreach(items, i, it) {
    if (owned_by(it, tug_obj_uid(d)))
      h->rs[h->n++] = it;
  }
  qsort(h->rs, h->n, sizeof *h->rs, by_revision);
  return 0;
}

static int print_history(cli_ctx *ctx, const json_t *d) {
  __attribute__((cleanup(rs_history_clear))) rs_history h;
  if (history(ctx, d, &h) != 0)
    return 1;
  size_t n = h.n;
  json_t **rs = h.rs;
  printf("deployment.apps/%s\nREVISION  CHANGE-CAUSE\n", tug_obj_name(d));
  for (size_t i = 0; i < n; i++) {
    const char *cause = tug_obj_annotation(rs[i], "kubernetes.io/change-cause");
    printf("%-9ld %s\n", revision_of(rs[i]), cause ? cause : "<none>");
  }
  return 0;
}

static int undo(cli_ctx *ctx, json_t *d) {
  __attribute__((cleanup(rs_history_clear))) rs_history h;
  if (history(ctx, d, &h) != 0)
    return 1;
  tug_error err = {0};
  size_t n = h.n;
  json_t **rs = h.rs;
  long want = ctx->opts.to_revision ? strtol(ctx->opts.to_revision, NULL, 10) : 0;
  long current = tug_obj_annotation(d, REVISION_ANN)
                     ? strtol(tug_obj_annotation(d, REVISION_ANN), NULL, 10)
                     : (n ? revision_of(rs[n - 1]) : 0);
  const json_t *target = NULL;
  for (size_t i = n; i > 0 && target == NULL; i--) {
    long rev = revision_of(rs[i - 1]);
    if (want ? rev == want : rev != current && rev > 0)
      target = rs[i - 1];
  }
  if (target == NULL)
    return want ? cli_failf("unable to find the specified revision %ld", want)
                : cli_failf("no rollout history found for deployment \"%s\"", tug_obj_name(d));
  _cleanup_json_ json_t *tmpl = json_deep_copy(tug_obj_get(target, "spec.template"));
  json_t *labels = tug_obj_labels(tmpl);
  if (labels)
    json_object_del(labels, "pod-template-hash");
  if (tmpl == NULL || tug_obj_set(d, "spec.template", tug_steal_ptr(&tmpl), &err) < 0)
    return cli_fail(ctx, &err);
  char path[768];
  if (tug_obj_path(path, sizeof path, d, NULL, &err) < 0 ||
      tug_client_update(ctx->client, path, d, NULL, &err) < 0)
    return cli_fail(ctx, &err);
  printf("deployment.apps/%s rolled back\n", tug_obj_name(d));
  return 0;
}

static const rollout_kind statefulsets = {"statefulsets", "StatefulSet", "statefulset", NULL};

/* history and undo of the kinds whose history is ControllerRevisions. */
static int revisions_verb(cli_ctx *ctx, const char *what, const rollout_kind *k, const char *name) {
  tug_error err = {0};
  _cleanup_json_ json_t *owner = NULL;
  char word[64]; /* kubectl's "daemonset.apps" */
  snprintf(word, sizeof word, "%.*s.apps", (int)strlen(k->plural) - 1, k->plural);
  if (get_apps(ctx, k, name, &owner, &err) < 0)
    return cli_fail(ctx, &err);
  if (strcmp(what, "history") == 0)
    return cli_rollout_revisions_history(ctx, owner, word);
  if (strcmp(what, "undo") == 0)
    return cli_rollout_revisions_undo(ctx, owner, word);
  return cli_failf("rollout %s: want status, history or undo", what);
}

int cmd_rollout(cli_ctx *ctx) {
  const cli_opts *o = &ctx->opts;
  if (o->npos < 2)
    return cli_failf("rollout: want status, history or undo and deployment/NAME");
  const char *what = o->pos[0], *target = o->pos[1];
  const char *name = strchr(target, '/');
  char word[64] = "";
  snprintf(word, sizeof word, "%.*s", name ? (int)(name - target) : (int)strlen(target), target);
  if (name == NULL && o->npos == 3)
    name = o->pos[2];
  else if (name)
    name++;
  if (name == NULL || name[0] == '\0')
    return cli_failf("rollout %s: want deployment/NAME or daemonset/NAME", what);
  tug_error err = {0};
  if (cli_client(ctx, &err) == NULL)
    return cli_fail(ctx, &err);
  cli_resource res;
  if (cli_resolve(ctx, word, &res, &err) < 0)
    return cli_fail(ctx, &err);
  bool ds = strcmp(res.kind, "DaemonSet") == 0, sts = strcmp(res.kind, "StatefulSet") == 0;
  if (!ds && !sts && strcmp(res.kind, "Deployment") != 0)
    return cli_failf("rollout %s: tug rolls out deployments, daemon sets and stateful sets, not %s",
                     what, res.name);
  if (strcmp(what, "status") == 0 && sts)
    return cli_failf("rollout status: tug waits on deployments and daemon sets, not stateful sets");
  if (strcmp(what, "status") == 0)
    return status(ctx, ds ? &daemonsets : &deployments, name);
  if (ds || sts)
    return revisions_verb(ctx, what, ds ? &daemonsets : &statefulsets, name);
  _cleanup_json_ json_t *d = NULL;
  if (get_deployment(ctx, name, &d, &err) < 0)
    return cli_fail(ctx, &err);
  if (strcmp(what, "history") == 0)
    return print_history(ctx, d);
  if (strcmp(what, "undo") == 0)
    return undo(ctx, d);
  return cli_failf("rollout %s: want status, history or undo", what);
}
