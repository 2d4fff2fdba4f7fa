/*
 * meta-v1.c — the schemas of meta.k8s.io/v1 (see schema.h): data only.
 */
#include "messages.h"

static const api_field Status[] = {
    FIELD("metadata", 1, MESSAGE, OF(meta_v1_ListMeta), FLAGS(OMIT),
          DESC("List metadata; unused.")),
    FIELD("status", 2, STRING, FLAGS(OMIT), DESC("Success or Failure.")),
    FIELD("message", 3, STRING, FLAGS(OMIT), DESC("A human-readable explanation.")),
    FIELD("reason", 4, STRING, FLAGS(OMIT),
          DESC("A machine-readable, CamelCase reason for the current state.")),
    FIELD("details", 5, MESSAGE, OF(meta_v1_StatusDetails), FLAGS(PTR),
          DESC("Extra data about the reason, such as the invalid fields.")),
    FIELD("code", 6, INT32, FLAGS(OMIT), DESC("HTTP status code of the outcome.")),
};
SCHEMA_MESSAGE(meta_v1_Status, "io.k8s.apimachinery.pkg.apis.meta.v1.Status",
               "The outcome of a request that returns no object, or of a failed one.", Status,
               false);

static const api_field ListMeta[] = {
    FIELD("selfLink", 1, STRING, FLAGS(OMIT), DESC("Deprecated; never set.")),
    FIELD("resourceVersion", 2, STRING, FLAGS(OMIT),
          DESC("Version of the collection, to start a watch from.")),
    FIELD("continue", 3, STRING, FLAGS(OMIT),
          DESC("Token to fetch the next page, when the list was limited.")),
    FIELD("remainingItemCount", 4, INT64, FLAGS(PTR),
          DESC("How many items remain after this page, when known.")),
    FIELD("shardInfo", 5, MESSAGE, OF(meta_v1_ShardInfo), FLAGS(PTR)),
};
SCHEMA_MESSAGE(meta_v1_ListMeta, "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta",
               "Metadata of a list: its version and paging token.", ListMeta, false);

static const api_field ShardInfo[] = {
    FIELD("selector", 1, STRING, FLAGS(REQ)),
};
SCHEMA_MESSAGE(meta_v1_ShardInfo, "io.k8s.apimachinery.pkg.apis.meta.v1.ShardInfo", NULL, ShardInfo,
               false);

static const api_field StatusDetails[] = {
    FIELD("name", 1, STRING, FLAGS(OMIT), DESC("Name, unique within its scope.")),
    FIELD("group", 2, STRING, FLAGS(OMIT)),
    FIELD("kind", 3, STRING, FLAGS(OMIT), DESC("The kind of object this is, e.g. Pod.")),
    FIELD("uid", 6, STRING, FLAGS(OMIT)),
    FIELD("causes", 4, MESSAGE, REPEATED, OF(meta_v1_StatusCause), FLAGS(OMIT), LIST_TYPE(ATOMIC)),
    FIELD("retryAfterSeconds", 5, INT32, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(meta_v1_StatusDetails, "io.k8s.apimachinery.pkg.apis.meta.v1.StatusDetails", NULL,
               StatusDetails, false);

static const api_field StatusCause[] = {
    FIELD("reason", 1, STRING, FLAGS(OMIT),
          DESC("A machine-readable, CamelCase reason for the current state.")),
    FIELD("message", 2, STRING, FLAGS(OMIT), DESC("A human-readable explanation.")),
    FIELD("field", 3, STRING, FLAGS(OMIT),
          DESC("Path of the field the cause is about, e.g. spec.containers[0].image.")),
};
SCHEMA_MESSAGE(meta_v1_StatusCause, "io.k8s.apimachinery.pkg.apis.meta.v1.StatusCause",
               "One cause of an error, such as an invalid field.", StatusCause, false);

static const api_field DeleteOptions[] = {
    FIELD("gracePeriodSeconds", 1, INT64, FLAGS(PTR),
          DESC("Seconds before the object is deleted; 0 deletes at once.")),
    FIELD("preconditions", 2, MESSAGE, OF(meta_v1_Preconditions), FLAGS(PTR),
          DESC("Must hold, or the delete is refused with a conflict.")),
    FIELD("orphanDependents", 3, BOOL, FLAGS(PTR), DESC("Deprecated: use propagationPolicy.")),
    FIELD("propagationPolicy", 4, STRING, FLAGS(PTR),
          DESC("What happens to dependents: Orphan, Background or Foreground.")),
    FIELD("dryRun", 5, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(ATOMIC),
          DESC("All: validate and admit without storing.")),
    FIELD("ignoreStoreReadErrorWithClusterBreakingPotential", 6, BOOL, FLAGS(PTR)),
};
SCHEMA_MESSAGE(meta_v1_DeleteOptions, "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions",
               "Options of a delete: grace period, preconditions, propagation.", DeleteOptions,
               false);

static const api_field Preconditions[] = {
    FIELD("uid", 1, STRING, FLAGS(PTR)),
    FIELD("resourceVersion", 2, STRING, FLAGS(PTR)),
};
SCHEMA_MESSAGE(meta_v1_Preconditions, "io.k8s.apimachinery.pkg.apis.meta.v1.Preconditions", NULL,
               Preconditions, false);

static const api_field WatchEvent[] = {
    FIELD("type", 1, STRING, FLAGS(REQ), DESC("ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.")),
    FIELD("object", 2, JSON, FLAGS(REQ),
          DESC("The object after the change (before it, for DELETED), or a Status for ERROR.")),
};
SCHEMA_MESSAGE(meta_v1_WatchEvent, "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent",
               "One change seen by a watch.", WatchEvent, false);

static const api_field ObjectMeta[] = {
    FIELD("name", 1, STRING, FLAGS(OMIT),
          DESC("Name, unique in the namespace (or cluster for cluster-scoped kinds).")),
    FIELD("generateName", 2, STRING, FLAGS(OMIT),
          DESC("Prefix the server completes into a unique name when name is empty.")),
    FIELD("namespace", 3, STRING, FLAGS(OMIT), DESC("Namespace the object lives in.")),
    FIELD("selfLink", 4, STRING, FLAGS(OMIT), DESC("Deprecated; never set.")),
    FIELD("uid", 5, STRING, FLAGS(OMIT),
          DESC("Unique identifier the server gives the object at creation.")),
    FIELD("resourceVersion", 6, STRING, FLAGS(OMIT),
          DESC("Opaque version of the object, for optimistic concurrency and watch.")),
    FIELD("generation", 7, INT64, FLAGS(OMIT),
          DESC("Sequence number of changes to the desired state.")),
    FIELD("creationTimestamp", 8, TIME, FLAGS(OMIT),
          DESC("When the object was created (server time).")),
    FIELD("deletionTimestamp", 9, TIME, FLAGS(PTR),
          DESC("When deletion was requested; set by the server.")),
    FIELD("deletionGracePeriodSeconds", 10, INT64, FLAGS(PTR),
          DESC("Seconds the object has to terminate once deletion was requested.")),
    FIELD("labels", 11, STRING, MAP_OF, FLAGS(OMIT),
          DESC("Key/value pairs for selecting and grouping objects.")),
    FIELD("annotations", 12, STRING, MAP_OF, FLAGS(OMIT),
          DESC("Free-form key/value data for tools; not used for selection.")),
    FIELD("ownerReferences", 13, MESSAGE, REPEATED, OF(meta_v1_OwnerReference), FLAGS(OMIT),
          LIST_TYPE(MAP), KEYS("uid"), MERGE("merge", "uid"),
          DESC("Objects this one depends on; it is collected when they are gone.")),
    FIELD("finalizers", 14, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(SET), STRATEGY("merge"),
          DESC("Names that must be removed before the object is deleted.")),
    FIELD("managedFields", 17, MESSAGE, REPEATED, OF(meta_v1_ManagedFieldsEntry), FLAGS(OMIT),
          LIST_TYPE(ATOMIC), DESC("Which manager set which fields (server-side apply).")),
};
SCHEMA_MESSAGE(meta_v1_ObjectMeta, "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
               "Metadata every persisted object has.", ObjectMeta, false);

static const api_field OwnerReference[] = {
    FIELD("apiVersion", 5, STRING, FLAGS(REQ),
          DESC("Versioned schema of this object, e.g. v1 or apps/v1.")),
    FIELD("kind", 1, STRING, FLAGS(REQ), DESC("The kind of object this is, e.g. Pod.")),
    FIELD("name", 3, STRING, FLAGS(REQ), DESC("Name, unique within its scope.")),
    FIELD("uid", 4, STRING, FLAGS(REQ)),
    FIELD("controller", 6, BOOL, FLAGS(PTR), DESC("True for the owner that manages this object.")),
    FIELD("blockOwnerDeletion", 7, BOOL, FLAGS(PTR),
          DESC("The owner's foreground deletion waits for this object.")),
};
SCHEMA_MESSAGE(meta_v1_OwnerReference, "io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference",
               "An object this one belongs to.", OwnerReference, true);

static const api_field ManagedFieldsEntry[] = {
    FIELD("manager", 1, STRING, FLAGS(OMIT)),
    FIELD("operation", 2, STRING, FLAGS(OMIT)),
    FIELD("apiVersion", 3, STRING, FLAGS(OMIT),
          DESC("Versioned schema of this object, e.g. v1 or apps/v1.")),
    FIELD("time", 4, TIME, FLAGS(PTR)),
    FIELD("fieldsType", 6, STRING, FLAGS(OMIT)),
    FIELD("fieldsV1", 7, JSON, FLAGS(PTR)),
    FIELD("subresource", 8, STRING, FLAGS(OMIT)),
};
SCHEMA_MESSAGE(meta_v1_ManagedFieldsEntry,
               "io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry", NULL, ManagedFieldsEntry,
               false);

static const api_field LabelSelector[] = {
    FIELD("matchLabels", 1, STRING, MAP_OF, FLAGS(OMIT),
          DESC("Labels an object must carry with these exact values.")),
    FIELD("matchExpressions", 2, MESSAGE, REPEATED, OF(meta_v1_LabelSelectorRequirement),
          FLAGS(OMIT), LIST_TYPE(ATOMIC), DESC("Label requirements, e.g. key In (a, b).")),
};
SCHEMA_MESSAGE(meta_v1_LabelSelector, "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector",
               "Selects objects by labels; all terms must match.", LabelSelector, true);

static const api_field LabelSelectorRequirement[] = {
    FIELD("key", 1, STRING, FLAGS(REQ)),
    FIELD("operator", 2, STRING, FLAGS(REQ)),
    FIELD("values", 3, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(ATOMIC)),
};
SCHEMA_MESSAGE(meta_v1_LabelSelectorRequirement,
               "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement", NULL,
               LabelSelectorRequirement, false);

static const api_field Condition[] = {
    FIELD("type", 1, STRING, FLAGS(REQ)),
    FIELD("status", 2, STRING, FLAGS(REQ),
          DESC("The observed state, written by the system; read-only for users.")),
    FIELD("observedGeneration", 3, INT64, FLAGS(OMIT),
          DESC("The metadata.generation this status reflects.")),
    FIELD("lastTransitionTime", 4, TIME, FLAGS(REQ),
          DESC("When the condition last changed from one status to another.")),
    FIELD("reason", 5, STRING, FLAGS(REQ),
          DESC("A machine-readable, CamelCase reason for the current state.")),
    FIELD("message", 6, STRING, FLAGS(REQ), DESC("A human-readable explanation.")),
};
SCHEMA_MESSAGE(meta_v1_Condition, "io.k8s.apimachinery.pkg.apis.meta.v1.Condition", NULL, Condition,
               false);

const api_schema_kind api_schema_kinds_meta_v1[] = {
    {"meta.k8s.io", "v1", "Status", &api_msg_meta_v1_Status},
    {"meta.k8s.io", "v1", "DeleteOptions", &api_msg_meta_v1_DeleteOptions},
    {"meta.k8s.io", "v1", "WatchEvent", &api_msg_meta_v1_WatchEvent},
    {.kind = NULL},
};
