/*
 * netlink.h — links, addresses and routes through rtnetlink (libmnl), and
 * named network namespaces compatible with `ip netns`.
 *
 * The one idea: a tug_nl is a NETLINK_ROUTE socket bound to one network
 * namespace for its whole life — it is made there by a short-lived thread
 * (nsrun.h) — so a caller configures any namespace without ever leaving its
 * own. Every request waits for the kernel's acknowledgement, and a failure
 * carries the kernel's extended-ack text when it gives one.
 *
 * "Exists" on add and "missing" on delete are success wherever noted, so the
 * callers can be level-triggered. A tug_nl is for one thread at a time.
 */
#ifndef TUG_NETLINK_H
#define TUG_NETLINK_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* rtm_protocol of the routes Tugboat programs, so it can find and remove its
 * own later (iproute2 names 0x74 nowhere; see /etc/iproute2/rt_protos). */
#define TUG_RTPROT 0x74

/* "a.b.c.d/len", "a.b.c.d" (a /32) or "default" (0.0.0.0/0) into an address
 * (host bits kept as given) and prefix length. Returns 0, or -1 when malformed. */
int tug_cidr4_parse(const char *s, struct in_addr *addr, int *prefix);

typedef struct tug_nl tug_nl;

/* A NETLINK_ROUTE socket in netns_fd (-1: the calling thread's namespace).
 * The fd need not stay open afterwards. */
int tug_nl_open(int netns_fd, tug_nl **out, tug_error *err);
void tug_nl_close(tug_nl *nl);

/* The interface index of name: > 0 found, 0 no such link, < 0 error. */
int tug_nl_ifindex(tug_nl *nl, const char *name, tug_error *err);

/* A bridge named name, down; one that exists already is fine. */
int tug_nl_bridge_add(tug_nl *nl, const char *name, tug_error *err);

/* A veth pair: name here, peer created directly in peer_netns_fd (-1: here
 * too). Fails with EEXIST when either name is taken. */
int tug_nl_veth_add(tug_nl *nl, const char *name, const char *peer, int peer_netns_fd,
                    tug_error *err);

/* Set name's master (NULL: leave as is, "": detach) and bring it up or down. */
int tug_nl_link_set(tug_nl *nl, const char *name, const char *master, bool up, tug_error *err);

/* Delete a link (a veth takes its peer with it); a missing one is fine. */
int tug_nl_link_del(tug_nl *nl, const char *name, tug_error *err);

typedef struct tug_nl_link {
  int index;
  int master; /* 0: none */
  char name[IF_NAMESIZE];
} tug_nl_link;

/* Every link, into a malloc'd array (*out NULL when there are none). */
int tug_nl_link_list(tug_nl *nl, tug_nl_link **out, size_t *count, tug_error *err);

/* Hairpin mode of the bridge port port: frames may go back out the port they
 * came in, so a pod can reach itself through a Service address. */
int tug_nl_bridge_port_hairpin(tug_nl *nl, const char *port, bool on, tug_error *err);

/* Add an IPv4 address, "198.18.3.1/24", to dev; one it holds already is fine. */
int tug_nl_addr_add(tug_nl *nl, const char *dev, const char *cidr, tug_error *err);

/* Add or replace the IPv4 main-table route to dst_cidr ("198.18.5.0/24",
 * "0.0.0.0/0" or "default") via gw and/or out of dev (either may be NULL, not
 * both), marked with protocol (TUG_RTPROT for Tugboat's own). */
int tug_nl_route_replace(tug_nl *nl, const char *dst_cidr, const char *gw, const char *dev,
                         unsigned char protocol, tug_error *err);

/* Delete the main-table route to dst_cidr if it has protocol (0: any); a
 * missing one is fine. */
int tug_nl_route_del(tug_nl *nl, const char *dst_cidr, unsigned char protocol, tug_error *err);

typedef struct tug_nl_route {
  char dst[INET_ADDRSTRLEN + 4]; /* "198.18.5.0/24", "0.0.0.0/0" */
  char gw[INET_ADDRSTRLEN];      /* "" without a gateway */
  int oif;                       /* 0 when the kernel gave none */
  unsigned char protocol;
} tug_nl_route;

/* IPv4 unicast routes of the main table with protocol (0: any), into a
 * malloc'd array (*out NULL when there are none). */
int tug_nl_route_list(tug_nl *nl, unsigned char protocol, tug_nl_route **out, size_t *count,
                      tug_error *err);

/* A new anonymous network namespace, alive while the returned fd (O_CLOEXEC)
 * is open. Returns the fd, or -1 with err. */
int tug_netns_new(tug_error *err);

/* `ip netns add NAME`: a new namespace kept alive by a bind mount at
 * /run/netns/NAME (a shared mount point, as ip makes it). One that exists
 * already is fine. Needs root in the initial namespaces. */
int tug_netns_add(const char *name, tug_error *err);

/* `ip netns del NAME`: unmount and unlink /run/netns/NAME; missing is fine. */
int tug_netns_del(const char *name, tug_error *err);

/* Open a namespace by name (/run/netns/NAME) or, when it holds a '/', by
 * path (/proc/PID/ns/net). Returns an O_RDONLY|O_CLOEXEC fd, or -1 with err. */
int tug_netns_open(const char *name_or_path, tug_error *err);

/* Write value to a /proc/sys file (path absolute, or relative to /proc/sys:
 * "net/ipv4/ip_forward") as seen from netns_fd (-1: here). */
int tug_sysctl_write(int netns_fd, const char *path, const char *value, tug_error *err);

#endif
