/*
 * metrics-server.h — a small loopback server for a component's /metrics and
 * /healthz (the scheduler's, the controllers').
 *
 * The page is rendered at each scrape by the caller's function into a stdio
 * stream, so a process keeps its figures where they live (atomics, locked
 * structures) and only formats them here. With a serving pair it speaks
 * HTTPS only and lets in whom the API server allows (delegated-auth.h);
 * without, plain HTTP for anyone, on loopback.
 */
#ifndef TUG_METRICS_SERVER_H
#define TUG_METRICS_SERVER_H

#include <stdio.h>

#include "error.h"
#include "flags.h"
#include "http.h"

typedef struct tug_metrics_server tug_metrics_server;

typedef void (*tug_metrics_render_fn)(FILE *f, void *arg);

typedef struct tug_metrics_server_options {
  const char *listen; /* "127.0.0.1:10252", IPv4:PORT */
  /* HTTPS: the serving pair and the CA of client certificates (Kubernetes'
   * --tls-cert-file, --tls-private-key-file, --client-ca-file), all three or
   * none; api asks the reviews. */
  const char *tls_cert_file, *tls_key_file, *client_ca_file;
  tug_client *api;
} tug_metrics_server_options;

/* The flags of o, for a daemon's flag table (flags.h). */
#define TUG_METRICS_SERVER_FLAGS(o)                                                                \
  {"listen", TUG_FLAG_STRING, &(o)->listen, .arg = "IP:PORT", .help = "/metrics and /healthz"},    \
      {"tls-cert-file", TUG_FLAG_STRING, &(o)->tls_cert_file, .arg = "PATH",                       \
       .help = "serve /metrics over HTTPS with this certificate (PEM)"},                           \
      {"tls-private-key-file", TUG_FLAG_STRING, &(o)->tls_key_file, .arg = "PATH",                 \
       .help = "its key"},                                                                         \
  {                                                                                                \
    "client-ca-file", TUG_FLAG_STRING, &(o)->client_ca_file,                                       \
        .arg = "PATH",                                                                             \
        .help = "CA of client certificates; with HTTPS, the API server decides who reads /metrics" \
  }

/* Check the flags of o: -1 with err naming them when the TLS files are not
 * all given or none. */
int tug_metrics_server_check(const tug_metrics_server_options *o, tug_error *err);
/* Serve as o says. NULL with err on failure (a file unreadable, a
 * certificate expired, the address taken). */
tug_metrics_server *tug_metrics_server_start(const tug_metrics_server_options *o,
                                             tug_metrics_render_fn fn, void *arg, tug_error *err);
/* Stop serving and free; NULL is a no-op. */
void tug_metrics_server_stop(tug_metrics_server *s);

#endif
