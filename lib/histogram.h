/*
 * histogram.h — a Prometheus latency histogram, lock-free.
 *
 * Fixed upper bounds (seconds, ascending, at most TUG_HISTOGRAM_MAX_BUCKETS)
 * and atomic counters, so any thread may observe while a scrape renders.
 * Rendering writes the text exposition format: cumulative _bucket lines with
 * le="..." (the last "+Inf"), then _sum and _count.
 */
#ifndef TUG_HISTOGRAM_H
#define TUG_HISTOGRAM_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum { TUG_HISTOGRAM_MAX_BUCKETS = 16 };

typedef struct tug_histogram {
  const double *bounds; /* borrowed: a static table */
  size_t n;
  _Atomic uint64_t counts[TUG_HISTOGRAM_MAX_BUCKETS + 1]; /* per bucket; the last is +Inf */
  _Atomic uint64_t count, sum_ns;
} tug_histogram;

/* Bounds beyond TUG_HISTOGRAM_MAX_BUCKETS are ignored. */
void tug_histogram_init(tug_histogram *h, const double *bounds, size_t n);
void tug_histogram_observe(tug_histogram *h, double seconds);
/* labels: NULL, or the inside of the braces ("verb=\"GET\""). */
void tug_histogram_render(tug_histogram *h, FILE *f, const char *name, const char *labels);

#endif
