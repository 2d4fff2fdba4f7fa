/*
 * agent-logs.h — container logs on the node, and the agent's HTTP server.
 *
 * A container writes its stdout and stderr straight into
 * ROOT/logs/{ns}_{pod}_{uid}/{container}.log through an O_APPEND descriptor
 * it holds; no copier process sits in between. The agent caps the file by
 * copytruncate: a pass every couple of seconds copies a log beyond max_size
 * to {container}.log.1 (shifting .1 → .2 …, at most max_files files with the
 * live one, as the kubelet's containerLogMaxFiles) and truncates the live file;
 * the writer's O_APPEND makes its next write land at the new start. Bytes
 * written between the copy's last look at the size and the truncation are
 * lost — microseconds, a line or two under a flood, nothing otherwise.
 *
 * The files of one container form a series: {c}.log.N … {c}.log.1, {c}.log,
 * oldest first. Before a container is started again, its series is renamed to
 * {c}.previous.log(.N) for ?previous=true.
 *
 * The server (as Kubernetes' API server reads the kubelet's) answers
 *
 *   GET /containerLogs/{ns}/{pod}/{container}?tailLines=N&follow=true&previous=true
 *   GET /metrics   (agent-metrics.h)
 *   GET /exec/..., /attach/...   WebSocket upgrades (agent-streams.h)
 *   GET /portForward/{ns}/{pod}  SPDY in a WebSocket (agent-portforward.h)
 *
 * With a serving pair and a client CA (--tls-cert-file, --tls-private-key-file,
 * --client-ca-file) it serves HTTPS only and answers only clients whose
 * certificate the CA vouches for and that are the API server
 * (kube-apiserver-kubelet-client) or cluster admins (system:masters); others
 * get 401 or 403. Idle connections close after AGENT_LOGS_IDLE_TIMEOUT_S, and
 * at most AGENT_LOGS_MAX_CONNECTIONS are served at once.
 *
 * sinceSeconds, sinceTime, timestamps and limitBytes are ignored: the files
 * hold no timestamps. A follow stream goes on across rotations and restarts of
 * the container and ends when the pod's log dir is removed, the client goes
 * away or the agent stops.
 */
#ifndef TUG_AGENT_LOGS_H
#define TUG_AGENT_LOGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "controller.h"
#include "error.h"
#include "runtime.h"

enum {
  AGENT_LOGS_DEFAULT_MAX_FILES = 5,
  AGENT_LOGS_MAX_FILES_LIMIT = 64, /* rotated parts looked for beyond it are ignored */
  AGENT_LOGS_MAX_CONTROLLERS = 4,  /* whose metrics /metrics shows */
  AGENT_LOGS_ROTATE_INTERVAL_MS = 2000,
  AGENT_LOGS_IDLE_TIMEOUT_S = 60,
  AGENT_LOGS_MAX_CONNECTIONS = 64,
};
#define AGENT_LOGS_DEFAULT_MAX_SIZE ((int64_t)10 * 1024 * 1024)

typedef struct agent_logs_options {
  const char *root, *address;
  int port;
  int64_t max_size; /* bytes; 0: AGENT_LOGS_DEFAULT_MAX_SIZE */
  int max_files;    /* live file included, 2..AGENT_LOGS_MAX_FILES_LIMIT; 0: default */
  int netns_fd;     /* listen inside this network namespace (the node's); 0 or -1: here */
  const char *tls_cert_pem, *tls_key_pem, *client_ca_pem; /* all or none: HTTPS */
  agent_runtime *rt; /* serves exec, attach and port-forward; NULL: not served */
} agent_logs_options;

typedef struct agent_logs agent_logs;
struct MHD_Connection;

/* The server's request helpers, shared with agent-streams.c: a path segment
 * that names nothing else ("..", "/", globs), and a query flag read as
 * Kubernetes reads booleans. */
bool agent_logs_safe_segment(const char *s);
bool agent_logs_flag(struct MHD_Connection *conn, const char *key);

/* Starts the HTTP server (one thread per connection) and the rotation pass. */
int agent_logs_start(const agent_logs_options *o, agent_logs **out, tug_error *err);
void agent_logs_stop(agent_logs *l);
/* /metrics also shows these controllers' queue and reconcile metrics
 * (lib/controller.h); n 0 stops that, before the controllers are freed. */
void agent_logs_show_controllers(agent_logs *l, tug_controller *const *cs, size_t n);

/*
 * Moves log_path ({c}.log) and its rotated parts to {c}.previous.log(.N),
 * replacing an earlier previous series. Call it right before starting a
 * container again; a missing log is not an error.
 */
int agent_logs_keep_previous(const char *log_path, tug_error *err);

/* Rotates log_path when it is larger than max_size: 1 if it did, 0 if not. */
int agent_logs_rotate(const char *log_path, int64_t max_size, int max_files, tug_error *err);
/* One rotation pass over every container log under root/logs. */
void agent_logs_rotate_all(const char *root, int64_t max_size, int max_files);
/* fn(path, name, arg) for each pod's log dir root/logs/{ns}_{pod}_{uid}. */
void agent_logs_each_pod(const char *root, void (*fn)(const char *dir, const char *name, void *arg),
                         void *arg);
/* The container whose live log a file in a pod's log dir is ("main.log" →
 * "main"); false for rotated and previous parts and anything else. */
bool agent_logs_container_of(const char *file, char *buf, size_t size);

/* Reading a series from the start of its last tail lines (tail < 0: all). */
typedef struct agent_logs_reader agent_logs_reader;

int agent_logs_reader_open(const char *log_path, long tail, agent_logs_reader **out,
                           tug_error *err);
/* Up to max bytes: the count, 0 at the end, -1 on error. The end is where
 * the live file ended at opening, or, once following, what is written so far. */
ssize_t agent_logs_reader_read(agent_logs_reader *r, char *buf, size_t max);
/* After a read of 0, for following: notices a rotation, truncation or a new
 * file at the path. 0 while the log can still grow, -1 once its directory is
 * gone (what is left can still be read). */
int agent_logs_reader_follow(agent_logs_reader *r);
void agent_logs_reader_close(agent_logs_reader *r);

#endif
