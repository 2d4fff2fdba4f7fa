/*
 * etcd-kv.c — reads, writes and transactions on etcd's key space.
 *
 * Results point into the unpacked protobuf message they came from; the
 * message is kept as the result's owner_ and freed with it, so a list of
 * thousands of objects is never copied.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "etcd-internal.h"

#define PB_FREE(m) protobuf_c_message_free_unpacked((ProtobufCMessage *)(m), NULL)

static int range_from_pb(tug_etcd_range *out, Etcdserverpb__RangeResponse *r, tug_error *err) {
  memset(out, 0, sizeof *out);
  if (r->n_kvs > 0) {
    out->kvs = calloc(r->n_kvs, sizeof *out->kvs);
    if (out->kvs == NULL) {
      PB_FREE(r);
      return tug_error_errno(err, ENOMEM, "etcd range of %zu keys", r->n_kvs);
    }
  }
  for (size_t i = 0; i < r->n_kvs; i++)
    etcd_kv_from_pb(&out->kvs[i], r->kvs[i]);
  out->n = r->n_kvs;
  out->revision = r->header ? r->header->revision : 0;
  out->more = r->more;
  out->count = r->count;
  out->owner_ = r;
  return 0;
}

void tug_etcd_range_free(tug_etcd_range *r) {
  if (r == NULL)
    return;
  free(r->kvs);
  if (r->owner_)
    PB_FREE(r->owner_);
  memset(r, 0, sizeof *r);
}

static int do_range(tug_etcd *c, Etcdserverpb__RangeRequest *req, tug_etcd_range *out,
                    tug_error *err) {
  ProtobufCMessage *resp;
  if (etcd_unary(c, ETCD_RANGE, &req->base, &etcdserverpb__range_response__descriptor, &resp,
                 err) < 0)
    return tug_error_wrap(err, "range %.*s", (int)req->key.len, (const char *)req->key.data);
  return range_from_pb(out, (Etcdserverpb__RangeResponse *)resp, err);
}

int tug_etcd_get(tug_etcd *c, const char *key, tug_etcd_range *out, tug_error *err) {
  Etcdserverpb__RangeRequest req = ETCDSERVERPB__RANGE_REQUEST__INIT;
  req.key = etcd_bytes(key);
  return do_range(c, &req, out, err);
}

int tug_etcd_list(tug_etcd *c, const char *prefix, const char *start_key, int64_t limit,
                  int64_t revision, tug_etcd_range *out, tug_error *err) {
  Etcdserverpb__RangeRequest req = ETCDSERVERPB__RANGE_REQUEST__INIT;
  req.key = etcd_bytes(start_key ? start_key : prefix);
  req.range_end = etcd_prefix_end(prefix);
  req.limit = limit;
  req.revision = revision;
  int rc = do_range(c, &req, out, err);
  free(req.range_end.data);
  return rc;
}

char *tug_etcd_next_key(const tug_etcd_kv *kv) {
  /* The next key is key + "\0", which a C string cannot hold. Keys never
   * contain NUL, so nothing lies between key + "\0" and key + "\1". */
  char *next = malloc(kv->key_len + 2);
  if (next == NULL)
    return NULL;
  memcpy(next, kv->key, kv->key_len);
  next[kv->key_len] = '\x01';
  next[kv->key_len + 1] = '\0';
  return next;
}

int tug_etcd_count(tug_etcd *c, const char *prefix, int64_t *count, tug_error *err) {
  Etcdserverpb__RangeRequest req = ETCDSERVERPB__RANGE_REQUEST__INIT;
  req.key = etcd_bytes(prefix);
  req.range_end = etcd_prefix_end(prefix);
  req.count_only = 1;
  tug_etcd_range r;
  int rc = do_range(c, &req, &r, err);
  free(req.range_end.data);
  if (rc == 0) {
    *count = r.count;
    tug_etcd_range_free(&r);
  }
  return rc;
}

static void put_request(Etcdserverpb__PutRequest *req, const char *key, const char *value,
                        size_t value_len, int64_t lease) {
  req->key = etcd_bytes(key);
  req->value = (ProtobufCBinaryData){value_len, (uint8_t *)value};
  req->lease = lease;
}

int tug_etcd_put(tug_etcd *c, const char *key, const char *value, size_t value_len,
                 int64_t lease, int64_t *revision, tug_error *err) {
  Etcdserverpb__PutRequest req = ETCDSERVERPB__PUT_REQUEST__INIT;
  put_request(&req, key, value, value_len, lease);
  ProtobufCMessage *resp;
  if (etcd_unary(c, ETCD_PUT, &req.base, &etcdserverpb__put_response__descriptor, &resp, err) <
      0)
    return tug_error_wrap(err, "put %s", key);
  Etcdserverpb__PutResponse *pr = (Etcdserverpb__PutResponse *)resp;
  if (revision)
    *revision = pr->header ? pr->header->revision : 0;
  PB_FREE(pr);
  return 0;
}

typedef struct put_async_ctx {
  tug_etcd_put_cb cb;
  void *arg;
} put_async_ctx;

static void put_async_done(void *arg, int rc, ProtobufCMessage *resp, const tug_error *err) {
  put_async_ctx ctx = *(put_async_ctx *)arg;
  free(arg);
  int64_t rev = 0;
  if (rc == 0) {
    Etcdserverpb__PutResponse *pr = (Etcdserverpb__PutResponse *)resp;
    rev = pr->header ? pr->header->revision : 0;
    PB_FREE(pr);
  }
  ctx.cb(ctx.arg, rc, rev, err);
}

int tug_etcd_put_async(tug_etcd *c, const char *key, const char *value, size_t value_len,
                       int64_t lease, tug_etcd_put_cb cb, void *arg, tug_error *err) {
  Etcdserverpb__PutRequest req = ETCDSERVERPB__PUT_REQUEST__INIT;
  put_request(&req, key, value, value_len, lease);
  put_async_ctx *ctx = malloc(sizeof *ctx);
  if (ctx == NULL)
    return tug_error_errno(err, ENOMEM, "put %s", key);
  *ctx = (put_async_ctx){cb, arg};
  if (etcd_unary_async(c, ETCD_PUT, &req.base, &etcdserverpb__put_response__descriptor,
                       put_async_done, ctx, err) < 0) {
    free(ctx);
    return tug_error_wrap(err, "put %s", key);
  }
  return 0;
}

static int delete_range(tug_etcd *c, Etcdserverpb__DeleteRangeRequest *req, int64_t *deleted,
                        int64_t *revision, tug_error *err) {
  ProtobufCMessage *resp;
  if (etcd_unary(c, ETCD_DELETE_RANGE, &req->base,
                 &etcdserverpb__delete_range_response__descriptor, &resp, err) < 0)
    return tug_error_wrap(err, "delete %.*s", (int)req->key.len, (const char *)req->key.data);
  Etcdserverpb__DeleteRangeResponse *dr = (Etcdserverpb__DeleteRangeResponse *)resp;
  if (deleted)
    *deleted = dr->deleted;
  if (revision)
    *revision = dr->header ? dr->header->revision : 0;
  PB_FREE(dr);
  return 0;
}

int tug_etcd_delete(tug_etcd *c, const char *key, int64_t *deleted, int64_t *revision,
                    tug_error *err) {
  Etcdserverpb__DeleteRangeRequest req = ETCDSERVERPB__DELETE_RANGE_REQUEST__INIT;
  req.key = etcd_bytes(key);
  return delete_range(c, &req, deleted, revision, err);
}

int tug_etcd_delete_prefix(tug_etcd *c, const char *prefix, int64_t *deleted, tug_error *err) {
  Etcdserverpb__DeleteRangeRequest req = ETCDSERVERPB__DELETE_RANGE_REQUEST__INIT;
  req.key = etcd_bytes(prefix);
  req.range_end = etcd_prefix_end(prefix);
  int rc = delete_range(c, &req, deleted, NULL, err);
  free(req.range_end.data);
  return rc;
}

int tug_etcd_compact(tug_etcd *c, int64_t revision, tug_error *err) {
  Etcdserverpb__CompactionRequest req = ETCDSERVERPB__COMPACTION_REQUEST__INIT;
  req.revision = revision;
  ProtobufCMessage *resp;
  if (etcd_unary(c, ETCD_COMPACT, &req.base, &etcdserverpb__compaction_response__descriptor,
                 &resp, err) < 0)
    return tug_error_wrap(err, "compact at revision %lld", (long long)revision);
  PB_FREE(resp);
  return 0;
}
