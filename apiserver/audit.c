/*
 * audit.c — writing a request's audit events at its stages; see audit.h.
 *
 * The policy is asked once per request, on arrival. Encoding happens on the
 * request's thread (it reads the request's objects); writing on the log's.
 */
#include "audit.h"

#include <arpa/inet.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "audit-event.h"
#include "protobuf.h"
#include "server.h"
#include "storage.h"

struct api_audit {
  api_audit_policy *policy;
  api_audit_log *log;
  atomic_ulong events;
  atomic_ulong by_level[4];
};

api_audit *api_audit_new(api_audit_policy *policy, const api_audit_log_config *log,
                         tug_error *err) {
  api_audit *a = calloc(1, sizeof *a);
  if (policy && log->path && (a->log = api_audit_log_open(log, err)) == NULL) {
    free(a);
    return NULL;
  }
  a->policy = a->log ? policy : NULL;
  if (a->policy == NULL)
    api_audit_policy_free(policy);
  return a;
}

void api_audit_free(api_audit *a) {
  if (a == NULL)
    return;
  api_audit_log_close(a->log);
  api_audit_policy_free(a->policy);
  free(a);
}

/* Kubernetes takes the client's ID as it is; we keep it to one short header-safe token. */
static bool usable_id(const char *id) {
  size_t n = id ? strlen(id) : 0;
  if (n == 0 || n >= sizeof((api_request_audit *)0)->id)
    return false;
  for (size_t i = 0; i < n; i++)
    if (id[i] <= 0x20 || id[i] >= 0x7f)
      return false;
  return true;
}

enum { MAX_SOURCE_IPS = 16 };

/* The addresses a request came from, pointing into buf. */
typedef struct source_ips {
  char buf[1024 + INET6_ADDRSTRLEN];
  const char *ip[MAX_SOURCE_IPS];
  int n;
} source_ips;

/* X-Forwarded-For's addresses, then X-Real-Ip, then the peer's, as Kubernetes lists them. */
static void find_source_ips(const api_request *r, source_ips *out) {
  const char *xff = api_header(r, "X-Forwarded-For"), *real = api_header(r, "X-Real-Ip");
  char *save = NULL, *end = out->buf + sizeof out->buf;
  out->n = 0;
  int used = snprintf(out->buf, 1024, "%s", xff ? xff : "");
  char *peer = out->buf + (used < 1024 ? used : 1023) + 1;
  for (char *ip = strtok_r(out->buf, ", ", &save); ip && out->n < MAX_SOURCE_IPS - 2;
       ip = strtok_r(NULL, ", ", &save))
    out->ip[out->n++] = ip;
  if (real && real[0])
    out->ip[out->n++] = real;
  const union MHD_ConnectionInfo *ci =
      r->conn ? MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS) : NULL;
  if (ci && ci->client_addr->sa_family == AF_INET &&
      inet_ntop(AF_INET, &((struct sockaddr_in *)ci->client_addr)->sin_addr, peer,
                (socklen_t)(end - peer)))
    out->ip[out->n++] = peer;
}

/* A body the server was sent or answers with, as JSON: protobuf decoded. */
static json_t *decode_body(const char *data, size_t len, const char *content_type) {
  if (data == NULL || len == 0)
    return NULL;
  if (content_type && strncmp(content_type, API_PROTOBUF_TYPE, strlen(API_PROTOBUF_TYPE)) == 0) {
    api_protobuf_error e;
    char why[64];
    return api_protobuf_decode(data, len, &e, why, sizeof why);
  }
  return json_loadb(data, len, 0, NULL);
}

static bool is_json_type(const char *type) {
  return type == NULL || strncmp(type, "application/json", 16) == 0;
}

/* The answer as an object, or (rec->response_json) as the JSON text it already is. */
static json_t *response_object(const api_response *out, api_audit_record *rec) {
  if (out == NULL)
    return NULL;
  if (out->body)
    return json_incref(out->body);
  if (out->text == NULL)
    return NULL;
  size_t len = out->text_len ? out->text_len : strlen(out->text);
  while (len > 0 && (out->text[len - 1] == '\n' || out->text[len - 1] == ' '))
    len--;
  /* One line per event: text with a line break in it is parsed and written again. */
  bool one_line = memchr(out->text, '\n', len) == NULL;
  if (is_json_type(out->content_type) && len > 0 && out->text[0] == '{' && one_line) {
    rec->response_json = out->text;
    rec->response_json_len = len;
    return NULL;
  }
  if (is_json_type(out->content_type) || strstr(out->content_type, "protobuf"))
    return decode_body(out->text, len, out->content_type);
  return NULL;
}

static void emit(api_audit *a, api_request *r, api_audit_stage stage, const api_response *out) {
  api_request_audit *au = &r->audit;
  if (au->level == API_AUDIT_NONE || (au->omit & stage))
    return;
  char now[32];
  source_ips ips;
  find_source_ips(r, &ips);
  json_t *req_obj = NULL, *resp_obj = NULL;
  if (au->level >= API_AUDIT_REQUEST && stage != API_AUDIT_REQUEST_RECEIVED)
    req_obj = decode_body(r->body, r->body_len, api_header(r, "Content-Type"));
  const json_t *status = out && out->code >= 300 ? out->body : NULL;
  api_audit_record rec = {
      .audit_id = au->id,
      .level = au->level,
      .stage = stage,
      .request_uri = r->uri ? r->uri : r->path,
      .info = &r->info,
      .user = r->impersonating ? &r->authenticated : &r->user,
      .impersonated = r->impersonating ? &r->user : NULL,
      .source_ips = ips.ip,
      .nsource_ips = ips.n,
      .user_agent = api_header(r, "User-Agent"),
      .code = stage == API_AUDIT_REQUEST_RECEIVED ? 0 : au->code,
      .status = status,
      .request_object = req_obj,
      .received_at = au->received_at,
      .stage_at = api_now_micro(now, sizeof now),
      .annotations = au->annotations,
  };
  if (au->level >= API_AUDIT_REQUEST_RESPONSE && stage == API_AUDIT_RESPONSE_COMPLETE)
    rec.response_object = resp_obj = response_object(out, &rec);
  char *line = api_audit_encode(&rec);
  json_decref(req_obj);
  json_decref(resp_obj);
  if (line) {
    atomic_fetch_add(&a->events, 1);
    api_audit_log_write(a->log, line);
  }
}

void api_audit_assign_id(api_request *r) {
  api_request_audit *au = &r->audit;
  const char *client_id = api_header(r, "Audit-ID");
  if (usable_id(client_id))
    snprintf(au->id, sizeof au->id, "%s", client_id);
  else
    api_new_uid(au->id, sizeof au->id);
  api_now_micro(au->received_at, sizeof au->received_at);
}

void api_audit_begin(api_audit *a, api_request *r) {
  api_request_audit *au = &r->audit;
  if (a == NULL || a->policy == NULL)
    return;
  const api_user *who = r->impersonating ? &r->authenticated : &r->user;
  au->level = api_audit_policy_level(a->policy, who, &r->info, r->path, &au->omit);
  atomic_fetch_add(&a->by_level[au->level], 1);
  emit(a, r, API_AUDIT_REQUEST_RECEIVED, NULL);
}

void api_audit_respond(api_audit *a, api_request *r, const api_response *out) {
  r->audit.code = out->code;
  if (a == NULL || a->policy == NULL)
    return;
  bool stream = out->watcher || out->stream_read;
  r->audit.started = stream;
  emit(a, r, stream ? API_AUDIT_RESPONSE_STARTED : API_AUDIT_RESPONSE_COMPLETE, out);
}

void api_audit_end(api_audit *a, api_request *r) {
  if (a && a->policy && r->audit.started)
    emit(a, r, API_AUDIT_RESPONSE_COMPLETE, NULL);
}

void api_audit_annotate(api_request *r, const char *key, const char *value) {
  if (r->audit.annotations == NULL)
    r->audit.annotations = json_object();
  json_object_set_new(r->audit.annotations, key, json_string(value));
}

void api_audit_render_metrics(api_audit *a, FILE *f) {
  api_audit_log_stats st = {0};
  if (a && a->log)
    api_audit_log_stats_get(a->log, &st);
  fprintf(f,
          "# HELP apiserver_audit_event_total Audit events generated and sent to the log.\n"
          "# TYPE apiserver_audit_event_total counter\napiserver_audit_event_total %lu\n"
          "# HELP apiserver_audit_error_total Audit events lost: the queue was full in batch "
          "mode, or a write failed.\n"
          "# TYPE apiserver_audit_error_total counter\n"
          "apiserver_audit_error_total{plugin=\"log\"} %lu\n"
          "# HELP apiserver_audit_log_queue_lines Audit events waiting to be written.\n"
          "# TYPE apiserver_audit_log_queue_lines gauge\napiserver_audit_log_queue_lines %u\n"
          "# HELP apiserver_audit_level_total Requests by the audit level the policy gave them.\n"
          "# TYPE apiserver_audit_level_total counter\n",
          a ? atomic_load(&a->events) : 0UL, (unsigned long)st.dropped, st.queue_depth);
  for (int i = 0; i < 4; i++)
    fprintf(f, "apiserver_audit_level_total{level=\"%s\"} %lu\n", api_audit_level_name(i),
            a ? atomic_load(&a->by_level[i]) : 0UL);
}
