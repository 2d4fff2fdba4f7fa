/*
 * metrics.h — tug-scheduler's /metrics (Prometheus text) and /healthz.
 *
 * Counters live in the core (sched_stats, under its lock) and here (the
 * latency histogram, atomics, fed by bind workers); the page is built from
 * both at each scrape.
 */
#ifndef SCHED_METRICS_H
#define SCHED_METRICS_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "controller.h"
#include "error.h"
#include "histogram.h"
#include "metrics-server.h"
#include "scheduler.h"

typedef struct sched_metrics {
  sched_core *core;
  tug_histogram latency; /* sched_metrics_init sets its buckets */
  tug_metrics_server *server;
  tug_controller *decider; /* its queue and reconcile metrics too; may be NULL */
} sched_metrics;

void sched_metrics_init(sched_metrics *m, sched_core *core);
/* First pending sighting to a successful bind, in seconds. */
void sched_metrics_observe_latency(sched_metrics *m, double seconds);
/* The page, into f (a tug_metrics_render_fn; arg is m). */
void sched_metrics_render(FILE *f, void *m);
/* Serve /metrics and /healthz as o says (metrics-server.h). */
int sched_metrics_serve(sched_metrics *m, const tug_metrics_server_options *o, tug_error *err);
void sched_metrics_stop(sched_metrics *m);

#endif
