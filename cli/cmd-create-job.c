/*
 * cmd-create-job.c — `tug create job NAME --from=cronjob/CJ`: run a CronJob
 * now, outside its schedule.
 *
 * The Job is what kubectl makes: the CronJob's jobTemplate (labels,
 * annotations, spec), the annotation cronjob.kubernetes.io/instantiate=manual,
 * and an owner reference to the CronJob with controller=true but without
 * blockOwnerDeletion, so the CronJob counts it among its active runs.
 */
#include <string.h>

#include "cleanup.h"
#include "cli.h"
#include "kinds.h"
#include "object.h"

static json_t *job_from(const json_t *cj, const char *name) {
  json_t *annotations = json_pack("{s:s}", "cronjob.kubernetes.io/instantiate", "manual");
  json_object_update(annotations, tug_obj_get(cj, "spec.jobTemplate.metadata.annotations"));
  json_t *meta =
      json_pack("{s:s, s:o, s:[{s:s, s:s, s:s, s:s, s:b}]}", "name", name, "annotations",
                annotations, "ownerReferences", "apiVersion", "batch/v1", "kind", "CronJob", "name",
                tug_obj_name(cj), "uid", tug_obj_uid(cj), "controller", 1);
  json_t *labels = tug_obj_get(cj, "spec.jobTemplate.metadata.labels");
  if (json_is_object(labels))
    json_object_set(meta, "labels", labels);
  json_t *spec = json_deep_copy(tug_obj_get(cj, "spec.jobTemplate.spec"));
  return json_pack("{s:s, s:s, s:o, s:o}", "apiVersion", "batch/v1", "kind", "Job", "metadata",
                   meta, "spec", spec ? spec : json_object());
}

int cli_create_job_from(cli_ctx *ctx, const char *name, const char *from) {
  const char *slash = strchr(from, '/');
  tug_error err = {0};
  cli_resource res;
  char word[128];
  if (slash == NULL || slash == from || (size_t)(slash - from) >= sizeof word || !slash[1])
    return cli_failf("create job: --from wants cronjob/NAME, not %s", from);
  memcpy(word, from, (size_t)(slash - from));
  word[slash - from] = '\0';
  if (cli_client(ctx, &err) == NULL || cli_resolve(ctx, word, &res, &err) < 0)
    return cli_fail(ctx, &err);
  if (strcmp(res.kind, "CronJob") != 0)
    return cli_failf("create job: from must be an existing cronjob: %s", from);
  char path[512];
  _cleanup_json_ json_t *cj = NULL, *made = NULL;
  if (tug_api_path(path, sizeof path, "CronJob", ctx->namespace, slash + 1, NULL, &err) < 0 ||
      tug_client_get(ctx->client, path, &cj, &err) < 0)
    return cli_fail(ctx, &err);
  _cleanup_json_ json_t *job = job_from(cj, name);
  if (tug_api_path(path, sizeof path, "Job", ctx->namespace, NULL, NULL, &err) < 0 ||
      tug_client_create(ctx->client, path, job, &made, &err) < 0)
    return cli_fail(ctx, &err);
  printf("job.batch/%s created\n", name);
  return 0;
}
