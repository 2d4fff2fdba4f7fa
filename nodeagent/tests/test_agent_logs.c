/* Unit tests for the log endpoint's tail. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "agent-logs.h"

static const char *tail(const char *text, long n) { return agent_logs_tail(text, strlen(text), n); }

static void tail_keeps_the_last_lines(void **state) {
  (void)state;
  assert_string_equal(tail("a\nb\nc\n", 2), "b\nc\n");
  assert_string_equal(tail("a\nb\nc", 2), "b\nc");
  assert_string_equal(tail("a\nb\nc\n", 1), "c\n");
}

static void tail_of_more_lines_than_there_are_is_everything(void **state) {
  (void)state;
  assert_string_equal(tail("a\nb\n", 10), "a\nb\n");
  assert_string_equal(tail("", 3), "");
}

static void negative_tail_is_everything_and_zero_is_nothing(void **state) {
  (void)state;
  assert_string_equal(tail("a\nb\n", -1), "a\nb\n");
  assert_string_equal(tail("a\nb\n", 0), "");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(tail_keeps_the_last_lines),
      cmocka_unit_test(tail_of_more_lines_than_there_are_is_everything),
      cmocka_unit_test(negative_tail_is_everything_and_zero_is_nothing),
  };
  return cmocka_run_group_tests_name("agent_logs", tests, NULL, NULL);
}
