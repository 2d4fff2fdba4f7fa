/*
 * table-storage.c — PersistentVolume, PersistentVolumeClaim, StorageClass and
 * StatefulSet columns as kubectl 1.32 prints them.
 *
 * Access modes print in kubectl's fixed order and short names (RWO, ROX, RWX,
 * RWOP), whatever order the object lists them in; a volume or claim being
 * deleted shows Terminating instead of its phase; the default StorageClass's
 * name carries " (default)".
 */
#include "table-internal.h"
#include "table.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "object.h"

static json_t *access_modes(const json_t *obj, const char *path) {
  static const struct {
    const char *mode, *abbrev;
  } modes[] = {{"ReadWriteOnce", "RWO"},
               {"ReadOnlyMany", "ROX"},
               {"ReadWriteMany", "RWX"},
               {"ReadWriteOncePod", "RWOP"}};
  const json_t *list = tug_obj_get(obj, path);
  table_buf b = {0};
  size_t count = 0;
  for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) {
      if (json_is_string(v) && strcmp(json_string_value(v), modes[m].mode) == 0) {
        table_buf_sep(&b, ",", &count);
        table_buf_add(&b, modes[m].abbrev);
        break;
      }
    }
  }
  return table_buf_json(&b, NULL);
}

static json_t *phase_or_terminating(const json_t *obj) {
  if (tug_obj_deletion_timestamp(obj))
    return table_text("Terminating");
  return table_str_cell(obj, "status.phase", "");
}

static json_t *volume_mode(const json_t *obj) {
  return table_str_cell(obj, "spec.volumeMode", "<unset>");
}

static json_t *attributes_class(const json_t *obj) {
  return table_str_cell(obj, "spec.volumeAttributesClassName", "<unset>");
}

/* ---- persistent volumes ---- */

static json_t *pv_capacity(const json_t *pv) {
  return table_str_cell(pv, "spec.capacity.storage", "");
}

static json_t *pv_access_modes(const json_t *pv) {
  return access_modes(pv, "spec.accessModes");
}

static json_t *pv_reclaim(const json_t *pv) {
  return table_str_cell(pv, "spec.persistentVolumeReclaimPolicy", "");
}

static json_t *pv_claim(const json_t *pv) {
  const char *ns = tug_obj_get_str(pv, "spec.claimRef.namespace");
  const char *name = tug_obj_get_str(pv, "spec.claimRef.name");
  if (name == NULL)
    return table_text("");
  char buf[512];
  snprintf(buf, sizeof buf, "%s/%s", ns ? ns : "", name);
  return table_text(buf);
}

static json_t *storage_class(const json_t *obj) {
  return table_str_cell(obj, "spec.storageClassName", "");
}

static json_t *pv_reason(const json_t *pv) {
  return table_str_cell(pv, "status.reason", "");
}

const api_column api_columns_persistentvolume[] = {
    TABLE_COLUMN_NAME,
    {"Capacity", "string", "", 0, "capacity is the description of the persistent volume's "
                                  "resources and capacity.", pv_capacity},
    {"Access Modes", "string", "", 0, "accessModes contains all ways the volume can be mounted.",
     pv_access_modes},
    {"Reclaim Policy", "string", "", 0,
     "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released "
     "from its claim.",
     pv_reclaim},
    {"Status", "string", "", 0, "phase indicates if a volume is available, bound to a claim, or "
                                "released by a claim.", phase_or_terminating},
    {"Claim", "string", "", 0, "claimRef is part of a bi-directional binding between "
                               "PersistentVolume and PersistentVolumeClaim.", pv_claim},
    {"StorageClass", "string", "", 0,
     "storageClassName is the name of StorageClass to which this persistent volume belongs.",
     storage_class},
    {"VolumeAttributesClass", "string", "", 0,
     "Name of VolumeAttributesClass to which this persistent volume belongs.", attributes_class},
    {"Reason", "string", "", 0, "reason is a brief CamelCase string that describes any failure "
                                "and is meant for machine parsing and tidy display in the CLI.",
     pv_reason},
    TABLE_COLUMN_AGE,
    {"VolumeMode", "string", "", 1,
     "volumeMode defines if a volume is intended to be used with a formatted filesystem or to "
     "remain in raw block state.",
     volume_mode},
    TABLE_COLUMN_END,
};

/* ---- persistent volume claims ---- */

static json_t *pvc_volume(const json_t *pvc) {
  return table_str_cell(pvc, "spec.volumeName", "");
}

static json_t *pvc_capacity(const json_t *pvc) {
  return table_str_cell(pvc, "status.capacity.storage", "");
}

static json_t *pvc_access_modes(const json_t *pvc) {
  return access_modes(pvc, "status.accessModes");
}

const api_column api_columns_persistentvolumeclaim[] = {
    TABLE_COLUMN_NAME,
    {"Status", "string", "", 0, "phase represents the current phase of PersistentVolumeClaim.",
     phase_or_terminating},
    {"Volume", "string", "", 0,
     "volumeName is the binding reference to the PersistentVolume backing this claim.",
     pvc_volume},
    {"Capacity", "string", "", 0,
     "capacity represents the actual resources of the underlying volume.", pvc_capacity},
    {"Access Modes", "string", "", 0,
     "accessModes contains the actual access modes the volume backing the PVC has.",
     pvc_access_modes},
    {"StorageClass", "string", "", 0,
     "storageClassName is the name of the StorageClass required by the claim.", storage_class},
    {"VolumeAttributesClass", "string", "", 0,
     "volumeAttributesClassName may be used to set the VolumeAttributesClass used by this "
     "claim.",
     attributes_class},
    TABLE_COLUMN_AGE,
    {"VolumeMode", "string", "", 1,
     "volumeMode defines what type of volume is required by the claim.", volume_mode},
    TABLE_COLUMN_END,
};

/* ---- storage classes ---- */

static json_t *sc_name(const json_t *sc) {
  const char *def = json_string_value(json_object_get(
      tug_obj_get(sc, "metadata.annotations"), "storageclass.kubernetes.io/is-default-class"));
  if (def == NULL || strcmp(def, "true") != 0)
    return table_cell_name(sc);
  char buf[300];
  snprintf(buf, sizeof buf, "%s (default)", tug_obj_name(sc) ? tug_obj_name(sc) : "");
  return table_text(buf);
}

static json_t *sc_provisioner(const json_t *sc) {
  return table_str_cell(sc, "provisioner", "");
}

static json_t *sc_reclaim(const json_t *sc) {
  return table_str_cell(sc, "reclaimPolicy", "Delete");
}

static json_t *sc_binding_mode(const json_t *sc) {
  return table_str_cell(sc, "volumeBindingMode", "Immediate");
}

static json_t *sc_expansion(const json_t *sc) {
  return json_boolean(json_is_true(json_object_get(sc, "allowVolumeExpansion")));
}

const api_column api_columns_storageclass[] = {
    {"Name", "string", "name", 0, TABLE_DESC_NAME, sc_name},
    {"Provisioner", "string", "", 0, "provisioner indicates the type of the provisioner.",
     sc_provisioner},
    {"ReclaimPolicy", "string", "", 0,
     "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of "
     "this storage class.",
     sc_reclaim},
    {"VolumeBindingMode", "string", "", 0,
     "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.",
     sc_binding_mode},
    {"AllowVolumeExpansion", "string", "", 0,
     "allowVolumeExpansion shows whether the storage class allow volume expand.", sc_expansion},
    TABLE_COLUMN_AGE,
    TABLE_COLUMN_END,
};

/* ---- stateful sets ---- */

static json_t *sts_ready(const json_t *sts) {
  char buf[64];
  snprintf(buf, sizeof buf, "%" PRId64 "/%" PRId64,
           tug_obj_get_int(sts, "status.readyReplicas", 0),
           tug_obj_get_int(sts, "spec.replicas", 1));
  return table_text(buf);
}

static json_t *sts_containers(const json_t *sts) {
  return table_container_names(sts, "spec.template.spec");
}

static json_t *sts_images(const json_t *sts) {
  return table_container_images(sts, "spec.template.spec");
}

const api_column api_columns_statefulset[] = {
    TABLE_COLUMN_NAME,
    {"Ready", "string", "", 0, "Number of the pod with ready state", sts_ready},
    TABLE_COLUMN_AGE,
    {"Containers", "string", "", 1, TABLE_DESC_CONTAINERS, sts_containers},
    {"Images", "string", "", 1, TABLE_DESC_IMAGES, sts_images},
    TABLE_COLUMN_END,
};
