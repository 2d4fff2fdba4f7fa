/*
 * kubernetes-service.c — the `kubernetes` Service and its Endpoints (see
 * kubernetes-service.h).
 *
 * Written straight to storage, as the API server's own objects: the Service
 * through the cluster IP allocator (its address asked for explicitly, in the
 * Service's own transaction), both with a resourceVersion precondition on
 * update, so a user's concurrent edit is never lost, only corrected again.
 *
 * The Endpoints list every API server whose identity Lease is fresh
 * (apiserver-peers.h), as Kubernetes' lease endpoint reconciler does: each
 * pass renews this server's Lease, lists the others' and rewrites the
 * Endpoints only when the list changed. On stop the Lease is deleted and the
 * Endpoints written without this server.
 */
#include "kubernetes-service.h"

#include "apiserver-peers.h"

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
#include "clock.h"

#define NAME "kubernetes"
#define NAMESPACE "default"
enum { SERVICE_PORT = 443 };

struct api_kubernetes_service {
  api_server *server;
  char advertise[64];
  int port;
  int lease_s, renew_ms;
  char lease_name[64];
  json_t *seen; /* apiserver-peers.h; only the thread touches it */
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

static json_t *new_object_in(const char *api_version, const char *kind, const char *ns,
                             const char *name, json_t *labels /* stolen */) {
  char uid[40], now[32];
  return json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:s, s:o}}", "apiVersion", api_version, "kind",
                   kind, "metadata", "name", name, "namespace", ns, "uid",
                   api_new_uid(uid, sizeof uid), "creationTimestamp", api_now(now, sizeof now),
                   "labels", labels);
}

static json_t *new_object(const char *kind) {
  return new_object_in("v1", kind, NAMESPACE, NAME,
                       json_pack("{s:s, s:s}", "component", "apiserver", "provider", "kubernetes"));
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

/* The Endpoints hold want (stolen), written only when they differ. */
static int ensure_endpoints(api_server *s, json_t *want, tug_error *err) {
  const api_kind *k = api_kind_by_resource("", "v1", "endpoints");
  _cleanup_json_ json_t *ep = NULL;
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

/* This server's identity Lease, created or renewed (a PUT at the read revision). */
static int renew_lease(api_kubernetes_service *k, tug_error *err) {
  const api_kind *kind = api_kind_by_resource("coordination.k8s.io", "v1", "leases");
  char now[40], endpoint[96];
  snprintf(endpoint, sizeof endpoint, "%s:%d", k->advertise, k->port);
  _cleanup_json_ json_t *lease = NULL;
  int64_t rev = 0;
  bool found =
      api_storage_get(k->server, kind, API_PEER_NAMESPACE, k->lease_name, &lease, &rev, err) == 0;
  if (!found && err->code != ENOENT)
    return -1;
  tug_error_clear(err);
  if (!found)
    lease = new_object_in("coordination.k8s.io/v1", "Lease", API_PEER_NAMESPACE, k->lease_name,
                          json_pack("{s:s}", API_PEER_LABEL, API_PEER_LABEL_VALUE));
  tug_obj_set(lease, "metadata.annotations", json_pack("{s:s}", API_PEER_ENDPOINT, endpoint), NULL);
  tug_obj_set(lease, "spec",
              json_pack("{s:s, s:i, s:s}", "holderIdentity", k->lease_name, "leaseDurationSeconds",
                        k->lease_s, "renewTime", api_now_micro(now, sizeof now)),
              NULL);
  return found ? api_storage_update(k->server, kind, lease, rev, NULL, err)
               : api_storage_create(k->server, kind, lease, NULL, err);
}

/* Every identity Lease in the system namespace, read from etcd. */
static json_t *list_leases(api_server *s, tug_error *err) {
  const api_kind *kind = api_kind_by_resource("coordination.k8s.io", "v1", "leases");
  char prefix[256];
  tug_etcd_range r = {0};
  if (tug_etcd_list(s->etcd, api_prefix(kind, API_PEER_NAMESPACE, prefix, sizeof prefix), NULL, 0,
                    0, &r, err) < 0)
    return NULL;
  json_t *leases = json_array();
  for (size_t i = 0; i < r.n; i++) {
    char key[512];
    snprintf(key, sizeof key, "%.*s", (int)r.kvs[i].key_len, r.kvs[i].key);
    tug_error ignored = {0};
    json_t *lease = api_storage_decode(s, kind, key, r.kvs[i].value, r.kvs[i].value_len, &ignored);
    if (lease)
      api_set_resource_version(lease, r.kvs[i].mod_revision), json_array_append_new(leases, lease);
  }
  tug_etcd_range_free(&r);
  return leases;
}

static int reconcile_endpoints(api_kubernetes_service *k, tug_error *err) {
  json_t *leases = list_leases(k->server, err);
  if (leases == NULL)
    return -1;
  json_t *subsets = api_peer_subsets(leases, k->seen, (int64_t)(tug_monotonic_seconds() * 1000));
  json_decref(leases);
  return ensure_endpoints(k->server, subsets, err);
}

static int reconcile(api_kubernetes_service *k, tug_error *err) {
  if (ensure_service(k->server, k->port, err) < 0)
    return tug_error_wrap(err, "service %s/%s", NAMESPACE, NAME);
  if (renew_lease(k, err) < 0)
    return tug_error_wrap(err, "lease %s/%s", API_PEER_NAMESPACE, k->lease_name);
  if (reconcile_endpoints(k, err) < 0)
    return tug_error_wrap(err, "endpoints %s/%s", NAMESPACE, NAME);
  return 0;
}

static void pass(api_kubernetes_service *k) {
  tug_error err = {0};
  if (reconcile(k, &err) < 0)
    tug_warn("kubernetes service not reconciled", "err=%s", TUG_LOG_Q(err.msg));
}

static void *run(void *arg) {
  api_kubernetes_service *k = arg;
  while (tug_stopper_sleep_ms(&k->stopper, k->renew_ms))
    pass(k);
  return NULL;
}

api_kubernetes_service *api_kubernetes_service_start(api_server *s, const char *advertise, int port,
                                                     int lease_s, int renew_s) {
  api_kubernetes_service *k = calloc(1, sizeof *k);
  if (k == NULL || (k->seen = json_object()) == NULL) {
    free(k);
    return NULL;
  }
  k->server = s;
  snprintf(k->advertise, sizeof k->advertise, "%s", advertise);
  k->port = port;
  k->lease_s = lease_s;
  k->renew_ms = renew_s * 1000;
  api_peer_lease_name(advertise, port, k->lease_name, sizeof k->lease_name);
  pass(k);
  tug_stopper_init(&k->stopper);
  if (pthread_create(&k->thread, NULL, run, k) != 0) {
    tug_stopper_destroy(&k->stopper);
    json_decref(k->seen);
    free(k);
    return NULL;
  }
  return k;
}

/* Gone from the Endpoints at once rather than when the Lease expires. */
static void withdraw(api_kubernetes_service *k) {
  const api_kind *kind = api_kind_by_resource("coordination.k8s.io", "v1", "leases");
  tug_error err = {0};
  _cleanup_json_ json_t *lease = NULL;
  int64_t rev = 0;
  if (api_storage_get(k->server, kind, API_PEER_NAMESPACE, k->lease_name, &lease, &rev, &err) < 0 ||
      api_storage_delete(k->server, kind, API_PEER_NAMESPACE, k->lease_name, rev, NULL, NULL,
                         &err) < 0 ||
      reconcile_endpoints(k, &err) < 0)
    tug_warn("kubernetes endpoints not withdrawn", "err=%s", TUG_LOG_Q(err.msg));
}

void api_kubernetes_service_stop(api_kubernetes_service *k) {
  if (k == NULL)
    return;
  tug_stopper_stop(&k->stopper);
  pthread_join(k->thread, NULL);
  withdraw(k);
  tug_stopper_destroy(&k->stopper);
  json_decref(k->seen);
  free(k);
}
