/*
 * strategy-storage.c — PersistentVolumes and PersistentVolumeClaims are born
 * with Kubernetes' protection finalizers (the StorageObjectInUseProtection
 * admission plugin): a claim a pod still uses, or a volume still bound, is
 * only marked for deletion; the volume controller lets it go when nothing
 * holds it any more.
 */
#include "modify.h"
#include "registry.h"

static void protect_claim(json_t *obj) {
  api_add_finalizer(obj, "kubernetes.io/pvc-protection");
}

static void protect_volume(json_t *obj) {
  api_add_finalizer(obj, "kubernetes.io/pv-protection");
}

const api_strategy api_strategy_persistentvolumeclaim = {.prepare_create = protect_claim};
const api_strategy api_strategy_persistentvolume = {.prepare_create = protect_volume};
