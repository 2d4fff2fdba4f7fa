/*
 * proxy.h — Kubernetes Services (ClusterIP, NodePort) as nftables rules: the
 * agent's kube-proxy.
 *
 * The one idea: the whole table `ip tugboat` is a pure function of the
 * Service and Endpoints objects. agent_proxy_render makes its text (sorted,
 * so equal input gives equal text and the caller can skip unchanged
 * updates); agent_proxy_apply swaps it in with one atomic nft transaction.
 * docs/networking.md ("Services") describes the ruleset's shape.
 */
#ifndef TUG_PROXY_H
#define TUG_PROXY_H

#include <jansson.h>
#include <stdint.h>

#include "error.h"

/* The packet mark bit that asks postrouting to masquerade (kube-proxy's). */
#define AGENT_PROXY_MASQ_MARK 0x4000

typedef struct agent_proxy_config {
  const char *node_ip;      /* the node's host address, where NodePorts answer */
  const char *cluster_cidr; /* pod range, e.g. "198.18.0.0/16" */
  const char *service_cidr; /* e.g. "198.19.0.0/17" */
  const char *bridge;       /* the pod bridge, "tug0" */
  const char *extra;        /* more of the table's body (netpol.h's rules), or NULL */
} agent_proxy_config;

/* Chain names hold object names cut to a DNS label's length, with anything
 * outside [A-Za-z0-9_-] made '_' (out: AGENT_PROXY_LABEL_PART + 1 bytes),
 * and an FNV-1a hash of the exact values so two never clash. */
#define AGENT_PROXY_LABEL_PART 63
void agent_proxy_sanitize(const char *in, char *out);
uint32_t agent_proxy_fnv1a(const char *s, uint32_t h);

/* The complete ruleset text for table `ip tugboat` from every Service and
 * Endpoints object (JSON arrays of Kubernetes objects, all namespaces; NULL is
 * an empty list). Objects and ports that cannot be programmed (no name, no
 * IPv4 clusterIP, headless, SCTP, bad port numbers, a VIP:port or nodePort
 * already taken by an earlier Service in sorted order) are left out. Fails
 * only on a bad config or a non-array list. malloc'd text, or NULL with err. */
char *agent_proxy_render(const agent_proxy_config *c, const json_t *services,
                         const json_t *endpoints, tug_error *err);

typedef struct agent_proxy agent_proxy;

/* An nft context bound to the calling thread's network namespace: call every
 * agent_proxy_* function from that one thread. */
int agent_proxy_open(agent_proxy **out, tug_error *err);
void agent_proxy_close(agent_proxy *p);

/* Replace table ip tugboat with ruleset (agent_proxy_render's text) in one
 * atomic nft transaction. On failure err carries nft's error text and the
 * rules in place stay. */
int agent_proxy_apply(agent_proxy *p, const char *ruleset, tug_error *err);

/* Delete table ip tugboat; a missing table is fine. */
int agent_proxy_flush(agent_proxy *p, tug_error *err);

#endif
