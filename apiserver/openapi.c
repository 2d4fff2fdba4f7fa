/*
 * openapi.c — the OpenAPI documents: built once, served from their bytes
 * (see openapi.h).
 *
 * A group-version's document holds the paths of its kinds and every
 * definition those reach; /openapi/v2 holds all of them. The documents change
 * only when a CustomResourceDefinition does (crd.h): then a new set is built
 * and replaces the old one, which lives on, counted, until the last request
 * that read it has copied its answer.
 */
#include "openapi.h"

#include <errno.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "clock.h"
#include "log.h"
#include "openapi-internal.h"
#include "status.h"

enum { ETAG_HEX = 2 * SHA512_DIGEST_LENGTH, MAX_GROUP_VERSIONS = 512 };
/* gnostic's media type; Kubernetes answers in the second spelling, since Go's
 * MIME parser refuses the '@' of the first, which clients still ask for. */
#define V2_PROTOBUF_ASKED "com.github.proto-openapi.spec.v2@v1.0+protobuf"
#define V2_PROTOBUF "com.github.proto-openapi.spec.v2.v1.0+protobuf"

typedef struct openapi_doc {
  char path[160]; /* "/openapi/v2", "/openapi/v3", "/openapi/v3/apis/apps/v1" */
  char *bytes;
  size_t len;
  char etag[ETAG_HEX + 1]; /* SHA-512 of the bytes, upper-case hex as Kubernetes' */
} openapi_doc;

/* One built set of documents; never changed once built. */
typedef struct openapi_set {
  atomic_int refs;
  openapi_doc v2, v2pb, index;
  openapi_doc gvs[MAX_GROUP_VERSIONS];
  size_t n_gvs;
  char last_modified[64]; /* when it was built, RFC 7231 */
} openapi_set;

struct api_openapi {
  pthread_mutex_t mu;
  openapi_set *cur;
};

/* doc holds bytes (taken) and their ETag. */
static void seal_bytes(openapi_doc *doc, const char *path, char *bytes, size_t len) {
  snprintf(doc->path, sizeof doc->path, "%s", path);
  doc->bytes = bytes;
  doc->len = len;
  unsigned char md[SHA512_DIGEST_LENGTH];
  SHA512((const unsigned char *)bytes, len, md);
  for (size_t i = 0; i < sizeof md; i++)
    sprintf(doc->etag + 2 * i, "%02X", md[i]);
}

static int seal(openapi_doc *doc, const char *path, json_t *body, tug_error *err) {
  char *bytes = json_dumps(body, JSON_COMPACT);
  json_decref(body);
  if (bytes == NULL)
    return tug_error_set(err, ENOMEM, "serialize %s", path);
  seal_bytes(doc, path, bytes, strlen(bytes));
  return 0;
}

static json_t *info(void) {
  return json_pack("{s:s, s:s}", "title", "Tugboat", "version", "v1.32.0");
}

static bool same_gv(const api_kind *a, const api_kind *b) {
  return strcmp(a->group, b->group) == 0 && strcmp(a->version, b->version) == 0;
}

/* The OpenAPI 3 document of the group-version of first (all its kinds). */
static json_t *v3_document(const api_kind *first) {
  json_t *paths = json_object(), *defs = json_object();
  for (const api_kind *k = first; k; k = api_kind_next(k))
    if (same_gv(k, first))
      api_openapi_kind_paths(API_OPENAPI_V3, k, paths, defs);
  return json_pack("{s:s, s:o, s:o, s:{s:o}}", "openapi", "3.0.0", "info", info(), "paths", paths,
                   "components", "schemas", defs);
}

/* /openapi/v2, as JSON and as protobuf. */
static int build_v2(openapi_set *o, tug_error *err) {
  json_t *paths = json_object(), *defs = json_object();
  for (const api_kind *k = api_kind_first(); k; k = api_kind_next(k))
    api_openapi_kind_paths(API_OPENAPI_V2, k, paths, defs);
  json_t *doc = json_pack("{s:s, s:o, s:o, s:o}", "swagger", "2.0", "info", info(), "paths", paths,
                          "definitions", defs);
  size_t len;
  char *pb = api_openapi_v2_protobuf(doc, &len);
  seal_bytes(&o->v2pb, "/openapi/v2", pb, len);
  return seal(&o->v2, "/openapi/v2", doc, err);
}

/* Whether every kind of first's group-version is built in: its document
 * never changes while the server runs. */
static bool built_in_gv(const api_kind *first) {
  for (const api_kind *k = first; k; k = api_kind_next(k))
    if (same_gv(k, first) && k->custom)
      return false;
  return true;
}

static const openapi_doc *find(const openapi_set *o, const char *path);

/* doc as prev has it (a copy), or built anew. */
static int seal_gv(openapi_doc *doc, const openapi_set *prev, const api_kind *first,
                   const char *path, tug_error *err) {
  const openapi_doc *old = prev && built_in_gv(first) ? find(prev, path) : NULL;
  if (old == NULL)
    return seal(doc, path, v3_document(first), err);
  *doc = *old;
  doc->bytes = malloc(old->len + 1);
  memcpy(doc->bytes, old->bytes, old->len + 1);
  return 0;
}

/* One document per group-version with a schema, in the kinds table's order;
 * those of built-in kinds are copied from prev when there is one. */
static int build_group_versions(openapi_set *o, const openapi_set *prev, json_t *index,
                                tug_error *err) {
  json_t *seen = json_object();
  for (const api_kind *k = api_kind_first(); k; k = api_kind_next(k)) {
    char gv[128], path[160], url[320];
    snprintf(gv, sizeof gv, "%s/%s", k->group, k->version);
    if (json_object_get(seen, gv) ||
        (!k->custom && api_schema_find_gv(k->group, k->version, k->kind) == NULL))
      continue;
    json_object_set_new(seen, gv, json_true());
    if (o->n_gvs == MAX_GROUP_VERSIONS) {
      json_decref(seen);
      return tug_error_set(err, ENOSPC, "more than %d group-versions", MAX_GROUP_VERSIONS);
    }
    if (k->group[0])
      snprintf(gv, sizeof gv, "apis/%s/%s", k->group, k->version);
    else
      snprintf(gv, sizeof gv, "api/%s", k->version);
    snprintf(path, sizeof path, "/openapi/v3/%s", gv);
    openapi_doc *doc = &o->gvs[o->n_gvs++];
    if (seal_gv(doc, prev, k, path, err) < 0) {
      json_decref(seen);
      return -1;
    }
    snprintf(url, sizeof url, "%s?hash=%s", path, doc->etag);
    json_object_set_new(index, gv, json_pack("{s:s}", "serverRelativeURL", url));
  }
  json_decref(seen);
  return 0;
}

/* This thread's CPU time: start-up's share of a loaded machine. */
static double thread_cpu_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void set_free(openapi_set *o) {
  free(o->v2.bytes);
  free(o->v2pb.bytes);
  free(o->index.bytes);
  for (size_t i = 0; i < o->n_gvs; i++)
    free(o->gvs[i].bytes);
  free(o);
}

static void set_unref(openapi_set *o) {
  if (o && atomic_fetch_sub(&o->refs, 1) == 1)
    set_free(o);
}

static openapi_set *set_build(const openapi_set *prev, tug_error *err) {
  double start = tug_monotonic_seconds(), cpu = thread_cpu_seconds();
  openapi_set *o = calloc(1, sizeof *o);
  atomic_init(&o->refs, 1);
  json_t *index = json_object();
  if (build_group_versions(o, prev, index, err) < 0 ||
      seal(&o->index, "/openapi/v3", json_pack("{s:o}", "paths", index), err) < 0 ||
      build_v2(o, err) < 0) {
    set_free(o);
    return NULL;
  }
  time_t now = time(NULL);
  struct tm tm;
  strftime(o->last_modified, sizeof o->last_modified, "%a, %d %b %Y %H:%M:%S GMT",
           gmtime_r(&now, &tm));
  size_t bytes = o->v2.len + o->v2pb.len + o->index.len;
  for (size_t i = 0; i < o->n_gvs; i++)
    bytes += o->gvs[i].len;
  tug_info("openapi documents built", "group_versions=%zu bytes=%zu took_ms=%.1f cpu_ms=%.1f",
           o->n_gvs, bytes, (tug_monotonic_seconds() - start) * 1000,
           (thread_cpu_seconds() - cpu) * 1000);
  return o;
}

api_openapi *api_openapi_build(tug_error *err) {
  openapi_set *set = set_build(NULL, err);
  if (set == NULL)
    return NULL;
  api_openapi *o = calloc(1, sizeof *o);
  pthread_mutex_init(&o->mu, NULL);
  o->cur = set;
  return o;
}

/* The current set, counted; set_unref when done. */
static openapi_set *current(api_openapi *o) {
  pthread_mutex_lock(&o->mu);
  openapi_set *set = o->cur;
  atomic_fetch_add(&set->refs, 1);
  pthread_mutex_unlock(&o->mu);
  return set;
}

int api_openapi_rebuild(api_openapi *o, tug_error *err) {
  openapi_set *prev = current(o);
  openapi_set *set = set_build(prev, err);
  set_unref(prev);
  if (set == NULL)
    return -1;
  pthread_mutex_lock(&o->mu);
  openapi_set *old = o->cur;
  o->cur = set;
  pthread_mutex_unlock(&o->mu);
  set_unref(old);
  return 0;
}

void api_openapi_free(api_openapi *o) {
  if (o == NULL)
    return;
  set_unref(o->cur);
  pthread_mutex_destroy(&o->mu);
  free(o);
}

static const openapi_doc *find(const openapi_set *o, const char *path) {
  if (strcmp(path, o->v2.path) == 0)
    return &o->v2;
  if (strcmp(path, o->index.path) == 0)
    return &o->index;
  for (size_t i = 0; i < o->n_gvs; i++)
    if (strcmp(path, o->gvs[i].path) == 0)
      return &o->gvs[i];
  return NULL;
}

const char *api_openapi_document(const api_openapi *o, const char *path, size_t *len) {
  const openapi_doc *doc = find(o->cur, path);
  if (doc == NULL)
    return NULL;
  *len = doc->len;
  return doc->bytes;
}

const char *api_openapi_v2_protobuf_document(const api_openapi *o, size_t *len) {
  *len = o->cur->v2pb.len;
  return o->cur->v2pb.bytes;
}

/* Whether Accept allows JSON: absent, application/json, application/ *, * / *. */
static bool accepts_json(const char *accept) {
  if (accept == NULL || accept[0] == '\0')
    return true;
  return strstr(accept, "application/json") || strstr(accept, "application/*") ||
         strstr(accept, "*/*");
}

/* The form of doc that Accept asks for: /openapi/v2 also as protobuf; NULL
 * when none fits. */
static const openapi_doc *negotiate(const openapi_set *o, const openapi_doc *doc,
                                    const char *accept, const char **type) {
  *type = "application/json";
  if (doc == &o->v2 && accept &&
      (strstr(accept, V2_PROTOBUF_ASKED) || strstr(accept, V2_PROTOBUF))) {
    *type = "application/" V2_PROTOBUF;
    return &o->v2pb;
  }
  return accepts_json(accept) ? doc : NULL;
}

static void answer(const openapi_set *o, const openapi_doc *doc, const char *type, api_request *r,
                   api_response *out) {
  char etag[ETAG_HEX + 3];
  snprintf(etag, sizeof etag, "\"%s\"", doc->etag);
  api_set_header(out, "ETag", etag);
  api_set_header(out, "Last-Modified", o->last_modified);
  api_set_header(out, "Vary", "Accept");
  const char *hash = api_query(r, "hash");
  if (hash && doc != &o->v2 && doc != &o->v2pb && doc != &o->index) {
    api_set_header(out, "Cache-Control", "public, immutable");
    time_t later = time(NULL) + 365 * 24 * 3600;
    struct tm tm;
    char expires[64];
    strftime(expires, sizeof expires, "%a, %d %b %Y %H:%M:%S GMT", gmtime_r(&later, &tm));
    api_set_header(out, "Expires", expires);
  }
  out->content_type = type;
  if (api_etag_matches(r, etag)) {
    out->code = 304;
    out->static_text = "";
    out->static_len = 0;
    return;
  }
  /* A copy: the set may be replaced before the answer is sent. */
  out->code = 200;
  out->text = malloc(doc->len + 1);
  memcpy(out->text, doc->bytes, doc->len + 1);
  out->text_len = doc->len;
}

bool api_openapi_serve(api_openapi *docs, api_request *r, api_response *out) {
  if (strncmp(r->path, "/openapi/", 9) != 0)
    return false;
  r->verb = "GET";
  openapi_set *o = docs ? current(docs) : NULL;
  const openapi_doc *doc = o ? find(o, r->path) : NULL, *form = NULL;
  const char *type = NULL;
  if (doc == NULL) {
    api_fail(out, 404, "the server could not find the requested resource");
  } else if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
    api_fail(out, 405, "the server does not allow this method on the requested resource");
  } else if ((form = negotiate(o, doc, api_header(r, "Accept"), &type)) == NULL) {
    api_fail(out, 406, "only application/json is served for %s", r->path);
  } else if (api_query(r, "hash") && doc != &o->v2 && doc != &o->index &&
             strcmp(api_query(r, "hash"), doc->etag) != 0) {
    char url[320];
    snprintf(url, sizeof url, "%s?hash=%s", doc->path, doc->etag);
    api_set_header(out, "Location", url);
    out->code = 301;
    out->static_text = "";
    out->static_len = 0;
  } else {
    answer(o, form, type, r, out);
  }
  set_unref(o);
  return true;
}
