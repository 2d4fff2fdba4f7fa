/*
 * autoscaling-v1.c — the schemas of autoscaling/v1 (see schema.h): data only.
 */
#include "messages.h"

static const api_field Scale[] = {
    OBJECT_META,
    FIELD("spec", 2, MESSAGE, OF(autoscaling_v1_ScaleSpec), FLAGS(OMIT),
          DESC("The desired state, as the user wrote it.")),
    FIELD("status", 3, MESSAGE, OF(autoscaling_v1_ScaleStatus), FLAGS(OMIT),
          DESC("The observed state, written by the system; read-only for users.")),
};
SCHEMA_MESSAGE(autoscaling_v1_Scale, "io.k8s.api.autoscaling.v1.Scale",
               "The scale subresource: replicas wanted and seen.", Scale, false);

static const api_field ScaleSpec[] = {
    FIELD("replicas", 1, INT32, FLAGS(OMIT), DESC("Replicas wanted.")),
};
SCHEMA_MESSAGE(autoscaling_v1_ScaleSpec, "io.k8s.api.autoscaling.v1.ScaleSpec", NULL, ScaleSpec,
               false);

static const api_field ScaleStatus[] = {
    FIELD("replicas", 1, INT32, FLAGS(REQ), DESC("Replicas observed.")),
    FIELD("selector", 2, STRING, FLAGS(OMIT),
          DESC("Label query of the pods counted, in text form.")),
};
SCHEMA_MESSAGE(autoscaling_v1_ScaleStatus, "io.k8s.api.autoscaling.v1.ScaleStatus", NULL,
               ScaleStatus, false);

const api_schema_kind api_schema_kinds_autoscaling_v1[] = {
    {"autoscaling", "v1", "Scale", &api_msg_autoscaling_v1_Scale},
    {.kind = NULL},
};
