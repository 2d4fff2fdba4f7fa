/*
 * controller.c — shared informers, the worker loop, owner mapping and
 * per-controller metrics (see controller.h). Expectations are in
 * expectations.c.
 *
 * A shared informer is one tug_informer whose handlers fan out to every
 * registration, in the informer's thread; controllers' handlers only queue
 * keys, so they never hold that thread for long.
 */
#include "controller.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "histogram.h"
#include "log.h"
#include "object.h"
#include "stopper.h"

enum { MAX_REGISTRATIONS = 16, MAX_WATCHES = 16, KEY_SIZE = 512 };

/* ---- shared informers ---- */

typedef struct registration {
  tug_informer_handlers h;
  void *arg;
} registration;

struct tug_shared_informer {
  tug_informer *inf;
  registration regs[MAX_REGISTRATIONS];
  size_t n;
  char *path;
};

static void fan_add(json_t *obj, void *arg) {
  tug_shared_informer *si = arg;
  for (size_t i = 0; i < si->n; i++)
    if (si->regs[i].h.on_add)
      si->regs[i].h.on_add(obj, si->regs[i].arg);
}

static void fan_update(json_t *old, json_t *obj, void *arg) {
  tug_shared_informer *si = arg;
  for (size_t i = 0; i < si->n; i++)
    if (si->regs[i].h.on_update)
      si->regs[i].h.on_update(old, obj, si->regs[i].arg);
}

static void fan_delete(json_t *obj, void *arg) {
  tug_shared_informer *si = arg;
  for (size_t i = 0; i < si->n; i++)
    if (si->regs[i].h.on_delete)
      si->regs[i].h.on_delete(obj, si->regs[i].arg);
}

tug_shared_informer *tug_shared_informer_new(tug_client *client, const char *resource_path,
                                             tug_error *err) {
  return tug_shared_informer_new_with(client, &(tug_shared_informer_options){.path = resource_path},
                                      err);
}

tug_shared_informer *tug_shared_informer_new_with(tug_client *client,
                                                  const tug_shared_informer_options *o,
                                                  tug_error *err) {
  tug_shared_informer *si = calloc(1, sizeof *si);
  if (si == NULL || (si->path = strdup(o->path)) == NULL) {
    free(si);
    tug_error_errno(err, ENOMEM, "informer %s", o->path);
    return NULL;
  }
  tug_informer_handlers h = {fan_add, fan_update, fan_delete};
  si->inf = tug_informer_new(client, o->path, o->label_selector, o->field_selector, &h, si, err);
  if (si->inf == NULL) {
    free(si->path);
    free(si);
    return NULL;
  }
  if (o->transform)
    tug_informer_set_transform(si->inf, o->transform, o->transform_arg);
  return si;
}

int tug_shared_informer_add_index(tug_shared_informer *si, const char *name,
                                  tug_informer_index_fn fn, tug_error *err) {
  return tug_informer_add_index(si->inf, name, fn, err);
}

int tug_shared_informer_add_handlers(tug_shared_informer *si, const tug_informer_handlers *h,
                                     void *arg, tug_error *err) {
  if (si->n == MAX_REGISTRATIONS)
    return tug_error_set(err, ENOSPC, "informer %s: too many handlers", si->path);
  si->regs[si->n++] = (registration){*h, arg};
  return 0;
}

int tug_shared_informer_start(tug_shared_informer *si, tug_error *err) {
  if (tug_informer_start(si->inf, err) < 0)
    return tug_error_wrap(err, "watch %s", si->path);
  return 0;
}

tug_informer *tug_shared_informer_informer(tug_shared_informer *si) {
  return si->inf;
}

void tug_shared_informer_free(tug_shared_informer *si) {
  if (si == NULL)
    return;
  tug_informer_free(si->inf);
  free(si->path);
  free(si);
}

bool tug_index_pod_node(const json_t *obj, char *buf, size_t size) {
  const char *node = tug_obj_get_str(obj, "spec.nodeName");
  return node && node[0] && (size_t)snprintf(buf, size, "%s", node) < size;
}

bool tug_index_owner_uid(const json_t *obj, char *buf, size_t size) {
  const char *uid = json_string_value(json_object_get(tug_controller_ref(obj), "uid"));
  return uid && uid[0] && (size_t)snprintf(buf, size, "%s", uid) < size;
}

/* ---- controllers ---- */

static const double latency_bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                        0.1,   0.25,   0.5,   1,    2.5,   10};

typedef enum { WATCH_SELF, WATCH_OWNED, WATCH_FN } watch_mode;

typedef struct watch {
  tug_controller *c;
  tug_shared_informer *si;
  watch_mode mode;
  const char *owner_kind;
  tug_controller_map_fn fn;
  void *arg;
} watch;

struct tug_controller {
  tug_controller_options o;
  char *name;
  tug_workqueue *q;
  tug_expectations *exp;
  tug_shared_informer *primary;
  watch watches[MAX_WATCHES];
  size_t n_watches;
  pthread_t *threads;
  int n_threads;
  pthread_t ticker;
  bool ticking;
  tug_stopper stopper; /* the ticker's sleeps */
  _Atomic uint64_t errors;
  tug_histogram latency; /* of reconciles; its count is theirs */
};

tug_controller *tug_controller_new(const tug_controller_options *o, tug_error *err) {
  tug_controller *c = calloc(1, sizeof *c);
  if (c == NULL) {
    tug_error_errno(err, ENOMEM, "controller %s", o->name);
    return NULL;
  }
  c->o = *o;
  tug_histogram_init(&c->latency, latency_bounds, sizeof latency_bounds / sizeof latency_bounds[0]);
  if (c->o.workers < 1)
    c->o.workers = 1;
  tug_workqueue_options qo = {o->base_delay_ms, o->max_delay_ms ? o->max_delay_ms : 60000};
  c->name = strdup(o->name);
  c->q = tug_workqueue_new(&qo);
  c->exp = tug_expectations_new();
  tug_stopper_init(&c->stopper);
  if (c->name == NULL || c->q == NULL || c->exp == NULL) {
    tug_controller_free(c);
    tug_error_errno(err, ENOMEM, "controller %s", o->name);
    return NULL;
  }
  c->o.name = c->name;
  return c;
}

const char *tug_controller_name(const tug_controller *c) {
  return c->name;
}

tug_expectations *tug_controller_expectations(tug_controller *c) {
  return c->exp;
}

void tug_controller_enqueue(tug_controller *c, const char *key) {
  tug_workqueue_add(c->q, key);
}

void tug_controller_enqueue_after(tug_controller *c, const char *key, long delay_ms) {
  tug_workqueue_add_after(c->q, key, delay_ms);
}

void tug_controller_enqueue_obj(tug_controller *c, const json_t *obj) {
  char key[KEY_SIZE];
  if (obj && tug_informer_key(obj, key, sizeof key) == 0)
    tug_workqueue_add(c->q, key);
}

/* ---- owner references ---- */

json_t *tug_controller_ref(const json_t *obj) {
  size_t i;
  json_t *ref;
  json_array_foreach(tug_obj_get(obj, "metadata.ownerReferences"), i, ref) {
    if (json_is_true(json_object_get(ref, "controller")))
      return ref;
  }
  return NULL;
}

json_t *tug_controller_ref_new(const json_t *owner) {
  return json_pack("{s:s?, s:s?, s:s?, s:s?, s:b, s:b}", "apiVersion", tug_obj_api_version(owner),
                   "kind", tug_obj_kind(owner), "name", tug_obj_name(owner), "uid",
                   tug_obj_uid(owner), "controller", 1, "blockOwnerDeletion", 1);
}

bool tug_controller_owner_key(const json_t *obj, const char *kind, char *buf, size_t size) {
  json_t *ref = tug_controller_ref(obj);
  const char *k = json_string_value(json_object_get(ref, "kind"));
  const char *name = json_string_value(json_object_get(ref, "name"));
  const char *ns = tug_obj_namespace(obj);
  if (k == NULL || name == NULL || strcmp(k, kind) != 0)
    return false;
  int n = ns && ns[0] ? snprintf(buf, size, "%s/%s", ns, name) : snprintf(buf, size, "%s", name);
  return n > 0 && (size_t)n < size;
}

/* ---- handlers ---- */

static void owned_changed(watch *w, const json_t *old, const json_t *obj, bool deleted) {
  char key[KEY_SIZE], old_key[KEY_SIZE];
  bool has = tug_controller_owner_key(obj, w->owner_kind, key, sizeof key);
  const char *uid = tug_obj_uid(obj);
  bool was_deleting = old && tug_obj_deletion_timestamp(old);
  if (has) {
    if (old == NULL && !deleted && !tug_obj_deletion_timestamp(obj))
      tug_expectations_creation_observed(w->c->exp, key);
    else if (uid && (deleted || (tug_obj_deletion_timestamp(obj) && !was_deleting)))
      tug_expectations_deletion_observed(w->c->exp, key, uid);
    tug_workqueue_add(w->c->q, key);
  }
  if (old && tug_controller_owner_key(old, w->owner_kind, old_key, sizeof old_key) &&
      (!has || strcmp(key, old_key) != 0))
    tug_workqueue_add(w->c->q, old_key);
}

static void dispatch(watch *w, const json_t *old, const json_t *obj, bool deleted) {
  switch (w->mode) {
  case WATCH_SELF:
    tug_controller_enqueue_obj(w->c, obj);
    break;
  case WATCH_OWNED:
    owned_changed(w, old, obj, deleted);
    break;
  case WATCH_FN:
    w->fn(w->c, old, obj, deleted, w->arg);
    break;
  }
}

static void on_add(json_t *obj, void *arg) {
  dispatch(arg, NULL, obj, false);
}
static void on_update(json_t *old, json_t *obj, void *arg) {
  dispatch(arg, old, obj, false);
}
static void on_delete(json_t *obj, void *arg) {
  dispatch(arg, NULL, obj, true);
}

static int add_watch(tug_controller *c, tug_shared_informer *si, watch w, tug_error *err) {
  if (c->n_watches == MAX_WATCHES)
    return tug_error_set(err, ENOSPC, "controller %s: too many watches", c->name);
  watch *slot = &c->watches[c->n_watches++];
  *slot = w;
  slot->c = c;
  slot->si = si;
  tug_informer_handlers h = {on_add, on_update, on_delete};
  return tug_shared_informer_add_handlers(si, &h, slot, err);
}

int tug_controller_watch(tug_controller *c, tug_shared_informer *si, tug_error *err) {
  if (c->primary == NULL)
    c->primary = si;
  return add_watch(c, si, (watch){.mode = WATCH_SELF}, err);
}

int tug_controller_watch_owned(tug_controller *c, tug_shared_informer *si, const char *owner_kind,
                               tug_error *err) {
  return add_watch(c, si, (watch){.mode = WATCH_OWNED, .owner_kind = owner_kind}, err);
}

int tug_controller_watch_fn(tug_controller *c, tug_shared_informer *si, tug_controller_map_fn fn,
                            void *arg, tug_error *err) {
  return add_watch(c, si, (watch){.mode = WATCH_FN, .fn = fn, .arg = arg}, err);
}

/* ---- workers ---- */

static void observe(tug_controller *c, double seconds, bool failed) {
  tug_histogram_observe(&c->latency, seconds);
  if (failed)
    atomic_fetch_add(&c->errors, 1);
}

int tug_controller_reconcile(tug_controller *c, const char *key, tug_error *err) {
  double start = tug_monotonic_seconds();
  int rc = c->o.reconcile(c, key, c->o.arg, err);
  observe(c, tug_monotonic_seconds() - start, rc < 0);
  return rc;
}

static void *worker_main(void *arg) {
  tug_controller *c = arg;
  char *key;
  if (c->o.worker_init)
    c->o.worker_init(c, c->o.arg);
  while ((key = tug_workqueue_get(c->q)) != NULL) {
    tug_error err = {0};
    int rc = tug_controller_reconcile(c, key, &err);
    if (rc < 0) {
      char q[512];
      /* Conflicts are the ordinary price of optimistic concurrency. */
      tug_log(err.code == TUG_E_CONFLICT ? TUG_LOG_DEBUG : TUG_LOG_WARN, "reconcile failed",
              "controller=%s key=%s retries=%d err=%s", c->name, key,
              tug_workqueue_num_requeues(c->q, key), tug_log_quote(q, sizeof q, err.msg));
      tug_workqueue_add_rate_limited(c->q, key);
    } else {
      tug_workqueue_forget(c->q, key);
    }
    tug_workqueue_done(c->q, key);
    free(key);
  }
  return NULL;
}

static void resync_all(tug_controller *c) {
  json_t *all = tug_informer_list(tug_shared_informer_informer(c->primary));
  size_t i;
  json_t *obj;
  json_array_foreach(all, i, obj) tug_controller_enqueue_obj(c, obj);
  json_decref(all);
}

/* The ticker's next deadline for a period (monotonic seconds); 0: never. */
static double next_at(double now, long period_ms) {
  return period_ms > 0 ? now + (double)period_ms / 1000 : 0;
}

static double earliest(double a, double b) {
  return a == 0 ? b : b == 0 || a < b ? a : b;
}

static void *ticker_main(void *arg) {
  tug_controller *c = arg;
  double now = tug_monotonic_seconds();
  double resync_at = c->primary ? next_at(now, c->o.resync_period_ms) : 0;
  double tick_at = c->o.tick ? next_at(now, c->o.tick_period_ms) : 0;
  for (;;) {
    double wait_s = earliest(resync_at, tick_at) - tug_monotonic_seconds();
    if (!tug_stopper_sleep_ms(&c->stopper, wait_s > 0 ? (long)(wait_s * 1000 + 0.5) : 0))
      break;
    now = tug_monotonic_seconds();
    if (resync_at && now >= resync_at) {
      resync_all(c);
      resync_at = next_at(now, c->o.resync_period_ms);
    }
    if (tick_at && now >= tick_at) {
      c->o.tick(c, c->o.arg);
      tick_at = next_at(now, c->o.tick_period_ms);
    }
  }
  return NULL;
}

/* Wait until every informer the controller watches has listed, then run the
 * hook; a timeout is a warning, not a failure (the caches fill later). */
static void run_on_synced(tug_controller *c) {
  long timeout = c->o.sync_timeout_ms > 0 ? c->o.sync_timeout_ms : 60000;
  double deadline = tug_monotonic_seconds() + (double)timeout / 1000;
  for (size_t i = 0; i < c->n_watches; i++) {
    long left = (long)((deadline - tug_monotonic_seconds()) * 1000);
    if (!tug_informer_wait_synced(c->watches[i].si->inf, left > 0 ? left : 0)) {
      tug_warn("informers not synced in time; synced hook skipped",
               "controller=%s resource=%s timeout_ms=%ld", c->name, c->watches[i].si->path,
               timeout);
      return;
    }
  }
  c->o.on_synced(c, c->o.arg);
}

int tug_controller_start(tug_controller *c, tug_error *err) {
  c->threads = calloc((size_t)c->o.workers, sizeof *c->threads);
  if (c->threads == NULL)
    return tug_error_errno(err, ENOMEM, "controller %s", c->name);
  if (c->o.on_synced)
    run_on_synced(c);
  for (; c->n_threads < c->o.workers; c->n_threads++) {
    int rc = pthread_create(&c->threads[c->n_threads], NULL, worker_main, c);
    if (rc != 0)
      return tug_error_errno(err, rc, "controller %s: start worker", c->name);
  }
  if ((c->o.resync_period_ms > 0 && c->primary) || (c->o.tick && c->o.tick_period_ms > 0)) {
    int rc = pthread_create(&c->ticker, NULL, ticker_main, c);
    if (rc != 0)
      return tug_error_errno(err, rc, "controller %s: start ticker", c->name);
    c->ticking = true;
  }
  return 0;
}

void tug_controller_stop(tug_controller *c) {
  if (c == NULL)
    return;
  tug_stopper_stop(&c->stopper);
  if (c->ticking)
    pthread_join(c->ticker, NULL);
  c->ticking = false;
  tug_workqueue_shutdown(c->q);
  for (int i = 0; i < c->n_threads; i++)
    pthread_join(c->threads[i], NULL);
  c->n_threads = 0;
}

void tug_controller_free(tug_controller *c) {
  if (c == NULL)
    return;
  tug_controller_stop(c);
  tug_workqueue_free(c->q);
  tug_expectations_free(c->exp);
  tug_stopper_destroy(&c->stopper);
  free(c->threads);
  free(c->name);
  free(c);
}

/* ---- metrics ---- */

static void render_latency(tug_controller *const *cs, size_t n, FILE *f) {
  fputs("# HELP tug_controller_reconcile_duration_seconds Time spent in reconcile.\n"
        "# TYPE tug_controller_reconcile_duration_seconds histogram\n",
        f);
  for (size_t k = 0; k < n; k++) {
    char labels[160];
    snprintf(labels, sizeof labels, "controller=\"%s\"", cs[k]->name);
    tug_histogram_render(&cs[k]->latency, f, "tug_controller_reconcile_duration_seconds", labels);
  }
}

static void render_family(tug_controller *const *cs, size_t n, FILE *f, const char *name,
                          const char *help, const char *type,
                          uint64_t (*value)(tug_controller *c)) {
  fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
  for (size_t i = 0; i < n; i++)
    fprintf(f, "%s{controller=\"%s\"} %llu\n", name, cs[i]->name, (unsigned long long)value(cs[i]));
}

static uint64_t depth(tug_controller *c) {
  return tug_workqueue_len(c->q);
}
static uint64_t reconciles(tug_controller *c) {
  return atomic_load(&c->latency.count);
}
static uint64_t errors(tug_controller *c) {
  return atomic_load(&c->errors);
}

void tug_controller_render_metrics(tug_controller *const *cs, size_t n, FILE *f) {
  render_family(cs, n, f, "tug_controller_workqueue_depth", "Keys ready and waiting for a worker.",
                "gauge", depth);
  render_family(cs, n, f, "tug_controller_reconcile_total", "Reconciles run.", "counter",
                reconciles);
  render_family(cs, n, f, "tug_controller_reconcile_errors_total",
                "Reconciles that failed and were retried.", "counter", errors);
  render_latency(cs, n, f);
}
