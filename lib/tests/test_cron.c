/* Unit tests for cron schedules: syntax, macros, errors, and next runs in time
 * zones across daylight-saving changes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first; the blank line keeps clang-format from
 * sorting it ahead of them. */

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "cron.h"

static time_t at(const char *rfc3339) {
  struct tm tm = {0};
  if (strptime(rfc3339, "%Y-%m-%dT%H:%M:%SZ", &tm) == NULL)
    fail_msg("bad test time %s", rfc3339);
  return timegm(&tm);
}

/* The next run of spec in zone after `after`, as RFC 3339 UTC ("never" for none). */
static const char *next(const char *spec, const char *zone, const char *after) {
  static char buf[64];
  tug_cron c;
  tug_error err = {0};
  if (tug_cron_parse(spec, &c, &err) < 0)
    fail_msg("parse \"%s\": %s", spec, err.msg);
  time_t t = tug_cron_next(&c, zone, at(after));
  if (t < 0)
    return "never";
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

static void assert_parse_error(const char *spec, const char *msg) {
  tug_cron c;
  tug_error err = {0};
  assert_int_equal(tug_cron_parse(spec, &c, &err), -1);
  assert_int_equal(err.code, TUG_E_PARSE);
  assert_string_equal(err.msg, msg);
}

static void every_minute_runs_at_the_next_whole_minute(void **state) {
  (void)state;
  assert_string_equal(next("* * * * *", "UTC", "2024-05-01T10:00:00Z"), "2024-05-01T10:01:00Z");
  assert_string_equal(next("* * * * *", "UTC", "2024-05-01T10:00:59Z"), "2024-05-01T10:01:00Z");
}

static void steps_ranges_lists_and_names(void **state) {
  (void)state;
  assert_string_equal(next("*/15 * * * *", "UTC", "2024-05-01T10:01:00Z"), "2024-05-01T10:15:00Z");
  assert_string_equal(next("5-10/5,50 9 * * *", "UTC", "2024-05-01T09:10:00Z"),
                      "2024-05-01T09:50:00Z");
  assert_string_equal(next("0 12 * JAN-MAR mon", "UTC", "2024-05-01T00:00:00Z"),
                      "2025-01-06T12:00:00Z");
  assert_string_equal(next("30/10 * * * *", "UTC", "2024-05-01T10:55:00Z"), "2024-05-01T11:30:00Z");
}

static void macros_stand_for_their_fields(void **state) {
  (void)state;
  assert_string_equal(next("@hourly", "UTC", "2024-05-01T10:00:00Z"), "2024-05-01T11:00:00Z");
  assert_string_equal(next("@daily", "UTC", "2024-05-01T10:00:00Z"), "2024-05-02T00:00:00Z");
  assert_string_equal(next("@weekly", "UTC", "2024-05-01T10:00:00Z"), "2024-05-05T00:00:00Z");
  assert_string_equal(next("@monthly", "UTC", "2024-05-01T10:00:00Z"), "2024-06-01T00:00:00Z");
  assert_string_equal(next("@yearly", "UTC", "2024-05-01T10:00:00Z"), "2025-01-01T00:00:00Z");
  assert_string_equal(next("@every 1h30m", "UTC", "2024-05-01T10:00:00Z"), "2024-05-01T11:30:00Z");
}

/* Vixie cron: both restricted → either; one `*` → the other alone. */
static void day_of_month_and_week_combine_as_cron_does(void **state) {
  (void)state;
  /* 2024-05-03 is a Friday, 2024-05-13 a Monday. */
  assert_string_equal(next("0 0 13 * 5", "UTC", "2024-05-01T00:00:00Z"), "2024-05-03T00:00:00Z");
  assert_string_equal(next("0 0 13 * *", "UTC", "2024-05-01T00:00:00Z"), "2024-05-13T00:00:00Z");
  assert_string_equal(next("0 0 * * 5", "UTC", "2024-05-04T00:00:00Z"), "2024-05-10T00:00:00Z");
  assert_string_equal(next("0 0 */2 * 5", "UTC", "2024-05-01T12:00:00Z"), "2024-05-03T00:00:00Z");
}

static void an_impossible_date_never_runs(void **state) {
  (void)state;
  assert_string_equal(next("0 0 30 2 *", "UTC", "2024-05-01T00:00:00Z"), "never");
}

static void a_zone_shifts_the_wall_clock(void **state) {
  (void)state;
  assert_string_equal(next("0 9 * * *", "America/New_York", "2024-01-15T00:00:00Z"),
                      "2024-01-15T14:00:00Z");
  assert_string_equal(next("0 9 * * *", "America/New_York", "2024-07-15T00:00:00Z"),
                      "2024-07-15T13:00:00Z");
  /* +05:30: the local hour starts at half past the UTC hour. */
  assert_string_equal(next("0 * * * *", "Asia/Kolkata", "2024-01-01T00:00:00Z"),
                      "2024-01-01T00:30:00Z");
  assert_string_equal(next("0 0 * * *", "Asia/Tokyo", "2024-01-01T00:00:00Z"),
                      "2024-01-01T15:00:00Z");
}

/* Berlin springs forward on 2024-03-31 at 02:00: 02:30 does not exist that day. */
static void a_skipped_wall_clock_minute_never_runs(void **state) {
  (void)state;
  assert_string_equal(next("30 2 * * *", "Europe/Berlin", "2024-03-30T12:00:00Z"),
                      "2024-04-01T00:30:00Z");
  /* The hour after the gap runs as usual. */
  assert_string_equal(next("30 3 * * *", "Europe/Berlin", "2024-03-30T12:00:00Z"),
                      "2024-03-31T01:30:00Z");
}

/* Berlin falls back on 2024-10-27 at 03:00: 02:30 happens twice, and runs twice. */
static void a_repeated_wall_clock_minute_runs_twice(void **state) {
  (void)state;
  assert_string_equal(next("30 2 * * *", "Europe/Berlin", "2024-10-26T12:00:00Z"),
                      "2024-10-27T00:30:00Z");
  assert_string_equal(next("30 2 * * *", "Europe/Berlin", "2024-10-27T00:30:00Z"),
                      "2024-10-27T01:30:00Z");
  assert_string_equal(next("30 2 * * *", "Europe/Berlin", "2024-10-27T01:30:00Z"),
                      "2024-10-28T01:30:00Z");
}

/* Zones interleaved on one thread: each computation uses its own. */
static void zones_do_not_leak_into_each_other(void **state) {
  (void)state;
  for (int i = 0; i < 3; i++) {
    assert_string_equal(next("0 0 * * *", "Asia/Tokyo", "2024-01-01T00:00:00Z"),
                        "2024-01-01T15:00:00Z");
    assert_string_equal(next("0 0 * * *", "UTC", "2024-01-01T00:00:00Z"), "2024-01-02T00:00:00Z");
  }
}

static void bad_schedules_say_what_is_wrong(void **state) {
  (void)state;
  assert_parse_error("* * * *", "expected exactly 5 fields, found 4: * * * *");
  assert_parse_error("* * * * * *", "expected exactly 5 fields, found 6: * * * * * *");
  assert_parse_error("60 * * * *", "minute: end of range (60) above maximum (59): 60");
  assert_parse_error("* * 0 * *", "day of month: beginning of range (0) below minimum (1): 0");
  assert_parse_error("* * * * 7", "day of week: end of range (7) above maximum (6): 7");
  assert_parse_error("* * * foo *", "month: failed to parse int from foo");
  assert_parse_error("*/0 * * * *", "minute: step of range should be a positive number: */0");
  assert_parse_error("5-1 * * * *", "minute: beginning of range (5) beyond end of range (1): 5-1");
  assert_parse_error("@fortnightly", "unrecognized descriptor: @fortnightly");
  assert_parse_error("", "empty spec string");
  /* found by fuzz/fuzz_cron: strtoll saturated and the sum overflowed */
  assert_parse_error("@every 2s 2s77777777777777777777777777s",
                     "failed to parse duration @every 2s 2s77777777777777777777777777s");
  assert_parse_error("@every 9223372036854775807h",
                     "failed to parse duration @every 9223372036854775807h");
  assert_parse_error("@every -5m", "failed to parse duration @every -5m");
}

static void zones_are_checked_against_zoneinfo(void **state) {
  (void)state;
  tug_error err = {0};
  assert_int_equal(tug_cron_zone_check("Europe/Berlin", &err), 0);
  assert_int_equal(tug_cron_zone_check("UTC", &err), 0);
  assert_int_equal(tug_cron_zone_check("Mars/Olympus", &err), -1);
  assert_string_equal(err.msg, "unknown time zone Mars/Olympus");
  assert_int_equal(tug_cron_zone_check("../../etc/passwd", &err), -1);
  assert_int_equal(tug_cron_zone_check("", &err), -1);
  assert_true(tug_cron_has_zone_prefix("CRON_TZ=UTC 0 * * * *"));
  assert_false(tug_cron_has_zone_prefix("0 * * * *"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_minute_runs_at_the_next_whole_minute),
      cmocka_unit_test(steps_ranges_lists_and_names),
      cmocka_unit_test(macros_stand_for_their_fields),
      cmocka_unit_test(day_of_month_and_week_combine_as_cron_does),
      cmocka_unit_test(an_impossible_date_never_runs),
      cmocka_unit_test(a_zone_shifts_the_wall_clock),
      cmocka_unit_test(a_skipped_wall_clock_minute_never_runs),
      cmocka_unit_test(a_repeated_wall_clock_minute_runs_twice),
      cmocka_unit_test(zones_do_not_leak_into_each_other),
      cmocka_unit_test(bad_schedules_say_what_is_wrong),
      cmocka_unit_test(zones_are_checked_against_zoneinfo),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
