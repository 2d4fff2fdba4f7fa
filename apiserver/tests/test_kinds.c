/* The API server's registry and the clients' table of kinds (lib/kinds.c) name the same
 * kinds the same way: group, version, plural and scope. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "kinds.h"
#include "registry.h"

static void test_every_served_kind_is_in_the_clients_table_alike(void **state) {
  (void)state;
  size_t served = 0;
  for (const api_kind *k = api_kinds; k->kind; k++, served++) {
    const tug_kind *t = tug_kind_find(NULL, k->kind);
    if (t == NULL)
      fail_msg("%s is served but not in lib/kinds.c", k->kind);
    assert_string_equal(t->group, k->group);
    assert_string_equal(t->version, k->version);
    assert_string_equal(t->resource, k->plural);
    assert_int_equal(t->namespaced, k->namespaced);
  }
  size_t listed = 0;
  for (const tug_kind *t = tug_kinds; t->kind; t++)
    listed++;
  assert_int_equal(listed, served);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_served_kind_is_in_the_clients_table_alike),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
