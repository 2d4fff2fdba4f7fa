/*
 * streaming.c — pods/exec, pods/attach and pods/portforward: the client's
 * WebSocket upgrade is passed to the agent of the pod's node, as Kubernetes'
 * API server passes it to the kubelet, and once both answered "101 Switching
 * Protocols" the two connections are spliced byte for byte.
 *
 * The one idea: the API server never parses the frames. It checks who may
 * (Kubernetes' rule for upgrades: `create` on the subresource as well as the
 * `get` the request itself was authorized for), opens the agent's URL over
 * the mutual TLS used for logs (lib/upgrade.h), forwards the client's Sec-WebSocket-Key and
 * subprotocols, and hands the agent's Sec-WebSocket-Accept and chosen
 * subprotocol back. A thread per stream then copies each direction through
 * one buffer, reading a side only when its buffer is empty (so a slow reader
 * slows the writer instead of growing memory); either side's close closes
 * both. Over HTTPS the client's connection is taken from libmicrohttpd
 * (lib/tls-takeover.h) and the 101 written by that thread, so that
 * libmicrohttpd's relay of upgraded TLS connections stays out of the path.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "authz.h"
#include "handlers.h"
#include "object.h"
#include "status.h"
#include "upgrade.h"

enum { SPLICE_BUFFER = 64 * 1024, AGENT_TIMEOUT_MS = 10000 };

typedef struct proxy {
  tug_upgrade up; /* the agent's connection */
  int client_fd;
  struct MHD_UpgradeResponseHandle *urh; /* plain HTTP: libmicrohttpd's hand-over */
  tug_tls_taken tls;                     /* HTTPS: the client's session, taken */
  struct MHD_Connection *taken;          /* ... from this suspended connection */
  char *head;                            /* the 101 to write it first; owned */
  size_t head_len;
  struct proxy *next;
} proxy;

static pthread_mutex_t proxies_mu = PTHREAD_MUTEX_INITIALIZER;
static proxy *proxies;

/* ---- the splice ---- */

static ssize_t client_read(proxy *p, void *buf, size_t len) {
  return p->tls.tls ? tug_tls_taken_read(&p->tls, buf, len) : recv(p->client_fd, buf, len, 0);
}

static ssize_t client_write(proxy *p, const void *buf, size_t len) {
  return p->tls.tls ? tug_tls_taken_write(&p->tls, buf, len)
                    : send(p->client_fd, buf, len, MSG_NOSIGNAL);
}

typedef struct pipe_buf {
  char b[SPLICE_BUFFER];
  size_t len, off;
  bool eof;
} pipe_buf;

/* Agent → client: -1 when the agent's side broke. */
static int from_agent(proxy *p, pipe_buf *u, bool *moved, bool *want_in) {
  if (u->len == 0 && !u->eof) {
    ssize_t n = tug_upgrade_read(&p->up, u->b, sizeof u->b);
    if (n < 0 && errno == EAGAIN)
      *want_in = true;
    else if (n < 0)
      return -1;
    else if (n == 0)
      u->eof = true;
    else
      u->len = (size_t)n, u->off = 0, *moved = true;
  }
  return 0;
}

static int to_client(proxy *p, pipe_buf *u, bool *moved, bool *want_out) {
  while (u->off < u->len) {
    ssize_t w = client_write(p, u->b + u->off, u->len - u->off);
    if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
      *want_out = true;
      return 0;
    }
    if (w <= 0)
      return -1;
    u->off += (size_t)w, *moved = true;
  }
  u->len = u->off = 0;
  return 0;
}

static int from_client(proxy *p, pipe_buf *d, bool *moved, bool *want_in) {
  if (d->len == 0 && !d->eof) {
    ssize_t n = client_read(p, d->b, sizeof d->b);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
      *want_in = true;
    else if (n < 0)
      return -1;
    else if (n == 0)
      d->eof = true;
    else
      d->len = (size_t)n, d->off = 0, *moved = true;
  }
  return 0;
}

static int to_agent(proxy *p, pipe_buf *d, bool *moved, bool *want_out) {
  while (d->off < d->len) {
    ssize_t n = tug_upgrade_write(&p->up, d->b + d->off, d->len - d->off);
    if (n < 0 && errno == EAGAIN) {
      *want_out = true;
      return 0;
    }
    if (n < 0)
      return -1;
    d->off += (size_t)n, *moved = true;
  }
  d->len = d->off = 0;
  return 0;
}

static void splice_streams(proxy *p) {
  pipe_buf *u = calloc(1, sizeof *u), *d = calloc(1, sizeof *d);
  while (u && d) {
    bool moved = false, c_in = false, c_out = false, a_in = false, a_out = false;
    if (to_client(p, u, &moved, &c_out) < 0 || from_agent(p, u, &moved, &a_in) < 0 ||
        to_client(p, u, &moved, &c_out) < 0 || from_client(p, d, &moved, &c_in) < 0 ||
        to_agent(p, d, &moved, &a_out) < 0)
      break;
    /* Either side closed and what it sent before is delivered: close both. */
    if ((u->eof && u->len == 0) || (d->eof && d->len == 0))
      break;
    if (moved || (d->len == 0 && tug_tls_taken_pending(&p->tls)))
      continue; /* (decrypted bytes waiting in the session: poll would not see them) */
    struct pollfd f[2] = {
        {.fd = p->client_fd, .events = (short)((c_in ? POLLIN : 0) | (c_out ? POLLOUT : 0))},
        {.fd = p->up.fd, .events = (short)((a_in ? POLLIN : 0) | (a_out ? POLLOUT : 0))}};
    if (poll(f, 2, -1) < 0 && errno != EINTR)
      break;
  }
  free(u);
  free(d);
}

static void proxy_free(proxy *p) {
  pthread_mutex_lock(&proxies_mu);
  for (proxy **pp = &proxies; *pp; pp = &(*pp)->next)
    if (*pp == p) {
      *pp = p->next;
      break;
    }
  pthread_mutex_unlock(&proxies_mu);
  tug_upgrade_close(&p->up);
  if (p->urh)
    MHD_upgrade_action(p->urh, MHD_UPGRADE_ACTION_CLOSE);
  if (p->taken) {
    tug_tls_taken_end(&p->tls);
    MHD_resume_connection(p->taken);
  }
  free(p->head);
  free(p);
}

static void *proxy_run(void *arg) {
  proxy *p = arg;
  fcntl(p->client_fd, F_SETFL, fcntl(p->client_fd, F_GETFL) | O_NONBLOCK);
  tug_error err = {0};
  if (p->head == NULL ||
      tug_tls_taken_send_all(&p->tls, p->head, p->head_len, AGENT_TIMEOUT_MS, &err) == 0)
    splice_streams(p);
  proxy_free(p);
  return NULL;
}

static void proxy_start(proxy *p) {
  pthread_mutex_lock(&proxies_mu);
  p->next = proxies;
  proxies = p;
  pthread_mutex_unlock(&proxies_mu);
  pthread_t t;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  if (pthread_create(&t, &attr, proxy_run, p) != 0)
    proxy_free(p);
  pthread_attr_destroy(&attr);
}

/* Plain HTTP: the client's bytes after its headers go to the agent before
 * anything else. */
static void on_upgrade(void *cls, struct MHD_Connection *conn, void *con_cls, const char *extra_in,
                       size_t extra_in_size, MHD_socket sock,
                       struct MHD_UpgradeResponseHandle *urh) {
  (void)conn, (void)con_cls;
  proxy *p = cls;
  p->client_fd = sock;
  p->urh = urh;
  for (size_t off = 0; off < extra_in_size;) {
    ssize_t n = tug_upgrade_write(&p->up, extra_in + off, extra_in_size - off);
    if (n < 0 && errno != EAGAIN)
      break;
    off += n > 0 ? (size_t)n : 0;
  }
  proxy_start(p);
}

/* HTTPS: the 101 is written by the proxy's thread, which then splices. A
 * WebSocket client sends nothing before the 101, so nothing of the stream
 * waits in libmicrohttpd's buffer. */
static void on_take(void *cls, struct MHD_Connection *conn, const tug_tls_taken *t, char *head,
                    size_t head_len) {
  proxy *p = cls;
  p->tls = *t;
  p->client_fd = t->fd;
  p->taken = conn;
  p->head = head;
  p->head_len = head_len;
  proxy_start(p);
}

void api_streams_close_all(int timeout_ms) {
  pthread_mutex_lock(&proxies_mu);
  for (proxy *p = proxies; p; p = p->next) {
    shutdown(p->client_fd, SHUT_RDWR);
    shutdown(p->up.fd, SHUT_RDWR);
  }
  pthread_mutex_unlock(&proxies_mu);
  for (int waited = 0; waited < timeout_ms; waited += 5) {
    pthread_mutex_lock(&proxies_mu);
    bool left = proxies != NULL;
    pthread_mutex_unlock(&proxies_mu);
    if (!left)
      return;
    usleep(5000);
  }
}

/* ---- the agent's answer ---- */

/* Connect to the agent at url and exchange the upgrade; 0 once it switched. */
static int dial_agent(api_request *r, proxy *p, const char *node, const char *url, const char *path,
                      api_response *out) {
  CURL *h = curl_easy_init();
  if (h == NULL)
    return api_fail(out, 500, "out of memory"), -1;
  curl_easy_setopt(h, CURLOPT_URL, url);
  /* The Node's address is the node's own claim: the agent there must prove
   * it is that node's, or another agent (or anything else) would get the
   * stream. */
  char node_cn[300];
  snprintf(node_cn, sizeof node_cn, "system:node:%s", node ? node : "");
  api_agent_tls(r->server, h, node_cn);
  tug_error err = {0};
  if (tug_upgrade_dial(h, path, api_header(r, "Sec-WebSocket-Key"),
                       api_header(r, "Sec-WebSocket-Protocol"), NULL, AGENT_TIMEOUT_MS, &p->up,
                       &err) < 0)
    return api_fail(out, 503, "reaching the node's agent: %s", err.msg), -1;
  if (p->up.code != 101)
    return api_agent_refused(out, p->up.code, p->up.body), -1;
  return 0;
}

/* ---- the handler ---- */

/* Kubernetes' rule for upgrades to these subresources: `create` too. */
static bool may_create(api_request *r, const api_route *rt, api_response *out) {
  api_authz_attrs a;
  api_authz_resource(&a, &r->user, "create", "", "pods", rt->sub, rt->ns, rt->name);
  char reason[256] = "";
  if (api_authorize(r->server, &a, reason, sizeof reason))
    return true;
  api_authz_forbidden(out, &a, reason);
  return false;
}

/* /exec/{ns}/{pod}/{container}?{the client's query}, or /portForward/{ns}/{pod}?... */
static bool agent_path(api_request *r, const api_route *rt, const char *container, char *path,
                       size_t size, api_response *out) {
  const char *q = r->uri ? strchr(r->uri, '?') : NULL;
  char *ns = curl_easy_escape(NULL, rt->ns, 0), *pod = curl_easy_escape(NULL, rt->name, 0),
       *c = curl_easy_escape(NULL, container ? container : "", 0);
  int n = strcmp(rt->sub, "portforward") == 0
              ? snprintf(path, size, "/portForward/%s/%s%s", ns, pod, q ? q : "")
              : snprintf(path, size, "/%s/%s/%s/%s%s", rt->sub, ns, pod, c, q ? q : "");
  curl_free(ns);
  curl_free(pod);
  curl_free(c);
  if (n < 0 || (size_t)n >= size)
    return api_fail(out, 414, "request URI too long"), false;
  return true;
}

/* Only WebSockets are served. kubectl falls back to plain SPDY when its
 * WebSocket fails, and older clients speak nothing else: they get a Status
 * that says what to use instead of a bare refusal. */
static bool websocket_upgrade(api_request *r, const api_route *rt, api_response *out) {
  const char *upgrade = api_header(r, "Upgrade");
  if (upgrade && strncasecmp(upgrade, "SPDY/", 5) == 0) {
    bool forward = strcmp(rt->sub, "portforward") == 0;
    api_fail(out, 400,
             "%s upgrades are not served for pods/%s: use a WebSocket (subprotocol %s), which "
             "kubectl v1.%d and later uses by default",
             upgrade, rt->sub,
             forward ? "SPDY/3.1+portforward.k8s.io" : "v5.channel.k8s.io or v4.channel.k8s.io",
             forward ? 31 : 30);
    return false;
  }
  if (upgrade == NULL || strcasecmp(upgrade, "websocket") != 0) {
    api_fail(out, 400, "Upgrade request required");
    return false;
  }
  return true;
}

void api_handle_stream(api_request *r, const api_route *rt, api_response *out) {
  if (!websocket_upgrade(r, rt, out))
    return;
  if (!may_create(r, rt, out))
    return;
  json_t *pod = api_cached_core(r->server, "pods", rt->ns, rt->name);
  if (pod == NULL) {
    api_fail(out, 404, "pods \"%s\" not found", rt->name);
    return;
  }
  bool forward = strcmp(rt->sub, "portforward") == 0;
  const char *container = forward ? "" : api_pod_container(pod, api_query(r, "container"), out);
  const char *node = tug_obj_get_str(pod, "spec.nodeName");
  char *base = container ? api_agent_url(r->server, node, out) : NULL;
  char path[4096];
  proxy *p = base ? calloc(1, sizeof *p) : NULL;
  if (p)
    p->up.fd = -1;
  if (p && agent_path(r, rt, container, path, sizeof path, out) &&
      dial_agent(r, p, node, base, path, out) == 0) {
    out->code = 101;
    out->upgrade = on_upgrade;
    out->take = on_take;
    out->upgrade_cls = p;
    api_set_header(out, "Upgrade", "websocket");
    api_set_header(out, "Sec-WebSocket-Accept", p->up.accept);
    if (p->up.protocol[0])
      api_set_header(out, "Sec-WebSocket-Protocol", p->up.protocol);
    p = NULL;
  } else if (base && p == NULL && out->code == 0) {
    api_fail(out, 500, "out of memory");
  }
  if (p)
    proxy_free(p);
  free(base);
  json_decref(pod);
}
