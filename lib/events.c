/*
 * events.c — the Event recorder (see events.h).
 *
 * Two halves around one bounded ring under a mutex. The callers' half
 * (tug_event_record) checks and copies the event into JSON — no network, no
 * correlation state — and queues it or counts a drop. The writer thread owns
 * the correlator (two LRU maps: a spam token bucket per involved object, and
 * the last Event written per identical event) and the HTTP calls, so the
 * correlator needs no lock. Closing gives the writer a deadline: no request,
 * retry or pause reaches past it, which is what bounds tug_events_close.
 */
#include "events.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "cleanup.h"
#include "clock.h"
#include "hashmap.h"
#include "log.h"
#include "object.h"
#include "timestamp.h"
#include "kinds.h"

enum {
  QUEUE_MAX = 1000,
  MESSAGE_MAX = 1024,
  CORRELATOR_MAX = 4096,
  NAME_MAX_LEN = 253,             /* a DNS-1123 subdomain */
  NAME_PREFIX_MAX = 253 - 1 - 16, /* room for ".<16 hex>" */
  NAMESPACE_MAX = 63,
  SPAM_BURST = 25,
  ATTEMPTS = 5,
  BACKOFF_FIRST_MS = 250,
  REQUEST_TIMEOUT_MS = 10000,
  CLOSE_WAIT_MS = 2000,
};

#define SPAM_REFILL_SECONDS 300.0
#define AGGREGATE_WINDOW_SECONDS 600.0
#define WARN_EVERY_SECONDS 10.0

/* ---- Bounded LRU maps ---- */

/* A node is the first member of each map's entry type; the key is its own copy. */
typedef struct lru_node {
  struct lru_node *prev, *next;
  char *key;
} lru_node;

typedef struct lru {
  tug_hashmap *map; /* key → lru_node */
  lru_node ring;    /* ring.next is the most recently used */
  size_t max;
} lru;

static void lru_init(lru *l, size_t max) {
  l->map = tug_hashmap_new();
  l->ring.prev = l->ring.next = &l->ring;
  l->max = max;
}

static void lru_unlink(lru_node *n) {
  n->prev->next = n->next;
  n->next->prev = n->prev;
}

static void lru_push_front(lru *l, lru_node *n) {
  n->prev = &l->ring;
  n->next = l->ring.next;
  l->ring.next->prev = n;
  l->ring.next = n;
}

static void lru_node_free(lru_node *n) {
  free(n->key);
  free(n);
}

/* The entry under key, now the most recently used; NULL when absent. */
static void *lru_get(lru *l, const char *key) {
  lru_node *n = tug_hashmap_get(l->map, key);
  if (n) {
    lru_unlink(n);
    lru_push_front(l, n);
  }
  return n;
}

/* Insert n (its key set, absent from the map), evicting the least recently used. */
static void lru_put(lru *l, lru_node *n) {
  tug_hashmap_put(l->map, n->key, n);
  lru_push_front(l, n);
  if (tug_hashmap_size(l->map) > l->max) {
    lru_node *old = l->ring.prev;
    lru_unlink(old);
    tug_hashmap_remove(l->map, old->key);
    lru_node_free(old);
  }
}

/* A new zeroed entry of size bytes under a copy of key; NULL when memory runs out. */
static void *lru_add(lru *l, const char *key, size_t size) {
  lru_node *n = calloc(1, size);
  if (n == NULL || (n->key = strdup(key)) == NULL) {
    free(n);
    return NULL;
  }
  lru_put(l, n);
  return n;
}

static void lru_clear(lru *l) {
  for (lru_node *n = l->ring.next, *next; n != &l->ring; n = next) {
    next = n->next;
    lru_node_free(n);
  }
  tug_hashmap_free(l->map, NULL);
}

/* ---- The correlator ---- */

typedef struct bucket {
  lru_node node;
  double tokens, last;
} bucket;

typedef struct seen {
  lru_node node;
  double last; /* when the event last happened */
  int64_t count;
  char name[NAME_MAX_LEN + 1];
} seen;

struct tug_event_correlator {
  lru buckets; /* object key → bucket */
  lru seen;    /* event key → seen */
};

tug_event_correlator *tug_event_correlator_new(size_t max_entries) {
  tug_event_correlator *c = calloc(1, sizeof *c);
  if (c == NULL)
    return NULL;
  size_t max = max_entries ? max_entries : CORRELATOR_MAX;
  lru_init(&c->buckets, max);
  lru_init(&c->seen, max);
  return c;
}

void tug_event_correlator_free(tug_event_correlator *c) {
  if (c == NULL)
    return;
  lru_clear(&c->buckets);
  lru_clear(&c->seen);
  free(c);
}

static const char *str_or_empty(const json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}

/* Length-prefixed parts, so that no part's content can mimic a separator. */
static char *join_key(const char *const *parts, size_t n) {
  size_t len = 1;
  for (size_t i = 0; i < n; i++)
    len += strlen(parts[i]) + 24;
  char *key = malloc(len), *p = key;
  if (key == NULL)
    return NULL;
  for (size_t i = 0; i < n; i++)
    p += sprintf(p, "%zu:%s", strlen(parts[i]), parts[i]);
  return key;
}

/* The spam filter's key: the involved object (the source is the recorder's own). */
static char *object_key(const json_t *event) {
  const json_t *o = json_object_get(event, "involvedObject");
  const char *parts[] = {str_or_empty(o, "apiVersion"), str_or_empty(o, "kind"),
                         str_or_empty(o, "namespace"), str_or_empty(o, "name"),
                         str_or_empty(o, "uid")};
  return join_key(parts, sizeof parts / sizeof *parts);
}

/* The aggregation key: the object, type, reason and message. */
static char *event_key(const json_t *event) {
  _cleanup_free_ char *object = object_key(event);
  if (object == NULL)
    return NULL;
  const char *parts[] = {object, str_or_empty(event, "type"), str_or_empty(event, "reason"),
                         str_or_empty(event, "message")};
  return join_key(parts, sizeof parts / sizeof *parts);
}

/* Refill the object's bucket for the time passed and spend one token, if any is left. */
static bool spend_token(tug_event_correlator *c, const char *key, double now) {
  bucket *b = lru_get(&c->buckets, key);
  if (b == NULL) {
    b = lru_add(&c->buckets, key, sizeof *b);
    if (b == NULL)
      return true; /* without memory, err on the side of recording */
    b->tokens = SPAM_BURST;
  } else if (now > b->last) {
    b->tokens += (now - b->last) / SPAM_REFILL_SECONDS;
    if (b->tokens > SPAM_BURST)
      b->tokens = SPAM_BURST;
  }
  if (now > b->last)
    b->last = now;
  if (b->tokens < 1)
    return false;
  b->tokens -= 1;
  return true;
}

tug_event_action tug_event_correlate(tug_event_correlator *c, const json_t *event, double now,
                                     const char **name, int64_t *count) {
  *name = NULL;
  *count = 1;
  _cleanup_free_ char *object = object_key(event);
  if (object && !spend_token(c, object, now))
    return TUG_EVENT_SKIP;
  _cleanup_free_ char *key = event_key(event);
  seen *s = key ? lru_get(&c->seen, key) : NULL;
  if (s == NULL || now - s->last > AGGREGATE_WINDOW_SECONDS)
    return TUG_EVENT_CREATE;
  *name = s->name;
  *count = s->count + 1;
  return TUG_EVENT_PATCH;
}

void tug_event_correlator_observe(tug_event_correlator *c, const json_t *written, double now) {
  const char *name = tug_obj_name(written);
  _cleanup_free_ char *key = event_key(written);
  if (name == NULL || strlen(name) > NAME_MAX_LEN || key == NULL)
    return;
  seen *s = lru_get(&c->seen, key);
  if (s == NULL && (s = lru_add(&c->seen, key, sizeof *s)) == NULL)
    return;
  s->last = now;
  s->count = tug_obj_get_int(written, "count", 1);
  snprintf(s->name, sizeof s->name, "%s", name);
}

/* ---- The recorder ---- */

typedef struct queued {
  json_t *event;      /* all but name, count and timestamps */
  struct timespec at; /* wall clock of the record, for the timestamps */
  double mono;        /* monotonic time of the record, for the correlator */
} queued;

/* At most one warning of a kind per WARN_EVERY_SECONDS; the rest are counted. */
typedef struct warn_limit {
  double next;
  uint64_t held;
} warn_limit;

struct tug_events {
  tug_client *client;
  char *component, *host;
  pthread_t writer;
  pthread_mutex_t mu;
  pthread_cond_t cond; /* an event was queued, or close began */
  queued ring[QUEUE_MAX];
  size_t head, count;
  bool closing;
  struct timespec deadline; /* when closing: the writer stops by then */
  uint64_t dropped;
  warn_limit full_warn, bad_warn; /* under mu */
  /* The writer thread's own. */
  tug_event_correlator *correlator;
  warn_limit write_warn;
  uint64_t seq;
};

/* True when a warning may be logged now; *held gets how many were suppressed before it. */
static bool warn_due(warn_limit *w, uint64_t *held) {
  double now = tug_monotonic_seconds();
  if (now < w->next) {
    w->held++;
    return false;
  }
  w->next = now + WARN_EVERY_SECONDS;
  *held = w->held;
  w->held = 0;
  return true;
}

/* Log why a record was refused, rate-limited: callers may refuse in a loop. */
static void warn_refused(tug_events *ev, const char *why, const char *reason) {
  pthread_mutex_lock(&ev->mu);
  uint64_t held = 0;
  bool due = warn_due(&ev->bad_warn, &held);
  pthread_mutex_unlock(&ev->mu);
  char q[256];
  if (due)
    tug_warn("event not recorded", "why=\"%s\" reason=%s suppressed=%" PRIu64, why,
             tug_log_quote(q, sizeof q, reason ? reason : ""), held);
}

/* The length of the UTF-8 character at u, or 0 when it is not one (bad lead or
 * continuation byte, overlong form, surrogate, beyond U+10FFFF). */
static size_t utf8_char_len(const unsigned char *u) {
  if (u[0] < 0x80)
    return 1;
  size_t len = u[0] >= 0xc2 && u[0] <= 0xdf   ? 2
               : u[0] >= 0xe0 && u[0] <= 0xef ? 3
               : u[0] >= 0xf0 && u[0] <= 0xf4 ? 4
                                              : 0;
  uint32_t cp = u[0] & (len == 2 ? 0x1f : len == 3 ? 0x0f : 0x07);
  for (size_t i = 1; i < len; i++) {
    if ((u[i] & 0xc0) != 0x80)
      return 0; /* also stops at the terminating NUL */
    cp = cp << 6 | (u[i] & 0x3f);
  }
  if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
      (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
    return 0;
  return len;
}

/*
 * Copy s into out (size bytes), cut on a character boundary, with bytes that
 * are not UTF-8 replaced by '?': jansson refuses strings that are not UTF-8,
 * and callers format whatever they hold.
 */
static void copy_utf8(char *out, size_t size, const char *s) {
  size_t o = 0;
  while (*s) {
    size_t len = utf8_char_len((const unsigned char *)s), take = len ? len : 1;
    if (o + take >= size)
      break;
    if (len)
      memcpy(out + o, s, len);
    else
      out[o] = '?';
    o += take;
    s += take;
  }
  out[o] = '\0';
}

static bool utf8_ok(const char *s) {
  for (size_t len; *s; s += len)
    if ((len = utf8_char_len((const unsigned char *)s)) == 0)
      return false;
  return true;
}

/* A namespace safe to put in a path: a DNS-1123 label. */
static bool namespace_ok(const char *ns) {
  size_t n = strlen(ns);
  return n > 0 && n <= NAMESPACE_MAX && strspn(ns, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

static void set_str(json_t *o, const char *key, const char *value) {
  if (value && *value)
    json_object_set_new(o, key, json_string(value));
}

/*
 * involvedObject from a whole object or a reference; NULL with *why set when
 * it lacks a kind or a name or has an unusable namespace. *ns gets the
 * Event's namespace.
 */
static json_t *involved_ref(const json_t *involved, const char **ns, const char **why) {
  bool whole = json_is_object(json_object_get(involved, "metadata"));
  const char *name = whole ? tug_obj_name(involved) : tug_obj_get_str(involved, "name");
  const char *obj_ns = whole ? tug_obj_namespace(involved) : tug_obj_get_str(involved, "namespace");
  const char *kind = tug_obj_kind(involved);
  *ns = obj_ns && *obj_ns ? obj_ns : "default";
  if (!json_is_object(involved))
    *why = "involved object is not an object";
  else if (kind == NULL || *kind == '\0' || name == NULL || *name == '\0')
    *why = "involved object has no kind or name";
  else if (!namespace_ok(*ns))
    *why = "involved object's namespace is not a DNS label";
  else
    *why = NULL;
  if (*why)
    return NULL;
  json_t *ref = json_object();
  set_str(ref, "apiVersion", tug_obj_api_version(involved));
  set_str(ref, "kind", kind);
  set_str(ref, "namespace", obj_ns);
  set_str(ref, "name", name);
  set_str(ref, "uid", whole ? tug_obj_uid(involved) : tug_obj_get_str(involved, "uid"));
  set_str(ref, "resourceVersion",
          whole ? tug_obj_resource_version(involved)
                : tug_obj_get_str(involved, "resourceVersion"));
  if (!whole)
    set_str(ref, "fieldPath", tug_obj_get_str(involved, "fieldPath"));
  return ref;
}

/* The Event to queue: everything but name, count and timestamps. */
static json_t *build_event(const tug_events *ev, const json_t *involved, const char *type,
                           const char *reason, const char *message, const char **why) {
  const char *ns;
  json_t *ref = involved_ref(involved, &ns, why);
  if (ref == NULL)
    return NULL;
  char reason_buf[MESSAGE_MAX + 1];
  copy_utf8(reason_buf, sizeof reason_buf, reason);
  json_t *source = json_pack("{s:s}", "component", ev->component);
  set_str(source, "host", ev->host);
  json_t *event =
      json_pack("{s:s, s:s, s:{s:s}, s:o, s:s, s:s, s:s, s:o, s:s, s:s}", "apiVersion", "v1",
                "kind", "Event", "metadata", "namespace", ns, "involvedObject", ref, "reason",
                reason_buf, "message", message, "type", type, "source", source,
                "reportingComponent", ev->component, "reportingInstance", ev->host ? ev->host : "");
  if (event == NULL)
    *why = "out of memory";
  return event;
}

/* True when the queue takes no more: closing, or full (then a drop, counted
 * and warned about). Under mu. */
static bool queue_refuses(tug_events *ev) {
  if (ev->closing)
    return true;
  if (ev->count < QUEUE_MAX)
    return false;
  ev->dropped++;
  uint64_t held = 0;
  if (warn_due(&ev->full_warn, &held))
    tug_warn("event queue full, dropping events",
             "queue=%d dropped=%" PRIu64 " suppressed=%" PRIu64, QUEUE_MAX, ev->dropped, held);
  return true;
}

/* A cheap first check, so that a flood against a full queue costs no formatting. */
static bool queue_open(tug_events *ev) {
  pthread_mutex_lock(&ev->mu);
  bool refused = queue_refuses(ev);
  pthread_mutex_unlock(&ev->mu);
  return !refused;
}

static void enqueue(tug_events *ev, json_t *event) {
  queued q = {.event = event, .mono = tug_monotonic_seconds()};
  clock_gettime(CLOCK_REALTIME, &q.at);
  pthread_mutex_lock(&ev->mu);
  if (!queue_refuses(ev)) {
    ev->ring[(ev->head + ev->count++) % QUEUE_MAX] = q;
    event = NULL;
    pthread_cond_signal(&ev->cond);
  }
  pthread_mutex_unlock(&ev->mu);
  json_decref(event);
}

void tug_event_record(tug_events *ev, const json_t *involved, const char *type, const char *reason,
                      const char *fmt, ...) {
  if (ev == NULL || !queue_open(ev))
    return;
  if (type == NULL || (strcmp(type, "Normal") != 0 && strcmp(type, "Warning") != 0)) {
    warn_refused(ev, "type is not Normal or Warning", reason);
    return;
  }
  if (reason == NULL || *reason == '\0') {
    warn_refused(ev, "no reason", reason);
    return;
  }
  char raw[MESSAGE_MAX + 4] = "", message[MESSAGE_MAX + 1];
  if (fmt) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
  }
  copy_utf8(message, sizeof message, raw);
  const char *why = NULL;
  json_t *event = build_event(ev, involved, type, reason, message, &why);
  if (event == NULL)
    warn_refused(ev, why, reason);
  else
    enqueue(ev, event);
}

uint64_t tug_events_dropped(tug_events *ev) {
  if (ev == NULL)
    return 0;
  pthread_mutex_lock(&ev->mu);
  uint64_t n = ev->dropped;
  pthread_mutex_unlock(&ev->mu);
  return n;
}

/* ---- The writer thread ---- */

static long ms_until(const struct timespec *t) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (t->tv_sec - now.tv_sec) * 1000 + (t->tv_nsec - now.tv_nsec) / 1000000;
}

/* How long the next request may take: REQUEST_TIMEOUT_MS, or what is left
 * before the close deadline (≤ 0: nothing). */
static long request_budget_ms(tug_events *ev) {
  pthread_mutex_lock(&ev->mu);
  long ms = ev->closing ? ms_until(&ev->deadline) : REQUEST_TIMEOUT_MS;
  pthread_mutex_unlock(&ev->mu);
  return ms < REQUEST_TIMEOUT_MS ? ms : REQUEST_TIMEOUT_MS;
}

/* Sleep ms before a retry; false (at once) when the close deadline comes first. */
static bool pause_ms(tug_events *ev, long ms) {
  struct timespec until = tug_deadline_ms(ms);
  bool ok = true;
  pthread_mutex_lock(&ev->mu);
  for (;;) {
    if (ev->closing && ms_until(&ev->deadline) < ms_until(&until)) {
      ok = false;
      break;
    }
    if (pthread_cond_timedwait(&ev->cond, &ev->mu, &until) == ETIMEDOUT)
      break;
  }
  pthread_mutex_unlock(&ev->mu);
  return ok;
}

/* One write, retried with back-off while the server is unreachable, overloaded or failing. */
static int send_retrying(tug_events *ev, const char *method, const char *path, const json_t *body,
                         const char *content_type, json_t **out, tug_error *err) {
  long delay = BACKOFF_FIRST_MS;
  for (int attempt = 1;; attempt++) {
    long budget = request_budget_ms(ev);
    if (budget <= 0)
      return tug_error_set(err, ETIMEDOUT, "%s %s: the recorder closed", method, path);
    tug_request req = {.method = method,
                       .path = path,
                       .body = body,
                       .content_type = content_type,
                       .timeout_ms = budget};
    tug_response resp;
    int rc = tug_client_do(ev->client, &req, &resp, err);
    long code = resp.code;
    *out = rc < 0 ? NULL : tug_steal_ptr(&resp.body);
    tug_response_clear(&resp);
    bool transient = code == 0 || code == 429 || code >= 500;
    if (rc >= 0 || !transient || attempt == ATTEMPTS || !pause_ms(ev, delay))
      return rc;
    delay *= 2;
  }
}

/* "<involved name>.<16 hex>", the name made a DNS-1123 subdomain if it was not one. */
static void new_event_name(tug_events *ev, const char *involved, char *out, size_t size) {
  char prefix[NAME_PREFIX_MAX + 1];
  size_t n = 0;
  for (const char *s = involved; *s && n < NAME_PREFIX_MAX; s++) {
    char c = *s >= 'A' && *s <= 'Z' ? (char)(*s - 'A' + 'a') : *s;
    bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    bool next_alnum = (s[1] >= 'a' && s[1] <= 'z') || (s[1] >= 'A' && s[1] <= 'Z') ||
                      (s[1] >= '0' && s[1] <= '9');
    if (alnum || (c == '.' && n > 0 && prefix[n - 1] != '-' && prefix[n - 1] != '.' && next_alnum))
      prefix[n++] = c;
    else if (n > 0)
      prefix[n++] = '-';
  }
  while (n > 0 && (prefix[n - 1] == '-' || prefix[n - 1] == '.'))
    n--;
  prefix[n] = '\0';
  uint64_t r;
  if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    r = ((uint64_t)ts.tv_sec << 30) ^ (uint64_t)ts.tv_nsec ^ (++ev->seq * 0x9e3779b97f4a7c15ULL);
  }
  snprintf(out, size, "%s%s%016" PRIx64, prefix, n ? "." : "", r);
}

static void warn_write_failed(tug_events *ev, const char *verb, const json_t *event,
                              const tug_error *err) {
  const json_t *involved = json_object_get(event, "involvedObject");
  uint64_t held = 0;
  if (warn_due(&ev->write_warn, &held))
    tug_warn("event write failed", "verb=%s reason=%s object=%s/%s err=%s suppressed=%" PRIu64,
             verb, str_or_empty(event, "reason"), str_or_empty(involved, "kind"),
             str_or_empty(involved, "name"), TUG_LOG_ERR(err), held);
}

/* PATCH a repeat's count and lastTimestamp, and its series (count and
 * lastObservedTime), which kubectl reads first; -1 with err->code ENOENT
 * when the Event is gone. */
static int patch_event(tug_events *ev, const char *ns, const char *name, int64_t count,
                       const queued *q, json_t **written, tug_error *err) {
  char path[512], now[32], micro[TUG_TIME_BUFSIZE];
  if (tug_api_path(path, sizeof path, "Event", ns, name, NULL, err) < 0)
    return -1;
  tug_time_format(q->at.tv_sec, now, sizeof now);
  tug_time_format_micro(&q->at, micro, sizeof micro);
  _cleanup_json_ json_t *patch =
      json_pack("{s:I, s:s, s:{s:I, s:s}}", "count", (json_int_t)count, "lastTimestamp", now,
                "series", "count", (json_int_t)count, "lastObservedTime", micro);
  return send_retrying(ev, "PATCH", path, patch, "application/merge-patch+json", written, err);
}

static int create_event(tug_events *ev, json_t *event, const char *ns, const char *now,
                        json_t **written, tug_error *err) {
  char name[NAME_MAX_LEN + 1], path[512];
  new_event_name(ev, tug_obj_get_str(event, "involvedObject.name"), name, sizeof name);
  tug_obj_set_str(event, "metadata.name", name, NULL);
  json_object_set_new(event, "count", json_integer(1));
  json_object_set_new(event, "firstTimestamp", json_string(now));
  json_object_set_new(event, "lastTimestamp", json_string(now));
  if (tug_api_path(path, sizeof path, "Event", ns, NULL, NULL, err) < 0)
    return -1;
  return send_retrying(ev, "POST", path, event, NULL, written, err);
}

static void write_event(tug_events *ev, queued *q) {
  const char *name;
  int64_t count;
  tug_event_action action = tug_event_correlate(ev->correlator, q->event, q->mono, &name, &count);
  if (action == TUG_EVENT_SKIP)
    return;
  char now[32];
  tug_time_format(q->at.tv_sec, now, sizeof now);
  const char *ns = tug_obj_namespace(q->event);
  _cleanup_json_ json_t *written = NULL;
  tug_error err = {0};
  int rc = 0;
  if (action == TUG_EVENT_PATCH) {
    rc = patch_event(ev, ns, name, count, q, &written, &err);
    if (rc < 0 && err.code != ENOENT)
      warn_write_failed(ev, "patch", q->event, &err);
  }
  if (action == TUG_EVENT_CREATE || (rc < 0 && err.code == ENOENT)) {
    tug_error_clear(&err);
    rc = create_event(ev, q->event, ns, now, &written, &err);
    if (rc < 0)
      warn_write_failed(ev, "create", q->event, &err);
  }
  if (written)
    tug_event_correlator_observe(ev->correlator, written, q->mono);
}

/* The next queued event; false when closing and the queue is empty or the deadline passed. */
static bool next_event(tug_events *ev, queued *q) {
  pthread_mutex_lock(&ev->mu);
  while (ev->count == 0 && !ev->closing)
    pthread_cond_wait(&ev->cond, &ev->mu);
  bool ok = ev->count > 0 && !(ev->closing && ms_until(&ev->deadline) <= 0);
  if (ok) {
    *q = ev->ring[ev->head];
    ev->head = (ev->head + 1) % QUEUE_MAX;
    ev->count--;
  }
  pthread_mutex_unlock(&ev->mu);
  return ok;
}

static void *writer_main(void *arg) {
  tug_events *ev = arg;
  queued q;
  while (next_event(ev, &q)) {
    write_event(ev, &q);
    json_decref(q.event);
  }
  return NULL;
}

/* ---- Open and close ---- */

static void events_free(tug_events *ev) {
  for (size_t i = 0; i < ev->count; i++)
    json_decref(ev->ring[(ev->head + i) % QUEUE_MAX].event);
  tug_event_correlator_free(ev->correlator);
  pthread_cond_destroy(&ev->cond);
  pthread_mutex_destroy(&ev->mu);
  free(ev->component);
  free(ev->host);
  free(ev);
}

int tug_events_open(tug_client *c, const char *component, const char *host, tug_events **out,
                    tug_error *err) {
  if (out == NULL || c == NULL || component == NULL || *component == '\0')
    return tug_error_set(err, EINVAL, "open event recorder: a client and a component are needed");
  *out = NULL;
  tug_events *ev = calloc(1, sizeof *ev);
  if (ev == NULL)
    return tug_error_errno(err, ENOMEM, "open event recorder");
  ev->client = c;
  pthread_mutex_init(&ev->mu, NULL);
  tug_cond_init_monotonic(&ev->cond);
  ev->component = strdup(component);
  ev->host = host && *host ? strdup(host) : NULL;
  ev->correlator = tug_event_correlator_new(0);
  if (!utf8_ok(component) || (host && !utf8_ok(host))) {
    events_free(ev);
    return tug_error_set(err, EINVAL, "open event recorder: component and host must be UTF-8");
  }
  if (ev->component == NULL || (host && *host && ev->host == NULL) || ev->correlator == NULL) {
    events_free(ev);
    return tug_error_errno(err, ENOMEM, "open event recorder");
  }
  int rc = pthread_create(&ev->writer, NULL, writer_main, ev);
  if (rc != 0) {
    events_free(ev);
    return tug_error_errno(err, rc, "open event recorder: start the writer thread");
  }
  *out = ev;
  return 0;
}

void tug_events_close(tug_events *ev) {
  if (ev == NULL)
    return;
  pthread_mutex_lock(&ev->mu);
  ev->closing = true;
  ev->deadline = tug_deadline_ms(CLOSE_WAIT_MS);
  pthread_cond_broadcast(&ev->cond);
  pthread_mutex_unlock(&ev->mu);
  pthread_join(ev->writer, NULL);
  if (ev->count > 0 || ev->dropped > 0)
    tug_warn("event recorder closed with events unwritten", "abandoned=%zu dropped=%" PRIu64,
             ev->count, ev->dropped);
  events_free(ev);
}
