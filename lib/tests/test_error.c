/* Unit tests for the error convention and logfmt quoting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "error.h"
#include "log.h"

static void set_returns_minus_one_and_fills_code_and_message(void **state) {
  (void)state;
  tug_error err = {0};
  assert_int_equal(tug_error_set(&err, EINVAL, "bad %s", "thing"), -1);
  assert_int_equal(err.code, EINVAL);
  assert_string_equal(err.msg, "bad thing");
}

static void errno_appends_strerror(void **state) {
  (void)state;
  tug_error err = {0};
  tug_error_errno(&err, ENOENT, "open %s", "/x");
  assert_string_equal(err.msg, "open /x: No such file or directory");
}

static void wrap_prefixes_context_and_keeps_code(void **state) {
  (void)state;
  tug_error err = {0};
  tug_error_set(&err, TUG_E_CONFLICT, "revision 4 is stale");
  tug_error_wrap(&err, "update %s", "pods/a");
  assert_int_equal(err.code, TUG_E_CONFLICT);
  assert_string_equal(err.msg, "update pods/a: revision 4 is stale");
}

static void wrap_truncates_long_messages_without_overflow(void **state) {
  (void)state;
  tug_error err = {0};
  char big[2000];
  memset(big, 'x', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  tug_error_set(&err, 1, "%s", big);
  tug_error_wrap(&err, "ctx");
  assert_int_equal(strlen(err.msg), sizeof err.msg - 1);
  assert_memory_equal(err.msg, "ctx: xxx", 8);
}

static void log_quote_escapes_quotes_backslashes_and_newlines(void **state) {
  (void)state;
  char buf[64];
  assert_string_equal(tug_log_quote(buf, sizeof buf, "a \"b\"\\\n"), "\"a \\\"b\\\"\\\\\\n\"");
}

static void log_level_names_parse(void **state) {
  (void)state;
  assert_int_equal(tug_log_level_parse("debug"), TUG_LOG_DEBUG);
  assert_int_equal(tug_log_level_parse("WARNING"), TUG_LOG_WARN);
  assert_int_equal(tug_log_level_parse("loud"), -1);
}

static void audit_id_is_kept_by_wrap_cleared_by_set_and_logged(void **state) {
  (void)state;
  tug_error err = {0};
  tug_error_set(&err, ENOENT, "pods \"a\" not found");
  strcpy(err.audit_id, "0b7c-id");
  tug_error_wrap(&err, "bind");
  assert_string_equal(TUG_LOG_ERR(&err), "\"bind: pods \\\"a\\\" not found\" audit_id=0b7c-id");
  tug_error_set(&err, EIO, "disk");
  assert_string_equal(err.audit_id, "");
  assert_string_equal(TUG_LOG_ERR(&err), "\"disk\"");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(set_returns_minus_one_and_fills_code_and_message),
      cmocka_unit_test(errno_appends_strerror),
      cmocka_unit_test(wrap_prefixes_context_and_keeps_code),
      cmocka_unit_test(wrap_truncates_long_messages_without_overflow),
      cmocka_unit_test(log_quote_escapes_quotes_backslashes_and_newlines),
      cmocka_unit_test(log_level_names_parse),
      cmocka_unit_test(audit_id_is_kept_by_wrap_cleared_by_set_and_logged),
  };
  return cmocka_run_group_tests_name("error", tests, NULL, NULL);
}
