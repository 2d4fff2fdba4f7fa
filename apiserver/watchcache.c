/*
 * watchcache.c — per-resource cache and watch fan-out (see watchcache.h).
 *
 * One thread per resource follows the etcd watch. Under the cache lock it
 * applies each event to the object map, appends it to the event window, and
 * hands it to every watcher whose filter it passes. An event is serialized
 * once ({"type":..,"object":..}\n) and shared by reference; only a watcher for
 * whom the event changes meaning (an object that moved into or out of its
 * filter, or a Table watcher) gets a line of its own.
 *
 * Locks: cache->mu, then watcher->mu, then libmicrohttpd's own. A watcher
 * with --watch-queue-events live events unread is closed (the client
 * re-watches from its last resourceVersion), so a slow client never grows
 * memory. The events replayed to a new watcher from the window do not count
 * toward that limit: they say nothing about the client's speed, and a client
 * re-watching from further back than the limit would otherwise be closed
 * again and again before it read anything.
 */
#include "watchcache.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "crd.h"
#include "hashmap.h"
#include "objstore.h"
#include "log.h"
#include "object.h"
#include "storage.h"

enum { BOOKMARK_SECONDS = 10, SYNC_POLL_MS = 100 };

typedef struct cache_event {
  atomic_int refs;
  const char *type; /* ADDED, MODIFIED, DELETED */
  int64_t rv;
  api_cached *obj;  /* new state; for DELETED the last state at the deletion's rv */
  api_cached *prev; /* state before, or NULL */
  char *line;
  size_t len;
} cache_event;

typedef struct chunk {
  char *data;
  size_t len;
  cache_event *ev; /* when set, data is ev->line and is not freed here */
} chunk;

struct api_watcher {
  api_watchcache *cache;
  pthread_mutex_t mu;
  char *ns, *name;
  api_filter filter;
  tug_selector *labels;
  api_fieldsel *fields;
  api_watch_render_fn render;
  api_watch_frame_fn frame;
  bool custom; /* render or frame: the cache's shared JSON lines do not do */
  bool rendered_first;
  bool bookmarks;
  chunk *q;
  size_t qcap, qhead, qlen, offset;
  size_t limit;       /* live events that may wait unread */
  size_t replay_left; /* replayed chunks still queued, all at the front */
  bool replaying;     /* while the window or the state is being replayed */
  bool suspended, closed;
  bool resuming; /* resumed, and libmicrohttpd has not called the reader since */
  struct MHD_Connection *conn;
  time_t deadline, last_sent;
  int64_t last_rv;
  struct api_watcher *next; /* in the cache's list */
  bool listed;
};

struct api_watchcache {
  api_server *server;
  const api_kind *kind;
  char prefix[128];
  pthread_mutex_t mu;
  pthread_cond_t cond;
  api_objstore *objects;
  int64_t rev;
  int64_t window_start; /* every event after this revision is in the window */
  cache_event **ring;
  size_t ring_cap, ring_head, ring_len;
  api_watcher *watchers;
  size_t nwatchers;
  atomic_ulong terminated; /* watchers closed for falling behind */
  atomic_ulong changes;    /* objects put or removed, relists: see api_watchcache_changes */
  tug_etcd_watch *watch;
  pthread_t thread;
  bool running;
  _Atomic bool stopping;
};

/* ---- cached objects and events ---- */

void api_cached_ref(api_cached *c) {
  atomic_fetch_add(&c->refs, 1);
}

/* A cached object's protobuf message, or the fact that it has none. */
struct api_cached_pb {
  bool fits;
  size_t len;
  uint8_t *data;
};

bool api_cached_protobuf(api_cached *c, api_protobuf_raw *raw) {
  struct api_cached_pb *pb = atomic_load(&c->pb);
  if (pb == NULL) {
    char why[256];
    pb = calloc(1, sizeof *pb);
    pb->data = api_protobuf_encode_message(c->obj, &pb->len, why, sizeof why);
    pb->fits = pb->data != NULL;
    if (!pb->fits)
      tug_warn("object not encoded as protobuf, answering JSON", "key=%s err=%s", c->key,
               TUG_LOG_Q(why));
    struct api_cached_pb *none = NULL;
    if (!atomic_compare_exchange_strong(&c->pb, &none, pb)) { /* another thread was first */
      free(pb->data);
      free(pb);
      pb = none;
    }
  }
  *raw = (api_protobuf_raw){pb->data, pb->len};
  return pb->fits;
}

static void cached_free_pb(api_cached *c) {
  struct api_cached_pb *pb = atomic_load(&c->pb);
  if (pb)
    free(pb->data);
  free(pb);
}

void api_cached_unref(api_cached *c) {
  if (c && atomic_fetch_sub(&c->refs, 1) == 1) {
    cached_free_pb(c);
    json_decref(c->obj);
    free(c->json);
    free(c->key);
    free(c);
  }
}

static api_cached *cached_new(json_t *obj, int64_t rv, const char *key, size_t key_len) {
  api_set_resource_version(obj, rv);
  api_cached *c = calloc(1, sizeof *c);
  atomic_init(&c->refs, 1);
  c->rv = rv;
  c->obj = obj;
  c->json = json_dumps(obj, JSON_COMPACT);
  c->len = strlen(c->json);
  c->key = strndup(key, key_len);
  return c;
}

api_cached *api_cached_from_kv(api_server *s, const api_kind *k, const tug_etcd_kv *kv) {
  char key[512];
  snprintf(key, sizeof key, "%.*s", (int)kv->key_len, kv->key);
  tug_error err = {0};
  json_t *obj = api_storage_decode(s, k, key, kv->value, kv->value_len, &err);
  if (obj == NULL) {
    tug_warn("skipping stored value", "key=%s err=%s", key, TUG_LOG_ERR(&err));
    return NULL;
  }
  if (k->custom)
    api_custom_set_version(k, obj);
  return cached_new(obj, kv->mod_revision, kv->key, kv->key_len);
}

void api_cached_list_free(api_cached **items, size_t n) {
  for (size_t i = 0; i < n; i++)
    api_cached_unref(items[i]);
  free(items);
}

static char *event_line(const char *type, const char *obj_json, size_t obj_len, size_t *len) {
  size_t tl = strlen(type);
  *len = 9 + tl + 12 + obj_len + 2; /* {"type":"T","object":O}\n */
  char *line = malloc(*len + 1);
  char *p = line;
  memcpy(p, "{\"type\":\"", 9), p += 9;
  memcpy(p, type, tl), p += tl;
  memcpy(p, "\",\"object\":", 11), p += 11;
  memcpy(p, obj_json, obj_len), p += obj_len;
  memcpy(p, "}\n", 3);
  *len = (size_t)(p - line) + 2;
  return line;
}

static cache_event *event_new(const char *type, int64_t rv, api_cached *obj, api_cached *prev) {
  cache_event *e = calloc(1, sizeof *e);
  atomic_init(&e->refs, 1);
  e->type = type;
  e->rv = rv;
  e->obj = obj;
  e->prev = prev;
  e->line = event_line(type, obj->json, obj->len, &e->len);
  return e;
}

static void event_unref(cache_event *e) {
  if (e && atomic_fetch_sub(&e->refs, 1) == 1) {
    api_cached_unref(e->obj);
    api_cached_unref(e->prev);
    free(e->line);
    free(e);
  }
}

/* ---- filters ---- */

bool api_filter_matches(const api_filter *f, const json_t *obj) {
  if (f->namespace) {
    const char *ns = tug_obj_namespace(obj);
    if (ns == NULL || strcmp(ns, f->namespace) != 0)
      return false;
  }
  if (f->name) {
    const char *name = tug_obj_name(obj);
    if (name == NULL || strcmp(name, f->name) != 0)
      return false;
  }
  if (f->labels && !tug_selector_matches(f->labels, tug_obj_labels(obj)))
    return false;
  return api_fieldsel_matches(f->fields, obj);
}

/* ---- watcher queues ---- */

static void watcher_wake(api_watcher *w) {
  if (w->suspended && w->conn) {
    w->suspended = false;
    w->resuming = true;
    MHD_resume_connection(w->conn);
  }
}

static void watcher_close(api_watcher *w) {
  w->closed = true;
  watcher_wake(w);
}

/* Double the queue's room, keeping its order (w->mu held). */
static int watcher_grow(api_watcher *w) {
  size_t cap = w->qcap ? w->qcap * 2 : 64;
  chunk *q = malloc(cap * sizeof *q);
  if (q == NULL)
    return -1;
  for (size_t i = 0; i < w->qlen; i++)
    q[i] = w->q[(w->qhead + i) % w->qcap];
  free(w->q);
  w->q = q;
  w->qcap = cap;
  w->qhead = 0;
  return 0;
}

/* Queue data for w (w->mu held); closes w when too many live events wait. */
static void watcher_push(api_watcher *w, char *data, size_t len, cache_event *ev) {
  if (w->closed) {
    if (ev == NULL)
      free(data);
    return;
  }
  bool slow = !w->replaying && w->qlen - w->replay_left >= w->limit;
  if (slow || (w->qlen == w->qcap && watcher_grow(w) < 0)) {
    tug_warn(slow ? "watcher too slow, closing" : "watcher queue cannot grow, closing",
             "resource=%s namespace=%s queued=%zu replayed_unread=%zu rv=%lld",
             w->cache->kind->plural, w->ns ? w->ns : "", w->qlen, w->replay_left,
             (long long)w->last_rv);
    if (ev == NULL)
      free(data);
    watcher_close(w);
    atomic_fetch_add(&w->cache->terminated, 1);
    return;
  }
  if (ev)
    atomic_fetch_add(&ev->refs, 1);
  w->q[(w->qhead + w->qlen++) % w->qcap] = (chunk){data, len, ev};
  if (w->replaying)
    w->replay_left++;
  w->last_sent = time(NULL);
  watcher_wake(w);
}

static void push_custom(api_watcher *w, const char *type, api_cached *obj, int64_t rv) {
  json_t *o = obj->obj;
  json_t *copy = NULL;
  if (w->render) {
    o = copy = w->render(w->cache->kind, obj->obj, !w->rendered_first);
    w->rendered_first = true;
  } else if (rv != obj->rv) {
    o = copy = json_deep_copy(obj->obj);
    api_set_resource_version(copy, rv);
  }
  size_t len;
  char *line;
  if (w->frame && copy) {
    api_cached moved = {.obj = copy, .rv = rv, .key = obj->key};
    line = w->frame(type, &moved, &len);
    cached_free_pb(&moved);
  } else if (w->frame) {
    line = w->frame(type, obj, &len);
  } else {
    char *s = json_dumps(o, JSON_COMPACT);
    line = event_line(type, s, strlen(s), &len);
    free(s);
  }
  json_decref(copy);
  if (line)
    watcher_push(w, line, len, NULL);
  else
    watcher_close(w); /* as Kubernetes does when an event cannot be encoded */
}

/* Give one event to one watcher, in the meaning it has for that watcher. */
static void deliver(api_watcher *w, cache_event *e) {
  bool now = strcmp(e->type, "DELETED") != 0 && api_filter_matches(&w->filter, e->obj->obj);
  bool before = e->prev && api_filter_matches(&w->filter, e->prev->obj);
  if (strcmp(e->type, "DELETED") == 0)
    before = api_filter_matches(&w->filter, e->obj->obj);
  pthread_mutex_lock(&w->mu);
  w->last_rv = e->rv;
  if (now && before && !w->custom)
    watcher_push(w, e->line, e->len, e);
  else if (now && before)
    push_custom(w, "MODIFIED", e->obj, e->rv);
  else if (now)
    push_custom(w, "ADDED", e->obj, e->rv);
  else if (before && strcmp(e->type, "DELETED") == 0 && !w->custom)
    watcher_push(w, e->line, e->len, e);
  else if (before)
    push_custom(w, "DELETED", e->prev ? e->prev : e->obj, e->rv);
  pthread_mutex_unlock(&w->mu);
}

static void push_bookmark(api_watcher *w, int64_t rv) {
  if (w->frame) {
    char av[128], text[24];
    snprintf(text, sizeof text, "%lld", (long long)rv);
    json_t *obj = json_pack("{s:s, s:s, s:{s:s}}", "kind", w->cache->kind->kind, "apiVersion",
                            api_kind_api_version(w->cache->kind, av, sizeof av), "metadata",
                            "resourceVersion", text);
    api_cached c = {.obj = obj, .rv = rv, .key = w->cache->prefix};
    push_custom(w, "BOOKMARK", &c, rv);
    cached_free_pb(&c);
    json_decref(obj);
    return;
  }
  char line[256];
  snprintf(line, sizeof line,
           "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"%s\",\"apiVersion\":\"%s%s%s\","
           "\"metadata\":{\"resourceVersion\":\"%lld\"}}}\n",
           w->cache->kind->kind, w->cache->kind->group, w->cache->kind->group[0] ? "/" : "",
           w->cache->kind->version, (long long)rv);
  watcher_push(w, strdup(line), strlen(line), NULL);
}

ssize_t api_watcher_read(api_watcher *w, struct MHD_Connection *conn, char *buf, size_t max) {
  pthread_mutex_lock(&w->mu);
  w->conn = conn;
  w->resuming = false;
  size_t total = 0;
  while (total < max && w->qlen > 0) {
    chunk *c = &w->q[w->qhead];
    size_t n = c->len - w->offset;
    if (n > max - total)
      n = max - total;
    memcpy(buf + total, c->data + w->offset, n);
    total += n;
    w->offset += n;
    if (w->offset == c->len) {
      if (c->ev)
        event_unref(c->ev);
      else
        free(c->data);
      w->qhead = (w->qhead + 1) % w->qcap;
      w->qlen--;
      w->offset = 0;
      if (w->replay_left > 0)
        w->replay_left--;
    }
  }
  ssize_t rc = (ssize_t)total;
  if (total == 0 && w->closed) {
    rc = MHD_CONTENT_READER_END_OF_STREAM;
  } else if (total == 0) {
    w->suspended = true;
    MHD_suspend_connection(conn);
  }
  pthread_mutex_unlock(&w->mu);
  return rc;
}

static void watcher_free(api_watcher *w) {
  for (size_t i = 0; i < w->qlen; i++) {
    chunk *c = &w->q[(w->qhead + i) % w->qcap];
    if (c->ev)
      event_unref(c->ev);
    else
      free(c->data);
  }
  free(w->q);
  free(w->ns);
  free(w->name);
  tug_selector_free(w->labels);
  api_fieldsel_free(w->fields);
  pthread_mutex_destroy(&w->mu);
  free(w);
}

void api_watcher_release(api_watcher *w) {
  api_watchcache *c = w->cache;
  pthread_mutex_lock(&c->mu);
  for (api_watcher **pp = &c->watchers; *pp; pp = &(*pp)->next) {
    if (*pp == w) {
      *pp = w->next;
      c->nwatchers--;
      break;
    }
  }
  pthread_mutex_unlock(&c->mu);
  watcher_free(w);
}

size_t api_watchcache_watchers(api_watchcache *c) {
  pthread_mutex_lock(&c->mu);
  size_t n = c->nwatchers;
  pthread_mutex_unlock(&c->mu);
  return n;
}

unsigned long api_watchcache_changes(api_watchcache *c) {
  return atomic_load(&c->changes);
}

unsigned long api_watchcache_terminated(api_watchcache *c) {
  return atomic_load(&c->terminated);
}

/* ---- applying etcd events ---- */

static void window_append(api_watchcache *c, cache_event *e) {
  if (c->ring_len == c->ring_cap) {
    cache_event *old = c->ring[c->ring_head];
    c->window_start = old->rv;
    event_unref(old);
    c->ring_head = (c->ring_head + 1) % c->ring_cap;
    c->ring_len--;
  }
  c->ring[(c->ring_head + c->ring_len++) % c->ring_cap] = e;
}

static cache_event *apply_put(api_watchcache *c, const tug_etcd_kv *kv) {
  api_cached *obj = api_cached_from_kv(c->server, c->kind, kv);
  if (obj == NULL)
    return NULL;
  api_cached *prev = api_objstore_put(c->objects, obj);
  api_cached_ref(obj);
  return event_new(prev ? "MODIFIED" : "ADDED", obj->rv, obj, prev);
}

static cache_event *apply_delete(api_watchcache *c, const tug_etcd_kv *kv) {
  char *key = strndup(kv->key, kv->key_len);
  api_cached *prev = api_objstore_remove(c->objects, key);
  free(key);
  if (prev == NULL)
    return NULL;
  json_t *last = json_deep_copy(prev->obj);
  api_cached *gone = cached_new(last, kv->mod_revision, prev->key, strlen(prev->key));
  return event_new("DELETED", kv->mod_revision, gone, prev);
}

static void apply_events(api_watchcache *c, const tug_etcd_watch_batch *b) {
  for (size_t i = 0; i < b->n; i++) {
    const tug_etcd_event *ev = &b->events[i];
    cache_event *e =
        ev->type == TUG_ETCD_EVENT_PUT ? apply_put(c, &ev->kv) : apply_delete(c, &ev->kv);
    c->rev = ev->kv.mod_revision;
    if (e == NULL)
      continue;
    atomic_fetch_add(&c->changes, 1);
    for (api_watcher *w = c->watchers; w; w = w->next)
      deliver(w, e);
    window_append(c, e);
  }
}

static void close_all_watchers(api_watchcache *c) {
  for (api_watcher *w = c->watchers; w; w = w->next) {
    pthread_mutex_lock(&w->mu);
    watcher_close(w);
    pthread_mutex_unlock(&w->mu);
  }
}

/* A suspended connection is out of libmicrohttpd's poll set, so a client that
 * went away would be noticed only at the next write to it. Peek instead
 * (w->mu held). */
static bool client_gone(const api_watcher *w) {
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(w->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
  if (ci == NULL)
    return false;
  char b;
  ssize_t n = recv(ci->connect_fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

static void tick_watchers(api_watchcache *c) {
  time_t now = time(NULL);
  for (api_watcher *w = c->watchers; w; w = w->next) {
    pthread_mutex_lock(&w->mu);
    if (!w->closed && w->deadline && now >= w->deadline) {
      if (w->bookmarks)
        push_bookmark(w, c->rev);
      watcher_close(w);
    } else if (!w->closed && w->bookmarks && now - w->last_sent >= BOOKMARK_SECONDS) {
      push_bookmark(w, c->rev);
    } else if (!w->closed && w->suspended && w->conn && client_gone(w)) {
      watcher_close(w);
    }
    pthread_mutex_unlock(&w->mu);
  }
}

/* ---- listing and following etcd ---- */

static void clear_window(api_watchcache *c) {
  while (c->ring_len > 0) {
    event_unref(c->ring[c->ring_head]);
    c->ring_head = (c->ring_head + 1) % c->ring_cap;
    c->ring_len--;
  }
}

/* (Re)load every object and open the etcd watch after that revision. */
static int relist(api_watchcache *c, tug_error *err) {
  tug_etcd_range r;
  if (tug_etcd_list(c->server->etcd, c->prefix, NULL, 0, 0, &r, err) < 0)
    return tug_error_wrap(err, "list %s", c->kind->plural);
  api_objstore *objects =
      api_objstore_new(strlen(c->prefix), c->kind->namespaced, c->kind->strategy->indexed_field);
  for (size_t i = 0; i < r.n; i++) {
    api_cached *o = api_cached_from_kv(c->server, c->kind, &r.kvs[i]);
    if (o)
      api_cached_unref(api_objstore_put(objects, o));
  }
  int64_t rev = r.revision;
  tug_etcd_range_free(&r);
  tug_etcd_watch *w;
  if (tug_etcd_watch_open(c->server->etcd, c->prefix, true, rev + 1, 0, &w, err) < 0) {
    api_objstore_free(objects);
    return tug_error_wrap(err, "watch %s", c->kind->plural);
  }
  pthread_mutex_lock(&c->mu);
  api_objstore_free(c->objects);
  c->objects = objects;
  clear_window(c);
  c->rev = c->window_start = rev;
  atomic_fetch_add(&c->changes, 1);
  close_all_watchers(c);
  tug_etcd_watch *old = c->watch;
  c->watch = w;
  pthread_cond_broadcast(&c->cond);
  pthread_mutex_unlock(&c->mu);
  tug_etcd_watch_close(old);
  return 0;
}

static void *follow(void *arg) {
  api_watchcache *c = arg;
  while (!c->stopping) {
    tug_etcd_watch_batch b;
    tug_error err = {0};
    int rc = tug_etcd_watch_next(c->watch, &b, 1000, &err);
    pthread_mutex_lock(&c->mu);
    if (rc == 1 && b.kind == TUG_ETCD_WATCH_EVENTS)
      apply_events(c, &b);
    else if (rc == 1 && b.kind == TUG_ETCD_WATCH_PROGRESS && b.revision > c->rev)
      c->rev = b.revision;
    pthread_cond_broadcast(&c->cond);
    tick_watchers(c);
    pthread_mutex_unlock(&c->mu);
    bool broken =
        rc < 0 ||
        (rc == 1 && (b.kind == TUG_ETCD_WATCH_COMPACTED || b.kind == TUG_ETCD_WATCH_CANCELED));
    if (rc == 1)
      tug_etcd_watch_batch_free(&b);
    if (broken && !c->stopping) {
      tug_warn("watch cache relisting", "resource=%s", c->kind->plural);
      while (!c->stopping && relist(c, &err) < 0) {
        tug_errorlog("watch cache relist failed", "resource=%s err=%s", c->kind->plural,
                     TUG_LOG_ERR(&err));
        sleep(1);
      }
    }
  }
  return NULL;
}

api_watchcache *api_watchcache_new(api_server *s, const api_kind *kind) {
  api_watchcache *c = calloc(1, sizeof *c);
  c->server = s;
  c->kind = kind;
  api_prefix(kind, NULL, c->prefix, sizeof c->prefix);
  pthread_mutex_init(&c->mu, NULL);
  tug_cond_init_monotonic(&c->cond);
  c->objects = api_objstore_new(strlen(c->prefix), kind->namespaced, kind->strategy->indexed_field);
  c->ring_cap = s->cfg.watch_history > 0 ? (size_t)s->cfg.watch_history : 1000;
  c->ring = calloc(c->ring_cap, sizeof *c->ring);
  return c;
}

int api_watchcache_start(api_watchcache *c, tug_error *err) {
  if (relist(c, err) < 0)
    return -1;
  c->running = pthread_create(&c->thread, NULL, follow, c) == 0;
  return c->running ? 0 : tug_error_set(err, EAGAIN, "start watch cache thread");
}

void api_watchcache_request_stop(api_watchcache *c) {
  pthread_mutex_lock(&c->mu);
  c->stopping = true;
  close_all_watchers(c);
  pthread_mutex_unlock(&c->mu);
}

void api_watchcache_stop(api_watchcache *c) {
  c->stopping = true;
  if (c->running)
    pthread_join(c->thread, NULL);
  c->running = false;
  pthread_mutex_lock(&c->mu);
  close_all_watchers(c);
  /* A stopped cache holds no etcd stream: a retired custom kind's cache
   * lives on (requests may hold it) but must not keep etcd's watch open. */
  tug_etcd_watch *w = c->watch;
  c->watch = NULL;
  pthread_cond_broadcast(&c->cond);
  pthread_mutex_unlock(&c->mu);
  tug_etcd_watch_close(w);
}

/* libmicrohttpd must not stop while a connection is suspended, and a resume
 * takes effect only when its loop next runs: wait for every watcher closed by
 * api_watchcache_stop to have been read once more (or released). */
void api_watchcache_wait_resumed(api_watchcache *c, int timeout_ms) {
  double deadline = tug_monotonic_seconds() + timeout_ms / 1e3;
  for (;;) {
    bool pending = false;
    pthread_mutex_lock(&c->mu);
    for (api_watcher *w = c->watchers; w && !pending; w = w->next) {
      pthread_mutex_lock(&w->mu);
      pending = w->suspended || w->resuming;
      pthread_mutex_unlock(&w->mu);
    }
    pthread_mutex_unlock(&c->mu);
    if (!pending || tug_monotonic_seconds() >= deadline)
      return;
    usleep(5000);
  }
}

void api_watchcache_free(api_watchcache *c) {
  if (c == NULL)
    return;
  tug_etcd_watch_close(c->watch);
  clear_window(c);
  free(c->ring);
  api_objstore_free(c->objects);
  pthread_mutex_destroy(&c->mu);
  pthread_cond_destroy(&c->cond);
  free(c);
}

int api_watchcache_sync_to(api_watchcache *c, int64_t rev, int timeout_ms, tug_error *err) {
  double deadline = tug_monotonic_seconds() + timeout_ms / 1e3;
  pthread_mutex_lock(&c->mu);
  while (c->rev < rev) {
    if (c->watch == NULL) {
      pthread_mutex_unlock(&c->mu);
      return tug_error_set(err, ESHUTDOWN, "the cache of %s is stopped", c->kind->plural);
    }
    tug_etcd_watch_request_progress(c->watch, NULL);
    struct timespec step = tug_deadline_ms(SYNC_POLL_MS);
    if (tug_monotonic_seconds() >= deadline) {
      int64_t have = c->rev;
      pthread_mutex_unlock(&c->mu);
      return tug_error_set(err, ETIMEDOUT,
                           "Too large resource version: %lld, current: %lld (cache of %s)",
                           (long long)rev, (long long)have, c->kind->plural);
    }
    pthread_cond_timedwait(&c->cond, &c->mu, &step);
  }
  pthread_mutex_unlock(&c->mu);
  return 0;
}

api_cached *api_watchcache_get(api_watchcache *c, const char *key) {
  pthread_mutex_lock(&c->mu);
  api_cached *o = api_objstore_get(c->objects, key);
  if (o)
    api_cached_ref(o);
  pthread_mutex_unlock(&c->mu);
  return o;
}

json_t *api_cache_object(api_server *s, const api_kind *k, const char *ns, const char *name) {
  char key[512];
  api_cached *c = api_watchcache_get(api_kind_cache(s, k), api_key(k, ns, name, key, sizeof key));
  if (c == NULL)
    return NULL;
  json_t *obj = json_incref(c->obj);
  api_cached_unref(c);
  return obj;
}

static int by_key(const void *a, const void *b) {
  return strcmp((*(api_cached *const *)a)->key, (*(api_cached *const *)b)->key);
}

typedef struct collect {
  const api_filter *filter;
  api_cached **out;
  size_t n, cap; /* cap: collect_all's, which grows out */
} collect;

static void collect_one(api_cached *o, void *arg) {
  collect *c = arg;
  if (api_filter_matches(c->filter, o->obj)) {
    api_cached_ref(o);
    c->out[c->n++] = o;
  }
}

int api_watchcache_list(api_watchcache *c, const api_filter *f, api_cached ***items, size_t *n,
                        int64_t *rev) {
  /* Namespace and name are settled by the store; only selectors are left. */
  api_filter rest = {NULL, f->name, f->labels, f->fields};
  pthread_mutex_lock(&c->mu);
  collect col = {&rest, malloc((api_objstore_size(c->objects) + 1) * sizeof(api_cached *)), 0, 0};
  api_objstore_each(c->objects, f->namespace, collect_one, &col);
  *rev = c->rev;
  pthread_mutex_unlock(&c->mu);
  qsort(col.out, col.n, sizeof *col.out, by_key);
  *items = col.out;
  *n = col.n;
  return 0;
}

static void collect_all(api_cached *o, void *arg) {
  collect *c = arg;
  if (c->n == c->cap)
    c->out = realloc(c->out, (c->cap = c->cap * 2 + 8) * sizeof *c->out);
  api_cached_ref(o);
  c->out[c->n++] = o;
}

int api_watchcache_list_indexed(api_watchcache *c, const char *value, api_cached ***items,
                                size_t *n) {
  collect col = {0};
  pthread_mutex_lock(&c->mu);
  bool indexed = api_objstore_each_indexed(c->objects, value, collect_all, &col);
  pthread_mutex_unlock(&c->mu);
  *items = col.out;
  *n = col.n;
  return indexed ? 0 : -1;
}

/* ---- new watchers ---- */

static api_watcher *watcher_new(api_watchcache *c, const api_watch_opts *o) {
  api_watcher *w = calloc(1, sizeof *w);
  w->cache = c;
  pthread_mutex_init(&w->mu, NULL);
  w->ns = o->filter.namespace ? strdup(o->filter.namespace) : NULL;
  w->name = o->filter.name ? strdup(o->filter.name) : NULL;
  w->filter = (api_filter){w->ns, w->name, o->filter.labels, o->filter.fields};
  w->labels = (tug_selector *)o->filter.labels; /* ownership passes to the watcher */
  w->fields = (api_fieldsel *)o->filter.fields;
  w->render = o->render;
  w->frame = o->frame;
  w->custom = o->render || o->frame;
  w->bookmarks = o->bookmarks;
  w->limit =
      c->server->cfg.watch_queue_events > 0 ? (size_t)c->server->cfg.watch_queue_events : 1000;
  w->last_sent = time(NULL);
  if (o->timeout_seconds > 0)
    w->deadline = w->last_sent + o->timeout_seconds;
  return w;
}

/* Synthetic ADDED events for the current state, for a watch from "now". */
static void replay_one(api_cached *o, void *arg) {
  api_watcher *w = arg;
  if (api_filter_matches(&w->filter, o->obj))
    push_custom(w, "ADDED", o, o->rv);
}

/* Synthetic ADDED events for the current state, for a watch from "now". */
static void replay_state(api_watchcache *c, api_watcher *w) {
  pthread_mutex_lock(&w->mu);
  api_objstore_each(c->objects, w->filter.namespace, replay_one, w);
  pthread_mutex_unlock(&w->mu);
}

static void replay_window(api_watchcache *c, api_watcher *w, int64_t rev) {
  for (size_t i = 0; i < c->ring_len; i++) {
    cache_event *e = c->ring[(c->ring_head + i) % c->ring_cap];
    if (e->rv > rev)
      deliver(w, e);
  }
}

int api_watchcache_watch(api_watchcache *c, const api_watch_opts *o, api_watcher **out,
                         tug_error *err) {
  if (o->rev > 0 && api_watchcache_sync_to(c, o->rev, 3000, err) < 0)
    return -1;
  pthread_mutex_lock(&c->mu);
  if (c->stopping) {
    pthread_mutex_unlock(&c->mu);
    return tug_error_set(err, ESHUTDOWN, "the server is shutting down");
  }
  if (o->rev > 0 && o->rev < c->window_start) {
    int64_t oldest = c->window_start;
    pthread_mutex_unlock(&c->mu);
    return tug_error_set(err, TUG_E_COMPACTED, "too old resource version: %lld (%lld)",
                         (long long)o->rev, (long long)oldest);
  }
  api_watcher *w = watcher_new(c, o);
  w->replaying = true;
  if (o->rev == 0)
    replay_state(c, w);
  else
    replay_window(c, w, o->rev);
  w->replaying = false;
  w->next = c->watchers;
  c->watchers = w;
  c->nwatchers++;
  pthread_mutex_unlock(&c->mu);
  *out = w;
  return 0;
}
