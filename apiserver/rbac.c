/*
 * rbac.c — the RBAC index kept current from the watch caches, and the
 * aggregation of ClusterRoles (see rbac.h).
 */
#include "rbac.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "object.h"
#include "rbac-index.h"
#include "server.h"
#include "storage.h"
#include "watchcache.h"

enum { RBAC_KINDS = 4, AGGREGATE_EVERY_MS = 1000 };

/* The order of rbac_objects' members. */
static const char *const plurals[RBAC_KINDS] = {"roles", "clusterroles", "rolebindings",
                                                "clusterrolebindings"};

typedef struct snapshot {
  atomic_int refs;
  rbac_index *ix;
  unsigned long stamps[RBAC_KINDS];
} snapshot;

struct api_rbac {
  api_server *s;
  const api_kind *kinds[RBAC_KINDS];
  api_watchcache *caches[RBAC_KINDS];
  pthread_mutex_t mu; /* guards cur; held while a new index is built */
  snapshot *cur;
  pthread_t thread;
  bool running;
  atomic_bool stopping;
};

static void snapshot_unref(snapshot *sn) {
  if (sn && atomic_fetch_sub(&sn->refs, 1) == 1) {
    rbac_index_free(sn->ix);
    free(sn);
  }
}

api_rbac *api_rbac_new(api_server *s) {
  api_rbac *rb = calloc(1, sizeof *rb);
  if (rb == NULL)
    return NULL;
  rb->s = s;
  pthread_mutex_init(&rb->mu, NULL);
  for (int i = 0; i < RBAC_KINDS; i++) {
    rb->kinds[i] = api_kind_by_resource("rbac.authorization.k8s.io", "v1", plurals[i]);
    if (rb->kinds[i] && s->caches)
      rb->caches[i] = api_kind_cache(s, rb->kinds[i]);
  }
  return rb;
}

static void stamps_now(api_rbac *rb, unsigned long *st) {
  for (int i = 0; i < RBAC_KINDS; i++)
    st[i] = rb->caches[i] ? api_watchcache_changes(rb->caches[i]) : 0;
}

typedef struct listed {
  api_cached **items;
  size_t n;
  const json_t **objs;
} listed;

static void list_kind(api_rbac *rb, int i, listed *l) {
  api_filter all = {0};
  int64_t rev;
  memset(l, 0, sizeof *l);
  if (rb->caches[i] == NULL || api_watchcache_list(rb->caches[i], &all, &l->items, &l->n, &rev) < 0)
    return;
  l->objs = calloc(l->n ? l->n : 1, sizeof *l->objs);
  for (size_t j = 0; l->objs && j < l->n; j++)
    l->objs[j] = l->items[j]->obj;
}

static snapshot *build(api_rbac *rb, const unsigned long *stamps) {
  listed l[RBAC_KINDS];
  for (int i = 0; i < RBAC_KINDS; i++)
    list_kind(rb, i, &l[i]);
  rbac_objects o = {.roles = l[0].objs,
                    .nroles = l[0].objs ? l[0].n : 0,
                    .cluster_roles = l[1].objs,
                    .ncluster_roles = l[1].objs ? l[1].n : 0,
                    .bindings = l[2].objs,
                    .nbindings = l[2].objs ? l[2].n : 0,
                    .cluster_bindings = l[3].objs,
                    .ncluster_bindings = l[3].objs ? l[3].n : 0};
  snapshot *sn = calloc(1, sizeof *sn);
  if (sn) {
    atomic_init(&sn->refs, 1);
    sn->ix = rbac_index_build(&o);
    memcpy(sn->stamps, stamps, sizeof sn->stamps);
  }
  for (int i = 0; i < RBAC_KINDS; i++) {
    api_cached_list_free(l[i].items, l[i].n);
    free(l[i].objs);
  }
  return sn;
}

/* The newest index, referenced: built again first when a cache moved. */
static snapshot *acquire(api_rbac *rb) {
  unsigned long st[RBAC_KINDS];
  stamps_now(rb, st);
  pthread_mutex_lock(&rb->mu);
  if (rb->cur == NULL || memcmp(st, rb->cur->stamps, sizeof st) != 0) {
    snapshot *sn = build(rb, st);
    if (sn) {
      snapshot_unref(rb->cur);
      rb->cur = sn;
    }
  }
  snapshot *sn = rb->cur;
  if (sn)
    atomic_fetch_add(&sn->refs, 1);
  pthread_mutex_unlock(&rb->mu);
  return sn;
}

bool api_rbac_allows(api_rbac *rb, const api_authz_attrs *a) {
  snapshot *sn = acquire(rb);
  bool ok = sn && rbac_index_allows(sn->ix, a);
  snapshot_unref(sn);
  return ok;
}

int api_rbac_user_rules(api_rbac *rb, const api_user *u, const char *ns, rbac_rules *out) {
  snapshot *sn = acquire(rb);
  int rc = sn ? rbac_index_user_rules(sn->ix, u, ns, out) : -1;
  snapshot_unref(sn);
  return rc;
}

int api_rbac_role_rules(api_rbac *rb, bool cluster, const char *ns, const char *name,
                        rbac_rules *out) {
  snapshot *sn = acquire(rb);
  const rbac_rules *rs = NULL;
  if (sn && cluster)
    rs = rbac_index_cluster_role(sn->ix, name);
  else if (sn && ns)
    rs = rbac_index_role(sn->ix, ns, name);
  int rc = rs ? rbac_rules_append(out, rs) : -1;
  snapshot_unref(sn);
  return rc;
}

/* ---- aggregation ---- */

static void write_aggregate(const char *name, const json_t *rules, void *arg) {
  api_rbac *rb = arg;
  const api_kind *k = rb->kinds[1];
  json_t *obj = NULL;
  int64_t rev;
  tug_error err = {0};
  if (api_storage_get(rb->s, k, NULL, name, &obj, &rev, &err) == 0) {
    json_object_set(obj, "rules", (json_t *)rules);
    if (api_storage_update(rb->s, k, obj, rev, NULL, &err) == 0)
      tug_info("aggregated cluster role", "name=%s rules=%zu", name, json_array_size(rules));
  }
  if (err.code && err.code != TUG_E_CONFLICT && err.code != ENOENT)
    tug_warn("cannot aggregate cluster role", "name=%s err=%s", name, TUG_LOG_Q(err.msg));
  json_decref(obj);
}

static void *aggregate_loop(void *arg) {
  api_rbac *rb = arg;
  while (!atomic_load(&rb->stopping)) {
    snapshot *sn = acquire(rb);
    if (sn)
      rbac_index_stale_aggregates(sn->ix, write_aggregate, rb);
    snapshot_unref(sn);
    for (int i = 0; i < AGGREGATE_EVERY_MS / 100 && !atomic_load(&rb->stopping); i++)
      usleep(100 * 1000);
  }
  return NULL;
}

int api_rbac_start(api_rbac *rb, tug_error *err) {
  if (pthread_create(&rb->thread, NULL, aggregate_loop, rb) != 0)
    return tug_error_errno(err, errno, "start the cluster role aggregation thread");
  rb->running = true;
  return 0;
}

void api_rbac_free(api_rbac *rb) {
  if (rb == NULL)
    return;
  atomic_store(&rb->stopping, true);
  if (rb->running)
    pthread_join(rb->thread, NULL);
  snapshot_unref(rb->cur);
  pthread_mutex_destroy(&rb->mu);
  free(rb);
}
