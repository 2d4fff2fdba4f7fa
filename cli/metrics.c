/*
 * metrics.c — the pod rows of an agent's /metrics (see metrics.h).
 */
#include "array.h"
#include "metrics.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *cli_metrics_label(const char *labels, const char *key, char *buf, size_t size) {
  size_t klen = strlen(key);
  const char *p = labels;
  if (size == 0 || *p++ != '{')
    return NULL;
  while (*p && *p != '}') {
    const char *eq = strchr(p, '=');
    if (eq == NULL || eq[1] != '"')
      return NULL;
    bool match = (size_t)(eq - p) == klen && strncmp(p, key, klen) == 0;
    size_t n = 0;
    for (p = eq + 2; *p && *p != '"'; p++) {
      char c = *p;
      if (c == '\\' && p[1]) {
        c = *++p == 'n' ? '\n' : *p;
      }
      if (match && n + 1 < size)
        buf[n++] = c;
    }
    if (*p != '"')
      return NULL;
    if (match) {
      buf[n] = '\0';
      return buf;
    }
    p++;
    if (*p == ',')
      p++;
  }
  return NULL;
}

static cli_pod_usage *find_or_add(cli_pod_usage **v, size_t *n, size_t *cap, const char *ns,
                                  const char *pod) {
  for (size_t i = 0; i < *n; i++)
    if (strcmp((*v)[i].namespace, ns) == 0 && strcmp((*v)[i].pod, pod) == 0)
      return &(*v)[i];
  if (TUG_ARRAY_RESERVE(*v, *cap, *n + 1, 16) < 0)
    return NULL;
  cli_pod_usage *u = &(*v)[(*n)++];
  *u = (cli_pod_usage){0};
  snprintf(u->namespace, sizeof u->namespace, "%s", ns);
  snprintf(u->pod, sizeof u->pod, "%s", pod);
  return u;
}

/* One sample line: name, label set and value; false when it is not one we read. */
static bool sample(const char *line, size_t len, bool *is_cpu, char *labels, size_t lsize,
                   double *value) {
  static const char cpu[] = "container_cpu_usage_seconds_total{";
  static const char mem[] = "container_memory_working_set_bytes{";
  const char *l;
  if (len > sizeof cpu && strncmp(line, cpu, sizeof cpu - 1) == 0)
    *is_cpu = true, l = line + sizeof cpu - 2;
  else if (len > sizeof mem && strncmp(line, mem, sizeof mem - 1) == 0)
    *is_cpu = false, l = line + sizeof mem - 2;
  else
    return false;
  const char *end = memchr(l, '}', len - (size_t)(l - line));
  if (end == NULL || (size_t)(end - l + 2) > lsize)
    return false;
  memcpy(labels, l, (size_t)(end - l + 1));
  labels[end - l + 1] = '\0';
  char num[64];
  size_t nl = len - (size_t)(end + 1 - line);
  if (nl == 0 || nl >= sizeof num)
    return false;
  memcpy(num, end + 1, nl);
  num[nl] = '\0';
  char *stop;
  *value = strtod(num, &stop);
  return stop != num;
}

int cli_metrics_pods(const char *text, cli_pod_usage **out, size_t *n) {
  cli_pod_usage *v = NULL;
  size_t cap = 0;
  *n = 0;
  for (const char *line = text; line && *line;) {
    const char *nl = strchr(line, '\n');
    size_t len = nl ? (size_t)(nl - line) : strlen(line);
    bool is_cpu;
    char labels[1024], ns[64], pod[254], container[254];
    double value;
    if (sample(line, len, &is_cpu, labels, sizeof labels, &value) &&
        cli_metrics_label(labels, "namespace", ns, sizeof ns) &&
        cli_metrics_label(labels, "pod", pod, sizeof pod) &&
        (cli_metrics_label(labels, "container", container, sizeof container) == NULL ||
         container[0] == '\0')) {
      cli_pod_usage *u = find_or_add(&v, n, &cap, ns, pod);
      if (u == NULL) {
        free(v);
        *n = 0;
        return -1;
      }
      if (is_cpu)
        u->cpu_seconds = value;
      else
        u->memory_bytes = value;
    }
    line = nl ? nl + 1 : NULL;
  }
  *out = v;
  return 0;
}
