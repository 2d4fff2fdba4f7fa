/*
 * list.c — LIST and WATCH.
 *
 * A list without limit is answered from the watch cache, once the cache has
 * caught up with etcd's current revision (or with the resourceVersion asked
 * for; "0" takes the cache as it is). Items are the cache's pre-serialized
 * JSON, so a list of a thousand pods is a concatenation. A list with limit or
 * continue pages straight through etcd at one revision, carried in the
 * continue token. A watch is a cache watcher streamed on the connection.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "array.h"
#include "cleanup.h"
#include "handlers.h"
#include "modify.h"
#include "log.h"
#include "object.h"
#include "protobuf.h"
#include "status.h"
#include "storage.h"
#include "table.h"
#include "watchcache.h"
#include "watchlimit.h"

/* DEFAULT_PAGE: a page's size when the list has a continue token but no
 * limit. FIRST_ITEMS: the room a page starts with; it grows with what etcd
 * actually returns, never from the limit asked for (a hint, as in Kubernetes:
 * limit=10^15 lists what there is). */
enum {
  SYNC_TIMEOUT_MS = 3000,
  DEFAULT_WATCH_TIMEOUT = 1800,
  DEFAULT_PAGE = 500,
  FIRST_ITEMS = 64,
  WATCH_RETRY_AFTER = 1, /* seconds, for a watch refused at a cap */
};

typedef struct list_query {
  tug_selector *labels;
  api_fieldsel *fields;
  api_filter filter;
  int64_t limit;
  const char *cont;
  const char *rv;
} list_query;

static void list_query_free(list_query *q) {
  tug_selector_free(q->labels);
  api_fieldsel_free(q->fields);
}

static int parse_list_query(api_request *r, const api_route *rt, list_query *q, api_response *out) {
  memset(q, 0, sizeof *q);
  tug_error err = {0};
  if (tug_selector_parse(api_query(r, "labelSelector"), &q->labels, &err) < 0 ||
      api_fieldsel_parse(api_query(r, "fieldSelector"), rt->kind->strategy->selectable_fields,
                         &q->fields, &err) < 0) {
    api_fail(out, 400, "%s", err.msg);
    list_query_free(q);
    return -1;
  }
  const char *name = rt->name ? rt->name : api_fieldsel_equals(q->fields, "metadata.name");
  q->filter = (api_filter){rt->ns, name, q->labels, q->fields};
  if (api_query_int(r, "limit", 0, &q->limit, out) < 0) {
    list_query_free(q);
    return -1;
  }
  q->cont = api_query(r, "continue");
  if (q->cont && q->cont[0] == '\0')
    q->cont = NULL;
  q->rv = api_query(r, "resourceVersion");
  return 0;
}

static const char *list_kind(const api_kind *k, char *buf, size_t size) {
  snprintf(buf, size, "%sList", k->kind);
  return buf;
}

/* {"kind":"PodList","apiVersion":"v1","metadata":{...},"items":[...]} as
 * text; NULL when memory runs out. The continue token is as long as the key
 * it names (a custom kind's group can be 253 characters): no fixed buffer. */
static char *list_json(const api_kind *k, api_cached **items, size_t n, int64_t rev,
                       const char *cont, size_t *len) {
  char av[128], lk[128];
  _cleanup_free_ char *head = NULL;
  int hl = asprintf(&head,
                    "{\"kind\":\"%s\",\"apiVersion\":\"%s\",\"metadata\":{\"resourceVersion\":"
                    "\"%lld\"%s%s%s},\"items\":[",
                    list_kind(k, lk, sizeof lk), api_kind_api_version(k, av, sizeof av),
                    (long long)rev, cont ? ",\"continue\":\"" : "", cont ? cont : "",
                    cont ? "\"" : "");
  if (hl < 0)
    return NULL;
  size_t total = (size_t)hl + 3;
  for (size_t i = 0; i < n; i++)
    total += items[i]->len + 1;
  char *s = malloc(total + 1), *p = s;
  if (s == NULL)
    return NULL;
  memcpy(p, head, (size_t)hl), p += hl;
  for (size_t i = 0; i < n; i++) {
    if (i)
      *p++ = ',';
    memcpy(p, items[i]->json, items[i]->len), p += items[i]->len;
  }
  memcpy(p, "]}", 3);
  *len = (size_t)(p - s) + 2;
  return s;
}

/* The list in protobuf; false (answer JSON) when an item does not fit its schema. */
static bool list_protobuf(const api_kind *k, api_cached **items, size_t n, int64_t rev,
                          const char *cont, api_response *out) {
  api_protobuf_raw *raws = malloc((n + 1) * sizeof *raws);
  size_t fit = 0;
  while (fit < n && api_cached_protobuf(items[fit], &raws[fit]))
    fit++;
  uint8_t *bytes = NULL;
  if (fit == n) {
    char av[128], lk[128], rv[24], why[256];
    snprintf(rv, sizeof rv, "%lld", (long long)rev);
    json_t *meta = json_pack("{s:s}", "resourceVersion", rv);
    if (cont)
      json_object_set_new(meta, "continue", json_string(cont));
    bytes = api_protobuf_encode_list(api_kind_api_version(k, av, sizeof av),
                                     list_kind(k, lk, sizeof lk), meta, raws, n, &out->text_len,
                                     why, sizeof why);
    json_decref(meta);
  }
  free(raws);
  if (bytes == NULL)
    return false;
  out->text = (char *)bytes;
  out->content_type = API_PROTOBUF_TYPE;
  return true;
}

static void answer_list(api_request *r, const api_kind *k, api_cached **items, size_t n,
                        int64_t rev, const char *cont, api_response *out) {
  out->code = 200;
  if (api_wants_table(r)) {
    json_t **objs = malloc((n + 1) * sizeof *objs);
    for (size_t i = 0; i < n; i++)
      objs[i] = items[i]->obj;
    char rv[24];
    snprintf(rv, sizeof rv, "%lld", (long long)rev);
    const char *inc = api_query(r, "includeObject");
    out->body = api_table_build(k, objs, n, !(inc && strcmp(inc, "Object") == 0), rv, cont);
    free(objs);
    return;
  }
  size_t len;
  if (api_protobuf_accepted(api_header(r, "Accept")) && list_protobuf(k, items, n, rev, cont, out))
    return;
  out->text = list_json(k, items, n, rev, cont, &len);
  out->content_type = "application/json";
  if (out->text == NULL) {
    out->content_type = NULL;
    api_fail(out, 500, "listing %s: out of memory", k->plural);
  }
}

/* ---- continue tokens: base64 of {"rv":R,"start":"key"} ---- */

static char *encode_continue(int64_t rev, const char *start) {
  json_t *t = json_pack("{s:I, s:s}", "rv", (json_int_t)rev, "start", start);
  char *raw = json_dumps(t, JSON_COMPACT);
  json_decref(t);
  size_t n = strlen(raw);
  char *b64 = malloc(4 * ((n + 2) / 3) + 1);
  EVP_EncodeBlock((unsigned char *)b64, (unsigned char *)raw, (int)n);
  free(raw);
  return b64;
}

static int decode_continue(const char *tok, int64_t *rev, char **start) {
  size_t n = strlen(tok);
  if (n == 0 || n % 4 != 0 || n > 4096)
    return -1;
  unsigned char *raw = malloc(n);
  int m = EVP_DecodeBlock(raw, (const unsigned char *)tok, (int)n);
  if (m < 0) {
    free(raw);
    return -1;
  }
  while (m > 0 && raw[m - 1] == '\0')
    m--;
  json_t *t = json_loadb((char *)raw, m, 0, NULL);
  free(raw);
  const char *s = json_string_value(json_object_get(t, "start"));
  json_t *rv = json_object_get(t, "rv");
  int rc = -1;
  if (s && json_is_integer(rv) && json_integer_value(rv) > 0) {
    *rev = json_integer_value(rv);
    *start = strdup(s);
    rc = 0;
  }
  json_decref(t);
  return rc;
}

/* ---- paged lists through etcd ---- */

static int page_from_etcd(api_request *r, const api_route *rt, list_query *q, api_response *out) {
  char prefix[256];
  api_prefix(rt->kind, rt->ns, prefix, sizeof prefix);
  int64_t rev = 0;
  char *start = NULL;
  if (q->cont && decode_continue(q->cont, &rev, &start) < 0) {
    api_fail(out, 400, "invalid continue token");
    return -1;
  }
  if (start && strncmp(start, prefix, strlen(prefix)) != 0) {
    free(start);
    api_fail(out, 400, "continue token does not belong to this list");
    return -1;
  }
  int64_t want = q->limit > 0 ? q->limit : DEFAULT_PAGE;
  size_t n = 0, cap = 0;
  api_cached **items = NULL;
  char *next = NULL;
  tug_error err = {0};
  int rc = 0;
  bool more = true;
  while ((int64_t)n < want && more) {
    tug_etcd_range page;
    if (tug_etcd_list(r->server->etcd, prefix, start, want - (int64_t)n, rev, &page, &err) < 0) {
      if (err.code == TUG_E_COMPACTED)
        api_fail(out, 410,
                 "The provided continue parameter is too old to display a consistent "
                 "list result. You can start a new list without the continue "
                 "parameter.");
      else
        api_fail_error(out, rt->kind, NULL, &err);
      rc = -1;
      break;
    }
    rev = page.revision;
    more = page.more;
    if (TUG_ARRAY_RESERVE(items, cap, n + page.n, FIRST_ITEMS) < 0) {
      tug_etcd_range_free(&page);
      api_fail(out, 500, "listing %s: out of memory", rt->kind->plural);
      rc = -1;
      break;
    }
    for (size_t i = 0; i < page.n; i++) {
      api_cached *c = api_cached_from_kv(r->server, rt->kind, &page.kvs[i]);
      if (c && api_filter_matches(&q->filter, c->obj))
        items[n++] = c;
      else if (c)
        api_cached_unref(c);
    }
    free(start);
    start = page.n ? tug_etcd_next_key(&page.kvs[page.n - 1]) : NULL;
    tug_etcd_range_free(&page);
  }
  if (rc == 0) {
    if (more && start)
      next = encode_continue(rev, start);
    answer_list(r, rt->kind, items, n, rev, next, out);
  }
  free(start);
  free(next);
  api_cached_list_free(items, n);
  return rc;
}

void api_handle_list(api_request *r, const api_route *rt, api_response *out) {
  list_query q;
  if (parse_list_query(r, rt, &q, out) < 0)
    return;
  if (q.limit > 0 || q.cont) {
    page_from_etcd(r, rt, &q, out);
    list_query_free(&q);
    return;
  }
  api_watchcache *c = api_kind_cache(r->server, rt->kind);
  tug_error err = {0};
  int64_t want = 0;
  if (q.rv && strcmp(q.rv, "0") != 0 && api_parse_rv(q.rv, &want, out) < 0) {
    list_query_free(&q);
    return;
  }
  if (q.rv == NULL &&
      api_revision_current(&r->server->revision, r->server->etcd, &want, &err) < 0) {
    api_fail_error(out, rt->kind, NULL, &err);
  } else if (want > 0 && api_watchcache_sync_to(c, want, SYNC_TIMEOUT_MS, &err) < 0) {
    api_fail(out, 504, "%s", err.msg);
  } else {
    api_cached **items;
    size_t n;
    int64_t rev;
    api_watchcache_list(c, &q.filter, &items, &n, &rev);
    answer_list(r, rt->kind, items, n, rev, NULL, out);
    api_cached_list_free(items, n);
  }
  list_query_free(&q);
}

static json_t *render_table_row(const api_kind *k, const json_t *obj, bool first) {
  return api_table_event(k, obj, true, first);
}

static char *protobuf_frame(const char *type, api_cached *obj, size_t *len) {
  api_protobuf_raw raw;
  if (!api_cached_protobuf(obj, &raw))
    return NULL;
  return (char *)api_protobuf_watch_frame(type, tug_obj_api_version(obj->obj),
                                          tug_obj_kind(obj->obj), raw, len);
}

void api_handle_watch(api_request *r, const api_route *rt, api_response *out) {
  list_query q;
  if (parse_list_query(r, rt, &q, out) < 0)
    return;
  api_watch_opts o = {.filter = q.filter};
  if (q.rv && q.rv[0] && strcmp(q.rv, "0") != 0 && api_parse_rv(q.rv, &o.rev, out) < 0) {
    list_query_free(&q);
    return;
  }
  o.bookmarks = api_query_bool(r, "allowWatchBookmarks");
  int64_t ts;
  if (api_query_int(r, "timeoutSeconds", DEFAULT_WATCH_TIMEOUT, &ts, out) < 0) {
    list_query_free(&q);
    return;
  }
  o.timeout_seconds = ts <= 0 ? DEFAULT_WATCH_TIMEOUT : ts > INT_MAX ? INT_MAX : (int)ts;
  if (api_wants_table(r)) {
    o.render = render_table_row;
  } else if (api_protobuf_accepted(api_header(r, "Accept"))) {
    o.frame = protobuf_frame;
    out->content_type = API_PROTOBUF_WATCH_TYPE;
  }
  const char *full;
  out->watch_slot = api_watch_slot_take(r->server->watch_limits, r->user.name, &full);
  if (out->watch_slot == NULL) {
    api_fail(out, 429, "too many open watches (%s): try again later", full);
    out->retry_after = WATCH_RETRY_AFTER;
    list_query_free(&q);
    return;
  }
  api_watchcache *c = api_kind_cache(r->server, rt->kind);
  tug_error err = {0};
  if (api_watchcache_watch(c, &o, &out->watcher, &err) < 0) {
    api_watch_slot_release(out->watch_slot);
    out->watch_slot = NULL;
    if (err.code == TUG_E_COMPACTED)
      api_fail(out, 410, "%s", err.msg);
    else
      api_fail(out, err.code == ETIMEDOUT ? 504 : err.code == ESHUTDOWN ? 503 : 500, "%s", err.msg);
    list_query_free(&q);
    return;
  }
  /* The watcher owns the selectors now. */
  out->code = 200;
}
