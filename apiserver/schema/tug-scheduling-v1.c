/*
 * tug-scheduling-v1.c — the schema of Tugboat's own scheduling.tug.io/v1
 * Queue (see schema.h), kept by hand: data only.
 *
 * Kubernetes has no Queue, so these protobuf numbers are ours. They follow
 * Kubernetes' habit (metadata 1, spec 2, status 3; fields numbered in the
 * order they were added) and, once released, never change: a number is
 * never reused for another field. The fields are those validation-scheduling.c
 * checks and the scheduler's queue status (scheduler/queue.c) writes.
 */
#include "messages.h"

static const char *const enum_Reclaim[] = {"Never", "LowerPriority", "Any", NULL};
static const char *const enum_Within[] = {"Never", "LowerPriority", NULL};

static const api_field QueuePreemption[] = {
    FIELD("reclaimWithinCohort", 1, STRING, FLAGS(OMIT), ENUM(enum_Reclaim),
          DESC("Whether a queue below nominal takes back what others borrowed.")),
    FIELD("withinQueue", 2, STRING, FLAGS(OMIT), ENUM(enum_Within),
          DESC("Whether a pod may evict lower-priority pods of its own queue.")),
};
SCHEMA_MESSAGE(tug_v1_QueuePreemption, "io.tugboat.scheduling.v1.QueuePreemption",
               "When the queue's pods may preempt others.", QueuePreemption, false);

static const api_field QueueAging[] = {
    FIELD("intervalSeconds", 1, INT64, FLAGS(OMIT),
          DESC("A pending pod ranks one priority higher for each interval it waits; 0: off.")),
    FIELD("maxBoost", 2, INT64, FLAGS(OMIT),
          DESC("The most a pod's rank may rise above its priority by waiting.")),
};
SCHEMA_MESSAGE(tug_v1_QueueAging, "io.tugboat.scheduling.v1.QueueAging",
               "How waiting raises a pending pod's rank in its queue.", QueueAging, false);

static const api_field QueueBudget[] = {
    FIELD("windowSeconds", 1, INT64, FLAGS(OMIT),
          DESC("The budget's window, aligned to the epoch (86400: each UTC day).")),
    FIELD("limits", 2, QUANTITY, MAP_OF, FLAGS(OMIT),
          DESC("Resource-hours the queue's pods may use per window, e.g. cpu: 100.")),
};
SCHEMA_MESSAGE(tug_v1_QueueBudget, "io.tugboat.scheduling.v1.QueueBudget",
               "How many resource-hours the queue may use in each window.", QueueBudget, false);

static const api_field QueueSpec[] = {
    FIELD("namespaces", 1, STRING, REPEATED, FLAGS(OMIT), LIST_TYPE(SET),
          DESC("Namespaces whose pods enter this queue.")),
    FIELD("namespaceSelector", 2, MESSAGE, OF(meta_v1_LabelSelector), FLAGS(PTR),
          DESC("Namespaces, by label, whose pods enter this queue.")),
    FIELD("cohort", 3, STRING, FLAGS(OMIT),
          DESC("Queues of the same cohort lend each other unused nominal quota.")),
    FIELD("nominal", 4, QUANTITY, MAP_OF, FLAGS(OMIT),
          DESC("Guaranteed share of cpu, memory and pods.")),
    FIELD("borrowingLimit", 5, QUANTITY, MAP_OF, FLAGS(OMIT),
          DESC("Most the queue may borrow above nominal; unset: the cohort's total.")),
    FIELD("lendingLimit", 6, QUANTITY, MAP_OF, FLAGS(OMIT),
          DESC("Most of its nominal quota others may borrow.")),
    FIELD("weight", 7, DOUBLE, FLAGS(PTR),
          DESC("Fair-share weight; greater than 0, 1 by default.")),
    FIELD("strictFIFO", 8, BOOL, FLAGS(PTR),
          DESC("When true, a pod that does not fit blocks those behind it.")),
    FIELD("preemption", 9, MESSAGE, OF(tug_v1_QueuePreemption), FLAGS(PTR),
          DESC("When the queue's pods may preempt others.")),
    FIELD("aging", 10, MESSAGE, OF(tug_v1_QueueAging), FLAGS(PTR),
          DESC("How waiting raises a pending pod's rank, so none waits for ever.")),
    FIELD("budget", 11, MESSAGE, OF(tug_v1_QueueBudget), FLAGS(PTR),
          DESC("Resource-hours per window; pods beyond it wait for the next window.")),
};
SCHEMA_MESSAGE(tug_v1_QueueSpec, "io.tugboat.scheduling.v1.QueueSpec",
               "Which namespaces feed the queue and what capacity it has.", QueueSpec, false);

static const api_field QueuePendingWorkload[] = {
    FIELD("namespace", 1, STRING, FLAGS(OMIT), DESC("The pending pod's namespace.")),
    FIELD("name", 2, STRING, FLAGS(OMIT), DESC("The pending pod's name.")),
    FIELD("position", 3, INT64, FLAGS(OMIT), DESC("Its place in the queue, 1 first.")),
    FIELD("priority", 4, INT64, FLAGS(OMIT), DESC("Its priority.")),
    FIELD("rank", 5, INT64, FLAGS(OMIT), DESC("Its priority raised by its wait (aging).")),
    FIELD("reason", 6, STRING, FLAGS(OMIT), DESC("Why it waits, in one word.")),
    FIELD("message", 7, STRING, FLAGS(OMIT), DESC("Why it waits, in words.")),
};
SCHEMA_MESSAGE(tug_v1_QueuePendingWorkload, "io.tugboat.scheduling.v1.QueuePendingWorkload",
               "A pending pod, its place in the queue and why it waits.", QueuePendingWorkload,
               false);

static const api_field QueueBudgetStatus[] = {
    FIELD("windowStart", 1, TIME, FLAGS(OMIT), DESC("When the current window began.")),
    FIELD("used", 2, QUANTITY, MAP_OF, FLAGS(OMIT),
          DESC("Resource-hours used in the current window.")),
};
SCHEMA_MESSAGE(tug_v1_QueueBudgetStatus, "io.tugboat.scheduling.v1.QueueBudgetStatus",
               "What the queue used of its budget in the current window.", QueueBudgetStatus,
               false);

static const api_field QueueStatus[] = {
    FIELD("usage", 1, QUANTITY, MAP_OF, FLAGS(OMIT),
          DESC("Resources the queue's admitted pods use.")),
    FIELD("borrowed", 2, QUANTITY, MAP_OF, FLAGS(OMIT),
          DESC("Use above nominal, taken from the cohort.")),
    FIELD("lendable", 3, QUANTITY, MAP_OF, FLAGS(OMIT),
          DESC("Nominal quota others may borrow now.")),
    FIELD("weightedShare", 4, INT64, FLAGS(OMIT),
          DESC("Dominant-resource share divided by weight, in thousandths.")),
    FIELD("admitted", 5, INT64, FLAGS(OMIT), DESC("Pods admitted and not finished.")),
    FIELD("pending", 6, INT64, FLAGS(OMIT), DESC("Pods waiting in the queue.")),
    FIELD("pendingWorkloads", 7, MESSAGE, REPEATED, OF(tug_v1_QueuePendingWorkload), FLAGS(OMIT),
          DESC("The first pending pods in the order they will be tried.")),
};
SCHEMA_MESSAGE(tug_v1_QueueStatus, "io.tugboat.scheduling.v1.QueueStatus",
               "What the scheduler sees of the queue.", QueueStatus, false);

static const api_field Queue[] = {
    FIELD("metadata", 1, MESSAGE, OF(meta_v1_ObjectMeta), FLAGS(OMIT),
          DESC("Standard object metadata: name, labels, annotations, owners.")),
    FIELD("spec", 2, MESSAGE, OF(tug_v1_QueueSpec), FLAGS(OMIT),
          DESC("The desired state, as the user wrote it.")),
    FIELD("status", 3, MESSAGE, OF(tug_v1_QueueStatus), FLAGS(OMIT),
          DESC("The observed state, written by the scheduler; read-only for users.")),
};
SCHEMA_MESSAGE(tug_v1_Queue, "io.tugboat.scheduling.v1.Queue",
               "A scheduling queue: priority, capacity and fair share for its namespaces' pods.",
               Queue, false);

static const api_field QueueList[] = {
    FIELD("metadata", 1, MESSAGE, OF(meta_v1_ListMeta), FLAGS(OMIT),
          DESC("Metadata of a list: its version and paging token.")),
    FIELD("items", 2, MESSAGE, REPEATED, OF(tug_v1_Queue), FLAGS(REQ), DESC("The queues.")),
};
SCHEMA_MESSAGE(tug_v1_QueueList, "io.tugboat.scheduling.v1.QueueList", "A list of queues.",
               QueueList, false);

const api_schema_kind api_schema_kinds_tug_scheduling_v1[] = {
    {"scheduling.tug.io", "v1", "Queue", &api_msg_tug_v1_Queue},
    {"scheduling.tug.io", "v1", "QueueList", &api_msg_tug_v1_QueueList},
    {.kind = NULL},
};
