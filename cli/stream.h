/*
 * stream.h — a pod's exec or attach session for the CLI: a WebSocket
 * (v5.channel.k8s.io, lib/ws.h) to the API server's pods/exec or pods/attach,
 * as kubectl opens it, between local descriptors and the container.
 */
#ifndef TUG_CLI_STREAM_H
#define TUG_CLI_STREAM_H

#include <stdbool.h>

#include "cli.h"
#include "upgrade.h"

typedef struct cli_stream_opts {
  const char *pod, *container; /* container NULL: the pod's only one */
  const char *subresource;     /* "exec" or "attach" */
  char *const *command;        /* exec: NULL-terminated */
  int in_fd;                   /* -1: no stdin */
  int out_fd, err_fd;          /* err_fd -1 with tty */
  bool tty;                    /* in_fd is a terminal: raw mode, its size sent */
} cli_stream_opts;

/* Run the session; returns the command's exit code (0 for attach), or -1
 * with err filled when it could not run. */
int cli_stream_run(cli_ctx *ctx, const cli_stream_opts *o, tug_error *err);

/* Open the WebSocket at path (the API server's, with the CLI's credentials)
 * offering protocols; 0 once it switched, else -1 with err (a refusal's
 * Status message). u is to be closed either way. */
int cli_stream_dial(cli_ctx *ctx, const char *path, const char *protocols, tug_upgrade *u,
                    tug_error *err);

#endif
