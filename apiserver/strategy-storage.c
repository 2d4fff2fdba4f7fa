/*
 * strategy-storage.c — PersistentVolumes and PersistentVolumeClaims are born
 * with Kubernetes' protection finalizers (the StorageObjectInUseProtection
 * admission plugin): a claim a pod still uses, or a volume still bound, is
 * only marked for deletion; the volume controller lets it go when nothing
 * holds it any more.
 */
#include <string.h>

#include "modify.h"
#include "object.h"
#include "registry.h"
#include "volume-rules.h"
#include "watchcache.h"

/* As for every kind with a status subresource, what a client sends as
 * status on create is dropped: a new claim or volume is Pending until the
 * controllers say otherwise. */
static void protect_claim(json_t *obj) {
  json_object_set_new(obj, "status", json_pack("{s:s}", "phase", "Pending"));
  api_add_finalizer(obj, "kubernetes.io/pvc-protection");
}

static void protect_volume(json_t *obj) {
  json_object_set_new(obj, "status", json_pack("{s:s}", "phase", "Pending"));
  api_add_finalizer(obj, "kubernetes.io/pv-protection");
}

/* The class annotated storageclass.kubernetes.io/is-default-class "true"
 * (the newest when several are), a new reference; NULL when none. */
static json_t *default_class(api_server *s) {
  const api_kind *k = api_kind_by_resource("storage.k8s.io", "v1", "storageclasses");
  api_filter all = {0};
  api_cached **items;
  size_t n;
  int64_t rev;
  api_watchcache_list(api_kind_cache(s, k), &all, &items, &n, &rev);
  json_t *found = NULL;
  const char *newest = "";
  for (size_t i = 0; i < n; i++) {
    const char *d = tug_obj_annotation(items[i]->obj, TUG_ANN_DEFAULT_CLASS);
    const char *at = tug_obj_get_str(items[i]->obj, "metadata.creationTimestamp");
    if (d && strcmp(d, "true") == 0 && at && strcmp(at, newest) >= 0) {
      json_decref(found);
      found = json_incref(items[i]->obj);
      newest = at;
    }
  }
  api_cached_list_free(items, n);
  return found;
}

/* Kubernetes' DefaultStorageClass admission: a claim naming no class (the
 * field absent, not "") gets the default one. */
static int admit_claim(api_server *s, json_t *obj, api_response *out) {
  (void)out;
  json_t *spec = json_object_get(obj, "spec");
  if (!json_is_object(spec) || json_object_get(spec, "storageClassName"))
    return 0;
  json_t *sc = default_class(s);
  if (sc)
    json_object_set_new(spec, "storageClassName", json_string(tug_obj_name(sc)));
  json_decref(sc);
  return 0;
}

const api_strategy api_strategy_persistentvolumeclaim = {.prepare_create = protect_claim,
                                                         .admit_create = admit_claim};
const api_strategy api_strategy_persistentvolume = {.prepare_create = protect_volume};
