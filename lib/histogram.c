/*
 * histogram.c — see histogram.h.
 */
#include "histogram.h"

void tug_histogram_init(tug_histogram *h, const double *bounds, size_t n) {
  h->bounds = bounds;
  h->n = n < TUG_HISTOGRAM_MAX_BUCKETS ? n : TUG_HISTOGRAM_MAX_BUCKETS;
  for (size_t i = 0; i <= TUG_HISTOGRAM_MAX_BUCKETS; i++)
    atomic_init(&h->counts[i], 0);
  atomic_init(&h->count, 0);
  atomic_init(&h->sum_ns, 0);
}

void tug_histogram_observe(tug_histogram *h, double seconds) {
  size_t i = 0;
  while (i < h->n && seconds > h->bounds[i])
    i++;
  atomic_fetch_add(&h->counts[i], 1);
  atomic_fetch_add(&h->count, 1);
  atomic_fetch_add(&h->sum_ns, seconds > 0 ? (uint64_t)(seconds * 1e9) : 0);
}

void tug_histogram_render(tug_histogram *h, FILE *f, const char *name, const char *labels) {
  const char *sep = labels && labels[0] ? "," : "";
  labels = labels ? labels : "";
  uint64_t cum = 0;
  for (size_t i = 0; i <= h->n; i++) {
    cum += atomic_load(&h->counts[i]);
    if (i < h->n)
      fprintf(f, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, labels, sep, h->bounds[i],
              (unsigned long long)cum);
    else
      fprintf(f, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels, sep, (unsigned long long)cum);
  }
  const char *open = labels[0] ? "{" : "", *close = labels[0] ? "}" : "";
  fprintf(f, "%s_sum%s%s%s %.9g\n%s_count%s%s%s %llu\n", name, open, labels, close,
          (double)atomic_load(&h->sum_ns) / 1e9, name, open, labels, close,
          (unsigned long long)atomic_load(&h->count));
}
