/*
 * tug-scheduler — places pending pods on nodes through Tugboat's queues.
 *
 * main parses flags and wires the pieces: shared informers on nodes, queues,
 * namespaces and pods feed the core (scheduler.h) and queue the one key
 * "schedule" of a lib/controller controller, whose single worker runs the
 * core's decisions; its tick brings the key back every IDLE_TICK_MS (pods
 * whose back-off ended) and kicks parked pods every KICK_PERIOD_S. The
 * binder's workers talk to the API server; a status writer keeps
 * Queue.status true; /metrics is served on --listen. SIGTERM or SIGINT stops
 * it all in reverse order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bind.h"
#include "clock.h"
#include "controller.h"
#include "daemon.h"
#include "events.h"
#include "flags.h"
#include "framework.h"
#include "http.h"
#include "kubeconfig.h"
#include "leader.h"
#include "log.h"
#include "metrics.h"
#include "object.h"
#include "pod-trim.h"
#include "queue-status.h"
#include "scheduler.h"

#define KICK_PERIOD_S 60.0
#define IDLE_TICK_MS 50
#define SYNC_TIMEOUT_MS 60000
#define SCHEDULE_KEY "schedule"
/* Decisions per reconcile: the key comes back at once if there are more, so
 * a stop never waits for a long backlog. */
#define DECISIONS_PER_PASS 256

typedef struct config {
  const char *server, *token, *kubeconfig, *config_file, *log_level, *log_file, *leader_elect;
  tug_metrics_server_options metrics;
  tug_leader_options leader;
  int bind_workers;
  int64_t status_period_ms;
} config;

static const char summary[] =
    "Places pending pods on nodes through Queues (scheduling.tug.io/v1): priority\n"
    "then age inside a queue, DRF fair share across queues, nominal quota with\n"
    "borrowing and lending in cohorts, and preemption. --config names a\n"
    "SchedulerConfiguration (plugins and weights, node sampling; see\n"
    "docs/scheduler.md). /metrics and /healthz are served on --listen. Replicas\n"
    "elect one leader through the Lease tug-system/tug-scheduler; only it binds\n"
    "(docs/reliability.md). --server takes several URLs, comma-separated.";

/* 0: run; 1: --help was printed; -1: bad flags (reported). */
static int parse_args(int argc, char **argv, config *c) {
  *c = (config){.metrics = {.listen = "127.0.0.1:10251"},
                .log_level = "info",
                .bind_workers = 32,
                .status_period_ms = 1000,
                .leader_elect = "true"};
  tug_leader_options_default(&c->leader, "tug-scheduler");
  const tug_flag flags[] = {
      {"server", TUG_FLAG_STRING, &c->server, .arg = "URL[,URL...]",
       .help = "the API servers, tried in turn (overrides the kubeconfig's)"},
      {"kubeconfig", TUG_FLAG_STRING, &c->kubeconfig, .arg = "FILE",
       .help = "the API server, its CA and this component's credentials"},
      {"token", TUG_FLAG_STRING, &c->token, .arg = "TOKEN", .help = "bearer token for it"},
      {"config", TUG_FLAG_STRING, &c->config_file, .arg = "FILE",
       .help = "a SchedulerConfiguration"},
      TUG_METRICS_SERVER_FLAGS(&c->metrics),
      {"bind-workers", TUG_FLAG_INT, &c->bind_workers, .min = 1, .max = 1024, .arg = "N",
       .help = "binds in flight at once"},
      {"status-period-ms", TUG_FLAG_INT64, &c->status_period_ms, .min = 10, .max = 3600000,
       .arg = "MS", .help = "how often Queue status is written when it changed"},
      {"log-level", TUG_FLAG_STRING, &c->log_level, .arg = "LEVEL",
       .help = "debug, info, warn or error"},
      {"log-file", TUG_FLAG_STRING, &c->log_file, .arg = "PATH", .help = "stderr when unset"},
      TUG_LEADER_FLAGS(&c->leader, &c->leader_elect),
      {0},
  };
  tug_error err = {0};
  int rc = tug_flags_parse("tug-scheduler", summary, flags, argc, argv, &err);
  if (rc == 0 && c->server == NULL && c->kubeconfig == NULL)
    rc = tug_error_set(&err, EINVAL, "--kubeconfig (or --server) is required");
  if (rc == 0 && tug_leader_elect_parse(c->leader_elect) < 0)
    rc = tug_error_set(&err, EINVAL, "--leader-elect %s: want true or false", c->leader_elect);
  if (rc == 0 && tug_leader_options_check(&c->leader, &err) < 0)
    rc = -1;
  if (rc == 0)
    rc = tug_metrics_server_check(&c->metrics, &err);
  if (rc < 0)
    fprintf(stderr, "tug-scheduler: %s (see --help)\n", err.msg);
  return rc;
}

/* ---- informers → core → the decision controller ---- */

typedef struct app {
  sched_core *core;
  tug_controller *c;
  double next_kick; /* monotonic; only the tick reads it */
} app;

static void wake(app *a) {
  tug_controller_enqueue(a->c, SCHEDULE_KEY);
}

static void pod_add(json_t *o, void *arg) {
  app *a = arg;
  sched_core_pod_changed(a->core, o, tug_monotonic_seconds());
  wake(a);
}
static void pod_update(json_t *old, json_t *o, void *arg) {
  (void)old, pod_add(o, arg);
}
static void pod_delete(json_t *o, void *arg) {
  app *a = arg;
  sched_core_pod_deleted(a->core, o);
  wake(a);
}

static void node_add(json_t *o, void *arg) {
  app *a = arg;
  sched_core_node_changed(a->core, o);
  wake(a);
}
static void node_update(json_t *old, json_t *o, void *arg) {
  (void)old, node_add(o, arg);
}
static void node_delete(json_t *o, void *arg) {
  app *a = arg;
  const char *name = tug_obj_name(o);
  if (name)
    sched_core_node_deleted(a->core, name);
  wake(a);
}

static void queue_add(json_t *o, void *arg) {
  app *a = arg;
  sched_core_queue_changed(a->core, o);
  wake(a);
}
static void queue_update(json_t *old, json_t *o, void *arg) {
  (void)old, queue_add(o, arg);
}
static void queue_delete(json_t *o, void *arg) {
  app *a = arg;
  const char *name = tug_obj_name(o);
  if (name)
    sched_core_queue_deleted(a->core, name);
  wake(a);
}

static void ns_add(json_t *o, void *arg) {
  app *a = arg;
  const char *name = tug_obj_name(o);
  json_t *labels = tug_obj_labels(o);
  json_t *empty = labels ? NULL : json_object();
  if (name)
    sched_core_namespace_changed(a->core, name, labels ? labels : empty);
  json_decref(empty);
  wake(a);
}
static void ns_update(json_t *old, json_t *o, void *arg) {
  (void)old, ns_add(o, arg);
}
static void ns_delete(json_t *o, void *arg) {
  app *a = arg;
  const char *name = tug_obj_name(o);
  if (name)
    sched_core_namespace_changed(a->core, name, NULL);
}

/* Claims, volumes and classes: what the volume binding plugin reads. */
static void storage_set(const char *kind, json_t *o, bool deleted, void *arg) {
  app *a = arg;
  sched_core_storage_changed(a->core, kind, o, deleted);
  wake(a);
}
#define STORAGE_HANDLERS(id, kind)                                                                 \
  static void id##_add(json_t *o, void *arg) {                                                     \
    storage_set(kind, o, false, arg);                                                              \
  }                                                                                                \
  static void id##_update(json_t *old, json_t *o, void *arg) {                                     \
    (void)old, storage_set(kind, o, false, arg);                                                   \
  }                                                                                                \
  static void id##_delete(json_t *o, void *arg) {                                                  \
    storage_set(kind, o, true, arg);                                                               \
  }
STORAGE_HANDLERS(claim, "PersistentVolumeClaim")
STORAGE_HANDLERS(volume, "PersistentVolume")
STORAGE_HANDLERS(class, "StorageClass")

static int decide(tug_controller *c, const char *key, void *arg, tug_error *err) {
  (void)key, (void)err;
  app *a = arg;
  for (int i = 0; i < DECISIONS_PER_PASS; i++)
    if (!sched_core_schedule_one(a->core, tug_monotonic_seconds()))
      return 0;
  tug_controller_enqueue(c, SCHEDULE_KEY);
  return 0;
}

static void tick(tug_controller *c, void *arg) {
  app *a = arg;
  double now = tug_monotonic_seconds();
  if (now >= a->next_kick) {
    sched_core_kick(a->core); /* unschedulable pods are tried again now and then */
    a->next_kick = now + KICK_PERIOD_S;
  }
  tug_controller_enqueue(c, SCHEDULE_KEY);
}

/* ---- start-up and shutdown ---- */

typedef struct watched {
  const char *path;
  tug_informer_handlers h;
  tug_informer_transform_fn trim; /* NULL: objects are kept whole */
  void *trim_arg;
  tug_shared_informer *si;
} watched;

/* One by one, in order: nodes and queues are cached before the first pod. */
static int start_informers(tug_client *cli, app *a, watched *w, size_t n, tug_error *err) {
  for (size_t i = 0; i < n; i++) {
    tug_shared_informer_options o = {
        .path = w[i].path, .transform = w[i].trim, .transform_arg = w[i].trim_arg};
    if ((w[i].si = tug_shared_informer_new_with(cli, &o, err)) == NULL ||
        tug_shared_informer_add_handlers(w[i].si, &w[i].h, a, err) < 0 ||
        tug_shared_informer_start(w[i].si, err) < 0)
      return tug_error_wrap(err, "watch %s", w[i].path);
    if (!tug_informer_wait_synced(tug_shared_informer_informer(w[i].si), SYNC_TIMEOUT_MS))
      return tug_error_set(err, ETIMEDOUT, "list %s: not synced in time", w[i].path);
  }
  return 0;
}

static tug_controller *decider_new(app *a, tug_error *err) {
  tug_controller_options o = {.name = "scheduler",
                              .reconcile = decide,
                              .arg = a,
                              .workers = 1,
                              .tick_period_ms = IDLE_TICK_MS,
                              .tick = tick};
  a->next_kick = tug_monotonic_seconds() + KICK_PERIOD_S;
  return tug_controller_new(&o, err);
}

static int run(const config *cfg, tug_error *err) {
  sched_profile prof;
  sched_profile_default(&prof);
  if (cfg->config_file && sched_profile_load_file(&prof, cfg->config_file, err) < 0)
    return -1;
  tug_client *cli = tug_kubeconfig_client_for_flags(cfg->kubeconfig, cfg->server, cfg->token, err);
  if (cli == NULL)
    return -1;
  tug_events *events = NULL;
  sched_metrics metrics = {0};
  sched_binder *binder = NULL;
  sched_status_writer *status = NULL;
  tug_leader *leader = NULL;
  sched_trimmer *trimmer = sched_trimmer_new();
  app a = {0};
  watched w[] = {
      {"/api/v1/nodes", {node_add, node_update, node_delete}, NULL, NULL, NULL},
      {"/apis/scheduling.tug.io/v1/queues",
       {queue_add, queue_update, queue_delete},
       NULL,
       NULL,
       NULL},
      {"/api/v1/namespaces", {ns_add, ns_update, ns_delete}, NULL, NULL, NULL},
      {"/apis/storage.k8s.io/v1/storageclasses",
       {class_add, class_update, class_delete},
       NULL,
       NULL,
       NULL},
      {"/api/v1/persistentvolumes", {volume_add, volume_update, volume_delete}, NULL, NULL, NULL},
      {"/api/v1/persistentvolumeclaims", {claim_add, claim_update, claim_delete}, NULL, NULL, NULL},
      /* 50,000 pods are most of the memory: keep only what scheduling reads. */
      {"/api/v1/pods", {pod_add, pod_update, pod_delete}, sched_pod_trim, trimmer, NULL},
  };
  const size_t n_watched = sizeof w / sizeof w[0];
  int rc = -1;
  if ((a.c = decider_new(&a, err)) == NULL ||
      tug_events_open(cli, "tug-scheduler", NULL, &events, err) < 0 ||
      (binder = sched_binder_new(cli, events, &metrics, cfg->bind_workers, err)) == NULL)
    goto out;
  if ((a.core = sched_core_new(&prof, &sched_binder_sink, binder)) == NULL) {
    tug_error_set(err, ENOMEM, "scheduler state");
    goto out;
  }
  sched_binder_attach(binder, a.core);
  sched_metrics_init(&metrics, a.core);
  metrics.decider = a.c;
  /* A standby keeps its caches warm, so it schedules at once when it leads. */
  tug_metrics_server_options mo = cfg->metrics;
  mo.api = cli;
  if (sched_metrics_serve(&metrics, &mo, err) < 0 ||
      start_informers(cli, &a, w, n_watched, err) < 0)
    goto out;
  int sig = 0;
  if (tug_leader_elect_parse(cfg->leader_elect) == 1 &&
      (leader = tug_leader_new(cli, &cfg->leader, err)) == NULL)
    goto out;
  if (leader && (sig = tug_leader_campaign(leader)) != 0)
    goto stopping;
  if ((status = sched_status_writer_start(cli, a.core, cfg->status_period_ms, err)) == NULL)
    goto out;
  wake(&a); /* what the lists brought */
  if (tug_controller_start(a.c, err) < 0)
    goto out;
  tug_info("scheduling", "server=%s listen=%s nodes=%zu", tug_client_server(cli), mo.listen,
           a.core->cache->n_nodes);
  sig = tug_daemon_wait_signal();
stopping:
  tug_info("shutting down", "signal=%s", strsignal(sig));
  rc = 0;
out:
  tug_controller_stop(a.c);
  sched_status_writer_stop(status);
  sched_binder_free(binder); /* no bind in flight when the Lease goes */
  binder = NULL;
  tug_leader_free(leader);
  for (size_t i = 0; i < n_watched; i++)
    tug_shared_informer_free(w[i].si);
  sched_binder_free(binder);
  sched_metrics_stop(&metrics);
  tug_controller_free(a.c); /* after the last scrape */
  tug_events_close(events);
  sched_core_free(a.core);
  sched_trimmer_free(trimmer);
  tug_client_free(cli);
  return rc;
}

int main(int argc, char **argv) {
  config cfg;
  int parsed = parse_args(argc, argv, &cfg);
  if (parsed != 0)
    return parsed > 0 ? 0 : 2;
  if (tug_daemon_init("tug-scheduler", "scheduler", cfg.log_level, cfg.log_file) < 0)
    return 2;
  tug_error err = {0};
  if (run(&cfg, &err) < 0) {
    fprintf(stderr, "tug-scheduler: %s\n", err.msg);
    return 1;
  }
  return 0;
}
