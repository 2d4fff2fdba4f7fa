/*
 * bridge.c — bridge, pod veths and node routes over lib/netlink (see bridge.h).
 *
 * One mutex serializes everything: pod setups are a handful of netlink
 * requests each, and holding the lock across "allocate an address, make the
 * veth" is what lets the garbage collector trust that a record without a
 * veth, or a veth without a record, is really left over.
 */
#include "bridge.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "netlink.h"
#include "network/ipam.h"

#define POD_IFNAME "eth0"

struct agent_bridge {
  pthread_mutex_t mu;
  int netns_fd; /* ours (a dup), or -1 */
  char bridge[IF_NAMESIZE];
  tug_nl *nl; /* in the node netns */
  agent_ipam *ipam;
  atomic_bool configured; /* read without the lock; gateway is set before it */
  char pod_cidr[32], service_cidr[32], gateway[16];
  int prefix;
};

void agent_bridge_veth_name(const char *pod_uid, char name[16]) {
  uint64_t h = 14695981039346656037u; /* 64-bit FNV-1a */
  for (const unsigned char *p = (const unsigned char *)pod_uid; *p; p++)
    h = (h ^ *p) * 1099511628211u;
  /* 11 hex digits (44 bits) fill IFNAMSIZ: two pods of one node share a
   * name with odds of about 2 in a billion at 250 pods. */
  snprintf(name, 16, "veth%011" PRIx64, h >> 20);
}

int agent_bridge_open(const agent_bridge_options *o, agent_bridge **out, tug_error *err) {
  const char *bridge = o->bridge ? o->bridge : "tug0";
  if (o->state_dir == NULL || strlen(bridge) >= IF_NAMESIZE || bridge[0] == '\0')
    return tug_error_set(err, EINVAL, "open the pod network: no state dir or bad bridge name");
  agent_bridge *n = calloc(1, sizeof *n);
  if (n == NULL)
    return tug_error_errno(err, ENOMEM, "open the pod network");
  pthread_mutex_init(&n->mu, NULL);
  snprintf(n->bridge, sizeof n->bridge, "%s", bridge);
  n->netns_fd = -1;
  char dir[PATH_MAX];
  snprintf(dir, sizeof dir, "%s/ipam", o->state_dir);
  if (o->netns_fd >= 0 && (n->netns_fd = fcntl(o->netns_fd, F_DUPFD_CLOEXEC, 0)) < 0) {
    tug_error_errno(err, errno, "open the pod network: duplicate the node netns fd");
  } else if (mkdir(o->state_dir, 0755) < 0 && errno != EEXIST) {
    tug_error_errno(err, errno, "open the pod network: create %s", o->state_dir);
  } else if (tug_nl_open(n->netns_fd, &n->nl, err) == 0 &&
             agent_ipam_open(dir, &n->ipam, err) == 0) {
    *out = n;
    return 0;
  }
  agent_bridge_close(n);
  return tug_error_wrap(err, "open the pod network");
}

void agent_bridge_close(agent_bridge *n) {
  if (n == NULL)
    return;
  tug_nl_close(n->nl);
  agent_ipam_close(n->ipam);
  if (n->netns_fd >= 0)
    close(n->netns_fd);
  pthread_mutex_destroy(&n->mu);
  free(n);
}

/* ---- the node side ----------------------------------------------------- */

static int configure_locked(agent_bridge *n, const char *pod_cidr, const char *service_cidr,
                            tug_error *err) {
  if (agent_ipam_set_range(n->ipam, pod_cidr, err) < 0)
    return -1;
  /* The range as IPAM normalized it: "198.18.4.0/24". */
  const char *range = agent_ipam_range(n->ipam);
  struct in_addr net;
  int prefix;
  tug_cidr4_parse(range, &net, &prefix);
  struct in_addr gw = {.s_addr = htonl(ntohl(net.s_addr) + 1)};
  char gateway[16], gw_cidr[24];
  inet_ntop(AF_INET, &gw, gateway, sizeof gateway);
  snprintf(gw_cidr, sizeof gw_cidr, "%s/%d", gateway, prefix);
  /* lo too: a fresh node namespace has it down, and the node's own traffic
   * to its addresses (and to Services DNAT'd back to itself) needs it. */
  if (tug_nl_link_set(n->nl, "lo", NULL, true, err) < 0 ||
      tug_nl_bridge_add(n->nl, n->bridge, err) < 0 ||
      tug_nl_addr_add(n->nl, n->bridge, gw_cidr, err) < 0 ||
      tug_nl_link_set(n->nl, n->bridge, NULL, true, err) < 0 ||
      tug_sysctl_write(n->netns_fd, "net/ipv4/ip_forward", "1", err) < 0)
    return -1;
  bool service = service_cidr && service_cidr[0];
  if (n->service_cidr[0] && (!service || strcmp(n->service_cidr, service_cidr) != 0) &&
      tug_nl_route_del(n->nl, n->service_cidr, TUG_RTPROT, err) < 0)
    return -1;
  if (service && tug_nl_route_replace(n->nl, service_cidr, NULL, n->bridge, TUG_RTPROT, err) < 0)
    return -1;
  snprintf(n->pod_cidr, sizeof n->pod_cidr, "%s", pod_cidr);
  snprintf(n->service_cidr, sizeof n->service_cidr, "%s", service ? service_cidr : "");
  snprintf(n->gateway, sizeof n->gateway, "%s", gateway);
  n->prefix = prefix;
  atomic_store(&n->configured, true);
  return 0;
}

int agent_bridge_configure(agent_bridge *n, const char *pod_cidr, const char *service_cidr,
                           tug_error *err) {
  pthread_mutex_lock(&n->mu);
  const char *service = service_cidr ? service_cidr : "";
  int rc = 0;
  if (!n->configured || strcmp(n->pod_cidr, pod_cidr ? pod_cidr : "") != 0 ||
      strcmp(n->service_cidr, service) != 0)
    rc = configure_locked(n, pod_cidr, service, err);
  pthread_mutex_unlock(&n->mu);
  if (rc < 0)
    return tug_error_wrap(err, "configure pod network %s on %s", pod_cidr ? pod_cidr : "",
                          n->bridge);
  return 0;
}

bool agent_bridge_configured(const agent_bridge *n) {
  return atomic_load(&n->configured);
}

const char *agent_bridge_stored_cidr(const agent_bridge *n) {
  return agent_ipam_range(n->ipam);
}

const char *agent_bridge_gateway(const agent_bridge *n) {
  return n->gateway;
}

/* ---- pods -------------------------------------------------------------- */

/* Make (or keep) the veth and configure both ends. A pod whose eth0 and host
 * veth both exist is one set up before: its links are kept, and the rest is
 * applied again, which changes nothing that is already right. */
static int pod_links(agent_bridge *n, tug_nl *pod, const char *veth, int pod_netns_fd,
                     const char *ip, tug_error *err) {
  int eth0 = tug_nl_ifindex(pod, POD_IFNAME, err), host = 0;
  if (eth0 < 0 || (host = tug_nl_ifindex(n->nl, veth, err)) < 0)
    return -1;
  bool created = false;
  if (eth0 == 0 || host == 0) {
    if (tug_nl_link_del(n->nl, veth, err) < 0 || tug_nl_link_del(pod, POD_IFNAME, err) < 0 ||
        tug_nl_veth_add(n->nl, veth, POD_IFNAME, pod_netns_fd, err) < 0)
      return -1;
    created = true;
  }
  char cidr[24];
  snprintf(cidr, sizeof cidr, "%s/%d", ip, n->prefix);
  if (tug_nl_link_set(n->nl, veth, n->bridge, true, err) < 0 ||
      tug_nl_bridge_port_hairpin(n->nl, veth, true, err) < 0 ||
      tug_nl_link_set(pod, "lo", NULL, true, err) < 0 ||
      tug_nl_link_set(pod, POD_IFNAME, NULL, true, err) < 0 ||
      tug_nl_addr_add(pod, POD_IFNAME, cidr, err) < 0 ||
      tug_nl_route_replace(pod, "default", n->gateway, POD_IFNAME, TUG_RTPROT, err) < 0) {
    if (created) {
      tug_error ignored = {0};
      tug_nl_link_del(n->nl, veth, &ignored);
    }
    return -1;
  }
  return 0;
}

static int pod_setup_locked(agent_bridge *n, const char *pod_uid, int pod_netns_fd, char ip[16],
                            tug_error *err) {
  if (!n->configured)
    return tug_error_set(err, EAGAIN, "no pod CIDR configured yet");
  int held = agent_ipam_lookup(n->ipam, pod_uid, ip);
  if (held == 0 && agent_ipam_alloc(n->ipam, pod_uid, ip, err) < 0)
    return -1;
  if (held < 0)
    return tug_error_errno(err, errno, "read IPAM records");
  char veth[16];
  agent_bridge_veth_name(pod_uid, veth);
  tug_nl *pod = NULL;
  int rc = tug_nl_open(pod_netns_fd, &pod, err);
  if (rc == 0)
    rc = pod_links(n, pod, veth, pod_netns_fd, ip, err);
  tug_nl_close(pod);
  if (rc < 0 && !held) {
    /* A fresh address goes back; a held one stays with its running pod. */
    tug_error ignored = {0};
    agent_ipam_release(n->ipam, pod_uid, &ignored);
  }
  if (rc == 0)
    tug_debug("pod network set up", "uid=%s ip=%s veth=%s reused=%s", pod_uid, ip, veth,
              held ? "true" : "false");
  return rc;
}

int agent_bridge_pod_setup(agent_bridge *n, const char *pod_uid, int pod_netns_fd, char ip[16],
                           tug_error *err) {
  if (pod_uid == NULL || pod_uid[0] == '\0' || pod_netns_fd < 0)
    return tug_error_set(err, EINVAL, "set up pod network: no pod uid or network namespace");
  pthread_mutex_lock(&n->mu);
  int rc = pod_setup_locked(n, pod_uid, pod_netns_fd, ip, err);
  pthread_mutex_unlock(&n->mu);
  if (rc < 0)
    return tug_error_wrap(err, "set up network of pod %s", pod_uid);
  return 0;
}

int agent_bridge_pod_teardown(agent_bridge *n, const char *pod_uid, tug_error *err) {
  char veth[16];
  agent_bridge_veth_name(pod_uid, veth);
  pthread_mutex_lock(&n->mu);
  int rc = tug_nl_link_del(n->nl, veth, err);
  if (rc == 0)
    rc = agent_ipam_release(n->ipam, pod_uid, err);
  pthread_mutex_unlock(&n->mu);
  if (rc < 0)
    return tug_error_wrap(err, "tear down network of pod %s", pod_uid);
  return 0;
}

int agent_bridge_pod_ip(agent_bridge *n, const char *pod_uid, char ip[16]) {
  pthread_mutex_lock(&n->mu);
  int rc = agent_ipam_lookup(n->ipam, pod_uid, ip);
  pthread_mutex_unlock(&n->mu);
  return rc;
}

/* ---- garbage collection ------------------------------------------------ */

static bool held_veth(const agent_ipam_record *records, size_t count, const char *name) {
  char veth[16];
  for (size_t i = 0; i < count; i++) {
    agent_bridge_veth_name(records[i].uid, veth);
    if (strcmp(veth, name) == 0)
      return true;
  }
  return false;
}

/* Delete "veth*" ports of the bridge that no record accounts for (all of
 * them with all). */
static int sweep_ports_locked(agent_bridge *n, const agent_ipam_record *records, size_t count,
                              bool all, tug_error *err) {
  int bridge = tug_nl_ifindex(n->nl, n->bridge, err);
  if (bridge <= 0)
    return bridge;
  tug_nl_link *links = NULL;
  size_t nlinks = 0;
  if (tug_nl_link_list(n->nl, &links, &nlinks, err) < 0)
    return -1;
  int rc = 0;
  for (size_t i = 0; i < nlinks && rc == 0; i++) {
    if (links[i].master != bridge || strncmp(links[i].name, "veth", 4) != 0 ||
        (!all && held_veth(records, count, links[i].name)))
      continue;
    tug_info("deleting pod veth", "veth=%s bridge=%s", links[i].name, n->bridge);
    rc = tug_nl_link_del(n->nl, links[i].name, err);
  }
  free(links);
  return rc;
}

static int release_locked(agent_bridge *n, const agent_ipam_record *r, tug_error *err) {
  char veth[16];
  agent_bridge_veth_name(r->uid, veth);
  if (r->uid[0] && tug_nl_link_del(n->nl, veth, err) < 0)
    return -1;
  tug_info("pod address released", "uid=%s ip=%s", r->uid, r->ip);
  return agent_ipam_release_record(n->ipam, r, err);
}

int agent_bridge_gc(agent_bridge *n, bool (*alive)(const char *uid, void *arg), void *arg,
                    tug_error *err) {
  agent_ipam_record *records = NULL;
  size_t count = 0;
  pthread_mutex_lock(&n->mu);
  int rc = agent_ipam_list(n->ipam, &records, &count, err);
  pthread_mutex_unlock(&n->mu);
  if (rc < 0)
    return tug_error_wrap(err, "collect pod addresses");
  int freed = 0;
  for (size_t i = 0; i < count && rc == 0; i++) {
    if (alive(records[i].uid, arg))
      continue;
    pthread_mutex_lock(&n->mu);
    rc = release_locked(n, &records[i], err);
    pthread_mutex_unlock(&n->mu);
    freed += rc == 0;
  }
  free(records);
  if (rc == 0) {
    pthread_mutex_lock(&n->mu);
    records = NULL;
    rc = agent_ipam_list(n->ipam, &records, &count, err);
    if (rc == 0)
      rc = sweep_ports_locked(n, records, count, false, err);
    pthread_mutex_unlock(&n->mu);
    free(records);
  }
  if (rc < 0)
    return tug_error_wrap(err, "collect pod addresses");
  return freed;
}

/* ---- routes to other nodes --------------------------------------------- */

/* cidr in the kernel's form, "198.18.5.0/24", for comparison with a listing. */
static int normalize(const char *cidr, char out[24]) {
  struct in_addr a;
  int prefix;
  if (tug_cidr4_parse(cidr, &a, &prefix) < 0)
    return -1;
  a.s_addr = prefix ? a.s_addr & htonl(UINT32_MAX << (32 - prefix)) : 0;
  char text[16];
  inet_ntop(AF_INET, &a, text, sizeof text);
  snprintf(out, 24, "%s/%d", text, prefix);
  return 0;
}

static bool route_present(const tug_nl_route *have, size_t nhave, const char *dst,
                          const char *via) {
  for (size_t i = 0; i < nhave; i++)
    if (strcmp(have[i].dst, dst) == 0 && (via == NULL || strcmp(have[i].gw, via) == 0))
      return true;
  return false;
}

static bool route_wanted(const agent_bridge_route *routes, size_t count, const char *dst) {
  char want[24];
  for (size_t i = 0; i < count; i++)
    if (normalize(routes[i].cidr, want) == 0 && strcmp(want, dst) == 0)
      return true;
  return false;
}

/* Keep the first failure in err, go on with the rest. */
static void note_failure(int *rc, tug_error *err, const tug_error *e) {
  if (*rc == 0 && err)
    *err = *e;
  *rc = -1;
}

static int sync_routes_locked(agent_bridge *n, const agent_bridge_route *routes, size_t count,
                              tug_error *err) {
  tug_nl_route *have = NULL;
  size_t nhave = 0;
  if (tug_nl_route_list(n->nl, TUG_RTPROT, &have, &nhave, err) < 0)
    return -1;
  int rc = 0;
  tug_error e = {0};
  for (size_t i = 0; i < count; i++) {
    char dst[24];
    if (normalize(routes[i].cidr, dst) < 0 || routes[i].via == NULL) {
      tug_error_set(&e, EINVAL, "route to \"%s\": bad CIDR or no gateway",
                    routes[i].cidr ? routes[i].cidr : "");
      note_failure(&rc, err, &e);
    } else if (!route_present(have, nhave, dst, routes[i].via)) {
      if (tug_nl_route_replace(n->nl, dst, routes[i].via, NULL, TUG_RTPROT, &e) < 0)
        note_failure(&rc, err, &e);
      else
        tug_info("route set", "cidr=%s via=%s", dst, routes[i].via);
    }
  }
  for (size_t i = 0; i < nhave; i++) {
    if (have[i].gw[0] == '\0' || route_wanted(routes, count, have[i].dst))
      continue;
    if (tug_nl_route_del(n->nl, have[i].dst, TUG_RTPROT, &e) < 0)
      note_failure(&rc, err, &e);
    else
      tug_info("route deleted", "cidr=%s via=%s", have[i].dst, have[i].gw);
  }
  free(have);
  return rc;
}

int agent_bridge_sync_routes(agent_bridge *n, const agent_bridge_route *routes, size_t count,
                             tug_error *err) {
  pthread_mutex_lock(&n->mu);
  int rc = sync_routes_locked(n, routes, count, err);
  pthread_mutex_unlock(&n->mu);
  if (rc < 0)
    return tug_error_wrap(err, "sync routes to other nodes");
  return 0;
}

/* ---- removal ----------------------------------------------------------- */

static int destroy_locked(agent_bridge *n, tug_error *err) {
  agent_ipam_record *records = NULL;
  size_t count = 0;
  if (sweep_ports_locked(n, NULL, 0, true, err) < 0 ||
      agent_ipam_list(n->ipam, &records, &count, err) < 0)
    return -1;
  int rc = 0;
  char veth[16];
  for (size_t i = 0; i < count && rc == 0; i++) {
    agent_bridge_veth_name(records[i].uid, veth);
    rc = tug_nl_link_del(n->nl, veth, err);
  }
  free(records);
  if (rc < 0 || tug_nl_link_del(n->nl, n->bridge, err) < 0)
    return -1;
  /* Routes to other nodes, and any route on the bridge that outlived it. */
  tug_nl_route *have = NULL;
  size_t nhave = 0;
  if (tug_nl_route_list(n->nl, TUG_RTPROT, &have, &nhave, err) < 0)
    return -1;
  for (size_t i = 0; i < nhave && rc == 0; i++)
    rc = tug_nl_route_del(n->nl, have[i].dst, TUG_RTPROT, err);
  free(have);
  if (rc < 0 || agent_ipam_clear(n->ipam, err) < 0)
    return -1;
  atomic_store(&n->configured, false);
  n->pod_cidr[0] = n->service_cidr[0] = n->gateway[0] = '\0';
  return 0;
}

int agent_bridge_destroy(agent_bridge *n, tug_error *err) {
  pthread_mutex_lock(&n->mu);
  int rc = destroy_locked(n, err);
  pthread_mutex_unlock(&n->mu);
  if (rc < 0)
    return tug_error_wrap(err, "remove the pod network");
  return 0;
}
