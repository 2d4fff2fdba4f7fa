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
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "log.h"
#include "metrics-server.h"

#define SYNC_TIMEOUT_MS 60000

typedef struct config {
  const char *server, *token, *listen, *log_level, *log_file, *controllers;
  ctl_config ctl;
} config;

static void usage(FILE *f) {
  fprintf(f, "usage: tug-controllers --server URL [--listen IP:PORT] [--workers N]\n"
             "                       [--controllers LIST] [--node-grace S]\n"
             "                       [--default-unreachable-toleration S] [--cluster-cidr CIDR]\n"
             "                       [--node-cidr-mask-size N] [--job-backoff S]\n"
             "                       [--quota-resync S] [--token TOKEN] [--log-level L]\n"
             "                       [--log-file PATH]\n"
             "\n"
             "Runs Tugboat's controllers: replicaset, deployment, job, garbagecollector,\n"
             "namespace, endpoints, resourcequota, nodelifecycle, nodeipam (--controllers\n"
             "picks some, comma-separated; default all). /metrics and /healthz on --listen\n"
             "(default 127.0.0.1:10252). See docs/controllers.md.\n");
}

static int number(const char *flag, const char *arg, double lo, double hi, double *out) {
  char *end;
  errno = 0;
  double v = strtod(arg, &end);
  if (errno || *end || end == arg || v < lo || v > hi) {
    fprintf(stderr, "tug-controllers: --%s: want a number in %g..%g\n", flag, lo, hi);
    return -1;
  }
  *out = v;
  return 0;
}

static int parse_args(int argc, char **argv, config *c) {
  enum {
    SERVER = 1,
    TOKEN,
    LISTEN,
    WORKERS,
    CONTROLLERS,
    GRACE,
    TOLERATION,
    CIDR,
    MASK,
    BACKOFF,
    QUOTA,
    LEVEL,
    LOGFILE
  };
  static const struct option opts[] = {
      {"server", required_argument, NULL, SERVER},
      {"token", required_argument, NULL, TOKEN},
      {"listen", required_argument, NULL, LISTEN},
      {"workers", required_argument, NULL, WORKERS},
      {"controllers", required_argument, NULL, CONTROLLERS},
      {"node-grace", required_argument, NULL, GRACE},
      {"default-unreachable-toleration", required_argument, NULL, TOLERATION},
      {"cluster-cidr", required_argument, NULL, CIDR},
      {"node-cidr-mask-size", required_argument, NULL, MASK},
      {"job-backoff", required_argument, NULL, BACKOFF},
      {"quota-resync", required_argument, NULL, QUOTA},
      {"log-level", required_argument, NULL, LEVEL},
      {"log-file", required_argument, NULL, LOGFILE},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0},
  };
  *c = (config){.listen = "127.0.0.1:10252",
                .log_level = "info",
                .controllers = "all",
                .ctl = {.workers = 4,
                        .node_grace_s = 20,
                        .unreachable_toleration_s = 30,
                        .node_monitor_period_s = 1,
                        .cluster_cidr = "198.18.0.0/16",
                        .node_cidr_mask = 24,
                        .job_backoff_s = 10,
                        .quota_resync_s = 30}};
  int opt, rc = 0;
  double v;
  while (rc == 0 && (opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (opt) {
    case SERVER:
      c->server = optarg;
      break;
    case TOKEN:
      c->token = optarg;
      break;
    case LISTEN:
      c->listen = optarg;
      break;
    case CONTROLLERS:
      c->controllers = optarg;
      break;
    case CIDR:
      c->ctl.cluster_cidr = optarg;
      break;
    case LEVEL:
      c->log_level = optarg;
      break;
    case LOGFILE:
      c->log_file = optarg;
      break;
    case WORKERS:
      rc = number("workers", optarg, 1, 256, &v);
      c->ctl.workers = (int)v;
      break;
    case MASK:
      rc = number("node-cidr-mask-size", optarg, 1, 30, &v);
      c->ctl.node_cidr_mask = (int)v;
      break;
    case GRACE:
      rc = number("node-grace", optarg, 1, 86400, &c->ctl.node_grace_s);
      break;
    case TOLERATION:
      rc = number("default-unreachable-toleration", optarg, 0, 86400 * 7,
                  &c->ctl.unreachable_toleration_s);
      break;
    case BACKOFF:
      rc = number("job-backoff", optarg, 0, 3600, &c->ctl.job_backoff_s);
      break;
    case QUOTA:
      rc = number("quota-resync", optarg, 1, 86400, &c->ctl.quota_resync_s);
      break;
    case 'h':
      usage(stdout);
      exit(0);
    default:
      usage(stderr);
      return -1;
    }
  }
  if (rc < 0)
    return -1;
  if (c->server == NULL || optind != argc) {
    usage(stderr);
    return -1;
  }
  return 0;
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
      return tug_error_set(err, ETIMEDOUT, "list %s: not synced in time", ctl_resource_paths[i]);
  return 0;
}

static int setup(const config *cfg, ctl_ctx *x, running *r, tug_error *err) {
  for (int i = 0; i < CTL_N_RESOURCES; i++)
    if ((x->inf[i] = tug_shared_informer_new(x->client, ctl_resource_paths[i], err)) == NULL)
      return -1;
  if (ctl_add_indexes(x, err) < 0)
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
  if (start_informers(x, err) < 0)
    return -1;
  for (size_t i = 0; i < r->n; i++)
    if (tug_controller_start(r->c[i], err) < 0)
      return -1;
  return 0;
}

static int run(const config *cfg, tug_error *err) {
  ctl_ctx x = {.cfg = cfg->ctl};
  running r = {0};
  tug_metrics_server *metrics = NULL;
  int rc = -1;
  if ((x.client = tug_client_new(cfg->server, cfg->token, err)) == NULL)
    return -1;
  if (tug_events_open(x.client, "tug-controllers", NULL, &x.events, err) < 0 ||
      (metrics = tug_metrics_server_start(cfg->listen, render, &r, err)) == NULL ||
      setup(cfg, &x, &r, err) < 0)
    goto out;
  tug_info("controllers running", "server=%s listen=%s controllers=%zu", cfg->server, cfg->listen,
           r.n);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int sig = 0;
  sigwait(&set, &sig);
  tug_info("shutting down", "signal=%s", strsignal(sig));
  rc = 0;
out:
  for (size_t i = 0; i < r.n; i++)
    tug_controller_stop(r.c[i]);
  for (int i = 0; i < CTL_N_RESOURCES; i++)
    if (x.inf[i])
      tug_informer_stop(tug_shared_informer_informer(x.inf[i]));
  tug_metrics_server_stop(metrics);
  for (size_t i = 0; i < r.n; i++)
    tug_controller_free(r.c[i]);
  for (int i = 0; i < CTL_N_RESOURCES; i++)
    tug_shared_informer_free(x.inf[i]);
  tug_events_close(x.events);
  tug_client_free(x.client);
  return rc;
}

int main(int argc, char **argv) {
  config cfg;
  if (parse_args(argc, argv, &cfg) < 0)
    return 2;
  int level = tug_log_level_parse(cfg.log_level);
  if (level < 0 || tug_log_init("controllers", (tug_log_level)level, cfg.log_file) < 0) {
    fprintf(stderr, "tug-controllers: bad --log-level or --log-file\n");
    return 2;
  }
  /* Every thread inherits the mask; only main takes the signals, in sigwait. */
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  signal(SIGPIPE, SIG_IGN);
  tug_error err = {0};
  if (run(&cfg, &err) < 0) {
    fprintf(stderr, "tug-controllers: %s\n", err.msg);
    return 1;
  }
  return 0;
}
