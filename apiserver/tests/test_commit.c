/* Unit tests for the group commit against a real etcd: writes from many
 * threads at once, some of whose compares fail, each get their own answer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "commit.h"
#include "../../lib/tests/etcd_harness.h"

enum { THREADS = 32, ROUNDS = 10 };

typedef struct fixture {
  tug_test_etcd etcd;
  tug_etcd *client;
  api_committer *c;
} fixture;

static int setup(void **state) {
  static fixture f;
  if (tug_test_etcd_start(&f.etcd) < 0)
    return -1;
  tug_error err = {0};
  if (tug_etcd_open(&f.client, f.etcd.endpoint, NULL, &err) < 0)
    return -1;
  f.c = api_committer_new(f.client, 1);
  *state = &f;
  return f.c ? 0 : -1;
}

static int teardown(void **state) {
  fixture *f = *state;
  api_committer_free(f->c);
  tug_etcd_close(f->client);
  tug_test_etcd_destroy(&f->etcd);
  return 0;
}

typedef struct writer {
  api_committer *c;
  char key[64];
  int rc;
  bool succeeded, found; /* found: its failure GET saw the key */
  int64_t revision;
} writer;

/* Create-if-absent, with a GET of the key when it exists, as an object create. */
static void *create(void *arg) {
  writer *w = arg;
  tug_etcd_compare cmp = {w->key, TUG_ETCD_CREATE_REVISION, TUG_ETCD_EQUAL, 0};
  tug_etcd_op put = {TUG_ETCD_OP_PUT, w->key, "v", 1, 0};
  tug_etcd_op get = {TUG_ETCD_OP_GET, w->key, NULL, 0, 0};
  tug_etcd_txn_result res;
  tug_error err = {0};
  w->rc = api_commit(w->c, &cmp, 1, &put, 1, &get, 1, &res, &err);
  if (w->rc == 0) {
    w->succeeded = res.succeeded;
    w->revision = res.revision;
    w->found = !res.succeeded && res.n == 1 && res.results[0].n == 1;
    tug_etcd_txn_result_free(&res);
  }
  return NULL;
}

static void run_round(fixture *f, int round, writer *ws) {
  pthread_t t[THREADS];
  for (int i = 0; i < THREADS; i++) {
    ws[i] = (writer){.c = f->c};
    /* every fourth key exists already: its compare fails */
    if (i % 4 == 0)
      snprintf(ws[i].key, sizeof ws[i].key, "/t/taken-%d", i);
    else
      snprintf(ws[i].key, sizeof ws[i].key, "/t/r%d-%d", round, i);
    pthread_create(&t[i], NULL, create, &ws[i]);
  }
  for (int i = 0; i < THREADS; i++)
    pthread_join(t[i], NULL);
}

static void each_write_gets_its_own_answer_and_writes_share_transactions(void **state) {
  fixture *f = *state;
  tug_error err = {0};
  for (int i = 0; i < THREADS; i += 4) {
    char key[64];
    snprintf(key, sizeof key, "/t/taken-%d", i);
    assert_int_equal(tug_etcd_put(f->client, key, "old", 3, 0, NULL, &err), 0);
  }
  long txns0, writes0, txns, writes;
  api_committer_counts(f->c, &txns0, &writes0);
  writer ws[THREADS];
  for (int round = 0; round < ROUNDS; round++) {
    run_round(f, round, ws);
    for (int i = 0; i < THREADS; i++) {
      assert_int_equal(ws[i].rc, 0);
      assert_int_equal(ws[i].succeeded, i % 4 != 0);
      assert_int_equal(ws[i].found, i % 4 == 0);
      tug_etcd_range r;
      assert_int_equal(tug_etcd_get(f->client, ws[i].key, &r, &err), 0);
      assert_int_equal(r.n, 1);
      if (ws[i].succeeded)
        assert_int_equal(r.kvs[0].mod_revision, ws[i].revision);
      else
        assert_memory_equal(r.kvs[0].value, "old", 3);
      tug_etcd_range_free(&r);
    }
  }
  api_committer_counts(f->c, &txns, &writes);
  assert_int_equal(writes - writes0, THREADS * ROUNDS);
  /* 32 threads writing at once: some waited behind a transaction in flight
   * and went out together. */
  assert_true(txns - txns0 < writes - writes0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(each_write_gets_its_own_answer_and_writes_share_transactions),
  };
  return cmocka_run_group_tests_name("commit", tests, setup, teardown);
}
