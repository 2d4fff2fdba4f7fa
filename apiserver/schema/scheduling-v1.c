/*
 * scheduling-v1.c — the schemas of scheduling.k8s.io/v1 (see schema.h): data only.
 */
#include "messages.h"

static const api_field PriorityClass[] = {
    OBJECT_META,
    FIELD("value", 2, INT32, DESC("The priority; higher runs first and may preempt.")),
    FIELD("globalDefault", 3, BOOL, FLAGS(OMIT), DESC("Priority of pods that name no class.")),
    FIELD("description", 4, STRING, FLAGS(OMIT), DESC("What the class is for.")),
    FIELD("preemptionPolicy", 5, STRING, FLAGS(PTR), DESC("Never or PreemptLowerPriority.")),
};
SCHEMA_MESSAGE(scheduling_v1_PriorityClass, "io.k8s.api.scheduling.v1.PriorityClass",
               "A name for a pod priority value.", PriorityClass, false);

LIST_MESSAGE(scheduling_v1_PriorityClassList, "io.k8s.api.scheduling.v1.PriorityClassList",
             scheduling_v1_PriorityClass);

const api_schema_kind api_schema_kinds_scheduling_v1[] = {
    {"scheduling.k8s.io", "v1", "PriorityClass", &api_msg_scheduling_v1_PriorityClass},
    {"scheduling.k8s.io", "v1", "PriorityClassList", &api_msg_scheduling_v1_PriorityClassList},
    {.kind = NULL},
};
