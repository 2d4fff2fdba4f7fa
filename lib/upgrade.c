/*
 * upgrade.c — HTTP/1.1 upgrades over libcurl (see upgrade.h).
 */
#include "upgrade.h"

#include <curl/curl.h>
#include <errno.h>
#include <openssl/rand.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"

enum { HEAD_MAX = 16 * 1024 };

static bool wait_fd(int fd, short events, int timeout_ms) {
  struct pollfd f = {.fd = fd, .events = events};
  return poll(&f, 1, timeout_ms) > 0;
}

static int send_all(tug_upgrade *u, const char *s, size_t len, int timeout_ms) {
  for (size_t off = 0; off < len;) {
    size_t n = 0;
    CURLcode rc = curl_easy_send(u->curl, s + off, len - off, &n);
    if (rc == CURLE_AGAIN && wait_fd(u->fd, POLLOUT, timeout_ms))
      continue;
    if (rc != CURLE_OK)
      return -1;
    off += n;
  }
  return 0;
}

/* The status line and headers into head (NUL-terminated, ending in one
 * CRLF); what came after them goes to u->pending. */
static int read_head(tug_upgrade *u, char *head, size_t size, int timeout_ms) {
  size_t len = 0;
  while (len < size - 1) {
    size_t n = 0;
    CURLcode rc = curl_easy_recv(u->curl, head + len, size - 1 - len, &n);
    if (rc == CURLE_AGAIN && wait_fd(u->fd, POLLIN, timeout_ms))
      continue;
    if (rc != CURLE_OK || n == 0)
      return -1;
    len += n;
    head[len] = '\0';
    char *end = strstr(head, "\r\n\r\n");
    if (end == NULL)
      continue;
    size_t used = (size_t)(end + 4 - head);
    if (len > used && (u->pending = malloc(len - used)) != NULL) {
      memcpy(u->pending, head + used, len - used);
      u->pending_len = len - used;
    }
    end[2] = '\0';
    return 0;
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
      snprintf(out, size, "%.*s", (int)strcspn(v, "\r\n"), v);
      return;
    }
  }
}

static int connect_only(tug_upgrade *u, int timeout_ms, tug_error *err) {
  curl_easy_setopt(u->curl, CURLOPT_CONNECT_ONLY, 1L);
  curl_easy_setopt(u->curl, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_ms);
  curl_easy_setopt(u->curl, CURLOPT_NOSIGNAL, 1L);
  CURLcode rc = curl_easy_perform(u->curl);
  curl_socket_t fd = CURL_SOCKET_BAD;
  if (rc == CURLE_OK)
    curl_easy_getinfo(u->curl, CURLINFO_ACTIVESOCKET, &fd);
  if (rc != CURLE_OK || fd == CURL_SOCKET_BAD)
    return tug_error_set(err, TUG_E_UNAVAILABLE, "connect: %s", curl_easy_strerror(rc));
  u->fd = (int)fd;
  return 0;
}

int tug_upgrade_dial(void *curl, const char *path, const char *key, const char *protocols,
                     const char *extra_header, int timeout_ms, tug_upgrade *u, tug_error *err) {
  *u = (tug_upgrade){.curl = curl, .fd = -1};
  if (connect_only(u, timeout_ms, err) < 0)
    return -1;
  char *url = NULL;
  curl_easy_getinfo(u->curl, CURLINFO_EFFECTIVE_URL, &url);
  const char *host = url && strstr(url, "://") ? strstr(url, "://") + 3 : "localhost";
  char *req = NULL;
  int n = asprintf(&req,
                   "GET %s HTTP/1.1\r\nHost: %.*s\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                   "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: %s\r\n"
                   "Sec-WebSocket-Protocol: %s\r\n%s%s\r\n",
                   path, (int)strcspn(host, "/"), host, key ? key : "", protocols ? protocols : "",
                   extra_header ? extra_header : "", extra_header ? "\r\n" : "");
  char head[HEAD_MAX];
  bool ok = n > 0 && send_all(u, req, (size_t)n, timeout_ms) == 0 &&
            read_head(u, head, sizeof head, timeout_ms) == 0;
  free(req);
  if (!ok || sscanf(head, "HTTP/1.%*d %ld", &u->code) != 1)
    return tug_error_set(err, TUG_E_UNAVAILABLE, "no answer to the upgrade");
  header_value(head, "Sec-WebSocket-Accept", u->accept, sizeof u->accept);
  header_value(head, "Sec-WebSocket-Protocol", u->protocol, sizeof u->protocol);
  if (u->code != 101)
    snprintf(u->body, sizeof u->body, "%.*s", (int)(u->pending_len < 511 ? u->pending_len : 511),
             u->pending ? u->pending : "");
  return 0;
}

ssize_t tug_upgrade_read(void *arg, void *buf, size_t len) {
  tug_upgrade *u = arg;
  if (u->pending_len > 0) {
    size_t n = u->pending_len < len ? u->pending_len : len;
    memcpy(buf, u->pending, n);
    memmove(u->pending, u->pending + n, u->pending_len - n);
    u->pending_len -= n;
    return (ssize_t)n;
  }
  size_t n = 0;
  CURLcode rc = curl_easy_recv(u->curl, buf, len, &n);
  if (rc == CURLE_AGAIN)
    return errno = EAGAIN, -1;
  if (rc != CURLE_OK)
    return errno = ECONNRESET, -1;
  return (ssize_t)n;
}

ssize_t tug_upgrade_write(void *arg, const void *buf, size_t len) {
  tug_upgrade *u = arg;
  size_t n = 0;
  CURLcode rc = curl_easy_send(u->curl, buf, len, &n);
  if (rc == CURLE_AGAIN)
    return errno = EAGAIN, -1;
  if (rc != CURLE_OK)
    return errno = EPIPE, -1;
  return (ssize_t)n;
}

void tug_upgrade_close(tug_upgrade *u) {
  if (u->curl)
    curl_easy_cleanup(u->curl);
  free(u->pending);
  *u = (tug_upgrade){.fd = -1};
}

void tug_upgrade_new_key(char *out, size_t size) {
  unsigned char raw[16];
  RAND_bytes(raw, sizeof raw);
  char *b = tug_base64_encode(raw, sizeof raw);
  snprintf(out, size, "%s", b ? b : "");
  free(b);
}
