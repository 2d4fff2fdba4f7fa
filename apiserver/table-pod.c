/*
 * table-pod.c — the pod columns, computed the way kubectl's printPod does.
 *
 * The one idea: STATUS is the most telling reason found while walking the pod.
 * It starts as the phase (or status.reason), an init container that has not
 * finished replaces it ("Init:1/2", "Init:CrashLoopBackOff"), and otherwise the
 * main containers are walked from the last to the first so that the first
 * container's waiting or terminated reason wins ("CrashLoopBackOff",
 * "ContainerCreating", "Completed", "ExitCode:1"). A pod being deleted reads
 * "Terminating". READY counts ready containers, sidecars (init containers with
 * restartPolicy Always) included; RESTARTS sums restartCount and says how long
 * ago the latest restart finished: "3 (5m ago)".
 */
#include "table-internal.h"
#include "table.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "object.h"
#include "pod-rules.h"

/* The reason STATUS shows: a prefix ("Init:" or "") and a text borrowed from the
 * pod or formatted into num. */
typedef struct pod_reason {
  const char *prefix;
  const char *text;
  char num[64];
} pod_reason;

typedef struct pod_view {
  int64_t ready, total, restarts;
  int64_t last_restart; /* latest lastState.terminated.finishedAt, TABLE_ZERO_TIME if none */
  pod_reason reason;
} pod_view;

static void reason_set(pod_reason *r, const char *prefix, const char *text) {
  r->prefix = prefix;
  r->text = text ? text : "";
}

static void reason_setf(pod_reason *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reason_setf(pod_reason *r, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->num, sizeof r->num, fmt, ap);
  va_end(ap);
  r->prefix = "";
  r->text = r->num;
}

static bool reason_is(const pod_reason *r, const char *s) {
  return r->prefix[0] == '\0' && strcmp(r->text, s) == 0;
}

/* "Signal:9" or "ExitCode:1" for a container that ended without a reason. */
static void reason_exit(pod_reason *r, const char *prefix, const json_t *terminated) {
  int64_t signal = tug_obj_get_int(terminated, "signal", 0);
  if (signal != 0)
    reason_setf(r, "%sSignal:%" PRId64, prefix, signal);
  else
    reason_setf(r, "%sExitCode:%" PRId64, prefix, tug_obj_get_int(terminated, "exitCode", 0));
}

static const json_t *container_state(const json_t *status, const char *state) {
  char path[32];
  snprintf(path, sizeof path, "state.%s", state);
  json_t *s = tug_obj_get(status, path);
  return json_is_object(s) ? s : NULL;
}

/* Adds a container status's restarts and remembers its latest finished run. */
static void note_restarts(const json_t *status, int64_t *restarts, int64_t *last) {
  int64_t t;
  *restarts += tug_obj_get_int(status, "restartCount", 0);
  if (table_parse_time(tug_obj_get_str(status, "lastState.terminated.finishedAt"), &t) && t > *last)
    *last = t;
}

/* A sidecar: an init container with restartPolicy Always, found by name. */
static bool init_is_sidecar(const json_t *pod, const char *name) {
  size_t i;
  json_t *c;
  json_array_foreach(tug_obj_get(pod, "spec.initContainers"), i, c) {
    if (strcmp(table_str(c, "name", ""), name ? name : "") == 0)
      return strcmp(table_str(c, "restartPolicy", ""), "Always") == 0;
  }
  return false;
}

static int64_t count_sidecars(const json_t *pod) {
  size_t i;
  json_t *c;
  int64_t n = 0;
  json_array_foreach(tug_obj_get(pod, "spec.initContainers"), i, c) {
    n += strcmp(table_str(c, "restartPolicy", ""), "Always") == 0;
  }
  return n;
}

/* The reason an unfinished init container gives the pod. */
static void init_reason(pod_view *v, const json_t *status, size_t i, size_t n_init) {
  const json_t *terminated = container_state(status, "terminated");
  const char *waiting = tug_obj_get_str(container_state(status, "waiting"), "reason");
  const char *term_reason = table_str(terminated, "reason", NULL);
  if (terminated && term_reason)
    reason_set(&v->reason, "Init:", term_reason);
  else if (terminated)
    reason_exit(&v->reason, "Init:", terminated);
  else if (waiting && *waiting && strcmp(waiting, "PodInitializing") != 0)
    reason_set(&v->reason, "Init:", waiting);
  else
    reason_setf(&v->reason, "Init:%zu/%zu", i, n_init);
}

/* Walks the init containers; true while one of them still holds the pod back.
 * Restarts of sidecars also go to side_restarts and side_last: they keep counting
 * once the pod has started. */
static bool scan_init(const json_t *pod, pod_view *v, int64_t *side_restarts, int64_t *side_last) {
  size_t n_init = json_array_size(tug_obj_get(pod, "spec.initContainers")), i;
  json_t *status;
  json_array_foreach(tug_obj_get(pod, "status.initContainerStatuses"), i, status) {
    bool sidecar = init_is_sidecar(pod, tug_obj_get_str(status, "name"));
    const json_t *terminated = container_state(status, "terminated");
    note_restarts(status, &v->restarts, &v->last_restart);
    if (sidecar)
      note_restarts(status, side_restarts, side_last);
    if (terminated && tug_obj_get_int(terminated, "exitCode", 0) == 0)
      continue;
    if (sidecar && json_is_true(json_object_get(status, "started"))) {
      v->ready += json_is_true(json_object_get(status, "ready"));
      continue;
    }
    init_reason(v, status, i, n_init);
    return true;
  }
  return false;
}

/* Walks the main containers from the last to the first. */
static void scan_containers(const json_t *pod, pod_view *v) {
  json_t *statuses = tug_obj_get(pod, "status.containerStatuses");
  bool running = false;
  for (size_t i = json_array_size(statuses); i-- > 0;) {
    const json_t *status = json_array_get(statuses, i);
    const json_t *terminated = container_state(status, "terminated");
    const char *waiting = table_str(container_state(status, "waiting"), "reason", NULL);
    const char *term_reason = table_str(terminated, "reason", NULL);
    note_restarts(status, &v->restarts, &v->last_restart);
    if (waiting)
      reason_set(&v->reason, "", waiting);
    else if (term_reason)
      reason_set(&v->reason, "", term_reason);
    else if (terminated)
      reason_exit(&v->reason, "", terminated);
    else if (json_is_true(json_object_get(status, "ready")) && container_state(status, "running")) {
      running = true;
      v->ready++;
    }
  }
  /* A completed container next to a running one: the pod is still running. */
  if (running && reason_is(&v->reason, "Completed"))
    reason_set(&v->reason, "",
               table_condition_true(pod, "status.conditions", "Ready") ? "Running" : "NotReady");
}

static bool pod_deleting(const json_t *pod) {
  json_t *ts = tug_obj_get(pod, "metadata.deletionTimestamp");
  return ts != NULL && !json_is_null(ts);
}

static void pod_view_compute(const json_t *pod, pod_view *v) {
  const char *phase = table_str(pod, "status.phase", "");
  const json_t *scheduled = table_condition(pod, "status.conditions", "PodScheduled");
  int64_t side_restarts = 0, side_last = TABLE_ZERO_TIME;
  *v = (pod_view){.last_restart = TABLE_ZERO_TIME};
  v->total = (int64_t)json_array_size(tug_obj_get(pod, "spec.containers")) + count_sidecars(pod);
  reason_set(&v->reason, "", table_str(pod, "status.reason", phase));
  if (strcmp(table_str(scheduled, "reason", ""), "SchedulingGated") == 0)
    reason_set(&v->reason, "", "SchedulingGated");
  bool initializing = scan_init(pod, v, &side_restarts, &side_last);
  if (!initializing || table_condition_true(pod, "status.conditions", "Initialized")) {
    v->restarts = side_restarts;
    v->last_restart = side_last;
    scan_containers(pod, v);
  }
  bool terminal = tug_pod_terminal(pod);
  if (pod_deleting(pod) && strcmp(table_str(pod, "status.reason", ""), "NodeLost") == 0)
    reason_set(&v->reason, "", "Unknown");
  else if (pod_deleting(pod) && !terminal)
    reason_set(&v->reason, "", "Terminating");
}

/* ---- cells ---- */

static json_t *pod_ready(const json_t *pod) {
  pod_view v;
  char buf[64];
  pod_view_compute(pod, &v);
  snprintf(buf, sizeof buf, "%" PRId64 "/%" PRId64, v.ready, v.total);
  return table_text(buf);
}

static json_t *pod_status(const json_t *pod) {
  pod_view v;
  table_buf b = {0};
  pod_view_compute(pod, &v);
  table_buf_add(&b, v.reason.prefix);
  table_buf_add(&b, v.reason.text);
  return table_buf_json(&b, NULL);
}

static json_t *pod_restarts(const json_t *pod) {
  pod_view v;
  char buf[96], ago[32];
  pod_view_compute(pod, &v);
  if (v.restarts != 0 && v.last_restart != TABLE_ZERO_TIME)
    snprintf(buf, sizeof buf, "%" PRId64 " (%s ago)", v.restarts,
             api_human_duration((int64_t)table_now() - v.last_restart, ago, sizeof ago));
  else
    snprintf(buf, sizeof buf, "%" PRId64, v.restarts);
  return table_text(buf);
}

static json_t *pod_ip(const json_t *pod) {
  json_t *ips = tug_obj_get(pod, "status.podIPs");
  if (json_array_size(ips) > 0)
    return table_str_cell(json_array_get(ips, 0), "ip", "<none>");
  return table_str_cell(pod, "status.podIP", "<none>");
}

static json_t *pod_node(const json_t *pod) {
  return table_str_cell(pod, "spec.nodeName", "<none>");
}

static json_t *pod_nominated_node(const json_t *pod) {
  return table_str_cell(pod, "status.nominatedNodeName", "<none>");
}

/* "<none>" without readiness gates, else "true conditions/gates". */
static json_t *pod_readiness_gates(const json_t *pod) {
  json_t *gates = tug_obj_get(pod, "spec.readinessGates");
  size_t n = json_array_size(gates), i, ok = 0;
  json_t *gate;
  char buf[64];
  if (n == 0)
    return table_text("<none>");
  json_array_foreach(gates, i, gate) {
    const char *type = tug_obj_get_str(gate, "conditionType");
    ok += type && table_condition_true(pod, "status.conditions", type);
  }
  snprintf(buf, sizeof buf, "%zu/%zu", ok, n);
  return table_text(buf);
}

json_t *table_pod_row_conditions(const json_t *pod) {
  const char *phase = table_str(pod, "status.phase", "");
  const char *message;
  if (strcmp(phase, "Succeeded") == 0)
    message = "The pod has completed successfully.";
  else if (strcmp(phase, "Failed") == 0)
    message = "The pod failed.";
  else
    return NULL;
  return json_pack("[{s:s, s:s, s:s, s:s}]", "type", "Completed", "status", "True", "reason", phase,
                   "message", message);
}

const api_column api_columns_pod[] = {
    TABLE_COLUMN_NAME,
    {"Ready", "string", "", 0, "The aggregate readiness state of this pod for accepting traffic.",
     pod_ready},
    {"Status", "string", "", 0, "The aggregate status of the containers in this pod.", pod_status},
    {"Restarts", "string", "", 0,
     "The number of times the containers in this pod have been restarted and when the last "
     "container in this pod has restarted.",
     pod_restarts},
    TABLE_COLUMN_AGE,
    {"IP", "string", "", 1,
     "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet "
     "allocated.",
     pod_ip},
    {"Node", "string", "", 1,
     "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate "
     "for scheduling by the scheduler defined in schedulerName.",
     pod_node},
    {"Nominated Node", "string", "", 1,
     "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot "
     "be scheduled right away as preemption victims receive their graceful termination periods.",
     pod_nominated_node},
    {"Readiness Gates", "string", "", 1,
     "If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when "
     "all its containers are ready AND all conditions specified in the readiness gates have "
     "status equal to \"True\"",
     pod_readiness_gates},
    TABLE_COLUMN_END,
};
