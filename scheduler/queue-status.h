/*
 * queue-status.h — keeping each Queue's status (usage, borrowed, lendable,
 * weightedShare, admitted, pending) true in the API.
 *
 * A thread wakes every period, computes every Queue object's status under
 * the core's lock, and PATCHes the status subresource of those whose status
 * changed since it last wrote them — so a quiet cluster writes nothing.
 */
#ifndef SCHED_QUEUE_STATUS_H
#define SCHED_QUEUE_STATUS_H

#include "error.h"
#include "http.h"
#include "scheduler.h"

typedef struct sched_status_writer sched_status_writer;

sched_status_writer *sched_status_writer_start(tug_client *cli, sched_core *core, long period_ms,
                                               tug_error *err);
void sched_status_writer_stop(sched_status_writer *w);

#endif
