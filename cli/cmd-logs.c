/*
 * cmd-logs.c — `tug logs POD`: the container's log through the API server,
 * which reads it from the pod's agent; -f streams it as it grows. --since,
 * --since-time and --timestamps are sent as kubectl sends them (sinceSeconds,
 * sinceTime, timestamps); what honours them is up to the server.
 */
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "cli.h"
#include "timestamp.h"

static int to_stdout(const char *data, size_t len, void *arg) {
  (void)arg;
  fwrite(data, 1, len, stdout);
  fflush(stdout);
  return ferror(stdout) ? 1 : 0;
}

/* --since and --since-time as the API's sinceSeconds and sinceTime. */
static int since_params(const cli_opts *o, char *secs, size_t size) {
  secs[0] = '\0';
  if (o->since && o->since_time)
    return cli_failf("at most one of `sinceTime` or `sinceSeconds` may be specified");
  if (o->since_time && tug_time_parse(o->since_time) < 0)
    return cli_failf("--since-time %s: want an RFC3339 time in UTC, such as 2024-05-01T10:00:00Z",
                     o->since_time);
  if (o->since == NULL)
    return 0;
  double d;
  tug_error err = {0};
  if (cli_parse_duration(o->since, &d, &err) < 0)
    return cli_failf("--since %s", err.msg);
  if (d < 0)
    return cli_failf("--since %s: must be greater than 0", o->since);
  if (d > 0) /* kubectl rounds to the nearest second; the API wants at least one */
    snprintf(secs, size, "%ld", d < 1.5 ? 1L : (long)(d + 0.5));
  return 0;
}

int cmd_logs(cli_ctx *ctx) {
  const cli_opts *o = &ctx->opts;
  const char *pod = o->npos > 0 ? o->pos[0] : NULL;
  if (pod && strncmp(pod, "pod/", 4) == 0)
    pod += 4;
  else if (pod && strncmp(pod, "pods/", 5) == 0)
    pod += 5;
  if (pod == NULL || pod[0] == '\0' || o->npos > 2)
    return cli_failf("logs: want a pod name (tug logs POD [-c CONTAINER])");
  const char *container = o->container ? o->container : o->npos == 2 ? o->pos[1] : NULL;
  char since[32];
  if (since_params(o, since, sizeof since) != 0)
    return 1;
  tug_error err = {0};
  if (cli_client(ctx, &err) == NULL)
    return cli_fail(ctx, &err);
  cli_resource pods = {.version = "v1", .name = "pods", .kind = "Pod", .namespaced = true};
  _cleanup_free_ char *base = cli_resource_path(&pods, ctx->namespace, pod, "log");
  char tail[32];
  snprintf(tail, sizeof tail, "%ld", o->tail);
  const char *kv[] = {"container",
                      container,
                      "tailLines",
                      o->tail >= 0 ? tail : NULL,
                      "follow",
                      o->follow ? "true" : NULL,
                      "previous",
                      o->previous ? "true" : NULL,
                      "sinceSeconds",
                      since[0] ? since : NULL,
                      "sinceTime",
                      o->since_time,
                      "timestamps",
                      o->timestamps ? "true" : NULL,
                      NULL};
  _cleanup_free_ char *path = base ? tug_client_path_query(base, kv) : NULL;
  if (path == NULL)
    return cli_failf("out of memory");
  if (tug_client_stream(ctx->client, path, to_stdout, NULL, NULL, &err) < 0)
    return cli_fail(ctx, &err);
  return 0;
}
