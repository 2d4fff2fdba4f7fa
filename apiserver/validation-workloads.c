/*
 * validation-workloads.c — Deployment, ReplicaSet and Job: replica counts,
 * rollout strategy, job limits, and the selector that ties each to its pods.
 *
 * The selector is what a controller lists its pods by, so it must select the
 * template's own labels (or the controller would create pods forever), and in
 * apps/v1 it may not change after creation (or old pods would be orphaned).
 */
#include <stdlib.h>
#include <string.h>

#include "object.h"
#include "validation-internal.h"
#include "validation.h"

/* ---- selector and template ---- */

static void validate_selector(const val_obj *spec, bool required, const char *kind_word) {
  if (!val_present(spec, "selector")) {
    if (required)
      val_required(spec, "selector", NULL);
    return;
  }
  bool empty;
  _cleanup_selector_ tug_selector *sel = val_label_selector(spec, "selector", &empty);
  if (sel == NULL)
    return;
  if (empty) {
    val_invalid(spec, "selector", json_object_get(spec->json, "selector"),
                "empty selector is invalid for %s", kind_word);
    return;
  }
  json_t *labels = tug_obj_get(spec->json, "template.metadata.labels");
  if (!json_is_object(tug_obj_get(spec->json, "template")) || tug_selector_matches(sel, labels))
    return;
  val_obj tmpl, meta;
  val_descend(&tmpl, spec, "template", NULL);
  val_descend(&meta, &tmpl, "metadata", NULL);
  val_invalid(&meta, "labels", labels, "`selector` does not match template `labels`");
}

void val_workload_selector(const val_obj *spec, bool required, const char *kind_word) {
  validate_selector(spec, required, kind_word);
}

/* spec, entered; false when the object has none worth checking further. */
static bool enter_spec(val_obj *spec, const val_obj *root) {
  if (val_enter(spec, root, "spec"))
    return true;
  if (!val_present(root, "spec"))
    val_required(root, "spec", NULL);
  return false;
}

/* ---- Deployment ---- */

/* "25%" → 25, 3 → 3; -1 when v is neither a non-negative int nor a percent. */
static int64_t int_or_percent(const json_t *v, bool *percent) {
  const char *s = json_string_value(v);
  *percent = s != NULL;
  if (json_is_integer(v))
    return json_integer_value(v) >= 0 ? json_integer_value(v) : -1;
  size_t n = s ? strlen(s) : 0;
  if (n < 2 || n > 10 || s[n - 1] != '%' || strspn(s, "0123456789") != n - 1)
    return -1;
  return strtoll(s, NULL, 10);
}

/* maxSurge or maxUnavailable: its value, or -1 when absent or invalid (reported). */
static int64_t validate_rollout_bound(const val_obj *ru, const char *key) {
  json_t *v = json_object_get(ru->json, key);
  bool percent;
  if (v == NULL || json_is_null(v))
    return -1;
  int64_t n = int_or_percent(v, &percent);
  if (!json_is_integer(v) && !json_is_string(v))
    val_invalid(ru, key, v, "must be an integer or a percentage string");
  else if (json_is_integer(v) && n < 0)
    val_invalid(ru, key, v, "must be greater than or equal to 0");
  else if (n < 0)
    val_invalid(ru, key, v,
                "a valid percent string must be a numeric string followed by an ending '%%' "
                "(e.g. '1%%',  or '93%%', regex used for validation is '[0-9]+%%')");
  else if (percent && n > 100 && strcmp(key, "maxUnavailable") == 0)
    val_invalid(ru, key, v, "must not be greater than 100%%");
  return n;
}

static void validate_rolling_update(const val_obj *ru) {
  int64_t surge = validate_rollout_bound(ru, "maxSurge");
  int64_t unavailable = validate_rollout_bound(ru, "maxUnavailable");
  if (surge == 0 && unavailable == 0)
    val_invalid(ru, "maxUnavailable", json_object_get(ru->json, "maxUnavailable"),
                "may not be 0 when `maxSurge` is 0");
}

static void validate_strategy(const val_obj *spec) {
  static const char *const types[] = {"Recreate", "RollingUpdate", NULL};
  val_obj strategy, ru;
  if (!val_enter(&strategy, spec, "strategy"))
    return;
  const char *type = val_enum(&strategy, "type", types);
  bool recreate = type && strcmp(type, "Recreate") == 0;
  if (recreate && val_present(&strategy, "rollingUpdate"))
    val_forbidden(&strategy, "rollingUpdate",
                  "may not be specified when strategy `type` is 'Recreate'");
  else if (val_enter(&ru, &strategy, "rollingUpdate"))
    validate_rolling_update(&ru);
}

static void validate_deployment_spec(const val_obj *spec) {
  int64_t min_ready = 0, deadline;
  val_int_min(spec, "replicas", 0, NULL);
  validate_selector(spec, true, "deployment");
  val_pod_template(spec, VAL_POD_TEMPLATE);
  validate_strategy(spec);
  val_int_min(spec, "minReadySeconds", 0, &min_ready);
  val_int_min(spec, "revisionHistoryLimit", 0, NULL);
  val_bool(spec, "paused");
  if (val_int_min(spec, "progressDeadlineSeconds", 0, &deadline) && deadline <= min_ready)
    val_invalid(spec, "progressDeadlineSeconds",
                json_object_get(spec->json, "progressDeadlineSeconds"),
                "must be greater than minReadySeconds");
}

void api_default_deployment(json_t *obj) {
  json_t *spec = json_object_get(obj, "spec");
  if (!json_is_object(spec))
    return;
  val_default(spec, "replicas", json_integer(1));
  val_default(spec, "revisionHistoryLimit", json_integer(10));
  val_default(spec, "progressDeadlineSeconds", json_integer(600));
  json_t *strategy = val_default_object(spec, "strategy");
  val_default(strategy, "type", json_string("RollingUpdate"));
  if (json_is_string(json_object_get(strategy, "type")) &&
      strcmp(json_string_value(json_object_get(strategy, "type")), "RollingUpdate") == 0) {
    json_t *ru = val_default_object(strategy, "rollingUpdate");
    val_default(ru, "maxSurge", json_string("25%"));
    val_default(ru, "maxUnavailable", json_string("25%"));
  }
  val_default_pod_template(spec, VAL_POD_TEMPLATE);
}

/* apps/v1: the selector is fixed at creation. */
static void validate_selector_update(const val_obj *spec, const json_t *old) {
  json_t *old_spec = json_object_get(old, "spec");
  if (old != NULL && json_is_object(old_spec))
    val_immutable(spec, "selector", old_spec);
}

void api_validate_deployment(const json_t *obj, const json_t *old, json_t *causes) {
  val_obj root, spec;
  val_root(&root, obj, causes);
  if (!enter_spec(&spec, &root))
    return;
  validate_deployment_spec(&spec);
  validate_selector_update(&spec, old);
}

/* ---- ReplicaSet ---- */

void api_default_replicaset(json_t *obj) {
  json_t *spec = json_object_get(obj, "spec");
  val_default(spec, "replicas", json_integer(1));
  val_default_pod_template(spec, VAL_POD_TEMPLATE);
}

void api_validate_replicaset(const json_t *obj, const json_t *old, json_t *causes) {
  val_obj root, spec;
  val_root(&root, obj, causes);
  if (!enter_spec(&spec, &root))
    return;
  val_int_min(&spec, "replicas", 0, NULL);
  val_int_min(&spec, "minReadySeconds", 0, NULL);
  validate_selector(&spec, true, "replicaset");
  val_pod_template(&spec, VAL_POD_TEMPLATE);
  validate_selector_update(&spec, old);
}

/* ---- Job ---- */

void api_default_job(json_t *obj) {
  json_t *spec = json_object_get(obj, "spec");
  if (!json_is_object(spec))
    return;
  /* Neither set means one pod run once; completions alone keeps its count and
   * runs one at a time; parallelism alone is a work queue with no fixed count. */
  if (!json_is_integer(json_object_get(spec, "completions")) &&
      !json_is_integer(json_object_get(spec, "parallelism")))
    val_default(spec, "completions", json_integer(1));
  val_default(spec, "parallelism", json_integer(1));
  val_default(spec, "backoffLimit", json_integer(6));
  val_default_pod_template(spec, VAL_JOB_TEMPLATE);
}

static void validate_job_update(const val_obj *spec, const json_t *old) {
  json_t *old_spec = json_object_get(old, "spec");
  if (old == NULL || !json_is_object(old_spec))
    return;
  val_immutable(spec, "selector", old_spec);
  val_immutable(spec, "template", old_spec);
  val_immutable(spec, "completions", old_spec);
}

void api_validate_job(const json_t *obj, const json_t *old, json_t *causes) {
  val_obj root, spec;
  val_root(&root, obj, causes);
  if (!enter_spec(&spec, &root))
    return;
  val_int_min(&spec, "parallelism", 0, NULL);
  val_int_min(&spec, "completions", 0, NULL);
  val_int_min(&spec, "backoffLimit", 0, NULL);
  val_int_min(&spec, "activeDeadlineSeconds", 1, NULL);
  val_int_min(&spec, "ttlSecondsAfterFinished", 0, NULL);
  val_bool(&spec, "suspend");
  validate_selector(&spec, false, "job");
  val_pod_template(&spec, VAL_JOB_TEMPLATE);
  validate_job_update(&spec, old);
}
