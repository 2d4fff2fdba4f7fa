/*
 * agent-network.h — the node's part of the cluster network: pod addresses,
 * routes to other nodes' pods, and Services as nftables rules.
 *
 * The one idea: one controller (lib/controller.h, one worker) owns the node's
 * network state and makes it match three informers — this Node (its pod CIDR configures the
 * bridge), all Nodes (a route to each other node's pod CIDR via its host address) and all Services
 * and Endpoints (one ruleset, replaced atomically when its text changes). Once the bridge has its
 * address, a DNS responder answers there for NAME.NAMESPACE.svc.cluster.local (agent-dns.c). Pod
 * workers only ask for an address and a veth (network/bridge.h).
 *
 * With a node network namespace (tug-agent --netns) the agent is one of
 * several "hosts" on this machine: everything it programs lives in that
 * namespace, while the agent itself stays where it is to reach the API server.
 */
#ifndef TUG_AGENT_NETWORK_H
#define TUG_AGENT_NETWORK_H

#include <jansson.h>

#include "controller.h"
#include "error.h"
#include "http.h"

typedef struct agent_network agent_network;

typedef struct agent_network_options {
  tug_client *client;
  const char *node_name;
  const char *state_dir;    /* IPAM records go under it */
  int netns_fd;             /* the node's network namespace; -1: the agent's own */
  const char *node_ip;      /* host address: where NodePorts answer */
  const char *cluster_cidr; /* every pod address, e.g. 198.18.0.0/16 */
  const char *service_cidr; /* Service virtual IPs, e.g. 198.19.0.0/17 */
} agent_network_options;

int agent_network_start(const agent_network_options *o, agent_network **out, tug_error *err);
/* The controller, for its metrics. */
tug_controller *agent_network_controller(agent_network *n);
/* Stop the controller and informers; bridge, veths, routes and rules stay for the
 * pods that keep running. */
void agent_network_stop(agent_network *n);

/* Give the pod an eth0 with an address (the one it holds, after a restart).
 * Fails with EAGAIN while the node has no pod CIDR yet. */
int agent_network_pod_setup(agent_network *n, const char *pod_uid, int pod_netns_fd, char ip[16],
                            tug_error *err);
/* Free the pod's address and veth; missing is fine. */
int agent_network_pod_teardown(agent_network *n, const char *pod_uid, tug_error *err);

/* Kubernetes' Service environment variables for a pod in namespace ns, from
 * the Services that exist now: {"WEB_SERVICE_HOST": "198.19.0.10", ...}. A
 * new object; n may be NULL (an empty object). */
json_t *agent_network_service_env(agent_network *n, const char *ns);

/* The pod's /etc/hosts: localhost, the pod's own address and hostname, and
 * NAME.NAMESPACE.svc (and NAME, within ns) for every Service with a virtual
 * IP. malloc'd. */
char *agent_network_hosts(agent_network *n, const char *ns, const char *pod_ip,
                          const char *hostname);

/* The pod's /etc/resolv.conf: the node's DNS responder (on the bridge's
 * address) and Kubernetes' search path for namespace ns. malloc'd; NULL while
 * the responder does not run (the pod then keeps the host's). */
char *agent_network_resolv_conf(agent_network *n, const char *ns);

#endif
