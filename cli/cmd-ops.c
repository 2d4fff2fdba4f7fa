/*
 * cmd-ops.c — the small verbs that change one object: scale, patch, label,
 * create namespace; and version.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "cli.h"
#include "object.h"
#include "selector.h"
#include "kinds.h"

/* PATCH one object and print "KIND/NAME WORD". */
static int patch_and_say(cli_ctx *ctx, const cli_target *t, tug_patch_type type,
                         const json_t *patch, const char *word) {
  tug_error err = {0};
  if (tug_client_patch(ctx->client, t->path, type, patch, NULL, &err) < 0)
    return cli_fail(ctx, &err);
  char ref[300];
  printf("%s/%s %s\n", cli_resource_ref(&t->res, ref, sizeof ref), t->name, word);
  return 0;
}

int cmd_scale(cli_ctx *ctx) {
  if (ctx->opts.replicas < 0)
    return cli_failf("scale: want --replicas N");
  if (ctx->opts.replicas > INT32_MAX)
    return cli_failf("scale: --replicas %ld is too large", ctx->opts.replicas);
  _cleanup_target_ cli_target t;
  if (cli_target_parse(ctx, &t) != 0)
    return 1;
  _cleanup_json_ json_t *patch =
      json_pack("{s:{s:I}}", "spec", "replicas", (json_int_t)ctx->opts.replicas);
  return patch_and_say(ctx, &t, TUG_PATCH_MERGE, patch, "scaled");
}

int cmd_patch(cli_ctx *ctx) {
  const char *type = ctx->opts.patch_type ? ctx->opts.patch_type : "strategic";
  tug_patch_type t;
  if (strcmp(type, "merge") == 0)
    t = TUG_PATCH_MERGE;
  else if (strcmp(type, "strategic") == 0)
    t = TUG_PATCH_STRATEGIC;
  else
    return cli_failf("patch --type %s: want merge or strategic (JSON patch is not served)", type);
  if (ctx->opts.patch == NULL)
    return cli_failf("patch: want -p '{\"spec\": ...}'");
  json_error_t jerr;
  _cleanup_json_ json_t *patch = json_loads(ctx->opts.patch, 0, &jerr);
  if (patch == NULL)
    return cli_failf("patch -p: not JSON: %s (column %d)", jerr.text, jerr.column);
  if (!json_is_object(patch))
    return cli_failf("patch -p: want a JSON object, got %s", tug_obj_type_name(patch));
  _cleanup_target_ cli_target target;
  if (cli_target_parse(ctx, &target) != 0)
    return 1;
  return patch_and_say(ctx, &target, t, patch, "patched");
}

/* "k=v" sets, "k-" removes; keys and values checked as the server will. */
static int label_patch(cli_ctx *ctx, int from, const json_t *live, json_t *labels) {
  for (int i = from; i < ctx->opts.npos; i++) {
    const char *arg = ctx->opts.pos[i];
    const char *eq = strchr(arg, '=');
    size_t n = strlen(arg);
    char key[320];
    const char *why = NULL;
    if (eq == NULL && n > 1 && arg[n - 1] == '-') {
      snprintf(key, sizeof key, "%.*s", (int)(n - 1), arg);
      json_object_set_new(labels, key, json_null());
      continue;
    }
    if (eq == NULL)
      return cli_failf("label %s: want key=value or key-", arg);
    snprintf(key, sizeof key, "%.*s", (int)(eq - arg), arg);
    if (!tug_label_key_valid(key, &why) || !tug_label_value_valid(eq + 1, &why))
      return cli_failf("label %s: %s", arg, why);
    const char *old = tug_obj_label(live, key);
    if (old && strcmp(old, eq + 1) != 0 && !ctx->opts.overwrite)
      return cli_failf("'%s' already has a value (%s), and --overwrite is false", key, old);
    json_object_set_new(labels, key, json_string(eq + 1));
  }
  return 0;
}

int cmd_label(cli_ctx *ctx) {
  _cleanup_target_ cli_target t;
  if (cli_target_parse(ctx, &t) != 0)
    return 1;
  if (t.next >= ctx->opts.npos)
    return cli_failf("label: want at least one key=value or key-");
  tug_error err = {0};
  _cleanup_json_ json_t *live = NULL;
  if (tug_client_get(ctx->client, t.path, &live, &err) < 0)
    return cli_fail(ctx, &err);
  _cleanup_json_ json_t *labels = json_object();
  if (label_patch(ctx, t.next, live, labels) != 0)
    return 1;
  _cleanup_json_ json_t *patch = json_pack("{s:{s:O}}", "metadata", "labels", labels);
  return patch_and_say(ctx, &t, TUG_PATCH_MERGE, patch, "labeled");
}

int cmd_create(cli_ctx *ctx) {
  const cli_opts *o = &ctx->opts;
  if (o->npos == 2 && strcmp(o->pos[0], "job") == 0 && o->from)
    return cli_create_job_from(ctx, o->pos[1], o->from);
  if (o->npos == 2 && strcmp(o->pos[0], "tenant") == 0)
    return cli_tenant_create(ctx, o->pos[1]);
  if (o->npos != 2 || (strcmp(o->pos[0], "namespace") != 0 && strcmp(o->pos[0], "ns") != 0))
    return cli_failf("create: tug creates namespaces (tug create namespace NAME) and jobs from "
                     "CronJobs (tug create job NAME --from=cronjob/CJ); use tug apply -f for "
                     "other objects");
  tug_error err = {0};
  if (cli_client(ctx, &err) == NULL)
    return cli_fail(ctx, &err);
  _cleanup_json_ json_t *ns = json_pack("{s:s, s:s, s:{s:s}}", "apiVersion", "v1", "kind",
                                        "Namespace", "metadata", "name", o->pos[1]);
  char path[64];
  if (tug_api_path(path, sizeof path, "Namespace", NULL, NULL, NULL, &err) < 0 ||
      tug_client_create(ctx->client, path, ns, NULL, &err) < 0)
    return cli_fail(ctx, &err);
  printf("namespace/%s created\n", o->pos[1]);
  return 0;
}

int cmd_version(cli_ctx *ctx) {
  printf("Client Version: %s\n", TUG_VERSION);
  tug_error err = {0};
  _cleanup_json_ json_t *v = NULL;
  if (cli_client(ctx, &err) == NULL || tug_client_get(ctx->client, "/version", &v, &err) < 0)
    return cli_fail(ctx, &err);
  const char *git = tug_obj_get_str(v, "gitVersion");
  printf("Server Version: %s\n", git ? git : "unknown");
  return 0;
}
