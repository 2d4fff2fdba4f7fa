/*
 * etcd-txn.c — etcd transactions, and the two that the API server is built on:
 * create-if-absent and update-if-unchanged (optimistic concurrency on
 * mod_revision, which is what an object's resourceVersion is).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "etcd-internal.h"

#define PB_FREE(m) protobuf_c_message_free_unpacked((ProtobufCMessage *)(m), NULL)

/* The request and every piece it points to, in one allocation each. */
typedef struct txn_request {
  Etcdserverpb__TxnRequest req;
  Etcdserverpb__Compare *cmp;
  Etcdserverpb__Compare **cmp_ptrs;
  Etcdserverpb__RequestOp *ops;
  Etcdserverpb__RequestOp **op_ptrs;
  union op_body {
    Etcdserverpb__RangeRequest range;
    Etcdserverpb__PutRequest put;
    Etcdserverpb__DeleteRangeRequest del;
  } *bodies;
} txn_request;

static void txn_request_free(txn_request *t) {
  free(t->cmp);
  free(t->cmp_ptrs);
  free(t->ops);
  free(t->op_ptrs);
  free(t->bodies);
}

static void fill_compare(Etcdserverpb__Compare *pc, const tug_etcd_compare *c) {
  Etcdserverpb__Compare init = ETCDSERVERPB__COMPARE__INIT;
  *pc = init;
  pc->key = etcd_bytes(c->key);
  pc->result = (Etcdserverpb__Compare__CompareResult)c->result;
  switch (c->target) {
  case TUG_ETCD_VERSION:
    pc->target = ETCDSERVERPB__COMPARE__COMPARE_TARGET__VERSION;
    pc->target_union_case = ETCDSERVERPB__COMPARE__TARGET_UNION_VERSION;
    pc->version = c->value;
    break;
  case TUG_ETCD_CREATE_REVISION:
    pc->target = ETCDSERVERPB__COMPARE__COMPARE_TARGET__CREATE;
    pc->target_union_case = ETCDSERVERPB__COMPARE__TARGET_UNION_CREATE_REVISION;
    pc->create_revision = c->value;
    break;
  case TUG_ETCD_MOD_REVISION:
    pc->target = ETCDSERVERPB__COMPARE__COMPARE_TARGET__MOD;
    pc->target_union_case = ETCDSERVERPB__COMPARE__TARGET_UNION_MOD_REVISION;
    pc->mod_revision = c->value;
    break;
  }
}

static void fill_op(Etcdserverpb__RequestOp *po, union op_body *body, const tug_etcd_op *op) {
  Etcdserverpb__RequestOp init = ETCDSERVERPB__REQUEST_OP__INIT;
  *po = init;
  switch (op->type) {
  case TUG_ETCD_OP_GET: {
    Etcdserverpb__RangeRequest r = ETCDSERVERPB__RANGE_REQUEST__INIT;
    r.key = etcd_bytes(op->key);
    body->range = r;
    po->request_case = ETCDSERVERPB__REQUEST_OP__REQUEST_REQUEST_RANGE;
    po->request_range = &body->range;
    break;
  }
  case TUG_ETCD_OP_PUT: {
    Etcdserverpb__PutRequest p = ETCDSERVERPB__PUT_REQUEST__INIT;
    p.key = etcd_bytes(op->key);
    p.value = (ProtobufCBinaryData){op->value_len, (uint8_t *)op->value};
    p.lease = op->lease;
    body->put = p;
    po->request_case = ETCDSERVERPB__REQUEST_OP__REQUEST_REQUEST_PUT;
    po->request_put = &body->put;
    break;
  }
  case TUG_ETCD_OP_DELETE: {
    Etcdserverpb__DeleteRangeRequest d = ETCDSERVERPB__DELETE_RANGE_REQUEST__INIT;
    d.key = etcd_bytes(op->key);
    body->del = d;
    po->request_case = ETCDSERVERPB__REQUEST_OP__REQUEST_REQUEST_DELETE_RANGE;
    po->request_delete_range = &body->del;
    break;
  }
  }
}

static int txn_request_build(txn_request *t, const tug_etcd_compare *cmp, size_t ncmp,
                             const tug_etcd_op *success, size_t nsuccess,
                             const tug_etcd_op *failure, size_t nfailure, tug_error *err) {
  Etcdserverpb__TxnRequest init = ETCDSERVERPB__TXN_REQUEST__INIT;
  memset(t, 0, sizeof *t);
  t->req = init;
  size_t nops = nsuccess + nfailure;
  t->cmp = calloc(ncmp + 1, sizeof *t->cmp);
  t->cmp_ptrs = calloc(ncmp + 1, sizeof *t->cmp_ptrs);
  t->ops = calloc(nops + 1, sizeof *t->ops);
  t->op_ptrs = calloc(nops + 1, sizeof *t->op_ptrs);
  t->bodies = calloc(nops + 1, sizeof *t->bodies);
  if (!t->cmp || !t->cmp_ptrs || !t->ops || !t->op_ptrs || !t->bodies) {
    txn_request_free(t);
    return tug_error_errno(err, ENOMEM, "etcd txn");
  }
  for (size_t i = 0; i < ncmp; i++) {
    fill_compare(&t->cmp[i], &cmp[i]);
    t->cmp_ptrs[i] = &t->cmp[i];
  }
  for (size_t i = 0; i < nops; i++) {
    const tug_etcd_op *op = i < nsuccess ? &success[i] : &failure[i - nsuccess];
    fill_op(&t->ops[i], &t->bodies[i], op);
    t->op_ptrs[i] = &t->ops[i];
  }
  t->req.n_compare = ncmp;
  t->req.compare = t->cmp_ptrs;
  t->req.n_success = nsuccess;
  t->req.success = t->op_ptrs;
  t->req.n_failure = nfailure;
  t->req.failure = t->op_ptrs + nsuccess;
  return 0;
}

static int txn_result_from_pb(tug_etcd_txn_result *out, Etcdserverpb__TxnResponse *r,
                              tug_error *err) {
  memset(out, 0, sizeof *out);
  out->succeeded = r->succeeded;
  out->revision = r->header ? r->header->revision : 0;
  out->owner_ = r;
  out->results = calloc(r->n_responses + 1, sizeof *out->results);
  if (out->results == NULL) {
    PB_FREE(r);
    return tug_error_errno(err, ENOMEM, "etcd txn result");
  }
  out->n = r->n_responses;
  for (size_t i = 0; i < r->n_responses; i++) {
    Etcdserverpb__ResponseOp *op = r->responses[i];
    tug_etcd_op_result *res = &out->results[i];
    switch (op->response_case) {
    case ETCDSERVERPB__RESPONSE_OP__RESPONSE_RESPONSE_RANGE:
      res->type = TUG_ETCD_OP_GET;
      res->n = op->response_range->n_kvs;
      res->kvs = calloc(res->n + 1, sizeof *res->kvs);
      if (res->kvs == NULL) {
        tug_etcd_txn_result_free(out);
        return tug_error_errno(err, ENOMEM, "etcd txn result");
      }
      for (size_t k = 0; k < res->n; k++)
        etcd_kv_from_pb(&res->kvs[k], op->response_range->kvs[k]);
      break;
    case ETCDSERVERPB__RESPONSE_OP__RESPONSE_RESPONSE_PUT:
      res->type = TUG_ETCD_OP_PUT;
      break;
    case ETCDSERVERPB__RESPONSE_OP__RESPONSE_RESPONSE_DELETE_RANGE:
      res->type = TUG_ETCD_OP_DELETE;
      res->deleted = op->response_delete_range->deleted;
      break;
    default:
      break;
    }
  }
  return 0;
}

void tug_etcd_txn_result_free(tug_etcd_txn_result *r) {
  if (r == NULL)
    return;
  for (size_t i = 0; i < r->n; i++)
    free(r->results[i].kvs);
  free(r->results);
  if (r->owner_)
    PB_FREE(r->owner_);
  memset(r, 0, sizeof *r);
}

int tug_etcd_txn(tug_etcd *c, const tug_etcd_compare *cmp, size_t ncmp,
                 const tug_etcd_op *success, size_t nsuccess, const tug_etcd_op *failure,
                 size_t nfailure, tug_etcd_txn_result *out, tug_error *err) {
  txn_request t;
  if (txn_request_build(&t, cmp, ncmp, success, nsuccess, failure, nfailure, err) < 0)
    return -1;
  ProtobufCMessage *resp;
  int rc = etcd_unary(c, ETCD_TXN, &t.req.base, &etcdserverpb__txn_response__descriptor, &resp,
                      err);
  txn_request_free(&t);
  if (rc < 0)
    return tug_error_wrap(err, "txn");
  return txn_result_from_pb(out, (Etcdserverpb__TxnResponse *)resp, err);
}

typedef struct txn_async_ctx {
  tug_etcd_txn_cb cb;
  void *arg;
} txn_async_ctx;

static void txn_async_done(void *arg, int rc, ProtobufCMessage *resp, const tug_error *err) {
  txn_async_ctx ctx = *(txn_async_ctx *)arg;
  free(arg);
  tug_etcd_txn_result res;
  tug_error perr = {0};
  if (rc == 0 && txn_result_from_pb(&res, (Etcdserverpb__TxnResponse *)resp, &perr) < 0) {
    ctx.cb(ctx.arg, -1, NULL, &perr);
    return;
  }
  ctx.cb(ctx.arg, rc, rc == 0 ? &res : NULL, err);
}

int tug_etcd_txn_async(tug_etcd *c, const tug_etcd_compare *cmp, size_t ncmp,
                       const tug_etcd_op *success, size_t nsuccess, const tug_etcd_op *failure,
                       size_t nfailure, tug_etcd_txn_cb cb, void *arg, tug_error *err) {
  txn_async_ctx *ctx = malloc(sizeof *ctx);
  if (ctx == NULL)
    return tug_error_errno(err, ENOMEM, "etcd txn");
  *ctx = (txn_async_ctx){cb, arg};
  txn_request t;
  if (txn_request_build(&t, cmp, ncmp, success, nsuccess, failure, nfailure, err) < 0) {
    free(ctx);
    return -1;
  }
  int rc = etcd_unary_async(c, ETCD_TXN, &t.req.base, &etcdserverpb__txn_response__descriptor,
                            txn_async_done, ctx, err);
  txn_request_free(&t);
  if (rc < 0)
    free(ctx);
  return rc;
}

int tug_etcd_create(tug_etcd *c, const char *key, const char *value, size_t value_len,
                    int64_t lease, int64_t *revision, tug_error *err) {
  tug_etcd_compare cmp = {key, TUG_ETCD_CREATE_REVISION, TUG_ETCD_EQUAL, 0};
  tug_etcd_op put = {TUG_ETCD_OP_PUT, key, value, value_len, lease};
  tug_etcd_txn_result res;
  if (tug_etcd_txn(c, &cmp, 1, &put, 1, NULL, 0, &res, err) < 0)
    return tug_error_wrap(err, "create %s", key);
  bool ok = res.succeeded;
  if (revision)
    *revision = res.revision;
  tug_etcd_txn_result_free(&res);
  if (!ok)
    return tug_error_set(err, TUG_E_CONFLICT, "create %s: already exists", key);
  return 0;
}

int tug_etcd_update(tug_etcd *c, const char *key, const char *value, size_t value_len,
                    int64_t expected_revision, int64_t *revision, tug_error *err) {
  tug_etcd_compare cmp = {key, TUG_ETCD_MOD_REVISION, TUG_ETCD_EQUAL, expected_revision};
  tug_etcd_op put = {TUG_ETCD_OP_PUT, key, value, value_len, 0};
  tug_etcd_op get = {TUG_ETCD_OP_GET, key, NULL, 0, 0};
  tug_etcd_txn_result res;
  if (tug_etcd_txn(c, &cmp, 1, &put, 1, &get, 1, &res, err) < 0)
    return tug_error_wrap(err, "update %s", key);
  bool ok = res.succeeded;
  bool gone = !ok && res.n == 1 && res.results[0].n == 0;
  int64_t current = !ok && !gone ? res.results[0].kvs[0].mod_revision : 0;
  if (revision)
    *revision = res.revision;
  tug_etcd_txn_result_free(&res);
  if (gone)
    return tug_error_set(err, ENOENT, "update %s: not found", key);
  if (!ok)
    return tug_error_set(err, TUG_E_CONFLICT,
                         "update %s: revision %lld is stale, the key is at %lld", key,
                         (long long)expected_revision, (long long)current);
  return 0;
}
