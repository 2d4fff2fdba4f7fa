/*
 * coordination-v1.c — the schemas of coordination.k8s.io/v1 (see schema.h): data only.
 */
#include "messages.h"

static const api_field Lease[] = {
    OBJECT_META,
    FIELD("spec", 2, MESSAGE, OF(coordination_v1_LeaseSpec), FLAGS(OMIT),
          DESC("The desired state, as the user wrote it.")),
};
SCHEMA_MESSAGE(coordination_v1_Lease, "io.k8s.api.coordination.v1.Lease",
               "A lease held by one holder, for leader election and heartbeats.", Lease, false);

static const api_field LeaseSpec[] = {
    FIELD("holderIdentity", 1, STRING, FLAGS(PTR), DESC("Who holds the lease.")),
    FIELD("leaseDurationSeconds", 2, INT32, FLAGS(PTR), DESC("Seconds the holder has to renew.")),
    FIELD("acquireTime", 3, MICROTIME, FLAGS(PTR), DESC("When the current holder acquired it.")),
    FIELD("renewTime", 4, MICROTIME, FLAGS(PTR), DESC("When the holder last renewed.")),
    FIELD("leaseTransitions", 5, INT32, FLAGS(PTR)),
    FIELD("strategy", 6, STRING, FLAGS(PTR)),
    FIELD("preferredHolder", 7, STRING, FLAGS(PTR)),
};
SCHEMA_MESSAGE(coordination_v1_LeaseSpec, "io.k8s.api.coordination.v1.LeaseSpec", NULL, LeaseSpec,
               false);

LIST_MESSAGE(coordination_v1_LeaseList, "io.k8s.api.coordination.v1.LeaseList",
             coordination_v1_Lease);

const api_schema_kind api_schema_kinds_coordination_v1[] = {
    {"coordination.k8s.io", "v1", "Lease", &api_msg_coordination_v1_Lease},
    {"coordination.k8s.io", "v1", "LeaseList", &api_msg_coordination_v1_LeaseList},
    {.kind = NULL},
};
