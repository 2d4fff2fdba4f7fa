/*
 * validation-statefulset.c — StatefulSet: replicas, ordinals, pod
 * management and update policies, claim templates, and the fields
 * Kubernetes lets change after creation (replicas, template, update
 * strategy, minReadySeconds, retention policy, ordinals) — nothing else.
 */
#include <string.h>

#include "object.h"
#include "validation-internal.h"
#include "validation.h"

void api_default_statefulset(json_t *obj) {
  json_t *spec = json_object_get(obj, "spec");
  if (!json_is_object(spec))
    return;
  val_default(spec, "replicas", json_integer(1));
  val_default(spec, "podManagementPolicy", json_string("OrderedReady"));
  val_default(spec, "revisionHistoryLimit", json_integer(10));
  json_t *strategy = val_default_object(spec, "updateStrategy");
  val_default(strategy, "type", json_string("RollingUpdate"));
  const char *type = json_string_value(json_object_get(strategy, "type"));
  if (type && strcmp(type, "RollingUpdate") == 0) {
    json_t *ru = val_default_object(strategy, "rollingUpdate");
    val_default(ru, "partition", json_integer(0));
  }
  json_t *retention = val_default_object(spec, "persistentVolumeClaimRetentionPolicy");
  val_default(retention, "whenDeleted", json_string("Retain"));
  val_default(retention, "whenScaled", json_string("Retain"));
  size_t i;
  json_t *t;
  json_array_foreach(json_object_get(spec, "volumeClaimTemplates"), i, t) {
    val_default(json_object_get(t, "spec"), "volumeMode", json_string("Filesystem"));
    val_normalize_quantities(tug_obj_get(t, "spec.resources.requests"));
  }
  val_default_pod_template(spec, VAL_POD_TEMPLATE);
}

static void validate_strategy(const val_obj *spec) {
  static const char *const types[] = {"RollingUpdate", "OnDelete", NULL};
  val_obj strategy, ru;
  if (!val_enter(&strategy, spec, "updateStrategy"))
    return;
  const char *type = val_enum(&strategy, "type", types);
  if (type && strcmp(type, "OnDelete") == 0 && val_present(&strategy, "rollingUpdate"))
    val_invalid(&strategy, "rollingUpdate", json_object_get(strategy.json, "rollingUpdate"),
                "only allowed for updateStrategy 'RollingUpdate'");
  else if (val_enter(&ru, &strategy, "rollingUpdate"))
    val_int_min(&ru, "partition", 0, NULL);
}

static void validate_claim_templates(const val_obj *spec) {
  size_t n = val_array_len(spec, "volumeClaimTemplates");
  for (size_t i = 0; i < n; i++) {
    val_obj t, meta, tspec;
    if (!val_enter_item(&t, spec, "volumeClaimTemplates", i))
      continue;
    if (val_enter(&meta, &t, "metadata"))
      val_dns_label(&meta, "name");
    if (!json_is_string(tug_obj_get(t.json, "metadata.name")))
      val_required(&meta, "name", NULL);
    if (val_enter(&tspec, &t, "spec"))
      val_pvc_spec(&tspec);
    else
      val_required(&t, "spec", NULL);
  }
}

/* Kubernetes refuses every spec change but these. */
static void validate_update(const val_obj *spec, const json_t *old) {
  json_t *old_spec = json_object_get(old, "spec");
  if (old == NULL || !json_is_object(old_spec))
    return;
  static const char *const fixed[] = {"selector", "volumeClaimTemplates", "serviceName",
                                      "podManagementPolicy", NULL};
  for (const char *const *k = fixed; *k; k++)
    val_immutable(spec, *k, old_spec);
}

void api_validate_statefulset(const json_t *obj, const json_t *old, json_t *causes) {
  static const char *const policies[] = {"OrderedReady", "Parallel", NULL};
  static const char *const retain[] = {"Retain", "Delete", NULL};
  val_obj root, spec, retention, ordinals;
  val_root(&root, obj, causes);
  if (!val_enter(&spec, &root, "spec")) {
    val_required(&root, "spec", NULL);
    return;
  }
  val_int_min(&spec, "replicas", 0, NULL);
  val_int_min(&spec, "minReadySeconds", 0, NULL);
  val_int_min(&spec, "revisionHistoryLimit", 0, NULL);
  val_enum(&spec, "podManagementPolicy", policies);
  const char *svc = val_string(&spec, "serviceName");
  if (svc && svc[0])
    val_dns_label(&spec, "serviceName");
  if (val_enter(&retention, &spec, "persistentVolumeClaimRetentionPolicy")) {
    val_enum(&retention, "whenDeleted", retain);
    val_enum(&retention, "whenScaled", retain);
  }
  if (val_enter(&ordinals, &spec, "ordinals"))
    val_int_min(&ordinals, "start", 0, NULL);
  val_workload_selector(&spec, true, "statefulset");
  val_pod_template(&spec, VAL_POD_TEMPLATE);
  validate_strategy(&spec);
  validate_claim_templates(&spec);
  validate_update(&spec, old);
}
