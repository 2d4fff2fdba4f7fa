/*
 * strategy-crd.c — what a CustomResourceDefinition does unlike other kinds:
 * it is created with the finalizer that holds it until its objects are
 * deleted, and a delete marks it Terminating, as in Kubernetes. Its status
 * (NamesAccepted, Established) is written by the CRD controller (crd.c).
 */
#include "crd.h"
#include "modify.h"
#include "object.h"
#include "storage.h"

static void prepare_create(json_t *crd) {
  json_object_del(crd, "status");
  api_add_finalizer(crd, API_CRD_FINALIZER);
}

static void mark_deleting(json_t *crd) {
  char now[32];
  json_t *cond = json_pack("{s:s, s:s, s:s, s:s, s:s}", "type", "Terminating", "status", "True",
                           "lastTransitionTime", api_now(now, sizeof now), "reason",
                           "InstanceDeletionPending", "message",
                           "CustomResourceDefinition marked for deletion; its objects "
                           "are being deleted");
  json_t *conds = tug_obj_get(crd, "status.conditions");
  if (!json_is_array(conds)) {
    conds = json_array();
    tug_obj_set(crd, "status.conditions", conds, NULL);
  }
  size_t i;
  json_t *c;
  json_array_foreach(
      conds, i, c) if (tug_json_same(json_object_get(c, "type"), json_object_get(cond, "type"))) {
    json_array_set_new(conds, i, cond);
    return;
  }
  json_array_append_new(conds, cond);
}

const api_strategy api_strategy_crd = {
    .prepare_create = prepare_create,
    .mark_deleting = mark_deleting,
};
