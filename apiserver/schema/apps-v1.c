/*
 * apps-v1.c — the schemas of apps/v1 (see schema.h): data only.
 */
#include "messages.h"

static const char *const enum_DeploymentStrategyType[] = {"Recreate", "RollingUpdate", NULL};

static const api_field Deployment[] = {
    OBJECT_META,
    FIELD("spec", 2, MESSAGE, OF(apps_v1_DeploymentSpec), FLAGS(OMIT | REQ),
          DESC("The desired state, as the user wrote it.")),
    FIELD("status", 3, MESSAGE, OF(apps_v1_DeploymentStatus), FLAGS(OMIT),
          DESC("The observed state, written by the system; read-only for users.")),
};
SCHEMA_MESSAGE(apps_v1_Deployment, "io.k8s.api.apps.v1.Deployment",
               "Declarative updates of a replicated set of pods.", Deployment, false);

static const api_field DeploymentSpec[] = {
    FIELD("replicas", 1, INT32, FLAGS(PTR), DESC("Number of pods wanted; 1 when unset.")),
    FIELD("selector", 2, MESSAGE, OF(meta_v1_LabelSelector), FLAGS(PTR | REQ),
          DESC("Label query of the pods this deployment manages; must match the template.")),
    FIELD("template", 3, MESSAGE, OF(core_v1_PodTemplateSpec), FLAGS(REQ),
          DESC("The pod each replica runs.")),
    FIELD("strategy", 4, MESSAGE, OF(apps_v1_DeploymentStrategy), FLAGS(OMIT),
          STRATEGY("retainKeys"), DESC("How old pods are replaced by new ones.")),
    FIELD("minReadySeconds", 5, INT32, FLAGS(OMIT),
          DESC("Seconds a new pod must be ready to count as available.")),
    FIELD("revisionHistoryLimit", 6, INT32, FLAGS(PTR),
          DESC("How many old ReplicaSets to keep for rollback.")),
    FIELD("paused", 7, BOOL, FLAGS(OMIT),
          DESC("When true, changes to the template are not rolled out.")),
    FIELD("progressDeadlineSeconds", 9, INT32, FLAGS(PTR),
          DESC("Seconds without progress before the rollout is reported failed.")),
};
SCHEMA_MESSAGE(apps_v1_DeploymentSpec, "io.k8s.api.apps.v1.DeploymentSpec", NULL, DeploymentSpec,
               false);

static const api_field DeploymentStrategy[] = {
    FIELD("type", 1, STRING, FLAGS(OMIT), ENUM(enum_DeploymentStrategyType)),
    FIELD("rollingUpdate", 2, MESSAGE, OF(apps_v1_RollingUpdateDeployment), FLAGS(PTR)),
};
SCHEMA_MESSAGE(apps_v1_DeploymentStrategy, "io.k8s.api.apps.v1.DeploymentStrategy", NULL,
               DeploymentStrategy, false);

static const api_field RollingUpdateDeployment[] = {
    FIELD("maxUnavailable", 1, INT_OR_STRING, FLAGS(PTR),
          DESC("Pods allowed to be unavailable during an update (number or percent).")),
    FIELD("maxSurge", 2, INT_OR_STRING, FLAGS(PTR),
          DESC("Pods allowed above the desired count during an update (number or percent).")),
};
SCHEMA_MESSAGE(apps_v1_RollingUpdateDeployment, "io.k8s.api.apps.v1.RollingUpdateDeployment", NULL,
               RollingUpdateDeployment, false);

static const api_field DeploymentStatus[] = {
    FIELD("observedGeneration", 1, INT64, FLAGS(OMIT),
          DESC("The metadata.generation this status reflects.")),
    FIELD("replicas", 2, INT32, FLAGS(OMIT), DESC("Pods the deployment's ReplicaSets own.")),
    FIELD("updatedReplicas", 3, INT32, FLAGS(OMIT), DESC("Pods running the current template.")),
    FIELD("readyReplicas", 7, INT32, FLAGS(OMIT), DESC("Pods ready.")),
    FIELD("availableReplicas", 4, INT32, FLAGS(OMIT),
          DESC("Pods ready for at least minReadySeconds.")),
    FIELD("unavailableReplicas", 5, INT32, FLAGS(OMIT)),
    FIELD("terminatingReplicas", 9, INT32, FLAGS(PTR)),
    FIELD("conditions", 6, MESSAGE, REPEATED, OF(apps_v1_DeploymentCondition), FLAGS(OMIT),
          LIST_TYPE(MAP), KEYS("type"), MERGE("merge", "type"),
          DESC("Latest observations of the object's state, one per condition type.")),
    FIELD("collisionCount", 8, INT32, FLAGS(PTR)),
};
SCHEMA_MESSAGE(apps_v1_DeploymentStatus, "io.k8s.api.apps.v1.DeploymentStatus", NULL,
               DeploymentStatus, false);

static const api_field DeploymentCondition[] = {
    FIELD("type", 1, STRING),
    FIELD("status", 2, STRING,
          DESC("The observed state, written by the system; read-only for users.")),
    FIELD("lastUpdateTime", 6, TIME, FLAGS(OMIT)),
    FIELD("lastTransitionTime", 7, TIME, FLAGS(OMIT),
          DESC("When the condition last changed from one status to another.")),
    FIELD("reason", 4, STRING, FLAGS(OMIT),
          DESC("A machine-readable, CamelCase reason for the current state.")),
    FIELD("message", 5, STRING, FLAGS(OMIT), DESC("A human-readable explanation.")),
};
SCHEMA_MESSAGE(apps_v1_DeploymentCondition, "io.k8s.api.apps.v1.DeploymentCondition", NULL,
               DeploymentCondition, false);

LIST_MESSAGE(apps_v1_DeploymentList, "io.k8s.api.apps.v1.DeploymentList", apps_v1_Deployment);

static const api_field ReplicaSet[] = {
    OBJECT_META,
    FIELD("spec", 2, MESSAGE, OF(apps_v1_ReplicaSetSpec), FLAGS(OMIT | REQ),
          DESC("The desired state, as the user wrote it.")),
    FIELD("status", 3, MESSAGE, OF(apps_v1_ReplicaSetStatus), FLAGS(OMIT),
          DESC("The observed state, written by the system; read-only for users.")),
};
SCHEMA_MESSAGE(apps_v1_ReplicaSet, "io.k8s.api.apps.v1.ReplicaSet",
               "Keeps a number of identical pods running.", ReplicaSet, false);

static const api_field ReplicaSetSpec[] = {
    FIELD("replicas", 1, INT32, FLAGS(PTR), DESC("Number of pods wanted; 1 when unset.")),
    FIELD("minReadySeconds", 4, INT32, FLAGS(OMIT)),
    FIELD("selector", 2, MESSAGE, OF(meta_v1_LabelSelector), FLAGS(PTR | REQ),
          DESC("Label query of the pods this ReplicaSet manages; must match the template.")),
    FIELD("template", 3, MESSAGE, OF(core_v1_PodTemplateSpec), FLAGS(OMIT),
          DESC("The pod each replica runs.")),
};
SCHEMA_MESSAGE(apps_v1_ReplicaSetSpec, "io.k8s.api.apps.v1.ReplicaSetSpec", NULL, ReplicaSetSpec,
               false);

static const api_field ReplicaSetStatus[] = {
    FIELD("replicas", 1, INT32, FLAGS(REQ), DESC("Pods the ReplicaSet owns.")),
    FIELD("fullyLabeledReplicas", 2, INT32, FLAGS(OMIT)),
    FIELD("readyReplicas", 4, INT32, FLAGS(OMIT)),
    FIELD("availableReplicas", 5, INT32, FLAGS(OMIT)),
    FIELD("terminatingReplicas", 7, INT32, FLAGS(PTR)),
    FIELD("observedGeneration", 3, INT64, FLAGS(OMIT),
          DESC("The metadata.generation this status reflects.")),
    FIELD("conditions", 6, MESSAGE, REPEATED, OF(apps_v1_ReplicaSetCondition), FLAGS(OMIT),
          LIST_TYPE(MAP), KEYS("type"), MERGE("merge", "type"),
          DESC("Latest observations of the object's state, one per condition type.")),
};
SCHEMA_MESSAGE(apps_v1_ReplicaSetStatus, "io.k8s.api.apps.v1.ReplicaSetStatus", NULL,
               ReplicaSetStatus, false);

static const api_field ReplicaSetCondition[] = {
    FIELD("type", 1, STRING),
    FIELD("status", 2, STRING,
          DESC("The observed state, written by the system; read-only for users.")),
    FIELD("lastTransitionTime", 3, TIME, FLAGS(OMIT),
          DESC("When the condition last changed from one status to another.")),
    FIELD("reason", 4, STRING, FLAGS(OMIT),
          DESC("A machine-readable, CamelCase reason for the current state.")),
    FIELD("message", 5, STRING, FLAGS(OMIT), DESC("A human-readable explanation.")),
};
SCHEMA_MESSAGE(apps_v1_ReplicaSetCondition, "io.k8s.api.apps.v1.ReplicaSetCondition", NULL,
               ReplicaSetCondition, false);

LIST_MESSAGE(apps_v1_ReplicaSetList, "io.k8s.api.apps.v1.ReplicaSetList", apps_v1_ReplicaSet);

const api_schema_kind api_schema_kinds_apps_v1[] = {
    {"apps", "v1", "Deployment", &api_msg_apps_v1_Deployment},
    {"apps", "v1", "DeploymentList", &api_msg_apps_v1_DeploymentList},
    {"apps", "v1", "ReplicaSet", &api_msg_apps_v1_ReplicaSet},
    {"apps", "v1", "ReplicaSetList", &api_msg_apps_v1_ReplicaSetList},
    {.kind = NULL},
};
