/*
 * agent-node.h — the agent's Node object and its liveness signals.
 *
 * At start the agent creates its Node (or finds it) and writes its status:
 * capacity and allocatable from the host and the flags, nodeInfo, addresses
 * and a Ready condition. A thread then renews the node's Lease in
 * tug-node-lease every AGENT_LEASE_RENEW_SECONDS and refreshes Ready's
 * lastHeartbeatTime every AGENT_NODE_STATUS_SECONDS, as the kubelet does.
 */
#ifndef TUG_AGENT_NODE_H
#define TUG_AGENT_NODE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "http.h"

enum {
  AGENT_LEASE_RENEW_SECONDS = 10,
  AGENT_LEASE_DURATION_SECONDS = 40,
  AGENT_NODE_STATUS_SECONDS = 40,
};

#define AGENT_RUNTIME_VERSION "tugboat://0.1"
#define AGENT_KUBELET_VERSION "v0.1.0-tugboat"

/* What the node reports about its host. */
typedef struct agent_node_facts {
  const char *name;
  int64_t cpu_milli; /* the host's cores * 1000, or a hollow node's --hollow-cpu */
  int64_t reserved_cpu_milli;
  int64_t memory_bytes;
  int max_pods;
  const char *host_ip;
  int port; /* the agent's log endpoint, in status.daemonEndpoints */
  const char *kernel_version, *os_image, *architecture;
} agent_node_facts;

/* capacity cpu = milli ("2" for 2000); allocatable = milli - reserved, never
 * below 0 ("1500m"). Each buffer holds TUG_QUANTITY_BUFSIZE. */
void agent_node_cpu(int64_t milli, int64_t reserved_milli, char *capacity, char *allocatable);
/* MemTotal of /proc/meminfo's text in bytes; -1 when missing. */
int64_t agent_node_meminfo_total(const char *meminfo);
/* This host's cores * 1000 and MemTotal (0 when unreadable). */
void agent_node_host_capacity(int64_t *cpu_milli, int64_t *memory_bytes);
/* status.{capacity, allocatable, nodeInfo, addresses}: a new reference. */
json_t *agent_node_status_json(const agent_node_facts *f);
/* "amd64" for x86_64, "arm64" for aarch64, else machine itself. */
const char *agent_node_architecture(const char *machine);

/* The Node an agent registers (name, kubernetes.io/{hostname,os,arch} labels, an
 * empty spec) for this host's architecture. A new reference. */
json_t *agent_node_object(const char *name);
/* status.conditions: Ready True since ready_since, heartbeat now. A new reference. */
json_t *agent_node_ready_conditions(const char *ready_since);

/*
 * The API calls both the real and the hollow agent make for a node. register
 * creates node (which carries its status) or, when it exists, writes status over
 * the stored one; patch_status takes a reference to status; heartbeat writes the
 * Ready condition with lastHeartbeatTime now; renew_lease writes the node's Lease
 * in tug-node-lease (renewTime now), creating it if missing.
 */
int agent_node_register(tug_client *c, const json_t *node, tug_error *err);
/* register, then renew_lease, retried every second for up to 30 s while the API
 * server is unreachable (it may be starting alongside). */
int agent_node_register_retrying(tug_client *c, const json_t *node, tug_error *err);
int agent_node_patch_status(tug_client *c, const char *name, json_t *status, tug_error *err);
int agent_node_heartbeat(tug_client *c, const char *name, const char *ready_since, tug_error *err);
int agent_node_renew_lease(tug_client *c, const char *name, tug_error *err);

typedef struct agent_node agent_node;

typedef struct agent_node_options {
  tug_client *client;
  const char *name;
  int max_pods;
  int64_t reserved_cpu_milli;
  const char *host_ip;
  int port;
  const char *root; /* the filesystem DiskPressure watches (agent-node-pressure.h) */
  /* Published as the Node's local-path annotations (volume-rules.h): where
   * this node's provisioned volumes live and how many bytes they may take;
   * NULL: none offered. */
  const char *local_path_root, *local_path_capacity;
  double lease_renew_s; /* 0: AGENT_LEASE_RENEW_SECONDS */
} agent_node_options;

/* Register the node and write its status (retrying while the API server is
 * unreachable, up to 30 s), take the lease, then start the heartbeat thread. */
int agent_node_start(const agent_node_options *o, agent_node **out, tug_error *err);
/* Monotonic seconds when the latest Lease renewal that succeeded was sent:
 * the control plane counts its node grace from no earlier (fencing). */
double agent_node_last_renewed(agent_node *n);
/* Stop the heartbeat thread and free n. The Node object stays. */
void agent_node_stop(agent_node *n);

#endif
