/*
 * Unit tests of the growable array: doubling from the first capacity, no
 * move when there is room, and an overflowing size refused with the array
 * left as it was.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first. */

#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>

#include "array.h"

static void test_appends_double_the_capacity_from_first(void **state) {
  (void)state;
  int *v = NULL;
  size_t n = 0, cap = 0;
  for (int i = 0; i < 100; i++) {
    assert_int_equal(TUG_ARRAY_RESERVE(v, cap, n + 1, 8), 0);
    v[n++] = i;
  }
  assert_int_equal(cap, 128);
  for (int i = 0; i < 100; i++)
    assert_int_equal(v[i], i);
  free(v);
}

static void test_room_enough_changes_nothing(void **state) {
  (void)state;
  long *v = NULL;
  size_t cap = 0;
  assert_int_equal(TUG_ARRAY_RESERVE(v, cap, 10, 16), 0);
  long *before = v;
  assert_int_equal(TUG_ARRAY_RESERVE(v, cap, 16, 16), 0);
  assert_ptr_equal(v, before);
  assert_int_equal(cap, 16);
  free(v);
}

static void test_an_impossible_size_is_enomem_and_keeps_the_array(void **state) {
  (void)state;
  char *v = NULL;
  size_t cap = 0;
  assert_int_equal(TUG_ARRAY_RESERVE(v, cap, 4, 4), 0);
  char *before = v;
  errno = 0;
  assert_int_equal(TUG_ARRAY_RESERVE(v, cap, SIZE_MAX, 4), -1);
  assert_int_equal(errno, ENOMEM);
  assert_ptr_equal(v, before);
  assert_int_equal(cap, 4);
  free(v);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_appends_double_the_capacity_from_first),
      cmocka_unit_test(test_room_enough_changes_nothing),
      cmocka_unit_test(test_an_impossible_size_is_enomem_and_keeps_the_array),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
