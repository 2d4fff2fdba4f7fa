/*
 * validation-storage.c — PersistentVolume, PersistentVolumeClaim and
 * StorageClass: sizes, access modes, reclaim and binding policies, and what
 * may not change once set.
 *
 * A claim's request and a volume's capacity are what binding matches on, so
 * each must be a positive "storage" quantity; a local volume is reached from
 * its node only, so it must say which (nodeAffinity), as in Kubernetes.
 */
#include <string.h>

#include "object.h"
#include "validation-internal.h"
#include "validation.h"

static const char *const access_modes[] = {"ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany",
                                           "ReadWriteOncePod", NULL};
static const char *const reclaim_policies[] = {"Retain", "Recycle", "Delete", NULL};
static const char *const volume_modes[] = {"Block", "Filesystem", NULL};

static void validate_access_modes(const val_obj *spec, bool required) {
  json_t *modes = val_array(spec, "accessModes");
  if (json_array_size(modes) == 0) {
    if (required)
      val_required(spec, "accessModes", NULL);
    return;
  }
  size_t i;
  json_t *m;
  json_array_foreach(modes, i, m) {
    val_obj at;
    val_descend(&at, spec, "accessModes", modes);
    const char *s = json_string_value(m);
    bool known = false;
    for (const char *const *a = access_modes; s && *a; a++)
      known |= strcmp(s, *a) == 0;
    if (!known)
      val_not_supported(&at, val_bracket_index(i).s, m, access_modes);
  }
}

/* map.storage: required, a positive quantity; the other names are refused. */
static void validate_storage_map(const val_obj *o, const char *key, const char *what) {
  val_obj map;
  if (!val_enter(&map, o, key)) {
    val_required(o, key, NULL);
    return;
  }
  const char *name;
  json_t *v;
  json_object_foreach((json_t *)map.json, name, v) {
    if (strcmp(name, "storage") != 0) {
      json_t *bad = json_string(name);
      val_not_supported(&map, NULL, bad, (const char *const[]){"storage", NULL});
      json_decref(bad);
    }
  }
  json_t *storage = json_object_get(map.json, "storage");
  int64_t bytes;
  if (storage == NULL)
    val_required(&map, "[storage]", NULL);
  else if (val_quantity(&map, "[storage]", "storage", storage, &bytes) && bytes <= 0)
    val_invalid(&map, "[storage]", storage, "must be greater than zero (%s)", what);
}

/* ---- PersistentVolume ---- */

void api_default_persistentvolume(json_t *obj) {
  json_t *spec = json_object_get(obj, "spec");
  val_default(spec, "persistentVolumeReclaimPolicy", json_string("Retain"));
  val_default(spec, "volumeMode", json_string("Filesystem"));
  json_t *status = val_default_object(obj, "status");
  val_default(status, "phase", json_string("Pending"));
  val_normalize_quantities(json_object_get(spec, "capacity"));
}

/* Exactly one source, and the one Tugboat mounts must be hostPath or local. */
static void validate_pv_source(const val_obj *spec) {
  static const char *const sources[] = {"hostPath", "local", "nfs", "gcePersistentDisk",
                                        "awsElasticBlockStore", "fc", "flocker", "vsphereVolume",
                                        "quobyte", "azureDisk", "photonPersistentDisk",
                                        "portworxVolume", "csi", "iscsi", "rbd", "cephfs",
                                        "cinder", "glusterfs", "flexVolume", "azureFile",
                                        "scaleIO", "storageos", NULL};
  int n = 0;
  for (const char *const *s = sources; *s; s++)
    if (val_present(spec, *s)) {
      if (++n > 1)
        val_forbidden(spec, *s, "may not specify more than 1 volume type");
    }
  if (n == 0)
    val_required(spec, NULL, "must specify a volume type");
  val_obj src;
  if (val_enter(&src, spec, "local")) {
    const char *path = val_string_required(&src, "path");
    if (path && path[0] != '/')
      val_invalid_str(&src, "path", path, "must be an absolute path");
    if (!val_present(spec, "nodeAffinity"))
      val_required(spec, "nodeAffinity", "Local volume requires node affinity");
  }
  if (val_enter(&src, spec, "hostPath")) {
    const char *path = val_string_required(&src, "path");
    if (path && path[0] != '/')
      val_invalid_str(&src, "path", path, "must be an absolute path");
  }
}

static void validate_pv_update(const val_obj *spec, const json_t *old) {
  json_t *old_spec = json_object_get(old, "spec");
  if (old == NULL || !json_is_object(old_spec))
    return;
  static const char *const fixed[] = {"local", "hostPath", "volumeMode", "nodeAffinity", NULL};
  for (const char *const *k = fixed; *k; k++)
    val_immutable(spec, *k, old_spec);
}

void api_validate_persistentvolume(const json_t *obj, const json_t *old, json_t *causes) {
  val_obj root, spec;
  val_root(&root, obj, causes);
  if (!val_enter(&spec, &root, "spec")) {
    val_required(&root, "spec", NULL);
    return;
  }
  validate_storage_map(&spec, "capacity", "capacity");
  validate_access_modes(&spec, true);
  validate_pv_source(&spec);
  val_enum(&spec, "persistentVolumeReclaimPolicy", reclaim_policies);
  val_enum(&spec, "volumeMode", volume_modes);
  const char *cls = val_string(&spec, "storageClassName");
  if (cls && cls[0])
    val_subdomain(&spec, "storageClassName");
  validate_pv_update(&spec, old);
}

/* ---- PersistentVolumeClaim ---- */

void api_default_persistentvolumeclaim(json_t *obj) {
  json_t *spec = json_object_get(obj, "spec");
  val_default(spec, "volumeMode", json_string("Filesystem"));
  json_t *status = val_default_object(obj, "status");
  val_default(status, "phase", json_string("Pending"));
  val_normalize_quantities(tug_obj_get(spec, "resources.requests"));
  val_normalize_quantities(tug_obj_get(spec, "resources.limits"));
}

/* What binding decided, and what it matched on, stays; the request may only grow. */
static void validate_pvc_update(const val_obj *spec, const json_t *old) {
  json_t *old_spec = json_object_get(old, "spec");
  if (old == NULL || !json_is_object(old_spec))
    return;
  const char *was = tug_obj_get_str(old_spec, "volumeName");
  if (was && was[0])
    val_immutable(spec, "volumeName", old_spec);
  static const char *const fixed[] = {"accessModes", "selector", "storageClassName",
                                      "volumeMode", "dataSource", NULL};
  for (const char *const *k = fixed; *k; k++)
    /* a claim with no class may be given one once, as Kubernetes allows */
    if (strcmp(*k, "storageClassName") != 0 || json_object_get(old_spec, *k))
      val_immutable(spec, *k, old_spec);
}

/* spec alone, also for a StatefulSet's volumeClaimTemplates. */
void val_pvc_spec(const val_obj *spec) {
  validate_access_modes(spec, true);
  val_obj res;
  if (val_enter(&res, spec, "resources"))
    validate_storage_map(&res, "requests", "request");
  else
    val_required(spec, "resources", NULL);
  val_enum(spec, "volumeMode", volume_modes);
  const char *cls = val_string(spec, "storageClassName");
  if (cls && cls[0])
    val_subdomain(spec, "storageClassName");
  bool empty;
  if (val_present(spec, "selector"))
    tug_selector_free(val_label_selector(spec, "selector", &empty));
}

void api_validate_persistentvolumeclaim(const json_t *obj, const json_t *old, json_t *causes) {
  val_obj root, spec;
  val_root(&root, obj, causes);
  if (!val_enter(&spec, &root, "spec")) {
    val_required(&root, "spec", NULL);
    return;
  }
  val_pvc_spec(&spec);
  validate_pvc_update(&spec, old);
}

/* ---- StorageClass ---- */

void api_default_storageclass(json_t *obj) {
  val_default(obj, "reclaimPolicy", json_string("Delete"));
  val_default(obj, "volumeBindingMode", json_string("Immediate"));
}

void api_validate_storageclass(const json_t *obj, const json_t *old, json_t *causes) {
  static const char *const sc_reclaim[] = {"Delete", "Retain", NULL};
  static const char *const modes[] = {"Immediate", "WaitForFirstConsumer", NULL};
  val_obj root;
  val_root(&root, obj, causes);
  const char *p = val_string_required(&root, "provisioner");
  if (p && !val_qualified_name(p, &(const char *){NULL}))
    val_invalid_str(&root, "provisioner", p, "must be a qualified name");
  val_string_map(&root, "parameters");
  val_enum(&root, "reclaimPolicy", sc_reclaim);
  val_enum(&root, "volumeBindingMode", modes);
  val_bool(&root, "allowVolumeExpansion");
  if (old == NULL)
    return;
  static const char *const fixed[] = {"provisioner", "parameters", "reclaimPolicy",
                                      "volumeBindingMode", NULL};
  for (const char *const *k = fixed; *k; k++)
    val_immutable(&root, *k, old);
}
