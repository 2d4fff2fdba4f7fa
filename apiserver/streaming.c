/*
 * streaming.c — pods/exec, pods/attach and pods/portforward: the client's
 * WebSocket upgrade is passed to the agent of the pod's node, as Kubernetes'
 * API server passes it to the kubelet, and once both answered "101 Switching
 * Protocols" the two connections are spliced byte for byte.
 *
 * The one idea: the API server never parses the frames. It checks who may
 * (Kubernetes' rule for upgrades: `create` on the subresource as well as the
 * `get` the request itself was authorized for), opens the agent's URL over
 * the mutual TLS used for logs (libcurl with CONNECT_ONLY, so the TLS setup
 * is the logs' own), forwards the client's Sec-WebSocket-Key and
 * subprotocols, and hands the agent's Sec-WebSocket-Accept and chosen
 * subprotocol back. A thread per stream then copies each direction through
 * one buffer, reading a side only when its buffer is empty (so a slow reader
 * slows the writer instead of growing memory); either side's close closes
 * both.
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

enum { SPLICE_BUFFER = 64 * 1024, HEAD_MAX = 16 * 1024, AGENT_TIMEOUT_MS = 10000 };

typedef struct proxy {
  CURL *up;
  int up_fd, client_fd;
  struct MHD_UpgradeResponseHandle *urh;
  char *pending; /* the agent's bytes that came with its 101, for the client first */
  size_t pending_len;
  char accept[128], protocol[128];
  struct proxy *next;
} proxy;

static pthread_mutex_t proxies_mu = PTHREAD_MUTEX_INITIALIZER;
static proxy *proxies;

/* ---- the splice ---- */

typedef struct pipe_buf {
  char b[SPLICE_BUFFER];
  size_t len, off;
  bool eof;
} pipe_buf;

/* Agent → client: -1 when the agent's side broke. */
static int from_agent(proxy *p, pipe_buf *u, bool *moved, bool *want_in) {
  if (u->len == 0 && !u->eof) {
    size_t n = 0;
    CURLcode rc = curl_easy_recv(p->up, u->b, sizeof u->b, &n);
    if (rc == CURLE_AGAIN)
      *want_in = true;
    else if (rc != CURLE_OK)
      return -1;
    else if (n == 0)
      u->eof = true;
    else
      u->len = n, u->off = 0, *moved = true;
  }
  return 0;
}

static int to_client(proxy *p, pipe_buf *u, bool *moved, bool *want_out) {
  while (u->off < u->len) {
    ssize_t w = send(p->client_fd, u->b + u->off, u->len - u->off, MSG_NOSIGNAL);
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
    ssize_t n = recv(p->client_fd, d->b, sizeof d->b, 0);
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
    size_t n = 0;
    CURLcode rc = curl_easy_send(p->up, d->b + d->off, d->len - d->off, &n);
    if (rc == CURLE_AGAIN) {
      *want_out = true;
      return 0;
    }
    if (rc != CURLE_OK)
      return -1;
    d->off += n, *moved = true;
  }
  d->len = d->off = 0;
  return 0;
}

static void splice_streams(proxy *p) {
  pipe_buf *u = calloc(1, sizeof *u), *d = calloc(1, sizeof *d);
  if (u && d && p->pending_len <= sizeof u->b) {
    memcpy(u->b, p->pending, p->pending_len);
    u->len = p->pending_len;
  }
  while (u && d) {
    bool moved = false, c_in = false, c_out = false, a_in = false, a_out = false;
    if (to_client(p, u, &moved, &c_out) < 0 || from_agent(p, u, &moved, &a_in) < 0 ||
        to_client(p, u, &moved, &c_out) < 0 || from_client(p, d, &moved, &c_in) < 0 ||
        to_agent(p, d, &moved, &a_out) < 0)
      break;
    /* Either side closed and what it sent before is delivered: close both. */
    if ((u->eof && u->len == 0) || (d->eof && d->len == 0))
      break;
    if (moved)
      continue;
    struct pollfd f[2] = {
        {.fd = p->client_fd, .events = (short)((c_in ? POLLIN : 0) | (c_out ? POLLOUT : 0))},
        {.fd = p->up_fd, .events = (short)((a_in ? POLLIN : 0) | (a_out ? POLLOUT : 0))}};
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
  if (p->up)
    curl_easy_cleanup(p->up);
  if (p->urh)
    MHD_upgrade_action(p->urh, MHD_UPGRADE_ACTION_CLOSE);
  free(p->pending);
  free(p);
}

static void *proxy_run(void *arg) {
  proxy *p = arg;
  fcntl(p->client_fd, F_SETFL, fcntl(p->client_fd, F_GETFL) | O_NONBLOCK);
  splice_streams(p);
  proxy_free(p);
  return NULL;
}

/* The client's bytes after its headers go to the agent before anything else. */
static void on_upgrade(void *cls, struct MHD_Connection *conn, void *con_cls, const char *extra_in,
                       size_t extra_in_size, MHD_socket sock,
                       struct MHD_UpgradeResponseHandle *urh) {
  (void)conn, (void)con_cls;
  proxy *p = cls;
  p->client_fd = sock;
  p->urh = urh;
  for (size_t off = 0, n = 0; off < extra_in_size; off += n)
    if (curl_easy_send(p->up, extra_in + off, extra_in_size - off, &n) != CURLE_OK)
      break;
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

void api_streams_close_all(int timeout_ms) {
  pthread_mutex_lock(&proxies_mu);
  for (proxy *p = proxies; p; p = p->next) {
    shutdown(p->client_fd, SHUT_RDWR);
    shutdown(p->up_fd, SHUT_RDWR);
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

/* Wait (up to the agent timeout) until the socket is ready for events. */
static bool wait_fd(int fd, short events) {
  struct pollfd f = {.fd = fd, .events = events};
  return poll(&f, 1, AGENT_TIMEOUT_MS) > 0;
}

static int send_all(proxy *p, const char *s, size_t len) {
  for (size_t off = 0; off < len;) {
    size_t n = 0;
    CURLcode rc = curl_easy_send(p->up, s + off, len - off, &n);
    if (rc == CURLE_AGAIN && wait_fd(p->up_fd, POLLOUT))
      continue;
    if (rc != CURLE_OK)
      return -1;
    off += n;
  }
  return 0;
}

/* The agent's status line and headers into head (NUL-terminated); what came
 * after them stays in p->pending. -1 when the agent broke or took too long. */
static int read_head(proxy *p, char *head, size_t size) {
  size_t len = 0;
  while (len < size - 1) {
    size_t n = 0;
    CURLcode rc = curl_easy_recv(p->up, head + len, size - 1 - len, &n);
    if (rc == CURLE_AGAIN) {
      if (!wait_fd(p->up_fd, POLLIN))
        return -1;
      continue;
    }
    if (rc != CURLE_OK || n == 0)
      return -1;
    len += n;
    head[len] = '\0';
    char *end = strstr(head, "\r\n\r\n");
    if (end) {
      size_t used = (size_t)(end + 4 - head);
      if (len > used && (p->pending = malloc(len - used)) != NULL) {
        memcpy(p->pending, head + used, len - used);
        p->pending_len = len - used;
      }
      end[2] = '\0';
      return 0;
    }
  }
  return -1;
}

static void header_value(const char *head, const char *name, char *out, size_t size) {
  out[0] = '\0';
  size_t n = strlen(name);
  for (const char *l = strstr(head, "\r\n"); l; l = strstr(l + 2, "\r\n")) {
    if (strncasecmp(l + 2, name, n) == 0 && l[2 + n] == ':') {
      const char *v = l + 3 + n;
      v += strspn(v, " \t");
      size_t len = strcspn(v, "\r\n");
      snprintf(out, size, "%.*s", (int)(len < size ? len : size - 1), v);
      return;
    }
  }
}

/* The agent refused: its body (what came with the headers) says why. */
static void refused(proxy *p, long code, api_response *out) {
  char body[512];
  snprintf(body, sizeof body, "%.*s", (int)(p->pending_len < 511 ? p->pending_len : 511),
           p->pending ? p->pending : "");
  api_agent_refused(out, code, body);
}

/* Connect to url's host and exchange the upgrade; 0 once the agent switched. */
static int dial_agent(api_request *r, proxy *p, const char *url, const char *path,
                      api_response *out) {
  p->up = curl_easy_init();
  if (p->up == NULL)
    return api_fail(out, 500, "out of memory"), -1;
  curl_easy_setopt(p->up, CURLOPT_URL, url);
  curl_easy_setopt(p->up, CURLOPT_CONNECT_ONLY, 1L);
  curl_easy_setopt(p->up, CURLOPT_CONNECTTIMEOUT_MS, (long)AGENT_TIMEOUT_MS);
  curl_easy_setopt(p->up, CURLOPT_NOSIGNAL, 1L);
  api_agent_tls(r->server, p->up);
  CURLcode rc = curl_easy_perform(p->up);
  curl_socket_t fd = CURL_SOCKET_BAD;
  if (rc == CURLE_OK)
    curl_easy_getinfo(p->up, CURLINFO_ACTIVESOCKET, &fd);
  if (rc != CURLE_OK || fd == CURL_SOCKET_BAD)
    return api_fail(out, 503, "reaching the node's agent: %s", curl_easy_strerror(rc)), -1;
  p->up_fd = fd;
  const char *key = api_header(r, "Sec-WebSocket-Key"),
             *protos = api_header(r, "Sec-WebSocket-Protocol");
  const char *host = strstr(url, "://") + 3;
  char *req = NULL;
  int n = asprintf(&req,
                   "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                   "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: %s\r\n"
                   "Sec-WebSocket-Protocol: %s\r\n\r\n",
                   path, host, key ? key : "", protos ? protos : "");
  char head[HEAD_MAX];
  bool ok = n > 0 && send_all(p, req, (size_t)n) == 0 && read_head(p, head, sizeof head) == 0;
  free(req);
  long code = 0;
  if (!ok || sscanf(head, "HTTP/1.%*d %ld", &code) != 1)
    return api_fail(out, 503, "the node's agent did not answer the upgrade"), -1;
  if (code != 101)
    return refused(p, code, out), -1;
  header_value(head, "Sec-WebSocket-Accept", p->accept, sizeof p->accept);
  header_value(head, "Sec-WebSocket-Protocol", p->protocol, sizeof p->protocol);
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

void api_handle_stream(api_request *r, const api_route *rt, api_response *out) {
  const char *upgrade = api_header(r, "Upgrade");
  if (upgrade == NULL || strcasecmp(upgrade, "websocket") != 0) {
    api_fail(out, 400, "Upgrade request required");
    return;
  }
  if (!may_create(r, rt, out))
    return;
  json_t *pod = api_cached_core(r->server, "pods", rt->ns, rt->name);
  if (pod == NULL) {
    api_fail(out, 404, "pods \"%s\" not found", rt->name);
    return;
  }
  bool forward = strcmp(rt->sub, "portforward") == 0;
  const char *container = forward ? "" : api_pod_container(pod, api_query(r, "container"), out);
  char *base =
      container ? api_agent_url(r->server, tug_obj_get_str(pod, "spec.nodeName"), out) : NULL;
  char path[4096];
  proxy *p = base ? calloc(1, sizeof *p) : NULL;
  if (p && agent_path(r, rt, container, path, sizeof path, out) &&
      dial_agent(r, p, base, path, out) == 0) {
    out->code = 101;
    out->upgrade = on_upgrade;
    out->upgrade_cls = p;
    api_set_header(out, "Upgrade", "websocket");
    api_set_header(out, "Sec-WebSocket-Accept", p->accept);
    if (p->protocol[0])
      api_set_header(out, "Sec-WebSocket-Protocol", p->protocol);
    p = NULL;
  } else if (base && p == NULL && out->code == 0) {
    api_fail(out, 500, "out of memory");
  }
  if (p)
    proxy_free(p);
  free(base);
  json_decref(pod);
}
