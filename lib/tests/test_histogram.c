/*
 * Unit tests of the histogram: bucket edges (a value equal to a bound falls
 * in it), cumulative rendering with and without labels, sum and count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first. */

#include <cmocka.h>
#include <string.h>

#include "histogram.h"

static const double bounds[] = {0.01, 0.1, 1};

static void render(tug_histogram *h, const char *labels, char *buf, size_t size) {
  memset(buf, 0, size);
  FILE *f = fmemopen(buf, size - 1, "w");
  tug_histogram_render(h, f, "x_seconds", labels);
  fclose(f);
}

static void test_buckets_are_cumulative_and_bounds_inclusive(void **state) {
  (void)state;
  tug_histogram h;
  tug_histogram_init(&h, bounds, 3);
  tug_histogram_observe(&h, 0.01);
  tug_histogram_observe(&h, 0.05);
  tug_histogram_observe(&h, 0.5);
  tug_histogram_observe(&h, 7);
  char buf[1024];
  render(&h, NULL, buf, sizeof buf);
  assert_string_equal(buf, "x_seconds_bucket{le=\"0.01\"} 1\n"
                           "x_seconds_bucket{le=\"0.1\"} 2\n"
                           "x_seconds_bucket{le=\"1\"} 3\n"
                           "x_seconds_bucket{le=\"+Inf\"} 4\n"
                           "x_seconds_sum 7.56\n"
                           "x_seconds_count 4\n");
}

static void test_labels_come_before_le(void **state) {
  (void)state;
  tug_histogram h;
  tug_histogram_init(&h, bounds, 3);
  tug_histogram_observe(&h, 0.2);
  char buf[1024];
  render(&h, "verb=\"GET\"", buf, sizeof buf);
  assert_non_null(strstr(buf, "x_seconds_bucket{verb=\"GET\",le=\"1\"} 1\n"));
  assert_non_null(strstr(buf, "x_seconds_sum{verb=\"GET\"} 0.2\n"));
  assert_non_null(strstr(buf, "x_seconds_count{verb=\"GET\"} 1\n"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_buckets_are_cumulative_and_bounds_inclusive),
      cmocka_unit_test(test_labels_come_before_le),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
