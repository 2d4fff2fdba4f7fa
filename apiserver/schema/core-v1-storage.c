/*
 * core-v1-storage.c — the schemas of v1 PersistentVolume and
 * PersistentVolumeClaim (see schema.h): data only. The claim's spec, and the
 * volume sources a PersistentVolume shares with pods, are in core-v1.c.
 */
#include "messages.h"

static const char *const enum_PersistentVolumeAccessMode[] = {
    "ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod", NULL};
static const char *const enum_PersistentVolumeMode[] = {"Block", "Filesystem", NULL};
static const char *const enum_PersistentVolumeReclaimPolicy[] = {"Delete", "Recycle", "Retain",
                                                                 NULL};
static const char *const enum_PersistentVolumePhase[] = {"Available", "Bound",  "Failed",
                                                         "Pending",   "Released", NULL};
static const char *const enum_PersistentVolumeClaimPhase[] = {"Bound", "Lost", "Pending", NULL};

static const api_field PersistentVolume[] = {
    OBJECT_META,
    FIELD("spec", 2, MESSAGE, OF(core_v1_PersistentVolumeSpec), FLAGS(OMIT),
          DESC("The desired state, as the user wrote it.")),
    FIELD("status", 3, MESSAGE, OF(core_v1_PersistentVolumeStatus), FLAGS(OMIT),
          DESC("The observed state, written by the system; read-only for users.")),
};
SCHEMA_MESSAGE(core_v1_PersistentVolume, "io.k8s.api.core.v1.PersistentVolume",
               "A piece of storage in the cluster, bound to at most one claim.", PersistentVolume,
               false);

/* Kubernetes inlines the source in the spec; the sources pods mount too are
 * shared with core-v1.c's VolumeSource. */
static const api_field PersistentVolumeSource[] = {
    FIELD("gcePersistentDisk", 1, MESSAGE, OF(core_v1_GCEPersistentDiskVolumeSource), FLAGS(PTR)),
    FIELD("awsElasticBlockStore", 2, MESSAGE, OF(core_v1_AWSElasticBlockStoreVolumeSource),
          FLAGS(PTR)),
    FIELD("hostPath", 3, MESSAGE, OF(core_v1_HostPathVolumeSource), FLAGS(PTR),
          DESC("A directory on the node (single-node testing).")),
    FIELD("nfs", 5, MESSAGE, OF(core_v1_NFSVolumeSource), FLAGS(PTR)),
    FIELD("fc", 10, MESSAGE, OF(core_v1_FCVolumeSource), FLAGS(PTR)),
    FIELD("flocker", 11, MESSAGE, OF(core_v1_FlockerVolumeSource), FLAGS(PTR)),
    FIELD("vsphereVolume", 14, MESSAGE, OF(core_v1_VsphereVirtualDiskVolumeSource), FLAGS(PTR)),
    FIELD("quobyte", 15, MESSAGE, OF(core_v1_QuobyteVolumeSource), FLAGS(PTR)),
    FIELD("azureDisk", 16, MESSAGE, OF(core_v1_AzureDiskVolumeSource), FLAGS(PTR)),
    FIELD("photonPersistentDisk", 17, MESSAGE, OF(core_v1_PhotonPersistentDiskVolumeSource),
          FLAGS(PTR)),
    FIELD("portworxVolume", 18, MESSAGE, OF(core_v1_PortworxVolumeSource), FLAGS(PTR)),
    FIELD("local", 20, MESSAGE, OF(core_v1_LocalVolumeSource), FLAGS(PTR),
          DESC("A directory on one node, reached there only (nodeAffinity is required).")),
};
SCHEMA_MESSAGE(core_v1_PersistentVolumeSource, "io.k8s.api.core.v1.PersistentVolumeSource", NULL,
               PersistentVolumeSource, false);

static const api_field LocalVolumeSource[] = {
    FIELD("path", 1, STRING, FLAGS(REQ), DESC("The directory's full path on the node.")),
    FIELD("fsType", 2, STRING, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_LocalVolumeSource, "io.k8s.api.core.v1.LocalVolumeSource", NULL,
               LocalVolumeSource, false);

static const api_field PersistentVolumeSpec[] = {
    FIELD("capacity", 1, QUANTITY, MAP_OF, FLAGS(OMIT), DESC("The volume's size: storage.")),
    FIELD("", 2, MESSAGE, OF(core_v1_PersistentVolumeSource), FLAGS(INLINE)),
    FIELD("accessModes", 3, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(ATOMIC),
          ENUM(enum_PersistentVolumeAccessMode), DESC("How the volume can be mounted.")),
    FIELD("claimRef", 4, MESSAGE, OF(core_v1_ObjectReference), FLAGS(PTR),
          DESC("The claim bound to this volume, or reserved for it.")),
    FIELD("persistentVolumeReclaimPolicy", 5, STRING, FLAGS(OMIT),
          ENUM(enum_PersistentVolumeReclaimPolicy),
          DESC("What happens when the claim is deleted: Retain or Delete.")),
    FIELD("storageClassName", 6, STRING, FLAGS(OMIT),
          DESC("The StorageClass this volume belongs to; \"\" for none.")),
    FIELD("mountOptions", 7, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(ATOMIC)),
    FIELD("volumeMode", 8, STRING, FLAGS(PTR), ENUM(enum_PersistentVolumeMode)),
    FIELD("nodeAffinity", 9, MESSAGE, OF(core_v1_VolumeNodeAffinity), FLAGS(PTR),
          DESC("The nodes this volume can be reached from.")),
    FIELD("volumeAttributesClassName", 10, STRING, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_PersistentVolumeSpec, "io.k8s.api.core.v1.PersistentVolumeSpec", NULL,
               PersistentVolumeSpec, false);

static const api_field VolumeNodeAffinity[] = {
    FIELD("required", 1, MESSAGE, OF(core_v1_NodeSelector), FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_VolumeNodeAffinity, "io.k8s.api.core.v1.VolumeNodeAffinity", NULL,
               VolumeNodeAffinity, false);

static const api_field PersistentVolumeStatus[] = {
    FIELD("phase", 1, STRING, FLAGS(OMIT), ENUM(enum_PersistentVolumePhase),
          DESC("Available, Bound, Released or Failed.")),
    FIELD("message", 2, STRING, FLAGS(OMIT), DESC("A human-readable explanation.")),
    FIELD("reason", 3, STRING, FLAGS(OMIT),
          DESC("A machine-readable, CamelCase reason for the current state.")),
    FIELD("lastPhaseTransitionTime", 4, TIME, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_PersistentVolumeStatus, "io.k8s.api.core.v1.PersistentVolumeStatus", NULL,
               PersistentVolumeStatus, false);

LIST_MESSAGE(core_v1_PersistentVolumeList, "io.k8s.api.core.v1.PersistentVolumeList",
             core_v1_PersistentVolume);

static const api_field PersistentVolumeClaim[] = {
    OBJECT_META,
    FIELD("spec", 2, MESSAGE, OF(core_v1_PersistentVolumeClaimSpec), FLAGS(OMIT),
          DESC("The desired state, as the user wrote it.")),
    FIELD("status", 3, MESSAGE, OF(core_v1_PersistentVolumeClaimStatus), FLAGS(OMIT),
          DESC("The observed state, written by the system; read-only for users.")),
};
SCHEMA_MESSAGE(core_v1_PersistentVolumeClaim, "io.k8s.api.core.v1.PersistentVolumeClaim",
               "A user's request for storage, bound to one PersistentVolume.",
               PersistentVolumeClaim, false);

static const api_field PersistentVolumeClaimStatus[] = {
    FIELD("phase", 1, STRING, FLAGS(OMIT), ENUM(enum_PersistentVolumeClaimPhase),
          DESC("Pending, Bound or Lost.")),
    FIELD("accessModes", 2, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(ATOMIC),
          ENUM(enum_PersistentVolumeAccessMode)),
    FIELD("capacity", 3, QUANTITY, MAP_OF, FLAGS(OMIT), DESC("The bound volume's size.")),
    FIELD("conditions", 4, MESSAGE, REPEATED, OF(core_v1_PersistentVolumeClaimCondition),
          FLAGS(OMIT), LIST_TYPE(MAP), KEYS("type"), MERGE("merge", "type")),
    FIELD("allocatedResources", 5, QUANTITY, MAP_OF, FLAGS(OMIT)),
    FIELD("allocatedResourceStatuses", 7, STRING, MAP_OF, FLAGS(OMIT)),
    FIELD("currentVolumeAttributesClassName", 8, STRING, FLAGS(PTR)),
};
SCHEMA_MESSAGE(core_v1_PersistentVolumeClaimStatus,
               "io.k8s.api.core.v1.PersistentVolumeClaimStatus", NULL, PersistentVolumeClaimStatus,
               false);

static const api_field PersistentVolumeClaimCondition[] = {
    FIELD("type", 1, STRING),
    FIELD("status", 2, STRING),
    FIELD("lastProbeTime", 3, TIME, FLAGS(OMIT)),
    FIELD("lastTransitionTime", 4, TIME, FLAGS(OMIT),
          DESC("When the condition last changed from one status to another.")),
    FIELD("reason", 5, STRING, FLAGS(OMIT),
          DESC("A machine-readable, CamelCase reason for the current state.")),
    FIELD("message", 6, STRING, FLAGS(OMIT), DESC("A human-readable explanation.")),
};
SCHEMA_MESSAGE(core_v1_PersistentVolumeClaimCondition,
               "io.k8s.api.core.v1.PersistentVolumeClaimCondition", NULL,
               PersistentVolumeClaimCondition, false);

LIST_MESSAGE(core_v1_PersistentVolumeClaimList, "io.k8s.api.core.v1.PersistentVolumeClaimList",
             core_v1_PersistentVolumeClaim);

const api_schema_kind api_schema_kinds_core_v1_storage[] = {
    {"", "v1", "PersistentVolume", &api_msg_core_v1_PersistentVolume},
    {"", "v1", "PersistentVolumeList", &api_msg_core_v1_PersistentVolumeList},
    {"", "v1", "PersistentVolumeClaim", &api_msg_core_v1_PersistentVolumeClaim},
    {"", "v1", "PersistentVolumeClaimList", &api_msg_core_v1_PersistentVolumeClaimList},
    {.kind = NULL},
};
