/* Unit tests for monotonic deadlines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>

#include "clock.h"

static void deadline_carries_nanoseconds_into_seconds(void **state) {
  (void)state;
  for (long ms = 0; ms < 3000; ms += 7) {
    struct timespec before, d = tug_deadline_ms(ms), after;
    clock_gettime(CLOCK_MONOTONIC, &after);
    before = after;
    assert_true(d.tv_nsec >= 0 && d.tv_nsec < 1000000000L);
    double dd = d.tv_sec + d.tv_nsec / 1e9, now = before.tv_sec + before.tv_nsec / 1e9;
    assert_true(dd - now <= ms / 1e3 + 1e-3);
    assert_true(dd - now >= ms / 1e3 - 0.05);
  }
}

static void timed_wait_on_monotonic_condition_times_out(void **state) {
  (void)state;
  pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
  pthread_cond_t cond;
  tug_cond_init_monotonic(&cond);
  double t0 = tug_monotonic_seconds();
  struct timespec d = tug_deadline_ms(50);
  pthread_mutex_lock(&mu);
  int rc = pthread_cond_timedwait(&cond, &mu, &d);
  pthread_mutex_unlock(&mu);
  double took = tug_monotonic_seconds() - t0;
  assert_int_equal(rc, ETIMEDOUT);
  assert_true(took >= 0.045 && took < 1.0);
  pthread_cond_destroy(&cond);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(deadline_carries_nanoseconds_into_seconds),
      cmocka_unit_test(timed_wait_on_monotonic_condition_times_out),
  };
  return cmocka_run_group_tests_name("clock", tests, NULL, NULL);
}
