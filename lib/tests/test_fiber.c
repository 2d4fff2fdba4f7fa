/* Unit tests for fibers: running, parking, and wakes that race the park. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "fiber.h"

typedef struct waiter {
  tug_fiber *f;
  atomic_bool ready;
  int parks;
  atomic_int wakes_seen;
} waiter;

static void wait_ready(void *arg) {
  waiter *w = arg;
  while (!atomic_load(&w->ready)) {
    w->parks++;
    tug_fiber_park(w->f);
  }
}

static void count_wake(void *arg) {
  atomic_fetch_add(&((waiter *)arg)->wakes_seen, 1);
}

static void deep(void *arg) {
  char buf[128 * 1024];
  for (size_t i = 0; i < sizeof buf; i++)
    buf[i] = (char)i;
  ((waiter *)arg)->parks = buf[4095];
  assert_ptr_equal(tug_fiber_current(), ((waiter *)arg)->f);
}

static void runs_to_the_end_on_its_own_stack(void **state) {
  (void)state;
  waiter w = {0};
  w.f = tug_fiber_new(deep, &w, count_wake, &w);
  assert_non_null(w.f);
  assert_null(tug_fiber_current());
  assert_int_equal(tug_fiber_run(w.f), TUG_FIBER_DONE);
  assert_int_equal(w.parks, (char)4095);
  assert_null(tug_fiber_current());
  tug_fiber_free(w.f);
}

static void a_wake_after_the_owner_waits_calls_on_wake(void **state) {
  (void)state;
  waiter w = {0};
  w.f = tug_fiber_new(wait_ready, &w, count_wake, &w);
  assert_int_equal(tug_fiber_run(w.f), TUG_FIBER_PARKED);
  assert_true(tug_fiber_parked(w.f));
  atomic_store(&w.ready, true);
  tug_fiber_wake(w.f);
  assert_int_equal(w.wakes_seen, 1);
  assert_int_equal(tug_fiber_run(w.f), TUG_FIBER_DONE);
  assert_int_equal(w.parks, 1);
  tug_fiber_free(w.f);
}

static void a_wake_before_the_owner_waits_is_not_lost(void **state) {
  (void)state;
  waiter w = {0};
  w.f = tug_fiber_new(wait_ready, &w, count_wake, &w);
  assert_int_equal(tug_fiber_run(w.f), TUG_FIBER_PARKED);
  atomic_store(&w.ready, true);
  tug_fiber_wake(w.f);
  assert_false(tug_fiber_parked(w.f)); /* the owner runs it again instead of waiting */
  assert_int_equal(w.wakes_seen, 0);
  assert_int_equal(tug_fiber_run(w.f), TUG_FIBER_DONE);
  tug_fiber_free(w.f);
}

/* Wakes itself before parking, as a completion that comes at once does. */
static void wake_then_park(void *arg) {
  waiter *w = arg;
  atomic_store(&w->ready, true);
  tug_fiber_wake(w->f);
  wait_ready(w);
}

static void a_wake_before_the_park_returns_at_once(void **state) {
  (void)state;
  waiter w = {0};
  w.f = tug_fiber_new(wake_then_park, &w, count_wake, &w);
  assert_int_equal(tug_fiber_run(w.f), TUG_FIBER_DONE);
  assert_int_equal(w.parks, 0);
  assert_int_equal(w.wakes_seen, 0);
  tug_fiber_free(w.f);
}

static void *wake_later(void *arg) {
  waiter *w = arg;
  usleep(20000);
  atomic_store(&w->ready, true);
  tug_fiber_wake(w->f);
  return NULL;
}

static void a_wake_from_another_thread_continues_it(void **state) {
  (void)state;
  waiter w = {0};
  w.f = tug_fiber_new(wait_ready, &w, count_wake, &w);
  pthread_t t;
  assert_int_equal(tug_fiber_run(w.f), TUG_FIBER_PARKED);
  pthread_create(&t, NULL, wake_later, &w);
  if (tug_fiber_parked(w.f))
    while (atomic_load(&w.wakes_seen) == 0)
      usleep(1000);
  assert_int_equal(tug_fiber_run(w.f), TUG_FIBER_DONE);
  pthread_join(t, NULL);
  tug_fiber_free(w.f);
}

static void a_freed_fiber_is_reused_from_the_start(void **state) {
  (void)state;
  for (int i = 0; i < 20; i++) {
    waiter w = {0};
    w.f = tug_fiber_new(wake_then_park, &w, count_wake, &w);
    assert_int_equal(tug_fiber_run(w.f), TUG_FIBER_DONE);
    assert_true(atomic_load(&w.ready));
    tug_fiber_free(w.f);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(runs_to_the_end_on_its_own_stack),
      cmocka_unit_test(a_wake_after_the_owner_waits_calls_on_wake),
      cmocka_unit_test(a_wake_before_the_owner_waits_is_not_lost),
      cmocka_unit_test(a_wake_before_the_park_returns_at_once),
      cmocka_unit_test(a_wake_from_another_thread_continues_it),
      cmocka_unit_test(a_freed_fiber_is_reused_from_the_start),
  };
  return cmocka_run_group_tests_name("fiber", tests, NULL, NULL);
}
