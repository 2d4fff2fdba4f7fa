/*
 * controller.h — the one shape of every Tugboat controller, client-go style.
 *
 *   shared informers ──handlers──▶ work queue of keys ──▶ N workers ──▶ reconcile(key)
 *
 * The one idea: reconcile is level-triggered. It is handed a key ("ns/name"),
 * reads the desired and actual state from the informers' caches, and makes
 * one step towards the desired; events only say which key to look at, so a
 * missed or merged event is never lost. A reconcile that fails is retried
 * with the queue's per-key back-off; one that wants another look later (a
 * deadline, a grace period) asks for it with tug_controller_enqueue_after.
 *
 * A shared informer lists and watches one resource (optionally narrowed by
 * label and field selectors) once for every controller that registers
 * handlers on it; its cache may be indexed (by namespace always, by node or
 * by owner when asked). Besides keys from events, a controller may run a
 * hook once its informers have listed (before any worker starts), a
 * periodic tick, and a hook on each worker thread as it starts.
 * Expectations (client-go's
 * ControllerExpectations) remember the creations and deletions a reconcile
 * just asked for, so that the next reconcile does not repeat them while the
 * informer has not seen them yet.
 */
#ifndef TUG_CONTROLLER_H
#define TUG_CONTROLLER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "error.h"
#include "http.h"
#include "informer.h"
#include "workqueue.h"

/* ---- shared informers ---- */

typedef struct tug_shared_informer tug_shared_informer;

tug_shared_informer *tug_shared_informer_new(tug_client *client, const char *resource_path,
                                             tug_error *err);

typedef struct tug_shared_informer_options {
  const char *path;                    /* the collection: "/api/v1/pods" */
  const char *label_selector;          /* NULL: every object */
  const char *field_selector;          /* NULL: every object ("spec.nodeName=n1") */
  tug_informer_transform_fn transform; /* NULL: objects kept whole (informer.h) */
  void *transform_arg;
} tug_shared_informer_options;
/* The same, narrowed by selectors and with a transform. */
tug_shared_informer *tug_shared_informer_new_with(tug_client *client,
                                                  const tug_shared_informer_options *o,
                                                  tug_error *err);
/* An index on the cache (tug_informer_add_index); only before start. */
int tug_shared_informer_add_index(tug_shared_informer *si, const char *name,
                                  tug_informer_index_fn fn, tug_error *err);
/* Register handlers (copied; arg is handed back). Only before start. */
int tug_shared_informer_add_handlers(tug_shared_informer *si, const tug_informer_handlers *h,
                                     void *arg, tug_error *err);
int tug_shared_informer_start(tug_shared_informer *si, tug_error *err);
tug_informer *tug_shared_informer_informer(tug_shared_informer *si);
void tug_shared_informer_free(tug_shared_informer *si);

/* Index functions every process may want ("namespace" is built in). */
#define TUG_INDEX_NODE "node"   /* pods by spec.nodeName */
#define TUG_INDEX_OWNER "owner" /* objects by their controlling owner's uid */
bool tug_index_pod_node(const json_t *obj, char *buf, size_t size);
bool tug_index_owner_uid(const json_t *obj, char *buf, size_t size);

/* ---- controllers ---- */

typedef struct tug_controller tug_controller;

/* 0: done (the key's back-off is reset); -1 with err: retried after back-off. */
typedef int (*tug_reconcile_fn)(tug_controller *c, const char *key, void *arg, tug_error *err);
/* A hook: called with the controller and its options' arg. */
typedef void (*tug_controller_hook_fn)(tug_controller *c, void *arg);

typedef struct tug_controller_options {
  const char *name; /* "replicaset": logs, metrics and events */
  tug_reconcile_fn reconcile;
  void *arg;
  int workers;           /* 0: 1 */
  long base_delay_ms;    /* retry back-off; 0: 5 ms */
  long max_delay_ms;     /* 0: 60 s */
  long resync_period_ms; /* every key of the primary informer again; 0: never */
  /* Called every tick_period_ms on the controller's ticker thread (to queue
   * what no event announces: local state to look at, a periodic pass). */
  long tick_period_ms;
  tug_controller_hook_fn tick;
  /* When set, tug_controller_start waits (up to sync_timeout_ms; 0: 60 s)
   * until every informer the controller watches has listed, calls on_synced
   * and only then starts the workers, so the hook sees full caches and no
   * reconcile yet. Not synced in time: a warning, no hook, workers start. */
  tug_controller_hook_fn on_synced;
  long sync_timeout_ms;
  /* Called on each worker thread before it takes its first key (to enter a
   * namespace, open a per-thread handle). */
  tug_controller_hook_fn worker_init;
} tug_controller_options;

tug_controller *tug_controller_new(const tug_controller_options *o, tug_error *err);
const char *tug_controller_name(const tug_controller *c);

/* Queue an object's own key when it is added, changed or deleted. The first
 * informer watched this way is the primary one (resync walks its cache). */
int tug_controller_watch(tug_controller *c, tug_shared_informer *si, tug_error *err);
/*
 * Queue the key of the object's controlling owner of kind owner_kind
 * (ownerReferences entry with controller=true), also the old owner's when an
 * update changed it, and count the object's creation and deletion as
 * observed in the controller's expectations.
 */
int tug_controller_watch_owned(tug_controller *c, tug_shared_informer *si, const char *owner_kind,
                               tug_error *err);
/* Any other mapping: fn queues what it likes. old is NULL on add and delete;
 * on delete, obj is the last state known and deleted is true. */
typedef void (*tug_controller_map_fn)(tug_controller *c, const json_t *old, const json_t *obj,
                                      bool deleted, void *arg);
int tug_controller_watch_fn(tug_controller *c, tug_shared_informer *si, tug_controller_map_fn fn,
                            void *arg, tug_error *err);

void tug_controller_enqueue(tug_controller *c, const char *key);
void tug_controller_enqueue_after(tug_controller *c, const char *key, long delay_ms);
/* Queue obj's key ("ns/name"); objects without a name are ignored. */
void tug_controller_enqueue_obj(tug_controller *c, const json_t *obj);

/*
 * Run the controller's reconcile for key once, in the calling thread, as a
 * worker would (it counts in the metrics) but without the queue: no retry,
 * no back-off. Tests drive a controller with it, step by step.
 */
int tug_controller_reconcile(tug_controller *c, const char *key, tug_error *err);

/* Start the workers (and the resync/tick ticker), after on_synced when it is
 * set; informers are started apart, before. */
int tug_controller_start(tug_controller *c, tug_error *err);
/* Shut the queue down, wait for workers. Idempotent. */
void tug_controller_stop(tug_controller *c);
void tug_controller_free(tug_controller *c);

/* Prometheus text for these controllers: queue depth, reconciles, errors, latency. */
void tug_controller_render_metrics(tug_controller *const *cs, size_t n, FILE *f);

/* ---- owner references ---- */

/* The ownerReferences entry with controller=true, borrowed; NULL when none. */
json_t *tug_controller_ref(const json_t *obj);
/* {apiVersion, kind, name, uid, controller: true, blockOwnerDeletion: true} for owner. */
json_t *tug_controller_ref_new(const json_t *owner);
/* "ns/name" of obj's controlling owner when it is of kind, into buf; false otherwise. */
bool tug_controller_owner_key(const json_t *obj, const char *kind, char *buf, size_t size);

/* ---- expectations ---- */

typedef struct tug_expectations tug_expectations;

/* The controller's own (watch_owned feeds it). */
tug_expectations *tug_controller_expectations(tug_controller *c);

tug_expectations *tug_expectations_new(void);
void tug_expectations_free(tug_expectations *e);
/* key expects adds more creations (replacing what it expected before). */
void tug_expectations_expect_creations(tug_expectations *e, const char *key, int adds);
/* key expects the objects with these uids to go (added to what it expects). */
void tug_expectations_expect_deletion(tug_expectations *e, const char *key, const char *uid);
void tug_expectations_creation_observed(tug_expectations *e, const char *key);
void tug_expectations_deletion_observed(tug_expectations *e, const char *key, const char *uid);
/* True when nothing is outstanding, nothing was ever expected, or the
 * expectation is older than 5 minutes (a lost event must not wedge a key). */
bool tug_expectations_satisfied(tug_expectations *e, const char *key);
void tug_expectations_forget(tug_expectations *e, const char *key);
/* The same, with "now" given in monotonic seconds (for tests). */
bool tug_expectations_satisfied_at(tug_expectations *e, const char *key, double now);

#endif
