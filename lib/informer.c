/*
 * informer.c — list + watch into a local cache (see informer.h).
 *
 * One thread per informer runs the reflector loop: list (replace the cache,
 * emit the differences), then watch from the newest resourceVersion seen,
 * again and again. A watch that ends is resumed; one answered 410 (or an
 * ERROR event with code 410) is replaced by a list; a failure waits a doubling
 * back-off first. Only this thread writes the cache, under the write lock, and
 * it calls handlers with no lock held, so handlers may read the cache.
 */
#include "informer.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "clock.h"
#include "hashmap.h"
#include "log.h"
#include "object.h"

enum {
  BACKOFF_BASE_MS = 200,
  BACKOFF_MAX_MS = 5000,
  WATCH_TIMEOUT_SECONDS = 300,
  SHORT_WATCH_SECONDS = 1,
};

/* value → (key → json_t borrowed from the cache, which holds the reference) */
typedef struct informer_index {
  char name[32];
  tug_informer_index_fn fn;
  tug_hashmap *by_value;
} informer_index;

struct tug_informer {
  tug_client *client;
  char *path, *label_selector, *field_selector;
  tug_informer_handlers h;
  void *arg;
  tug_informer_transform_fn transform;
  void *transform_arg;

  pthread_rwlock_t lock; /* cache, indexes and rv */
  tug_hashmap *cache;    /* key → json_t (a reference) */
  informer_index idx[TUG_INFORMER_MAX_INDEXES];
  size_t n_idx;
  char rv[32];

  pthread_mutex_t mu; /* synced, waking sleeps */
  pthread_cond_t cond;
  bool synced, started;
  atomic_bool stop;
  pthread_t thread;
};

static bool namespace_index(const json_t *obj, char *buf, size_t size) {
  const char *ns = tug_obj_namespace(obj);
  return ns && ns[0] && (size_t)snprintf(buf, size, "%s", ns) < size;
}

static void free_bucket(void *bucket) {
  tug_hashmap_free(bucket, NULL);
}

int tug_informer_add_index(tug_informer *inf, const char *name, tug_informer_index_fn fn,
                           tug_error *err) {
  if (inf->started || inf->n_idx == TUG_INFORMER_MAX_INDEXES ||
      strlen(name) >= sizeof inf->idx[0].name)
    return tug_error_set(err, EINVAL, "informer %s: cannot add index %s", inf->path, name);
  informer_index *ix = &inf->idx[inf->n_idx];
  if ((ix->by_value = tug_hashmap_new()) == NULL)
    return tug_error_errno(err, ENOMEM, "informer %s: index %s", inf->path, name);
  snprintf(ix->name, sizeof ix->name, "%s", name);
  ix->fn = fn;
  inf->n_idx++;
  return 0;
}

/* File (add) or unfile obj under key in every index; the write lock is held. */
static void index_obj(tug_informer *inf, const char *key, json_t *obj, bool add) {
  char value[512];
  for (size_t i = 0; i < inf->n_idx; i++) {
    informer_index *ix = &inf->idx[i];
    if (!ix->fn(obj, value, sizeof value))
      continue;
    tug_hashmap *bucket = tug_hashmap_get(ix->by_value, value);
    if (add) {
      if (bucket == NULL && (bucket = tug_hashmap_new()) != NULL)
        tug_hashmap_put(ix->by_value, value, bucket);
      if (bucket)
        tug_hashmap_put(bucket, key, obj);
    } else if (bucket) {
      tug_hashmap_remove(bucket, key);
      if (tug_hashmap_size(bucket) == 0)
        free_bucket(tug_hashmap_remove(ix->by_value, value));
    }
  }
}

/* Every index anew from the cache; the write lock is held. */
static void reindex(tug_informer *inf) {
  for (size_t i = 0; i < inf->n_idx; i++) {
    tug_hashmap_free(inf->idx[i].by_value, free_bucket);
    inf->idx[i].by_value = tug_hashmap_new();
  }
  tug_hashmap_iter it;
  const char *key;
  void *v;
  tug_hashmap_iter_init(&it, inf->cache);
  while (tug_hashmap_next(&it, &key, &v))
    index_obj(inf, key, v, true);
}

json_t *tug_informer_by_index(tug_informer *inf, const char *name, const char *value) {
  informer_index *ix = NULL;
  for (size_t i = 0; i < inf->n_idx && ix == NULL; i++)
    if (strcmp(inf->idx[i].name, name) == 0)
      ix = &inf->idx[i];
  json_t *arr = ix ? json_array() : NULL;
  if (arr == NULL)
    return NULL;
  pthread_rwlock_rdlock(&inf->lock);
  tug_hashmap *bucket = value ? tug_hashmap_get(ix->by_value, value) : NULL;
  tug_hashmap_iter it;
  const char *key;
  void *v;
  if (bucket) {
    tug_hashmap_iter_init(&it, bucket);
    while (tug_hashmap_next(&it, &key, &v))
      json_array_append(arr, v);
  }
  pthread_rwlock_unlock(&inf->lock);
  return arr;
}

int tug_informer_key(const json_t *obj, char *buf, size_t size) {
  const char *name = tug_obj_name(obj), *ns = tug_obj_namespace(obj);
  if (name == NULL || name[0] == '\0')
    return -1;
  int n = ns && ns[0] ? snprintf(buf, size, "%s/%s", ns, name) : snprintf(buf, size, "%s", name);
  return n < 0 || (size_t)n >= size ? -1 : 0;
}

tug_informer *tug_informer_new(tug_client *client, const char *resource_path,
                               const char *label_selector, const char *field_selector,
                               const tug_informer_handlers *handlers, void *arg, tug_error *err) {
  tug_informer *inf = calloc(1, sizeof *inf);
  if (inf == NULL) {
    tug_error_errno(err, ENOMEM, "informer %s", resource_path);
    return NULL;
  }
  inf->client = client;
  inf->path = strdup(resource_path);
  inf->label_selector = label_selector ? strdup(label_selector) : NULL;
  inf->field_selector = field_selector ? strdup(field_selector) : NULL;
  inf->cache = tug_hashmap_new();
  if (handlers)
    inf->h = *handlers;
  inf->arg = arg;
  pthread_rwlock_init(&inf->lock, NULL);
  pthread_mutex_init(&inf->mu, NULL);
  tug_cond_init_monotonic(&inf->cond);
  if (!inf->path || !inf->cache || (label_selector && !inf->label_selector) ||
      (field_selector && !inf->field_selector) ||
      tug_informer_add_index(inf, "namespace", namespace_index, err) < 0) {
    tug_informer_free(inf);
    tug_error_errno(err, ENOMEM, "informer %s", resource_path);
    return NULL;
  }
  return inf;
}

void tug_informer_set_transform(tug_informer *inf, tug_informer_transform_fn fn, void *arg) {
  inf->transform = fn;
  inf->transform_arg = arg;
}

/* What the cache keeps of obj: a new reference. */
static json_t *kept(tug_informer *inf, json_t *obj) {
  json_t *t = inf->transform ? inf->transform(obj, inf->transform_arg) : NULL;
  return t ? t : json_incref(obj);
}

static void decref_value(void *v) {
  json_decref(v);
}

void tug_informer_free(tug_informer *inf) {
  if (inf == NULL)
    return;
  tug_informer_stop(inf);
  for (size_t i = 0; i < inf->n_idx; i++)
    tug_hashmap_free(inf->idx[i].by_value, free_bucket);
  tug_hashmap_free(inf->cache, decref_value);
  pthread_rwlock_destroy(&inf->lock);
  pthread_mutex_destroy(&inf->mu);
  pthread_cond_destroy(&inf->cond);
  free(inf->path);
  free(inf->label_selector);
  free(inf->field_selector);
  free(inf);
}

static void set_rv_locked(tug_informer *inf, const char *rv) {
  if (rv && rv[0])
    snprintf(inf->rv, sizeof inf->rv, "%s", rv);
}

static bool stopping(tug_informer *inf) {
  return atomic_load(&inf->stop);
}

/* Sleep ms, or less when the informer stops. */
static void pause_ms(tug_informer *inf, long ms) {
  struct timespec deadline = tug_deadline_ms(ms);
  pthread_mutex_lock(&inf->mu);
  while (!stopping(inf) && pthread_cond_timedwait(&inf->cond, &inf->mu, &deadline) != ETIMEDOUT)
    ;
  pthread_mutex_unlock(&inf->mu);
}

static bool same_version(const json_t *a, const json_t *b) {
  const char *ra = tug_obj_resource_version(a), *rb = tug_obj_resource_version(b);
  return ra && rb && strcmp(ra, rb) == 0;
}

/* Call the handlers for the difference between the old cache and the new one. */
static void emit_differences(tug_informer *inf, tug_hashmap *old, tug_hashmap *fresh) {
  tug_hashmap_iter it;
  const char *key;
  void *v;
  tug_hashmap_iter_init(&it, fresh);
  while (tug_hashmap_next(&it, &key, &v)) {
    json_t *prev = tug_hashmap_get(old, key);
    if (prev == NULL && inf->h.on_add)
      inf->h.on_add(v, inf->arg);
    else if (prev && !same_version(prev, v) && inf->h.on_update)
      inf->h.on_update(prev, v, inf->arg);
  }
  tug_hashmap_iter_init(&it, old);
  while (tug_hashmap_next(&it, &key, &v))
    if (tug_hashmap_get(fresh, key) == NULL && inf->h.on_delete)
      inf->h.on_delete(v, inf->arg);
}

/* List, swap the cache for the list's items, emit what changed. */
static int relist(tug_informer *inf, tug_error *err) {
  tug_list_options o = {.label_selector = inf->label_selector,
                        .field_selector = inf->field_selector};
  _cleanup_json_ json_t *list = NULL;
  if (tug_client_list(inf->client, inf->path, &o, &list, err) < 0)
    return -1;
  tug_hashmap *fresh = tug_hashmap_new();
  if (fresh == NULL)
    return tug_error_errno(err, ENOMEM, "list %s", inf->path);
  size_t i;
  json_t *item;
  char key[512];
  json_array_foreach(tug_obj_get(list, "items"), i, item) {
    if (tug_informer_key(item, key, sizeof key) == 0)
      json_decref(tug_hashmap_put(fresh, key, kept(inf, item)));
  }
  pthread_rwlock_wrlock(&inf->lock);
  tug_hashmap *old = inf->cache;
  inf->cache = fresh;
  reindex(inf);
  set_rv_locked(inf, tug_obj_get_str(list, "metadata.resourceVersion"));
  pthread_rwlock_unlock(&inf->lock);
  /* Only this thread writes the cache, so reading `fresh` unlocked is safe. */
  emit_differences(inf, old, fresh);
  tug_hashmap_free(old, decref_value);
  pthread_mutex_lock(&inf->mu);
  inf->synced = true;
  pthread_cond_broadcast(&inf->cond);
  pthread_mutex_unlock(&inf->mu);
  return 0;
}

/* What one watch stream saw, beyond the cache changes. */
typedef struct watch_ctx {
  tug_informer *inf;
  int events;
  tug_error status; /* an ERROR event */
} watch_ctx;

static void apply_upsert(tug_informer *inf, const char *key, json_t *obj) {
  pthread_rwlock_wrlock(&inf->lock);
  json_t *old = tug_hashmap_put(inf->cache, key, json_incref(obj));
  if (old)
    index_obj(inf, key, old, false);
  index_obj(inf, key, obj, true);
  set_rv_locked(inf, tug_obj_resource_version(obj));
  pthread_rwlock_unlock(&inf->lock);
  if (old == NULL && inf->h.on_add)
    inf->h.on_add(obj, inf->arg);
  else if (old && inf->h.on_update)
    inf->h.on_update(old, obj, inf->arg);
  json_decref(old);
}

static void apply_delete(tug_informer *inf, const char *key, json_t *obj) {
  pthread_rwlock_wrlock(&inf->lock);
  json_t *old = tug_hashmap_remove(inf->cache, key);
  if (old)
    index_obj(inf, key, old, false);
  set_rv_locked(inf, tug_obj_resource_version(obj));
  pthread_rwlock_unlock(&inf->lock);
  if (inf->h.on_delete)
    inf->h.on_delete(obj, inf->arg);
  json_decref(old);
}

static int on_event(const char *type, json_t *obj, void *arg) {
  watch_ctx *w = arg;
  tug_informer *inf = w->inf;
  w->events++;
  if (strcmp(type, "ERROR") == 0) {
    int64_t code = tug_obj_get_int(obj, "code", 500);
    const char *msg = tug_obj_get_str(obj, "message");
    tug_error_set(&w->status, tug_client_error_code(code), "watch %s: %s", inf->path,
                  msg ? msg : "ERROR event");
    return 1;
  }
  if (strcmp(type, "BOOKMARK") == 0) {
    pthread_rwlock_wrlock(&inf->lock);
    set_rv_locked(inf, tug_obj_resource_version(obj));
    pthread_rwlock_unlock(&inf->lock);
    return 0;
  }
  tug_informer_apply(inf, type, obj, NULL);
  return 0;
}

int tug_informer_apply(tug_informer *inf, const char *type, json_t *obj, tug_error *err) {
  char key[512];
  if (tug_informer_key(obj, key, sizeof key) < 0)
    return tug_error_set(err, EINVAL, "%s %s: an object without a name", type, inf->path);
  bool upsert = strcmp(type, "ADDED") == 0 || strcmp(type, "MODIFIED") == 0;
  if (!upsert && strcmp(type, "DELETED") != 0)
    return tug_error_set(err, EINVAL, "%s %s: not an event type", type, inf->path);
  _cleanup_json_ json_t *k = kept(inf, obj);
  if (upsert)
    apply_upsert(inf, key, k);
  else
    apply_delete(inf, key, k);
  return 0;
}

/* One watch from the cache's resourceVersion until it ends. */
static int watch_once(tug_informer *inf, tug_error *err) {
  char rv[sizeof inf->rv], timeout[16];
  tug_informer_resource_version(inf, rv, sizeof rv);
  snprintf(timeout, sizeof timeout, "%d", WATCH_TIMEOUT_SECONDS);
  const char *kv[] = {"watch",
                      "true",
                      "resourceVersion",
                      rv,
                      "allowWatchBookmarks",
                      "true",
                      "timeoutSeconds",
                      timeout,
                      "labelSelector",
                      inf->label_selector,
                      "fieldSelector",
                      inf->field_selector,
                      NULL};
  _cleanup_free_ char *path = tug_client_path_query(inf->path, kv);
  if (path == NULL)
    return tug_error_errno(err, ENOMEM, "watch %s", inf->path);
  watch_ctx w = {.inf = inf};
  double t0 = tug_monotonic_seconds();
  if (tug_client_watch(inf->client, path, on_event, &w, &inf->stop, err) < 0)
    return -1;
  if (w.status.code) {
    *err = w.status;
    return -1;
  }
  /* A server that closes every watch at once must not make us spin. */
  if (!stopping(inf) && w.events == 0 && tug_monotonic_seconds() - t0 < SHORT_WATCH_SECONDS)
    return tug_error_set(err, TUG_E_UNAVAILABLE, "watch %s: closed at once", inf->path);
  return 0;
}

static void *run(void *arg) {
  tug_informer *inf = arg;
  bool need_list = true;
  long backoff = 0;
  while (!stopping(inf)) {
    tug_error err = {0};
    int rc = need_list ? relist(inf, &err) : watch_once(inf, &err);
    if (rc == 0) {
      need_list = false;
      backoff = 0;
      continue;
    }
    if (stopping(inf))
      break;
    if (err.code == TUG_E_COMPACTED && !need_list) {
      tug_info("relisting", "resource=%s err=%s", inf->path, TUG_LOG_ERR(&err));
      need_list = true;
      continue;
    }
    backoff = backoff ? backoff * 2 : BACKOFF_BASE_MS;
    if (backoff > BACKOFF_MAX_MS)
      backoff = BACKOFF_MAX_MS;
    tug_warn(need_list ? "list failed" : "watch failed", "resource=%s retry_ms=%ld err=%s",
             inf->path, backoff, TUG_LOG_ERR(&err));
    pause_ms(inf, backoff);
  }
  return NULL;
}

int tug_informer_start(tug_informer *inf, tug_error *err) {
  if (inf->started)
    return tug_error_set(err, EBUSY, "informer %s: already started", inf->path);
  atomic_store(&inf->stop, false);
  int rc = pthread_create(&inf->thread, NULL, run, inf);
  if (rc != 0)
    return tug_error_errno(err, rc, "informer %s: start thread", inf->path);
  inf->started = true;
  return 0;
}

void tug_informer_stop(tug_informer *inf) {
  if (!inf->started)
    return;
  pthread_mutex_lock(&inf->mu);
  atomic_store(&inf->stop, true);
  pthread_cond_broadcast(&inf->cond);
  pthread_mutex_unlock(&inf->mu);
  pthread_join(inf->thread, NULL);
  inf->started = false;
}

bool tug_informer_synced(tug_informer *inf) {
  pthread_mutex_lock(&inf->mu);
  bool s = inf->synced;
  pthread_mutex_unlock(&inf->mu);
  return s;
}

bool tug_informer_wait_synced(tug_informer *inf, long timeout_ms) {
  struct timespec deadline = tug_deadline_ms(timeout_ms);
  pthread_mutex_lock(&inf->mu);
  while (!inf->synced && !stopping(inf) &&
         pthread_cond_timedwait(&inf->cond, &inf->mu, &deadline) != ETIMEDOUT)
    ;
  bool s = inf->synced;
  pthread_mutex_unlock(&inf->mu);
  return s;
}

json_t *tug_informer_get(tug_informer *inf, const char *key) {
  pthread_rwlock_rdlock(&inf->lock);
  json_t *obj = json_incref(tug_hashmap_get(inf->cache, key));
  pthread_rwlock_unlock(&inf->lock);
  return obj;
}

json_t *tug_informer_list(tug_informer *inf) {
  json_t *arr = json_array();
  if (arr == NULL)
    return NULL;
  pthread_rwlock_rdlock(&inf->lock);
  tug_hashmap_iter it;
  const char *key;
  void *v;
  tug_hashmap_iter_init(&it, inf->cache);
  while (tug_hashmap_next(&it, &key, &v))
    json_array_append(arr, v);
  pthread_rwlock_unlock(&inf->lock);
  return arr;
}

void tug_informer_resource_version(tug_informer *inf, char *buf, size_t size) {
  pthread_rwlock_rdlock(&inf->lock);
  snprintf(buf, size, "%s", inf->rv);
  pthread_rwlock_unlock(&inf->lock);
}
