/*
 * policy-v1.c — the schemas of policy/v1 (see schema.h): data only.
 */
#include "messages.h"

static const api_field Eviction[] = {
    OBJECT_META,
    FIELD("deleteOptions", 2, MESSAGE, OF(meta_v1_DeleteOptions), FLAGS(PTR),
          DESC("Options of the deletion the eviction performs.")),
};
SCHEMA_MESSAGE(policy_v1_Eviction, "io.k8s.api.policy.v1.Eviction",
               "Asks to evict a pod, honouring disruption budgets.", Eviction, false);

const api_schema_kind api_schema_kinds_policy_v1[] = {
    {"policy", "v1", "Eviction", &api_msg_policy_v1_Eviction},
    {.kind = NULL},
};
