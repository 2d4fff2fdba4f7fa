/*
 * apps-v1-controllerrevision.c — the schema of apps/v1 ControllerRevision
 * (see schema.h): data only. A revision holds what its controller needs to
 * bring a template back (for DaemonSets and StatefulSets, a strategic merge
 * patch replacing spec.template), opaque to the API server.
 */
#include "messages.h"

static const api_field ControllerRevision[] = {
    OBJECT_META,
    FIELD("data", 2, JSON, FLAGS(OMIT),
          DESC("The state this revision records, in its controller's format.")),
    FIELD("revision", 3, INT64, FLAGS(REQ), DESC("The revision's number, highest the newest.")),
};
SCHEMA_MESSAGE(apps_v1_ControllerRevision, "io.k8s.api.apps.v1.ControllerRevision",
               "An immutable snapshot of a controller's template, for history and rollback.",
               ControllerRevision, false);

LIST_MESSAGE(apps_v1_ControllerRevisionList, "io.k8s.api.apps.v1.ControllerRevisionList",
             apps_v1_ControllerRevision);

const api_schema_kind api_schema_kinds_apps_v1_controllerrevision[] = {
    {"apps", "v1", "ControllerRevision", &api_msg_apps_v1_ControllerRevision},
    {"apps", "v1", "ControllerRevisionList", &api_msg_apps_v1_ControllerRevisionList},
    {.kind = NULL},
};
