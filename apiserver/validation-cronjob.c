/*
 * validation-cronjob.c — CronJob: the cron schedule, its IANA time zone, the
 * concurrency policy, history limits, and the Job template, with Kubernetes'
 * defaults (Allow, not suspended, 3 successful and 1 failed Job kept).
 *
 * A zone inside the schedule (CRON_TZ=, TZ=) is refused, as Kubernetes does
 * for new objects: spec.timeZone is the one place a zone is named. The name
 * is kept to 52 characters so that "<name>-<minutes since the epoch>", the
 * name of each Job, stays a 63-character DNS label.
 */
#include <string.h>
#include <strings.h>

#include "cron.h"
#include "object.h"
#include "validation-internal.h"
#include "validation.h"

enum { CRONJOB_NAME_MAX = 52 };

void api_default_cronjob(json_t *obj) {
  json_t *spec = json_object_get(obj, "spec");
  if (!json_is_object(spec))
    return;
  val_default(spec, "concurrencyPolicy", json_string("Allow"));
  val_default(spec, "suspend", json_false());
  val_default(spec, "successfulJobsHistoryLimit", json_integer(3));
  val_default(spec, "failedJobsHistoryLimit", json_integer(1));
  json_t *job_spec = tug_obj_get(spec, "jobTemplate.spec");
  if (json_is_object(job_spec))
    val_default_pod_template(job_spec, VAL_JOB_TEMPLATE);
}

static void validate_schedule(const val_obj *spec) {
  const char *schedule = val_string_required(spec, "schedule");
  tug_cron c;
  tug_error err = {0};
  if (schedule == NULL)
    return;
  if (tug_cron_has_zone_prefix(schedule))
    val_invalid_str(spec, "schedule", schedule,
                    "cannot use TZ or CRON_TZ in schedule, use timeZone field instead");
  else if (tug_cron_parse(schedule, &c, &err) < 0)
    val_invalid_str(spec, "schedule", schedule, "%s", err.msg);
}

static void validate_time_zone(const val_obj *spec) {
  const char *zone = val_string(spec, "timeZone");
  tug_error err = {0};
  if (zone == NULL)
    return;
  if (zone[0] == '\0')
    val_invalid_str(spec, "timeZone", zone, "timeZone must be nil or non-empty string");
  else if (strcasecmp(zone, "Local") == 0)
    val_invalid_str(spec, "timeZone", zone,
                    "timeZone must be an explicit time zone as defined in "
                    "https://www.iana.org/time-zones");
  else if (tug_cron_zone_check(zone, &err) < 0)
    val_invalid_str(spec, "timeZone", zone, "%s", err.msg);
}

/* The Jobs' selector is generated from their uid, as for any Job. */
static void validate_job_template(const val_obj *spec) {
  val_obj tmpl, job_spec;
  if (!val_enter(&tmpl, spec, "jobTemplate")) {
    if (!val_present(spec, "jobTemplate"))
      val_required(spec, "jobTemplate", NULL);
    return;
  }
  val_obj meta;
  if (val_enter(&meta, &tmpl, "metadata"))
    val_labels_and_annotations(&meta);
  if (!val_enter(&job_spec, &tmpl, "spec")) {
    if (!val_present(&tmpl, "spec"))
      val_required(&tmpl, "spec", NULL);
    return;
  }
  if (val_present(&job_spec, "selector"))
    val_invalid(&job_spec, "selector", json_object_get(job_spec.json, "selector"),
                "`selector` will be auto-generated");
  else
    val_job_spec(&job_spec);
}

static void validate_name(const val_obj *root) {
  val_obj meta;
  const char *name = tug_obj_get_str(root->json, "metadata.name");
  if (name == NULL || strlen(name) <= CRONJOB_NAME_MAX)
    return;
  val_descend(&meta, root, "metadata", json_object_get(root->json, "metadata"));
  val_invalid_str(&meta, "name", name, "must be no more than %d characters", CRONJOB_NAME_MAX);
}

void api_validate_cronjob(const json_t *obj, const json_t *old, json_t *causes) {
  static const char *const policies[] = {"Allow", "Forbid", "Replace", NULL};
  val_obj root, spec;
  (void)old;
  val_root(&root, obj, causes);
  validate_name(&root);
  if (!val_enter(&spec, &root, "spec")) {
    if (!val_present(&root, "spec"))
      val_required(&root, "spec", NULL);
    return;
  }
  validate_schedule(&spec);
  validate_time_zone(&spec);
  if (val_present(&spec, "concurrencyPolicy"))
    val_enum(&spec, "concurrencyPolicy", policies);
  else
    val_required(&spec, "concurrencyPolicy", NULL);
  val_bool(&spec, "suspend");
  val_int_min(&spec, "startingDeadlineSeconds", 0, NULL);
  val_int_min(&spec, "successfulJobsHistoryLimit", 0, NULL);
  val_int_min(&spec, "failedJobsHistoryLimit", 0, NULL);
  validate_job_template(&spec);
}
