/*
 * agent-probe.h — container probes: their spec, a pure state machine per
 * probe, and a runner that performs one probe off the pod worker's thread.
 *
 * The one idea: a pod worker never waits for a probe. On each sync it asks
 * the state machine whether a probe is due (initial delay, then every
 * period), starts a run in a short-lived thread, and on a later sync collects
 * the run's outcome and feeds it back, learning whether the probe's result
 * changed (successThreshold / failureThreshold consecutive outcomes). HTTP
 * and TCP runs join the pod sandbox's network namespace in their own thread
 * only (setns on a net namespace affects the calling thread alone).
 */
#ifndef TUG_AGENT_PROBE_H
#define TUG_AGENT_PROBE_H

#include <jansson.h>
#include <stdbool.h>

#include "error.h"
#include "runtime.h"

typedef enum {
  AGENT_PROBE_NONE,
  AGENT_PROBE_HTTP,
  AGENT_PROBE_TCP,
  AGENT_PROBE_EXEC,
  AGENT_PROBE_INVALID /* present but unusable (e.g. HTTPS): every run fails */
} agent_probe_kind;

typedef struct agent_probe_spec {
  agent_probe_kind kind;
  char host[256]; /* httpGet.host; default 127.0.0.1 (pods have no IP of their own yet) */
  char path[1024];
  int port;
  char **headers; /* "Name: value", NULL-terminated, owned; NULL: none */
  char **command; /* exec.command, NULL-terminated, owned */
  int initial_delay, period, timeout, failure_threshold, success_threshold; /* seconds / counts */
} agent_probe_spec;

/* Parse ctr[field] ("livenessProbe", "readinessProbe", "startupProbe") of a
 * spec.containers[] entry. Absent: kind NONE. A named port is looked up in
 * ctr.ports[]. An unusable probe is kind INVALID with the reason in err. */
int agent_probe_spec_parse(const json_t *ctr, const char *field, agent_probe_spec *out,
                           tug_error *err);
void agent_probe_spec_free(agent_probe_spec *s);

typedef enum {
  AGENT_PROBE_UNKNOWN, /* not yet decided: neither threshold reached */
  AGENT_PROBE_SUCCESS,
  AGENT_PROBE_FAILURE
} agent_probe_result;

/* One probe's progress on one run of its container. Times are monotonic seconds. */
typedef struct agent_probe_state {
  double next_run;
  int successes, failures; /* consecutive */
  agent_probe_result result;
} agent_probe_state;

/* The container (re)started at now: first run after the initial delay. */
void agent_probe_reset(agent_probe_state *st, const agent_probe_spec *s, double now);
/* Whether a run is due at now. */
bool agent_probe_due(const agent_probe_state *st, double now);
/* A run starts at now: the next one is a period later, whatever it takes. */
void agent_probe_started(agent_probe_state *st, const agent_probe_spec *s, double now);
/* Feed a run's outcome; true when st->result changed. */
bool agent_probe_record(agent_probe_state *st, const agent_probe_spec *s, bool success);

/* One probe run in flight. Shared by its thread and the pod; the last of the
 * two to let go frees it. */
typedef struct agent_probe_run agent_probe_run;

/* Start a run of s against container c of sandbox sb. Forks (exec) or opens
 * the sandbox's net namespace, then hands the waiting to a detached thread.
 * s must outlive the run only until this returns. *out is always set: a run
 * that could not start is a finished, failed run (and -1 returned, err set);
 * an unusable (INVALID) probe gives such a run without an error. */
int agent_probe_run_start(const agent_probe_spec *s, agent_sandbox *sb, agent_container *c,
                          agent_probe_run **out, tug_error *err);
/* Whether the run finished; its outcome and, on failure, why. */
bool agent_probe_run_done(agent_probe_run *r, bool *success, char *why, size_t size);
/* Let go of a run, finished or not. */
void agent_probe_run_release(agent_probe_run *r);

#endif
