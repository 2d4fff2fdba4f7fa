/*
 * validation-daemonset.c — DaemonSet: selector, pod template (restartPolicy
 * Always, as for any long-running workload), update strategy, with
 * Kubernetes' defaults (RollingUpdate, maxUnavailable 1, maxSurge 0,
 * revisionHistoryLimit 10).
 *
 * A rolling update moves node by node either by taking the old pod down first
 * (maxUnavailable) or by starting the new one beside it first (maxSurge):
 * exactly one of the two is non-zero, as Kubernetes requires.
 */
#include <string.h>

#include "object.h"
#include "validation-internal.h"
#include "validation.h"

void api_default_daemonset(json_t *obj) {
  json_t *spec = json_object_get(obj, "spec");
  if (!json_is_object(spec))
    return;
  val_default(spec, "revisionHistoryLimit", json_integer(10));
  json_t *strategy = val_default_object(spec, "updateStrategy");
  val_default(strategy, "type", json_string("RollingUpdate"));
  const char *type = json_string_value(json_object_get(strategy, "type"));
  if (type && strcmp(type, "RollingUpdate") == 0) {
    json_t *ru = val_default_object(strategy, "rollingUpdate");
    val_default(ru, "maxUnavailable", json_integer(1));
    val_default(ru, "maxSurge", json_integer(0));
  }
  val_default_pod_template(spec, VAL_POD_TEMPLATE);
}

static void validate_rolling_update(const val_obj *ru) {
  json_t *surge_v = json_object_get(ru->json, "maxSurge");
  int64_t surge = val_int_or_percent(ru, "maxSurge", false);
  int64_t unavailable = val_int_or_percent(ru, "maxUnavailable", true);
  if (surge > 0 && unavailable > 0)
    val_invalid(ru, "maxSurge", surge_v, "may not be set when maxUnavailable is non-zero");
  else if (surge == 0 && unavailable == 0)
    val_required(ru, "maxUnavailable", "cannot be 0 when maxSurge is 0");
}

static void validate_update_strategy(const val_obj *spec) {
  static const char *const types[] = {"RollingUpdate", "OnDelete", NULL};
  val_obj strategy, ru;
  if (!val_enter(&strategy, spec, "updateStrategy"))
    return;
  const char *type = val_enum(&strategy, "type", types);
  if (type && strcmp(type, "RollingUpdate") == 0 && val_enter(&ru, &strategy, "rollingUpdate"))
    validate_rolling_update(&ru);
}

void api_validate_daemonset(const json_t *obj, const json_t *old, json_t *causes) {
  val_obj root, spec, tmpl_spec;
  val_root(&root, obj, causes);
  if (!val_enter(&spec, &root, "spec")) {
    if (!val_present(&root, "spec"))
      val_required(&root, "spec", NULL);
    return;
  }
  val_workload_selector(&spec, true, "daemonset");
  val_pod_template(&spec, VAL_POD_TEMPLATE);
  val_obj tmpl;
  if (val_enter(&tmpl, &spec, "template") && val_enter(&tmpl_spec, &tmpl, "spec") &&
      val_present(&tmpl_spec, "activeDeadlineSeconds"))
    val_forbidden(&tmpl_spec, "activeDeadlineSeconds",
                  "activeDeadlineSeconds in DaemonSet is not Supported");
  val_int_min(&spec, "minReadySeconds", 0, NULL);
  val_int_min(&spec, "revisionHistoryLimit", 0, NULL);
  validate_update_strategy(&spec);
  json_t *old_spec = json_object_get(old, "spec");
  if (old != NULL && json_is_object(old_spec))
    val_immutable(&spec, "selector", old_spec);
}
