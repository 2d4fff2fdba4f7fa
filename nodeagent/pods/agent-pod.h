/*
 * agent-pod.h — one pod on this node: its sandbox, its containers' runtime
 * handles and records, and the steps that move them toward the pod's spec.
 *
 * The one idea: every step is short and non-blocking, so a worker can call
 * them each time the pod's key comes up (on a watch event, and every status
 * tick): sync notices exits and (re)starts what is due, terminate signals
 * and escalates on a deadline rather than sleeping through a grace period.
 * Only the worker holding the pod's key touches an agent_pod.
 */
#ifndef TUG_AGENT_POD_H
#define TUG_AGENT_POD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "events.h"
#include "agent-network.h"
#include "http.h"
#include "image-puller.h"
#include "runtime.h"

/* What every pod shares: the runtime, the API client and node settings. */
typedef struct agent_pod_env {
  agent_runtime *rt;
  tug_client *client;
  const char *root;               /* image store and logs/ live here */
  const char *host_ip;            /* status.hostIP */
  int64_t pids_limit;             /* per pod, and per container within it; 0: none */
  int backoff_base;               /* seconds before the first restart */
  tug_events *events;             /* Events about pods and containers; may be NULL */
  agent_network *network;         /* pod addresses and Services; NULL: pods get loopback only */
  const char *allowed_host_paths; /* hostPath prefixes, comma-separated; NULL: none */
  agent_puller *puller;           /* images: the node's store and its pulls */
  const char *local_path_root;    /* local-path volumes' directory (agent-volumes.h) */
  int64_t alloc_cpu_milli;        /* the node's allocatable: resourceFieldRef's default limits */
  int64_t alloc_memory;
} agent_pod_env;

typedef struct agent_pod agent_pod;

/* Create the sandbox (hostname = pod name) and the pod's records from its
 * spec; containers start at the first sync. */
int agent_pod_create(const agent_pod_env *env, const json_t *pod, agent_pod **out, tug_error *err);
const char *agent_pod_uid(const agent_pod *p);

/* Record exits, restart or start containers that are due, collect finished
 * probe runs and start due ones (each in its own thread). Never blocks on a
 * container or a probe; returns the ms until a back-off ends (-1: nothing
 * pending). */
long agent_pod_sync(agent_pod *p);

/* PATCH the pod's status subresource when what it computes differs from what
 * was sent last. */
int agent_pod_report(agent_pod *p, tug_error *err);

/* One step of graceful termination: the first call sends SIGTERM and arms a
 * deadline grace_seconds away, later calls SIGKILL what still runs past it.
 * True once every container has exited. */
bool agent_pod_terminate(agent_pod *p, int64_t grace_seconds);

/* Kill what still runs, remove containers, sandbox and log dir; free p. */
int agent_pod_destroy(agent_pod *p, tug_error *err);
/* Remove what an earlier agent left of a pod that has no agent_pod here: its
 * sandbox with anything still running in it and, when ns and name are
 * given, its logs. */
void agent_pod_forget(const agent_pod_env *env, const char *ns, const char *name, const char *uid);
/* Free p and leave its containers running (the agent is shutting down). */
void agent_pod_release(agent_pod *p);

#endif
