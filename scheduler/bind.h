/*
 * bind.h — the scheduler's hands: binds and evictions against the API
 * server, many in flight, and the events that go with them.
 *
 * The one idea: the core decides under its lock and never waits on the
 * network; its sink only queues a job here. A pool of workers, each with
 * its own keep-alive connection from the shared client, POSTs bindings and
 * DELETEs victims; a bind that fails goes back to the core, which forgets
 * the assumption and retries the pod after a back-off.
 */
#ifndef SCHED_BIND_H
#define SCHED_BIND_H

#include "events.h"
#include "http.h"
#include "metrics.h"
#include "scheduler.h"

typedef struct sched_binder sched_binder;

/* workers threads over cli; events may be NULL (no events recorded). */
sched_binder *sched_binder_new(tug_client *cli, tug_events *events, sched_metrics *metrics,
                               int workers, tug_error *err);
/* Wire the core in after it exists (bind failures go back to it). */
void sched_binder_attach(sched_binder *b, sched_core *core);
/* Finish queued jobs, stop the workers, free. */
void sched_binder_free(sched_binder *b);

/* The sched_sink that queues jobs on b (pass b as the sink's arg). */
extern const sched_sink sched_binder_sink;

#endif
