/*
 * netpol.h — NetworkPolicy as nftables rules, for the pods of this node.
 *
 * The one idea: a pod no policy selects is not looked at (default allow);
 * a selected pod gets a chain per direction its policies isolate, holding
 * one rule per thing some policy allows (peer × port) and a refusal at the
 * end, reached through a verdict map keyed by the pod's address. Replies of
 * allowed connections pass on conntrack's "established" before any of it.
 * The text is part of table `ip tugboat` (agent_proxy_config.extra), so
 * Services and policies change in one nft transaction; it is a pure
 * function of the objects, sorted, so equal input gives equal text.
 * docs/networking.md ("NetworkPolicy") describes the shape.
 */
#ifndef TUG_NETPOL_H
#define TUG_NETPOL_H

#include <jansson.h>

#include "error.h"

typedef struct agent_netpol_input {
  const char *node_name;    /* chains are made for the pods bound here only */
  const json_t *policies;   /* every NetworkPolicy (JSON array; NULL: none) */
  const json_t *pods;       /* every pod of the cluster: peers may live anywhere */
  const json_t *namespaces; /* every Namespace, for namespaceSelector */
} agent_netpol_input;

/* The policy part of table ip tugboat: lines of its body (maps, base chains
 * at filter - 5 for forward and input, one chain per isolated pod and
 * direction). Policies, pods and peers that cannot be enforced (no IPv4
 * podIP, IPv6 blocks, invalid selectors) match nothing rather than fail.
 * malloc'd, or NULL with err (a list that is not an array, no memory). */
char *agent_netpol_render(const agent_netpol_input *in, tug_error *err);

#endif
