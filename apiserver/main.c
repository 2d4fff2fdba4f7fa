/*
 * tug-apiserver — Kubernetes-shaped REST API and watch over etcd.
 *
 * main parses flags, connects to etcd, makes sure the system namespaces
 * exist, fills one watch cache per kind, and serves until SIGINT/SIGTERM.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commit.h"
#include "compactor.h"
#include "credentials.h"
#include "crd.h"
#include "daemon.h"
#include "flags.h"
#include "handlers.h"
#include "kubernetes-service.h"
#include "log.h"
#include "metrics.h"
#include "object.h"
#include "openapi.h"
#include "rbac.h"
#include "encryption.h"
#include "server.h"
#include "watchlimit.h"
#include "storage-bootstrap.h"
#include "storage.h"
#include "svcalloc.h"
#include "validation.h"
#include "watchcache.h"

static const char *const system_namespaces[] = {"default", "tug-system", "tug-node-lease", NULL};

static const char summary[] =
    "Serves Tugboat's Kubernetes-shaped REST API and watches over etcd. See docs/api.md.";

/* HOST:PORT into host (static storage, one per flag) and port. */
static int parse_listen(const char *flag, const char *s, char *host, size_t size,
                        const char **host_out, int *port_out, tug_error *err) {
  const char *colon = strrchr(s, ':');
  char *end;
  long port = colon ? strtol(colon + 1, &end, 10) : 0;
  if (colon == NULL || colon - s >= (long)size || end == colon + 1 || *end || port <= 0 ||
      port > 65535)
    return tug_error_set(err, EINVAL, "%s: \"%s\" is not HOST:PORT", flag, s);
  memcpy(host, s, colon - s);
  host[colon - s] = '\0';
  *host_out = host;
  *port_out = (int)port;
  return 0;
}

/* What needs more than the flag table: HOST:PORT, enumerations, unit changes. */
static int check_flags(api_config *cfg, const char *listen, const char *insecure,
                       const char *podsec, int64_t body_bytes, double compaction_s,
                       const char *authz, tug_error *err) {
  static char host[64], insecure_host[64];
  if (listen && parse_listen("--listen", listen, host, sizeof host, &cfg->listen_host,
                             &cfg->listen_port, err) < 0)
    return -1;
  if (insecure && parse_listen("--insecure-listen", insecure, insecure_host, sizeof insecure_host,
                               &cfg->insecure_host, &cfg->insecure_port, err) < 0)
    return -1;
  if (cfg->listen_netns && cfg->advertise_address == NULL)
    return tug_error_set(err, EINVAL, "--listen-netns needs --advertise-address");
  struct in_addr a;
  /* Plain HTTP carries no credentials safely: it never leaves the machine. */
  if (insecure &&
      (inet_pton(AF_INET, cfg->insecure_host, &a) != 1 || (ntohl(a.s_addr) >> 24) != 127))
    return tug_error_set(err, EINVAL, "--insecure-listen: %s is not a loopback address",
                         cfg->insecure_host);
  if (strcmp(authz, "RBAC") != 0 && strcmp(authz, "AlwaysAllow") != 0)
    return tug_error_set(err, EINVAL, "--authorization-mode: \"%s\" is not RBAC or AlwaysAllow",
                         authz);
  cfg->authorization_always_allow = strcmp(authz, "AlwaysAllow") == 0;
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

/* The audit flags, as Kubernetes names them; sizes in MB and ages in days. */
typedef struct audit_flags {
  const char *policy_file;
  const char *mode; /* blocking or batch */
  api_audit_log_config log;
  int max_size_mb;
} audit_flags;

static int check_audit_flags(audit_flags *af, tug_error *err) {
  if (strcmp(af->mode, "blocking") != 0 && strcmp(af->mode, "batch") != 0)
    return tug_error_set(err, EINVAL, "--audit-log-mode: \"%s\" is not blocking or batch",
                         af->mode);
  af->log.blocking = strcmp(af->mode, "blocking") == 0;
  af->log.max_bytes = (int64_t)af->max_size_mb * 1024 * 1024;
  return 0;
}

/* 0: serve; 1: --help was printed; -1: bad flags (reported). */
static int parse_flags(int argc, char **argv, api_config *cfg, audit_flags *af, const char **level,
                       const char **log_file) {
  const char *listen = NULL, *insecure = NULL, *podsec = "baseline", *data_dir = NULL,
             *authz = "RBAC", *apf = "true";
  int64_t body_bytes = (int64_t)cfg->max_body_bytes;
  double compaction_s = cfg->compaction_seconds;
  const tug_flag flags[] = {
      {"etcd-servers", TUG_FLAG_STRING, &cfg->etcd_servers, .arg = "URLS",
       .help = "etcd endpoints, comma-separated"},
      {"listen", TUG_FLAG_STRING, &listen, .arg = "HOST:PORT",
       .help = "address to serve HTTPS on (default 127.0.0.1:6443)"},
      {"tls-cert-file", TUG_FLAG_STRING, &cfg->tls_cert_file, .arg = "PATH",
       .help = "the serving certificate (PEM)"},
      {"tls-private-key-file", TUG_FLAG_STRING, &cfg->tls_key_file, .arg = "PATH",
       .help = "its key"},
      {"client-ca-file", TUG_FLAG_STRING, &cfg->client_ca_file, .arg = "PATH",
       .help = "CA of client certificates (CN user, O groups); unset: none accepted"},
      {"token-auth-file", TUG_FLAG_STRING, &cfg->token_auth_file, .arg = "PATH",
       .help = "static bearer tokens, CSV: token,user,uid,\"group1,group2\""},
      {"insecure-listen", TUG_FLAG_STRING, &insecure, .arg = "127.0.0.1:PORT",
       .help = "for tests: also serve plain HTTP on loopback, every request as cluster admin"},
      {"etcd-cafile", TUG_FLAG_STRING, &cfg->etcd_cafile, .arg = "PATH",
       .help = "CA of etcd's serving certificate (https:// endpoints)"},
      {"etcd-certfile", TUG_FLAG_STRING, &cfg->etcd_certfile, .arg = "PATH",
       .help = "client certificate to etcd"},
      {"etcd-keyfile", TUG_FLAG_STRING, &cfg->etcd_keyfile, .arg = "PATH", .help = "its key"},
      {"encryption-provider-config", TUG_FLAG_STRING, &cfg->encryption_provider_config,
       .arg = "PATH",
       .help = "EncryptionConfiguration: which resources are encrypted at rest, how"},
      {"kubelet-certificate-authority", TUG_FLAG_STRING, &cfg->kubelet_ca_file, .arg = "PATH",
       .help = "CA of agents' serving certificates (logs)"},
      {"kubelet-client-certificate", TUG_FLAG_STRING, &cfg->kubelet_cert_file, .arg = "PATH",
       .help = "client certificate to agents"},
      {"kubelet-client-key", TUG_FLAG_STRING, &cfg->kubelet_key_file, .arg = "PATH",
       .help = "its key"},
      {"threads", TUG_FLAG_INT, &cfg->threads, .min = 1, .max = 1024, .arg = "N",
       .help = "HTTP worker threads"},
      {"max-requests-inflight", TUG_FLAG_INT, &cfg->max_inflight, .min = 1, .max = 1000000,
       .arg = "N", .help = "requests served at once (watches excluded); beyond it 429"},
      {"enable-priority-and-fairness", TUG_FLAG_STRING, &apf, .arg = "true|false",
       .help = "share --max-requests-inflight between priority levels, fair-queued per flow; "
               "false: one limit for all"},
      {"flowcontrol-config", TUG_FLAG_STRING, &cfg->flowcontrol_config, .arg = "PATH",
       .help = "FlowSchema and PriorityLevelConfiguration objects (YAML or JSON) beside the "
               "built-in ones"},
      {"max-body-bytes", TUG_FLAG_QUANTITY, &body_bytes, .min = 1, .max = 1 << 30, .arg = "BYTES",
       .help = "largest request body (3Mi); beyond it 413"},
      {"watch-history", TUG_FLAG_INT, &cfg->watch_history, .min = 1, .max = 10000000, .arg = "N",
       .help = "events per resource kept for resuming watches"},
      {"max-watches-per-user", TUG_FLAG_INT, &cfg->max_watches_per_user, .min = 0, .max = 10000000,
       .arg = "N", .help = "open watches per user; beyond it 429 (0: no cap)"},
      {"max-watches", TUG_FLAG_INT, &cfg->max_watches, .min = 0, .max = 10000000, .arg = "N",
       .help = "open watches in all; beyond it 429 (0: no cap)"},
      {"watch-queue-events", TUG_FLAG_INT, &cfg->watch_queue_events, .min = 1, .max = 10000000,
       .arg = "N", .help = "events queued per watcher before it is dropped"},
      {"etcd-write-batches", TUG_FLAG_INT, &cfg->etcd_write_batches, .min = 0, .max = 1024,
       .arg = "N",
       .help = "transactions of grouped writes in flight to etcd at once; 0: each write alone"},
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
      {"listen-netns", TUG_FLAG_STRING, &cfg->listen_netns, .arg = "NAME|PATH",
       .help = "also serve HTTPS on --advertise-address and --listen's port inside this network "
               "namespace, for pods on one machine whose API server listens on loopback"},
      {"identity-lease-duration-seconds", TUG_FLAG_INT, &cfg->identity_lease_s, .min = 1,
       .max = 86400, .arg = "N",
       .help = "this server's Lease in tug-system; not renewed this long, it leaves the "
               "kubernetes Endpoints"},
      {"identity-lease-renew-interval-seconds", TUG_FLAG_INT, &cfg->identity_renew_s, .min = 1,
       .max = 86400, .arg = "N",
       .help = "how often the Lease is renewed and the Endpoints checked"},
      {"service-account-signing-key-file", TUG_FLAG_STRING, &cfg->sa_signing_key_file,
       .arg = "PATH",
       .help = "PEM private key (RSA or EC P-256) that signs ServiceAccount tokens; unset: a key "
               "made at start, whose tokens do not survive a restart"},
      {"service-account-key-file", TUG_FLAG_STRING, &cfg->sa_key_files, .arg = "PATHS",
       .help = "comma-separated PEM files of more keys that verify ServiceAccount tokens"},
      {"service-account-issuer", TUG_FLAG_STRING, &cfg->sa_issuer, .arg = "URL",
       .help = "the iss of ServiceAccount tokens, and the audience the server accepts"},
      {"authorization-mode", TUG_FLAG_STRING, &authz, .arg = "RBAC|AlwaysAllow",
       .help = "RBAC (the default), or AlwaysAllow: every request allowed (benchmarks)"},
      {"data-dir", TUG_FLAG_STRING, &data_dir, .arg = "DIR",
       .help = "ignored: state lives in etcd (accepted for old scripts)"},
      {"audit-policy-file", TUG_FLAG_STRING, &af->policy_file, .arg = "PATH",
       .help = "audit.k8s.io/v1 Policy (YAML or JSON); without it nothing is audited"},
      {"audit-log-path", TUG_FLAG_STRING, &af->log.path, .arg = "PATH",
       .help = "where audit events go, one JSON line each; - is stdout"},
      {"audit-log-maxsize", TUG_FLAG_INT, &af->max_size_mb, .min = 0, .max = 1 << 20, .arg = "MB",
       .help = "rotate the audit log before it passes this size; 0: never"},
      {"audit-log-maxbackup", TUG_FLAG_INT, &af->log.max_backups, .min = 0, .max = 100000,
       .arg = "N", .help = "rotated audit logs kept; 0: all"},
      {"audit-log-maxage", TUG_FLAG_INT, &af->log.max_age_days, .min = 0, .max = 100000,
       .arg = "DAYS", .help = "days rotated audit logs are kept; 0: forever"},
      {"audit-log-mode", TUG_FLAG_STRING, &af->mode, .arg = "blocking|batch",
       .help = "when the queue is full, wait for room (blocking) or drop (batch)"},
      {"audit-log-batch-buffer-size", TUG_FLAG_INT, &af->log.queue_lines, .min = 1, .max = 10000000,
       .arg = "N", .help = "audit events queued for the writer"},
      {"log-level", TUG_FLAG_STRING, level, .arg = "LEVEL", .help = "debug, info, warn or error"},
      {"log-file", TUG_FLAG_STRING, log_file, .arg = "PATH", .help = "stderr when unset"},
      {0},
  };
  tug_error err = {0};
  int rc = tug_flags_parse("tug-apiserver", summary, flags, argc, argv, &err);
  if (rc == 0)
    rc = check_flags(cfg, listen, insecure, podsec, body_bytes, compaction_s, authz, &err);
  if (rc == 0)
    rc = check_audit_flags(af, &err);
  if (rc == 0 && strcmp(apf, "true") != 0 && strcmp(apf, "false") != 0)
    rc = tug_error_set(&err, EINVAL, "--enable-priority-and-fairness: must be true or false");
  cfg->priority_and_fairness = strcmp(apf, "false") != 0;
  if (rc < 0)
    fprintf(stderr, "tug-apiserver: %s (see --help)\n", err.msg);
  return rc;
}

static int start_audit(api_server *s, audit_flags *af, tug_error *err) {
  api_audit_policy *policy = NULL;
  if (af->policy_file && (policy = api_audit_policy_load(af->policy_file, err)) == NULL)
    return tug_error_wrap(err, "--audit-policy-file");
  s->audit = api_audit_new(policy, &af->log, err);
  return s->audit ? 0 : tug_error_wrap(err, "--audit-log-path");
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

/* The RBAC index over the caches, the default roles, the aggregation thread. */
static int start_rbac(api_server *s, tug_error *err) {
  if (s->cfg.authorization_always_allow)
    return 0;
  if ((s->rbac = api_rbac_new(s)) == NULL)
    return tug_error_set(err, ENOMEM, "start RBAC");
  return api_rbac_bootstrap(s, err) < 0 ? -1 : api_rbac_start(s->rbac, err);
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
                          .priority_and_fairness = true,
                          .max_body_bytes = 3 * 1024 * 1024,
                          .watch_queue_events = 1000,
                          .max_watches_per_user = 1000,
                          .max_watches = 10000,
                          .watch_history = 10000,
                          .consistent_reads = "local",
                          .etcd_write_batches = 1,
                          .compaction_seconds = 300,
                          .identity_lease_s = 15,
                          .identity_renew_s = 10,
                          .service_cluster_ip_range = "198.19.0.0/17",
                          .service_node_port_range = "30000-32767",
                          .pod_security_default = API_PODSEC_BASELINE,
                          .sa_issuer = "https://kubernetes.default.svc.cluster.local"}};
  const char *level = "info", *log_file = NULL;
  audit_flags af = {.mode = "blocking", .log = {.queue_lines = 10000}};
  int parsed = parse_flags(argc, argv, &s.cfg, &af, &level, &log_file);
  if (parsed != 0)
    return parsed > 0 ? 0 : 2;
  bool local_reads = strcmp(s.cfg.consistent_reads, "local") == 0;
  if (tug_daemon_init("tug-apiserver", "apiserver", level, log_file) < 0)
    return 2;

  tug_error err = {0};
  char *etcd_pems[3] = {0};
  tug_etcd_options etcd_opts = {0};
  if (api_credentials_load(&s, &err) < 0 ||
      api_credentials_etcd(&s.cfg, &etcd_opts, etcd_pems, &err) < 0) {
    fprintf(stderr, "tug-apiserver: %s\n", err.msg);
    return 2;
  }
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
  if (start_audit(&s, &af, &err) < 0) {
    fprintf(stderr, "tug-apiserver: %s\n", err.msg);
    return 2;
  }
  s.metrics = api_metrics_new();
  s.watch_limits = api_watch_limits_new(s.cfg.max_watches_per_user, s.cfg.max_watches);
  if (s.cfg.encryption_provider_config &&
      (s.encryption = api_encryption_load(s.cfg.encryption_provider_config, &err)) == NULL) {
    fprintf(stderr, "tug-apiserver: %s\n", err.msg);
    return 2;
  }
  if (s.cfg.priority_and_fairness &&
      (s.flowcontrol = api_flowcontrol_load(s.cfg.flowcontrol_config, s.cfg.max_inflight,
                                            API_FC_QUEUE_WAIT_S, &err)) == NULL) {
    fprintf(stderr, "tug-apiserver: %s\n", err.msg);
    return 2;
  }
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
  if (tug_etcd_open(&s.etcd, s.cfg.etcd_servers, &etcd_opts, &err) < 0 ||
      (s.committer = api_committer_new(s.etcd, s.cfg.etcd_write_batches)) == NULL ||
      ensure_namespaces(&s, &err) < 0 || api_svcalloc_start(s.svcalloc, s.etcd, &err) < 0 ||
      start_caches(&s, &err) < 0 || start_rbac(&s, &err) < 0 ||
      api_storage_bootstrap(&s, &err) < 0 || api_crds_start(&s, &err) < 0 ||
      api_revision_current(&s.revision, s.etcd, &(int64_t){0}, &err) < 0 ||
      api_server_start(&s, &err) < 0) {
    tug_errorlog("cannot start", "err=%s", TUG_LOG_ERR(&err));
  } else {
    atomic_store(&s.ready, true);
    compactor = api_compactor_start(&s, s.cfg.compaction_seconds);
    kubernetes_service = api_kubernetes_service_start(
        &s, s.cfg.advertise_address ? s.cfg.advertise_address : s.cfg.listen_host,
        s.cfg.listen_port, s.cfg.identity_lease_s, s.cfg.identity_renew_s);
    tug_info("serving",
             "listen=%s:%d tls=%s listen_netns=%s insecure_listen=%s:%d etcd=%s threads=%d "
             "tokens=%zu",
             s.cfg.listen_host, s.cfg.listen_port, s.daemon ? "on" : "off",
             s.cfg.listen_netns ? s.cfg.listen_netns : "",
             s.cfg.insecure_host ? s.cfg.insecure_host : "", s.cfg.insecure_port,
             s.cfg.etcd_servers, s.cfg.threads, api_token_file_count(s.tokens));
    tug_info("stopping", "signal=%d", tug_daemon_wait_signal());
    rc = 0;
  }
  api_compactor_stop(compactor);
  api_kubernetes_service_stop(kubernetes_service);
  api_crds_stop(&s);
  api_rbac_free(s.rbac);
  stop_caches(&s);
  api_logs_close_streams(3000);
  api_streams_close_all(3000);
  api_server_stop(&s);
  api_audit_free(s.audit);
  free_caches(&s);
  api_watch_limits_free(s.watch_limits);
  api_encryption_free(s.encryption);
  api_flowcontrol_free(s.flowcontrol);
  api_svcalloc_free(s.svcalloc);
  api_metrics_free(s.metrics);
  api_openapi_free(s.openapi);
  api_satokens_free(&s.satokens);
  api_committer_free(s.committer);
  tug_etcd_close(s.etcd);
  api_revision_destroy(&s.revision);
  api_credentials_free(&s);
  for (int i = 0; i < 3; i++)
    free(etcd_pems[i]);
  return rc;
}
