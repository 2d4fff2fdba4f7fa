/*
 * apps-v1-statefulset.c — the schema of apps/v1 StatefulSet (see schema.h):
 * data only.
 */
#include "messages.h"

static const char *const enum_PodManagementPolicyType[] = {"OrderedReady", "Parallel", NULL};
static const char *const enum_StatefulSetUpdateStrategyType[] = {"OnDelete", "RollingUpdate",
                                                                 NULL};
static const char *const enum_RetentionPolicyType[] = {"Delete", "Retain", NULL};

static const api_field StatefulSet[] = {
    OBJECT_META,
    FIELD("spec", 2, MESSAGE, OF(apps_v1_StatefulSetSpec), FLAGS(OMIT | REQ),
          DESC("The desired state, as the user wrote it.")),
    FIELD("status", 3, MESSAGE, OF(apps_v1_StatefulSetStatus), FLAGS(OMIT),
          DESC("The observed state, written by the system; read-only for users.")),
};
SCHEMA_MESSAGE(apps_v1_StatefulSet, "io.k8s.api.apps.v1.StatefulSet",
               "Pods with stable names and storage of their own, made and updated in order.",
               StatefulSet, false);

static const api_field StatefulSetSpec[] = {
    FIELD("replicas", 1, INT32, FLAGS(PTR), DESC("Number of pods wanted; 1 when unset.")),
    FIELD("selector", 2, MESSAGE, OF(meta_v1_LabelSelector), FLAGS(PTR | REQ),
          DESC("Label query of the pods this set manages; must match the template.")),
    FIELD("template", 3, MESSAGE, OF(core_v1_PodTemplateSpec), FLAGS(REQ),
          DESC("The pod each ordinal runs.")),
    FIELD("volumeClaimTemplates", 4, MESSAGE, REPEATED, OF(core_v1_PersistentVolumeClaim),
          FLAGS(OMIT), LIST_TYPE(ATOMIC),
          DESC("Claims each pod gets, named <template>-<set>-<ordinal>.")),
    FIELD("serviceName", 5, STRING, FLAGS(OMIT),
          DESC("The headless Service that gives the pods their DNS names.")),
    FIELD("podManagementPolicy", 6, STRING, FLAGS(OMIT), ENUM(enum_PodManagementPolicyType),
          DESC("OrderedReady (one at a time, in order) or Parallel.")),
    FIELD("updateStrategy", 7, MESSAGE, OF(apps_v1_StatefulSetUpdateStrategy), FLAGS(OMIT),
          DESC("How pods are replaced when the template changes.")),
    FIELD("revisionHistoryLimit", 8, INT32, FLAGS(PTR)),
    FIELD("minReadySeconds", 9, INT32, FLAGS(OMIT),
          DESC("Seconds a new pod must be ready to count as available.")),
    FIELD("persistentVolumeClaimRetentionPolicy", 10, MESSAGE,
          OF(apps_v1_StatefulSetPersistentVolumeClaimRetentionPolicy), FLAGS(PTR),
          DESC("Whether claims are kept when the set is deleted or scaled down.")),
    FIELD("ordinals", 11, MESSAGE, OF(apps_v1_StatefulSetOrdinals), FLAGS(PTR)),
};
SCHEMA_MESSAGE(apps_v1_StatefulSetSpec, "io.k8s.api.apps.v1.StatefulSetSpec", NULL,
               StatefulSetSpec, false);

static const api_field StatefulSetUpdateStrategy[] = {
    FIELD("type", 1, STRING, FLAGS(OMIT), ENUM(enum_StatefulSetUpdateStrategyType)),
    FIELD("rollingUpdate", 2, MESSAGE, OF(apps_v1_RollingUpdateStatefulSetStrategy), FLAGS(PTR)),
};
SCHEMA_MESSAGE(apps_v1_StatefulSetUpdateStrategy, "io.k8s.api.apps.v1.StatefulSetUpdateStrategy",
               NULL, StatefulSetUpdateStrategy, false);

static const api_field RollingUpdateStatefulSetStrategy[] = {
    FIELD("partition", 1, INT32, FLAGS(PTR),
          DESC("Ordinals below this keep the old template.")),
    FIELD("maxUnavailable", 2, INT_OR_STRING, FLAGS(PTR)),
};
SCHEMA_MESSAGE(apps_v1_RollingUpdateStatefulSetStrategy,
               "io.k8s.api.apps.v1.RollingUpdateStatefulSetStrategy", NULL,
               RollingUpdateStatefulSetStrategy, false);

static const api_field StatefulSetPersistentVolumeClaimRetentionPolicy[] = {
    FIELD("whenDeleted", 1, STRING, FLAGS(OMIT), ENUM(enum_RetentionPolicyType)),
    FIELD("whenScaled", 2, STRING, FLAGS(OMIT), ENUM(enum_RetentionPolicyType)),
};
SCHEMA_MESSAGE(apps_v1_StatefulSetPersistentVolumeClaimRetentionPolicy,
               "io.k8s.api.apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy", NULL,
               StatefulSetPersistentVolumeClaimRetentionPolicy, false);

static const api_field StatefulSetOrdinals[] = {
    FIELD("start", 1, INT32, FLAGS(OMIT), DESC("The first ordinal; 0 when unset.")),
};
SCHEMA_MESSAGE(apps_v1_StatefulSetOrdinals, "io.k8s.api.apps.v1.StatefulSetOrdinals", NULL,
               StatefulSetOrdinals, false);

static const api_field StatefulSetStatus[] = {
    FIELD("observedGeneration", 1, INT64, FLAGS(OMIT),
          DESC("The metadata.generation this status reflects.")),
    FIELD("replicas", 2, INT32, DESC("Pods the set owns.")),
    FIELD("readyReplicas", 3, INT32, FLAGS(OMIT)),
    FIELD("currentReplicas", 4, INT32, FLAGS(OMIT)),
    FIELD("updatedReplicas", 5, INT32, FLAGS(OMIT)),
    FIELD("currentRevision", 6, STRING, FLAGS(OMIT)),
    FIELD("updateRevision", 7, STRING, FLAGS(OMIT)),
    FIELD("collisionCount", 9, INT32, FLAGS(PTR)),
    FIELD("conditions", 10, MESSAGE, REPEATED, OF(apps_v1_StatefulSetCondition), FLAGS(OMIT),
          LIST_TYPE(MAP), KEYS("type"), MERGE("merge", "type"),
          DESC("Latest observations of the object's state, one per condition type.")),
    FIELD("availableReplicas", 11, INT32, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(apps_v1_StatefulSetStatus, "io.k8s.api.apps.v1.StatefulSetStatus", NULL,
               StatefulSetStatus, false);

static const api_field StatefulSetCondition[] = {
    FIELD("type", 1, STRING),
    FIELD("status", 2, STRING),
    FIELD("lastTransitionTime", 3, TIME, FLAGS(OMIT),
          DESC("When the condition last changed from one status to another.")),
    FIELD("reason", 4, STRING, FLAGS(OMIT),
          DESC("A machine-readable, CamelCase reason for the current state.")),
    FIELD("message", 5, STRING, FLAGS(OMIT), DESC("A human-readable explanation.")),
};
SCHEMA_MESSAGE(apps_v1_StatefulSetCondition, "io.k8s.api.apps.v1.StatefulSetCondition", NULL,
               StatefulSetCondition, false);

LIST_MESSAGE(apps_v1_StatefulSetList, "io.k8s.api.apps.v1.StatefulSetList", apps_v1_StatefulSet);

const api_schema_kind api_schema_kinds_apps_v1_statefulset[] = {
    {"apps", "v1", "StatefulSet", &api_msg_apps_v1_StatefulSet},
    {"apps", "v1", "StatefulSetList", &api_msg_apps_v1_StatefulSetList},
    {.kind = NULL},
};
