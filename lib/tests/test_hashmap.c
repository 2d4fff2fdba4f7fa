/* Unit tests for the string-keyed hash map. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "hashmap.h"

static void put_get_replace_and_remove(void **state) {
  (void)state;
  tug_hashmap *m = tug_hashmap_new();
  int a = 1, b = 2;
  assert_null(tug_hashmap_put(m, "k", &a));
  assert_ptr_equal(tug_hashmap_get(m, "k"), &a);
  assert_ptr_equal(tug_hashmap_put(m, "k", &b), &a);
  assert_int_equal(tug_hashmap_size(m), 1);
  assert_ptr_equal(tug_hashmap_remove(m, "k"), &b);
  assert_null(tug_hashmap_get(m, "k"));
  assert_null(tug_hashmap_remove(m, "k"));
  assert_int_equal(tug_hashmap_size(m), 0);
  tug_hashmap_free(m, NULL);
}

static void grows_and_iterates_every_entry_once(void **state) {
  (void)state;
  tug_hashmap *m = tug_hashmap_new();
  static int vals[5000];
  char key[32];
  for (int i = 0; i < 5000; i++) {
    snprintf(key, sizeof key, "/registry/pods/ns/p%d", i);
    vals[i] = i;
    tug_hashmap_put(m, key, &vals[i]);
  }
  for (int i = 0; i < 5000; i += 2) {
    snprintf(key, sizeof key, "/registry/pods/ns/p%d", i);
    assert_ptr_equal(tug_hashmap_remove(m, key), &vals[i]);
  }
  tug_hashmap_iter it;
  tug_hashmap_iter_init(&it, m);
  const char *k;
  void *v;
  long sum = 0, n = 0;
  while (tug_hashmap_next(&it, &k, &v)) {
    int i = *(int *)v;
    assert_int_equal(i % 2, 1);
    snprintf(key, sizeof key, "/registry/pods/ns/p%d", i);
    assert_string_equal(k, key);
    sum += i;
    n++;
  }
  assert_int_equal(n, 2500);
  assert_int_equal(sum, 2500L * 2500L);
  tug_hashmap_free(m, NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(put_get_replace_and_remove),
      cmocka_unit_test(grows_and_iterates_every_entry_once),
  };
  return cmocka_run_group_tests_name("hashmap", tests, NULL, NULL);
}
