/*
 * Tests of the etcd client against a real etcd (Debian's etcd-server), started
 * once for the group by the harness. Each test uses its own key prefix.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "etcd.h"
#include "etcd_harness.h"
#include "test_support.h"

static tug_test_etcd etcd;
static tug_etcd *cli;

static int group_setup(void **state) {
  (void)state;
  if (tug_test_etcd_start(&etcd) < 0)
    return -1;
  tug_error err = {0};
  if (tug_etcd_open(&cli, etcd.endpoint, NULL, &err) < 0) {
    fprintf(stderr, "%s\n", err.msg);
    return -1;
  }
  return 0;
}

static int group_teardown(void **state) {
  (void)state;
  tug_etcd_close(cli);
  tug_test_etcd_destroy(&etcd);
  return 0;
}

static int64_t put(const char *key, const char *value) {
  int64_t rev = 0;
  OK(tug_etcd_put(cli, key, value, strlen(value), 0, &rev, err));
  return rev;
}

static void assert_value(const char *key, const char *want) {
  tug_etcd_range r;
  OK(tug_etcd_get(cli, key, &r, err));
  if (want == NULL) {
    assert_int_equal(r.n, 0);
  } else {
    assert_int_equal(r.n, 1);
    assert_int_equal(r.kvs[0].value_len, strlen(want));
    assert_memory_equal(r.kvs[0].value, want, strlen(want));
  }
  tug_etcd_range_free(&r);
}

static void endpoints_become_grpc_targets(void **state) {
  (void)state;
  char buf[256];
  tug_error err = {0};
  assert_int_equal(tug_etcd_target("http://127.0.0.1:2379", buf, sizeof buf, &err), 0);
  assert_string_equal(buf, "ipv4:127.0.0.1:2379");
  assert_int_equal(tug_etcd_target("http://127.0.0.1:1,127.0.0.2:2/", buf, sizeof buf, &err), 0);
  assert_string_equal(buf, "ipv4:127.0.0.1:1,127.0.0.2:2");
  assert_int_equal(tug_etcd_target("localhost:2379", buf, sizeof buf, &err), 0);
  assert_string_equal(buf, "dns:///localhost:2379");
  assert_int_equal(tug_etcd_target("http://localhost", buf, sizeof buf, &err), -1);
  assert_non_null(strstr(err.msg, "host:port"));
  assert_int_equal(tug_etcd_target("a:1,b:2", buf, sizeof buf, &err), -1);
  assert_int_equal(tug_etcd_target("https://127.0.0.1:1", buf, sizeof buf, &err), 0);
  assert_string_equal(buf, "ipv4:127.0.0.1:1");
  assert_int_equal(tug_etcd_target("https://127.0.0.1:1,http://127.0.0.1:2", buf, sizeof buf, &err),
                   -1);
  assert_int_equal(tug_etcd_target("", buf, sizeof buf, &err), -1);
}

static void put_then_get_returns_value_and_revisions(void **state) {
  (void)state;
  int64_t r1 = put("/t/get/a", "one");
  tug_etcd_range r;
  OK(tug_etcd_get(cli, "/t/get/a", &r, err));
  assert_int_equal(r.n, 1);
  assert_int_equal(r.kvs[0].mod_revision, r1);
  assert_int_equal(r.kvs[0].create_revision, r1);
  assert_int_equal(r.kvs[0].version, 1);
  assert_true(r.revision >= r1);
  tug_etcd_range_free(&r);
  assert_value("/t/get/missing", NULL);
}

static void create_of_existing_key_conflicts_and_keeps_value(void **state) {
  (void)state;
  OK(tug_etcd_create(cli, "/t/create/a", "first", 5, 0, NULL, err));
  tug_error err = {0};
  assert_int_equal(tug_etcd_create(cli, "/t/create/a", "second", 6, 0, NULL, &err), -1);
  assert_int_equal(err.code, TUG_E_CONFLICT);
  assert_non_null(strstr(err.msg, "already exists"));
  assert_value("/t/create/a", "first");
}

static void update_with_stale_revision_is_rejected(void **state) {
  (void)state;
  int64_t r1 = put("/t/update/a", "v1");
  int64_t r2 = 0;
  OK(tug_etcd_update(cli, "/t/update/a", "v2", 2, r1, &r2, err));
  assert_true(r2 > r1);
  tug_error err = {0};
  assert_int_equal(tug_etcd_update(cli, "/t/update/a", "v3", 2, r1, NULL, &err), -1);
  assert_int_equal(err.code, TUG_E_CONFLICT);
  assert_value("/t/update/a", "v2");
  assert_int_equal(tug_etcd_update(cli, "/t/update/none", "x", 1, 5, NULL, &err), -1);
  assert_int_equal(err.code, ENOENT);
  assert_value("/t/update/none", NULL);
}

static void list_pages_through_a_prefix_at_one_revision(void **state) {
  (void)state;
  char key[64];
  for (int i = 0; i < 25; i++) {
    snprintf(key, sizeof key, "/t/list/k%02d", i);
    put(key, "v");
  }
  put("/t/listx", "outside the prefix");
  tug_etcd_range page;
  OK(tug_etcd_list(cli, "/t/list/", NULL, 10, 0, &page, err));
  assert_int_equal(page.n, 10);
  assert_true(page.more);
  assert_int_equal(page.count, 25);
  int64_t rev = page.revision;
  put("/t/list/k99", "written after the first page");
  int seen = 10, pages = 1;
  char *next = tug_etcd_next_key(&page.kvs[page.n - 1]);
  tug_etcd_range_free(&page);
  for (;;) {
    OK(tug_etcd_list(cli, "/t/list/", next, 10, rev, &page, err));
    free(next);
    pages++;
    seen += page.n;
    assert_int_equal(page.revision >= rev, 1);
    bool more = page.more;
    next = more ? tug_etcd_next_key(&page.kvs[page.n - 1]) : NULL;
    if (!more) {
      assert_int_equal(page.n, 5);
      assert_memory_equal(page.kvs[4].key, "/t/list/k24", 11);
    }
    tug_etcd_range_free(&page);
    if (!more)
      break;
  }
  assert_int_equal(pages, 3);
  assert_int_equal(seen, 25);
  int64_t count;
  OK(tug_etcd_count(cli, "/t/list/", &count, err));
  assert_int_equal(count, 26);
}

static void delete_and_delete_prefix_remove_keys(void **state) {
  (void)state;
  put("/t/del/a", "1");
  put("/t/del/b", "2");
  put("/t/del/c/d", "3");
  int64_t deleted = 0;
  OK(tug_etcd_delete(cli, "/t/del/a", &deleted, NULL, err));
  assert_int_equal(deleted, 1);
  OK(tug_etcd_delete(cli, "/t/del/a", &deleted, NULL, err));
  assert_int_equal(deleted, 0);
  OK(tug_etcd_delete_prefix(cli, "/t/del/", &deleted, err));
  assert_int_equal(deleted, 2);
  assert_value("/t/del/c/d", NULL);
}

static void txn_runs_success_or_failure_branch(void **state) {
  (void)state;
  int64_t rev = put("/t/txn/a", "a1");
  tug_etcd_compare cmp[] = {{"/t/txn/a", TUG_ETCD_MOD_REVISION, TUG_ETCD_EQUAL, rev},
                            {"/t/txn/b", TUG_ETCD_VERSION, TUG_ETCD_EQUAL, 0}};
  tug_etcd_op ok_ops[] = {{TUG_ETCD_OP_PUT, "/t/txn/b", "b1", 2, 0},
                          {TUG_ETCD_OP_DELETE, "/t/txn/a", NULL, 0, 0}};
  tug_etcd_op fail_ops[] = {{TUG_ETCD_OP_GET, "/t/txn/a", NULL, 0, 0}};
  tug_etcd_txn_result res;
  OK(tug_etcd_txn(cli, cmp, 2, ok_ops, 2, fail_ops, 1, &res, err));
  assert_true(res.succeeded);
  assert_int_equal(res.n, 2);
  assert_int_equal(res.results[1].type, TUG_ETCD_OP_DELETE);
  assert_int_equal(res.results[1].deleted, 1);
  tug_etcd_txn_result_free(&res);
  assert_value("/t/txn/b", "b1");
  assert_value("/t/txn/a", NULL);

  put("/t/txn/a", "a2");
  OK(tug_etcd_txn(cli, cmp, 2, ok_ops, 2, fail_ops, 1, &res, err));
  assert_false(res.succeeded);
  assert_int_equal(res.n, 1);
  assert_int_equal(res.results[0].type, TUG_ETCD_OP_GET);
  assert_int_equal(res.results[0].n, 1);
  assert_memory_equal(res.results[0].kvs[0].value, "a2", 2);
  tug_etcd_txn_result_free(&res);
}

/* Read batches until n events have come, or fail after a few seconds. */
static size_t collect_events(tug_etcd_watch *w, tug_etcd_event *out, char (*keys)[64],
                             size_t want) {
  size_t got = 0;
  for (int tries = 0; got < want && tries < 100; tries++) {
    tug_etcd_watch_batch b;
    tug_error err = {0};
    int rc = tug_etcd_watch_next(w, &b, 100, &err);
    assert_int_not_equal(rc, -1);
    if (rc == 0 || b.kind != TUG_ETCD_WATCH_EVENTS) {
      if (rc == 1)
        tug_etcd_watch_batch_free(&b);
      continue;
    }
    for (size_t i = 0; i < b.n && got < want; i++, got++) {
      out[got] = b.events[i];
      snprintf(keys[got], 64, "%.*s", (int)b.events[i].kv.key_len, b.events[i].kv.key);
      out[got].kv.key = out[got].kv.value = NULL;
      out[got].prev_kv.key = out[got].prev_kv.value = NULL;
    }
    tug_etcd_watch_batch_free(&b);
  }
  return got;
}

static void watch_delivers_puts_and_deletes_in_order(void **state) {
  (void)state;
  tug_etcd_watch *w;
  OK(tug_etcd_watch_open(cli, "/t/watch/", true, 0, TUG_ETCD_WATCH_PREV_KV, &w, err));
  usleep(100 * 1000);
  int64_t r1 = put("/t/watch/a", "1");
  int64_t r2 = put("/t/watch/b", "2");
  int64_t r3 = put("/t/watch/a", "3");
  int64_t r4;
  OK(tug_etcd_delete(cli, "/t/watch/b", NULL, &r4, err));
  put("/t/watchx", "outside the prefix");
  tug_etcd_event ev[4];
  char keys[4][64];
  assert_int_equal(collect_events(w, ev, keys, 4), 4);
  assert_string_equal(keys[0], "/t/watch/a");
  assert_int_equal(ev[0].kv.mod_revision, r1);
  assert_string_equal(keys[1], "/t/watch/b");
  assert_int_equal(ev[1].kv.mod_revision, r2);
  assert_int_equal(ev[2].kv.mod_revision, r3);
  assert_true(ev[2].has_prev_kv);
  assert_int_equal(ev[2].prev_kv.mod_revision, r1);
  assert_int_equal(ev[3].type, TUG_ETCD_EVENT_DELETE);
  assert_int_equal(ev[3].kv.mod_revision, r4);
  assert_string_equal(keys[3], "/t/watch/b");
  tug_etcd_watch_batch b;
  tug_error err = {0};
  assert_int_equal(tug_etcd_watch_next(w, &b, 200, &err), 0);
  tug_etcd_watch_close(w);
}

static void watch_from_revision_after_reconnect_misses_nothing(void **state) {
  (void)state;
  int64_t r1 = put("/t/resume/a", "1");
  tug_etcd *c2;
  OK(tug_etcd_open(&c2, etcd.endpoint, NULL, err));
  tug_etcd_watch *w;
  OK(tug_etcd_watch_open(c2, "/t/resume/", true, r1, 0, &w, err));
  tug_etcd_event ev[3];
  char keys[3][64];
  assert_int_equal(collect_events(w, ev, keys, 1), 1);
  int64_t last = ev[0].kv.mod_revision;
  assert_int_equal(last, r1);
  tug_etcd_watch_close(w);
  tug_etcd_close(c2);

  /* While no client watches: two writes, which the new watch must replay. */
  int64_t r2 = put("/t/resume/b", "2");
  int64_t r3 = put("/t/resume/c", "3");
  OK(tug_etcd_open(&c2, etcd.endpoint, NULL, err));
  OK(tug_etcd_watch_open(c2, "/t/resume/", true, last + 1, 0, &w, err));
  assert_int_equal(collect_events(w, ev, keys, 2), 2);
  assert_int_equal(ev[0].kv.mod_revision, r2);
  assert_string_equal(keys[0], "/t/resume/b");
  assert_int_equal(ev[1].kv.mod_revision, r3);
  tug_etcd_watch_close(w);
  tug_etcd_close(c2);
}

static void progress_request_reports_current_revision(void **state) {
  (void)state;
  tug_etcd_watch *w;
  OK(tug_etcd_watch_open(cli, "/t/progress/", true, 0, 0, &w, err));
  int64_t rev = put("/t/other-key", "x");
  usleep(100 * 1000);
  OK(tug_etcd_watch_request_progress(w, err));
  tug_etcd_watch_batch b;
  tug_error err = {0};
  assert_int_equal(tug_etcd_watch_next(w, &b, 3000, &err), 1);
  assert_int_equal(b.kind, TUG_ETCD_WATCH_PROGRESS);
  assert_true(b.revision >= rev);
  tug_etcd_watch_batch_free(&b);
  tug_etcd_watch_close(w);
}

static void compacted_revision_is_reported_to_reads_and_watches(void **state) {
  (void)state;
  int64_t old = put("/t/compact/a", "1");
  put("/t/compact/a", "2");
  int64_t now = put("/t/compact/a", "3");
  OK(tug_etcd_compact(cli, now, err));
  tug_etcd_range r;
  tug_error err = {0};
  assert_int_equal(tug_etcd_list(cli, "/t/compact/", NULL, 0, old, &r, &err), -1);
  assert_int_equal(err.code, TUG_E_COMPACTED);

  tug_etcd_watch *w;
  OK(tug_etcd_watch_open(cli, "/t/compact/", true, old, 0, &w, err));
  tug_etcd_watch_batch b;
  assert_int_equal(tug_etcd_watch_next(w, &b, 3000, &err), 1);
  assert_int_equal(b.kind, TUG_ETCD_WATCH_COMPACTED);
  assert_int_equal(b.compact_revision, now);
  tug_etcd_watch_batch_free(&b);
  assert_int_equal(tug_etcd_watch_next(w, &b, 1000, &err), -1);
  tug_etcd_watch_close(w);
}

static void lease_expiry_removes_its_keys(void **state) {
  (void)state;
  int64_t id, ttl;
  OK(tug_etcd_lease_grant(cli, 2, &id, err));
  OK(tug_etcd_put(cli, "/t/lease/a", "x", 1, id, NULL, err));
  OK(tug_etcd_lease_keepalive(cli, id, &ttl, err));
  assert_int_equal(ttl, 2);
  assert_value("/t/lease/a", "x");
  bool gone = false;
  for (int i = 0; i < 80 && !gone; i++) {
    usleep(100 * 1000);
    tug_etcd_range r;
    OK(tug_etcd_get(cli, "/t/lease/a", &r, err));
    gone = r.n == 0;
    tug_etcd_range_free(&r);
  }
  assert_true(gone);
  tug_error err = {0};
  assert_int_equal(tug_etcd_lease_keepalive(cli, id, &ttl, &err), -1);
  assert_int_equal(err.code, ENOENT);
}

static void lease_revoke_removes_keys_at_once(void **state) {
  (void)state;
  int64_t id;
  OK(tug_etcd_lease_grant(cli, 60, &id, err));
  OK(tug_etcd_put(cli, "/t/revoke/a", "x", 1, id, NULL, err));
  OK(tug_etcd_lease_revoke(cli, id, err));
  assert_value("/t/revoke/a", NULL);
}

typedef struct async_count {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int done, failed;
} async_count;

static void count_put(void *arg, int rc, int64_t rev, const tug_error *err) {
  (void)rev, (void)err;
  async_count *a = arg;
  pthread_mutex_lock(&a->mu);
  a->done++;
  a->failed += rc < 0;
  pthread_cond_signal(&a->cv);
  pthread_mutex_unlock(&a->mu);
}

static void *put_from_thread(void *arg) {
  long t = (long)arg;
  for (int i = 0; i < 100; i++) {
    char key[64];
    snprintf(key, sizeof key, "/t/threads/%ld/%03d", t, i);
    tug_error err = {0};
    if (tug_etcd_put(cli, key, "v", 1, 0, NULL, &err) < 0)
      return (void *)1;
  }
  return NULL;
}

static void many_threads_and_async_calls_share_one_client(void **state) {
  (void)state;
  pthread_t th[8];
  for (long t = 0; t < 8; t++)
    pthread_create(&th[t], NULL, put_from_thread, (void *)t);
  async_count a = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};
  for (int i = 0; i < 500; i++) {
    char key[64];
    snprintf(key, sizeof key, "/t/async/%03d", i);
    OK(tug_etcd_put_async(cli, key, "v", 1, 0, count_put, &a, err));
  }
  for (int t = 0; t < 8; t++) {
    void *ret;
    pthread_join(th[t], &ret);
    assert_null(ret);
  }
  pthread_mutex_lock(&a.mu);
  while (a.done < 500)
    pthread_cond_wait(&a.cv, &a.mu);
  pthread_mutex_unlock(&a.mu);
  assert_int_equal(a.failed, 0);
  int64_t n;
  OK(tug_etcd_count(cli, "/t/threads/", &n, err));
  assert_int_equal(n, 800);
  OK(tug_etcd_count(cli, "/t/async/", &n, err));
  assert_int_equal(n, 500);
}

static void watch_and_calls_survive_etcd_restart(void **state) {
  (void)state;
  tug_etcd_watch *w;
  OK(tug_etcd_watch_open(cli, "/t/restart/", true, 0, 0, &w, err));
  usleep(100 * 1000);
  int64_t r1 = put("/t/restart/a", "before");
  tug_etcd_event ev[3];
  char keys[3][64];
  assert_int_equal(collect_events(w, ev, keys, 1), 1);
  assert_int_equal(ev[0].kv.mod_revision, r1);

  assert_int_equal(tug_test_etcd_stop(&etcd), 0);
  tug_error err = {0};
  tug_etcd_options quick = {.call_timeout_ms = 300};
  tug_etcd *c2;
  OK(tug_etcd_open(&c2, etcd.endpoint, &quick, err));
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  assert_int_equal(tug_etcd_put(c2, "/t/restart/down", "x", 1, 0, NULL, &err), -1);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  assert_int_equal(err.code, ETIMEDOUT);
  assert_true(t1.tv_sec - t0.tv_sec < 3); /* the deadline held */
  tug_etcd_close(c2);

  assert_int_equal(tug_test_etcd_restart(&etcd), 0);
  /* The old client reconnects by itself: a plain call and the watch go on. */
  int64_t r2 = put("/t/restart/b", "after");
  assert_int_equal(collect_events(w, ev, keys, 1), 1);
  assert_int_equal(ev[0].kv.mod_revision, r2);
  assert_string_equal(keys[0], "/t/restart/b");
  assert_true(tug_etcd_watch_reopens(w) >= 1);
  tug_etcd_watch_close(w);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(endpoints_become_grpc_targets),
      cmocka_unit_test(put_then_get_returns_value_and_revisions),
      cmocka_unit_test(create_of_existing_key_conflicts_and_keeps_value),
      cmocka_unit_test(update_with_stale_revision_is_rejected),
      cmocka_unit_test(list_pages_through_a_prefix_at_one_revision),
      cmocka_unit_test(delete_and_delete_prefix_remove_keys),
      cmocka_unit_test(txn_runs_success_or_failure_branch),
      cmocka_unit_test(watch_delivers_puts_and_deletes_in_order),
      cmocka_unit_test(watch_from_revision_after_reconnect_misses_nothing),
      cmocka_unit_test(progress_request_reports_current_revision),
      cmocka_unit_test(compacted_revision_is_reported_to_reads_and_watches),
      cmocka_unit_test(lease_expiry_removes_its_keys),
      cmocka_unit_test(lease_revoke_removes_keys_at_once),
      cmocka_unit_test(many_threads_and_async_calls_share_one_client),
      cmocka_unit_test(watch_and_calls_survive_etcd_restart),
  };
  return cmocka_run_group_tests_name("etcd", tests, group_setup, group_teardown);
}
