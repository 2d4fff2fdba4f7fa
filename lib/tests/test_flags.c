/*
 * Unit tests of the flag table: every type, both spellings, bounds, and an
 * error that names the flag for each kind of bad input (the API server once
 * read "--compaction-interval 5m" as 5 seconds and "abc" as off).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first. */

#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

#include "flags.h"

typedef struct config {
  const char *server;
  bool verbose;
  int workers;
  int64_t pods;
  double grace_s;
  int64_t memory, cpu_milli;
} config;

static config cfg;
static const tug_flag flags[] = {
    {"server", TUG_FLAG_STRING, &cfg.server, .arg = "URL", .help = "the API server"},
    {"verbose", TUG_FLAG_BOOL, &cfg.verbose, .help = "say more"},
    {"workers", TUG_FLAG_INT, &cfg.workers, .min = 1, .max = 256, .arg = "N", .help = "workers"},
    {"max-pods", TUG_FLAG_INT64, &cfg.pods, .help = "pods"},
    {"grace", TUG_FLAG_DURATION, &cfg.grace_s, .min = 0, .max = 86400, .help = "grace"},
    {"memory", TUG_FLAG_QUANTITY, &cfg.memory, .help = "memory"},
    {"cpu", TUG_FLAG_MILLI, &cfg.cpu_milli, .help = "cpu"},
    {0},
};

static int parse(tug_error *err, int argc, ...) {
  char *argv[16] = {"prog"};
  va_list ap;
  va_start(ap, argc);
  for (int i = 0; i < argc; i++)
    argv[i + 1] = va_arg(ap, char *);
  va_end(ap);
  cfg = (config){.workers = 4, .grace_s = 20};
  *err = (tug_error){0};
  return tug_flags_parse("prog", "A test.", flags, argc + 1, argv, err);
}

static void test_every_type_in_both_spellings(void **state) {
  (void)state;
  tug_error err;
  assert_int_equal(parse(&err, 10, "--server", "http://x", "--verbose", "--workers=8", "--max-pods",
                         "110", "--grace=1h30m", "--memory=128Mi", "--cpu", "250m"),
                   0);
  assert_string_equal(cfg.server, "http://x");
  assert_true(cfg.verbose);
  assert_int_equal(cfg.workers, 8);
  assert_int_equal(cfg.pods, 110);
  assert_true(cfg.grace_s == 5400);
  assert_int_equal(cfg.memory, 128 << 20);
  assert_int_equal(cfg.cpu_milli, 250);
}

static void test_defaults_stay_when_a_flag_is_not_given(void **state) {
  (void)state;
  tug_error err;
  assert_int_equal(parse(&err, 0), 0);
  assert_int_equal(cfg.workers, 4);
  assert_true(cfg.grace_s == 20);
}

static void test_durations_in_seconds_or_units(void **state) {
  (void)state;
  double s;
  assert_int_equal(tug_flags_duration("30", &s), 0);
  assert_true(s == 30);
  assert_int_equal(tug_flags_duration("0.5", &s), 0);
  assert_true(s == 0.5);
  assert_int_equal(tug_flags_duration("250ms", &s), 0);
  assert_true(s == 0.25);
  assert_int_equal(tug_flags_duration("5m", &s), 0);
  assert_true(s == 300);
  assert_int_equal(tug_flags_duration("1h2m3s", &s), 0);
  assert_true(s == 3723);
  assert_int_equal(tug_flags_duration("5x", &s), -1);
  assert_int_equal(tug_flags_duration("", &s), -1);
  assert_int_equal(tug_flags_duration("m", &s), -1);
  assert_int_equal(tug_flags_duration("-5m", &s), -1);
}

static void test_bad_values_are_errors_naming_the_flag(void **state) {
  (void)state;
  tug_error err;
  assert_int_equal(parse(&err, 2, "--grace", "abc"), -1);
  assert_string_equal(err.msg, "--grace: \"abc\" is not a duration (30, 0.5, 250ms, 5m, 1h30m)");
  assert_int_equal(parse(&err, 1, "--workers=0"), -1);
  assert_string_equal(err.msg, "--workers: 0 is out of range 1..256");
  assert_int_equal(parse(&err, 1, "--workers=4x"), -1);
  assert_string_equal(err.msg, "--workers: \"4x\" is not an integer");
  assert_int_equal(parse(&err, 1, "--max-pods=99999999999999999999"), -1);
  assert_int_equal(parse(&err, 1, "--memory=lots"), -1);
  assert_non_null(strstr(err.msg, "--memory: "));
  assert_int_equal(parse(&err, 1, "--grace=2d"), -1);
  assert_int_equal(parse(&err, 1, "--grace=100000"), -1);
}

static void test_unknown_flags_missing_values_and_stray_arguments(void **state) {
  (void)state;
  tug_error err;
  assert_int_equal(parse(&err, 1, "--nope=1"), -1);
  assert_string_equal(err.msg, "unknown flag --nope");
  assert_int_equal(parse(&err, 1, "--server"), -1);
  assert_string_equal(err.msg, "--server needs a value (URL)");
  assert_int_equal(parse(&err, 1, "--verbose=yes"), -1);
  assert_string_equal(err.msg, "--verbose takes no value");
  assert_int_equal(parse(&err, 1, "extra"), -1);
  assert_string_equal(err.msg, "unexpected argument \"extra\"");
}

static void test_usage_lists_every_flag_with_its_default(void **state) {
  (void)state;
  char buf[4096] = {0};
  FILE *f = fmemopen(buf, sizeof buf - 1, "w");
  cfg = (config){.workers = 4, .grace_s = 20, .cpu_milli = 500};
  tug_flags_usage(f, "prog", "A test.", flags);
  fclose(f);
  assert_non_null(strstr(buf, "usage: prog [flags]"));
  assert_non_null(strstr(buf, "--server URL"));
  assert_non_null(strstr(buf, "--workers N"));
  assert_non_null(strstr(buf, "(default 4)"));
  assert_non_null(strstr(buf, "(default 20s)"));
  assert_non_null(strstr(buf, "(default 500m)"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_type_in_both_spellings),
      cmocka_unit_test(test_defaults_stay_when_a_flag_is_not_given),
      cmocka_unit_test(test_durations_in_seconds_or_units),
      cmocka_unit_test(test_bad_values_are_errors_naming_the_flag),
      cmocka_unit_test(test_unknown_flags_missing_values_and_stray_arguments),
      cmocka_unit_test(test_usage_lists_every_flag_with_its_default),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
