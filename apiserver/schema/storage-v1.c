/*
 * storage-v1.c — the schemas of storage.k8s.io/v1 (see schema.h): data only.
 */
#include "messages.h"

static const char *const enum_ReclaimPolicy[] = {"Delete", "Recycle", "Retain", NULL};
static const char *const enum_VolumeBindingMode[] = {"Immediate", "WaitForFirstConsumer", NULL};

static const api_field StorageClass[] = {
    OBJECT_META,
    FIELD("provisioner", 2, STRING, FLAGS(REQ),
          DESC("Who makes this class's volumes: tugboat.io/local-path is built in.")),
    FIELD("parameters", 3, STRING, MAP_OF, FLAGS(OMIT),
          DESC("The provisioner's own settings, unread by the rest of the system.")),
    FIELD("reclaimPolicy", 4, STRING, FLAGS(PTR), ENUM(enum_ReclaimPolicy),
          DESC("The reclaim policy of the volumes it makes; Delete when unset.")),
    FIELD("mountOptions", 5, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(ATOMIC)),
    FIELD("allowVolumeExpansion", 6, BOOL, FLAGS(PTR)),
    FIELD("volumeBindingMode", 7, STRING, FLAGS(PTR), ENUM(enum_VolumeBindingMode),
          DESC("Immediate, or WaitForFirstConsumer: provision where the first pod is placed.")),
    FIELD("allowedTopologies", 8, MESSAGE, REPEATED, OF(storage_v1_TopologySelectorTerm),
          FLAGS(OMIT), LIST_TYPE(ATOMIC)),
};
SCHEMA_MESSAGE(storage_v1_StorageClass, "io.k8s.api.storage.v1.StorageClass",
               "A class of storage and the provisioner that makes its volumes.", StorageClass,
               false);

static const api_field TopologySelectorTerm[] = {
    FIELD("matchLabelExpressions", 1, MESSAGE, REPEATED,
          OF(storage_v1_TopologySelectorLabelRequirement), FLAGS(OMIT), LIST_TYPE(ATOMIC)),
};
SCHEMA_MESSAGE(storage_v1_TopologySelectorTerm, "io.k8s.api.core.v1.TopologySelectorTerm", NULL,
               TopologySelectorTerm, true);

static const api_field TopologySelectorLabelRequirement[] = {
    FIELD("key", 1, STRING, FLAGS(REQ)),
    FIELD("values", 2, STRING, REPEATED, FLAGS(REQ), LIST_TYPE(ATOMIC)),
};
SCHEMA_MESSAGE(storage_v1_TopologySelectorLabelRequirement,
               "io.k8s.api.core.v1.TopologySelectorLabelRequirement", NULL,
               TopologySelectorLabelRequirement, false);

LIST_MESSAGE(storage_v1_StorageClassList, "io.k8s.api.storage.v1.StorageClassList",
             storage_v1_StorageClass);

const api_schema_kind api_schema_kinds_storage_v1[] = {
    {"storage.k8s.io", "v1", "StorageClass", &api_msg_storage_v1_StorageClass},
    {"storage.k8s.io", "v1", "StorageClassList", &api_msg_storage_v1_StorageClassList},
    {.kind = NULL},
};
