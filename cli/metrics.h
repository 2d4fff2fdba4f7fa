/*
 * metrics.h — reading the agents' Prometheus text for `tug top`.
 *
 * The one idea: `tug top` needs only two cAdvisor series per pod,
 * container_cpu_usage_seconds_total and container_memory_working_set_bytes,
 * on the rows whose container label is empty (the pod's own cgroup, as
 * cAdvisor reports it). CPU is a counter, so usage is the rate between two
 * scrapes; memory is read as it is.
 */
#ifndef TUG_CLI_METRICS_H
#define TUG_CLI_METRICS_H

#include <stddef.h>

typedef struct cli_pod_usage {
  char namespace[64];
  char pod[254];
  double cpu_seconds; /* cumulative */
  double memory_bytes;
} cli_pod_usage;

/*
 * Collect the pod-level rows of text (Prometheus exposition format) into *out
 * (malloc'd, *n entries). Unparsable lines are skipped, so any input is safe.
 * Returns 0, or -1 when out of memory.
 */
int cli_metrics_pods(const char *text, cli_pod_usage **out, size_t *n);

/* The value of label key in a "{k=\"v\",...}" label set, unescaped into buf;
 * NULL when absent or malformed. */
const char *cli_metrics_label(const char *labels, const char *key, char *buf, size_t size);

#endif
