/*
 * apps-v1-daemonset.c — the schema of apps/v1 DaemonSet (see schema.h): data
 * only, kept apart from apps-v1.c so each kind's table reads on its own.
 */
#include "messages.h"

static const char *const enum_DaemonSetUpdateStrategyType[] = {"RollingUpdate", "OnDelete", NULL};

static const api_field DaemonSet[] = {
    OBJECT_META,
    FIELD("spec", 2, MESSAGE, OF(apps_v1_DaemonSetSpec), FLAGS(OMIT | REQ),
          DESC("The desired state, as the user wrote it.")),
    FIELD("status", 3, MESSAGE, OF(apps_v1_DaemonSetStatus), FLAGS(OMIT),
          DESC("The observed state, written by the system; read-only for users.")),
};
SCHEMA_MESSAGE(apps_v1_DaemonSet, "io.k8s.api.apps.v1.DaemonSet",
               "Runs one pod on every node that matches.", DaemonSet, false);

static const api_field DaemonSetSpec[] = {
    FIELD("selector", 1, MESSAGE, OF(meta_v1_LabelSelector), FLAGS(PTR | REQ),
          DESC("Label query of the pods this daemon set manages; must match the template.")),
    FIELD("template", 2, MESSAGE, OF(core_v1_PodTemplateSpec), FLAGS(REQ),
          DESC("The pod run on each node; its nodeSelector, affinity and tolerations pick the "
               "nodes.")),
    FIELD("updateStrategy", 3, MESSAGE, OF(apps_v1_DaemonSetUpdateStrategy), FLAGS(OMIT),
          DESC("How pods are replaced when the template changes.")),
    FIELD("minReadySeconds", 4, INT32, FLAGS(OMIT),
          DESC("Seconds a new pod must be ready to count as available.")),
    FIELD("revisionHistoryLimit", 6, INT32, FLAGS(PTR),
          DESC("How many old revisions to keep for rollback.")),
};
SCHEMA_MESSAGE(apps_v1_DaemonSetSpec, "io.k8s.api.apps.v1.DaemonSetSpec", NULL, DaemonSetSpec,
               false);

static const api_field DaemonSetUpdateStrategy[] = {
    FIELD("type", 1, STRING, FLAGS(OMIT), ENUM(enum_DaemonSetUpdateStrategyType)),
    FIELD("rollingUpdate", 2, MESSAGE, OF(apps_v1_RollingUpdateDaemonSet), FLAGS(PTR)),
};
SCHEMA_MESSAGE(apps_v1_DaemonSetUpdateStrategy, "io.k8s.api.apps.v1.DaemonSetUpdateStrategy", NULL,
               DaemonSetUpdateStrategy, false);

static const api_field RollingUpdateDaemonSet[] = {
    FIELD("maxUnavailable", 1, INT_OR_STRING, FLAGS(PTR),
          DESC("Nodes whose pod may be down during an update (number or percent).")),
    FIELD("maxSurge", 2, INT_OR_STRING, FLAGS(PTR),
          DESC("Nodes that may run an old and a new pod at once during an update.")),
};
SCHEMA_MESSAGE(apps_v1_RollingUpdateDaemonSet, "io.k8s.api.apps.v1.RollingUpdateDaemonSet", NULL,
               RollingUpdateDaemonSet, false);

static const api_field DaemonSetStatus[] = {
    FIELD("currentNumberScheduled", 1, INT32, FLAGS(REQ),
          DESC("Nodes that run a daemon pod and should.")),
    FIELD("numberMisscheduled", 2, INT32, FLAGS(REQ),
          DESC("Nodes that run a daemon pod and should not.")),
    FIELD("desiredNumberScheduled", 3, INT32, FLAGS(REQ),
          DESC("Nodes that should run a daemon pod.")),
    FIELD("numberReady", 4, INT32, FLAGS(REQ), DESC("Nodes whose daemon pod is ready.")),
    FIELD("observedGeneration", 5, INT64, FLAGS(OMIT),
          DESC("The metadata.generation this status reflects.")),
    FIELD("updatedNumberScheduled", 6, INT32, FLAGS(OMIT),
          DESC("Nodes running the current template.")),
    FIELD("numberAvailable", 7, INT32, FLAGS(OMIT),
          DESC("Nodes whose daemon pod is ready for at least minReadySeconds.")),
    FIELD("numberUnavailable", 8, INT32, FLAGS(OMIT),
          DESC("Nodes that should run an available daemon pod and do not.")),
    FIELD("collisionCount", 9, INT32, FLAGS(PTR)),
    FIELD("conditions", 10, MESSAGE, REPEATED, OF(apps_v1_DaemonSetCondition), FLAGS(OMIT),
          LIST_TYPE(MAP), KEYS("type"), MERGE("merge", "type"),
          DESC("Latest observations of the object's state, one per condition type.")),
};
SCHEMA_MESSAGE(apps_v1_DaemonSetStatus, "io.k8s.api.apps.v1.DaemonSetStatus", NULL, DaemonSetStatus,
               false);

static const api_field DaemonSetCondition[] = {
    FIELD("type", 1, STRING),
    FIELD("status", 2, STRING,
          DESC("The observed state, written by the system; read-only for users.")),
    FIELD("lastTransitionTime", 3, TIME, FLAGS(OMIT),
          DESC("When the condition last changed from one status to another.")),
    FIELD("reason", 4, STRING, FLAGS(OMIT),
          DESC("A machine-readable, CamelCase reason for the current state.")),
    FIELD("message", 5, STRING, FLAGS(OMIT), DESC("A human-readable explanation.")),
};
SCHEMA_MESSAGE(apps_v1_DaemonSetCondition, "io.k8s.api.apps.v1.DaemonSetCondition", NULL,
               DaemonSetCondition, false);

LIST_MESSAGE(apps_v1_DaemonSetList, "io.k8s.api.apps.v1.DaemonSetList", apps_v1_DaemonSet);

const api_schema_kind api_schema_kinds_apps_v1_daemonset[] = {
    {"apps", "v1", "DaemonSet", &api_msg_apps_v1_DaemonSet},
    {"apps", "v1", "DaemonSetList", &api_msg_apps_v1_DaemonSetList},
    {.kind = NULL},
};
