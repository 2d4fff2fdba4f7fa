/*
 * strategy-namespace.c — how Namespaces differ (see api_strategy in
 * registry.h): they start Active with the "kubernetes" finalizer in
 * spec.finalizers, which holds their deletion until the namespace controller
 * has emptied them (it PUTs /finalize); a delete turns them Terminating; and
 * a stricter Pod Security enforce label warns about the pods it would refuse;
 * and its `default` ServiceAccount is stored with it, in one transaction, so
 * that a pod may be created in a new namespace at once (the serviceaccounts
 * controller keeps it there afterwards, and makes it in namespaces older than it).
 */
#include <jansson.h>

#include "admission.h"
#include "object.h"
#include "registry.h"
#include "storage.h"

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

static void create_with(struct api_server *s, const json_t *ns, struct api_txn *txn) {
  const api_kind *k = api_kind_by_resource("", "v1", "serviceaccounts");
  char key[512], uid[40], now[32];
  json_t *sa =
      json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:s}}", "apiVersion", "v1", "kind", "ServiceAccount",
                "metadata", "name", "default", "namespace", tug_obj_name(ns), "uid",
                api_new_uid(uid, sizeof uid), "creationTimestamp", api_now(now, sizeof now));
  tug_error err = {0};
  /* Nothing to seal (encryption.h) fails only without memory; the namespace
   * controller makes a missing default ServiceAccount later. */
  api_txn_put_object(s, txn, k, api_key(k, tug_obj_name(ns), "default", key, sizeof key), sa, &err);
  json_decref(sa);
}

const api_strategy api_strategy_namespace = {
    .prepare_create = prepare_create,
    .admit_update = admit_update,
    .mark_deleting = mark_deleting,
    .spec_finalizers = true,
    .create_with = create_with,
};
