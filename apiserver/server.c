/*
 * server.c — libmicrohttpd glue: gather a request, hand it to api_dispatch,
 * send the answer; stream watches through suspended connections.
 *
 * One api_request lives per connection request (MHD's *con_cls). A seat of
 * its priority level (flowcontrol.h) is taken when the request arrives and
 * given back when MHD reports the request completed, so
 * --max-requests-inflight bounds work, not connections. A request that must
 * wait for a seat is suspended, costing no thread, and resumed by the request
 * whose completion hands it the seat. Watches are long-running and, as in
 * Kubernetes, do not hold a seat.
 */
#include "server.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"
#include "clock.h"
#include "fiber.h"
#include "log.h"
#include "metrics.h"
#include "netlink.h"
#include "nsrun.h"
#include "protobuf.h"
#include "query.h"
#include "watchlimit.h"
#include "status.h"
#include "watchcache.h"

const char *api_query(const api_request *r, const char *key) {
  return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

bool api_query_bool(const api_request *r, const char *key) {
  const char *v = NULL;
  size_t len = 0;
  enum MHD_Result found =
      MHD_lookup_connection_value_n(r->conn, MHD_GET_ARGUMENT_KIND, key, strlen(key), &v, &len);
  return tug_query_bool(found == MHD_YES, v);
}

int api_query_int(const api_request *r, const char *key, int64_t dflt, int64_t *out,
                  api_response *fail) {
  const char *v = api_query(r, key);
  *out = dflt;
  if (v == NULL || tug_query_int(v, out) == 0)
    return 0;
  api_fail(fail, 400, "invalid value \"%.64s\" for the query parameter %s: must be an integer", v,
           key);
  return -1;
}

const char *api_header(const api_request *r, const char *name) {
  return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

void api_fail(api_response *out, int code, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  json_decref(out->body);
  out->code = code;
  out->body = api_status(code, NULL, NULL, "%s", msg);
}

void api_warn(api_response *out, const char *fmt, ...) {
  char *text;
  va_list ap;
  va_start(ap, fmt);
  int n = vasprintf(&text, fmt, ap);
  va_end(ap);
  if (n < 0)
    return;
  if (out->warnings == NULL)
    out->warnings = json_array();
  json_array_append_new(out->warnings, json_string(text));
  free(text);
}

void api_fail_error(api_response *out, const api_kind *kind, const char *name,
                    const tug_error *err) {
  int code = api_status_code_for(err);
  json_decref(out->body);
  out->code = code;
  out->body = api_status(code, NULL, api_status_details(kind, name), "%s", err->msg);
}

/* Watches and followed logs, which as in Kubernetes hold no in-flight slot. */
static bool ends_with(const char *s, size_t n, const char *tail) {
  size_t t = strlen(tail);
  return n > t && strcmp(s + n - t, tail) == 0;
}

/* Watches, followed logs and streams: no in-flight slot, no deadline. */
static bool is_long_running(const api_request *r) {
  size_t n = strlen(r->path);
  return api_query_bool(r, "watch") ||
         (api_query_bool(r, "follow") && ends_with(r->path, n, "/log")) ||
         ends_with(r->path, n, "/exec") || ends_with(r->path, n, "/attach") ||
         ends_with(r->path, n, "/portforward");
}

/*
 * RFC 7234's form, as Kubernetes sends it: `299 - "text"`, the text a quoted
 * string. Header values must be one line of visible ASCII, so anything else
 * becomes '?' (warnings are built from user input, such as container names).
 */
static void add_warnings(struct MHD_Response *resp, const json_t *warnings) {
  size_t i;
  json_t *w;
  json_array_foreach(warnings, i, w) {
    const char *text = json_string_value(w);
    size_t n = strlen(text), o = 0;
    char *value = malloc(2 * n + 16);
    o += sprintf(value, "299 - \"");
    for (size_t j = 0; j < n; j++) {
      unsigned char c = (unsigned char)text[j];
      if (c == '"' || c == '\\')
        value[o++] = '\\';
      value[o++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    strcpy(value + o, "\"");
    MHD_add_response_header(resp, "Warning", value);
    free(value);
  }
}

void api_set_header(api_response *out, const char *name, const char *value) {
  if (out->headers == NULL)
    out->headers = json_object();
  json_object_set_new(out->headers, name, json_string(value));
}

bool api_etag_matches(const api_request *r, const char *etag) {
  const char *inm = api_header(r, "If-None-Match");
  return inm && (strstr(inm, etag) != NULL || strcmp(inm, "*") == 0);
}

/* What any answer may carry besides its body. */
static void add_headers(struct MHD_Response *resp, const api_response *out) {
  add_warnings(resp, out->warnings);
  const char *name;
  json_t *value;
  json_object_foreach(out->headers, name, value)
      MHD_add_response_header(resp, name, json_string_value(value));
}

/* A body of len bytes (0: text up to its NUL), which the response frees. */
static enum MHD_Result send_text(struct MHD_Connection *conn, int code, char *text, size_t len,
                                 const char *type, const api_response *out) {
  struct MHD_Response *resp =
      MHD_create_response_from_buffer(len ? len : strlen(text), text, MHD_RESPMEM_MUST_FREE);
  MHD_add_response_header(resp, "Content-Type", type);
  add_headers(resp, out);
  if (out->retry_after > 0) {
    char ra[16];
    snprintf(ra, sizeof ra, "%d", out->retry_after);
    MHD_add_response_header(resp, "Retry-After", ra);
  }
  enum MHD_Result rc = MHD_queue_response(conn, code, resp);
  MHD_destroy_response(resp);
  return rc;
}

/* A body that lives as long as the server, with headers of its own. */
static enum MHD_Result send_static(struct MHD_Connection *conn, const api_response *out) {
  struct MHD_Response *resp = MHD_create_response_from_buffer(
      out->static_len, (void *)out->static_text, MHD_RESPMEM_PERSISTENT);
  if (out->static_len > 0)
    MHD_add_response_header(resp, "Content-Type",
                            out->content_type ? out->content_type : "text/plain");
  add_headers(resp, out);
  enum MHD_Result rc = MHD_queue_response(conn, out->code, resp);
  MHD_destroy_response(resp);
  return rc;
}

typedef struct watch_stream {
  api_watcher *w;
  api_watch_slot *slot;
  struct MHD_Connection *conn;
} watch_stream;

static ssize_t watch_read(void *cls, uint64_t pos, char *buf, size_t max) {
  (void)pos;
  watch_stream *ws = cls;
  return api_watcher_read(ws->w, ws->conn, buf, max);
}

static void watch_free(void *cls) {
  watch_stream *ws = cls;
  api_watcher_release(ws->w);
  api_watch_slot_release(ws->slot);
  free(ws);
}

/*
 * A watch's bytes go out once per turn of its connection's event loop, and
 * that loop also runs the synchronous handlers of its other connections. In
 * chunked encoding libmicrohttpd writes each chunk from what is left of the
 * connection's 32 KiB memory pool: about 20 KiB, some 15 pod events a turn,
 * and a pod watch fell behind a busy cluster until it was closed as too slow.
 * Without chunking (the body simply ends with the connection, which a watch
 * never reuses) each turn writes up to the response's own buffer, sized here.
 */
enum { WATCH_WRITE_BYTES = 64 * 1024 };

static enum MHD_Result send_watch(struct MHD_Connection *conn, const api_response *out) {
  api_watcher *w = out->watcher;
  const char *type = out->content_type;
  watch_stream *ws = malloc(sizeof *ws);
  if (ws == NULL) {
    api_watcher_release(w);
    api_watch_slot_release(out->watch_slot);
    return MHD_NO;
  }
  ws->w = w;
  ws->slot = out->watch_slot;
  ws->conn = conn;
  struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, WATCH_WRITE_BYTES,
                                                                watch_read, ws, watch_free);
  MHD_set_response_options(resp, MHD_RF_HTTP_1_0_COMPATIBLE_STRICT, MHD_RO_END);
  MHD_add_response_header(resp, "Content-Type", type ? type : "application/json");
  MHD_add_response_header(resp, "Cache-Control", "no-cache, private");
  add_headers(resp, out);
  enum MHD_Result rc = MHD_queue_response(conn, 200, resp);
  MHD_destroy_response(resp);
  return rc;
}

enum { TAKEN_HEAD_BYTES = 4096 };

/* The 101's head with out's headers, for a taken connection to write. */
static char *switching_head(const api_response *out, int *len) {
  const char *pairs[2 * 32 + 1];
  size_t n = 0;
  const char *name;
  json_t *value;
  json_object_foreach(out->headers, name, value) {
    if (n + 2 < sizeof pairs / sizeof *pairs) {
      pairs[n++] = name;
      pairs[n++] = json_string_value(value);
    }
  }
  pairs[n] = NULL;
  char *head = malloc(TAKEN_HEAD_BYTES);
  if (head && (*len = tug_tls_switching_head(head, TAKEN_HEAD_BYTES, pairs)) < 0) {
    free(head);
    head = NULL;
  }
  return head;
}

/* Over HTTPS the stream takes the connection (lib/tls-takeover.h: keeps
 * libmicrohttpd 0.9.75's 4-byte relay out of the path); the handler's call
 * after the stream resumes it answers MHD_NO, and libmicrohttpd closes it. */
static bool take_for_upgrade(api_request *r, api_response *out) {
  tug_tls_taken t;
  if (out->take == NULL || !tug_tls_take(r->conn, &t))
    return false;
  int len = 0;
  char *head = switching_head(out, &len);
  if (head == NULL)
    return false;
  r->taken = true;
  MHD_suspend_connection(r->conn);
  out->take(out->upgrade_cls, r->conn, &t, head, (size_t)len);
  return true;
}

/* 101 Switching Protocols: libmicrohttpd adds "Connection: Upgrade" and calls
 * out->upgrade with the socket once the answer is sent. */
static enum MHD_Result send_upgrade(api_request *r, api_response *out) {
  if (take_for_upgrade(r, out))
    return MHD_YES;
  struct MHD_Connection *conn = r->conn;
  struct MHD_Response *resp = MHD_create_response_for_upgrade(out->upgrade, out->upgrade_cls);
  if (resp == NULL)
    return MHD_NO;
  add_headers(resp, out);
  enum MHD_Result rc = MHD_queue_response(conn, MHD_HTTP_SWITCHING_PROTOCOLS, resp);
  MHD_destroy_response(resp);
  return rc;
}

static enum MHD_Result send_stream(struct MHD_Connection *conn, api_response *out) {
  struct MHD_Response *resp = MHD_create_response_from_callback(
      MHD_SIZE_UNKNOWN, 32 * 1024, out->stream_read, out->stream_cls, out->stream_free);
  if (resp == NULL) {
    out->stream_free(out->stream_cls);
    return MHD_NO;
  }
  MHD_add_response_header(resp, "Content-Type",
                          out->content_type ? out->content_type : "text/plain");
  MHD_add_response_header(resp, "Cache-Control", "no-cache, private");
  add_headers(resp, out);
  enum MHD_Result rc = MHD_queue_response(conn, out->code, resp);
  MHD_destroy_response(resp);
  return rc;
}

/* An object or Status answer in protobuf, for a client that asked for it
 * first; one the schema cannot hold (a Table, discovery) stays JSON. */
static void answer_protobuf(api_response *out) {
  char why[256];
  size_t len;
  uint8_t *bytes = api_protobuf_encode(out->body, &len, why, sizeof why);
  if (bytes == NULL)
    return;
  out->text = (char *)bytes;
  out->text_len = len;
  out->content_type = API_PROTOBUF_TYPE;
}

/* Server errors are the server's to explain: a line for each, with the request's audit ID. */
static void log_server_error(const api_request *r, const api_response *out) {
  if (out->code < 500)
    return;
  const char *msg = json_string_value(json_object_get(out->body, "message"));
  tug_warn("request failed", "verb=%s uri=%s code=%d err=%s", r->info.verb,
           TUG_LOG_Q(r->uri ? r->uri : r->path), out->code, TUG_LOG_Q(msg ? msg : ""));
}

/* Which FlowSchema and priority level the request fell under, as Kubernetes says. */
static void add_flow_headers(const api_request *r, api_response *out) {
  if (r->fc.schema == NULL)
    return;
  api_set_header(out, "X-Kubernetes-PF-FlowSchema-UID", api_fc_schema_uid(r->fc.schema));
  api_set_header(out, "X-Kubernetes-PF-PriorityLevel-UID", api_fc_level_uid(r->fc.level));
}

static enum MHD_Result respond(api_request *r, api_response *out) {
  api_metrics_request(r->server->metrics, r, out);
  add_flow_headers(r, out);
  log_server_error(r, out);
  api_audit_respond(r->server->audit, r, out);
  api_set_header(out, "Audit-Id", r->audit.id);
  enum MHD_Result rc;
  if (out->body && !out->text && api_protobuf_accepted(api_header(r, "Accept")))
    answer_protobuf(out);
  if (out->watcher)
    rc = send_watch(r->conn, out);
  else if (out->stream_read)
    rc = send_stream(r->conn, out);
  else if (out->upgrade)
    rc = send_upgrade(r, out);
  else if (out->static_text)
    rc = send_static(r->conn, out);
  else if (out->text)
    rc = send_text(r->conn, out->code, out->text, out->text_len,
                   out->content_type ? out->content_type : "text/plain", out);
  else
    rc = send_text(r->conn, out->code, json_dumps(out->body, JSON_COMPACT), 0, "application/json",
                   out);
  json_decref(out->body);
  json_decref(out->warnings);
  json_decref(out->headers);
  return rc;
}

/* Without priority and fairness: one limit for every request. */
static api_fc_verdict take_global_slot(api_request *r) {
  api_server *s = r->server;
  if (atomic_fetch_add(&s->inflight, 1) >= s->cfg.max_inflight) {
    atomic_fetch_sub(&s->inflight, 1);
    return API_FC_REJECTED;
  }
  r->counted = true;
  return API_FC_RUN;
}

/* A seat of the request's priority level, once its body is in: a request
 * waiting in a queue holds no thread, and a refused one's connection stays
 * open (answered after its body, it can be reused). */
static api_fc_verdict take_seat(api_request *r) {
  api_server *s = r->server;
  r->fc.cls = r;
  api_fc_verdict v = api_flowcontrol_admit(s->flowcontrol, &r->user, &r->info, r->path,
                                           tug_monotonic_seconds(), &r->fc);
  r->fc_admitted = v != API_FC_REJECTED;
  if (v == API_FC_RUN) {
    atomic_fetch_add(&s->inflight, 1);
    r->counted = true;
  }
  return v;
}

/* Resume the requests a completed one handed seats to (or that waited too
 * long: they answer 429). Each may complete and be freed once resumed. */
static void resume_waiters(api_server *s, api_fc_waiter *w) {
  while (w) {
    api_fc_waiter *next = w->next;
    api_request *q = w->cls;
    if (w->seated) {
      atomic_fetch_add(&s->inflight, 1);
      q->counted = true;
    }
    MHD_resume_connection(q->conn);
    w = next;
  }
}

/*
 * A body declared beyond --max-body-bytes is refused before it is read. Up to
 * DISCARD_BYTES more than the limit it is read and dropped first, as Go's
 * server does: a client still sending when the answer and the close come
 * (over TLS above all) sees a broken pipe instead of its 413.
 */
enum { DISCARD_BYTES = 1 << 20 };

static bool body_too_large_declared(api_request *r, bool *answer_now) {
  const char *cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Length");
  unsigned long long n = cl ? strtoull(cl, NULL, 10) : 0;
  *answer_now = n > r->server->cfg.max_body_bytes + DISCARD_BYTES;
  return n > r->server->cfg.max_body_bytes;
}

static const char TOO_MANY[] = "Too many requests, please try again later.";

static enum MHD_Result early_answer(api_request *r, int code, const char *msg, int retry_after) {
  api_response out = {.code = code, .retry_after = retry_after};
  out.body = api_status(code, NULL, NULL, "%s", msg);
  return respond(r, &out);
}

static void append_body(api_request *r, const char *data, size_t len) {
  if (r->body_too_large)
    return;
  if (r->body_len + len > r->server->cfg.max_body_bytes) {
    r->body_too_large = true;
    free(r->body);
    r->body = NULL;
    return;
  }
  char *b = realloc(r->body, r->body_len + len + 1);
  if (b == NULL) {
    r->body_too_large = true;
    return;
  }
  memcpy(b + r->body_len, data, len);
  r->body_len += len;
  b[r->body_len] = '\0';
  r->body = b;
}

/* The TLS connection's state, kept beside the connection (on_connection). */
static api_conn *connection_state(struct MHD_Connection *conn) {
  const union MHD_ConnectionInfo *c =
      MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  return c ? c->socket_context : NULL;
}

/* A request with its fields zeroed but for the users' arrays: zeroing all
 * of it, per request, once showed as 7 % of the server's CPU in memset. */
static api_request *new_request(void) {
  api_request *r = malloc(sizeof *r);
  if (r == NULL)
    return NULL;
  memset(r, 0, offsetof(api_request, user));
  api_user_set(&r->user, "", "");
  api_user_set(&r->authenticated, "", "");
  return r;
}

/* libmicrohttpd shows the URI as sent (query included) only here, before the
 * request's first call; what this returns is the request's *con_cls. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn) {
  (void)cls, (void)conn;
  api_request *r = new_request();
  if (r)
    r->uri = strdup(uri);
  return r;
}

/* Who and what, then the audit ID and RequestReceived, before anything can refuse it. */
static enum MHD_Result on_arrival(api_server *s, bool insecure, api_request *r,
                                  struct MHD_Connection *conn, const char *url,
                                  const char *method) {
  r->server = s;
  r->conn = conn;
  r->method = method;
  r->path = url;
  r->start = tug_monotonic_seconds();
  r->insecure = insecure;
  r->tls = insecure ? NULL : connection_state(conn);
  api_audit_assign_id(r);
  tug_log_set_audit_id(r->audit.id);
  /* A request refused here is audited as the anonymous user it is not let
   * act as, never as anyone its credentials only claim. */
  api_response denied = {0};
  bool authenticated = api_authenticate(r, &denied) == 0;
  if (!authenticated)
    api_user_set_anonymous(&r->user);
  api_request_info_parse(method, url, api_query_bool(r, "watch"), &r->info);
  api_audit_begin(s->audit, r);
  if (!authenticated)
    return respond(r, &denied);
  bool answer_now;
  if (body_too_large_declared(r, &answer_now)) {
    if (answer_now)
      return early_answer(r, 413, "Request entity too large", 0);
    r->body_too_large = true; /* read and dropped; 413 once it is in */
  }
  if (s->flowcontrol == NULL && !is_long_running(r) && take_global_slot(r) == API_FC_REJECTED)
    return early_answer(r, 429, TOO_MANY, 1);
  return MHD_YES;
}

/*
 * A write on a fiber: the connection is suspended while the fiber is parked
 * on its etcd transaction, and resumed (the handler called again) by the
 * wake. conn is cleared under mu when libmicrohttpd gives up on a request
 * still parked (only as it stops), so a late wake resumes nothing.
 */
typedef struct api_fiber_call {
  tug_fiber *fiber;
  api_response out;
  pthread_mutex_t mu;
  struct MHD_Connection *conn;
} api_fiber_call;

static void call_wake(void *arg) {
  api_fiber_call *call = arg;
  pthread_mutex_lock(&call->mu);
  if (call->conn)
    MHD_resume_connection(call->conn);
  pthread_mutex_unlock(&call->mu);
}

static void call_run(void *arg) {
  api_request *r = arg;
  api_dispatch(r, &r->call->out);
}

static void call_free(api_fiber_call *call) {
  tug_fiber_free(call->fiber);
  pthread_mutex_destroy(&call->mu);
  free(call);
}

/* Run the fiber until it answers, or suspend the connection while it is
 * parked; suspended first, so that a wake never comes before it. */
static enum MHD_Result continue_call(api_request *r) {
  api_fiber_call *call = r->call;
  while (tug_fiber_run(call->fiber) == TUG_FIBER_PARKED) {
    MHD_suspend_connection(r->conn);
    if (tug_fiber_parked(call->fiber))
      return MHD_YES;
    MHD_resume_connection(r->conn); /* woken meanwhile: the handler runs again */
    return MHD_YES;
  }
  r->call = NULL;
  enum MHD_Result rc = respond(r, &call->out);
  call_free(call);
  return rc;
}

/* Writes wait on etcd; reads are answered from the watch cache, and
 * long-running requests have threads or suspensions of their own. */
static bool runs_on_fiber(const api_request *r) {
  return strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0 &&
         strcmp(r->method, "OPTIONS") != 0 && !is_long_running(r);
}

/* A fiber for r's handling, or false (then it runs on this thread). */
static bool start_call(api_request *r) {
  api_fiber_call *call = calloc(1, sizeof *call);
  if (call == NULL)
    return false;
  call->out.code = 200;
  call->conn = r->conn;
  pthread_mutex_init(&call->mu, NULL);
  r->call = call;
  call->fiber = tug_fiber_new(call_run, r, call_wake, call);
  if (call->fiber == NULL) {
    r->call = NULL;
    call_free(call);
    return false;
  }
  return true;
}

static enum MHD_Result serve(api_request *r, const char *upload_data, size_t *upload_data_size) {
  if (r->taken) /* its stream is over and the socket shut: libmicrohttpd closes it */
    return tug_tls_taken_close();
  if (r->call)
    return continue_call(r);
  if (*upload_data_size > 0) {
    append_body(r, upload_data, *upload_data_size);
    *upload_data_size = 0;
    return MHD_YES;
  }
  if (r->body_too_large)
    return early_answer(r, 413, "Request entity too large", 0);
  if (r->server->flowcontrol && !r->fc_admitted && !is_long_running(r)) {
    api_fc_verdict v = take_seat(r);
    if (v == API_FC_REJECTED)
      return early_answer(r, 429, TOO_MANY, 1);
    if (v == API_FC_QUEUED) {
      MHD_suspend_connection(r->conn);
      return MHD_YES;
    }
  }
  if (r->fc.timed_out)
    return early_answer(r, 429, TOO_MANY, 1);
  if (runs_on_fiber(r) && start_call(r))
    return continue_call(r);
  api_response out = {.code = 200};
  api_dispatch(r, &out);
  return respond(r, &out);
}

/* A request libmicrohttpd ends while its fiber is parked (it is stopping):
 * the fiber and request are left to the wake that will not resume them. */
static bool abandoned(api_request *r) {
  if (r->call == NULL)
    return false;
  pthread_mutex_lock(&r->call->mu);
  r->call->conn = NULL;
  pthread_mutex_unlock(&r->call->mu);
  return true;
}

static enum MHD_Result on_request(api_server *s, bool insecure, struct MHD_Connection *conn,
                                  const char *url, const char *method, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls) {
  api_request *r = *con_cls;
  if (r == NULL) /* no URI callback came: a request libmicrohttpd made up */
    *con_cls = r = new_request();
  if (r == NULL)
    return MHD_NO;
  enum MHD_Result rc;
  if (r->server == NULL) {
    rc = on_arrival(s, insecure, r, conn, url, method);
  } else {
    tug_log_set_audit_id(r->audit.id);
    rc = serve(r, upload_data, upload_data_size);
  }
  tug_log_set_audit_id(NULL);
  return rc;
}

/* One entry point per listener, so a request knows which it came on. */
static enum MHD_Result on_request_tls(void *cls, struct MHD_Connection *conn, const char *url,
                                      const char *method, const char *version,
                                      const char *upload_data, size_t *upload_data_size,
                                      void **con_cls) {
  (void)version;
  return on_request(cls, false, conn, url, method, upload_data, upload_data_size, con_cls);
}

static enum MHD_Result on_request_plain(void *cls, struct MHD_Connection *conn, const char *url,
                                        const char *method, const char *version,
                                        const char *upload_data, size_t *upload_data_size,
                                        void **con_cls) {
  (void)version;
  return on_request(cls, true, conn, url, method, upload_data, upload_data_size, con_cls);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
  (void)conn, (void)toe;
  api_server *s = cls;
  api_request *r = *con_cls;
  *con_cls = NULL;
  if (r == NULL || abandoned(r))
    return;
  if (r->counted)
    atomic_fetch_sub(&s->inflight, 1);
  if (r->fc_admitted)
    resume_waiters(s, api_flowcontrol_release(s->flowcontrol, &r->fc, tug_monotonic_seconds()));
  if (r->server)
    api_audit_end(s->audit, r);
  json_decref(r->audit.annotations);
  free(r->uri);
  free(r->body);
  json_decref(r->strict_errors);
  free(r);
}

/* A TLS connection's api_conn lives from its start to its close. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code) {
  (void)cls, (void)conn;
  if (code == MHD_CONNECTION_NOTIFY_STARTED) {
    *socket_context = calloc(1, sizeof(api_conn));
  } else {
    free(*socket_context);
    *socket_context = NULL;
  }
}

static int sock_addr(const char *flag, const char *host, int port, struct sockaddr_in *addr,
                     tug_error *err) {
  *addr = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (inet_pton(AF_INET, host, &addr->sin_addr) != 1)
    return tug_error_set(err, EINVAL, "%s: \"%s\" is not an IPv4 address", flag, host);
  return 0;
}

/* where: MHD_OPTION_SOCK_ADDR or MHD_OPTION_LISTEN_SOCKET; tls: the pair, or nothing. */
static struct MHD_Daemon *start_daemon(api_server *s, unsigned extra_flags,
                                       struct MHD_OptionItem *where, struct MHD_OptionItem *tls) {
  unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME |
                   MHD_ALLOW_UPGRADE | MHD_USE_ERROR_LOG | extra_flags;
  MHD_AccessHandlerCallback handler = extra_flags & MHD_USE_TLS ? on_request_tls : on_request_plain;
  return MHD_start_daemon(
      flags, 0, NULL, NULL, handler, s, MHD_OPTION_ARRAY, where, MHD_OPTION_THREAD_POOL_SIZE,
      (unsigned)s->cfg.threads, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
      MHD_OPTION_NOTIFY_CONNECTION, on_connection, s, MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
      MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120, MHD_OPTION_CONNECTION_LIMIT, (unsigned)20000,
      MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024, MHD_OPTION_EXTERNAL_LOGGER, tug_tls_mhd_log,
      NULL, MHD_OPTION_ARRAY, tls, MHD_OPTION_END);
}

/* An HTTPS daemon at where: its pair and, when client certificates are on,
 * the CA whose name GnuTLS sends when it asks for one. */
static struct MHD_Daemon *start_tls_daemon(api_server *s, struct MHD_OptionItem *where) {
  struct MHD_OptionItem tls[] = {
      {MHD_OPTION_HTTPS_MEM_KEY, 0, s->pems.tls_key},
      {MHD_OPTION_HTTPS_MEM_CERT, 0, s->pems.tls_cert},
      {s->pems.client_ca ? MHD_OPTION_HTTPS_MEM_TRUST : MHD_OPTION_END, 0, s->pems.client_ca},
      {MHD_OPTION_END, 0, NULL},
  };
  return start_daemon(s, MHD_USE_TLS, where, tls);
}

static int start_https(api_server *s, tug_error *err) {
  struct sockaddr_in addr;
  if (sock_addr("--listen", s->cfg.listen_host, s->cfg.listen_port, &addr, err) < 0)
    return -1;
  struct MHD_OptionItem where[] = {{MHD_OPTION_SOCK_ADDR, 0, &addr}, {MHD_OPTION_END, 0, NULL}};
  s->daemon = start_tls_daemon(s, where);
  if (s->daemon == NULL)
    return tug_error_set(err, EADDRINUSE, "listen on %s:%d: cannot start the HTTPS server",
                         s->cfg.listen_host, s->cfg.listen_port);
  return 0;
}

/* A listening socket made inside the namespace (the server's threads stay in
 * theirs: a socket keeps the namespace it was made in). */
static int netns_listen_socket(api_server *s, tug_error *err) {
  struct sockaddr_in addr;
  if (sock_addr("--advertise-address", s->cfg.advertise_address, s->cfg.listen_port, &addr, err) <
      0)
    return -1;
  _cleanup_close_ int ns = tug_netns_open(s->cfg.listen_netns, err);
  if (ns < 0)
    return tug_error_wrap(err, "--listen-netns");
  int fd = tug_netns_socket(ns, AF_INET, SOCK_STREAM, 0, err);
  if (fd < 0)
    return -1;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(fd, 1024) < 0) {
    int e = errno;
    close(fd);
    return tug_error_errno(err, e, "listen on %s:%d in network namespace %s",
                           s->cfg.advertise_address, s->cfg.listen_port, s->cfg.listen_netns);
  }
  return fd;
}

static int start_netns_https(api_server *s, tug_error *err) {
  int fd = netns_listen_socket(s, err);
  if (fd < 0)
    return -1;
  struct MHD_OptionItem where[] = {{MHD_OPTION_LISTEN_SOCKET, fd, NULL}, {MHD_OPTION_END, 0, NULL}};
  s->netns_daemon = start_tls_daemon(s, where);
  if (s->netns_daemon == NULL) {
    close(fd);
    return tug_error_set(err, EIO, "start the HTTPS server in network namespace %s",
                         s->cfg.listen_netns);
  }
  return 0;
}

static int start_insecure(api_server *s, tug_error *err) {
  struct sockaddr_in addr;
  if (sock_addr("--insecure-listen", s->cfg.insecure_host, s->cfg.insecure_port, &addr, err) < 0)
    return -1;
  struct MHD_OptionItem where[] = {{MHD_OPTION_SOCK_ADDR, 0, &addr}, {MHD_OPTION_END, 0, NULL}};
  struct MHD_OptionItem none[] = {{MHD_OPTION_END, 0, NULL}};
  s->insecure_daemon = start_daemon(s, 0, where, none);
  if (s->insecure_daemon == NULL)
    return tug_error_set(err, EADDRINUSE, "listen on %s:%d: cannot start the HTTP server",
                         s->cfg.insecure_host, s->cfg.insecure_port);
  return 0;
}

int api_server_start(api_server *s, tug_error *err) {
  if (s->pems.tls_cert && start_https(s, err) < 0)
    return -1;
  if (s->pems.tls_cert && s->cfg.listen_netns && start_netns_https(s, err) < 0)
    return -1;
  return s->cfg.insecure_host ? start_insecure(s, err) : 0;
}

void api_server_stop(api_server *s) {
  struct MHD_Daemon **daemons[] = {&s->daemon, &s->netns_daemon, &s->insecure_daemon};
  for (size_t i = 0; i < 3; i++) {
    if (*daemons[i]) {
      MHD_stop_daemon(*daemons[i]);
      *daemons[i] = NULL;
    }
  }
}
