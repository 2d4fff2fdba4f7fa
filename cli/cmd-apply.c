/*
 * cmd-apply.c — `tug apply` and `tug diff`: manifests in, objects created or
 * patched (three-way, see apply-plan.h), in dependency order.
 *
 * A file is applied all or nothing as far as the server can tell beforehand:
 * every document is first checked locally (kind served, name present) and then
 * written with ?dryRun=All; a file with a bad document is skipped whole, with
 * the document named, unless --continue-on-error, which skips only the bad
 * documents. The real writes follow, namespaces and quotas first.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "apply-plan.h"
#include "cleanup.h"
#include "cli.h"
#include "manifests.h"
#include "object.h"
#include "printer.h"

extern char **environ;

typedef enum { APPLY_CREATED, APPLY_CONFIGURED, APPLY_UNCHANGED } apply_result;

static const char *const result_words[] = {"created", "configured", "unchanged"};

/* The object as it will be sent: namespace filled in, last-applied annotation set. */
static json_t *prepare(cli_ctx *ctx, const json_t *obj, const cli_resource *r, tug_error *err) {
  _cleanup_json_ json_t *copy = json_deep_copy(obj);
  if (copy == NULL)
    return tug_error_set(err, ENOMEM, "copy object"), NULL;
  if (r->namespaced && tug_obj_namespace(copy) == NULL &&
      tug_obj_set_namespace(copy, ctx->namespace, err) < 0)
    return NULL;
  json_t *out = cli_apply_annotate(copy);
  if (out == NULL)
    tug_error_set(err, ENOMEM, "annotate object");
  return out;
}

static int check_local(cli_ctx *ctx, const json_t *obj, cli_resource *r, tug_error *err) {
  const char *name = tug_obj_name(obj);
  if (name == NULL || name[0] == '\0')
    return tug_error_set(err, EINVAL, "%s has no metadata.name (apply needs one)",
                         tug_obj_kind(obj));
  return cli_resolve_kind(ctx, tug_obj_api_version(obj), tug_obj_kind(obj), r, err);
}

/*
 * Create or patch one object. dry: send ?dryRun=All. *merged (may be NULL)
 * gets what the server answered (the object after the write) and *live what
 * was there before (NULL when it did not exist).
 */
static int apply_one(cli_ctx *ctx, const json_t *obj, bool dry, apply_result *res,
                     json_t **live_out, json_t **merged, tug_error *err) {
  cli_resource r;
  if (check_local(ctx, obj, &r, err) < 0)
    return -1;
  _cleanup_json_ json_t *want = prepare(ctx, obj, &r, err);
  if (want == NULL)
    return -1;
  const char *ns = tug_obj_namespace(want);
  _cleanup_free_ char *path = cli_resource_path(&r, ns, tug_obj_name(want), NULL);
  _cleanup_free_ char *coll = cli_resource_path(&r, ns, NULL, NULL);
  if (path == NULL || coll == NULL)
    return tug_error_set(err, ENOMEM, "object path");
  const char *kv[] = {"dryRun", dry ? "All" : NULL, "fieldManager", "tug-client-side-apply", NULL};
  _cleanup_free_ char *coll_q = tug_client_path_query(coll, kv);
  _cleanup_free_ char *path_q = tug_client_path_query(path, kv);
  if (coll_q == NULL || path_q == NULL)
    return tug_error_set(err, ENOMEM, "object path");
  _cleanup_json_ json_t *live = NULL;
  tug_error gerr = {0};
  json_t *answer = NULL;
  if (tug_client_get(ctx->client, path, &live, &gerr) < 0) {
    if (gerr.code != ENOENT) {
      *err = gerr;
      return -1;
    }
    if (tug_client_create(ctx->client, coll_q, want, &answer, err) < 0)
      return -1;
    *res = APPLY_CREATED;
  } else {
    const char *last = tug_obj_annotation(live, CLI_LAST_APPLIED);
    _cleanup_json_ json_t *original = last ? json_loads(last, 0, NULL) : NULL;
    _cleanup_json_ json_t *patch = cli_apply_patch(original, want, live);
    if (patch == NULL)
      return tug_error_set(err, ENOMEM, "compute patch");
    if (json_object_size(patch) == 0) {
      *res = APPLY_UNCHANGED;
      answer = json_incref(live);
    } else {
      if (tug_client_patch(ctx->client, path_q, TUG_PATCH_MERGE, patch, &answer, err) < 0)
        return -1;
      *res = APPLY_CONFIGURED;
    }
  }
  if (merged)
    *merged = answer;
  else
    json_decref(answer);
  if (live_out)
    *live_out = tug_steal_ptr(&live);
  return 0;
}

/* Namespaces this apply creates: a dry run inside one of them cannot succeed yet. */
static bool namespace_in_set(const cli_manifests *m, const char *ns) {
  for (size_t i = 0; i < m->n && ns; i++) {
    const json_t *o = json_array_get(m->objs, i);
    const char *kind = tug_obj_kind(o);
    if (kind && strcmp(kind, "Namespace") == 0 && tug_obj_name(o) &&
        strcmp(tug_obj_name(o), ns) == 0)
      return true;
  }
  return false;
}

/* Dry-run every document; mark what must be skipped. Returns the number of bad documents. */
static int precheck(cli_ctx *ctx, cli_manifests *m) {
  int bad = 0;
  for (size_t i = 0; i < m->n; i++) {
    const json_t *obj = json_array_get(m->objs, i);
    apply_result res;
    tug_error err = {0};
    if (apply_one(ctx, obj, true, &res, NULL, NULL, &err) == 0)
      continue;
    if (err.code == ENOENT && strstr(err.msg, "namespace") &&
        namespace_in_set(m, cli_object_namespace(ctx, obj)))
      continue;
    if (err.code == TUG_E_UNAVAILABLE || err.code == ETIMEDOUT)
      return cli_fail(ctx, &err), -1;
    char w[600];
    fprintf(stderr, "error: %s: %s\n", cli_manifest_where(&m->origins[i], w, sizeof w), err.msg);
    bad++;
    for (size_t j = 0; j < m->n; j++)
      if (ctx->opts.continue_on_error ? j == i
                                      : strcmp(m->origins[j].file, m->origins[i].file) == 0)
        m->skip[j] = true;
  }
  return bad;
}

static bool dry_run_flag(cli_ctx *ctx, int *rc) {
  const char *d = ctx->opts.dry_run;
  *rc = 0;
  if (d == NULL || strcmp(d, "none") == 0)
    return false;
  if (strcmp(d, "server") == 0)
    return true;
  *rc = cli_failf("--dry-run=%s: tug supports --dry-run=server (or none)", d);
  return false;
}

int cmd_apply(cli_ctx *ctx) {
  int rc;
  bool dry = dry_run_flag(ctx, &rc);
  if (rc)
    return rc;
  tug_error err = {0};
  cli_manifests m;
  if (cli_manifests_load(ctx, &m, &err) < 0 || cli_client(ctx, &err) == NULL) {
    cli_manifests_free(&m);
    return cli_fail(ctx, &err);
  }
  int bad = precheck(ctx, &m);
  if (bad < 0) {
    cli_manifests_free(&m);
    return 1;
  }
  _cleanup_free_ size_t *order = calloc(m.n + 1, sizeof *order);
  if (order == NULL) {
    cli_manifests_free(&m);
    return cli_failf("out of memory");
  }
  cli_apply_order(m.objs, order);
  int failed = bad > 0;
  for (size_t k = 0; k < m.n; k++) {
    size_t i = order[k];
    if (m.skip[i])
      continue;
    apply_result res;
    const json_t *obj = json_array_get(m.objs, i);
    if (apply_one(ctx, obj, dry, &res, NULL, NULL, &err) < 0) {
      char w[600];
      fprintf(stderr, "error: %s: %s\n", cli_manifest_where(&m.origins[i], w, sizeof w), err.msg);
      failed = 1;
      if (!ctx->opts.continue_on_error)
        break;
      continue;
    }
    cli_resource r;
    char ref[300];
    cli_resolve_kind(ctx, tug_obj_api_version(obj), tug_obj_kind(obj), &r, &err);
    printf("%s/%s %s%s\n", cli_resource_ref(&r, ref, sizeof ref), tug_obj_name(obj),
           result_words[res], dry ? " (server dry run)" : "");
  }
  if (bad > 0 && !ctx->opts.continue_on_error)
    fprintf(stderr, "error: %d bad document%s: nothing was applied from %s\n", bad,
            bad == 1 ? "" : "s", bad == 1 ? "its file" : "their files");
  cli_manifests_free(&m);
  return failed;
}

/* ---- diff ---- */

/* What differs on every write and would only be noise in a diff. */
static void strip_noise(json_t *o) {
  tug_obj_del(o, "metadata.resourceVersion");
  tug_obj_del(o, "metadata.generation");
  tug_obj_del(o, "metadata.managedFields");
}

static int write_yaml(const char *dir, const char *file, json_t *obj) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  /* Live objects may be Secrets: readable by their owner alone. */
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  _cleanup_fclose_ FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
  if (f == NULL) {
    if (fd >= 0)
      close(fd);
    return -1;
  }
  if (obj) {
    strip_noise(obj);
    cli_print_yaml(f, obj);
  }
  return 0;
}

/* kubectl diff's exit codes: 0 no differences, 1 differences, >1 an error. */
enum { DIFF_SAME = 0, DIFF_ERROR = 2 };

/* diff(1) answers with the same codes. */
static int run_diff(const char *a, const char *b) {
  char *argv[] = {"diff", "-u", "-N", "-r", (char *)a, (char *)b, NULL};
  pid_t pid;
  if (posix_spawnp(&pid, "diff", NULL, NULL, argv, environ) != 0)
    return cli_failf("cannot run diff(1)"), DIFF_ERROR;
  int st;
  if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
    return DIFF_ERROR;
  return WEXITSTATUS(st);
}

static void remove_tree(const char *dir, const char *a, const char *b) {
  char *argv[] = {"rm", "-rf", (char *)a, (char *)b, (char *)dir, NULL};
  pid_t pid;
  if (posix_spawnp(&pid, "rm", NULL, NULL, argv, environ) == 0)
    waitpid(pid, NULL, 0);
}

int cmd_diff(cli_ctx *ctx) {
  tug_error err = {0};
  cli_manifests m;
  if (cli_manifests_load(ctx, &m, &err) < 0 || cli_client(ctx, &err) == NULL) {
    cli_manifests_free(&m);
    cli_fail(ctx, &err);
    return DIFF_ERROR;
  }
  char dir[] = "/tmp/tug-diff-XXXXXX";
  if (mkdtemp(dir) == NULL) {
    cli_manifests_free(&m);
    cli_failf("make a temporary directory: %s", strerror(errno));
    return DIFF_ERROR;
  }
  char live_dir[64], merged_dir[64];
  snprintf(live_dir, sizeof live_dir, "%s/LIVE", dir);
  snprintf(merged_dir, sizeof merged_dir, "%s/MERGED", dir);
  mkdir(live_dir, 0700);
  mkdir(merged_dir, 0700);
  int rc = DIFF_SAME;
  for (size_t i = 0; i < m.n && rc == DIFF_SAME; i++) {
    const json_t *obj = json_array_get(m.objs, i);
    apply_result res;
    _cleanup_json_ json_t *live = NULL, *merged = NULL;
    if (apply_one(ctx, obj, true, &res, &live, &merged, &err) < 0) {
      char w[600];
      fprintf(stderr, "error: %s: %s\n", cli_manifest_where(&m.origins[i], w, sizeof w), err.msg);
      rc = DIFF_ERROR;
      break;
    }
    char file[600];
    const char *ns = tug_obj_namespace(merged);
    snprintf(file, sizeof file, "%s.%s.%s.%s", tug_obj_kind(obj), tug_obj_api_version(obj),
             ns ? ns : "", tug_obj_name(obj));
    for (char *p = file; *p; p++)
      if (*p == '/')
        *p = '.';
    if (live)
      write_yaml(live_dir, file, live);
    write_yaml(merged_dir, file, merged);
  }
  if (rc == DIFF_SAME) {
    fflush(stdout);
    rc = run_diff(live_dir, merged_dir);
  }
  remove_tree(dir, live_dir, merged_dir);
  cli_manifests_free(&m);
  return rc;
}
