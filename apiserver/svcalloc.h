/*
 * svcalloc.h — cluster IPs and node ports for Services, as Kubernetes' API
 * server allocates them.
 *
 * The one idea: etcd is the only arbiter. Every allocated value is its own key,
 *   /registry/allocations/clusterips/198.19.0.10
 *   /registry/allocations/nodeports/30080
 * whose value names the Service holding it, and that key is created (compare:
 * absent) and deleted in the same etcd transaction that writes or removes the
 * Service. Two API servers picking the same value cannot both commit; the
 * loser picks again. Nothing is ever half-allocated, so a crash leaks nothing;
 * a start-up repair pass still reconciles keys and Services (data written by
 * older versions, hand edits), as Kubernetes' repair controller does.
 *
 * Which value to try comes from an in-memory bitmap per range, loaded at
 * start and kept current by an etcd watch on the allocation keys: a hint that
 * makes picking fast with thousands of Services, never a source of truth.
 * Picks start at a random offset and take the next free value, skipping the
 * network and broadcast addresses and the first address (Kubernetes keeps it
 * for the `kubernetes` Service; it may still be asked for explicitly).
 */
#ifndef TUG_APISERVER_SVCALLOC_H
#define TUG_APISERVER_SVCALLOC_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "etcd.h"
#include "registry.h"
#include "server.h"
#include "storage.h"

#define API_SVCALLOC_PREFIX "/registry/allocations/"

typedef struct api_svcalloc api_svcalloc;

/* One value a write takes: the cluster IP or a node port. */
typedef struct api_svc_item {
  bool ip;
  uint32_t value; /* host-order address, or port */
  bool given;     /* the client asked for it; else it was picked */
  int port_index; /* for node ports: the first spec.ports entry using it */
} api_svc_item;

enum { API_SVC_CLAIM_MAX = 24 };

/* What one create or update takes and gives back. */
typedef struct api_svc_claim {
  api_svc_item taken[API_SVC_CLAIM_MAX];
  size_t ntaken;
  api_svc_item released[API_SVC_CLAIM_MAX];
  size_t nreleased;
  json_t *spec; /* the Service's spec before the claim, to try again from */
} api_svc_claim;

/* "198.19.0.0/17" and "30000-32767"; NULL with err filled when malformed. */
api_svcalloc *api_svcalloc_new(const char *cidr, const char *node_ports, tug_error *err);
/* Repair what etcd holds, load the hint and follow the allocation keys. */
int api_svcalloc_start(api_svcalloc *a, tug_etcd *etcd, tug_error *err);
void api_svcalloc_free(api_svcalloc *a);

const char *api_svcalloc_cidr(const api_svcalloc *a);
void api_svcalloc_port_range(const api_svcalloc *a, int *min, int *max);

/*
 * For a Service being created (old NULL) or updated: pick the cluster IP and
 * node ports it lacks, check those it names are in range, and add to txn a
 * create-only put of each new key and a guarded delete of each key it no
 * longer holds. 0 for other kinds. -1 with out filled (422, or 500 when a
 * range is full). Always end a claim with api_svcalloc_done.
 */
int api_svcalloc_claim(api_svcalloc *a, const api_kind *k, json_t *svc, const json_t *old,
                       api_txn *txn, api_svc_claim *c, api_response *out);
/* The transaction was refused by a compare (EAGAIN): -1 with out filled (422)
 * when a value the client named is held by another Service; else 0, with svc
 * put back as it was before the claim, to claim again. */
int api_svcalloc_lost(api_svcalloc *a, api_svc_claim *c, json_t *svc, api_response *out);
/* Whether the claim's transaction committed: updates the hint, frees c. */
void api_svcalloc_done(api_svcalloc *a, api_svc_claim *c, bool committed);

/* dryRun: fill in what a claim would pick (Kubernetes shows would-be values
 * too) and check named values against etcd, holding and writing nothing. */
int api_svcalloc_preview(api_svcalloc *a, const api_kind *k, json_t *svc, const json_t *old,
                         api_response *out);

/* Removing svc for good: add the guarded deletes of the keys it holds. */
int api_svcalloc_release(api_svcalloc *a, const api_kind *k, const json_t *svc, api_txn *txn,
                         tug_error *err);

/*
 * Before an update is validated: a Service keeps the cluster IP and node
 * ports the new body leaves out (kubectl replace of the original manifest),
 * and leaving type NodePort drops node ports the body merely carried over
 * (Kubernetes' patchAllocatedValues and dropTypeDependentFields).
 */
void api_svcalloc_prepare_update(const api_kind *k, json_t *svc, const json_t *old);

/* Start-up repair on its own (api_svcalloc_start runs it): keys whose Service
 * is gone or holds another value are deleted, values a Service holds without
 * a key get one. Counts what it changed. */
int api_svcalloc_repair(api_svcalloc *a, tug_etcd *etcd, int *released, int *restored,
                        tug_error *err);

#endif
