/*
 * bridge.h — the node's pod network, host-gw style: a bridge holding the node's
 * pod CIDR, a veth per pod from the bridge to the pod's eth0, and routes to
 * the other nodes' pod CIDRs through their host addresses.
 *
 * The one idea: everything here can be done again. Links, addresses and
 * routes are made "if missing", addresses live in IPAM files (ipam.h), so a
 * restarted agent calls the same functions for the pods still running and
 * changes nothing they rely on. Everything is programmed in the node's
 * network namespace (or a pod's) through netlink sockets made there; the
 * caller's own namespace is never changed. All functions are thread-safe.
 */
#ifndef TUG_AGENT_BRIDGE_H
#define TUG_AGENT_BRIDGE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef struct agent_bridge agent_bridge;

typedef struct agent_bridge_options {
  int netns_fd;          /* the node's ("host") network namespace; -1: the agent's own */
  const char *state_dir; /* IPAM records live in <state_dir>/ipam/ */
  const char *bridge;    /* NULL: "tug0" */
} agent_bridge_options;

/* netns_fd is duplicated: the caller may close its own. */
int agent_bridge_open(const agent_bridge_options *o, agent_bridge **out, tug_error *err);
/* Frees; leaves bridge, veths and records in place (pods keep running across
 * agent restarts). */
void agent_bridge_close(agent_bridge *n);

/* The node's pod CIDR from Node spec.podCIDR, e.g. "198.18.4.0/24": the
 * bridge gets the first host address (198.18.4.1/24) and is up, so is lo,
 * ip_forward=1 in the node netns, and a route for service_cidr (e.g. "198.19.0.0/17"; NULL
 * or "": none) on the bridge so locally generated traffic to Service IPs
 * reaches nftables' nat output hook. Idempotent; calling again with the same
 * values is a no-op. A different pod CIDR than the IPAM records hold fails
 * with TUG_E_CONFLICT. */
int agent_bridge_configure(agent_bridge *n, const char *pod_cidr, const char *service_cidr,
                           tug_error *err);
bool agent_bridge_configured(const agent_bridge *n);
/* The pod CIDR the IPAM records were made for ("198.18.4.0/24"), "" when
 * none: after an agent restart, what to configure again before the Node says. */
const char *agent_bridge_stored_cidr(const agent_bridge *n);
/* "198.18.4.1"; "" before agent_bridge_configure. */
const char *agent_bridge_gateway(const agent_bridge *n);

/* Give the pod whose network namespace is pod_netns_fd an eth0: an address
 * from IPAM for pod_uid (the one it holds, if any), a veth whose host end
 * (agent_bridge_veth_name) is a bridge port with hairpin on, eth0 up with the
 * address and the pod CIDR's prefix, lo up, default route via the gateway.
 * Again for a pod already set up (an agent restart), it keeps the pod's veth
 * and address. Fills ip ("198.18.4.7"). EAGAIN before agent_bridge_configure. */
int agent_bridge_pod_setup(agent_bridge *n, const char *pod_uid, int pod_netns_fd, char ip[16],
                           tug_error *err);
/* Delete the pod's host veth (the peer goes with it) and free its address;
 * missing is fine. */
int agent_bridge_pod_teardown(agent_bridge *n, const char *pod_uid, tug_error *err);
/* The address pod_uid holds: 1 found, 0 none, -1 records unreadable. */
int agent_bridge_pod_ip(agent_bridge *n, const char *pod_uid, char ip[16]);

/* Release addresses (and veths) of every uid for which alive(uid, arg) is
 * false (uid "" for a record whose holder was never written), then delete
 * "veth*" ports of the bridge that no record accounts for. alive is called
 * without n's lock held, so it may call back into n; it must answer true for
 * any pod whose setup may be running. Returns how many addresses it freed. */
int agent_bridge_gc(agent_bridge *n, bool (*alive)(const char *uid, void *arg), void *arg,
                    tug_error *err);

/* Routes to other nodes' pod CIDRs via their host addresses: afterwards
 * exactly these gateway routes with protocol TUG_RTPROT exist in the node
 * netns (others it programmed are deleted; the service route on the bridge
 * is not a gateway route and stays). Goes through every route even when one
 * fails, and reports the first failure. */
typedef struct agent_bridge_route {
  const char *cidr;
  const char *via;
} agent_bridge_route;
int agent_bridge_sync_routes(agent_bridge *n, const agent_bridge_route *routes, size_t count,
                             tug_error *err);

/* Remove everything: every pod veth, the bridge, the routes, the IPAM
 * records (for `tug down`-style cleanup). */
int agent_bridge_destroy(agent_bridge *n, tug_error *err);

/* The host end of pod_uid's veth: "veth" and 11 hex digits of a hash of the
 * uid, 15 characters, the most a link name may have. */
void agent_bridge_veth_name(const char *pod_uid, char name[16]);

#endif
