/*
 * agent-hollow.h — hollow nodes: one tug-agent process (`--hollow N`) stands in
 * for N nodes, like Kubernetes' kubemark, for scheduler and control-plane
 * scale tests.
 *
 * The one idea: a hollow node does everything a node shows through the API
 * and nothing on the host. Nodes PREFIX-0 … PREFIX-(N-1) register with the
 * capacity given and keep their Leases and Ready condition (a few threads,
 * each node renewing at its own offset in the 10 s period); one informer on
 * every bound pod feeds a work queue, and pods bound to a hollow node are
 * written Running with a fake pod IP from 198.18.0.0/16, finished ones
 * (restartPolicy Never or OnFailure, after their run time) Succeeded, and
 * deleted ones removed for good. No process, cgroup, mount or namespace is
 * made, so no root is needed.
 */
#ifndef TUG_AGENT_HOLLOW_H
#define TUG_AGENT_HOLLOW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "error.h"
#include "http.h"

enum {
  AGENT_HOLLOW_MAX_NODES = 100000,
  AGENT_HOLLOW_MAX_PREFIX = 200,
  AGENT_HOLLOW_HEARTBEAT_THREADS = 16,
  AGENT_HOLLOW_POD_WORKERS = 6,
  AGENT_HOLLOW_JOB_SECONDS = 5,
  AGENT_HOLLOW_MAX_RUN_SECONDS = 366 * 24 * 3600,
};

/* Overrides --hollow-job-seconds for one pod: "N" whole seconds. */
#define AGENT_HOLLOW_RUN_SECONDS_ANNOTATION "tug.io/hollow-run-seconds"
/* Label every hollow Node carries ("true"), so tests and tools can tell them. */
#define AGENT_HOLLOW_LABEL "tug.io/hollow"

typedef struct agent_hollow_identities agent_hollow_identities;

typedef struct agent_hollow_options {
  const char *server;     /* the API server's URL (overrides the kubeconfig's) */
  const char *kubeconfig; /* the API server, its CA and credentials; NULL: server alone */
  const char *prefix;     /* node names are PREFIX-0 … PREFIX-(count-1) */
  int count;
  int64_t cpu_milli, memory_bytes;
  int max_pods;            /* status.capacity.pods */
  const char *host_ip;     /* every hollow node's InternalIP and its pods' hostIP */
  int port;                /* advertised in daemonEndpoints; nothing listens */
  long job_seconds;        /* run time of Never/OnFailure pods without the annotation */
  const char *node_ca_dir; /* ca.crt, ca.key: each node its own certificate; NULL: none */
  agent_hollow_identities *identities; /* made from node_ca_dir by agent_hollow_start */
} agent_hollow_options;

typedef struct agent_hollow agent_hollow;

/* Register every node (the first one retried while the API server is
 * unreachable, up to 30 s; any that fail are retried at their next beat), then
 * start the heartbeat threads, the pod informer and its workers. */
int agent_hollow_start(const agent_hollow_options *o, agent_hollow **out, tug_error *err);
/* Stop every thread and free h. Nodes and pods stay as they are in the API. */
void agent_hollow_stop(agent_hollow *h);

/* ---- pure parts ---- */

/* The first time after now of the form t0 + offset + k·period (k an integer):
 * when a node whose slot in the period is offset beats next. */
double agent_hollow_next_beat(double t0, double period, double offset, double now);
/* "PREFIX-i" into buf. */
void agent_hollow_node_name(const char *prefix, int i, char *buf, size_t size);
/* i when name is "PREFIX-i" with 0 <= i < count (decimal, no leading zero), else -1. */
int agent_hollow_node_index(const char *prefix, int count, const char *name);
/* How long a pod runs before it Succeeds: the annotation's seconds, else
 * default_seconds, for restartPolicy Never and OnFailure; -1 (until deleted) for
 * Always. A malformed annotation counts as absent. */
long agent_hollow_run_seconds(const json_t *pod, long default_seconds);
/* The pod's status as if its containers started at started and, when finished is
 * not 0, all exited 0 then: phase, conditions, containerStatuses, hostIP,
 * podIP(s), startTime. A new reference. */
json_t *agent_hollow_pod_status(const json_t *pod, const char *host_ip, const char *pod_ip,
                                time_t started, time_t finished);

/*
 * Fake pod IPs: offsets into 198.18.0.0/16 (1 … 65534; 0 means none), handed
 * out next-fit so that a released address is reused as late as possible. Not
 * thread-safe: the owner locks.
 */
enum { AGENT_HOLLOW_IPS = 1 << 16 };
typedef struct agent_hollow_ipam {
  uint64_t used[AGENT_HOLLOW_IPS / 64];
  uint32_t next;
  uint32_t count;
} agent_hollow_ipam;

void agent_hollow_ipam_init(agent_hollow_ipam *m);
/* A free offset, now taken; 0 when all are taken. */
uint32_t agent_hollow_ipam_alloc(agent_hollow_ipam *m);
/* Take a given offset (an address a pod already shows); false if taken or invalid. */
bool agent_hollow_ipam_claim(agent_hollow_ipam *m, uint32_t off);
void agent_hollow_ipam_release(agent_hollow_ipam *m, uint32_t off);
/* The offset of "198.18.x.y"; 0 for anything else. */
uint32_t agent_hollow_ip_parse(const char *ip);
/* "198.18.x.y" for off; buf holds 16. Returns buf. */
const char *agent_hollow_ip_format(uint32_t off, char *buf, size_t size);

/* ---- the two halves agent_hollow_start wires together ---- */

typedef struct agent_hollow_nodes agent_hollow_nodes;
int agent_hollow_nodes_start(const agent_hollow_options *o, agent_hollow_nodes **out,
                             tug_error *err);
void agent_hollow_nodes_stop(agent_hollow_nodes *n);

/* Per-node identities (agent-hollow-identity.c): node i's client, its
 * certificate (system:node:PREFIX-i, group system:nodes) issued by the CA of
 * o->node_ca_dir the first time it is asked for; safe from any thread. */
int agent_hollow_identities_new(const agent_hollow_options *o, agent_hollow_identities **out,
                                tug_error *err);
tug_client *agent_hollow_identity_client(agent_hollow_identities *ids, int i, tug_error *err);
void agent_hollow_identities_free(agent_hollow_identities *ids);
/* The client node i writes with: its own with identities, else shared. */
tug_client *agent_hollow_client(const agent_hollow_options *o, tug_client *shared, int i,
                                tug_error *err);

typedef struct agent_hollow_pods agent_hollow_pods;
int agent_hollow_pods_start(const agent_hollow_options *o, agent_hollow_pods **out, tug_error *err);
void agent_hollow_pods_stop(agent_hollow_pods *p);

#endif
