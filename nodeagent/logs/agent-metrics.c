/*
 * agent-metrics.c — the agent's Prometheus metrics (see agent-metrics.h).
 *
 * Figures are gathered first, one row per cgroup, and then written family by
 * family: the text format wants every sample of a metric together.
 */
#include "agent-metrics.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent-logs.h"
#include "cleanup.h"

enum { NAME_MAX_LEN = 254 };

typedef struct row {
  char ns[NAME_MAX_LEN], pod[NAME_MAX_LEN], container[NAME_MAX_LEN];
  agent_container_stats st;
} row;

typedef struct rows {
  row *v;
  size_t n, cap;
  size_t pods;
  agent_cgroup_mode mode;
} rows;

bool agent_metrics_pod_dir(const char *name, char *ns, char *pod, char *uid, size_t size) {
  const char *a = strchr(name, '_'), *b = strrchr(name, '_');
  if (a == NULL || a == b || a == name || b[1] == '\0' || b == a + 1)
    return false;
  size_t lns = (size_t)(a - name), lpod = (size_t)(b - a - 1), luid = strlen(b + 1);
  if (lns >= size || lpod >= size || luid >= size)
    return false;
  snprintf(ns, size, "%.*s", (int)lns, name);
  snprintf(pod, size, "%.*s", (int)lpod, a + 1);
  snprintf(uid, size, "%s", b + 1);
  return true;
}

static row *add_row(rows *rs) {
  if (rs->n == rs->cap) {
    size_t cap = rs->cap ? rs->cap * 2 : 16;
    row *v = realloc(rs->v, cap * sizeof *v);
    if (v == NULL)
      return NULL;
    rs->v = v;
    rs->cap = cap;
  }
  row *r = &rs->v[rs->n++];
  memset(r, 0, sizeof *r);
  return r;
}

static void add_containers(rows *rs, const char *dir, const row *pod, const char *uid) {
  DIR *d = opendir(dir);
  if (d == NULL)
    return;
  struct dirent *e;
  char name[NAME_MAX_LEN], cg[NAME_MAX_LEN * 2 + 8];
  while ((e = readdir(d)) != NULL) {
    if (!agent_logs_container_of(e->d_name, name, sizeof name))
      continue;
    snprintf(cg, sizeof cg, "tug/%s/%s", uid, name);
    agent_container_stats st;
    if (agent_cgroup_stats(rs->mode, cg, &st, NULL) < 0)
      continue;
    row *r = add_row(rs);
    if (r == NULL)
      break;
    *r = *pod;
    snprintf(r->container, sizeof r->container, "%s", name);
    r->st = st;
  }
  closedir(d);
}

static void add_pod(const char *dir, const char *name, void *arg) {
  rows *rs = arg;
  char uid[NAME_MAX_LEN], cg[NAME_MAX_LEN + 8];
  row pod = {0};
  if (!agent_metrics_pod_dir(name, pod.ns, pod.pod, uid, sizeof uid))
    return;
  snprintf(cg, sizeof cg, "tug/%s", uid);
  if (agent_cgroup_stats(rs->mode, cg, &pod.st, NULL) < 0)
    return;
  row *r = add_row(rs);
  if (r == NULL)
    return;
  *r = pod;
  rs->pods++;
  add_containers(rs, dir, &pod, uid);
}

static void put_value(FILE *f, const char *s) {
  for (; *s; s++) {
    if (*s == '\\' || *s == '"')
      fputc('\\', f);
    if (*s == '\n')
      fputs("\\n", f);
    else
      fputc(*s, f);
  }
}

static void put_labels(FILE *f, const row *r) {
  fputs("{namespace=\"", f);
  put_value(f, r->ns);
  fputs("\",pod=\"", f);
  put_value(f, r->pod);
  fputs("\",container=\"", f);
  put_value(f, r->container);
  fputs("\"}", f);
}

typedef enum { CPU_SECONDS, MEMORY, THROTTLED, OOM } figure;

static double value_of(const agent_container_stats *st, figure what) {
  switch (what) {
  case CPU_SECONDS:
    return (double)st->cpu_usage_ns / 1e9;
  case MEMORY:
    return (double)st->memory_usage;
  case THROTTLED:
    return (double)st->cpu_nr_throttled;
  case OOM:
    return (double)st->oom_kills;
  }
  return 0;
}

static void family(FILE *f, const rows *rs, const char *name, const char *type, const char *help,
                   figure what) {
  fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
  for (size_t i = 0; i < rs->n; i++) {
    fputs(name, f);
    put_labels(f, &rs->v[i]);
    fprintf(f, " %.9g\n", value_of(&rs->v[i].st, what));
  }
}

/* Node totals: the pods' own cgroups (container ""), which hold their containers. */
static void node_totals(FILE *f, const rows *rs) {
  double cpu = 0, mem = 0;
  for (size_t i = 0; i < rs->n; i++) {
    if (rs->v[i].container[0] == '\0') {
      cpu += value_of(&rs->v[i].st, CPU_SECONDS);
      mem += value_of(&rs->v[i].st, MEMORY);
    }
  }
  fprintf(f,
          "# HELP tug_node_pods Pods with a cgroup on this node.\n# TYPE tug_node_pods gauge\n"
          "tug_node_pods %zu\n",
          rs->pods);
  fprintf(f,
          "# HELP tug_node_cpu_usage_seconds_total Cpu time of all pods on this node.\n"
          "# TYPE tug_node_cpu_usage_seconds_total counter\n"
          "tug_node_cpu_usage_seconds_total %.9g\n",
          cpu);
  fprintf(f,
          "# HELP tug_node_memory_working_set_bytes Memory of all pods on this node.\n"
          "# TYPE tug_node_memory_working_set_bytes gauge\n"
          "tug_node_memory_working_set_bytes %.9g\n",
          mem);
}

int agent_metrics_render(const char *root, agent_cgroup_mode mode, char **out, size_t *len,
                         tug_error *err) {
  rows rs = {.mode = mode};
  agent_logs_each_pod(root, add_pod, &rs);
  FILE *f = open_memstream(out, len);
  if (f == NULL) {
    free(rs.v);
    return tug_error_errno(err, errno, "render metrics");
  }
  family(f, &rs, "container_cpu_usage_seconds_total", "counter",
         "Cumulative cpu time consumed in seconds.", CPU_SECONDS);
  family(f, &rs, "container_memory_working_set_bytes", "gauge",
         "Current working set in bytes (the cgroup's usage, page cache included).", MEMORY);
  family(f, &rs, "container_memory_usage_bytes", "gauge",
         "Current memory usage in bytes, page cache included.", MEMORY);
  family(f, &rs, "container_cpu_cfs_throttled_periods_total", "counter",
         "Number of throttled cfs periods.", THROTTLED);
  family(f, &rs, "container_oom_events_total", "counter",
         "Count of out of memory events observed for the container.", OOM);
  node_totals(f, &rs);
  free(rs.v);
  if (fclose(f) != 0)
    return tug_error_errno(err, errno, "render metrics");
  return 0;
}
