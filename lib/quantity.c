/*
 * quantity.c — parsing and formatting Kubernetes resource quantities.
 *
 * The one idea: a quantity is kept exactly as ±digits × 10^exp10 × 1024^exp1024,
 * with the digits as a little decimal big-number, so "0.1" is one tenth and not
 * 0.0999…. Scaling to an int64 is then integer arithmetic with overflow checks,
 * and the digits that fall below the unit only decide whether to round up.
 */
#include "quantity.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"

/* The most ×1024 steps a suffix asks for (Ei); each adds at most 4 digits. */
#define QUANTITY_MAX_EXP1024 6
#define QUANTITY_DIGITS_SLACK (4 * QUANTITY_MAX_EXP1024 + 1)

typedef struct {
  bool negative;
  unsigned char *digits; /* values 0..9, least significant first */
  size_t ndigits;
  int64_t exp10;
  int exp1024;
} quantity_parts;

typedef struct {
  const char *name;
  int exp10;
  int exp1024;
} quantity_suffix;

static const quantity_suffix quantity_suffixes[] = {
    {"", 0, 0},   {"n", -9, 0}, {"u", -6, 0}, {"m", -3, 0}, {"k", 3, 0},  {"M", 6, 0},
    {"G", 9, 0},  {"T", 12, 0}, {"P", 15, 0}, {"E", 18, 0}, {"Ki", 0, 1}, {"Mi", 0, 2},
    {"Gi", 0, 3}, {"Ti", 0, 4}, {"Pi", 0, 5}, {"Ei", 0, 6},
};

static bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

static size_t count_digits(const char *s) {
  size_t n = 0;
  while (is_digit(s[n]))
    n++;
  return n;
}

/* Appends s[0..n) to q->digits, which holds them least significant first. */
static void append_digits(quantity_parts *q, const char *s, size_t n, size_t total) {
  for (size_t i = 0; i < n; i++)
    q->digits[total - 1 - q->ndigits - i] = (unsigned char)(s[i] - '0');
  q->ndigits += n;
}

/* Reads "12", "1.5" or ".5" into q and points *rest at what follows. */
static int parse_mantissa(const char *quantity, const char *s, quantity_parts *q, const char **rest,
                          tug_error *err) {
  size_t int_len = count_digits(s);
  const char *frac = s + int_len;
  size_t frac_len = 0;
  if (*frac == '.') {
    frac++;
    frac_len = count_digits(frac);
    if (frac_len == 0)
      return tug_error_set(err, TUG_E_PARSE, "quantity \"%s\": expected digits after \".\"",
                           quantity);
  }
  if (int_len + frac_len == 0)
    return tug_error_set(err, TUG_E_PARSE, "quantity \"%s\": expected digits, found \"%s\"",
                         quantity, s);
  append_digits(q, s, int_len, int_len + frac_len);
  append_digits(q, frac, frac_len, int_len + frac_len);
  q->exp10 = -(int64_t)frac_len;
  *rest = frac + frac_len;
  return 0;
}

/* Reads the "3", "-3" or "+3" of "1e3"; Kubernetes allows an int32 here. */
static int parse_exponent(const char *quantity, const char *suffix, int64_t *out, tug_error *err) {
  const char *p = suffix + 1;
  bool negative = *p == '-';
  if (*p == '-' || *p == '+')
    p++;
  size_t n = count_digits(p);
  if (n == 0 || p[n] != '\0')
    return tug_error_set(err, TUG_E_PARSE,
                         "quantity \"%s\": bad exponent \"%s\": expected an integer after \"%c\"",
                         quantity, suffix, suffix[0]);
  int64_t v = 0;
  for (size_t i = 0; i < n; i++) {
    v = v * 10 + (p[i] - '0');
    if (v > INT32_MAX)
      return tug_error_set(err, ERANGE, "quantity \"%s\": exponent \"%s\" is out of range",
                           quantity, suffix);
  }
  *out = negative ? -v : v;
  return 0;
}

static int parse_suffix(const char *quantity, const char *suffix, quantity_parts *q,
                        tug_error *err) {
  for (size_t i = 0; i < sizeof quantity_suffixes / sizeof quantity_suffixes[0]; i++) {
    if (strcmp(suffix, quantity_suffixes[i].name) == 0) {
      q->exp10 += quantity_suffixes[i].exp10;
      q->exp1024 = quantity_suffixes[i].exp1024;
      return 0;
    }
  }
  if (suffix[0] != 'e' && suffix[0] != 'E')
    return tug_error_set(err, TUG_E_PARSE, "quantity \"%s\": unknown suffix \"%s\"", quantity,
                         suffix);
  int64_t exp = 0;
  if (parse_exponent(quantity, suffix, &exp, err) < 0)
    return -1;
  q->exp10 += exp;
  return 0;
}

static bool parts_are_zero(const quantity_parts *q) {
  for (size_t i = 0; i < q->ndigits; i++)
    if (q->digits[i] != 0)
      return false;
  return true;
}

/* Multiplies the digits by 1024^exp1024; the buffer has room for the growth. */
static void multiply_by_1024s(quantity_parts *q) {
  for (int k = 0; k < q->exp1024; k++) {
    unsigned carry = 0;
    for (size_t i = 0; i < q->ndigits; i++) {
      unsigned t = q->digits[i] * 1024u + carry;
      q->digits[i] = (unsigned char)(t % 10);
      carry = t / 10;
    }
    for (; carry > 0; carry /= 10)
      q->digits[q->ndigits++] = (unsigned char)(carry % 10);
  }
  q->exp1024 = 0;
}

/* |digits × 10^shift|, rounded up to an integer; -1 when it does not fit in int64. */
static int parts_to_int64(const quantity_parts *q, int64_t shift, int64_t *out) {
  int64_t v = 0;
  bool below_unit = false;
  for (size_t i = q->ndigits; i-- > 0;) {
    if ((int64_t)i + shift < 0) {
      below_unit |= q->digits[i] != 0;
      continue;
    }
    if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, q->digits[i], &v))
      return -1;
  }
  /* v == 0 stops the loop, so "0e2000000000" does not spin. */
  for (int64_t k = shift; k > 0 && v != 0; k--)
    if (__builtin_mul_overflow(v, 10, &v))
      return -1;
  if (below_unit && __builtin_add_overflow(v, 1, &v))
    return -1;
  *out = v;
  return 0;
}

static int parse_parts(const char *s, quantity_parts *q, tug_error *err) {
  if (strpbrk(s, " \t\n\r\f\v") != NULL)
    return tug_error_set(err, TUG_E_PARSE, "quantity \"%s\": contains whitespace", s);
  const char *p = s;
  q->negative = *p == '-';
  if (*p == '-' || *p == '+')
    p++;
  const char *suffix = NULL;
  if (parse_mantissa(s, p, q, &suffix, err) < 0)
    return -1;
  return parse_suffix(s, suffix, q, err);
}

/* Parses s and returns value × 10^scale, rounded up (away from zero). */
static int quantity_parse_scaled(const char *s, int scale, unsigned flags, int64_t *out,
                                 tug_error *err) {
  if (s == NULL || *s == '\0')
    return tug_error_set(err, TUG_E_PARSE, "quantity \"\": empty");
  _cleanup_free_ unsigned char *digits = malloc(strlen(s) + QUANTITY_DIGITS_SLACK);
  if (digits == NULL)
    return tug_error_errno(err, ENOMEM, "quantity \"%s\"", s);
  quantity_parts q = {.digits = digits};
  if (parse_parts(s, &q, err) < 0)
    return -1;
  if (parts_are_zero(&q)) {
    *out = 0;
    return 0;
  }
  if (q.negative && !(flags & TUG_QUANTITY_ALLOW_NEGATIVE))
    return tug_error_set(err, ERANGE, "quantity \"%s\": must not be negative", s);
  multiply_by_1024s(&q);
  int64_t v;
  if (parts_to_int64(&q, q.exp10 + scale, &v) < 0)
    return tug_error_set(err, ERANGE, "quantity \"%s\": too large (at most %" PRId64 "%s)", s,
                         INT64_MAX, scale == 3 ? "m" : "");
  *out = q.negative ? -v : v;
  return 0;
}

int tug_quantity_parse_milli(const char *s, unsigned flags, int64_t *out, tug_error *err) {
  return quantity_parse_scaled(s, 3, flags, out, err);
}

int tug_quantity_parse_value(const char *s, unsigned flags, int64_t *out, tug_error *err) {
  return quantity_parse_scaled(s, 0, flags, out, err);
}

const char *tug_quantity_format_milli(int64_t milli, char *buf, size_t size) {
  if (milli % 1000 == 0)
    snprintf(buf, size, "%" PRId64, milli / 1000);
  else
    snprintf(buf, size, "%" PRId64 "m", milli);
  return buf;
}

static int64_t suffix_unit(const quantity_suffix *sfx) {
  int64_t unit = 1;
  for (int k = 0; k < sfx->exp1024; k++)
    unit *= 1024;
  for (int k = 0; k < sfx->exp10; k++)
    unit *= 10;
  return unit;
}

/* The largest binary (or decimal) multiplier suffix that divides value, or NULL. */
static const quantity_suffix *largest_exact_suffix(int64_t value, bool binary, int64_t *mantissa) {
  for (size_t i = sizeof quantity_suffixes / sizeof quantity_suffixes[0]; i-- > 0;) {
    const quantity_suffix *sfx = &quantity_suffixes[i];
    bool is_binary = sfx->exp1024 > 0;
    if (is_binary != binary || (!is_binary && sfx->exp10 <= 0))
      continue;
    int64_t unit = suffix_unit(sfx);
    if (value % unit == 0) {
      *mantissa = value / unit;
      return sfx;
    }
  }
  return NULL;
}

static int count_decimal_digits(int64_t v) {
  int n = 1;
  for (; v / 10 != 0; v /= 10)
    n++;
  return n;
}

/* Of the exact binary and decimal forms the one with fewer digits wins, binary on a
 * tie: 128Mi and 1000Ki stay binary, while 10^12 is "1T" and not "976562500Ki". */
const char *tug_quantity_format_bytes(int64_t value, char *buf, size_t size) {
  int64_t bin = value, dec = value;
  const quantity_suffix *bin_sfx = value ? largest_exact_suffix(value, true, &bin) : NULL;
  const quantity_suffix *dec_sfx = value ? largest_exact_suffix(value, false, &dec) : NULL;
  if (bin_sfx && (!dec_sfx || count_decimal_digits(bin) <= count_decimal_digits(dec)))
    snprintf(buf, size, "%" PRId64 "%s", bin, bin_sfx->name);
  else if (dec_sfx)
    snprintf(buf, size, "%" PRId64 "%s", dec, dec_sfx->name);
  else
    snprintf(buf, size, "%" PRId64, value);
  return buf;
}

int tug_quantity_parse_resource(const char *resource, const char *s, int64_t *out) {
  if (s == NULL)
    return -1;
  return strstr(resource, "cpu") ? tug_quantity_parse_milli(s, 0, out, NULL)
                                 : tug_quantity_parse_value(s, 0, out, NULL);
}

const char *tug_quantity_format_resource(const char *resource, int64_t v, char *buf,
                                         size_t size) {
  if (strstr(resource, "cpu"))
    return tug_quantity_format_milli(v, buf, size);
  if (strstr(resource, "memory"))
    return tug_quantity_format_bytes(v, buf, size);
  snprintf(buf, size, "%lld", (long long)v);
  return buf;
}
