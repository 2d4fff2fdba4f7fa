/*
 * server.h — the API server's shared state and its HTTP layer.
 *
 * libmicrohttpd runs a small pool of event-loop threads. A request's body is
 * gathered (up to --max-body-bytes), then routed and handled on the same
 * thread; ordinary requests take a seat of their priority level
 * (flowcontrol.h), or wait for one suspended, or get 429 when their queue is
 * full. A write is handled on a fiber (fiber.h): while its etcd transaction
 * is in flight its connection is suspended and the thread serves others; the
 * transaction's completion resumes it. A watch answers with a streamed response whose connection is
 * suspended while its watcher has nothing to send and resumed by the watch
 * cache when an event arrives — no thread per watcher.
 */
#ifndef TUG_APISERVER_SERVER_H
#define TUG_APISERVER_SERVER_H

#include <jansson.h>
#include <microhttpd.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "audit.h"
#include "authn.h"
#include "etcd.h"
#include "flowcontrol.h"
#include "podsecurity.h"
#include "registry.h"
#include "requestinfo.h"
#include "revision.h"
#include "satoken.h"
#include "tls-takeover.h"

typedef struct api_config {
  const char *etcd_servers;
  const char *listen_host;
  int listen_port;
  int threads;
  int max_inflight;
  size_t max_body_bytes;
  int watch_queue_events;                /* per watcher, beyond it the watcher is dropped */
  int max_watches_per_user, max_watches; /* open watches (watchlimit.h); 0: no cap */
  int watch_history;                     /* events per resource kept for resuming watches */
  const char *consistent_reads;          /* "local" or "etcd": see revision.h */
  int compaction_seconds;                /* etcd compaction interval; 0 = never */
  const char *service_cluster_ip_range;  /* "198.19.0.0/17" */
  const char *service_node_port_range;   /* "30000-32767" */
  api_podsec_level pod_security_default; /* for namespaces without an enforce label */
  const char *advertise_address;         /* in the kubernetes Service's Endpoints */
  const char *listen_netns;              /* HTTPS on advertise_address there too; NULL: no */
  int identity_lease_s;                  /* this server's Lease (apiserver-peers.h) */
  int identity_renew_s;                  /* and how often it is renewed */
  const char *sa_signing_key_file;       /* signs ServiceAccount tokens (satoken.h) */
  const char *sa_key_files;              /* comma-separated: more keys that verify them */
  const char *sa_issuer;                 /* their iss, and the audience accepted */
  /* TLS and authentication (Kubernetes' flag names); see docs/security.md. */
  const char *tls_cert_file, *tls_key_file; /* the HTTPS listener's pair */
  const char *client_ca_file;               /* client certificates: NULL, none */
  const char *token_auth_file;              /* static tokens: NULL, none */
  const char *insecure_host;                /* plain-HTTP test listener: NULL, none */
  int insecure_port;
  const char *etcd_cafile, *etcd_certfile, *etcd_keyfile;
  const char *kubelet_ca_file, *kubelet_cert_file, *kubelet_key_file; /* to agents */
  bool authorization_always_allow;        /* --authorization-mode=AlwaysAllow: no RBAC */
  const char *encryption_provider_config; /* EncryptionConfiguration file; NULL: plain */
  int etcd_write_batches;                 /* group commit (commit.h); 0: every write alone */
  bool priority_and_fairness;             /* flowcontrol.h; off: one in-flight limit */
  const char *flowcontrol_config;         /* FlowSchemas and levels beside the defaults */
} api_config;

typedef struct api_watchcache api_watchcache;
typedef struct api_watcher api_watcher;
typedef struct api_watch_limits api_watch_limits;
typedef struct api_watch_slot api_watch_slot;
typedef struct api_metrics api_metrics;
typedef struct api_svcalloc api_svcalloc;
typedef struct api_openapi api_openapi;
typedef struct api_token_file api_token_file;
typedef struct tug_pki_verifier tug_pki_verifier;

/* PEM text of the files the config names, read once at start. */
typedef struct api_pems {
  char *tls_cert, *tls_key, *client_ca;
  char *kubelet_ca, *kubelet_cert, *kubelet_key;
} api_pems;

typedef struct api_server {
  api_config cfg;
  tug_etcd *etcd;
  struct MHD_Daemon *daemon;
  api_watchcache **caches; /* one per kind, indexed like api_kinds */
  api_metrics *metrics;
  atomic_int inflight;
  atomic_bool ready;
  api_revision revision;              /* for consistent reads from the caches */
  api_svcalloc *svcalloc;             /* Service cluster IPs and node ports (svcalloc.h) */
  api_openapi *openapi;               /* the OpenAPI documents (openapi.h) */
  api_satokens satokens;              /* ServiceAccount token keys (satoken.h) */
  struct MHD_Daemon *insecure_daemon; /* the plain-HTTP test listener, or NULL */
  struct MHD_Daemon *netns_daemon;    /* HTTPS in --listen-netns, or NULL */
  api_pems pems;
  tug_pki_verifier *client_ca;       /* NULL: client certificates are not asked for */
  api_token_file *tokens;            /* NULL: no static tokens */
  struct api_rbac *rbac;             /* roles and bindings (rbac.h); NULL: RBAC off */
  api_audit *audit;                  /* the audit log (audit.h); NULL: off */
  struct api_crds *crds;             /* the CRD controller (crd.h) */
  api_watch_limits *watch_limits;    /* caps on open watches (watchlimit.h) */
  struct api_encryption *encryption; /* encryption at rest (encryption.h); NULL: none */
  struct api_committer *committer;   /* objects' writes (commit.h); NULL: tug_etcd_txn */
  api_flowcontrol *flowcontrol;      /* priority and fairness (flowcontrol.h); NULL: off */
} api_server;

/* Per connection: its client certificate's verdict, found once (authn-x509.c). */
typedef struct api_conn {
  int x509_state; /* 0 not looked at yet, then what api_authn_x509 returned + 2 */
  api_user x509_user;
  char x509_why[256];
} api_conn;

struct api_request {
  api_server *server;
  struct MHD_Connection *conn;
  const char *method;
  const char *path; /* without the query */
  char *uri;        /* path and query as sent */
  char *body;
  size_t body_len;
  bool body_too_large;
  bool counted;          /* holds an in-flight slot */
  bool fc_admitted;      /* fc is a seat or a place in a queue: release it */
  bool taken;            /* its connection was taken for a stream: only close it */
  api_fc_waiter fc;      /* its priority level and flow (flowcontrol.h) */
  double start;          /* monotonic seconds, for latency */
  const char *verb;      /* GET, LIST, WATCH, CREATE, ... once routed */
  char resource[64];     /* plural[/subresource] once routed */
  json_t *strict_errors; /* keys the body repeats (fieldvalidation.h), or NULL */
  bool insecure;         /* came on the plain-HTTP test listener */
  api_conn *tls;         /* the TLS connection's state; NULL on the plain listener */
  bool impersonating;
  api_request_info info;       /* verb and target, from method and URL (requestinfo.h) */
  api_request_audit audit;     /* its audit ID and level (audit.h) */
  struct api_fiber_call *call; /* a write handled on a fiber (server.c), or NULL */
  /* Last, and not zeroed when a request starts (30 KB of fixed arrays, read
   * only up to their counts): who sent it (authn.h), and, when it
   * impersonates, the authenticated user, user then being whom they act as
   * (the audit log writes both). */
  api_user user;
  api_user authenticated;
};

/* What a handler answers: a JSON body with a code, a watch stream, or another
 * stream (a followed log) as a content reader that owns stream_cls. */
struct api_response {
  int code;
  json_t *body;    /* owned */
  char *text;      /* owned; used instead of body when set (metrics) */
  size_t text_len; /* of text, when it is binary (protobuf); 0: up to its NUL */
  const char *content_type;
  api_watcher *watcher;       /* set for a watch */
  api_watch_slot *watch_slot; /* the watcher's place under the caps, released with it */
  MHD_ContentReaderCallback stream_read;
  MHD_ContentReaderFreeCallback stream_free;
  void *stream_cls;
  MHD_UpgradeHandler upgrade; /* set with code 101: the connection is handed over */
  void *upgrade_cls;
  /* With upgrade, over HTTPS instead of it (lib/tls-takeover.h): t, taken
   * from conn, which is suspended; take owns head (the 101 to write first)
   * and resumes conn once t is ended. */
  void (*take)(void *upgrade_cls, struct MHD_Connection *conn, const tug_tls_taken *t, char *head,
               size_t head_len);
  int retry_after;         /* seconds, for 429 */
  json_t *warnings;        /* owned; strings sent as one Warning header each */
  const char *static_text; /* a body that outlives the response (OpenAPI documents) */
  size_t static_len;
  json_t *headers; /* owned; more headers, name → value */
};

/* A query parameter or header; NULL when absent. */
const char *api_query(const api_request *r, const char *key);
const char *api_header(const api_request *r, const char *name);
/* Add a header to the answer (ETag, Vary, Cache-Control, ...); a name set
 * twice keeps the last value. */
void api_set_header(api_response *out, const char *name, const char *value);
/* True when the request's If-None-Match names etag (quoted) or is "*": the
 * client's copy is current, answer 304. */
bool api_etag_matches(const api_request *r, const char *etag);
/* A boolean query parameter as Kubernetes reads it: absent, "0" or "false"
 * (any case) is false, anything else (an empty value too) is true. */
bool api_query_bool(const api_request *r, const char *key);
/* An integer query parameter (lib/query.h): dflt when absent; -1 with a 400
 * in fail when it is not an int64. */
int api_query_int(const api_request *r, const char *key, int64_t dflt, int64_t *out,
                  api_response *fail);

int api_server_start(api_server *s, tug_error *err);
void api_server_stop(api_server *s);

/* Route and handle one request (routes.c). */
void api_dispatch(api_request *r, api_response *out);

/* Add a warning for the client (kubectl prints "Warning: <text>"). */
void api_warn(api_response *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Fill out with a Status error. */
void api_fail(api_response *out, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Fill out with an error from storage (maps its code to HTTP). */
void api_fail_error(api_response *out, const api_kind *kind, const char *name,
                    const tug_error *err);

#endif
