/*
 * strategy-namespace.c — how Namespaces differ (see api_strategy in
 * registry.h): they start Active with the "kubernetes" finalizer in
 * spec.finalizers, which holds their deletion until the namespace controller
 * has emptied them (it PUTs /finalize); a delete turns them Terminating; and
 * a stricter Pod Security enforce label warns about the pods it would refuse.
 */
#include <jansson.h>

#include "admission.h"
#include "object.h"
#include "registry.h"

static void prepare_create(json_t *ns) {
  json_object_set_new(ns, "status", json_pack("{s:s}", "phase", "Active"));
  tug_obj_set(ns, "spec.finalizers", json_pack("[s]", "kubernetes"), NULL);
}

static int admit_update(struct api_server *s, const json_t *ns, const json_t *old,
                        struct api_response *out) {
  return api_podsec_namespace_update(s, ns, old, out);
}

static void mark_deleting(json_t *ns) {
  tug_obj_set_str(ns, "status.phase", "Terminating", NULL);
}

const api_strategy api_strategy_namespace = {
    .prepare_create = prepare_create,
    .admit_update = admit_update,
    .mark_deleting = mark_deleting,
    .spec_finalizers = true,
};
