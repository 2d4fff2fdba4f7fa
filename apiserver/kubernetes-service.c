/*
 * kubernetes-service.c — the `kubernetes` Service and its Endpoints (see
 * kubernetes-service.h).
 *
 * Written straight to storage, as the API server's own objects: the Service
 * through the cluster IP allocator (its address asked for explicitly, in the
 * Service's own transaction), both with a resourceVersion precondition on
 * update, so a user's concurrent edit is never lost, only corrected again.
 */
#include "kubernetes-service.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "log.h"
#include "object.h"
#include "stopper.h"
#include "storage.h"
#include "svcalloc.h"

#define NAME "kubernetes"
#define NAMESPACE "default"
enum { RECONCILE_MS = 10000, SERVICE_PORT = 443 };

struct api_kubernetes_service {
  api_server *server;
  char advertise[64];
  int port;
  pthread_t thread;
  tug_stopper stopper;
};

/* The first address of the service range: network + 1. */
static int first_address(api_server *s, char *buf, size_t size, tug_error *err) {
  char net[64];
  snprintf(net, sizeof net, "%s", api_svcalloc_cidr(s->svcalloc));
  char *slash = strchr(net, '/');
  if (slash)
    *slash = '\0';
  struct in_addr a;
  if (inet_pton(AF_INET, net, &a) != 1)
    return tug_error_set(err, EINVAL, "service range %s is not IPv4", net);
  a.s_addr = htonl(ntohl(a.s_addr) + 1);
  inet_ntop(AF_INET, &a, buf, (socklen_t)size);
  return 0;
}

static json_t *new_object(const char *kind) {
  char uid[40], now[32];
  return json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:s, s:{s:s, s:s}}}", "apiVersion", "v1", "kind",
                   kind, "metadata", "name", NAME, "namespace", NAMESPACE, "uid",
                   api_new_uid(uid, sizeof uid), "creationTimestamp", api_now(now, sizeof now),
                   "labels", "component", "apiserver", "provider", "kubernetes");
}

static json_t *service_ports(int port) {
  return json_pack("[{s:s, s:s, s:i, s:i}]", "name", "https", "protocol", "TCP", "port",
                   SERVICE_PORT, "targetPort", port);
}

static int create_service(api_server *s, const api_kind *k, int port, tug_error *err) {
  char ip[INET_ADDRSTRLEN];
  if (first_address(s, ip, sizeof ip, err) < 0)
    return -1;
  _cleanup_json_ json_t *svc = new_object("Service");
  json_object_set_new(svc, "spec",
                      json_pack("{s:s, s:s, s:[s], s:o, s:s}", "type", "ClusterIP", "clusterIP", ip,
                                "clusterIPs", ip, "ports", service_ports(port), "sessionAffinity",
                                "None"));
  k->defaults(svc);
  api_txn txn = {0};
  api_svc_claim claim = {0};
  api_response out = {0};
  int rc = api_svcalloc_claim(s->svcalloc, k, svc, NULL, &txn, &claim, &out);
  if (rc < 0)
    tug_error_set(err, EINVAL, "claim %s: %s", ip,
                  json_string_value(json_object_get(out.body, "message")) ?: "refused");
  else
    rc = api_storage_create(s, k, svc, &txn, err);
  api_svcalloc_done(s->svcalloc, &claim, rc == 0);
  api_txn_clear(&txn);
  json_decref(out.body);
  return rc;
}

/* The Service exists with our ports (its address is the allocator's business). */
static int ensure_service(api_server *s, int port, tug_error *err) {
  const api_kind *k = api_kind_by_resource("", "v1", "services");
  _cleanup_json_ json_t *svc = NULL, *want = service_ports(port);
  int64_t rev = 0;
  if (api_storage_get(s, k, NAMESPACE, NAME, &svc, &rev, err) < 0)
    return err->code == ENOENT ? (tug_error_clear(err), create_service(s, k, port, err)) : -1;
  if (json_equal(tug_obj_get(svc, "spec.ports"), want))
    return 0;
  tug_obj_set(svc, "spec.ports", json_incref(want), NULL);
  return api_storage_update(s, k, svc, rev, NULL, err);
}

static int ensure_endpoints(api_server *s, const char *advertise, int port, tug_error *err) {
  const api_kind *k = api_kind_by_resource("", "v1", "endpoints");
  _cleanup_json_ json_t *ep = NULL;
  json_t *want = json_pack("[{s:[{s:s}], s:[{s:s, s:i, s:s}]}]", "addresses", "ip", advertise,
                           "ports", "name", "https", "port", port, "protocol", "TCP");
  int64_t rev = 0;
  int rc = 0;
  if (api_storage_get(s, k, NAMESPACE, NAME, &ep, &rev, err) < 0) {
    if (err->code != ENOENT) {
      json_decref(want);
      return -1;
    }
    tug_error_clear(err);
    ep = new_object("Endpoints");
    json_object_set_new(ep, "subsets", want);
    return api_storage_create(s, k, ep, NULL, err);
  }
  if (!json_equal(json_object_get(ep, "subsets"), want))
    rc = (json_object_set(ep, "subsets", want), api_storage_update(s, k, ep, rev, NULL, err));
  json_decref(want);
  return rc;
}

int api_kubernetes_service_reconcile(api_server *s, const char *advertise, int port,
                                     tug_error *err) {
  if (ensure_service(s, port, err) < 0)
    return tug_error_wrap(err, "service %s/%s", NAMESPACE, NAME);
  if (ensure_endpoints(s, advertise, port, err) < 0)
    return tug_error_wrap(err, "endpoints %s/%s", NAMESPACE, NAME);
  return 0;
}

static void pass(api_kubernetes_service *k) {
  tug_error err = {0};
  if (api_kubernetes_service_reconcile(k->server, k->advertise, k->port, &err) < 0)
    tug_warn("kubernetes service not reconciled", "err=%s", TUG_LOG_Q(err.msg));
}

static void *run(void *arg) {
  api_kubernetes_service *k = arg;
  while (tug_stopper_sleep_ms(&k->stopper, RECONCILE_MS))
    pass(k);
  return NULL;
}

api_kubernetes_service *api_kubernetes_service_start(api_server *s, const char *advertise,
                                                     int port) {
  api_kubernetes_service *k = calloc(1, sizeof *k);
  if (k == NULL)
    return NULL;
  k->server = s;
  snprintf(k->advertise, sizeof k->advertise, "%s", advertise);
  k->port = port;
  pass(k);
  tug_stopper_init(&k->stopper);
  if (pthread_create(&k->thread, NULL, run, k) != 0) {
    tug_stopper_destroy(&k->stopper);
    free(k);
    return NULL;
  }
  return k;
}

void api_kubernetes_service_stop(api_kubernetes_service *k) {
  if (k == NULL)
    return;
  tug_stopper_stop(&k->stopper);
  pthread_join(k->thread, NULL);
  tug_stopper_destroy(&k->stopper);
  free(k);
}
