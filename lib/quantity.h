/*
 * quantity.h — Kubernetes resource quantities: "500m", "0.5", "128Mi", "1G", "1e3".
 *
 * The grammar is Kubernetes': an optional sign, decimal digits with an optional
 * fraction, then one suffix — binary Ki Mi Gi Ti Pi Ei, decimal n u m k M G T P E
 * (none for units), or a decimal exponent e<int>/E<int> ("2E" alone is exa).
 * Parsing is exact and scales to an int64: milli-units for CPU, whole units for
 * bytes and counts, rounding up (away from zero) like Kubernetes' MilliValue()
 * and Value(). A value that does not fit is an error, never clamped.
 */
#ifndef TUG_QUANTITY_H
#define TUG_QUANTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Flags for the parse functions. Resource requests and limits pass 0. */
enum {
  TUG_QUANTITY_ALLOW_NEGATIVE = 1 << 0,
};

/*
 * Sums of quantities. Every total of requests, limits or usage in Tugboat is
 * added with these: a plain int64 sum of three requests of 6148914691236517206
 * bytes wraps to 2, and an attacker's pod would then count as almost nothing.
 * Where a sum can be refused (validation, quota admission) it is checked;
 * where it cannot (the scheduler's view of a node that already runs such
 * pods) it saturates, so it may over-count but never under-count.
 */
/* a + b into *sum; false (with *sum saturated) when the sum does not fit. */
static inline bool tug_quantity_add(int64_t a, int64_t b, int64_t *sum) {
  if (!__builtin_add_overflow(a, b, sum))
    return true;
  *sum = b > 0 ? INT64_MAX : INT64_MIN;
  return false;
}
/* a + b, clamped to the int64 range. */
static inline int64_t tug_quantity_add_sat(int64_t a, int64_t b) {
  int64_t sum;
  tug_quantity_add(a, b, &sum);
  return sum;
}
/* a - b, clamped to the int64 range. */
static inline int64_t tug_quantity_sub_sat(int64_t a, int64_t b) {
  int64_t diff;
  if (__builtin_sub_overflow(a, b, &diff))
    diff = b > 0 ? INT64_MIN : INT64_MAX;
  return diff;
}

/* Room for any formatted int64 quantity, sign and suffix included. */
#define TUG_QUANTITY_BUFSIZE 32

/* "100m" → 100, "2" → 2000, "0.0001" → 1 (rounded up to a whole milli-unit). */
int tug_quantity_parse_milli(const char *s, unsigned flags, int64_t *out, tug_error *err);

/* "128Mi" → 134217728, "1G" → 1000000000, "0.5" → 1, "100m" → 1 (rounded up). */
int tug_quantity_parse_value(const char *s, unsigned flags, int64_t *out, tug_error *err);

/* 1500 → "1500m", 2000 → "2", 0 → "0". Returns buf. */
const char *tug_quantity_format_milli(int64_t milli, char *buf, size_t size);

/* The largest exact binary suffix ("128Mi", "1Gi"), or the largest exact decimal
 * one when that needs fewer digits ("1G", "500k", "1T" rather than "976562500Ki"),
 * else plain digits. Returns buf. */
const char *tug_quantity_format_bytes(int64_t value, char *buf, size_t size);

/* A ResourceQuota amount in the unit its resource name implies: millicores for
 * names with "cpu" ("requests.cpu"), bytes for "memory", plain values for
 * counts. -1 when s is NULL or not a quantity. */
int tug_quantity_parse_resource(const char *resource, const char *s, int64_t *out);
/* The inverse: "500m", "128Mi", "3". Returns buf. */
const char *tug_quantity_format_resource(const char *resource, int64_t v, char *buf, size_t size);

#endif
