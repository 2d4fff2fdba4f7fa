/*
 * Tests of the rate-limited work queue: de-duplication, one worker per key,
 * back-off growth and reset, delayed adds, shutdown. Times are checked as
 * lower bounds (and loose upper ones), so a slow machine cannot fail them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "workqueue.h"

static tug_workqueue *new_queue(long base_ms, long max_ms) {
  tug_workqueue_options o = {.base_delay_ms = base_ms, .max_delay_ms = max_ms};
  tug_workqueue *q = tug_workqueue_new(&o);
  assert_non_null(q);
  return q;
}

static void expect_get(tug_workqueue *q, const char *want) {
  char *k = tug_workqueue_get(q);
  assert_non_null(k);
  assert_string_equal(k, want);
  tug_workqueue_done(q, k);
  free(k);
}

/* A getter thread that records what it got and when. */
typedef struct getter {
  tug_workqueue *q;
  pthread_t t;
  char *key;
  atomic_bool returned;
} getter;

static void *getter_main(void *arg) {
  getter *g = arg;
  g->key = tug_workqueue_get(g->q);
  atomic_store(&g->returned, true);
  return NULL;
}

static void getter_start(getter *g, tug_workqueue *q) {
  memset(g, 0, sizeof *g);
  g->q = q;
  assert_int_equal(pthread_create(&g->t, NULL, getter_main, g), 0);
}

static void getter_join(getter *g) {
  pthread_join(g->t, NULL);
}

static void a_key_added_twice_is_queued_once(void **state) {
  (void)state;
  tug_workqueue *q = new_queue(0, 0);
  tug_workqueue_add(q, "ns/a");
  tug_workqueue_add(q, "ns/b");
  tug_workqueue_add(q, "ns/a");
  assert_int_equal(tug_workqueue_len(q), 2);
  expect_get(q, "ns/a");
  expect_get(q, "ns/b");
  assert_int_equal(tug_workqueue_len(q), 0);
  tug_workqueue_free(q);
}

static void a_key_being_processed_is_not_handed_out_again_until_done(void **state) {
  (void)state;
  tug_workqueue *q = new_queue(0, 0);
  tug_workqueue_add(q, "k");
  char *k = tug_workqueue_get(q);
  assert_string_equal(k, "k");
  tug_workqueue_add(q, "k");
  tug_workqueue_add(q, "k");
  assert_int_equal(tug_workqueue_len(q), 0);

  getter g;
  getter_start(&g, q);
  usleep(100 * 1000);
  assert_false(atomic_load(&g.returned));

  tug_workqueue_done(q, k);
  free(k);
  getter_join(&g);
  assert_string_equal(g.key, "k");
  tug_workqueue_done(q, g.key);
  free(g.key);
  assert_int_equal(tug_workqueue_len(q), 0);
  tug_workqueue_free(q);
}

static void a_key_not_re_added_while_processing_is_not_queued_after_done(void **state) {
  (void)state;
  tug_workqueue *q = new_queue(0, 0);
  tug_workqueue_add(q, "k");
  expect_get(q, "k");
  assert_int_equal(tug_workqueue_len(q), 0);
  tug_workqueue_free(q);
}

static double timed_get(tug_workqueue *q, const char *want) {
  double t0 = tug_monotonic_seconds();
  expect_get(q, want);
  return (tug_monotonic_seconds() - t0) * 1000;
}

static void rate_limited_retries_back_off_exponentially_until_forget(void **state) {
  (void)state;
  tug_workqueue *q = new_queue(20, 400);
  long want[] = {20, 40, 80, 160, 320, 400};
  for (int i = 0; i < 6; i++) {
    tug_workqueue_add_rate_limited(q, "k");
    assert_int_equal(tug_workqueue_len(q), 0);
    double ms = timed_get(q, "k");
    assert_true(ms >= want[i] - 1);
    assert_true(ms < want[i] + 1000);
  }
  assert_int_equal(tug_workqueue_num_requeues(q, "k"), 6);

  tug_workqueue_forget(q, "k");
  assert_int_equal(tug_workqueue_num_requeues(q, "k"), 0);
  tug_workqueue_add_rate_limited(q, "k");
  double ms = timed_get(q, "k");
  assert_true(ms >= 19 && ms < 380); /* the base again, not the 400 ms cap */
  tug_workqueue_free(q);
}

static void back_off_is_counted_per_key(void **state) {
  (void)state;
  tug_workqueue *q = new_queue(10, 10000);
  for (int i = 0; i < 3; i++)
    tug_workqueue_add_rate_limited(q, "slow");
  tug_workqueue_add_rate_limited(q, "fast");
  assert_int_equal(tug_workqueue_num_requeues(q, "slow"), 3);
  assert_int_equal(tug_workqueue_num_requeues(q, "fast"), 1);
  /* The first add of "slow" (10 ms) stays its due time: earlier wins. */
  char *a = tug_workqueue_get(q);
  char *b = tug_workqueue_get(q);
  assert_true((strcmp(a, "slow") == 0 && strcmp(b, "fast") == 0) ||
              (strcmp(a, "fast") == 0 && strcmp(b, "slow") == 0));
  tug_workqueue_done(q, a);
  tug_workqueue_done(q, b);
  free(a);
  free(b);
  tug_workqueue_free(q);
}

static void delayed_adds_come_out_in_due_order_after_their_delay(void **state) {
  (void)state;
  tug_workqueue *q = new_queue(0, 0);
  double t0 = tug_monotonic_seconds();
  tug_workqueue_add_after(q, "late", 150);
  tug_workqueue_add_after(q, "early", 50);
  tug_workqueue_add_after(q, "late", 3000); /* the earlier time stays */
  assert_int_equal(tug_workqueue_len(q), 0);
  expect_get(q, "early");
  assert_true((tug_monotonic_seconds() - t0) * 1000 >= 49);
  expect_get(q, "late");
  double ms = (tug_monotonic_seconds() - t0) * 1000;
  assert_true(ms >= 149 && ms < 2900);
  tug_workqueue_free(q);
}

static void a_delayed_key_already_queued_is_not_handed_out_twice(void **state) {
  (void)state;
  tug_workqueue *q = new_queue(0, 0);
  tug_workqueue_add(q, "k");
  tug_workqueue_add_after(q, "k", 30);
  char *k = tug_workqueue_get(q);
  usleep(60 * 1000);
  tug_workqueue_add(q, "other"); /* wakes nothing; get below promotes "k" */
  expect_get(q, "other");
  assert_int_equal(tug_workqueue_len(q), 0); /* "k" is dirty but processing */
  tug_workqueue_done(q, k);
  free(k);
  expect_get(q, "k");
  tug_workqueue_free(q);
}

static void an_earlier_delayed_add_wakes_a_waiting_get(void **state) {
  (void)state;
  tug_workqueue *q = new_queue(0, 0);
  tug_workqueue_add_after(q, "far", 10000);
  getter g;
  getter_start(&g, q);
  usleep(50 * 1000);
  double t0 = tug_monotonic_seconds();
  tug_workqueue_add_after(q, "near", 30);
  getter_join(&g);
  assert_string_equal(g.key, "near");
  assert_true((tug_monotonic_seconds() - t0) * 1000 < 2000);
  tug_workqueue_done(q, g.key);
  free(g.key);
  tug_workqueue_free(q);
}

static void shutdown_wakes_every_waiting_get(void **state) {
  (void)state;
  tug_workqueue *q = new_queue(0, 0);
  getter g[3];
  for (int i = 0; i < 3; i++)
    getter_start(&g[i], q);
  usleep(50 * 1000);
  tug_workqueue_shutdown(q);
  for (int i = 0; i < 3; i++) {
    getter_join(&g[i]);
    assert_null(g[i].key);
  }
  tug_workqueue_add(q, "ignored");
  assert_int_equal(tug_workqueue_len(q), 0);
  assert_null(tug_workqueue_get(q));
  tug_workqueue_free(q);
}

static void shutdown_drains_ready_keys_and_drops_delayed_ones(void **state) {
  (void)state;
  tug_workqueue *q = new_queue(0, 0);
  tug_workqueue_add(q, "ready");
  tug_workqueue_add_after(q, "delayed", 20);
  tug_workqueue_shutdown(q);
  usleep(40 * 1000);
  expect_get(q, "ready");
  assert_null(tug_workqueue_get(q));
  tug_workqueue_free(q);
}

/* Several workers, many adds: every key is processed and never by two at once. */
typedef struct stress {
  tug_workqueue *q;
  atomic_int busy[8];
  atomic_int overlap, processed;
} stress;

static void *stress_worker(void *arg) {
  stress *s = arg;
  char *k;
  while ((k = tug_workqueue_get(s->q)) != NULL) {
    int i = k[0] - 'a';
    if (atomic_fetch_add(&s->busy[i], 1) != 0)
      atomic_fetch_add(&s->overlap, 1);
    usleep(200);
    atomic_fetch_sub(&s->busy[i], 1);
    atomic_fetch_add(&s->processed, 1);
    tug_workqueue_done(s->q, k);
    free(k);
  }
  return NULL;
}

static void concurrent_workers_never_share_a_key(void **state) {
  (void)state;
  stress s = {.q = new_queue(0, 0)};
  pthread_t t[4];
  for (int i = 0; i < 4; i++)
    pthread_create(&t[i], NULL, stress_worker, &s);
  char key[2] = "a";
  for (int i = 0; i < 2000; i++) {
    key[0] = (char)('a' + i % 8);
    tug_workqueue_add(s.q, key);
    if (i % 50 == 0)
      usleep(500);
  }
  while (tug_workqueue_len(s.q) > 0)
    usleep(1000);
  usleep(20 * 1000);
  tug_workqueue_shutdown(s.q);
  for (int i = 0; i < 4; i++)
    pthread_join(t[i], NULL);
  assert_int_equal(atomic_load(&s.overlap), 0);
  assert_true(atomic_load(&s.processed) >= 8);
  tug_workqueue_free(s.q);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_key_added_twice_is_queued_once),
      cmocka_unit_test(a_key_being_processed_is_not_handed_out_again_until_done),
      cmocka_unit_test(a_key_not_re_added_while_processing_is_not_queued_after_done),
      cmocka_unit_test(rate_limited_retries_back_off_exponentially_until_forget),
      cmocka_unit_test(back_off_is_counted_per_key),
      cmocka_unit_test(delayed_adds_come_out_in_due_order_after_their_delay),
      cmocka_unit_test(a_delayed_key_already_queued_is_not_handed_out_twice),
      cmocka_unit_test(an_earlier_delayed_add_wakes_a_waiting_get),
      cmocka_unit_test(shutdown_wakes_every_waiting_get),
      cmocka_unit_test(shutdown_drains_ready_keys_and_drops_delayed_ones),
      cmocka_unit_test(concurrent_workers_never_share_a_key),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
