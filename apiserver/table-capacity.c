/*
 * table-capacity.c — columns of the kinds that bound what may run: resource
 * quotas and limit ranges as kubectl 1.32 prints them, and Tugboat's own Queue.
 *
 * A quota's REQUEST and LIMIT read "used/hard" per resource of status.hard,
 * sorted by name ("pods: 2/10, requests.cpu: 500m/2"), limits.* in LIMIT.
 * Quantities print as stored. LimitRange has no printer in Kubernetes, so it
 * shows the default table (NAME, CREATED AT).
 *
 * A Queue (scheduling.tug.io/v1) reads spec.cohort, spec.weight,
 * spec.nominal.{cpu,memory}, spec.strictFIFO (or spec.queueingStrategy) and
 * status.{admitted,pending,usage,borrowed,weightedShare}.
 */
#include "table-internal.h"
#include "table.h"

#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "object.h"

/* "cpu: 1, memory: 2Gi" for the entries of a resource list, sorted by name. */
static void add_resource_list(table_buf *b, const json_t *list) {
  size_t n, count = 0;
  _cleanup_free_ const char **keys = table_sorted_keys(list, &n);
  for (size_t i = 0; i < n; i++) {
    table_buf_sep(b, ", ", &count);
    table_buf_addf(b, "%s: ", keys[i]);
    table_add_scalar(b, json_object_get(list, keys[i]), "0");
  }
}

/* ---- resource quotas ---- */

static json_t *quota_column(const json_t *rq, bool limits) {
  json_t *hard = tug_obj_get(rq, "status.hard");
  json_t *used = tug_obj_get(rq, "status.used");
  size_t n, count = 0;
  _cleanup_free_ const char **keys = table_sorted_keys(hard, &n);
  table_buf b = {0};
  for (size_t i = 0; i < n; i++) {
    if ((strncmp(keys[i], "limits.", 7) == 0) != limits)
      continue;
    table_buf_sep(&b, ", ", &count);
    table_buf_addf(&b, "%s: ", keys[i]);
    table_add_scalar(&b, json_object_get(used, keys[i]), "0");
    table_buf_add(&b, "/");
    table_add_scalar(&b, json_object_get(hard, keys[i]), "0");
  }
  return table_buf_json(&b, NULL);
}

static json_t *quota_request(const json_t *rq) {
  return quota_column(rq, false);
}

static json_t *quota_limit(const json_t *rq) {
  return quota_column(rq, true);
}

const api_column api_columns_resourcequota[] = {
    TABLE_COLUMN_NAME,
    TABLE_COLUMN_AGE,
    {"Request", "string", "", 0,
     "Request represents a minimum amount of cpu/memory that a container may consume.",
     quota_request},
    {"Limit", "string", "", 0,
     "Limits control the maximum amount of cpu/memory that a container may use independent of "
     "contention on the node.",
     quota_limit},
    TABLE_COLUMN_END,
};

/* ---- limit ranges ---- */

const api_column api_columns_limitrange[] = {
    TABLE_COLUMN_NAME,
    TABLE_COLUMN_CREATED_AT,
    TABLE_COLUMN_END,
};

/* ---- queues ---- */

static json_t *queue_cohort(const json_t *q) {
  return table_str_cell(q, "spec.cohort", "<none>");
}

static json_t *scalar_cell(const json_t *v, const char *dflt) {
  table_buf b = {0};
  table_add_scalar(&b, v, dflt);
  return table_buf_json(&b, NULL);
}

static json_t *queue_weight(const json_t *q) {
  return scalar_cell(tug_obj_get(q, "spec.weight"), "1");
}

static json_t *queue_admitted(const json_t *q) {
  return table_int_cell(q, "status.admitted", 0);
}

static json_t *queue_pending(const json_t *q) {
  return table_int_cell(q, "status.pending", 0);
}

/* "used/nominal" for one resource, "0" standing in for either side. */
static json_t *queue_usage(const json_t *q, const char *resource) {
  table_buf b = {0};
  table_add_scalar(&b, json_object_get(tug_obj_get(q, "status.usage"), resource), "0");
  table_buf_add(&b, "/");
  table_add_scalar(&b, json_object_get(tug_obj_get(q, "spec.nominal"), resource), "0");
  return table_buf_json(&b, NULL);
}

static json_t *queue_cpu(const json_t *q) {
  return queue_usage(q, "cpu");
}

static json_t *queue_memory(const json_t *q) {
  return queue_usage(q, "memory");
}

static json_t *queue_share(const json_t *q) {
  return scalar_cell(tug_obj_get(q, "status.weightedShare"), "0");
}

static json_t *queue_borrowed(const json_t *q) {
  table_buf b = {0};
  add_resource_list(&b, tug_obj_get(q, "status.borrowed"));
  return table_buf_json(&b, "<none>");
}

static json_t *queue_strategy(const json_t *q) {
  bool strict = json_is_true(tug_obj_get(q, "spec.strictFIFO")) ||
                strcmp(table_str(q, "spec.queueingStrategy", ""), "StrictFIFO") == 0;
  return table_text(strict ? "StrictFIFO" : "BestEffortFIFO");
}

const api_column api_columns_queue[] = {
    TABLE_COLUMN_NAME,
    {"Cohort", "string", "", 0, "The cohort whose queues lend each other unused nominal quota.",
     queue_cohort},
    {"Weight", "string", "", 0, "The queue's weight in fair sharing within its cohort.",
     queue_weight},
    {"Admitted", "integer", "", 0, "Number of pods admitted from this queue and not finished.",
     queue_admitted},
    {"Pending", "integer", "", 0, "Number of pods waiting in this queue.", queue_pending},
    {"CPU", "string", "", 0, "CPU used by admitted pods / the queue's nominal CPU.", queue_cpu},
    {"Memory", "string", "", 0, "Memory used by admitted pods / the queue's nominal memory.",
     queue_memory},
    {"Share", "string", "", 0,
     "Weighted share: dominant-resource usage above nominal over what the cohort can lend, "
     "divided by the weight.",
     queue_share},
    TABLE_COLUMN_AGE,
    {"Borrowed", "string", "", 1, "Resources used above nominal, borrowed from the cohort.",
     queue_borrowed},
    {"Strategy", "string", "", 1, "StrictFIFO or BestEffortFIFO.", queue_strategy},
    TABLE_COLUMN_END,
};
