/*
 * agent-podstatus.h — a pod's status computed from its containers' states.
 *
 * The one idea: the agent keeps, per container, the same three-way state the
 * API shows (waiting, running, terminated, plus the last termination), and
 * everything else — phase, conditions, containerStatuses — is a pure function
 * of those records, so it can be recomputed on every check and sent only when
 * it differs from what was sent last.
 */
#ifndef TUG_AGENT_PODSTATUS_H
#define TUG_AGENT_PODSTATUS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

typedef enum { AGENT_CTR_WAITING, AGENT_CTR_RUNNING, AGENT_CTR_TERMINATED } agent_ctr_state;

/* An app container (spec.containers), a regular init container, or a sidecar
 * (an init container with restartPolicy Always). */
typedef enum { AGENT_CTR_APP, AGENT_CTR_INIT, AGENT_CTR_SIDECAR } agent_ctr_kind;

typedef struct agent_ctr_term {
  bool set;
  int exit_code;
  char reason[32]; /* "Completed", "Error", "OOMKilled", "StartError" */
  char message[512];
  time_t started_at, finished_at; /* 0: unknown */
} agent_ctr_term;

typedef struct agent_ctr_status {
  agent_ctr_kind kind;
  char name[128];
  char image[256];
  char image_id[256];
  agent_ctr_state state;
  char reason[32]; /* waiting: "ContainerCreating", "CrashLoopBackOff", ... */
  char message[512];
  time_t started_at;   /* running */
  agent_ctr_term term; /* state.terminated */
  agent_ctr_term last; /* lastState.terminated */
  int restart_count;
  /* Probes hold a running container back; zero (no probes) means running is
   * started and ready. */
  bool unstarted; /* its startup probe has not succeeded yet */
  bool unready;   /* its readiness probe has not succeeded (or a startup probe holds it) */
} agent_ctr_status;

/* The reason of a termination: "OOMKilled", "Completed" (exit 0) or "Error". */
const char *agent_exit_reason(int exit_code, bool oom_killed);

/* The container ran at least once: it runs, ended, or waits to restart. */
bool agent_ctr_has_run(const agent_ctr_status *c);

/* Kubernetes' getPhase: "Pending", "Running", "Succeeded" or "Failed". c
 * holds the init containers first, in spec order, then the app containers;
 * a sidecar that ended counts for nothing, so a Job's pod succeeds on its app
 * containers alone. */
const char *agent_pod_phase(const char *restart_policy, const agent_ctr_status *c, size_t n);

/* A container is ready when it runs and no probe holds it back; a regular
 * init container, once it exited 0. */
bool agent_ctr_ready(const agent_ctr_status *c);
/* Every app container and every sidecar is ready (regular init containers
 * do not count). */
bool agent_pod_containers_ready(const agent_ctr_status *c, size_t n);

typedef struct agent_pod_status_input {
  const char *restart_policy; /* NULL: Always */
  const agent_ctr_status *ctrs;
  size_t n;
  const char *host_ip;
  const char *pod_ip;       /* NULL or "": none (no pod network) */
  time_t start_time;        /* also when PodScheduled and PodReadyToStartContainers turned true */
  time_t initialized_since; /* when Initialized last changed; 0: start_time */
  time_t ready_since;       /* when ContainersReady/Ready last changed */
  const char *evicted; /* NULL: not evicted; else the message of phase Failed, reason Evicted */
} agent_pod_status_input;

/* The pod's status object: phase, conditions, hostIP(s), startTime,
 * initContainerStatuses (when the pod has init containers) and
 * containerStatuses. A new reference. */
json_t *agent_pod_status_json(const agent_pod_status_input *in);

/* One containerStatuses[] entry. A new reference. */
json_t *agent_ctr_status_json(const agent_ctr_status *c);

#endif
