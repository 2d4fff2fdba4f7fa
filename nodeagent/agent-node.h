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
  long cpu_cores;
  int64_t reserved_cpu_milli;
  int64_t memory_bytes;
  int max_pods;
  const char *host_ip;
  int port; /* the agent's log endpoint, in status.daemonEndpoints */
  const char *kernel_version, *os_image, *architecture;
} agent_node_facts;

/* capacity cpu = cores ("2"); allocatable = cores*1000 - reserved, never below 0
 * ("1500m"). Each buffer holds TUG_QUANTITY_BUFSIZE. */
void agent_node_cpu(long cores, int64_t reserved_milli, char *capacity, char *allocatable);
/* MemTotal of /proc/meminfo's text in bytes; -1 when missing. */
int64_t agent_node_meminfo_total(const char *meminfo);
/* status.{capacity, allocatable, nodeInfo, addresses}: a new reference. */
json_t *agent_node_status_json(const agent_node_facts *f);


typedef struct agent_node agent_node;

typedef struct agent_node_options {
  tug_client *client;
  const char *name;
  int max_pods;
  int64_t reserved_cpu_milli;
  const char *host_ip;
  int port;
} agent_node_options;

/* Register the node and write its status (retrying while the API server is
 * unreachable, up to 30 s), take the lease, then start the heartbeat thread. */
int agent_node_start(const agent_node_options *o, agent_node **out, tug_error *err);
/* Stop the heartbeat thread and free n. The Node object stays. */
void agent_node_stop(agent_node *n);

#endif
