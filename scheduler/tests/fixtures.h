/*
 * fixtures.h — objects for the scheduler's unit tests, built in one call.
 */
#ifndef SCHED_TEST_FIXTURES_H
#define SCHED_TEST_FIXTURES_H

#include <jansson.h>
#include <stdint.h>

#include "pod.h"

/* A pending Pod in ns with one container requesting cpu/memory ("" for none);
 * created `created` seconds after 2026-01-01T00:00:00Z. */
json_t *fx_pod(const char *ns, const char *name, const char *cpu, const char *memory,
               int64_t priority, int created);
/* A Ready Node with allocatable cpu, memory and 110 pods. */
json_t *fx_node(const char *name, const char *cpu, const char *memory);
/* A Queue from a JSON text of its spec. */
json_t *fx_queue(const char *name, const char *spec_json);
/* sched_pod_new(fx_pod(...)) with a growing sequence number. */
sched_pod *fx_sched_pod(const char *ns, const char *name, const char *cpu, const char *memory,
                        int64_t priority, int created);

#endif
