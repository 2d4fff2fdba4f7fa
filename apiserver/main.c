/*
 * tug-apiserver — Kubernetes-shaped REST API and watch over etcd.
 *
 * main parses flags, connects to etcd, makes sure the system namespaces
 * exist, fills one watch cache per kind, and serves until SIGINT/SIGTERM.
 */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compactor.h"
#include "crd.h"
#include "daemon.h"
#include "flags.h"
#include "handlers.h"
#include "kubernetes-service.h"
#include "log.h"
#include "metrics.h"
#include "object.h"
#include "openapi.h"
#include "server.h"
#include "storage.h"
#include "svcalloc.h"
#include "validation.h"
#include "watchcache.h"

static const char *const system_namespaces[] = {"default", "tug-system", "tug-node-lease", NULL};

static const char summary[] =
    "Serves Tugboat's Kubernetes-shaped REST API and watches over etcd. See docs/api.md.";

static int parse_listen(const char *s, api_config *cfg, tug_error *err) {
  static char host[64];
  const char *colon = strrchr(s, ':');
  char *end;
  long port = colon ? strtol(colon + 1, &end, 10) : 0;
  if (colon == NULL || colon - s >= (long)sizeof host || end == colon + 1 || *end || port <= 0 ||
      port > 65535)
    return tug_error_set(err, EINVAL, "--listen: \"%s\" is not HOST:PORT", s);
  memcpy(host, s, colon - s);
  host[colon - s] = '\0';
  cfg->listen_host = host;
  cfg->listen_port = (int)port;
  return 0;
}

/* What needs more than the flag table: HOST:PORT, enumerations, unit changes. */
static int check_flags(api_config *cfg, const char *listen, const char *podsec, int64_t body_bytes,
                       double compaction_s, tug_error *err) {
  if (listen && parse_listen(listen, cfg, err) < 0)
    return -1;
  if (api_podsec_level_parse(podsec, &cfg->pod_security_default) < 0)
    return tug_error_set(err, EINVAL,
                         "--pod-security-default: \"%s\" is not privileged, baseline or restricted",
                         podsec);
  if (strcmp(cfg->consistent_reads, "local") != 0 && strcmp(cfg->consistent_reads, "etcd") != 0)
    return tug_error_set(err, EINVAL, "--consistent-reads: \"%s\" is not local or etcd",
                         cfg->consistent_reads);
  cfg->max_body_bytes = (size_t)body_bytes;
  cfg->compaction_seconds = (int)compaction_s;
  return 0;
}

/* 0: serve; 1: --help was printed; -1: bad flags (reported). */
static int parse_flags(int argc, char **argv, api_config *cfg, const char **level,
                       const char **log_file) {
  const char *listen = NULL, *podsec = "baseline", *data_dir = NULL;
  int64_t body_bytes = (int64_t)cfg->max_body_bytes;
  double compaction_s = cfg->compaction_seconds;
  const tug_flag flags[] = {
      {"etcd-servers", TUG_FLAG_STRING, &cfg->etcd_servers, .arg = "URLS",
       .help = "etcd endpoints, comma-separated"},
      {"listen", TUG_FLAG_STRING, &listen, .arg = "HOST:PORT",
       .help = "address to serve on (default 127.0.0.1:6443)"},
      {"threads", TUG_FLAG_INT, &cfg->threads, .min = 1, .max = 1024, .arg = "N",
       .help = "HTTP worker threads"},
      {"max-requests-inflight", TUG_FLAG_INT, &cfg->max_inflight, .min = 1, .max = 1000000,
       .arg = "N", .help = "requests served at once (watches excluded); beyond it 429"},
      {"max-body-bytes", TUG_FLAG_QUANTITY, &body_bytes, .min = 1, .max = 1 << 30, .arg = "BYTES",
       .help = "largest request body (3Mi); beyond it 413"},
      {"watch-history", TUG_FLAG_INT, &cfg->watch_history, .min = 1, .max = 10000000, .arg = "N",
       .help = "events per resource kept for resuming watches"},
      {"watch-queue-events", TUG_FLAG_INT, &cfg->watch_queue_events, .min = 1, .max = 10000000,
       .arg = "N", .help = "events queued per watcher before it is dropped"},
      {"consistent-reads", TUG_FLAG_STRING, &cfg->consistent_reads, .arg = "local|etcd",
       .help = "where a consistent read's revision comes from"},
      {"compaction-interval", TUG_FLAG_DURATION, &compaction_s, .min = 0, .max = 86400 * 7,
       .arg = "DURATION", .help = "how often etcd is compacted; 0: never"},
      {"service-cluster-ip-range", TUG_FLAG_STRING, &cfg->service_cluster_ip_range, .arg = "CIDR",
       .help = "Service cluster IPs"},
      {"service-node-port-range", TUG_FLAG_STRING, &cfg->service_node_port_range, .arg = "A-B",
       .help = "Service node ports"},
      {"pod-security-default", TUG_FLAG_STRING, &podsec, .arg = "LEVEL",
       .help = "Pod Security level of namespaces without an enforce label"},
      {"advertise-address", TUG_FLAG_STRING, &cfg->advertise_address, .arg = "IP",
       .help = "the address the kubernetes Service's Endpoints give pods (default: --listen's)"},
      {"service-account-signing-key-file", TUG_FLAG_STRING, &cfg->sa_signing_key_file,
       .arg = "PATH",
       .help = "PEM private key (RSA or EC P-256) that signs ServiceAccount tokens; unset: a key "
               "made at start, whose tokens do not survive a restart"},
      {"service-account-key-file", TUG_FLAG_STRING, &cfg->sa_key_files, .arg = "PATHS",
       .help = "comma-separated PEM files of more keys that verify ServiceAccount tokens"},
      {"service-account-issuer", TUG_FLAG_STRING, &cfg->sa_issuer, .arg = "URL",
       .help = "the iss of ServiceAccount tokens, and the audience the server accepts"},
      {"data-dir", TUG_FLAG_STRING, &data_dir, .arg = "DIR",
       .help = "ignored: state lives in etcd (accepted for old scripts)"},
      {"log-level", TUG_FLAG_STRING, level, .arg = "LEVEL", .help = "debug, info, warn or error"},
      {"log-file", TUG_FLAG_STRING, log_file, .arg = "PATH", .help = "stderr when unset"},
      {0},
  };
  tug_error err = {0};
  int rc = tug_flags_parse("tug-apiserver", summary, flags, argc, argv, &err);
  if (rc == 0)
    rc = check_flags(cfg, listen, podsec, body_bytes, compaction_s, &err);
  if (rc < 0)
    fprintf(stderr, "tug-apiserver: %s (see --help)\n", err.msg);
  return rc;
}

static int ensure_namespaces(api_server *s, tug_error *err) {
  const api_kind *ns = api_kind_by_resource("", "v1", "namespaces");
  for (int i = 0; system_namespaces[i]; i++) {
    char now[32], uid[40];
    json_t *obj =
        json_pack("{s:s, s:s, s:{s:s, s:s, s:s}, s:{s:[s]}, s:{s:s}}", "apiVersion", "v1", "kind",
                  "Namespace", "metadata", "name", system_namespaces[i], "uid",
                  api_new_uid(uid, sizeof uid), "creationTimestamp", api_now(now, sizeof now),
                  "spec", "finalizers", "kubernetes", "status", "phase", "Active");
    api_txn txn = {0};
    ns->strategy->create_with(s, obj, &txn);
    int rc = api_storage_create(s, ns, obj, &txn, err);
    api_txn_clear(&txn);
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
                          .pod_security_default = API_PODSEC_BASELINE,
                          .sa_issuer = "https://kubernetes.default.svc.cluster.local"}};
  const char *level = "info", *log_file = NULL;
  int parsed = parse_flags(argc, argv, &s.cfg, &level, &log_file);
  if (parsed != 0)
    return parsed > 0 ? 0 : 2;
  bool local_reads = strcmp(s.cfg.consistent_reads, "local") == 0;
  if (tug_daemon_init("tug-apiserver", "apiserver", level, log_file) < 0)
    return 2;

  tug_error err = {0};
  s.svcalloc =
      api_svcalloc_new(s.cfg.service_cluster_ip_range, s.cfg.service_node_port_range, &err);
  if (s.svcalloc == NULL) {
    fprintf(stderr, "tug-apiserver: %s\n", err.msg);
    return 2;
  }
  int port_min, port_max;
  api_svcalloc_port_range(s.svcalloc, &port_min, &port_max);
  api_service_set_node_port_range(port_min, port_max);
  curl_global_init(CURL_GLOBAL_DEFAULT); /* for reading logs from agents (logs.c) */
  s.metrics = api_metrics_new();
  s.openapi = api_openapi_build(&err);
  if (s.openapi == NULL || api_satokens_init(&s.satokens, s.cfg.sa_signing_key_file,
                                             s.cfg.sa_key_files, s.cfg.sa_issuer, &err) < 0) {
    fprintf(stderr, "tug-apiserver: %s\n", err.msg);
    return 2;
  }
  api_revision_init(&s.revision, local_reads);
  int rc = 1;
  api_compactor *compactor = NULL;
  api_kubernetes_service *kubernetes_service = NULL;
  if (tug_etcd_open(&s.etcd, s.cfg.etcd_servers, NULL, &err) < 0 ||
      ensure_namespaces(&s, &err) < 0 || api_svcalloc_start(s.svcalloc, s.etcd, &err) < 0 ||
      start_caches(&s, &err) < 0 || api_crds_start(&s, &err) < 0 ||
      api_revision_current(&s.revision, s.etcd, &(int64_t){0}, &err) < 0 ||
      api_server_start(&s, &err) < 0) {
    tug_errorlog("cannot start", "err=%s", TUG_LOG_Q(err.msg));
  } else {
    atomic_store(&s.ready, true);
    compactor = api_compactor_start(&s, s.cfg.compaction_seconds);
    kubernetes_service = api_kubernetes_service_start(
        &s, s.cfg.advertise_address ? s.cfg.advertise_address : s.cfg.listen_host,
        s.cfg.listen_port);
    tug_info("serving", "listen=%s:%d etcd=%s threads=%d", s.cfg.listen_host, s.cfg.listen_port,
             s.cfg.etcd_servers, s.cfg.threads);
    tug_info("stopping", "signal=%d", tug_daemon_wait_signal());
    rc = 0;
  }
  api_compactor_stop(compactor);
  api_kubernetes_service_stop(kubernetes_service);
  api_crds_stop(&s);
  stop_caches(&s);
  api_logs_close_streams(3000);
  api_server_stop(&s);
  free_caches(&s);
  api_svcalloc_free(s.svcalloc);
  api_metrics_free(s.metrics);
  api_openapi_free(s.openapi);
  api_satokens_free(&s.satokens);
  tug_etcd_close(s.etcd);
  api_revision_destroy(&s.revision);
  return rc;
}
