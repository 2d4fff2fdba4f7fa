/*
 * agent-probe.c — probe specs, the per-probe state machine, and probe runs.
 *
 * A run is a detached thread holding one reference to an agent_probe_run; the
 * pod holds the other. The thread writes the outcome under the run's lock and
 * never touches the pod, so a pod can go away while its probes still run.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent-probe.h"
#include "object.h"

/* ---- spec ---- */

static char **strv_new(size_t n) {
  return calloc(n + 1, sizeof(char *));
}

static void strv_free(char **v) {
  if (v == NULL)
    return;
  for (char **p = v; *p; p++)
    free(*p);
  free(v);
}

/* port: a number, or the name of one of ctr.ports[]. */
static int parse_port(const json_t *ctr, const json_t *port, int *out, tug_error *err) {
  if (json_is_integer(port)) {
    *out = (int)json_integer_value(port);
  } else if (json_is_string(port)) {
    size_t i;
    json_t *p;
    *out = 0;
    json_array_foreach(json_object_get(ctr, "ports"), i, p) {
      const char *name = tug_obj_get_str(p, "name");
      if (name && strcmp(name, json_string_value(port)) == 0)
        *out = (int)tug_obj_get_int(p, "containerPort", 0);
    }
    if (*out == 0)
      return tug_error_set(err, EINVAL, "no container port named %s", json_string_value(port));
  }
  if (*out <= 0 || *out > 65535)
    return tug_error_set(err, EINVAL, "probe port missing or out of range");
  return 0;
}

static int parse_http(const json_t *ctr, const json_t *http, agent_probe_spec *s, tug_error *err) {
  const char *scheme = tug_obj_get_str(http, "scheme"), *path = tug_obj_get_str(http, "path"),
             *host = tug_obj_get_str(http, "host");
  if (scheme && strcmp(scheme, "HTTP") != 0)
    return tug_error_set(err, ENOTSUP, "httpGet scheme %s is not supported", scheme);
  snprintf(s->path, sizeof s->path, "%s", path && *path ? path : "/");
  snprintf(s->host, sizeof s->host, "%s", host && *host ? host : "127.0.0.1");
  const json_t *headers = json_object_get(http, "httpHeaders");
  if ((s->headers = strv_new(json_array_size(headers))) == NULL)
    return tug_error_errno(err, ENOMEM, "allocate probe headers");
  size_t i, n = 0;
  json_t *h;
  json_array_foreach(headers, i, h) {
    const char *name = tug_obj_get_str(h, "name"), *value = tug_obj_get_str(h, "value");
    if (name && asprintf(&s->headers[n++], "%s: %s", name, value ? value : "") < 0)
      return tug_error_errno(err, ENOMEM, "allocate probe headers");
  }
  s->kind = AGENT_PROBE_HTTP;
  return parse_port(ctr, json_object_get(http, "port"), &s->port, err);
}

static int parse_exec(const json_t *exec, agent_probe_spec *s, tug_error *err) {
  const json_t *cmd = json_object_get(exec, "command");
  if ((s->command = strv_new(json_array_size(cmd))) == NULL)
    return tug_error_errno(err, ENOMEM, "allocate probe command");
  size_t i, n = 0;
  json_t *arg;
  json_array_foreach(cmd, i, arg) {
    if (json_is_string(arg) && (s->command[n++] = strdup(json_string_value(arg))) == NULL)
      return tug_error_errno(err, ENOMEM, "allocate probe command");
  }
  if (n == 0)
    return tug_error_set(err, EINVAL, "exec probe without a command");
  s->kind = AGENT_PROBE_EXEC;
  return 0;
}

static int parse_handler(const json_t *ctr, const json_t *probe, agent_probe_spec *s,
                         tug_error *err) {
  const json_t *h;
  if ((h = json_object_get(probe, "httpGet")) != NULL)
    return parse_http(ctr, h, s, err);
  if ((h = json_object_get(probe, "tcpSocket")) != NULL) {
    s->kind = AGENT_PROBE_TCP;
    snprintf(s->host, sizeof s->host, "127.0.0.1");
    return parse_port(ctr, json_object_get(h, "port"), &s->port, err);
  }
  if ((h = json_object_get(probe, "exec")) != NULL)
    return parse_exec(h, s, err);
  return tug_error_set(err, ENOTSUP, "probe has no supported handler (httpGet, tcpSocket, exec)");
}

static int clamp_min(int64_t v, int min) {
  return v < min ? min : v > 86400 ? 86400 : (int)v;
}

int agent_probe_spec_parse(const json_t *ctr, const char *field, agent_probe_spec *out,
                           tug_error *err) {
  memset(out, 0, sizeof *out);
  const json_t *probe = json_object_get(ctr, field);
  if (!json_is_object(probe))
    return 0;
  out->initial_delay = clamp_min(tug_obj_get_int(probe, "initialDelaySeconds", 0), 0);
  out->period = clamp_min(tug_obj_get_int(probe, "periodSeconds", 10), 1);
  out->timeout = clamp_min(tug_obj_get_int(probe, "timeoutSeconds", 1), 1);
  out->failure_threshold = clamp_min(tug_obj_get_int(probe, "failureThreshold", 3), 1);
  out->success_threshold = clamp_min(tug_obj_get_int(probe, "successThreshold", 1), 1);
  if (parse_handler(ctr, probe, out, err) < 0) {
    out->kind = AGENT_PROBE_INVALID;
    return tug_error_wrap(err, "%s", field);
  }
  return 0;
}

void agent_probe_spec_free(agent_probe_spec *s) {
  strv_free(s->headers);
  strv_free(s->command);
  s->headers = s->command = NULL;
}

/* ---- state machine ---- */

void agent_probe_reset(agent_probe_state *st, const agent_probe_spec *s, double now) {
  *st = (agent_probe_state){.next_run = now + s->initial_delay, .result = AGENT_PROBE_UNKNOWN};
}

bool agent_probe_due(const agent_probe_state *st, double now) {
  return now >= st->next_run;
}

void agent_probe_started(agent_probe_state *st, const agent_probe_spec *s, double now) {
  st->next_run = now + s->period;
}

bool agent_probe_record(agent_probe_state *st, const agent_probe_spec *s, bool success) {
  agent_probe_result before = st->result;
  if (success) {
    st->failures = 0;
    if (++st->successes >= s->success_threshold)
      st->result = AGENT_PROBE_SUCCESS;
  } else {
    st->successes = 0;
    if (++st->failures >= s->failure_threshold)
      st->result = AGENT_PROBE_FAILURE;
  }
  return st->result != before;
}

/* ---- runs ---- */

struct agent_probe_run {
  pthread_mutex_t mu;
  int refs;
  bool done, success;
  char why[256];
  /* what the thread needs, copied: the spec may change or go */
  agent_probe_kind kind;
  char url[1400];
  struct curl_slist *headers;
  int port, timeout_ms, netns_fd;
  pid_t exec_pid;
};

static void run_unref(agent_probe_run *r) {
  pthread_mutex_lock(&r->mu);
  bool last = --r->refs == 0;
  pthread_mutex_unlock(&r->mu);
  if (!last)
    return;
  if (r->netns_fd >= 0)
    close(r->netns_fd);
  curl_slist_free_all(r->headers);
  pthread_mutex_destroy(&r->mu);
  free(r);
}

static void run_finish(agent_probe_run *r, bool success, const char *why) {
  pthread_mutex_lock(&r->mu);
  r->done = true;
  r->success = success;
  snprintf(r->why, sizeof r->why, "%.250s", why);
  pthread_mutex_unlock(&r->mu);
}

static size_t discard_body(char *ptr, size_t size, size_t n, void *arg) {
  (void)ptr;
  (void)arg;
  return size * n;
}

static void run_http(agent_probe_run *r) {
  CURL *h = curl_easy_init();
  if (h == NULL) {
    run_finish(r, false, "curl_easy_init failed");
    return;
  }
  curl_easy_setopt(h, CURLOPT_URL, r->url);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)r->timeout_ms);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROXY, "");
  curl_easy_setopt(h, CURLOPT_USERAGENT, "tug-probe/0.1");
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, r->headers);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard_body);
  CURLcode rc = curl_easy_perform(h);
  long code = 0;
  char why[256];
  if (rc == CURLE_OK)
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_cleanup(h);
  if (rc != CURLE_OK)
    snprintf(why, sizeof why, "GET %.150s: %.80s", r->url, curl_easy_strerror(rc));
  else
    snprintf(why, sizeof why, "GET %.150s: HTTP %ld", r->url, code);
  run_finish(r, rc == CURLE_OK && code >= 200 && code < 400, why);
}

static void run_tcp(agent_probe_run *r) {
  char why[128];
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)r->port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  int rc = fd < 0 ? -1 : connect(fd, (struct sockaddr *)&addr, sizeof addr);
  if (rc < 0 && fd >= 0 && errno == EINPROGRESS) {
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    int soerr = 0;
    socklen_t len = sizeof soerr;
    if (poll(&p, 1, r->timeout_ms) <= 0)
      errno = ETIMEDOUT;
    else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 && soerr == 0)
      rc = 0;
    else
      errno = soerr;
  }
  snprintf(why, sizeof why, "connect 127.0.0.1:%d: %s", r->port, rc == 0 ? "ok" : strerror(errno));
  if (fd >= 0)
    close(fd);
  run_finish(r, rc == 0, why);
}

static void run_exec(agent_probe_run *r) {
  int code = -1;
  tug_error err = {0};
  char why[256];
  if (agent_runtime_exec_wait(r->exec_pid, &code, &err) < 0)
    snprintf(why, sizeof why, "%.200s", err.msg);
  else
    snprintf(why, sizeof why, "command exited with %d", code);
  run_finish(r, code == 0, why);
}

static void *run_main(void *arg) {
  agent_probe_run *r = arg;
  if (r->kind == AGENT_PROBE_EXEC) {
    run_exec(r);
  } else if (setns(r->netns_fd, CLONE_NEWNET) < 0) {
    char why[128];
    snprintf(why, sizeof why, "join the pod's network namespace: %s", strerror(errno));
    run_finish(r, false, why);
  } else if (r->kind == AGENT_PROBE_HTTP) {
    run_http(r);
  } else {
    run_tcp(r);
  }
  run_unref(r);
  return NULL;
}

static int run_prepare(agent_probe_run *r, const agent_probe_spec *s, agent_sandbox *sb,
                       agent_container *c, tug_error *err) {
  if (s->kind == AGENT_PROBE_EXEC)
    return agent_runtime_container_exec_start(c, s->command, r->timeout_ms, &r->exec_pid, err);
  char path[4200];
  snprintf(path, sizeof path, "%s/ns/net", agent_runtime_sandbox_dir(sb));
  if ((r->netns_fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
    return tug_error_errno(err, errno, "open %s", path);
  bool v6 = strchr(s->host, ':') != NULL;
  snprintf(r->url, sizeof r->url, "http://%s%s%s:%d%s%s", v6 ? "[" : "", s->host, v6 ? "]" : "",
           s->port, s->path[0] == '/' ? "" : "/", s->path);
  for (char **h = s->headers; h && *h; h++) {
    struct curl_slist *l = curl_slist_append(r->headers, *h);
    if (l == NULL)
      return tug_error_errno(err, ENOMEM, "allocate probe headers");
    r->headers = l;
  }
  return 0;
}

int agent_probe_run_start(const agent_probe_spec *s, agent_sandbox *sb, agent_container *c,
                          agent_probe_run **out, tug_error *err) {
  agent_probe_run *r = calloc(1, sizeof *r);
  if (r == NULL)
    return tug_error_errno(err, ENOMEM, "allocate probe run");
  pthread_mutex_init(&r->mu, NULL);
  r->refs = 2;
  r->kind = s->kind;
  r->port = s->port;
  r->timeout_ms = s->timeout * 1000;
  r->netns_fd = -1;
  *out = r;
  if (s->kind == AGENT_PROBE_INVALID || s->kind == AGENT_PROBE_NONE) {
    run_finish(r, false, "the probe is not usable");
    run_unref(r);
    return 0;
  }
  if (run_prepare(r, s, sb, c, err) < 0) {
    run_finish(r, false, err->msg);
    run_unref(r);
    return -1;
  }
  pthread_attr_t attr;
  pthread_t t;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  int rc = pthread_create(&t, &attr, run_main, r);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    if (r->exec_pid > 0) { /* the exec child ends by its own deadline: reap it here */
      int code;
      agent_runtime_exec_wait(r->exec_pid, &code, NULL);
    }
    run_finish(r, false, "start probe thread failed");
    run_unref(r);
    return tug_error_errno(err, rc, "start probe thread");
  }
  return 0;
}

bool agent_probe_run_done(agent_probe_run *r, bool *success, char *why, size_t size) {
  pthread_mutex_lock(&r->mu);
  bool done = r->done;
  if (done) {
    *success = r->success;
    snprintf(why, size, "%s", r->why);
  }
  pthread_mutex_unlock(&r->mu);
  return done;
}

void agent_probe_run_release(agent_probe_run *r) {
  if (r)
    run_unref(r);
}
