/*
 * fixtures.c — see fixtures.h.
 */
#include "fixtures.h"

#include <stdio.h>
#include <time.h>

static json_t *resources(const char *cpu, const char *memory) {
  json_t *r = json_object();
  if (cpu && cpu[0])
    json_object_set_new(r, "cpu", json_string(cpu));
  if (memory && memory[0])
    json_object_set_new(r, "memory", json_string(memory));
  return r;
}

json_t *fx_pod(const char *ns, const char *name, const char *cpu, const char *memory,
               int64_t priority, int created) {
  char ts[32];
  time_t t = 1767225600 + created; /* 2026-01-01T00:00:00Z */
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:s}, s:{s:I, s:[{s:s, s:s, s:{s:o}}]}}",
                   "apiVersion", "v1", "kind", "Pod", "metadata", "name", name, "namespace", ns,
                   "uid", name, "creationTimestamp", ts, "spec", "priority", (json_int_t)priority,
                   "containers", "name", "c", "image", "busybox", "resources", "requests",
                   resources(cpu, memory));
}

json_t *fx_node(const char *name, const char *cpu, const char *memory) {
  json_t *alloc = resources(cpu, memory);
  json_object_set_new(alloc, "pods", json_string("110"));
  return json_pack("{s:s, s:s, s:{s:s, s:{}}, s:{}, s:{s:o, s:[{s:s, s:s}]}}", "apiVersion", "v1",
                   "kind", "Node", "metadata", "name", name, "labels", "spec", "status",
                   "allocatable", alloc, "conditions", "type", "Ready", "status", "True");
}

json_t *fx_queue(const char *name, const char *spec_json) {
  json_error_t jerr;
  json_t *spec = json_loads(spec_json, 0, &jerr);
  if (spec == NULL) {
    fprintf(stderr, "fx_queue %s: %s\n", name, jerr.text);
    return NULL;
  }
  return json_pack("{s:s, s:s, s:{s:s}, s:o}", "apiVersion", "scheduling.tug.io/v1", "kind",
                   "Queue", "metadata", "name", name, "spec", spec);
}

sched_pod *fx_sched_pod(const char *ns, const char *name, const char *cpu, const char *memory,
                        int64_t priority, int created) {
  static uint64_t seq;
  json_t *obj = fx_pod(ns, name, cpu, memory, priority, created);
  sched_pod *p = sched_pod_new(obj, ++seq);
  json_decref(obj);
  return p;
}
