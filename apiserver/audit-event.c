/*
 * audit-event.c — an audit.k8s.io/v1 Event from what the server knows; see audit-event.h.
 *
 * The line is written straight into one growing buffer, not built as a
 * jansson tree and dumped: at Metadata (who, what, outcome) that is most of
 * an audited GET's cost otherwise. Only the request and response objects of
 * the Request and RequestResponse levels go through jansson, as they are
 * trees already.
 */
#include "audit-event.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct line {
  char *p;
  size_t len, cap;
  bool failed; /* out of memory: the event is dropped */
} line;

static void put(line *b, const char *s, size_t n) {
  if (b->failed)
    return;
  if (b->len + n + 2 > b->cap) {
    size_t cap = b->cap ? b->cap : 1024;
    while (b->len + n + 2 > cap)
      cap *= 2;
    char *p = realloc(b->p, cap);
    if (p == NULL) {
      b->failed = true;
      return;
    }
    b->p = p, b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
}

static void put_lit(line *b, const char *s) {
  put(b, s, strlen(s));
}

/* The length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n) {
  size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
  if (len == 0 || len > n || s[0] > 0xf4)
    return 0;
  for (size_t i = 1; i < len; i++)
    if ((s[i] & 0xc0) != 0x80)
      return 0;
  /* Overlong forms, surrogates and code points past U+10FFFF. */
  if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
      (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
    return 0;
  return len;
}

/* s as a JSON string; bytes that are not UTF-8 (a client's header) become U+FFFD. */
static void put_str(line *b, const char *s) {
  const unsigned char *p = (const unsigned char *)s;
  size_t n = strlen(s), run = 0;
  put(b, "\"", 1);
  for (size_t i = 0; i < n;) {
    unsigned char c = p[i];
    size_t len = c < 0x80 ? 1 : utf8_len(p + i, n - i);
    if (len > 0 && c >= 0x20 && c != '"' && c != '\\') {
      i += len, run += len;
      continue;
    }
    put(b, s + i - run, run);
    run = 0;
    char esc[8];
    if (len == 0)
      put_lit(b, "\\ufffd");
    else if (c == '"' || c == '\\')
      put(b, (char[]){'\\', (char)c}, 2);
    else
      put(b, esc, (size_t)snprintf(esc, sizeof esc, "\\u%04x", c));
    i++;
  }
  put(b, s + n - run, run);
  put(b, "\"", 1);
}

/* ,"key":"value" — left out when value is NULL or empty, as Kubernetes' omitempty. */
static void put_field(line *b, const char *key, const char *value) {
  if (value == NULL || value[0] == '\0')
    return;
  put(b, ",", 1);
  put_str(b, key);
  put(b, ":", 1);
  put_str(b, value);
}

static void put_key(line *b, const char *key) {
  put(b, ",", 1);
  put_str(b, key);
  put(b, ":", 1);
}

/* user.extra: {"key": ["value", ...]}, a key's values together in the order they came. */
static void put_extra(line *b, const api_user *u) {
  put_lit(b, ",\"extra\":{");
  bool done[API_USER_MAX_EXTRA] = {0}, first = true;
  for (int i = 0; i < u->nextra; i++) {
    if (done[i])
      continue;
    if (!first)
      put(b, ",", 1);
    first = false;
    put_str(b, u->extra[i].key);
    put_lit(b, ":[");
    for (int j = i; j < u->nextra; j++) {
      if (j != i && (done[j] || strcmp(u->extra[j].key, u->extra[i].key) != 0))
        continue;
      if (j != i)
        put(b, ",", 1);
      done[j] = true;
      put_str(b, u->extra[j].value);
    }
    put(b, "]", 1);
  }
  put(b, "}", 1);
}

static void put_user(line *b, const char *key, const api_user *u) {
  put_key(b, key);
  put_lit(b, "{\"username\":");
  put_str(b, u->name);
  put_field(b, "uid", u->uid);
  put_lit(b, ",\"groups\":[");
  for (int i = 0; i < u->ngroups; i++) {
    if (i > 0)
      put(b, ",", 1);
    put_str(b, u->groups[i]);
  }
  put(b, "]", 1);
  if (u->nextra > 0)
    put_extra(b, u);
  put(b, "}", 1);
}

static void put_object_ref(line *b, const api_request_info *ri) {
  put_key(b, "objectRef");
  put(b, "{", 1);
  size_t open = b->len;
  put_field(b, "resource", ri->resource);
  put_field(b, "namespace", ri->ns);
  put_field(b, "name", ri->name);
  put_field(b, "apiGroup", ri->group);
  put_field(b, "apiVersion", ri->version);
  put_field(b, "subresource", ri->sub);
  if (!b->failed && b->len > open)
    memmove(b->p + open, b->p + open + 1, --b->len - open); /* the first field's comma */
  put(b, "}", 1);
}

/* Kubernetes' responseStatus: the code, and for failures what the Status said. */
static void put_response_status(line *b, int code, const json_t *status) {
  char num[32];
  put_lit(b, ",\"responseStatus\":{\"metadata\":{},\"code\":");
  put(b, num, (size_t)snprintf(num, sizeof num, "%d", code));
  if (code >= 300 && status) {
    static const char *const keys[] = {"status", "message", "reason", NULL};
    for (int i = 0; keys[i]; i++)
      put_field(b, keys[i], json_string_value(json_object_get(status, keys[i])));
  }
  put(b, "}", 1);
}

/* A jansson value as compact JSON text. */
static void put_json(line *b, const char *key, const json_t *v) {
  char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
  if (text == NULL) {
    b->failed = true;
    return;
  }
  put_key(b, key);
  put_lit(b, text);
  free(text);
}

static void put_annotations(line *b, const json_t *annotations) {
  const char *key;
  const json_t *v;
  bool first = true;
  put_key(b, "annotations");
  put(b, "{", 1);
  json_object_foreach((json_t *)annotations, key, v) {
    if (!json_is_string(v))
      continue;
    if (!first)
      put(b, ",", 1);
    first = false;
    put_str(b, key);
    put(b, ":", 1);
    put_str(b, json_string_value(v));
  }
  put(b, "}", 1);
}

char *api_audit_encode(const api_audit_record *rec) {
  line b = {0};
  put_lit(&b, "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":");
  put_str(&b, api_audit_level_name(rec->level));
  put_field(&b, "auditID", rec->audit_id);
  put_field(&b, "stage", api_audit_stage_name(rec->stage));
  put_field(&b, "requestURI", rec->request_uri);
  put_field(&b, "verb", rec->info->verb);
  put_user(&b, "user", rec->user);
  if (rec->impersonated)
    put_user(&b, "impersonatedUser", rec->impersonated);
  put_lit(&b, ",\"sourceIPs\":[");
  for (int i = 0; i < rec->nsource_ips; i++) {
    if (i > 0)
      put(&b, ",", 1);
    put_str(&b, rec->source_ips[i]);
  }
  put(&b, "]", 1);
  put_field(&b, "userAgent", rec->user_agent);
  if (rec->info->is_resource)
    put_object_ref(&b, rec->info);
  if (rec->code > 0)
    put_response_status(&b, rec->code, rec->status);
  if (rec->level >= API_AUDIT_REQUEST && rec->request_object)
    put_json(&b, "requestObject", rec->request_object);
  if (rec->level >= API_AUDIT_REQUEST_RESPONSE && rec->response_object)
    put_json(&b, "responseObject", rec->response_object);
  else if (rec->level >= API_AUDIT_REQUEST_RESPONSE && rec->response_json) {
    put_key(&b, "responseObject");
    put(&b, rec->response_json, rec->response_json_len);
  }
  put_field(&b, "requestReceivedTimestamp", rec->received_at);
  put_field(&b, "stageTimestamp", rec->stage_at);
  if (json_object_size(rec->annotations) > 0)
    put_annotations(&b, rec->annotations);
  put(&b, "}\n", 2);
  if (b.failed) {
    free(b.p);
    return NULL;
  }
  b.p[b.len] = '\0';
  return b.p;
}
