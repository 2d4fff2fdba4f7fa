/* audit-event.c — an audit.k8s.io/v1 Event from what the server knows; see audit-event.h. */
#include "audit-event.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static void set_str(json_t *obj, const char *key, const char *value) {
  if (value && value[0])
    json_object_set_new(obj, key, json_string(value));
}

static json_t *user_info(const api_user *u) {
  json_t *o = json_object(), *groups = json_array();
  json_object_set_new(o, "username", json_string(u->name));
  set_str(o, "uid", u->uid);
  for (int i = 0; i < u->ngroups; i++)
    json_array_append_new(groups, json_string(u->groups[i]));
  json_object_set_new(o, "groups", groups);
  return o;
}

static json_t *object_ref(const api_request_info *ri) {
  json_t *o = json_object();
  set_str(o, "resource", ri->resource);
  set_str(o, "namespace", ri->ns);
  set_str(o, "name", ri->name);
  set_str(o, "apiGroup", ri->group);
  set_str(o, "apiVersion", ri->version);
  set_str(o, "subresource", ri->sub);
  return o;
}

/* Kubernetes' responseStatus: the code, and for failures what the Status said. */
static json_t *response_status(int code, const json_t *status) {
  json_t *o = json_pack("{s:{}, s:i}", "metadata", "code", code);
  if (code < 300 || status == NULL)
    return o;
  static const char *const keys[] = {"status", "message", "reason", NULL};
  for (int i = 0; keys[i]; i++)
    set_str(o, keys[i], json_string_value(json_object_get(status, keys[i])));
  return o;
}

/* line (an object, freed here) with raw JSON text added as responseObject, and '\n'. */
static char *finish_line(char *line, const char *raw, size_t raw_len) {
  static const char key[] = ",\"responseObject\":";
  size_t n = strlen(line), extra = raw ? sizeof key - 1 + raw_len : 0;
  char *out = realloc(line, n + extra + 2);
  if (out == NULL) {
    free(line);
    return NULL;
  }
  if (raw) {
    char *p = out + n - 1; /* over the closing brace */
    memcpy(p, key, sizeof key - 1);
    memcpy(p + sizeof key - 1, raw, raw_len);
    n += extra;
    out[n - 1] = '}';
  }
  memcpy(out + n, "\n", 2);
  return out;
}

char *api_audit_encode(const api_audit_record *rec) {
  json_t *ev = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "kind", "Event", "apiVersion",
                         "audit.k8s.io/v1", "level", api_audit_level_name(rec->level), "auditID",
                         rec->audit_id, "stage", api_audit_stage_name(rec->stage), "requestURI",
                         rec->request_uri, "verb", rec->info->verb);
  json_object_set_new(ev, "user", user_info(rec->user));
  if (rec->impersonated)
    json_object_set_new(ev, "impersonatedUser", user_info(rec->impersonated));
  json_object_set(ev, "sourceIPs", (json_t *)rec->source_ips);
  set_str(ev, "userAgent", rec->user_agent);
  if (rec->info->is_resource)
    json_object_set_new(ev, "objectRef", object_ref(rec->info));
  if (rec->code > 0)
    json_object_set_new(ev, "responseStatus", response_status(rec->code, rec->status));
  if (rec->level >= API_AUDIT_REQUEST && rec->request_object)
    json_object_set(ev, "requestObject", (json_t *)rec->request_object);
  if (rec->level >= API_AUDIT_REQUEST_RESPONSE && rec->response_object)
    json_object_set(ev, "responseObject", (json_t *)rec->response_object);
  json_object_set_new(ev, "requestReceivedTimestamp", json_string(rec->received_at));
  json_object_set_new(ev, "stageTimestamp", json_string(rec->stage_at));
  if (json_object_size(rec->annotations) > 0)
    json_object_set(ev, "annotations", (json_t *)rec->annotations);
  char *line = json_dumps(ev, JSON_COMPACT);
  json_decref(ev);
  bool splice = rec->level >= API_AUDIT_REQUEST_RESPONSE && rec->response_json &&
                rec->response_object == NULL;
  return line ? finish_line(line, splice ? rec->response_json : NULL, rec->response_json_len)
              : NULL;
}
