/*
 * commit.c — group commit of writes to different keys (see commit.h).
 *
 * Writers queue a commit_write on their own stack and wait for its answer:
 * a request on a fiber parks it (fiber.h), so its thread serves others
 * meanwhile; any other caller waits on the write's condition variable.
 * Batches are sent and answered on the etcd client's poller thread
 * (tug_etcd_txn_async), which also sends the next batch when one completes.
 */
#include "commit.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fiber.h"

/* etcd's defaults: --max-txn-ops 128 and --max-request-bytes 1.5 MiB. */
enum { BATCH_OPS = 128, BATCH_BYTES = 1024 * 1024, SCAN_LIMIT = 512 };

typedef struct commit_write {
  const tug_etcd_compare *cmp;
  size_t ncmp;
  const tug_etcd_op *ops;
  size_t nops;
  const tug_etcd_op *failure;
  size_t nfailure;
  size_t bytes;
  int rc;
  tug_etcd_txn_result res;
  tug_error err;
  bool done;
  tug_fiber *fiber; /* parked on, or NULL: waits on cond */
  pthread_cond_t cond;
  struct commit_write *next;
  struct api_committer *c;
} commit_write;

struct api_committer {
  tug_etcd *etcd;
  int batches;
  pthread_mutex_t mu;
  commit_write *head, *tail; /* waiting to be sent */
  int inflight;
  long txns, writes;
};

typedef struct commit_batch {
  api_committer *c;
  commit_write *w[BATCH_OPS];
  size_t n;
} commit_batch;

api_committer *api_committer_new(tug_etcd *etcd, int batches) {
  api_committer *c = calloc(1, sizeof *c);
  if (c == NULL)
    return NULL;
  c->etcd = etcd;
  c->batches = batches;
  pthread_mutex_init(&c->mu, NULL);
  return c;
}

void api_committer_free(api_committer *c) {
  if (c == NULL)
    return;
  pthread_mutex_destroy(&c->mu);
  free(c);
}

void api_committer_counts(api_committer *c, long *txns, long *writes) {
  pthread_mutex_lock(&c->mu);
  *txns = c->txns;
  *writes = c->writes;
  pthread_mutex_unlock(&c->mu);
}

static void answer(commit_write *w, int rc, tug_etcd_txn_result *res, const tug_error *err) {
  pthread_mutex_lock(&w->c->mu);
  w->rc = rc;
  if (res)
    w->res = *res;
  if (rc < 0 && err)
    w->err = *err;
  else if (rc < 0)
    tug_error_set(&w->err, EIO, "etcd transaction failed");
  w->done = true;
  /* Under the lock: the waiter cannot see done, return and free its fiber
   * before the wake is delivered. */
  if (w->fiber)
    tug_fiber_wake(w->fiber);
  else
    pthread_cond_signal(&w->cond);
  pthread_mutex_unlock(&w->c->mu);
}

static void alone_done(void *arg, int rc, tug_etcd_txn_result *res, const tug_error *err) {
  answer(arg, rc, res, err);
}

/* One write as its own transaction, answered from its completion. */
static void send_alone(commit_write *w) {
  tug_error err = {0};
  if (tug_etcd_txn_async(w->c->etcd, w->cmp, w->ncmp, w->ops, w->nops, w->failure, w->nfailure,
                         alone_done, w, &err) < 0)
    answer(w, -1, NULL, &err);
}

static bool shares_key(const char *key, const char **keys, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(key, keys[i]) == 0)
      return true;
  return false;
}

/* Whether w touches none of the batch's keys; if so its keys join them. */
static bool keys_disjoint(const commit_write *w, const char **keys, size_t *nkeys) {
  for (size_t i = 0; i < w->ncmp; i++)
    if (shares_key(w->cmp[i].key, keys, *nkeys))
      return false;
  for (size_t i = 0; i < w->nops; i++)
    if (shares_key(w->ops[i].key, keys, *nkeys))
      return false;
  for (size_t i = 0; i < w->ncmp; i++)
    keys[(*nkeys)++] = w->cmp[i].key;
  for (size_t i = 0; i < w->nops; i++)
    if (!shares_key(w->ops[i].key, keys, *nkeys))
      keys[(*nkeys)++] = w->ops[i].key;
  return true;
}

static void unlink_write(api_committer *c, commit_write *prev, commit_write *w) {
  if (prev)
    prev->next = w->next;
  else
    c->head = w->next;
  if (c->tail == w)
    c->tail = prev;
  w->next = NULL;
}

/* The next batch from the queue, in arrival order, skipping writes that
 * share a key with an earlier one or would pass etcd's limits. */
static void take_batch(api_committer *c, commit_batch *b) {
  const char *keys[2 * BATCH_OPS];
  size_t nkeys = 0, ncmp = 0, nops = 0, bytes = 0;
  commit_write *prev = NULL, *w = c->head;
  size_t most = c->batches > 0 ? BATCH_OPS : 1;
  for (int scanned = 0; w && scanned < SCAN_LIMIT && b->n < most; scanned++) {
    commit_write *next = w->next;
    bool fits = ncmp + w->ncmp <= BATCH_OPS && nops + w->nops <= BATCH_OPS &&
                bytes + w->bytes <= BATCH_BYTES;
    if ((fits || b->n == 0) && keys_disjoint(w, keys, &nkeys)) {
      unlink_write(c, prev, w);
      b->w[b->n++] = w;
      ncmp += w->ncmp, nops += w->nops, bytes += w->bytes;
    } else {
      prev = w;
    }
    w = next;
  }
}

static void send_next(api_committer *c);

static void batch_finished(commit_batch *b) {
  api_committer *c = b->c;
  free(b);
  pthread_mutex_lock(&c->mu);
  c->inflight--;
  pthread_mutex_unlock(&c->mu);
  send_next(c);
}

static void single_done(void *arg, int rc, tug_etcd_txn_result *res, const tug_error *err) {
  commit_batch *b = arg;
  answer(b->w[0], rc, res, err);
  batch_finished(b);
}

/* Committed: every write succeeded. A compare failed, or etcd refused the
 * request (EINVAL: nothing was applied): each write alone, for its own
 * answer. Any other error (a timeout, etcd unavailable) leaves the outcome
 * unknown, as it would be for a lone write: each gets the error. */
static void batch_done(void *arg, int rc, tug_etcd_txn_result *res, const tug_error *err) {
  commit_batch *b = arg;
  bool ok = rc == 0 && res->succeeded;
  bool again = (rc == 0 && !res->succeeded) || (rc < 0 && err && err->code == EINVAL);
  for (size_t i = 0; i < b->n; i++) {
    if (ok)
      answer(b->w[i], 0, &(tug_etcd_txn_result){.succeeded = true, .revision = res->revision},
             NULL);
    else if (again)
      send_alone(b->w[i]);
    else
      answer(b->w[i], -1, NULL, err);
  }
  if (rc == 0)
    tug_etcd_txn_result_free(res);
  batch_finished(b);
}

/* A lone write as its own transaction; several: every write's compares,
 * then every write's ops, and nothing on failure. */
static int send_batch(commit_batch *b, tug_error *err) {
  commit_write *w = b->w[0];
  if (b->n == 1)
    return tug_etcd_txn_async(b->c->etcd, w->cmp, w->ncmp, w->ops, w->nops, w->failure, w->nfailure,
                              single_done, b, err);
  tug_etcd_compare cmp[BATCH_OPS];
  tug_etcd_op ops[BATCH_OPS];
  size_t ncmp = 0, nops = 0;
  for (size_t i = 0; i < b->n; i++) {
    memcpy(cmp + ncmp, b->w[i]->cmp, b->w[i]->ncmp * sizeof *cmp);
    ncmp += b->w[i]->ncmp;
    memcpy(ops + nops, b->w[i]->ops, b->w[i]->nops * sizeof *ops);
    nops += b->w[i]->nops;
  }
  return tug_etcd_txn_async(b->c->etcd, cmp, ncmp, ops, nops, NULL, 0, batch_done, b, err);
}

/* Send batches while fewer than c->batches are in flight and writes wait. */
static void send_next(api_committer *c) {
  for (;;) {
    commit_batch *b = calloc(1, sizeof *b);
    pthread_mutex_lock(&c->mu);
    if (b == NULL || (c->batches > 0 && c->inflight >= c->batches) || c->head == NULL) {
      pthread_mutex_unlock(&c->mu);
      free(b);
      return;
    }
    b->c = c;
    take_batch(c, b);
    c->inflight++;
    c->txns++;
    c->writes += (long)b->n;
    pthread_mutex_unlock(&c->mu);
    tug_error err = {0};
    if (send_batch(b, &err) < 0) {
      for (size_t i = 0; i < b->n; i++)
        answer(b->w[i], -1, NULL, &err);
      batch_finished(b);
      return;
    }
  }
}

static size_t write_bytes(const tug_etcd_op *ops, size_t nops) {
  size_t n = 0;
  for (size_t i = 0; i < nops; i++)
    n += strlen(ops[i].key) + ops[i].value_len + 16;
  return n;
}

static void wait_answer(api_committer *c, commit_write *w) {
  pthread_mutex_lock(&c->mu);
  while (!w->done) {
    if (w->fiber) {
      pthread_mutex_unlock(&c->mu);
      tug_fiber_park(w->fiber);
      pthread_mutex_lock(&c->mu);
    } else {
      pthread_cond_wait(&w->cond, &c->mu);
    }
  }
  pthread_mutex_unlock(&c->mu);
}

int api_commit(api_committer *c, const tug_etcd_compare *cmp, size_t ncmp, const tug_etcd_op *ops,
               size_t nops, const tug_etcd_op *failure, size_t nfailure, tug_etcd_txn_result *out,
               tug_error *err) {
  if (ncmp > BATCH_OPS || nops > BATCH_OPS) {
    pthread_mutex_lock(&c->mu);
    c->txns++, c->writes++;
    pthread_mutex_unlock(&c->mu);
    return tug_etcd_txn(c->etcd, cmp, ncmp, ops, nops, failure, nfailure, out, err);
  }
  commit_write w = {.cmp = cmp,
                    .ncmp = ncmp,
                    .ops = ops,
                    .nops = nops,
                    .failure = failure,
                    .nfailure = nfailure,
                    .bytes = write_bytes(ops, nops),
                    .fiber = tug_fiber_current(),
                    .c = c};
  pthread_cond_init(&w.cond, NULL);
  pthread_mutex_lock(&c->mu);
  if (c->tail)
    c->tail->next = &w;
  else
    c->head = &w;
  c->tail = &w;
  pthread_mutex_unlock(&c->mu);
  send_next(c);
  wait_answer(c, &w);
  pthread_cond_destroy(&w.cond);
  if (w.rc < 0) {
    *err = w.err;
    return -1;
  }
  *out = w.res;
  return 0;
}
