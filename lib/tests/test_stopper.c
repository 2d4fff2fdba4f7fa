/*
 * Unit tests of the stopper: a sleep lasts its period unless a stop cuts it
 * short, and once stopped every sleep returns at once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first. */

#include <cmocka.h>
#include <pthread.h>
#include <unistd.h>

#include "clock.h"
#include "stopper.h"

static void test_a_sleep_lasts_its_period(void **state) {
  (void)state;
  tug_stopper s;
  tug_stopper_init(&s);
  double t0 = tug_monotonic_seconds();
  assert_true(tug_stopper_sleep_ms(&s, 50));
  assert_true(tug_monotonic_seconds() - t0 >= 0.049);
  assert_false(tug_stopper_stopped(&s));
  tug_stopper_destroy(&s);
}

static void *stop_soon(void *arg) {
  usleep(50 * 1000);
  tug_stopper_stop(arg);
  return NULL;
}

static void test_a_stop_wakes_a_long_sleep_and_later_sleeps_return_at_once(void **state) {
  (void)state;
  tug_stopper s;
  tug_stopper_init(&s);
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, stop_soon, &s), 0);
  double t0 = tug_monotonic_seconds();
  assert_false(tug_stopper_sleep_ms(&s, 60 * 1000));
  assert_true(tug_monotonic_seconds() - t0 < 30);
  pthread_join(t, NULL);
  t0 = tug_monotonic_seconds();
  assert_false(tug_stopper_sleep_ms(&s, 60 * 1000));
  assert_true(tug_monotonic_seconds() - t0 < 1);
  assert_true(tug_stopper_stopped(&s));
  tug_stopper_destroy(&s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_a_sleep_lasts_its_period),
      cmocka_unit_test(test_a_stop_wakes_a_long_sleep_and_later_sleeps_return_at_once),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
