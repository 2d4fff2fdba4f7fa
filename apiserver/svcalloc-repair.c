/*
 * svcalloc-repair.c — the start-up repair pass and the watch that keeps the
 * allocation hint current (see svcalloc.h).
 *
 * Repair reads the allocation keys and the Services at one etcd revision, so
 * what it compares is one consistent picture, and every fix is guarded by the
 * revision it saw: a key is deleted only if nobody rewrote it since, a missing
 * key is created only if it is still absent and its Service unchanged. Several
 * API servers may repair at once; at most one of each fix commits.
 */
#include "svcalloc-internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hashmap.h"
#include "log.h"
#include "object.h"

/* What the Services hold: allocation key → "ns/name" (+ the Service's key and
 * revision, to guard a restored key). */
typedef struct svc_holder {
  char owner[320];
  char svc_key[512];
  int64_t svc_rev;
  char *value;
} svc_holder;

static void holder_free(void *p) {
  svc_holder *h = p;
  free(h->value);
  free(h);
}

static void add_holders(api_svcalloc *a, const tug_etcd_kv *kv, tug_hashmap *want) {
  json_t *svc = json_loadb(kv->value, kv->value_len, 0, NULL);
  api_svc_item items[SVC_WANT_MAX];
  size_t n = svc_wanted(a, svc, items, SVC_WANT_MAX);
  for (size_t i = 0; i < n; i++) {
    char key[SVC_KEY_MAX];
    svc_item_key(&items[i], key, sizeof key);
    svc_holder *h = calloc(1, sizeof *h), *first = tug_hashmap_get(want, key);
    svc_owner(svc, h->owner, sizeof h->owner);
    if (first) {
      tug_warn("value allocated to several services", "key=%s service=%s holder=%s", key, h->owner,
               first->owner);
      free(h);
      continue;
    }
    snprintf(h->svc_key, sizeof h->svc_key, "%.*s", (int)kv->key_len, kv->key);
    h->svc_rev = kv->mod_revision;
    h->value = svc_owner_value(svc);
    tug_hashmap_put(want, key, h);
  }
  json_decref(svc);
}

static int guarded_txn(tug_etcd *etcd, const tug_etcd_compare *cmp, size_t ncmp,
                       const tug_etcd_op *op, bool *done, tug_error *err) {
  tug_etcd_txn_result res;
  if (tug_etcd_txn(etcd, cmp, ncmp, op, 1, NULL, 0, &res, err) < 0)
    return -1;
  *done = res.succeeded;
  tug_etcd_txn_result_free(&res);
  return 0;
}

/* Delete keys no Service holds (or that name the wrong one); mark the rest seen. */
static int release_stale(tug_etcd *etcd, const tug_etcd_range *keys, tug_hashmap *want,
                         tug_hashmap *seen, int *released, tug_error *err) {
  for (size_t i = 0; i < keys->n; i++) {
    const tug_etcd_kv *kv = &keys->kvs[i];
    char key[SVC_KEY_MAX], owner[320];
    snprintf(key, sizeof key, "%.*s", (int)kv->key_len, kv->key);
    svc_value_owner(kv->value, kv->value_len, owner, sizeof owner);
    svc_holder *h = tug_hashmap_get(want, key);
    if (h && strcmp(h->owner, owner) == 0) {
      tug_hashmap_put(seen, key, h);
      continue;
    }
    tug_etcd_compare cmp = {key, TUG_ETCD_MOD_REVISION, TUG_ETCD_EQUAL, kv->mod_revision};
    tug_etcd_op del = {TUG_ETCD_OP_DELETE, key, NULL, 0, 0};
    bool done;
    if (guarded_txn(etcd, &cmp, 1, &del, &done, err) < 0)
      return -1;
    if (done) {
      (*released)++;
      tug_warn("released leaked allocation", "key=%s owner=%s", key, owner[0] ? owner : "?");
    }
  }
  return 0;
}

/* Give a key to each value a Service holds without one. */
static int restore_missing(tug_etcd *etcd, tug_hashmap *want, tug_hashmap *seen, int *restored,
                           tug_error *err) {
  tug_hashmap_iter it;
  const char *key;
  void *v;
  tug_hashmap_iter_init(&it, want);
  while (tug_hashmap_next(&it, &key, &v)) {
    svc_holder *h = v;
    if (tug_hashmap_get(seen, key))
      continue;
    tug_etcd_compare cmp[2] = {{key, TUG_ETCD_CREATE_REVISION, TUG_ETCD_EQUAL, 0},
                               {h->svc_key, TUG_ETCD_MOD_REVISION, TUG_ETCD_EQUAL, h->svc_rev}};
    tug_etcd_op put = {TUG_ETCD_OP_PUT, key, h->value, strlen(h->value), 0};
    bool done;
    if (guarded_txn(etcd, cmp, 2, &put, &done, err) < 0)
      return -1;
    if (done) {
      (*restored)++;
      tug_info("restored missing allocation", "key=%s service=%s", key, h->owner);
    }
  }
  return 0;
}

int api_svcalloc_repair(api_svcalloc *a, tug_etcd *etcd, int *released, int *restored,
                        tug_error *err) {
  *released = *restored = 0;
  tug_etcd_range keys, svcs;
  if (tug_etcd_list(etcd, API_SVCALLOC_PREFIX, NULL, 0, 0, &keys, err) < 0)
    return tug_error_wrap(err, "repair service allocations");
  if (tug_etcd_list(etcd, "/registry/services/", NULL, 0, keys.revision, &svcs, err) < 0) {
    tug_etcd_range_free(&keys);
    return tug_error_wrap(err, "repair service allocations");
  }
  tug_hashmap *want = tug_hashmap_new(), *seen = tug_hashmap_new();
  for (size_t i = 0; i < svcs.n; i++)
    add_holders(a, &svcs.kvs[i], want);
  int rc = release_stale(etcd, &keys, want, seen, released, err);
  if (rc == 0)
    rc = restore_missing(etcd, want, seen, restored, err);
  tug_hashmap_free(seen, NULL);
  tug_hashmap_free(want, holder_free);
  tug_etcd_range_free(&svcs);
  tug_etcd_range_free(&keys);
  return rc < 0 ? tug_error_wrap(err, "repair service allocations") : 0;
}

/* ---- the hint ---- */

static void apply_kv(api_svcalloc *a, const tug_etcd_kv *kv, bool used) {
  api_svc_item it;
  if (svc_key_item(kv->key, kv->key_len, &it))
    svc_hint_set(a, &it, used);
}

/* Load every key into the hint and watch from the revision after. */
static int relist(api_svcalloc *a, tug_error *err) {
  tug_etcd_range r;
  if (tug_etcd_list(a->etcd, API_SVCALLOC_PREFIX, NULL, 0, 0, &r, err) < 0)
    return tug_error_wrap(err, "list service allocations");
  tug_etcd_watch *w;
  if (tug_etcd_watch_open(a->etcd, API_SVCALLOC_PREFIX, true, r.revision + 1, 0, &w, err) < 0) {
    tug_etcd_range_free(&r);
    return tug_error_wrap(err, "watch service allocations");
  }
  pthread_mutex_lock(&a->mu);
  svc_hint_reset(a);
  for (size_t i = 0; i < r.n; i++)
    apply_kv(a, &r.kvs[i], true);
  pthread_mutex_unlock(&a->mu);
  tug_etcd_range_free(&r);
  tug_etcd_watch_close(a->watch);
  a->watch = w;
  return 0;
}

static void *follow(void *arg) {
  api_svcalloc *a = arg;
  while (!a->stopping) {
    tug_etcd_watch_batch b;
    tug_error err = {0};
    int rc = tug_etcd_watch_next(a->watch, &b, 1000, &err);
    if (rc == 1 && b.kind == TUG_ETCD_WATCH_EVENTS) {
      pthread_mutex_lock(&a->mu);
      for (size_t i = 0; i < b.n; i++)
        apply_kv(a, &b.events[i].kv, b.events[i].type == TUG_ETCD_EVENT_PUT);
      pthread_mutex_unlock(&a->mu);
    }
    bool broken =
        rc < 0 ||
        (rc == 1 && (b.kind == TUG_ETCD_WATCH_COMPACTED || b.kind == TUG_ETCD_WATCH_CANCELED));
    if (rc == 1)
      tug_etcd_watch_batch_free(&b);
    while (broken && !a->stopping && relist(a, &err) < 0) {
      tug_errorlog("service allocations relist failed", "err=%s", TUG_LOG_ERR(&err));
      sleep(1);
    }
  }
  return NULL;
}

int api_svcalloc_start(api_svcalloc *a, tug_etcd *etcd, tug_error *err) {
  a->etcd = etcd;
  int released, restored;
  if (api_svcalloc_repair(a, etcd, &released, &restored, err) < 0 || relist(a, err) < 0)
    return -1;
  tug_info("service allocations ready", "range=%s node_ports=%d-%d released=%d restored=%d",
           a->cidr, a->port_min, a->port_max, released, restored);
  a->running = pthread_create(&a->thread, NULL, follow, a) == 0;
  return a->running ? 0 : tug_error_set(err, EAGAIN, "start service allocation watch");
}
