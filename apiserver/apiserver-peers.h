/*
 * apiserver-peers.h — which API servers are alive, from their identity
 * Leases, and the `kubernetes` Endpoints that list them: the pure part of the
 * lease endpoint reconciler (kubernetes-service.c does the I/O).
 *
 * Each API server keeps a coordination.k8s.io Lease `apiserver-<hash>` in
 * tug-system, labelled apiserver.kubernetes.io/identity=kube-apiserver, with
 * its advertised address and port in an annotation, renewed every few
 * seconds. A Lease counts as fresh while this server has seen it change
 * within its leaseDurationSeconds, measured on this server's monotonic clock
 * (never from renewTime: the hosts' clocks may disagree).
 */
#ifndef TUG_APISERVER_PEERS_H
#define TUG_APISERVER_PEERS_H

#include <jansson.h>
#include <stdint.h>

#define API_PEER_NAMESPACE "tug-system"
#define API_PEER_LABEL "apiserver.kubernetes.io/identity"
#define API_PEER_LABEL_VALUE "kube-apiserver"
#define API_PEER_ENDPOINT "apiserver.tug.io/endpoint" /* annotation: "IP:PORT" */

/* "apiserver-" and 16 hex digits of a hash of "ip:port": a restarted server
 * finds its Lease again. */
void api_peer_lease_name(const char *ip, int port, char *buf, size_t size);

/* Notes in seen (an object: Lease name → {"rv", "at"}) when each of leases (an
 * array of Lease objects) last changed, forgets the Leases no longer listed,
 * and returns the Endpoints subsets of the fresh ones at now_ms: one subset
 * per port, addresses sorted and unique, subsets sorted by port. Leases
 * without the label or a valid endpoint annotation are ignored. */
json_t *api_peer_subsets(const json_t *leases, json_t *seen, int64_t now_ms);

#endif
