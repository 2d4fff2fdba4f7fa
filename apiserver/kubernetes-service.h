/*
 * kubernetes-service.h — the `kubernetes` Service in `default`, how pods find
 * the API server, kept by the API server itself as Kubernetes' master
 * endpoint reconciler keeps it.
 *
 * The Service has the first address of the service range (198.19.0.1 by
 * default, which the allocator keeps for it), port 443 named https, and no
 * selector; its Endpoints hold the advertised address and port of every API
 * server whose identity Lease is fresh (apiserver-peers.h).
 * Both are made at start and put back every few seconds when missing or
 * changed, so a pod's KUBERNETES_SERVICE_HOST/PORT always lead to a server.
 */
#ifndef TUG_APISERVER_KUBERNETES_SERVICE_H
#define TUG_APISERVER_KUBERNETES_SERVICE_H

#include "server.h"

typedef struct api_kubernetes_service api_kubernetes_service;

/* Reconcile once now, then every renew_s on a thread of its own; advertise
 * is the address pods are sent to, port the API server's, lease_s the
 * duration of this server's identity Lease (apiserver-peers.h). */
api_kubernetes_service *api_kubernetes_service_start(api_server *s, const char *advertise, int port,
                                                     int lease_s, int renew_s);
/* Stops the thread, deletes this server's Lease and drops it from the Endpoints. */
void api_kubernetes_service_stop(api_kubernetes_service *k);

#endif
