/*
 * up-network.c — a local cluster's host bridge and per-node network
 * namespaces, through netlink (see up-network.h).
 */
#include "up-network.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "netlink.h"

enum { MAX_CLUSTERS = 50 };

/* The first free cluster number: its bridge does not exist yet. */
static int pick_cluster(tug_nl *nl, tug_error *err) {
  for (int k = 0; k < MAX_CLUSTERS; k++) {
    char bridge[16];
    snprintf(bridge, sizeof bridge, "tugh%d", k);
    int idx = tug_nl_ifindex(nl, bridge, err);
    if (idx < 0)
      return -1;
    if (idx == 0)
      return k;
  }
  return tug_error_set(err, EBUSY, "%d local clusters already run here", MAX_CLUSTERS);
}

/* A host: namespace h->netns with eth0 (its peer `port` on the bridge) holding
 * h->address/24, lo up. */
static int make_host(tug_nl *nl, const char *bridge, const char *port, const up_host *h,
                     tug_error *err) {
  char cidr[32];
  snprintf(cidr, sizeof cidr, "%s/24", h->address);
  if (tug_netns_add(h->netns, err) < 0)
    return -1;
  _cleanup_close_ int fd = tug_netns_open(h->netns, err);
  if (fd < 0)
    return -1;
  tug_nl *inner = NULL;
  int rc = -1;
  if (tug_nl_veth_add(nl, port, "eth0", fd, err) == 0 &&
      tug_nl_link_set(nl, port, bridge, true, err) == 0 && tug_nl_open(fd, &inner, err) == 0 &&
      tug_nl_link_set(inner, "lo", NULL, true, err) == 0 &&
      tug_nl_addr_add(inner, "eth0", cidr, err) == 0 &&
      tug_nl_link_set(inner, "eth0", NULL, true, err) == 0)
    rc = 0;
  tug_nl_close(inner);
  return rc;
}

/* Listed in f before it is made, so that down removes a half-made host. Host
 * number i > 0 is tugK-ROLE (role NULL: node-i) at .(10+i); 0 is the API
 * server's own, tugK-apiserver at .2. */
static int add_host(tug_nl *nl, FILE *f, int k, long i, const char *role, up_host *h,
                    tug_error *err) {
  unsigned char kk = (unsigned char)k, ii = (unsigned char)i; /* k < 50, i <= 64 + HA hosts */
  char bridge[16], port[16];
  snprintf(bridge, sizeof bridge, "tugh%hhu", kk);
  if (i == 0) {
    snprintf(h->netns, sizeof h->netns, "tug%hhu-apiserver", kk);
    snprintf(port, sizeof port, "tugh%hhu-api", kk);
    snprintf(h->address, sizeof h->address, "198.19.%hhu.2", (unsigned char)(200 + kk));
  } else {
    if (role)
      snprintf(h->netns, sizeof h->netns, "tug%hhu-%s", kk, role);
    else
      snprintf(h->netns, sizeof h->netns, "tug%hhu-node-%hhu", kk, ii);
    snprintf(port, sizeof port, "tugh%hhu-%hhu", kk, ii);
    snprintf(h->address, sizeof h->address, "198.19.%hhu.%hhu", (unsigned char)(200 + kk),
             (unsigned char)(10 + ii));
  }
  fprintf(f, "netns %s\nveth %s\n", h->netns, port);
  fflush(f);
  return make_host(nl, bridge, port, h, err);
}

/* The bridge, then the API server's host when apiserver is not NULL, then n hosts. */
static int create(const char *dir, long n, const char *const *roles, up_host *apiserver,
                  up_host *hosts, tug_error *err) {
  char path[600], bridge[16], cidr[32];
  tug_nl *nl = NULL;
  if (tug_nl_open(-1, &nl, err) < 0)
    return -1;
  int k = pick_cluster(nl, err);
  if (k < 0) {
    tug_nl_close(nl);
    return -1;
  }
  snprintf(bridge, sizeof bridge, "tugh%d", k);
  snprintf(cidr, sizeof cidr, "198.19.%d.1/24", 200 + k);
  snprintf(path, sizeof path, "%s/network", dir);
  FILE *f = fopen(path, "w");
  if (f == NULL) {
    tug_nl_close(nl);
    return tug_error_errno(err, errno, "write %s", path);
  }
  /* Listed before it is made, so that down removes a half-made network. */
  fprintf(f, "bridge %s\n", bridge);
  fflush(f);
  int rc = tug_nl_bridge_add(nl, bridge, err) < 0 || tug_nl_addr_add(nl, bridge, cidr, err) < 0 ||
                   tug_nl_link_set(nl, bridge, NULL, true, err) < 0
               ? -1
           : apiserver ? add_host(nl, f, k, 0, NULL, apiserver, err)
                       : 0;
  for (long i = 1; rc == 0 && i <= n; i++)
    rc = add_host(nl, f, k, i, roles ? roles[i - 1] : NULL, &hosts[i - 1], err);
  fclose(f);
  tug_nl_close(nl);
  if (rc < 0) {
    tug_error_wrap(err, "make the hosts' network");
    up_network_destroy(dir);
  }
  return rc;
}

int up_network_create(const char *dir, long nodes, up_host *apiserver, up_host *hosts,
                      tug_error *err) {
  return create(dir, nodes, NULL, apiserver, hosts, err);
}

int up_network_create_hosts(const char *dir, long n, const char *const *roles, up_host *hosts,
                            tug_error *err) {
  return create(dir, n, roles, NULL, hosts, err);
}

void up_network_destroy(const char *dir) {
  char path[600], line[128];
  snprintf(path, sizeof path, "%s/network", dir);
  _cleanup_fclose_ FILE *f = fopen(path, "r");
  if (f == NULL)
    return;
  tug_nl *nl = NULL;
  tug_error err = {0};
  if (tug_nl_open(-1, &nl, &err) < 0)
    fprintf(stderr, "warning: %s\n", err.msg);
  while (fgets(line, sizeof line, f)) {
    char kind[16], name[64];
    if (sscanf(line, "%15s %63s", kind, name) != 2)
      continue;
    /* The host end of a node's veth goes at once with its peer; a namespace
     * itself is freed by the kernel a little later. */
    if (strcmp(kind, "veth") == 0 && nl && tug_nl_link_del(nl, name, &err) < 0)
      fprintf(stderr, "warning: remove veth %s: %s\n", name, err.msg);
    else if (strcmp(kind, "netns") == 0 && tug_netns_del(name, &err) < 0)
      fprintf(stderr, "warning: remove netns %s: %s\n", name, err.msg);
    else if (strcmp(kind, "bridge") == 0 && nl && tug_nl_link_del(nl, name, &err) < 0)
      fprintf(stderr, "warning: remove bridge %s: %s\n", name, err.msg);
  }
  tug_nl_close(nl);
  unlink(path);
}
