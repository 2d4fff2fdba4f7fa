/*
 * agent-logs.c — the agent's HTTP server (container logs and /metrics) and
 * its log rotation pass (see agent-logs.h; the files are agent-logs-files.c).
 *
 * libmicrohttpd runs a thread per connection, so a follow stream may block in
 * its content reader: it waits for the log to grow in short sleeps, checking
 * each time whether the client hung up, the pod's log dir went away or the
 * server is stopping. Agents serve a handful of such streams, not thousands.
 */
#include "agent-logs.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glob.h>
#include <microhttpd.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent-metrics.h"
#include "agent-portforward.h"
#include "agent-streams.h"
#include "cleanup.h"
#include "log.h"
#include "nsrun.h"
#include "query.h"
#include "stopper.h"
#include "tls-peer.h"
#include "tls-takeover.h"

enum { FOLLOW_POLL_MS = 200, STREAM_BLOCK = 32 * 1024 };

struct agent_logs {
  char root[4096];
  int64_t max_size;
  int max_files;
  agent_cgroup_mode cgroup_mode;
  struct MHD_Daemon *daemon;
  tug_pki_verifier *client_ca; /* NULL: plain HTTP, anyone */
  agent_runtime *rt;           /* exec and attach; NULL: not served */
  tug_stopper stopper;         /* rotation's sleeps; followed streams end on it too */
  pthread_t rotator;
  pthread_mutex_t mu; /* controllers */
  tug_controller *controllers[AGENT_LOGS_MAX_CONTROLLERS];
  size_t n_controllers;
};

bool agent_logs_safe_segment(const char *s) {
  return s[0] && strcmp(s, ".") != 0 && strcmp(s, "..") != 0 && strpbrk(s, "/*?[\\") == NULL;
}

static enum MHD_Result answer(struct MHD_Connection *conn, int code, char *body, size_t len,
                              const char *type) {
  struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
  MHD_add_response_header(r, "Content-Type", type);
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
  return answer(conn, code, msg ? msg : strdup("error"), msg ? strlen(msg) : 5,
                "text/plain; charset=utf-8");
}

/* The log named file of ns/pod (the newest pod with that name), or NULL. */
static char *find_log(const agent_logs *l, const char *ns, const char *pod, const char *file) {
  char pattern[8192];
  snprintf(pattern, sizeof pattern, "%s/logs/%s_%s_*/%s", l->root, ns, pod, file);
  glob_t g;
  if (glob(pattern, 0, NULL, &g) != 0)
    return NULL;
  char *path = strdup(g.gl_pathv[g.gl_pathc - 1]);
  globfree(&g);
  return path;
}

bool agent_logs_flag(struct MHD_Connection *conn, const char *key) {
  const char *v = NULL;
  size_t len = 0;
  enum MHD_Result found =
      MHD_lookup_connection_value_n(conn, MHD_GET_ARGUMENT_KIND, key, strlen(key), &v, &len);
  return tug_query_bool(found == MHD_YES, v);
}

/* tailLines: -1 when absent, -2 when not a number of lines. */
static long tail_lines(struct MHD_Connection *conn) {
  const char *v = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "tailLines");
  if (v == NULL)
    return -1;
  char *end;
  errno = 0;
  long n = strtol(v, &end, 10);
  return errno || end == v || *end || n < 0 ? -2 : n;
}

typedef struct log_stream {
  agent_logs *l;
  agent_logs_reader *r;
  int client_fd;
  bool follow, log_gone;
} log_stream;

/* Waits up to FOLLOW_POLL_MS; true when the client closed its side. */
static bool client_gone(int fd) {
  struct pollfd p = {.fd = fd, .events = POLLRDHUP}; /* poll skips a negative fd, and waits */
  return poll(&p, 1, FOLLOW_POLL_MS) > 0 &&
         (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL));
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max) {
  (void)pos;
  log_stream *s = cls;
  for (;;) {
    ssize_t n = agent_logs_reader_read(s->r, buf, max);
    if (n > 0)
      return n;
    if (n < 0)
      return MHD_CONTENT_READER_END_WITH_ERROR;
    if (!s->follow || s->log_gone)
      return MHD_CONTENT_READER_END_OF_STREAM;
    if (tug_stopper_stopped(&s->l->stopper) || client_gone(s->client_fd))
      return MHD_CONTENT_READER_END_WITH_ERROR;
    /* A gone dir ends the stream after one last read of what is left. */
    s->log_gone = agent_logs_reader_follow(s->r) < 0;
  }
}

static void stream_free(void *cls) {
  log_stream *s = cls;
  agent_logs_reader_close(s->r);
  free(s);
}

static enum MHD_Result serve_stream(agent_logs *l, struct MHD_Connection *conn,
                                    agent_logs_reader *r, bool follow) {
  log_stream *s = calloc(1, sizeof *s);
  if (s == NULL) {
    agent_logs_reader_close(r);
    return MHD_NO;
  }
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
  *s = (log_stream){.l = l, .r = r, .client_fd = ci ? ci->connect_fd : -1, .follow = follow};
  struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_BLOCK,
                                                                stream_read, s, stream_free);
  if (resp == NULL) {
    stream_free(s);
    return MHD_NO;
  }
  MHD_add_response_header(resp, "Content-Type", "text/plain; charset=utf-8");
  enum MHD_Result rc = MHD_queue_response(conn, 200, resp);
  MHD_destroy_response(resp);
  return rc;
}

static enum MHD_Result serve_log(agent_logs *l, struct MHD_Connection *conn, const char *url) {
  char ns[256], pod[256], c[256], file[300];
  if (sscanf(url, "/containerLogs/%255[^/]/%255[^/]/%255[^/]", ns, pod, c) != 3 ||
      !agent_logs_safe_segment(ns) || !agent_logs_safe_segment(pod) || !agent_logs_safe_segment(c))
    return fail(conn, 404, "not found: %s\n", url);
  long tail = tail_lines(conn);
  if (tail == -2)
    return fail(conn, 400, "tailLines must be a number of lines, 0 or more\n");
  bool previous = agent_logs_flag(conn, "previous");
  snprintf(file, sizeof file, "%s%s", c, previous ? ".previous.log" : ".log");
  _cleanup_free_ char *path = find_log(l, ns, pod, file);
  if (path == NULL && previous)
    return fail(conn, 400, "previous terminated container \"%s\" in pod \"%s\" not found\n", c,
                pod);
  if (path == NULL)
    return fail(conn, 404, "no log for container %s of pod %s/%s on this node\n", c, ns, pod);
  agent_logs_reader *r = NULL;
  tug_error err = {0};
  if (agent_logs_reader_open(path, tail, &r, &err) < 0)
    return fail(conn, 500, "%s\n", err.msg);
  /* The previous container is done: there is nothing to follow. */
  return serve_stream(l, conn, r, agent_logs_flag(conn, "follow") && !previous);
}

/* The agent's controllers' metrics appended to text (len bytes); false when
 * memory runs out. */
static bool append_controllers(agent_logs *l, char **text, size_t *len) {
  char *more = NULL;
  size_t n = 0;
  FILE *f = open_memstream(&more, &n);
  if (f == NULL)
    return false;
  pthread_mutex_lock(&l->mu);
  tug_controller_render_metrics(l->controllers, l->n_controllers, f);
  pthread_mutex_unlock(&l->mu);
  fclose(f);
  char *all = realloc(*text, *len + n + 1);
  if (all)
    memcpy(all + *len, more, n + 1), *text = all, *len += n;
  free(more);
  return all != NULL;
}

/* The pods' cAdvisor metrics, then the agent's controllers'. */
static enum MHD_Result serve_metrics(agent_logs *l, struct MHD_Connection *conn) {
  char *text = NULL;
  size_t len = 0;
  tug_error err = {0};
  if (agent_metrics_render(l->root, l->cgroup_mode, &text, &len, &err) < 0)
    return fail(conn, 500, "%s\n", err.msg);
  if (!append_controllers(l, &text, &len)) {
    free(text);
    return fail(conn, 500, "out of memory\n");
  }
  return answer(conn, 200, text, len, "text/plain; version=0.0.4; charset=utf-8");
}

void agent_logs_show_controllers(agent_logs *l, tug_controller *const *cs, size_t n) {
  pthread_mutex_lock(&l->mu);
  l->n_controllers = n < AGENT_LOGS_MAX_CONTROLLERS ? n : AGENT_LOGS_MAX_CONTROLLERS;
  for (size_t i = 0; i < l->n_controllers; i++)
    l->controllers[i] = cs[i];
  pthread_mutex_unlock(&l->mu);
}

/* Who may read logs and metrics: the API server (which proxies `logs`) and
 * cluster admins. 0 when allowed, else the answer's code. */
static int refuse(agent_logs *l, struct MHD_Connection *conn, const char *url) {
  if (l->client_ca == NULL)
    return 0;
  tug_pki_identity id;
  tug_error err = {0};
  int rc = tug_tls_peer_identity(conn, l->client_ca, &id, &err);
  if (rc <= 0) {
    tug_info("log server: unauthorized", "path=%s err=%s", TUG_LOG_Q(url),
             TUG_LOG_Q(rc < 0 ? err.msg : "no client certificate"));
    return 401;
  }
  if (strcmp(id.user, "kube-apiserver-kubelet-client") == 0)
    return 0;
  for (int i = 0; i < id.ngroups; i++)
    if (strcmp(id.groups[i], "system:masters") == 0)
      return 0;
  tug_info("log server: forbidden", "path=%s user=%s", TUG_LOG_Q(url), TUG_LOG_Q(id.user));
  return 403;
}

static enum MHD_Result serve(void *cls, struct MHD_Connection *conn, const char *url,
                             const char *method, const char *version, const char *upload,
                             size_t *upload_size, void **ctx) {
  (void)version, (void)upload, (void)upload_size, (void)ctx;
  agent_logs *l = cls;
  int denied = refuse(l, conn, url);
  if (denied)
    return fail(conn, denied, denied == 401 ? "Unauthorized\n" : "Forbidden\n");
  if (strcmp(method, "GET") != 0)
    return fail(conn, 405, "only GET is served\n");
  if (strcmp(url, "/metrics") == 0)
    return serve_metrics(l, conn);
  if (strncmp(url, "/containerLogs/", 15) == 0)
    return serve_log(l, conn, url);
  if (l->rt && (strncmp(url, "/exec/", 6) == 0 || strncmp(url, "/attach/", 8) == 0))
    return agent_streams_serve(l->rt, l->root, conn, url);
  if (l->rt && strncmp(url, "/portForward/", 13) == 0)
    return agent_portforward_serve(l->rt, l->root, conn, url);
  return fail(conn, 404, "not found: %s\n", url);
}

static void *rotate_loop(void *arg) {
  agent_logs *l = arg;
  do
    agent_logs_rotate_all(l->root, l->max_size, l->max_files);
  while (tug_stopper_sleep_ms(&l->stopper, AGENT_LOGS_ROTATE_INTERVAL_MS));
  return NULL;
}

static void free_logs(agent_logs *l) {
  tug_pki_verifier_free(l->client_ca);
  tug_stopper_destroy(&l->stopper);
  pthread_mutex_destroy(&l->mu);
  free(l);
}

/* The listening socket, made in the node's network namespace when the agent
 * is one of several "hosts" on this machine (the API server then reaches it
 * at the node's address there), else here. */
static int listen_socket(int netns_fd, const struct sockaddr_in *sa) {
  int fd = tug_netns_socket(netns_fd, AF_INET, SOCK_STREAM, 0, NULL);
  int one = 1;
  if (fd < 0)
    return -1;
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
      bind(fd, (const struct sockaddr *)sa, sizeof *sa) < 0 || listen(fd, 64) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

/* A thread per connection, so a followed log may block in its reader; HTTPS
 * asking for client certificates when the options carry a pair. */
static struct MHD_Daemon *start_daemon(agent_logs *l, const agent_logs_options *o, int fd) {
  bool tls = o->tls_cert_pem && o->tls_key_pem && o->client_ca_pem;
  struct MHD_OptionItem tls_opts[] = {
      {tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, (void *)o->tls_key_pem},
      {MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)o->tls_cert_pem},
      {MHD_OPTION_HTTPS_MEM_TRUST, 0, (void *)o->client_ca_pem},
      {MHD_OPTION_END, 0, NULL},
  };
  unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                   MHD_USE_ERROR_LOG | MHD_ALLOW_UPGRADE | (tls ? MHD_USE_TLS : 0);
  return MHD_start_daemon(flags, 0, NULL, NULL, serve, l, MHD_OPTION_LISTEN_SOCKET, fd,
                          MHD_OPTION_CONNECTION_LIMIT, (unsigned)AGENT_LOGS_MAX_CONNECTIONS,
                          MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)AGENT_LOGS_IDLE_TIMEOUT_S,
                          MHD_OPTION_EXTERNAL_LOGGER, tug_tls_mhd_log, NULL, MHD_OPTION_ARRAY,
                          tls_opts, MHD_OPTION_END);
}

int agent_logs_start(const agent_logs_options *o, agent_logs **out, tug_error *err) {
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o->port)};
  if (inet_pton(AF_INET, o->address, &sa.sin_addr) != 1)
    return tug_error_set(err, EINVAL, "--address %s: not an IPv4 address", o->address);
  agent_logs *l = calloc(1, sizeof *l);
  if (l == NULL)
    return tug_error_set(err, ENOMEM, "start log server");
  snprintf(l->root, sizeof l->root, "%s", o->root);
  l->rt = o->rt;
  l->max_size = o->max_size > 0 ? o->max_size : AGENT_LOGS_DEFAULT_MAX_SIZE;
  l->max_files = o->max_files > 0 ? o->max_files : AGENT_LOGS_DEFAULT_MAX_FILES;
  tug_stopper_init(&l->stopper);
  pthread_mutex_init(&l->mu, NULL);
  tug_error cg = {0};
  if (agent_cgroup_init(&l->cgroup_mode, &cg) < 0)
    tug_warn("metrics without cgroups", "err=%s", TUG_LOG_ERR(&cg));
  if (o->client_ca_pem && (l->client_ca = tug_pki_verifier_new(
                               o->client_ca_pem, strlen(o->client_ca_pem), err)) == NULL) {
    free_logs(l);
    return tug_error_wrap(err, "log server: --client-ca-file");
  }
  int fd = listen_socket(o->netns_fd > 0 ? o->netns_fd : -1, &sa);
  if (fd >= 0)
    l->daemon = start_daemon(l, o, fd);
  if (l->daemon == NULL) {
    if (fd >= 0)
      close(fd);
    free_logs(l);
    return tug_error_set(err, EADDRINUSE, "log server on %s:%d: cannot listen", o->address,
                         o->port);
  }
  if (pthread_create(&l->rotator, NULL, rotate_loop, l) != 0) {
    MHD_stop_daemon(l->daemon);
    free_logs(l);
    return tug_error_set(err, EAGAIN, "start log rotation");
  }
  tug_info("log server listening", "address=%s port=%d tls=%s log_max_size=%lld log_max_files=%d",
           o->address, o->port, l->client_ca ? "on" : "off", (long long)l->max_size, l->max_files);
  *out = l;
  return 0;
}

void agent_logs_stop(agent_logs *l) {
  if (l == NULL)
    return;
  tug_stopper_stop(&l->stopper);
  pthread_join(l->rotator, NULL);
  MHD_stop_daemon(l->daemon);
  free_logs(l);
}
