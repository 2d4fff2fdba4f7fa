/*
 * watchcache.h — one cache per resource, fed by one etcd watch.
 *
 * The cache lists the resource's keys once, then follows a single etcd watch
 * and keeps (1) every object as it is now, parsed and serialized, and (2) a
 * window of recent events. LIST is answered from (1) at a revision at least
 * as new as the one asked for; WATCH replays (2) from the asked revision and
 * then follows live events. A thousand watchers cost etcd one watch.
 *
 * Objects in the cache never change once stored; an update stores a new one.
 * Readers hold references (api_cached_ref/unref), so they need no lock.
 */
#ifndef TUG_APISERVER_WATCHCACHE_H
#define TUG_APISERVER_WATCHCACHE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "fieldsel.h"
#include "protobuf.h"
#include "selector.h"
#include "server.h"

typedef struct api_cached {
  atomic_int refs;
  int64_t rv;
  json_t *obj; /* with metadata.resourceVersion set */
  char *json;  /* obj serialized */
  size_t len;
  char *key;
  _Atomic(struct api_cached_pb *) pb; /* obj's protobuf message, made on first use */
} api_cached;

/* obj's protobuf message (protobuf.h), encoded once and kept; false when obj
 * does not fit its schema (the answer is then JSON). */
bool api_cached_protobuf(api_cached *c, api_protobuf_raw *raw);

void api_cached_ref(api_cached *c);
void api_cached_unref(api_cached *c);
/* Parse an etcd value of kind k into a cached object (resourceVersion =
 * mod_revision; a custom object in k's version). */
api_cached *api_cached_from_kv(api_server *s, const api_kind *k, const tug_etcd_kv *kv);

typedef struct api_filter {
  const char *namespace; /* NULL: every namespace */
  const char *name;      /* NULL: every name */
  const tug_selector *labels;
  const api_fieldsel *fields;
} api_filter;

bool api_filter_matches(const api_filter *f, const json_t *obj);

/* Renders an event's object for a watcher that wants something other than
 * the object itself (a Table row); first is true for the watcher's first event. */
typedef json_t *(*api_watch_render_fn)(const api_kind *kind, const json_t *obj, bool first);

/* Encodes one event as the bytes a watcher sends (a protobuf frame) instead
 * of a JSON line; NULL when obj cannot be encoded, which ends the watch. */
typedef char *(*api_watch_frame_fn)(const char *type, api_cached *obj, size_t *len);

api_watchcache *api_watchcache_new(api_server *s, const api_kind *kind);
/* List the resource and start following it; fails if etcd cannot be read. */
int api_watchcache_start(api_watchcache *c, tug_error *err);
/* Ask the follower thread to stop, without waiting (to stop many at once). */
void api_watchcache_request_stop(api_watchcache *c);
/* Stop following etcd and close every watcher (their connections resume). */
void api_watchcache_stop(api_watchcache *c);
/* Wait until no watcher's connection is still suspended or resuming. */
void api_watchcache_wait_resumed(api_watchcache *c, int timeout_ms);
void api_watchcache_free(api_watchcache *c);

/* Wait until the cache has caught up with etcd's current revision (asking
 * etcd for a progress notification when this resource saw no write). */
int api_watchcache_sync_to(api_watchcache *c, int64_t rev, int timeout_ms, tug_error *err);

/* The object under key as the cache has it (referenced), or NULL. */
api_cached *api_watchcache_get(api_watchcache *c, const char *key);

/* k's object ns/name as s's cache has it now (a new reference), or NULL: a
 * read that costs no etcd round trip, for checks made on every request. */
json_t *api_cache_object(api_server *s, const api_kind *k, const char *ns, const char *name);
/* Matching objects sorted by key, each referenced; *rev is the cache's revision. */
int api_watchcache_list(api_watchcache *c, const api_filter *f, api_cached ***items, size_t *n,
                        int64_t *rev);
/* The objects whose indexed field (the kind's strategy's indexed_field) is
 * value, unordered, each referenced (api_cached_list_free); -1 when the kind
 * has no index. Costs their number, not the cache's size. */
int api_watchcache_list_indexed(api_watchcache *c, const char *value, api_cached ***items,
                                size_t *n);
void api_cached_list_free(api_cached **items, size_t n);

/*
 * A watcher from revision rev: events after rev (TUG_E_COMPACTED when rev is
 * older than the cache's window: the client gets 410 and lists again); rev 0
 * starts with a synthetic ADDED for every matching object. The filter's
 * namespace and name are copied; its label and field selectors pass to the
 * watcher on success (on failure the caller still owns them). Bookmarks,
 * when asked for, come every few seconds of silence and before a timeout.
 */
typedef struct api_watch_opts {
  api_filter filter;
  int64_t rev;
  bool bookmarks;
  int timeout_seconds;
  api_watch_render_fn render; /* NULL: the object as it is */
  api_watch_frame_fn frame;   /* NULL: newline-delimited JSON */
} api_watch_opts;

int api_watchcache_watch(api_watchcache *c, const api_watch_opts *o, api_watcher **out,
                         tug_error *err);
/* libmicrohttpd's content reader for a watcher's response (server.c wires it). */
ssize_t api_watcher_read(api_watcher *w, struct MHD_Connection *conn, char *buf, size_t max);
void api_watcher_release(api_watcher *w);
size_t api_watchcache_watchers(api_watchcache *c);
/* A counter that moves whenever the cache's objects change (a put, a removal,
 * a relist): who derives state from a cache rebuilds it when this moved. */
unsigned long api_watchcache_changes(api_watchcache *c);
/* Watchers closed so far because they fell --watch-queue-events behind. */
unsigned long api_watchcache_terminated(api_watchcache *c);

#endif
