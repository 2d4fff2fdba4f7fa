/*
 * rollout-revisions.c — history and undo over ControllerRevisions (see
 * rollout-revisions.h).
 *
 * An owner's revisions are the namespace's ControllerRevisions it controls
 * (a controller ownerReference with its uid); each holds, as data, the
 * strategic merge patch that puts its template back, which undo PATCHes into
 * the owner unchanged. The controller then makes that revision the newest.
 */
#include "rollout-revisions.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "controller.h"
#include "kinds.h"
#include "object.h"
#include "printer.h"

typedef struct revisions {
  json_t *list; /* the namespace's ControllerRevisionList, which rev points into */
  json_t **rev; /* the owner's, lowest revision first */
  size_t n;
} revisions;

static void revisions_clear(revisions *h) {
  json_decref(h->list);
  free(h->rev);
}

static int64_t number(const json_t *rev) {
  return tug_obj_get_int(rev, "revision", 0);
}

static int by_number(const void *a, const void *b) {
  int64_t x = number(*(json_t *const *)a), y = number(*(json_t *const *)b);
  return x < y ? -1 : x > y;
}

static bool controlled_by(const json_t *obj, const char *uid) {
  const char *u = tug_obj_get_str(tug_controller_ref(obj), "uid");
  return u && uid && strcmp(u, uid) == 0;
}

/* Fill h; prints the error and returns 1 (the exit code) on failure. */
static int load(cli_ctx *ctx, const json_t *owner, revisions *h) {
  tug_error err = {0};
  char path[512];
  *h = (revisions){0};
  if (tug_api_path(path, sizeof path, "ControllerRevision", tug_obj_namespace(owner), NULL, NULL,
                   &err) < 0 ||
      tug_client_list(ctx->client, path, NULL, &h->list, &err) < 0)
    return cli_fail(ctx, &err);
  json_t *items = json_object_get(h->list, "items");
  if ((h->rev = calloc(json_array_size(items) + 1, sizeof *h->rev)) == NULL)
    return cli_failf("out of memory");
  size_t i;
  json_t *it;
  json_array_foreach(items, i, it) {
    if (controlled_by(it, tug_obj_uid(owner)))
      h->rev[h->n++] = it;
  }
  qsort(h->rev, h->n, sizeof *h->rev, by_number);
  return 0;
}

static const json_t *numbered(const revisions *h, int64_t want) {
  for (size_t i = 0; i < h->n; i++)
    if (number(h->rev[i]) == want)
      return h->rev[i];
  return NULL;
}

static int print_one(const json_t *owner, const char *word, const json_t *rev) {
  _cleanup_json_ json_t *tmpl = json_deep_copy(tug_obj_get(rev, "data.spec.template"));
  json_object_del(tmpl, "$patch");
  printf("%s/%s with revision #%lld\nPod Template:\n", word, tug_obj_name(owner),
         (long long)number(rev));
  cli_print_yaml_indented(stdout, tmpl, 2);
  return 0;
}

int cli_rollout_revisions_history(cli_ctx *ctx, const json_t *owner, const char *word) {
  __attribute__((cleanup(revisions_clear))) revisions h;
  if (load(ctx, owner, &h) != 0)
    return 1;
  if (ctx->opts.revision) {
    int64_t want = strtoll(ctx->opts.revision, NULL, 10);
    const json_t *rev = numbered(&h, want);
    if (rev == NULL)
      return cli_failf("unable to find the specified revision");
    return print_one(owner, word, rev);
  }
  if (h.n == 0) {
    printf("No rollout history found.\n");
    return 0;
  }
  printf("%s/%s\nREVISION  CHANGE-CAUSE\n", word, tug_obj_name(owner));
  for (size_t i = 0; i < h.n; i++) {
    const char *cause = tug_obj_annotation(h.rev[i], "kubernetes.io/change-cause");
    printf("%-9lld %s\n", (long long)number(h.rev[i]), cause ? cause : "<none>");
  }
  printf("\n");
  return 0;
}

/* The data a revision of owner's template now would hold. */
static bool template_matches(const json_t *owner, const json_t *rev) {
  _cleanup_json_ json_t *tmpl = json_deep_copy(tug_obj_get(owner, "spec.template"));
  if (!json_is_object(tmpl))
    return false;
  json_object_set_new(tmpl, "$patch", json_string("replace"));
  return json_equal(tmpl, tug_obj_get(rev, "data.spec.template"));
}

int cli_rollout_revisions_undo(cli_ctx *ctx, const json_t *owner, const char *word) {
  __attribute__((cleanup(revisions_clear))) revisions h;
  if (load(ctx, owner, &h) != 0)
    return 1;
  int64_t want = ctx->opts.to_revision ? strtoll(ctx->opts.to_revision, NULL, 10) : 0;
  const json_t *to = NULL;
  if (want)
    to = numbered(&h, want);
  else if (h.n > 1)
    to = h.rev[h.n - 2];
  if (to == NULL)
    return want ? cli_failf("unable to find specified revision %lld in history", (long long)want)
                : cli_failf("no last history to roll back to");
  if (template_matches(owner, to)) {
    printf("%s/%s skipped rollback (current template already matches revision %lld)\n", word,
           tug_obj_name(owner), (long long)number(to));
    return 0;
  }
  tug_error err = {0};
  char path[768];
  if (tug_obj_path(path, sizeof path, owner, NULL, &err) < 0 ||
      tug_client_patch(ctx->client, path, TUG_PATCH_STRATEGIC, json_object_get(to, "data"), NULL,
                       &err) < 0)
    return cli_fail(ctx, &err);
  printf("%s/%s rolled back\n", word, tug_obj_name(owner));
  return 0;
}
