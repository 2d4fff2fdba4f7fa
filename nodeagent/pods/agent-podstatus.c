/*
 * agent-podstatus.c — phase, conditions and containerStatuses from the
 * agent's container records. Pure: no clock, no I/O.
 */
#include <stdio.h>
#include <string.h>

#include "agent-initorder.h"
#include "agent-podstatus.h"
#include "agent-time.h"

const char *agent_exit_reason(int exit_code, bool oom_killed) {
  if (oom_killed)
    return "OOMKilled";
  return exit_code == 0 ? "Completed" : "Error";
}

bool agent_ctr_has_run(const agent_ctr_status *c) {
  return c->state != AGENT_CTR_WAITING || c->last.set;
}

/* Counts as the kubelet's getPhase keeps them. */
typedef struct phase_counts {
  size_t pending_init, failed_init, pending_sidecars;
  size_t waiting, running, stopped, succeeded;
} phase_counts;

static void count_init(const agent_ctr_status *c, phase_counts *k) {
  switch (c->state) {
  case AGENT_CTR_RUNNING:
    k->pending_init++;
    break;
  case AGENT_CTR_TERMINATED:
    k->failed_init += c->term.exit_code != 0;
    break;
  case AGENT_CTR_WAITING:
    if (!c->last.set)
      k->pending_init++;
    else
      k->failed_init += c->last.exit_code != 0;
    break;
  }
}

/* A sidecar that ended, or waits to restart, counts for nothing. */
static void count_sidecar(const agent_ctr_status *c, phase_counts *k) {
  if (c->state == AGENT_CTR_RUNNING) {
    k->pending_sidecars += c->unstarted;
    k->running++;
  } else if (c->state == AGENT_CTR_WAITING && !c->last.set) {
    k->pending_sidecars++;
    k->waiting++;
  }
}

static void count_app(const agent_ctr_status *c, phase_counts *k) {
  switch (c->state) {
  case AGENT_CTR_RUNNING:
    k->running++;
    break;
  case AGENT_CTR_TERMINATED:
    k->stopped++;
    k->succeeded += c->term.exit_code == 0;
    break;
  case AGENT_CTR_WAITING:
    /* Waiting to restart after an exit counts as stopped, not as pending. */
    if (c->last.set)
      k->stopped++;
    else
      k->waiting++;
    break;
  }
}

const char *agent_pod_phase(const char *restart_policy, const agent_ctr_status *c, size_t n) {
  phase_counts k = {0};
  size_t apps = 0;
  for (size_t i = 0; i < n; i++) {
    if (c[i].kind == AGENT_CTR_INIT)
      count_init(&c[i], &k);
    else if (c[i].kind == AGENT_CTR_SIDECAR)
      count_sidecar(&c[i], &k);
    else
      count_app(&c[i], &k), apps++;
  }
  const char *policy = restart_policy ? restart_policy : "Always";
  if (k.failed_init > 0 && strcmp(policy, "Never") == 0)
    return "Failed";
  bool initialized = agent_init_plan_compute(restart_policy, c, n).initialized;
  if (k.pending_init > 0 || (k.pending_sidecars > 0 && !initialized) || k.waiting > 0 || apps == 0)
    return "Pending";
  if (k.running > 0)
    return "Running";
  if (k.stopped == 0)
    return "Pending";
  if (strcmp(policy, "Always") == 0)
    return "Running";
  if (k.stopped == k.succeeded)
    return "Succeeded";
  if (strcmp(policy, "Never") == 0)
    return "Failed";
  return "Running";
}

bool agent_ctr_ready(const agent_ctr_status *c) {
  /* The kubelet calls a regular init container ready once it succeeded. */
  if (c->kind == AGENT_CTR_INIT)
    return c->state == AGENT_CTR_TERMINATED && c->term.exit_code == 0;
  return c->state == AGENT_CTR_RUNNING && !c->unready && !c->unstarted;
}

bool agent_pod_containers_ready(const agent_ctr_status *c, size_t n) {
  size_t apps = 0;
  for (size_t i = 0; i < n; i++) {
    apps += c[i].kind == AGENT_CTR_APP;
    if (c[i].kind != AGENT_CTR_INIT && !agent_ctr_ready(&c[i]))
      return false;
  }
  return apps > 0;
}

static json_t *term_json(const agent_ctr_term *t) {
  char started[AGENT_TIME_BUFSIZE], finished[AGENT_TIME_BUFSIZE];
  json_t *o = json_pack("{s:i, s:s}", "exitCode", t->exit_code, "reason", t->reason);
  if (t->message[0])
    json_object_set_new(o, "message", json_string(t->message));
  if (t->started_at)
    json_object_set_new(o, "startedAt",
                        json_string(agent_time_format(t->started_at, started, sizeof started)));
  if (t->finished_at)
    json_object_set_new(o, "finishedAt",
                        json_string(agent_time_format(t->finished_at, finished, sizeof finished)));
  return o;
}

static json_t *state_json(const agent_ctr_status *c) {
  char ts[AGENT_TIME_BUFSIZE];
  switch (c->state) {
  case AGENT_CTR_RUNNING:
    return json_pack("{s:{s:s}}", "running", "startedAt",
                     agent_time_format(c->started_at, ts, sizeof ts));
  case AGENT_CTR_TERMINATED:
    return json_pack("{s:o}", "terminated", term_json(&c->term));
  case AGENT_CTR_WAITING:
    break;
  }
  json_t *w = json_pack("{s:s}", "reason", c->reason[0] ? c->reason : "ContainerCreating");
  if (c->message[0])
    json_object_set_new(w, "message", json_string(c->message));
  return json_pack("{s:o}", "waiting", w);
}

json_t *agent_ctr_status_json(const agent_ctr_status *c) {
  bool running = c->state == AGENT_CTR_RUNNING;
  json_t *last =
      c->last.set ? json_pack("{s:o}", "terminated", term_json(&c->last)) : json_object();
  return json_pack("{s:s, s:s, s:s, s:b, s:b, s:i, s:o, s:o}", "name", c->name, "image", c->image,
                   "imageID", c->image_id, "ready", agent_ctr_ready(c), "started",
                   running && !c->unstarted, "restartCount", c->restart_count, "state",
                   state_json(c), "lastState", last);
}

static json_t *condition(const char *type, bool status, time_t since, const char *reason,
                         const char *message) {
  char ts[AGENT_TIME_BUFSIZE];
  json_t *o =
      json_pack("{s:s, s:s, s:n, s:s}", "type", type, "status", status ? "True" : "False",
                "lastProbeTime", "lastTransitionTime", agent_time_format(since, ts, sizeof ts));
  if (reason)
    json_object_set_new(o, "reason", json_string(reason));
  if (message)
    json_object_set_new(o, "message", json_string(message));
  return o;
}

/* "containers with unready status: [a b]": app containers and sidecars,
 * sidecars first as the kubelet lists them. */
static void unready_message(const agent_pod_status_input *in, char *buf, size_t size) {
  size_t len = (size_t)snprintf(buf, size, "containers with unready status: [");
  const char *sep = "";
  for (size_t i = 0; i < in->n && len < size; i++)
    if (in->ctrs[i].kind != AGENT_CTR_INIT && !agent_ctr_ready(&in->ctrs[i])) {
      len += (size_t)snprintf(buf + len, size - len, "%s%s", sep, in->ctrs[i].name);
      sep = " ";
    }
  if (len < size)
    snprintf(buf + len, size - len, "]");
}

/* The kubelet's Initialized: every regular init container exited 0 and every
 * sidecar started — or an app container ran, which only happens after that.
 * Else "containers with incomplete status: [a b]". */
static json_t *initialized_condition(const agent_pod_status_input *in, const char *phase) {
  time_t since = in->initialized_since ? in->initialized_since : in->start_time;
  bool done = strcmp(phase, "Succeeded") == 0;
  if (agent_init_plan_compute(in->restart_policy, in->ctrs, in->n).initialized || done)
    return condition("Initialized", true, since, done ? "PodCompleted" : NULL, NULL);
  char msg[1024];
  size_t len = (size_t)snprintf(msg, sizeof msg, "containers with incomplete status: [");
  const char *sep = "";
  for (size_t i = 0; i < in->n && len < sizeof msg; i++) {
    const agent_ctr_status *c = &in->ctrs[i];
    bool complete = c->kind == AGENT_CTR_SIDECAR
                        ? c->state == AGENT_CTR_RUNNING && !c->unstarted
                        : c->state == AGENT_CTR_TERMINATED && c->term.exit_code == 0;
    if (c->kind != AGENT_CTR_APP && !complete) {
      len += (size_t)snprintf(msg + len, sizeof msg - len, "%s%s", sep, c->name);
      sep = " ";
    }
  }
  if (len < sizeof msg)
    snprintf(msg + len, sizeof msg - len, "]");
  return condition("Initialized", false, since, "ContainersNotInitialized", msg);
}

static json_t *conditions_json(const agent_pod_status_input *in, const char *phase) {
  bool ready = agent_pod_containers_ready(in->ctrs, in->n);
  bool done = strcmp(phase, "Succeeded") == 0 || strcmp(phase, "Failed") == 0;
  const char *reason = ready ? NULL : done ? "PodCompleted" : "ContainersNotReady";
  char msg[1024];
  unready_message(in, msg, sizeof msg);
  const char *message = ready || done ? NULL : msg;
  return json_pack(
      "[o, o, o, o, o]", condition("PodReadyToStartContainers", true, in->start_time, NULL, NULL),
      initialized_condition(in, phase), condition("Ready", ready, in->ready_since, reason, message),
      condition("ContainersReady", ready, in->ready_since, reason, message),
      condition("PodScheduled", true, in->start_time, NULL, NULL));
}

json_t *agent_pod_status_json(const agent_pod_status_input *in) {
  const char *phase = in->evicted ? "Failed" : agent_pod_phase(in->restart_policy, in->ctrs, in->n);
  char ts[AGENT_TIME_BUFSIZE];
  json_t *statuses = json_array(), *init_statuses = json_array();
  for (size_t i = 0; i < in->n; i++)
    json_array_append_new(in->ctrs[i].kind == AGENT_CTR_APP ? statuses : init_statuses,
                          agent_ctr_status_json(&in->ctrs[i]));
  json_t *status = json_pack(
      "{s:s, s:o, s:s, s:[{s:s}], s:s, s:o}", "phase", phase, "conditions",
      conditions_json(in, phase), "hostIP", in->host_ip, "hostIPs", "ip", in->host_ip, "startTime",
      agent_time_format(in->start_time, ts, sizeof ts), "containerStatuses", statuses);
  if (status && json_array_size(init_statuses) > 0)
    json_object_set(status, "initContainerStatuses", init_statuses);
  json_decref(init_statuses);
  if (status && in->evicted) {
    json_object_set_new(status, "reason", json_string("Evicted"));
    json_object_set_new(status, "message", json_string(in->evicted));
  }
  if (status && in->pod_ip && *in->pod_ip) {
    json_object_set_new(status, "podIP", json_string(in->pod_ip));
    json_object_set_new(status, "podIPs", json_pack("[{s:s}]", "ip", in->pod_ip));
  }
  return status;
}
