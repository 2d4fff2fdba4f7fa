/*
 * policy-v1.c — the schemas of policy/v1 (see schema.h): data only.
 */
#include "messages.h"

static const char *const enum_UnhealthyPodEvictionPolicy[] = {"IfHealthyBudget", "AlwaysAllow",
                                                              NULL};

static const api_field Eviction[] = {
    OBJECT_META,
    FIELD("deleteOptions", 2, MESSAGE, OF(meta_v1_DeleteOptions), FLAGS(PTR),
          DESC("Options of the deletion the eviction performs.")),
};
SCHEMA_MESSAGE(policy_v1_Eviction, "io.k8s.api.policy.v1.Eviction",
               "Asks to evict a pod, honouring disruption budgets.", Eviction, false);

static const api_field PodDisruptionBudget[] = {
    OBJECT_META,
    FIELD("spec", 2, MESSAGE, OF(policy_v1_PodDisruptionBudgetSpec), FLAGS(OMIT),
          DESC("The desired state, as the user wrote it.")),
    FIELD("status", 3, MESSAGE, OF(policy_v1_PodDisruptionBudgetStatus), FLAGS(OMIT),
          DESC("The observed state, written by the system; read-only for users.")),
};
SCHEMA_MESSAGE(policy_v1_PodDisruptionBudget, "io.k8s.api.policy.v1.PodDisruptionBudget",
               "How many pods of a set voluntary disruptions (evictions) may take down at once.",
               PodDisruptionBudget, false);

static const api_field PodDisruptionBudgetSpec[] = {
    FIELD("minAvailable", 1, INT_OR_STRING, FLAGS(PTR),
          DESC("Pods (a number or a percentage of the owners' scale) that must stay healthy.")),
    FIELD("selector", 2, MESSAGE, OF(meta_v1_LabelSelector), FLAGS(PTR), STRATEGY("replace"),
          DESC("Label query of the pods the budget covers; empty selects every pod.")),
    FIELD("maxUnavailable", 3, INT_OR_STRING, FLAGS(PTR),
          DESC("Pods (a number or a percentage of the owners' scale) that may be unhealthy.")),
    FIELD("unhealthyPodEvictionPolicy", 4, STRING, FLAGS(PTR),
          ENUM(enum_UnhealthyPodEvictionPolicy),
          DESC("When a pod that is not Ready may be evicted: IfHealthyBudget or AlwaysAllow.")),
};
SCHEMA_MESSAGE(policy_v1_PodDisruptionBudgetSpec, "io.k8s.api.policy.v1.PodDisruptionBudgetSpec",
               NULL, PodDisruptionBudgetSpec, false);

static const api_field PodDisruptionBudgetStatus[] = {
    FIELD("observedGeneration", 1, INT64, FLAGS(OMIT),
          DESC("The metadata.generation this status reflects.")),
    FIELD("disruptedPods", 2, TIME, MAP_OF, FLAGS(OMIT),
          DESC("Pods evicted but not yet gone, with when; the controller stops counting them.")),
    FIELD("disruptionsAllowed", 3, INT32, FLAGS(REQ),
          DESC("Evictions that may happen now without breaking the budget.")),
    FIELD("currentHealthy", 4, INT32, FLAGS(REQ), DESC("Selected pods that are Ready.")),
    FIELD("desiredHealthy", 5, INT32, FLAGS(REQ), DESC("Ready pods the budget requires.")),
    FIELD("expectedPods", 6, INT32, FLAGS(REQ),
          DESC("Pods the budget expects: the owners' replicas, or the pods selected.")),
    FIELD("conditions", 7, MESSAGE, REPEATED, OF(meta_v1_Condition), FLAGS(OMIT), LIST_TYPE(MAP),
          KEYS("type"), MERGE("merge", "type"),
          DESC("Latest observations of the object's state, one per condition type.")),
};
SCHEMA_MESSAGE(policy_v1_PodDisruptionBudgetStatus,
               "io.k8s.api.policy.v1.PodDisruptionBudgetStatus", NULL, PodDisruptionBudgetStatus,
               false);

LIST_MESSAGE(policy_v1_PodDisruptionBudgetList, "io.k8s.api.policy.v1.PodDisruptionBudgetList",
             policy_v1_PodDisruptionBudget);

const api_schema_kind api_schema_kinds_policy_v1[] = {
    {"policy", "v1", "Eviction", &api_msg_policy_v1_Eviction},
    {"policy", "v1", "PodDisruptionBudget", &api_msg_policy_v1_PodDisruptionBudget},
    {"policy", "v1", "PodDisruptionBudgetList", &api_msg_policy_v1_PodDisruptionBudgetList},
    {.kind = NULL},
};
