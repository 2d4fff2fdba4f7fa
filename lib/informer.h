/*
 * informer.h — list + watch one resource into a local cache, client-go style.
 *
 * The one idea: the cache is level-correct. The informer lists, then watches
 * from the list's resourceVersion; when a watch ends it resumes from the last
 * resourceVersion it saw, and when that is too old (410) it lists again and
 * turns the difference between its cache and the new list into adds, updates
 * and deletes. Handlers may miss intermediate states, never the final one.
 *
 * Handlers run on the informer's own thread, one at a time, after the cache
 * holds the change; they may call tug_informer_get/list. Objects handed to
 * handlers and returned by get/list are shared with the cache: never modify
 * them (json_deep_copy first); json_incref one to keep it past the call.
 */
#ifndef TUG_INFORMER_H
#define TUG_INFORMER_H

#include <jansson.h>
#include <stdbool.h>

#include "error.h"
#include "http.h"

typedef struct tug_informer tug_informer;

typedef struct tug_informer_handlers {
  void (*on_add)(json_t *obj, void *arg);
  void (*on_update)(json_t *old_obj, json_t *new_obj, void *arg);
  /* obj is the object's last state the informer knows. */
  void (*on_delete)(json_t *obj, void *arg);
} tug_informer_handlers;

/*
 * resource_path: a collection, "/api/v1/pods" (all namespaces) or
 * "/api/v1/namespaces/ns/pods". Selectors may be NULL; handlers may be NULL, as
 * may any of its functions. The client must outlive the informer.
 */
tug_informer *tug_informer_new(tug_client *client, const char *resource_path,
                               const char *label_selector, const char *field_selector,
                               const tug_informer_handlers *handlers, void *arg, tug_error *err);

/*
 * An optional transform (client-go's SetTransform): called on the informer's
 * thread with each object from a list or a watch event, before the cache or
 * any handler sees it, to keep only what the consumer reads (a pod without
 * its status, annotations, managedFields...) and so keep the cache small.
 * obj is the informer's own, not yet shared, and may be changed in place;
 * return a new reference to what to keep (json_incref(obj), or a new object).
 * NULL keeps obj as it is. The result must keep metadata.name, namespace and
 * resourceVersion, which the informer itself reads. Set it before
 * tug_informer_start; without one, objects are kept whole.
 */
typedef json_t *(*tug_informer_transform_fn)(json_t *obj, void *arg);
void tug_informer_set_transform(tug_informer *inf, tug_informer_transform_fn fn, void *arg);

/*
 * Indexes (client-go's Indexers): an index files each cached object under at
 * most one value that fn writes into buf (returning false: not filed), so
 * that "every pod of namespace x" or "every pod on node y" costs what it
 * finds, not the whole cache. Every informer has the index "namespace". Add
 * others before tug_informer_start; at most TUG_INFORMER_MAX_INDEXES in all.
 */
enum { TUG_INFORMER_MAX_INDEXES = 4 };
typedef bool (*tug_informer_index_fn)(const json_t *obj, char *buf, size_t size);
int tug_informer_add_index(tug_informer *inf, const char *name, tug_informer_index_fn fn,
                           tug_error *err);
/* A new array of the cached objects filed under value (shared with the
 * cache, like tug_informer_list); NULL for an index it does not have. */
json_t *tug_informer_by_index(tug_informer *inf, const char *name, const char *value);

/* Start the list + watch thread. */
int tug_informer_start(tug_informer *inf, tug_error *err);
/* True once the first list is in the cache (and its adds handled). */
bool tug_informer_synced(tug_informer *inf);
/* Wait until synced; false after timeout_ms or when the informer is stopped. */
bool tug_informer_wait_synced(tug_informer *inf, long timeout_ms);

/* The cached object under key ("ns/name", or "name" for cluster-scoped kinds):
 * a new reference, or NULL. */
json_t *tug_informer_get(tug_informer *inf, const char *key);
/* A new array of every cached object (references shared with the cache). */
json_t *tug_informer_list(tug_informer *inf);
/* The resourceVersion the cache is at ("" before the first list), copied into buf. */
void tug_informer_resource_version(tug_informer *inf, char *buf, size_t size);

/*
 * Apply one watch event ("ADDED", "MODIFIED" or "DELETED") to the cache and
 * call the handlers, exactly as the watch thread does: how a test fills an
 * informer it never starts, so that code under test reads a real cache with
 * its indexes and sees its handlers run. obj is kept (transformed) by the
 * cache. EINVAL for another type or an object without a name.
 */
int tug_informer_apply(tug_informer *inf, const char *type, json_t *obj, tug_error *err);

/* Stop the thread and wait for it; the cache stays readable. Idempotent. */
void tug_informer_stop(tug_informer *inf);
/* Stop and free. */
void tug_informer_free(tug_informer *inf);

/* The cache key of an object: "ns/name", or "name" without a namespace. */
int tug_informer_key(const json_t *obj, char *buf, size_t size);

#endif
