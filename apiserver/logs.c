/*
 * logs.c — GET /api/v1/namespaces/{ns}/pods/{name}/log: the API server asks
 * the agent of the pod's node for the container's log, as Kubernetes asks the
 * kubelet. The agent is found through the Node: its InternalIP address and
 * status.daemonEndpoints.kubeletEndpoint.Port. container, tailLines, previous
 * and follow are passed on, limitBytes is applied here; sinceSeconds,
 * sinceTime and timestamps are ignored (the agent keeps no timestamps).
 *
 * A Node writes its own status, so its address is only a claim: the address
 * must be an IP, and the agent there must show a serving certificate from
 * the agents' CA naming system:node:<that node>. A node that points its
 * address at another agent, the API server or etcd gets a failed handshake,
 * not a proxied request.
 *
 * Every read is a stream, a log of gigabytes included: a thread per stream
 * runs the upstream request and hands what arrives, through a bounded
 * buffer, to the client's connection, which is suspended while there is
 * nothing to send (as watches are). A client that leaves, a full buffer it
 * does not drain, limitBytes reached, or the server stopping ends the
 * upstream request; the agent ending its stream ends the client's.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "clock.h"
#include "handlers.h"
#include "http.h"
#include "object.h"
#include "status.h"
#include "storage.h"
#include "watchcache.h"

enum { STREAM_BUFFER = 256 * 1024, AGENT_TIMEOUT_MS = 10000 };

json_t *api_cached_core(api_server *s, const char *resource, const char *ns, const char *name) {
  const api_kind *k = api_kind_by_resource("", "v1", resource);
  char key[512];
  api_cached *c = api_watchcache_get(api_kind_cache(s, k), api_key(k, ns, name, key, sizeof key));
  json_t *o = c ? json_incref(c->obj) : NULL;
  api_cached_unref(c);
  return o;
}

/* The names in the pod's spec list key, space-separated, into names. */
static void list_names(const json_t *pod, const char *key, char *names, size_t size) {
  size_t i;
  json_t *c;
  names[0] = '\0';
  json_array_foreach(tug_obj_get(pod, key), i, c) {
    size_t o = strlen(names);
    snprintf(names + o, size - o, "%s%s", o ? " " : "",
             json_string_value(json_object_get(c, "name")) ?: "");
  }
}

/* The container to read: the one named (an init container too, as in
 * Kubernetes), or the pod's only app container. */
const char *api_pod_container(const json_t *pod, const char *asked, api_response *out) {
  static const char *const lists[] = {"spec.containers", "spec.initContainers"};
  json_t *cs = tug_obj_get(pod, "spec.containers");
  for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++) {
    size_t i;
    json_t *c;
    json_array_foreach(tug_obj_get(pod, lists[l]), i, c) {
      const char *name = json_string_value(json_object_get(c, "name"));
      if (name && (asked ? strcmp(asked, name) == 0 : l == 0 && json_array_size(cs) == 1))
        return name;
    }
  }
  char names[512], inits[512];
  list_names(pod, "spec.containers", names, sizeof names);
  list_names(pod, "spec.initContainers", inits, sizeof inits);
  if (asked)
    api_fail(out, 400, "container %s is not valid for pod %s", asked, tug_obj_name(pod));
  else if (inits[0])
    api_fail(out, 400,
             "a container name must be specified for pod %s, choose one of: [%s] or one of the "
             "init containers: [%s]",
             tug_obj_name(pod), names, inits);
  else
    api_fail(out, 400, "a container name must be specified for pod %s, choose one of: [%s]",
             tug_obj_name(pod), names);
  return NULL;
}

/* The node's InternalIP as it goes in a URL ("[::1]" for IPv6); false when
 * it names none or something that is not an IP address. */
static bool node_ip(const json_t *node, char *buf, size_t size) {
  const char *ip = NULL;
  size_t i;
  json_t *a;
  json_array_foreach(tug_obj_get(node, "status.addresses"), i, a) {
    const char *type = json_string_value(json_object_get(a, "type"));
    if (type && strcmp(type, "InternalIP") == 0)
      ip = json_string_value(json_object_get(a, "address"));
  }
  unsigned char bin[16];
  if (ip && inet_pton(AF_INET, ip, bin) == 1)
    return snprintf(buf, size, "%s", ip) < (int)size;
  if (ip && inet_pton(AF_INET6, ip, bin) == 1)
    return snprintf(buf, size, "[%s]", ip) < (int)size;
  return false;
}

/* https://ADDRESS:PORT of the agent on node (http:// when the API server has
 * no CA for agents, as in tests without TLS), or NULL with out filled. */
char *api_agent_url(api_server *s, const char *node, api_response *out) {
  json_t *n = node ? api_cached_core(s, "nodes", NULL, node) : NULL;
  char ip[INET6_ADDRSTRLEN + 2];
  int64_t port = tug_obj_get_int(n, "status.daemonEndpoints.kubeletEndpoint.Port", 0);
  char *url = NULL;
  const char *scheme = s->pems.kubelet_ca ? "https" : "http";
  if (node_ip(n, ip, sizeof ip) && port > 0 && port < 65536 &&
      asprintf(&url, "%s://%s:%lld", scheme, ip, (long long)port) < 0)
    url = NULL;
  if (url == NULL)
    api_fail(out, 503, "node %s has no reachable agent for logs", node ? node : "(none)");
  json_decref(n);
  return url;
}

/* The agent's answer other than 200: its 400s and 404s are the client's. */
void api_agent_refused(api_response *out, long code, const char *body) {
  char msg[512];
  snprintf(msg, sizeof msg, "%s", body && body[0] ? body : "the node's agent refused");
  size_t n = strlen(msg);
  while (n > 0 && msg[n - 1] == '\n')
    msg[--n] = '\0';
  api_fail(out, code == 400 || code == 404 ? (int)code : 502, "%s", msg);
}

/* ---- the agent's identity ---- */

static int node_cn_slot = -1; /* SSL_CTX ex_data: the subject CN the agent must show */
static pthread_once_t node_cn_once = PTHREAD_ONCE_INIT;

static void node_cn_slot_init(void) {
  node_cn_slot = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

/* OpenSSL's verify callback: the chain already checked, the leaf must name the node. */
static int verify_node(int ok, X509_STORE_CTX *x) {
  if (!ok || X509_STORE_CTX_get_error_depth(x) != 0)
    return ok;
  SSL *ssl = X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());
  const char *want = ssl ? SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), node_cn_slot) : NULL;
  char cn[256] = "";
  X509 *leaf = X509_STORE_CTX_get_current_cert(x);
  if (leaf)
    X509_NAME_get_text_by_NID(X509_get_subject_name(leaf), NID_commonName, cn, sizeof cn);
  if (want && strcmp(cn, want) == 0)
    return 1;
  X509_STORE_CTX_set_error(x, X509_V_ERR_APPLICATION_VERIFICATION);
  return 0;
}

static CURLcode bind_node(CURL *h, void *ssl_ctx, void *want_cn) {
  (void)h;
  SSL_CTX_set_ex_data(ssl_ctx, node_cn_slot, want_cn);
  SSL_CTX_set_verify(ssl_ctx, SSL_VERIFY_PEER, verify_node);
  return CURLE_OK;
}

/* The agent's serving certificate is checked against the CA for agents and
 * must name want_cn ("system:node:NAME", which must outlive the transfer);
 * the API server shows its own client certificate, which the agent checks. */
void api_agent_tls(const api_server *s, void *curl, const char *want_cn) {
  CURL *h = curl;
  const api_pems *p = &s->pems;
  tug_client_tls tls = {
      .ca_pem = p->kubelet_ca, .cert_pem = p->kubelet_cert, .key_pem = p->kubelet_key};
  tug_http_set_tls(h, &tls);
  if (p->kubelet_ca == NULL)
    return;
  pthread_once(&node_cn_once, node_cn_slot_init);
  curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, bind_node);
  curl_easy_setopt(h, CURLOPT_SSL_CTX_DATA, (void *)want_cn);
}

/* ---- following ---- */

typedef struct log_stream {
  pthread_mutex_t mu;
  pthread_cond_t cond; /* headers in, done, room in buf, or cancelled */
  char *buf;           /* bytes from the agent not yet sent to the client */
  size_t len;
  long code;                  /* the agent's status, once its headers are in */
  bool headers, done, failed; /* failed: the upstream broke or the client left */
  bool cancelled;             /* nobody reads any more: end the upstream request */
  bool attached;              /* conn is ours to suspend and resume */
  bool suspended, resuming;
  struct MHD_Connection *conn;
  int client_fd;
  CURL *curl;
  int refs;
  int64_t left;    /* bytes limitBytes still allows; -1: no limit */
  CURLcode result; /* of the upstream request, once done */
  char url[2048];
  char node_cn[300];       /* system:node:NAME, the certificate the agent must show */
  struct log_stream *next; /* in the list of open streams */
  const api_server *server;
} log_stream;

static pthread_mutex_t streams_mu = PTHREAD_MUTEX_INITIALIZER;
static log_stream *streams;

static void stream_unref(log_stream *s) {
  pthread_mutex_lock(&s->mu);
  bool last = --s->refs == 0;
  pthread_mutex_unlock(&s->mu);
  if (!last)
    return;
  pthread_mutex_destroy(&s->mu);
  pthread_cond_destroy(&s->cond);
  free(s->buf);
  free(s);
}

/* s->mu held. */
static void stream_wake(log_stream *s) {
  pthread_cond_broadcast(&s->cond);
  if (s->attached && s->suspended) {
    s->suspended = false;
    s->resuming = true;
    MHD_resume_connection(s->conn);
  }
}

/* A suspended connection is out of libmicrohttpd's poll set: peek instead (s->mu held). */
static bool client_gone(const log_stream *s) {
  if (!s->attached || !s->suspended || s->client_fd < 0)
    return false;
  char b;
  ssize_t n = recv(s->client_fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

static size_t on_header(char *data, size_t size, size_t n, void *arg) {
  log_stream *s = arg;
  if (size * n <= 2 && (data[0] == '\r' || data[0] == '\n')) {
    long code = 0;
    curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
    pthread_mutex_lock(&s->mu);
    s->code = code;
    s->headers = true;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->mu);
  }
  return size * n;
}

static size_t on_data(char *data, size_t size, size_t n, void *arg) {
  log_stream *s = arg;
  size_t len = size * n;
  pthread_mutex_lock(&s->mu);
  while (!s->cancelled && s->len > 0 && s->len + len > STREAM_BUFFER)
    pthread_cond_wait(&s->cond, &s->mu);
  char *b = s->cancelled ? NULL : realloc(s->buf, s->len + len);
  if (b) {
    memcpy(b + s->len, data, len);
    s->buf = b;
    s->len += len;
    stream_wake(s);
  }
  pthread_mutex_unlock(&s->mu);
  return b ? len : 0;
}

static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un) {
  (void)dt, (void)dn, (void)ut, (void)un;
  log_stream *s = arg;
  pthread_mutex_lock(&s->mu);
  if (!s->cancelled && client_gone(s))
    s->cancelled = true;
  int stop = s->cancelled;
  pthread_mutex_unlock(&s->mu);
  return stop;
}

static void *stream_run(void *arg) {
  log_stream *s = arg;
  CURL *h = curl_easy_init();
  CURLcode rc = CURLE_OUT_OF_MEMORY;
  long code = 0;
  s->curl = h;
  if (h) {
    curl_easy_setopt(h, CURLOPT_URL, s->url);
    api_agent_tls(s->server, h, s->node_cn);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, s);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, s);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)AGENT_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_cleanup(h);
  }
  pthread_mutex_lock(&s->mu);
  s->code = code;
  s->done = true;
  s->result = rc;
  s->failed = rc != CURLE_OK;
  stream_wake(s);
  pthread_mutex_unlock(&s->mu);
  stream_unref(s);
  return NULL;
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max) {
  (void)pos;
  log_stream *s = cls;
  pthread_mutex_lock(&s->mu);
  s->resuming = false;
  ssize_t rc = 0;
  if (s->left == 0) {
    /* limitBytes reached: the rest is not wanted, upstream included. */
    s->cancelled = true;
    pthread_cond_broadcast(&s->cond);
    rc = MHD_CONTENT_READER_END_OF_STREAM;
  } else if (s->len > 0) {
    size_t n = s->len < max ? s->len : max;
    if (s->left > 0 && (int64_t)n > s->left)
      n = (size_t)s->left;
    if (s->left > 0)
      s->left -= (int64_t)n;
    memcpy(buf, s->buf, n);
    memmove(s->buf, s->buf + n, s->len - n);
    s->len -= n;
    pthread_cond_broadcast(&s->cond);
    rc = (ssize_t)n;
  } else if (s->done) {
    rc = s->failed ? MHD_CONTENT_READER_END_WITH_ERROR : MHD_CONTENT_READER_END_OF_STREAM;
  } else {
    s->suspended = true;
    MHD_suspend_connection(s->conn);
  }
  pthread_mutex_unlock(&s->mu);
  return rc;
}

static void stream_free(void *cls) {
  log_stream *s = cls;
  pthread_mutex_lock(&streams_mu);
  for (log_stream **pp = &streams; *pp; pp = &(*pp)->next) {
    if (*pp == s) {
      *pp = s->next;
      break;
    }
  }
  pthread_mutex_unlock(&streams_mu);
  pthread_mutex_lock(&s->mu);
  s->cancelled = true;
  s->attached = s->suspended = s->resuming = false;
  pthread_cond_broadcast(&s->cond);
  pthread_mutex_unlock(&s->mu);
  stream_unref(s);
}

/* Wait (s->mu held) until cond holds or the agent took too long; false then. */
static bool wait_until(log_stream *s, const bool *cond) {
  struct timespec until = tug_deadline_ms(AGENT_TIMEOUT_MS);
  while (!*cond && !s->done)
    if (pthread_cond_timedwait(&s->cond, &s->mu, &until) != 0)
      break;
  return *cond || s->done;
}

/* The stream as the response once the agent answered 200; else out filled.
 * limit: limitBytes, or -1. */
static void relay(api_request *r, const char *url, const char *node, int64_t limit,
                  api_response *out) {
  log_stream *s = calloc(1, sizeof *s);
  if (s == NULL || strlen(url) >= sizeof s->url) {
    free(s);
    api_fail(out, 500, "reading the log: out of memory");
    return;
  }
  pthread_mutex_init(&s->mu, NULL);
  tug_cond_init_monotonic(&s->cond);
  snprintf(s->url, sizeof s->url, "%s", url);
  snprintf(s->node_cn, sizeof s->node_cn, "system:node:%s", node);
  s->left = limit;
  s->conn = r->conn;
  s->server = r->server;
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
  s->client_fd = ci ? ci->connect_fd : -1;
  s->refs = 2; /* the thread's and ours, then the response's */
  pthread_t t;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  if (pthread_create(&t, &attr, stream_run, s) != 0) {
    pthread_attr_destroy(&attr);
    s->refs = 1;
    stream_unref(s);
    api_fail(out, 503, "reading the log: cannot start a thread");
    return;
  }
  pthread_attr_destroy(&attr);
  pthread_mutex_lock(&s->mu);
  bool in = wait_until(s, &s->headers);
  if (in && s->headers && s->code == 200) {
    s->attached = true;
    pthread_mutex_unlock(&s->mu);
    pthread_mutex_lock(&streams_mu);
    s->next = streams;
    streams = s;
    pthread_mutex_unlock(&streams_mu);
    MHD_set_connection_option(r->conn, MHD_CONNECTION_OPTION_TIMEOUT, 0u);
    out->code = 200;
    out->content_type = "text/plain";
    out->stream_read = stream_read;
    out->stream_free = stream_free;
    out->stream_cls = s;
    return;
  }
  /* An error from the agent is a short answer: wait for all of it. */
  if (in)
    in = wait_until(s, &s->done);
  if (!in) {
    api_fail(out, 504, "the node's agent did not answer within %d s", AGENT_TIMEOUT_MS / 1000);
  } else if (s->code == 0) {
    api_fail(out, 503, "reading logs from the node's agent: %s", curl_easy_strerror(s->result));
  } else {
    char body[512];
    size_t n = s->len < sizeof body - 1 ? s->len : sizeof body - 1;
    memcpy(body, s->buf ? s->buf : "", n);
    body[n] = '\0';
    api_agent_refused(out, s->code, body);
  }
  s->cancelled = true;
  pthread_cond_broadcast(&s->cond);
  pthread_mutex_unlock(&s->mu);
  stream_unref(s);
}

void api_logs_close_streams(int timeout_ms) {
  pthread_mutex_lock(&streams_mu);
  for (log_stream *s = streams; s; s = s->next) {
    pthread_mutex_lock(&s->mu);
    s->cancelled = s->done = true; /* what came in is still sent, then the end */
    stream_wake(s);
    pthread_mutex_unlock(&s->mu);
  }
  pthread_mutex_unlock(&streams_mu);
  /* A resume takes effect when libmicrohttpd's loop next runs, and it must
   * not stop while a connection is suspended. */
  for (int waited = 0; waited < timeout_ms; waited += 5) {
    bool pending = false;
    pthread_mutex_lock(&streams_mu);
    for (log_stream *s = streams; s && !pending; s = s->next) {
      pthread_mutex_lock(&s->mu);
      pending = s->suspended || s->resuming;
      pthread_mutex_unlock(&s->mu);
    }
    pthread_mutex_unlock(&streams_mu);
    if (!pending)
      return;
    usleep(5000);
  }
}

/* ---- the handler ---- */

/* limitBytes and sinceSeconds must be positive, as Kubernetes validates
 * them; *limit is -1 without one. */
static bool log_numbers(api_request *r, int64_t *limit, api_response *out) {
  int64_t since;
  if (api_query_int(r, "limitBytes", -1, limit, out) < 0 ||
      api_query_int(r, "sinceSeconds", 1, &since, out) < 0)
    return false;
  if (api_query(r, "limitBytes") && *limit < 1) {
    api_fail(out, 400, "limitBytes: must be greater than 0");
    return false;
  }
  if (since < 1) {
    api_fail(out, 400, "sinceSeconds: must be greater than 0");
    return false;
  }
  return true;
}

/* The agent's URL for the container, with the options it knows. */
static bool log_url(api_request *r, const api_route *rt, const char *base, const char *container,
                    char *url, size_t size, api_response *out) {
  int64_t lines;
  const char *tail = api_query(r, "tailLines");
  if (api_query_int(r, "tailLines", -1, &lines, out) < 0)
    return false;
  if (tail && lines < 0) {
    api_fail(out, 400, "tailLines: must be a number of lines, 0 or more");
    return false;
  }
  char *esc_ns = curl_easy_escape(NULL, rt->ns, 0), *esc_pod = curl_easy_escape(NULL, rt->name, 0),
       *esc_c = curl_easy_escape(NULL, container, 0);
  int n = snprintf(url, size, "%s/containerLogs/%s/%s/%s?follow=%s&previous=%s", base, esc_ns,
                   esc_pod, esc_c, api_query_bool(r, "follow") ? "true" : "false",
                   api_query_bool(r, "previous") ? "true" : "false");
  if (tail && n > 0 && (size_t)n < size)
    n += snprintf(url + n, size - (size_t)n, "&tailLines=%lld", (long long)lines);
  curl_free(esc_ns);
  curl_free(esc_pod);
  curl_free(esc_c);
  if (n < 0 || (size_t)n >= size) {
    api_fail(out, 400, "log request too long");
    return false;
  }
  return true;
}

void api_handle_log(api_request *r, const api_route *rt, api_response *out) {
  if (strcmp(r->method, "GET") != 0) {
    api_fail(out, 405, "method %s not allowed on log", r->method);
    return;
  }
  json_t *pod = api_cached_core(r->server, "pods", rt->ns, rt->name);
  if (pod == NULL) {
    api_fail(out, 404, "pods \"%s\" not found", rt->name);
    return;
  }
  const char *container = api_pod_container(pod, api_query(r, "container"), out);
  const char *node = tug_obj_get_str(pod, "spec.nodeName");
  int64_t limit;
  char *base = container && log_numbers(r, &limit, out) ? api_agent_url(r->server, node, out) : NULL;
  char url[2048];
  if (base && log_url(r, rt, base, container, url, sizeof url, out))
    relay(r, url, node, limit, out);
  free(base);
  json_decref(pod);
}
