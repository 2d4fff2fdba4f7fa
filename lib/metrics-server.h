/*
 * metrics-server.h — a small loopback HTTP server for /metrics and /healthz.
 *
 * The page is rendered at each scrape by the caller's function into a stdio
 * stream, so a process keeps its figures where they live (atomics, locked
 * structures) and only formats them here.
 */
#ifndef TUG_METRICS_SERVER_H
#define TUG_METRICS_SERVER_H

#include <stdio.h>

#include "error.h"

typedef struct tug_metrics_server tug_metrics_server;

typedef void (*tug_metrics_render_fn)(FILE *f, void *arg);

/* Serve on listen ("127.0.0.1:10252", IPv4:PORT). NULL with err on failure. */
tug_metrics_server *tug_metrics_server_start(const char *listen, tug_metrics_render_fn fn,
                                             void *arg, tug_error *err);
/* Stop serving and free; NULL is a no-op. */
void tug_metrics_server_stop(tug_metrics_server *s);

#endif
