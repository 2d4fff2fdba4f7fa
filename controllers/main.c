/*
 * tug-controllers — the reconcilers that make the cluster heal.
 *
 * main parses flags and wires the pieces: one API client, one Event
 * recorder, one shared informer per resource; each controller registers its
 * watches, the informers start and sync, then the controllers' workers start.
 * /metrics and /healthz are served on --listen. SIGTERM or SIGINT stops it
 * all in reverse order.
 */
#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "daemon.h"
#include "flags.h"
#include "kubeconfig.h"
#include "leader.h"
#include "log.h"
#include "metrics-server.h"

#define SYNC_TIMEOUT_MS 60000

typedef struct config {
  const char *server, *token, *kubeconfig, *log_level, *log_file, *controllers, *root_ca_file,
      *leader_elect;
  tug_metrics_server_options metrics;
  tug_leader_options leader;
  ctl_config ctl;
} config;

static const char summary[] =
    "Runs Tugboat's controllers: replicaset, deployment, job, garbagecollector,\n"
    "namespace, endpoints, resourcequota, nodelifecycle, nodeipam, serviceaccounts (--controllers\n"
    "picks some, comma-separated; default all). /metrics and /healthz on --listen.\n"
    "Replicas elect one leader through the Lease tug-system/tug-controllers; only\n"
    "it reconciles (docs/reliability.md). --server takes several URLs, comma-separated.\n"
    "See docs/controllers.md.";

/* The CA file whole, kept for the life of the process; it must hold a PEM certificate. */
static int read_root_ca(const char *path, ctl_config *ctl, tug_error *err) {
  FILE *f = fopen(path, "r");
  if (f == NULL)
    return tug_error_errno(err, errno, "--root-ca-file: open %s", path);
  static char pem[256 * 1024];
  size_t n = fread(pem, 1, sizeof pem - 1, f);
  bool whole = feof(f);
  fclose(f);
  pem[n] = '\0';
  if (!whole || strstr(pem, "-----BEGIN CERTIFICATE-----") == NULL)
    return tug_error_set(err, EINVAL,
                         "--root-ca-file %s: not a PEM certificate bundle of 256 KiB "
                         "at most",
                         path);
  ctl->root_ca_pem = pem;
  return 0;
}

/* 0: run; 1: --help was printed; -1: bad flags (reported). */
static int parse_args(int argc, char **argv, config *c) {
  *c = (config){.metrics = {.listen = "127.0.0.1:10252"},
                .log_level = "info",
                .controllers = "all",
                .leader_elect = "true",
                .ctl = {.workers = 4,
                        .node_grace_s = 20,
                        .unreachable_toleration_s = 30,
                        .node_monitor_period_s = 1,
                        .cluster_cidr = "198.18.0.0/16",
                        .node_cidr_mask = 24,
                        .job_backoff_s = 10,
                        .quota_resync_s = 30}};
  tug_leader_options_default(&c->leader, "tug-controllers");
  const tug_flag flags[] = {
      {"server", TUG_FLAG_STRING, &c->server, .arg = "URL[,URL...]",
       .help = "the API servers, tried in turn (overrides the kubeconfig's)"},
      {"kubeconfig", TUG_FLAG_STRING, &c->kubeconfig, .arg = "FILE",
       .help = "the API server, its CA and this component's credentials"},
      {"token", TUG_FLAG_STRING, &c->token, .arg = "TOKEN", .help = "bearer token for it"},
      TUG_METRICS_SERVER_FLAGS(&c->metrics),
      {"workers", TUG_FLAG_INT, &c->ctl.workers, .min = 1, .max = 256, .arg = "N",
       .help = "workers per controller"},
      {"controllers", TUG_FLAG_STRING, &c->controllers, .arg = "LIST",
       .help = "which controllers run"},
      {"node-grace", TUG_FLAG_DURATION, &c->ctl.node_grace_s, .min = 1, .max = 86400,
       .arg = "DURATION", .help = "a node without a Lease renewal this long is NotReady"},
      {"default-unreachable-toleration", TUG_FLAG_DURATION, &c->ctl.unreachable_toleration_s,
       .min = 0, .max = 86400 * 7, .arg = "DURATION",
       .help = "how long pods without their own toleration stay on a lost node"},
      {"cluster-cidr", TUG_FLAG_STRING, &c->ctl.cluster_cidr, .arg = "CIDR",
       .help = "pod addresses, one node CIDR each"},
      {"node-cidr-mask-size", TUG_FLAG_INT, &c->ctl.node_cidr_mask, .min = 1, .max = 30, .arg = "N",
       .help = "prefix length of a node's pod CIDR"},
      {"job-backoff", TUG_FLAG_DURATION, &c->ctl.job_backoff_s, .min = 0, .max = 3600,
       .arg = "DURATION", .help = "a Job's first retry delay after a failed pod"},
      {"quota-resync", TUG_FLAG_DURATION, &c->ctl.quota_resync_s, .min = 1, .max = 86400,
       .arg = "DURATION", .help = "how often quota usage is recounted"},
      {"log-level", TUG_FLAG_STRING, &c->log_level, .arg = "LEVEL",
       .help = "debug, info, warn or error"},
      {"root-ca-file", TUG_FLAG_STRING, &c->root_ca_file, .arg = "PATH",
       .help = "the cluster CA (PEM), published as ca.crt of each namespace's kube-root-ca.crt"},
      {"log-file", TUG_FLAG_STRING, &c->log_file, .arg = "PATH", .help = "stderr when unset"},
      TUG_LEADER_FLAGS(&c->leader, &c->leader_elect),
      {0},
  };
  tug_error err = {0};
  int rc = tug_flags_parse("tug-controllers", summary, flags, argc, argv, &err);
  if (rc == 0 && c->server == NULL && c->kubeconfig == NULL)
    rc = tug_error_set(&err, EINVAL, "--kubeconfig (or --server) is required");
  if (rc == 0 && tug_leader_elect_parse(c->leader_elect) < 0)
    rc = tug_error_set(&err, EINVAL, "--leader-elect %s: want true or false", c->leader_elect);
  if (rc == 0 && tug_leader_options_check(&c->leader, &err) < 0)
    rc = -1;
  if (rc == 0 && c->root_ca_file && read_root_ca(c->root_ca_file, &c->ctl, &err) < 0)
    rc = -1;
  if (rc == 0)
    rc = tug_metrics_server_check(&c->metrics, &err);
  if (rc < 0)
    fprintf(stderr, "tug-controllers: %s (see --help)\n", err.msg);
  return rc;
}

/* ---- the controllers ---- */

typedef struct entry {
  const char *name;
  tug_controller *(*make)(ctl_ctx *x, tug_error *err);
} entry;

static const entry all_controllers[] = {
    {"replicaset", ctl_replicaset_new},
    {"deployment", ctl_deployment_new},
    {"job", ctl_job_new},
    {"garbagecollector", ctl_gc_new},
    {"namespace", ctl_namespace_new},
    {"endpoints", ctl_endpoints_new},
    {"resourcequota", ctl_quota_new},
    {"nodelifecycle", ctl_nodelifecycle_new},
    {"nodeipam", ctl_nodeipam_new},
    {"serviceaccounts", ctl_serviceaccounts_new},
    {"replicationcontroller", ctl_replicationcontroller_new},
    {"disruption", ctl_disruption_new},
    {"cronjob", ctl_cronjob_new},
    {"daemonset", ctl_daemonset_new},
    {"persistentvolume-binder", ctl_pvc_new},
    {"persistentvolume-reclaimer", ctl_pv_new},
    {"statefulset", ctl_statefulset_new},
};
enum { N_CONTROLLERS = sizeof all_controllers / sizeof all_controllers[0] };

static bool wanted(const char *list, const char *name) {
  if (strcmp(list, "all") == 0)
    return true;
  size_t n = strlen(name);
  for (const char *p = list; (p = strstr(p, name)) != NULL; p += n)
    if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
      return true;
  return false;
}

typedef struct running {
  tug_controller *c[N_CONTROLLERS];
  size_t n;
} running;

static void render(FILE *f, void *arg) {
  running *r = arg;
  tug_controller_render_metrics(r->c, r->n, f);
}

static int start_informers(ctl_ctx *x, tug_error *err) {
  for (int i = 0; i < CTL_N_RESOURCES; i++)
    if (tug_shared_informer_start(x->inf[i], err) < 0)
      return -1;
  for (int i = 0; i < CTL_N_RESOURCES; i++)
    if (!tug_informer_wait_synced(tug_shared_informer_informer(x->inf[i]), SYNC_TIMEOUT_MS))
      return tug_error_set(err, ETIMEDOUT, "list %s: not synced in time", ctl_resource_kinds[i]);
  return 0;
}

static int setup(const config *cfg, ctl_ctx *x, running *r, tug_error *err) {
  if (ctl_open_informers(x, err) < 0)
    return -1;
  for (size_t i = 0; i < N_CONTROLLERS; i++) {
    if (!wanted(cfg->controllers, all_controllers[i].name))
      continue;
    if ((r->c[r->n] = all_controllers[i].make(x, err)) == NULL)
      return tug_error_wrap(err, "controller %s", all_controllers[i].name);
    r->n++;
  }
  if (r->n == 0)
    return tug_error_set(err, EINVAL, "--controllers %s: no known controller", cfg->controllers);
  return start_informers(x, err);
}

static int start_controllers(running *r, tug_error *err) {
  for (size_t i = 0; i < r->n; i++)
    if (tug_controller_start(r->c[i], err) < 0)
      return -1;
  return 0;
}

static int run(const config *cfg, tug_error *err) {
  ctl_ctx x = {.cfg = cfg->ctl};
  running r = {0};
  tug_metrics_server *metrics = NULL;
  tug_leader *leader = NULL;
  tug_metrics_server_options mo = cfg->metrics;
  int rc = -1, sig = 0;
  if ((x.client = tug_kubeconfig_client_for_flags(cfg->kubeconfig, cfg->server, cfg->token, err)) ==
      NULL)
    return -1;
  mo.api = x.client;
  if (tug_events_open(x.client, "tug-controllers", NULL, &x.events, err) < 0 ||
      (metrics = tug_metrics_server_start(&mo, render, &r, err)) == NULL ||
      setup(cfg, &x, &r, err) < 0)
    goto out;
  /* A standby's informers stay synced, so it reconciles at once when it leads. */
  if (tug_leader_elect_parse(cfg->leader_elect) == 1 &&
      (leader = tug_leader_new(x.client, &cfg->leader, err)) == NULL)
    goto out;
  if (leader && (sig = tug_leader_campaign(leader)) != 0)
    goto stopping;
  if (start_controllers(&r, err) < 0)
    goto out;
  tug_info("controllers running", "server=%s listen=%s controllers=%zu",
           tug_client_server(x.client), mo.listen, r.n);
  sig = tug_daemon_wait_signal();
stopping:
  tug_info("shutting down", "signal=%s", strsignal(sig));
  rc = 0;
out:
  for (size_t i = 0; i < r.n; i++)
    tug_controller_stop(r.c[i]);
  tug_leader_free(leader); /* once nothing reconciles any more */
  /* Informers first: their handlers queue into the controllers freed below. */
  for (int i = 0; i < CTL_N_RESOURCES; i++)
    if (x.inf[i])
      tug_informer_stop(tug_shared_informer_informer(x.inf[i]));
  tug_metrics_server_stop(metrics);
  for (size_t i = 0; i < r.n; i++)
    tug_controller_free(r.c[i]);
  ctl_close_informers(&x);
  tug_events_close(x.events);
  tug_client_free(x.client);
  return rc;
}

int main(int argc, char **argv) {
  config cfg;
  int parsed = parse_args(argc, argv, &cfg);
  if (parsed != 0)
    return parsed > 0 ? 0 : 2;
  if (tug_daemon_init("tug-controllers", "controllers", cfg.log_level, cfg.log_file) < 0)
    return 2;
  tug_error err = {0};
  if (run(&cfg, &err) < 0) {
    fprintf(stderr, "tug-controllers: %s\n", err.msg);
    return 1;
  }
  return 0;
}
