/*
 * table-cronjob.c — CronJob columns as kubectl 1.32 prints them: NAME
 * SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE, and wide CONTAINERS
 * IMAGES SELECTOR of the Job template.
 *
 * An unset timeZone prints "<none>", an unset suspend "<unset>" (kubectl's
 * printBoolPtr), a never-run CronJob's LAST SCHEDULE "<none>".
 */
#include "table-internal.h"
#include "table.h"

#include "object.h"

#define JOB_POD_SPEC "spec.jobTemplate.spec.template.spec"

static json_t *cronjob_schedule(const json_t *cj) {
  return table_str_cell(cj, "spec.schedule", "");
}

static json_t *cronjob_timezone(const json_t *cj) {
  return table_str_cell(cj, "spec.timeZone", "<none>");
}

static json_t *cronjob_suspend(const json_t *cj) {
  json_t *v = tug_obj_get(cj, "spec.suspend");
  if (!json_is_boolean(v))
    return table_text("<unset>");
  return table_text(json_is_true(v) ? "True" : "False");
}

static json_t *cronjob_active(const json_t *cj) {
  return json_integer((json_int_t)json_array_size(tug_obj_get(cj, "status.active")));
}

static json_t *cronjob_last_schedule(const json_t *cj) {
  const char *ts = tug_obj_get_str(cj, "status.lastScheduleTime");
  char buf[64];
  return table_text(ts ? table_since(ts, buf, sizeof buf) : "<none>");
}

static json_t *cronjob_containers(const json_t *cj) {
  return table_container_names(cj, JOB_POD_SPEC);
}

static json_t *cronjob_images(const json_t *cj) {
  return table_container_images(cj, JOB_POD_SPEC);
}

static json_t *cronjob_selector(const json_t *cj) {
  return table_selector_cell(cj, "spec.jobTemplate.spec.selector");
}

const api_column api_columns_cronjob[] = {
    TABLE_COLUMN_NAME,
    {"Schedule", "string", "", 0,
     "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.", cronjob_schedule},
    {"Timezone", "string", "", 0, "The time zone name for the given schedule.", cronjob_timezone},
    {"Suspend", "boolean", "", 0,
     "This flag tells the controller to suspend subsequent executions, it does not apply to "
     "already started executions.  Defaults to false.",
     cronjob_suspend},
    {"Active", "integer", "", 0, "A list of pointers to currently running jobs.", cronjob_active},
    {"Last Schedule", "string", "", 0,
     "Information when was the last time the job was successfully scheduled.",
     cronjob_last_schedule},
    TABLE_COLUMN_AGE,
    {"Containers", "string", "", 1, TABLE_DESC_CONTAINERS, cronjob_containers},
    {"Images", "string", "", 1, TABLE_DESC_IMAGES, cronjob_images},
    {"Selector", "string", "", 1, "A label query over pods that should match the pod count.",
     cronjob_selector},
    TABLE_COLUMN_END,
};
