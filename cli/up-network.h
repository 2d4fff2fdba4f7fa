/*
 * up-network.h — the "hosts" of a local cluster: one network namespace per
 * node on a host bridge, so that several machines live on one box.
 *
 * Cluster k (the first k whose bridge tughK does not exist yet) gets bridge
 * tughK with 198.19.(200+k).1/24 in this namespace, and node i a namespace
 * tugK-node-i whose eth0 has 198.19.(200+k).(10+i)/24. The API server gets a
 * host of its own, tugK-apiserver with 198.19.(200+k).2/24: it listens there
 * (--listen-netns) besides loopback, so pods reach it through the `kubernetes`
 * Service while nothing listens off loopback in this namespace. `tug up --ha`
 * instead makes hosts for its etcd members and API servers (tugK-etcd-1,
 * tugK-api-1), which listen there alone. Everything made is written to
 * DIR/network so that `tug down` removes exactly that.
 */
#ifndef TUG_CLI_UP_NETWORK_H
#define TUG_CLI_UP_NETWORK_H

#include <stddef.h>

#include "error.h"

typedef struct up_host {
  char netns[32];   /* tugK-node-i */
  char address[16]; /* 198.19.(200+k).(10+i) */
} up_host;

/* Make the bridge, the API server's host and one host per node
 * (hosts[0..nodes-1]); on failure what was made is removed again. */
int up_network_create(const char *dir, long nodes, up_host *apiserver, up_host *hosts,
                      tug_error *err);
/* The bridge and n hosts named by role (roles[i]: "etcd-1", "node-2"; host i
 * is namespace tugK-ROLE at 198.19.(200+k).(10+i+1)), with no API server host. */
int up_network_create_hosts(const char *dir, long n, const char *const *roles, up_host *hosts,
                            tug_error *err);
/* Remove what DIR/network lists; missing pieces are fine. */
void up_network_destroy(const char *dir);

#endif
