/* agent-logs.c — serving container logs over HTTP (see agent-logs.h). */
#include "agent-logs.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glob.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "log.h"

struct agent_logs {
  char root[4096];
  struct MHD_Daemon *daemon;
};

const char *agent_logs_tail(const char *text, size_t len, long n) {
  if (n < 0)
    return text;
  const char *p = text + len;
  /* A final newline ends the last line rather than starting an empty one. */
  if (p > text && p[-1] == '\n')
    p--;
  for (long seen = 0; p > text; p--)
    if (p[-1] == '\n' && ++seen == n)
      return p;
  return n == 0 ? text + len : text;
}

static bool safe_segment(const char *s) {
  return s[0] && strcmp(s, ".") != 0 && strcmp(s, "..") != 0 && strpbrk(s, "/*?[") == NULL;
}

static enum MHD_Result answer(struct MHD_Connection *conn, int code, char *body, size_t len) {
  struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
  MHD_add_response_header(r, "Content-Type", "text/plain; charset=utf-8");
  enum MHD_Result rc = MHD_queue_response(conn, code, r);
  MHD_destroy_response(r);
  return rc;
}

static enum MHD_Result fail(struct MHD_Connection *conn, int code, const char *fmt, ...) {
  char *msg = NULL;
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(&msg, fmt, ap) < 0)
    msg = NULL;
  va_end(ap);
  return answer(conn, code, msg ? msg : strdup("error"), msg ? strlen(msg) : 5);
}

/* The log file of ns/pod/container (the newest pod with that name). */
static char *find_log(const agent_logs *l, const char *ns, const char *pod, const char *c) {
  char pattern[8192];
  snprintf(pattern, sizeof pattern, "%s/logs/%s_%s_*/%s.log", l->root, ns, pod, c);
  glob_t g;
  if (glob(pattern, 0, NULL, &g) != 0)
    return NULL;
  char *path = strdup(g.gl_pathv[g.gl_pathc - 1]);
  globfree(&g);
  return path;
}

static enum MHD_Result serve(void *cls, struct MHD_Connection *conn, const char *url,
                             const char *method, const char *version, const char *upload,
                             size_t *upload_size, void **ctx) {
  (void)version, (void)upload, (void)upload_size, (void)ctx;
  agent_logs *l = cls;
  if (strcmp(method, "GET") != 0)
    return fail(conn, 405, "only GET is served\n");
  char ns[256], pod[256], c[256];
  if (sscanf(url, "/containerLogs/%255[^/]/%255[^/]/%255[^/]", ns, pod, c) != 3 ||
      !safe_segment(ns) || !safe_segment(pod) || !safe_segment(c))
    return fail(conn, 404, "not found: %s\n", url);
  _cleanup_free_ char *path = find_log(l, ns, pod, c);
  if (path == NULL)
    return fail(conn, 404, "no log for container %s of pod %s/%s on this node\n", c, ns, pod);
  _cleanup_fclose_ FILE *f = fopen(path, "re");
  char *text = NULL;
  size_t cap = 0;
  ssize_t len = f ? getdelim(&text, &cap, '\0', f) : -1;
  if (len < 0) {
    free(text);
    return f ? answer(conn, 200, strdup(""), 0) : fail(conn, 500, "read %s\n", path);
  }
  const char *tail = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "tailLines");
  const char *from = agent_logs_tail(text, (size_t)len, tail ? strtol(tail, NULL, 10) : -1);
  size_t n = (size_t)len - (size_t)(from - text);
  memmove(text, from, n);
  return answer(conn, 200, text, n);
}

int agent_logs_start(const char *root, const char *address, int port, agent_logs **out,
                     tug_error *err) {
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (inet_pton(AF_INET, address, &sa.sin_addr) != 1)
    return tug_error_set(err, EINVAL, "--address %s: not an IPv4 address", address);
  agent_logs *l = calloc(1, sizeof *l);
  snprintf(l->root, sizeof l->root, "%s", root);
  l->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
                               serve, l, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                               MHD_OPTION_END);
  if (l->daemon == NULL) {
    free(l);
    return tug_error_set(err, EADDRINUSE, "log server on %s:%d: cannot listen", address, port);
  }
  tug_info("log server listening", "address=%s port=%d", address, port);
  *out = l;
  return 0;
}

void agent_logs_stop(agent_logs *l) {
  if (l == NULL)
    return;
  MHD_stop_daemon(l->daemon);
  free(l);
}
