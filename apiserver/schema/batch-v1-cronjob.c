/*
 * batch-v1-cronjob.c — the schema of batch/v1 CronJob (see schema.h): data
 * only, kept apart from batch-v1.c so each kind's table reads on its own.
 */
#include "messages.h"

static const char *const enum_ConcurrencyPolicy[] = {"Allow", "Forbid", "Replace", NULL};

static const api_field CronJob[] = {
    OBJECT_META,
    FIELD("spec", 2, MESSAGE, OF(batch_v1_CronJobSpec), FLAGS(OMIT),
          DESC("The desired state, as the user wrote it.")),
    FIELD("status", 3, MESSAGE, OF(batch_v1_CronJobStatus), FLAGS(OMIT),
          DESC("The observed state, written by the system; read-only for users.")),
};
SCHEMA_MESSAGE(batch_v1_CronJob, "io.k8s.api.batch.v1.CronJob", "Runs a Job on a cron schedule.",
               CronJob, false);

static const api_field CronJobSpec[] = {
    FIELD("schedule", 1, STRING, FLAGS(REQ),
          DESC("When to run, in cron syntax: five fields or a macro such as @hourly.")),
    FIELD("timeZone", 8, STRING, FLAGS(PTR),
          DESC("IANA time zone the schedule is read in; the controller's when unset.")),
    FIELD("startingDeadlineSeconds", 2, INT64, FLAGS(PTR),
          DESC("Seconds after a scheduled time within which a late run may still start.")),
    FIELD("concurrencyPolicy", 3, STRING, FLAGS(OMIT), ENUM(enum_ConcurrencyPolicy),
          DESC("What to do when a run is due while another is active: Allow, Forbid, Replace.")),
    FIELD("suspend", 4, BOOL, FLAGS(PTR), DESC("When true, no new runs start.")),
    FIELD("jobTemplate", 5, MESSAGE, OF(batch_v1_JobTemplateSpec), FLAGS(REQ),
          DESC("The Job each run creates.")),
    FIELD("successfulJobsHistoryLimit", 6, INT32, FLAGS(PTR),
          DESC("Finished successful Jobs to keep.")),
    FIELD("failedJobsHistoryLimit", 7, INT32, FLAGS(PTR), DESC("Failed Jobs to keep.")),
};
SCHEMA_MESSAGE(batch_v1_CronJobSpec, "io.k8s.api.batch.v1.CronJobSpec", NULL, CronJobSpec, false);

static const api_field JobTemplateSpec[] = {
    FIELD("metadata", 1, MESSAGE, OF(meta_v1_ObjectMeta), FLAGS(OMIT),
          DESC("Labels and annotations the created Jobs carry.")),
    FIELD("spec", 2, MESSAGE, OF(batch_v1_JobSpec), FLAGS(OMIT), DESC("The created Jobs' spec.")),
};
SCHEMA_MESSAGE(batch_v1_JobTemplateSpec, "io.k8s.api.batch.v1.JobTemplateSpec", NULL,
               JobTemplateSpec, false);

static const api_field CronJobStatus[] = {
    FIELD("active", 1, MESSAGE, REPEATED, OF(core_v1_ObjectReference), FLAGS(OMIT),
          LIST_TYPE(ATOMIC), DESC("The Jobs running now.")),
    FIELD("lastScheduleTime", 4, TIME, FLAGS(PTR),
          DESC("The scheduled time of the latest run started.")),
    FIELD("lastSuccessfulTime", 5, TIME, FLAGS(PTR),
          DESC("When the latest successful run finished.")),
};
SCHEMA_MESSAGE(batch_v1_CronJobStatus, "io.k8s.api.batch.v1.CronJobStatus", NULL, CronJobStatus,
               false);

LIST_MESSAGE(batch_v1_CronJobList, "io.k8s.api.batch.v1.CronJobList", batch_v1_CronJob);

const api_schema_kind api_schema_kinds_batch_v1_cronjob[] = {
    {"batch", "v1", "CronJob", &api_msg_batch_v1_CronJob},
    {"batch", "v1", "CronJobList", &api_msg_batch_v1_CronJobList},
    {.kind = NULL},
};
