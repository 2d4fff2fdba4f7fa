/*
 * table-workloads.c — deployment, replica set and job columns as kubectl 1.32
 * prints them, wide CONTAINERS / IMAGES / SELECTOR included.
 *
 * A missing spec.replicas counts as 1, the value API defaulting gives it. A job's
 * STATUS is its first true terminal condition (Complete, Failed), else
 * Terminating while being deleted, else Suspended, FailureTarget, Running; its
 * DURATION runs from startTime to completionTime, or to now while it runs.
 */
#include "table-internal.h"
#include "table.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "object.h"

#define TEMPLATE_SPEC "spec.template.spec"

static json_t *template_containers(const json_t *obj) {
  return table_container_names(obj, TEMPLATE_SPEC);
}

static json_t *template_images(const json_t *obj) {
  return table_container_images(obj, TEMPLATE_SPEC);
}

static int64_t desired_replicas(const json_t *obj) {
  return tug_obj_get_int(obj, "spec.replicas", 1);
}

/* metav1.FormatLabelSelector: "<none>" when empty, "<error>" when invalid. */
static json_t *formatted_selector(const json_t *obj) {
  return table_selector_cell(obj, "spec.selector");
}

/* ---- deployments ---- */

static json_t *deployment_ready(const json_t *d) {
  char buf[64];
  snprintf(buf, sizeof buf, "%" PRId64 "/%" PRId64, tug_obj_get_int(d, "status.readyReplicas", 0),
           desired_replicas(d));
  return table_text(buf);
}

static json_t *deployment_updated(const json_t *d) {
  return table_int_cell(d, "status.updatedReplicas", 0);
}

static json_t *deployment_available(const json_t *d) {
  return table_int_cell(d, "status.availableReplicas", 0);
}

/* The selector as a string, "" when empty, "<invalid>" when invalid. */
static json_t *deployment_selector(const json_t *d) {
  table_buf b = {0};
  if (!table_format_selector(tug_obj_get(d, "spec.selector"), &b)) {
    table_buf_free(&b);
    return table_text("<invalid>");
  }
  return table_buf_json(&b, NULL);
}

const api_column api_columns_deployment[] = {
    TABLE_COLUMN_NAME,
    {"Ready", "string", "", 0, "Number of the pod with ready state", deployment_ready},
    {"Up-to-date", "string", "", 0,
     "Total number of non-terminated pods targeted by this deployment that have the desired "
     "template spec.",
     deployment_updated},
    {"Available", "string", "", 0,
     "Total number of available pods (ready for at least minReadySeconds) targeted by this "
     "deployment.",
     deployment_available},
    TABLE_COLUMN_AGE,
    {"Containers", "string", "", 1, TABLE_DESC_CONTAINERS, template_containers},
    {"Images", "string", "", 1, TABLE_DESC_IMAGES, template_images},
    {"Selector", "string", "", 1,
     "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the "
     "ones affected by this deployment.",
     deployment_selector},
    TABLE_COLUMN_END,
};

/* ---- replica sets ---- */

static json_t *replicaset_desired(const json_t *rs) {
  return json_integer(desired_replicas(rs));
}

static json_t *replicaset_current(const json_t *rs) {
  return table_int_cell(rs, "status.replicas", 0);
}

static json_t *replicaset_ready(const json_t *rs) {
  return table_int_cell(rs, "status.readyReplicas", 0);
}

/* What kubectl says of DESIRED and CURRENT, for ReplicaSets and ReplicationControllers. */
#define DESC_DESIRED                                                                               \
  "Replicas is the number of desired replicas. This is a pointer to distinguish between "          \
  "explicit zero and unspecified. Defaults to 1."
#define DESC_CURRENT "Replicas is the most recently observed number of replicas."

const api_column api_columns_replicaset[] = {
    TABLE_COLUMN_NAME,
    {"Desired", "integer", "", 0, DESC_DESIRED, replicaset_desired},
    {"Current", "integer", "", 0, DESC_CURRENT, replicaset_current},
    {"Ready", "integer", "", 0,
     "The number of ready replicas for this replica set. A pod is considered ready when it has "
     "been ready for at least minReadySeconds.",
     replicaset_ready},
    TABLE_COLUMN_AGE,
    {"Containers", "string", "", 1, TABLE_DESC_CONTAINERS, template_containers},
    {"Images", "string", "", 1, TABLE_DESC_IMAGES, template_images},
    {"Selector", "string", "", 1,
     "Selector is a label query over pods that should match the replica count.",
     formatted_selector},
    TABLE_COLUMN_END,
};

/* ---- jobs ---- */

/* hasJobCondition: the first condition of the type decides. */
static bool job_condition(const json_t *job, const char *type) {
  return table_condition_true(job, "status.conditions", type);
}

static json_t *job_status(const json_t *job) {
  json_t *deleting = tug_obj_get(job, "metadata.deletionTimestamp");
  if (job_condition(job, "Complete"))
    return table_text("Complete");
  if (job_condition(job, "Failed"))
    return table_text("Failed");
  if (deleting && !json_is_null(deleting))
    return table_text("Terminating");
  if (job_condition(job, "Suspended"))
    return table_text("Suspended");
  if (job_condition(job, "FailureTarget"))
    return table_text("FailureTarget");
  return table_text("Running");
}

/* "1/3", or without spec.completions "0/1" or "0/1 of 4" (parallelism > 1). */
static json_t *job_completions(const json_t *job) {
  int64_t succeeded = tug_obj_get_int(job, "status.succeeded", 0);
  int64_t parallelism = tug_obj_get_int(job, "spec.parallelism", 0);
  json_t *completions = tug_obj_get(job, "spec.completions");
  char buf[96];
  if (json_is_integer(completions))
    snprintf(buf, sizeof buf, "%" PRId64 "/%" PRId64, succeeded,
             (int64_t)json_integer_value(completions));
  else if (parallelism > 1)
    snprintf(buf, sizeof buf, "%" PRId64 "/1 of %" PRId64, succeeded, parallelism);
  else
    snprintf(buf, sizeof buf, "%" PRId64 "/1", succeeded);
  return table_text(buf);
}

static json_t *job_duration(const json_t *job) {
  int64_t start, end;
  char buf[32];
  if (!table_parse_time(tug_obj_get_str(job, "status.startTime"), &start))
    return table_text("");
  if (!table_parse_time(tug_obj_get_str(job, "status.completionTime"), &end))
    end = (int64_t)table_now();
  return table_text(api_human_duration(end - start, buf, sizeof buf));
}

const api_column api_columns_job[] = {
    TABLE_COLUMN_NAME,
    {"Status", "string", "", 0, "Status of the job.", job_status},
    {"Completions", "string", "", 0, "The number of pods which reached phase Succeeded for a job.",
     job_completions},
    {"Duration", "string", "", 0, "Time required to complete the job.", job_duration},
    TABLE_COLUMN_AGE,
    {"Containers", "string", "", 1, TABLE_DESC_CONTAINERS, template_containers},
    {"Images", "string", "", 1, TABLE_DESC_IMAGES, template_images},
    {"Selector", "string", "", 1,
     "A label query over pods that should match the pod count. Normally, the system sets this "
     "field for you.",
     formatted_selector},
    TABLE_COLUMN_END,
};

/* ---- replication controllers ---- */

/* An equality selector, a map: labels.FormatLabels. */
static json_t *map_selector(const json_t *rc) {
  return table_format_labels(tug_obj_get(rc, "spec.selector"));
}

const api_column api_columns_replicationcontroller[] = {
    TABLE_COLUMN_NAME,
    {"Desired", "integer", "", 0, DESC_DESIRED, replicaset_desired},
    {"Current", "integer", "", 0, DESC_CURRENT, replicaset_current},
    {"Ready", "integer", "", 0, "The number of ready replicas for this replication controller.",
     replicaset_ready},
    TABLE_COLUMN_AGE,
    {"Containers", "string", "", 1, TABLE_DESC_CONTAINERS, template_containers},
    {"Images", "string", "", 1, TABLE_DESC_IMAGES, template_images},
    {"Selector", "string", "", 1,
     "Selector is a label query over pods that should match the Replicas count.", map_selector},
    TABLE_COLUMN_END,
};
