/*
 * tug-apiserver — Kubernetes-shaped REST API and watch over etcd.
 *
 * main parses flags, connects to etcd, makes sure the system namespaces
 * exist, fills one watch cache per kind, and serves until SIGINT/SIGTERM.
 */
#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compactor.h"
#include "handlers.h"
#include "log.h"
#include "metrics.h"
#include "object.h"
#include "server.h"
#include "storage.h"
#include "svcalloc.h"
#include "validation.h"
#include "watchcache.h"

static const char *const system_namespaces[] = {"default", "tug-system", "tug-node-lease", NULL};

static void usage(FILE *f) {
  fprintf(f, "usage: tug-apiserver [--etcd-servers URLS] [--listen HOST:PORT] [--threads N]\n"
             "                    [--max-requests-inflight N] [--max-body-bytes N]\n"
             "                    [--watch-history N] [--watch-queue-events N]\n"
             "                    [--consistent-reads local|etcd] [--compaction-interval SECONDS]\n"
             "                    [--service-cluster-ip-range CIDR] [--service-node-port-range A-B]\n"
             "                    [--pod-security-default privileged|baseline|restricted]\n"
             "                    [--log-level LEVEL] [--log-file PATH]\n");
}

static int parse_listen(const char *s, api_config *cfg) {
  static char host[64];
  const char *colon = strrchr(s, ':');
  if (colon == NULL || colon - s >= (long)sizeof host)
    return -1;
  memcpy(host, s, colon - s);
  host[colon - s] = '\0';
  cfg->listen_host = host;
  cfg->listen_port = atoi(colon + 1);
  return cfg->listen_port > 0 && cfg->listen_port < 65536 ? 0 : -1;
}

static int parse_flags(int argc, char **argv, api_config *cfg, const char **level,
                       const char **log_file) {
  static const struct option opts[] = {
      {"etcd-servers", required_argument, NULL, 'e'},
      {"listen", required_argument, NULL, 'l'},
      {"threads", required_argument, NULL, 't'},
      {"max-requests-inflight", required_argument, NULL, 'i'},
      {"max-body-bytes", required_argument, NULL, 'b'},
      {"watch-history", required_argument, NULL, 'w'},
      {"watch-queue-events", required_argument, NULL, 'q'},
      {"log-level", required_argument, NULL, 'v'},
      {"log-file", required_argument, NULL, 'f'},
      {"data-dir", required_argument, NULL, 'd'},
      {"consistent-reads", required_argument, NULL, 'c'},
      {"compaction-interval", required_argument, NULL, 'C'},
      {"service-cluster-ip-range", required_argument, NULL, 'S'},
      {"service-node-port-range", required_argument, NULL, 'N'},
      {"pod-security-default", required_argument, NULL, 'P'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  for (int o; (o = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
    switch (o) {
    case 'e': cfg->etcd_servers = optarg; break;
    case 'l':
      if (parse_listen(optarg, cfg) < 0) {
        fprintf(stderr, "tug-apiserver: --listen %s: expected HOST:PORT\n", optarg);
        return -1;
      }
      break;
    case 't': cfg->threads = atoi(optarg); break;
    case 'i': cfg->max_inflight = atoi(optarg); break;
    case 'b': cfg->max_body_bytes = strtoull(optarg, NULL, 10); break;
    case 'w': cfg->watch_history = atoi(optarg); break;
    case 'q': cfg->watch_queue_events = atoi(optarg); break;
    case 'v': *level = optarg; break;
    case 'f': *log_file = optarg; break;
    case 'd': break; /* state lives in etcd; accepted for compatibility */
    case 'c': cfg->consistent_reads = optarg; break;
    case 'C': cfg->compaction_seconds = atoi(optarg); break;
    case 'S': cfg->service_cluster_ip_range = optarg; break;
    case 'N': cfg->service_node_port_range = optarg; break;
    case 'P':
      if (api_podsec_level_parse(optarg, &cfg->pod_security_default) < 0) {
        fprintf(stderr, "tug-apiserver: --pod-security-default %s: expected privileged, baseline "
                        "or restricted\n",
                optarg);
        return -1;
      }
      break;
    case 'h': usage(stdout); exit(0);
    default: usage(stderr); return -1;
    }
  }
  if (cfg->threads <= 0 || cfg->max_inflight <= 0 || cfg->max_body_bytes == 0) {
    fprintf(stderr, "tug-apiserver: --threads, --max-requests-inflight and --max-body-bytes "
                    "must be positive\n");
    return -1;
  }
  return 0;
}

static int ensure_namespaces(api_server *s, tug_error *err) {
  const api_kind *ns = api_kind_by_resource("", "v1", "namespaces");
  for (int i = 0; system_namespaces[i]; i++) {
    char now[32], uid[40];
    json_t *obj = json_pack("{s:s, s:s, s:{s:s, s:s, s:s}, s:{s:[s]}, s:{s:s}}", "apiVersion",
                            "v1", "kind", "Namespace", "metadata", "name", system_namespaces[i],
                            "uid", api_new_uid(uid, sizeof uid), "creationTimestamp",
                            api_now(now, sizeof now), "spec", "finalizers", "kubernetes",
                            "status", "phase", "Active");
    int rc = api_storage_create(s, ns, obj, NULL, err);
    json_decref(obj);
    if (rc < 0 && err->code != TUG_E_CONFLICT)
      return -1;
  }
  return 0;
}

static int start_caches(api_server *s, tug_error *err) {
  size_t n = 0;
  while (api_kinds[n].kind)
    n++;
  s->caches = calloc(n, sizeof *s->caches);
  for (size_t i = 0; i < n; i++) {
    s->caches[i] = api_watchcache_new(s, &api_kinds[i]);
    if (api_watchcache_start(s->caches[i], err) < 0)
      return -1;
  }
  return 0;
}

static void stop_caches(api_server *s) {
  for (size_t i = 0; s->caches && api_kinds[i].kind; i++)
    if (s->caches[i])
      api_watchcache_request_stop(s->caches[i]);
  for (size_t i = 0; s->caches && api_kinds[i].kind; i++)
    if (s->caches[i])
      api_watchcache_stop(s->caches[i]);
  for (size_t i = 0; s->caches && api_kinds[i].kind; i++)
    if (s->caches[i])
      api_watchcache_wait_resumed(s->caches[i], 3000);
}

static void free_caches(api_server *s) {
  for (size_t i = 0; s->caches && api_kinds[i].kind; i++)
    api_watchcache_free(s->caches[i]);
  free(s->caches);
}

int main(int argc, char **argv) {
  api_server s = {.cfg = {.etcd_servers = "http://127.0.0.1:2379",
                          .listen_host = "127.0.0.1",
                          .listen_port = 6443,
                          .threads = 16,
                          .max_inflight = 400,
                          .max_body_bytes = 3 * 1024 * 1024,
                          .watch_queue_events = 1000,
                          .watch_history = 10000,
                          .consistent_reads = "local",
                          .compaction_seconds = 300,
                          .service_cluster_ip_range = "198.19.0.0/17",
                          .service_node_port_range = "30000-32767",
                          .pod_security_default = API_PODSEC_BASELINE}};
  const char *level = "info", *log_file = NULL;
  if (parse_flags(argc, argv, &s.cfg, &level, &log_file) < 0)
    return 2;
  bool local_reads = strcmp(s.cfg.consistent_reads, "local") == 0;
  if (!local_reads && strcmp(s.cfg.consistent_reads, "etcd") != 0) {
    fprintf(stderr, "tug-apiserver: --consistent-reads must be local or etcd\n");
    return 2;
  }
  int lv = tug_log_level_parse(level);
  if (lv < 0 || tug_log_init("apiserver", lv, log_file) < 0) {
    fprintf(stderr, "tug-apiserver: bad --log-level or --log-file\n");
    return 2;
  }
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, NULL);
  signal(SIGPIPE, SIG_IGN);

  tug_error err = {0};
  s.svcalloc = api_svcalloc_new(s.cfg.service_cluster_ip_range, s.cfg.service_node_port_range,
                                &err);
  if (s.svcalloc == NULL) {
    fprintf(stderr, "tug-apiserver: %s\n", err.msg);
    return 2;
  }
  int port_min, port_max;
  api_svcalloc_port_range(s.svcalloc, &port_min, &port_max);
  api_service_set_node_port_range(port_min, port_max);
  curl_global_init(CURL_GLOBAL_DEFAULT); /* for reading logs from agents (logs.c) */
  s.metrics = api_metrics_new();
  api_revision_init(&s.revision, local_reads);
  int rc = 1;
  api_compactor *compactor = NULL;
  if (tug_etcd_open(&s.etcd, s.cfg.etcd_servers, NULL, &err) < 0 ||
      ensure_namespaces(&s, &err) < 0 || api_svcalloc_start(s.svcalloc, s.etcd, &err) < 0 ||
      start_caches(&s, &err) < 0 ||
      api_revision_current(&s.revision, s.etcd, &(int64_t){0}, &err) < 0 ||
      api_server_start(&s, &err) < 0) {
    tug_errorlog("cannot start", "error=\"%s\"", err.msg);
  } else {
    atomic_store(&s.ready, true);
    compactor = api_compactor_start(&s, s.cfg.compaction_seconds);
    tug_info("serving", "listen=%s:%d etcd=%s threads=%d", s.cfg.listen_host, s.cfg.listen_port,
             s.cfg.etcd_servers, s.cfg.threads);
    int sig;
    sigwait(&sigs, &sig);
    tug_info("stopping", "signal=%d", sig);
    rc = 0;
  }
  api_compactor_stop(compactor);
  stop_caches(&s);
  api_logs_close_streams(3000);
  api_server_stop(&s);
  free_caches(&s);
  api_svcalloc_free(s.svcalloc);
  api_metrics_free(s.metrics);
  tug_etcd_close(s.etcd);
  api_revision_destroy(&s.revision);
  return rc;
}
