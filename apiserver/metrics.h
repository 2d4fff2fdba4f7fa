/*
 * metrics.h — Prometheus text metrics of the API server: requests by verb,
 * resource and code, request latency and etcd call latency histograms,
 * requests in flight, watchers.
 */
#ifndef TUG_APISERVER_METRICS_H
#define TUG_APISERVER_METRICS_H

#include "server.h"

api_metrics *api_metrics_new(void);
void api_metrics_free(api_metrics *m);
/* Count one answered request (its verb and resource are on r). */
void api_metrics_request(api_metrics *m, const api_request *r, const api_response *out);
/* One etcd call of kind op ("get", "create", "update", "delete", "list") that took seconds. */
void api_metrics_etcd(api_metrics *m, const char *op, double seconds);
char *api_metrics_render(api_metrics *m, api_server *s);

#endif
