/*
 * kubernetes-service.h — the `kubernetes` Service in `default`, how pods find
 * the API server, kept by the API server itself as Kubernetes' master
 * endpoint reconciler keeps it.
 *
 * The Service has the first address of the service range (198.19.0.1 by
 * default, which the allocator keeps for it), port 443 named https, and no
 * selector; its Endpoints hold the API server's advertised address and port.
 * Both are made at start and put back every few seconds when missing or
 * changed, so a pod's KUBERNETES_SERVICE_HOST/PORT always lead to a server.
 */
#ifndef TUG_APISERVER_KUBERNETES_SERVICE_H
#define TUG_APISERVER_KUBERNETES_SERVICE_H

#include "server.h"

typedef struct api_kubernetes_service api_kubernetes_service;

/* Reconcile once now, then every few seconds on a thread of its own;
 * advertise is the address pods are sent to, port the API server's. */
api_kubernetes_service *api_kubernetes_service_start(api_server *s, const char *advertise,
                                                     int port);
void api_kubernetes_service_stop(api_kubernetes_service *k);

/* One pass (the thread's body; tests call it). -1 with err when a write failed. */
int api_kubernetes_service_reconcile(api_server *s, const char *advertise, int port,
                                     tug_error *err);

#endif
