/* Unit tests for Kubernetes resource quantities: parsing, rounding, limits, formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first; the blank line keeps clang-format from
 * sorting it ahead of them. */

#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "quantity.h"

static int64_t milli(const char *s) {
  tug_error err = {0};
  int64_t v = -12345;
  if (tug_quantity_parse_milli(s, 0, &v, &err) < 0)
    fail_msg("parse_milli(\"%s\") failed: %s", s, err.msg);
  return v;
}

static int64_t value(const char *s) {
  tug_error err = {0};
  int64_t v = -12345;
  if (tug_quantity_parse_value(s, 0, &v, &err) < 0)
    fail_msg("parse_value(\"%s\") failed: %s", s, err.msg);
  return v;
}

typedef int (*quantity_parser)(const char *, unsigned, int64_t *, tug_error *);

/* Asserts that parse rejects s with code and a message naming s (and equal to msg). */
static void assert_parser_rejects(quantity_parser parse, const char *s, int code, const char *msg) {
  tug_error err = {0};
  int64_t v = 42;
  char quoted[256];
  snprintf(quoted, sizeof quoted, "quantity \"%s\": ", s);
  assert_int_equal(parse(s, 0, &v, &err), -1);
  assert_int_equal(err.code, code);
  assert_non_null(strstr(err.msg, quoted));
  if (msg != NULL)
    assert_string_equal(err.msg, msg);
  assert_int_equal(v, 42);
}

static void assert_milli_rejected(const char *s, int code, const char *msg) {
  assert_parser_rejects(tug_quantity_parse_milli, s, code, msg);
}

static void assert_value_rejected(const char *s, int code, const char *msg) {
  assert_parser_rejects(tug_quantity_parse_value, s, code, msg);
}

/* Malformed input is rejected the same way whatever the scale. */
static void assert_rejected(const char *s, int code, const char *msg) {
  assert_milli_rejected(s, code, msg);
  assert_value_rejected(s, code, msg);
}

static void milli_parses_cpu_forms(void **state) {
  (void)state;
  assert_int_equal(milli("100m"), 100);
  assert_int_equal(milli("0.5"), 500);
  assert_int_equal(milli("2"), 2000);
  assert_int_equal(milli("+1"), 1000);
  assert_int_equal(milli("0"), 0);
  assert_int_equal(milli("1e3"), 1000000);
  assert_int_equal(milli("2E-3"), 2);
  assert_int_equal(milli("1E+1"), 10000);
  assert_int_equal(milli("500k"), 500000000);
  assert_int_equal(milli("1Ki"), 1024000);
  assert_int_equal(milli("1.5Gi"), INT64_C(1610612736000));
}

static void value_parses_byte_and_count_forms(void **state) {
  (void)state;
  assert_int_equal(value("128Mi"), 134217728);
  assert_int_equal(value("1G"), 1000000000);
  assert_int_equal(value("1Ki"), 1024);
  assert_int_equal(value("1.5Gi"), 1610612736);
  assert_int_equal(value("500k"), 500000);
  assert_int_equal(value("2E"), INT64_C(2000000000000000000));
  assert_int_equal(value("1Ei"), INT64_C(1) << 60);
  assert_int_equal(value("1e3"), 1000);
  assert_int_equal(value("+1"), 1);
  assert_int_equal(value("0"), 0);
  assert_int_equal(value("2"), 2);
  assert_int_equal(value("007"), 7);
  assert_int_equal(value(".5Ki"), 512);
  assert_int_equal(value("1M"), 1000000);
  assert_int_equal(value("1T"), INT64_C(1000000000000));
  assert_int_equal(value("1P"), INT64_C(1000000000000000));
  assert_int_equal(value("1Ti"), INT64_C(1) << 40);
  assert_int_equal(value("1Pi"), INT64_C(1) << 50);
}

static void milli_rounds_up_to_a_whole_milli_unit(void **state) {
  (void)state;
  assert_int_equal(milli("0.0001"), 1);
  assert_int_equal(milli("1.0001"), 1001);
  assert_int_equal(milli("1n"), 1);
  assert_int_equal(milli("1u"), 1);
  assert_int_equal(milli("1000u"), 1);
  assert_int_equal(milli("1001u"), 2);
  assert_int_equal(milli("1e-30"), 1);
  assert_int_equal(milli("1e-2147483647"), 1);
  assert_int_equal(milli("0.000000000000000000000000000000000000001"), 1);
  assert_int_equal(milli("1.00000000000000000000000000000000000001"), 1001);
}

static void value_rounds_up_to_a_whole_unit(void **state) {
  (void)state;
  assert_int_equal(value("0.5"), 1);
  assert_int_equal(value("100m"), 1);
  assert_int_equal(value("1000m"), 1);
  assert_int_equal(value("1001m"), 2);
  assert_int_equal(value("0.1Ki"), 103); /* 102.4 */
  assert_int_equal(value("1n"), 1);
  assert_int_equal(value("1.5"), 2);
}

static void zero_in_any_form_is_zero(void **state) {
  (void)state;
  assert_int_equal(milli("0.000"), 0);
  assert_int_equal(milli("0Ei"), 0);
  assert_int_equal(value("0e2147483647"), 0);
  assert_int_equal(value("-0"), 0);
  assert_int_equal(value("000000000000000000000000000000"), 0);
}

static void decimal_fractions_are_exact_not_floating_point(void **state) {
  (void)state;
  char s[32];
  for (int64_t i = 0; i < 100000; i++) {
    snprintf(s, sizeof s, "%" PRId64 ".%03" PRId64, i / 1000, i % 1000);
    assert_int_equal(milli(s), i);
  }
  assert_int_equal(milli("0.1"), 100);
  assert_int_equal(milli("0.057"), 57);
  assert_int_equal(milli("4.35"), 4350);
  assert_int_equal(value("0.3k"), 300);
  assert_int_equal(value("1.1k"), 1100);
}

static void negative_values_need_the_flag(void **state) {
  (void)state;
  tug_error err = {0};
  int64_t v;
  assert_rejected("-1", ERANGE, "quantity \"-1\": must not be negative");
  assert_rejected("-100m", ERANGE, NULL);
  assert_int_equal(tug_quantity_parse_milli("-1", TUG_QUANTITY_ALLOW_NEGATIVE, &v, &err), 0);
  assert_int_equal(v, -1000);
  assert_int_equal(tug_quantity_parse_value("-1.5Ki", TUG_QUANTITY_ALLOW_NEGATIVE, &v, &err), 0);
  assert_int_equal(v, -1536);
}

static void negative_values_round_away_from_zero(void **state) {
  (void)state;
  tug_error err = {0};
  int64_t v;
  assert_int_equal(tug_quantity_parse_value("-100m", TUG_QUANTITY_ALLOW_NEGATIVE, &v, &err), 0);
  assert_int_equal(v, -1);
  assert_int_equal(tug_quantity_parse_milli("-0.0001", TUG_QUANTITY_ALLOW_NEGATIVE, &v, &err), 0);
  assert_int_equal(v, -1);
}

static void malformed_quantities_are_rejected_naming_the_value(void **state) {
  (void)state;
  assert_rejected("", TUG_E_PARSE, "quantity \"\": empty");
  assert_rejected(" 1", TUG_E_PARSE, "quantity \" 1\": contains whitespace");
  assert_rejected("1 ", TUG_E_PARSE, NULL);
  assert_rejected("1 Mi", TUG_E_PARSE, NULL);
  assert_rejected("1\t", TUG_E_PARSE, NULL);
  assert_rejected("1.5.5", TUG_E_PARSE, "quantity \"1.5.5\": unknown suffix \".5\"");
  assert_rejected("12Zi", TUG_E_PARSE, "quantity \"12Zi\": unknown suffix \"Zi\"");
  assert_rejected("1K", TUG_E_PARSE, NULL);
  assert_rejected("1KiB", TUG_E_PARSE, NULL);
  assert_rejected("1mi", TUG_E_PARSE, NULL);
  assert_rejected("0x10", TUG_E_PARSE, NULL);
  assert_rejected("--1", TUG_E_PARSE, "quantity \"--1\": expected digits, found \"-1\"");
  assert_rejected("+-1", TUG_E_PARSE, NULL);
  assert_rejected("-", TUG_E_PARSE, NULL);
  assert_rejected("Mi", TUG_E_PARSE, "quantity \"Mi\": expected digits, found \"Mi\"");
  assert_rejected("1.", TUG_E_PARSE, "quantity \"1.\": expected digits after \".\"");
  assert_rejected(".", TUG_E_PARSE, NULL);
  assert_rejected("1.Mi", TUG_E_PARSE, NULL);
  assert_rejected("e3", TUG_E_PARSE, NULL);
  assert_rejected("1e", TUG_E_PARSE,
                  "quantity \"1e\": bad exponent \"e\": expected an integer after \"e\"");
  assert_rejected("1e+", TUG_E_PARSE, NULL);
  assert_rejected("1E-", TUG_E_PARSE, NULL);
  assert_rejected("1e1.5", TUG_E_PARSE, NULL);
  assert_rejected("1ee3", TUG_E_PARSE, NULL);
  assert_rejected("1e3Mi", TUG_E_PARSE, NULL);
}

static void exponent_beyond_int32_is_rejected(void **state) {
  (void)state;
  assert_rejected("1e2147483648", ERANGE,
                  "quantity \"1e2147483648\": exponent \"e2147483648\" is out of range");
  assert_rejected("1e-99999999999999999999999", ERANGE, NULL);
}

static void milli_accepts_int64_max_and_rejects_one_more(void **state) {
  (void)state;
  assert_int_equal(milli("9223372036854775807m"), INT64_MAX);
  assert_int_equal(milli("9223372036854775.807"), INT64_MAX);
  assert_int_equal(milli("9223372036854775.8061"), INT64_MAX); /* rounds up to the max */
  assert_int_equal(milli("9P"), INT64_C(9000000000000000000));
  assert_milli_rejected("9223372036854775808m", ERANGE, NULL);
  assert_milli_rejected("9223372036854775.808", ERANGE, NULL);
  assert_milli_rejected("9223372036854775.8071", ERANGE, NULL);
  assert_milli_rejected("10E", ERANGE,
                        "quantity \"10E\": too large (at most 9223372036854775807m)");
  assert_milli_rejected("2E", ERANGE, NULL);
  assert_milli_rejected("9999999999Ei", ERANGE, NULL);
}

static void value_accepts_int64_max_and_rejects_one_more(void **state) {
  (void)state;
  assert_int_equal(value("9223372036854775807"), INT64_MAX);
  assert_int_equal(value("9223372036854775807000m"), INT64_MAX);
  assert_int_equal(value("9223372036854775806001m"), INT64_MAX);
  assert_int_equal(value("7Ei"), INT64_C(7) << 60);
  assert_int_equal(value("9E"), INT64_C(9000000000000000000));
  assert_int_equal(value("1e18"), INT64_C(1000000000000000000));
  assert_value_rejected(
      "9223372036854775808", ERANGE,
      "quantity \"9223372036854775808\": too large (at most 9223372036854775807)");
  assert_value_rejected("9223372036854775807001m", ERANGE, NULL);
  assert_value_rejected("8Ei", ERANGE, NULL);
  assert_value_rejected("1e19", ERANGE, NULL);
  assert_value_rejected("10E", ERANGE, NULL);
  assert_value_rejected("9999999999Ei", ERANGE, NULL);
  assert_value_rejected("1e2147483647", ERANGE, NULL);
  assert_value_rejected("100000000000000000000000000000000000000", ERANGE, NULL);
}

static void negative_range_mirrors_the_positive_one(void **state) {
  (void)state;
  tug_error err = {0};
  int64_t v;
  assert_int_equal(
      tug_quantity_parse_value("-9223372036854775807", TUG_QUANTITY_ALLOW_NEGATIVE, &v, &err), 0);
  assert_int_equal(v, -INT64_MAX);
  assert_int_equal(
      tug_quantity_parse_value("-9223372036854775808", TUG_QUANTITY_ALLOW_NEGATIVE, &v, &err), -1);
  assert_int_equal(err.code, ERANGE);
}

static void format_milli_is_canonical(void **state) {
  (void)state;
  char buf[TUG_QUANTITY_BUFSIZE];
  assert_string_equal(tug_quantity_format_milli(1500, buf, sizeof buf), "1500m");
  assert_string_equal(tug_quantity_format_milli(2000, buf, sizeof buf), "2");
  assert_string_equal(tug_quantity_format_milli(100, buf, sizeof buf), "100m");
  assert_string_equal(tug_quantity_format_milli(0, buf, sizeof buf), "0");
  assert_string_equal(tug_quantity_format_milli(-250, buf, sizeof buf), "-250m");
  assert_string_equal(tug_quantity_format_milli(-3000, buf, sizeof buf), "-3");
  assert_string_equal(tug_quantity_format_milli(INT64_MIN, buf, sizeof buf),
                      "-9223372036854775808m");
}

static void format_bytes_uses_the_shortest_exact_suffix_binary_on_ties(void **state) {
  (void)state;
  char buf[TUG_QUANTITY_BUFSIZE];
  assert_string_equal(tug_quantity_format_bytes(134217728, buf, sizeof buf), "128Mi");
  assert_string_equal(tug_quantity_format_bytes(1073741824, buf, sizeof buf), "1Gi");
  assert_string_equal(tug_quantity_format_bytes(1024, buf, sizeof buf), "1Ki");
  assert_string_equal(tug_quantity_format_bytes(INT64_C(1) << 60, buf, sizeof buf), "1Ei");
  assert_string_equal(tug_quantity_format_bytes(2048000, buf, sizeof buf), "2000Ki");
  assert_string_equal(tug_quantity_format_bytes(1000000000, buf, sizeof buf), "1G");
  assert_string_equal(tug_quantity_format_bytes(500000, buf, sizeof buf), "500k");
  assert_string_equal(tug_quantity_format_bytes(1000, buf, sizeof buf), "1k");
  assert_string_equal(tug_quantity_format_bytes(INT64_C(1000000000000), buf, sizeof buf), "1T");
  assert_string_equal(tug_quantity_format_bytes(INT64_C(1000000000000000000), buf, sizeof buf),
                      "1E");
  assert_string_equal(tug_quantity_format_bytes(INT64_C(1024000), buf, sizeof buf), "1000Ki");
  assert_string_equal(tug_quantity_format_bytes(INT64_C(1536000), buf, sizeof buf), "1500Ki");
  assert_string_equal(tug_quantity_format_bytes(INT64_C(1024000000), buf, sizeof buf), "1024M");
  assert_string_equal(tug_quantity_format_bytes(1536, buf, sizeof buf), "1536");
  assert_string_equal(tug_quantity_format_bytes(123, buf, sizeof buf), "123");
  assert_string_equal(tug_quantity_format_bytes(0, buf, sizeof buf), "0");
  assert_string_equal(tug_quantity_format_bytes(-2048, buf, sizeof buf), "-2Ki");
  assert_string_equal(tug_quantity_format_bytes(INT64_MAX, buf, sizeof buf), "9223372036854775807");
}

static void format_truncates_to_the_buffer(void **state) {
  (void)state;
  char buf[4];
  assert_string_equal(tug_quantity_format_bytes(134217728, buf, sizeof buf), "128");
  assert_string_equal(tug_quantity_format_milli(1500, buf, sizeof buf), "150");
}

/* Values to round-trip: edges, then pseudo-random ones times a power of 1000 or 1024. */
static int64_t round_trip_sample(int i) {
  static const int64_t edges[] = {0,
                                  1,
                                  999,
                                  1000,
                                  1001,
                                  1024,
                                  1536,
                                  134217728,
                                  INT64_MAX,
                                  INT64_MAX - 1,
                                  INT64_C(1) << 62,
                                  -1,
                                  -1024,
                                  -INT64_MAX};
  int n = (int)(sizeof edges / sizeof edges[0]);
  if (i < n)
    return edges[i];
  uint64_t x = (uint64_t)i * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
  int64_t v = (int64_t)(x >> (1 + i % 63));
  int64_t unit = 1;
  for (int k = 0; k < i % 7; k++)
    unit *= (i % 2) ? 1024 : 1000;
  if (__builtin_mul_overflow(v, unit, &v))
    v = unit;
  return (i % 3) == 0 ? -v : v;
}

static void formatted_quantities_parse_back_to_the_same_value(void **state) {
  (void)state;
  char buf[TUG_QUANTITY_BUFSIZE];
  tug_error err = {0};
  for (int i = 0; i < 20000; i++) {
    int64_t want = round_trip_sample(i), got;
    if (want == INT64_MIN)
      continue;
    tug_quantity_format_bytes(want, buf, sizeof buf);
    assert_int_equal(tug_quantity_parse_value(buf, TUG_QUANTITY_ALLOW_NEGATIVE, &got, &err), 0);
    assert_int_equal(got, want);
    tug_quantity_format_milli(want, buf, sizeof buf);
    assert_int_equal(tug_quantity_parse_milli(buf, TUG_QUANTITY_ALLOW_NEGATIVE, &got, &err), 0);
    assert_int_equal(got, want);
  }
}

static void resource_amounts_use_the_unit_their_name_implies(void **state) {
  (void)state;
  int64_t v;
  char buf[TUG_QUANTITY_BUFSIZE];
  assert_int_equal(tug_quantity_parse_resource("requests.cpu", "1", &v), 0);
  assert_int_equal(v, 1000);
  assert_string_equal(tug_quantity_format_resource("limits.cpu", 1500, buf, sizeof buf), "1500m");
  assert_int_equal(tug_quantity_parse_resource("memory", "1Ki", &v), 0);
  assert_int_equal(v, 1024);
  assert_string_equal(tug_quantity_format_resource("requests.memory", 134217728, buf, sizeof buf),
                      "128Mi");
  assert_string_equal(tug_quantity_format_resource("count/pods", 3, buf, sizeof buf), "3");
  assert_int_equal(tug_quantity_parse_resource("pods", NULL, &v), -1);
  assert_int_equal(tug_quantity_parse_resource("pods", "lots", &v), -1);
}

/* Sums of quantities never wrap: checked where a write can be refused,
 * saturated where a total can only over-count. */
static void sums_are_checked_or_saturate_at_the_int64_bounds(void **state) {
  (void)state;
  int64_t sum;
  assert_true(tug_quantity_add(INT64_MAX - 1, 1, &sum));
  assert_int_equal(sum, INT64_MAX);
  assert_false(tug_quantity_add(INT64_MAX, 1, &sum));
  assert_int_equal(sum, INT64_MAX);
  assert_false(tug_quantity_add(6148914691236517206, 6148914691236517206, &sum));
  assert_false(tug_quantity_add(INT64_MIN, -1, &sum));
  assert_int_equal(sum, INT64_MIN);
  int64_t third = 6148914691236517206;
  assert_int_equal(tug_quantity_add_sat(tug_quantity_add_sat(third, third), third), INT64_MAX);
  assert_int_equal(tug_quantity_add_sat(5, 7), 12);
  assert_int_equal(tug_quantity_sub_sat(INT64_MIN, 1), INT64_MIN);
  assert_int_equal(tug_quantity_sub_sat(0, INT64_MIN), INT64_MAX);
  assert_int_equal(tug_quantity_sub_sat(12, 7), 5);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(milli_parses_cpu_forms),
      cmocka_unit_test(value_parses_byte_and_count_forms),
      cmocka_unit_test(milli_rounds_up_to_a_whole_milli_unit),
      cmocka_unit_test(value_rounds_up_to_a_whole_unit),
      cmocka_unit_test(zero_in_any_form_is_zero),
      cmocka_unit_test(decimal_fractions_are_exact_not_floating_point),
      cmocka_unit_test(negative_values_need_the_flag),
      cmocka_unit_test(negative_values_round_away_from_zero),
      cmocka_unit_test(malformed_quantities_are_rejected_naming_the_value),
      cmocka_unit_test(exponent_beyond_int32_is_rejected),
      cmocka_unit_test(milli_accepts_int64_max_and_rejects_one_more),
      cmocka_unit_test(value_accepts_int64_max_and_rejects_one_more),
      cmocka_unit_test(negative_range_mirrors_the_positive_one),
      cmocka_unit_test(format_milli_is_canonical),
      cmocka_unit_test(format_bytes_uses_the_shortest_exact_suffix_binary_on_ties),
      cmocka_unit_test(format_truncates_to_the_buffer),
      cmocka_unit_test(formatted_quantities_parse_back_to_the_same_value),
      cmocka_unit_test(resource_amounts_use_the_unit_their_name_implies),
      cmocka_unit_test(sums_are_checked_or_saturate_at_the_int64_bounds),
  };
  return cmocka_run_group_tests_name("quantity", tests, NULL, NULL);
}
