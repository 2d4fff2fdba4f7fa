/*
 * agent-hollow.c — hollow nodes' pure rules (names, run time, the status a
 * hollow pod reports) and the wiring of their two halves: the nodes'
 * heartbeats (agent-hollow-nodes.c) and the pod controller
 * (agent-hollow-pods.c).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent-hollow.h"
#include "agent-podstatus.h"
#include "log.h"
#include "object.h"

struct agent_hollow {
  agent_hollow_nodes *nodes;
  agent_hollow_pods *pods;
  agent_hollow_identities *identities; /* NULL: every node writes as the agent */
};

double agent_hollow_next_beat(double t0, double period, double offset, double now) {
  double k = floor((now - t0 - offset) / period) + 1;
  return t0 + offset + k * period;
}

void agent_hollow_node_name(const char *prefix, int i, char *buf, size_t size) {
  snprintf(buf, size, "%s-%d", prefix, i);
}

int agent_hollow_node_index(const char *prefix, int count, const char *name) {
  size_t n = strlen(prefix);
  if (name == NULL || strncmp(name, prefix, n) != 0 || name[n] != '-')
    return -1;
  const char *d = name + n + 1;
  if (!isdigit((unsigned char)d[0]) || (d[0] == '0' && d[1] != '\0'))
    return -1;
  long v = 0;
  for (; isdigit((unsigned char)*d); d++) {
    v = v * 10 + (*d - '0');
    if (v >= count)
      return -1;
  }
  return *d == '\0' ? (int)v : -1;
}

long agent_hollow_run_seconds(const json_t *pod, long default_seconds) {
  const char *policy = tug_obj_get_str(pod, "spec.restartPolicy");
  if (policy == NULL || (strcmp(policy, "Never") != 0 && strcmp(policy, "OnFailure") != 0))
    return -1;
  const char *a = tug_obj_annotation(pod, AGENT_HOLLOW_RUN_SECONDS_ANNOTATION);
  if (a) {
    char *end;
    errno = 0;
    long v = strtol(a, &end, 10);
    if (errno == 0 && end != a && *end == '\0' && isdigit((unsigned char)a[0]) &&
        v <= AGENT_HOLLOW_MAX_RUN_SECONDS)
      return v;
  }
  return default_seconds;
}

static void ctr_status(const json_t *spec, time_t started, time_t finished, agent_ctr_status *c) {
  const char *name = tug_obj_get_str(spec, "name"), *image = tug_obj_get_str(spec, "image");
  snprintf(c->name, sizeof c->name, "%s", name ? name : "");
  snprintf(c->image, sizeof c->image, "%s", image ? image : "");
  snprintf(c->image_id, sizeof c->image_id, "hollow://%s", c->image);
  c->started_at = started;
  if (finished == 0) {
    c->state = AGENT_CTR_RUNNING;
    return;
  }
  c->state = AGENT_CTR_TERMINATED;
  c->term = (agent_ctr_term){.set = true, .started_at = started, .finished_at = finished};
  snprintf(c->term.reason, sizeof c->term.reason, "%s", agent_exit_reason(0, false));
}

json_t *agent_hollow_pod_status(const json_t *pod, const char *host_ip, const char *pod_ip,
                                time_t started, time_t finished) {
  json_t *ctrs = tug_obj_get(pod, "spec.containers");
  size_t n = json_is_array(ctrs) ? json_array_size(ctrs) : 0;
  agent_ctr_status *st = calloc(n ? n : 1, sizeof *st);
  if (st == NULL)
    return NULL;
  for (size_t i = 0; i < n; i++)
    ctr_status(json_array_get(ctrs, i), started, finished, &st[i]);
  agent_pod_status_input in = {.restart_policy = tug_obj_get_str(pod, "spec.restartPolicy"),
                               .ctrs = st,
                               .n = n,
                               .host_ip = host_ip,
                               .start_time = started,
                               .ready_since = finished ? finished : started};
  json_t *status = agent_pod_status_json(&in);
  free(st);
  if (status) {
    json_object_set_new(status, "podIP", json_string(pod_ip));
    json_object_set_new(status, "podIPs", json_pack("[{s:s}]", "ip", pod_ip));
  }
  return status;
}

int agent_hollow_start(const agent_hollow_options *o, agent_hollow **out, tug_error *err) {
  if (o->count < 1 || o->count > AGENT_HOLLOW_MAX_NODES)
    return tug_error_set(err, EINVAL, "hollow node count %d: want 1 to %d", o->count,
                         AGENT_HOLLOW_MAX_NODES);
  if (o->prefix == NULL || o->prefix[0] == '\0' || strlen(o->prefix) > AGENT_HOLLOW_MAX_PREFIX)
    return tug_error_set(err, EINVAL, "hollow node name prefix: want 1 to %d characters",
                         AGENT_HOLLOW_MAX_PREFIX);
  agent_hollow *h = calloc(1, sizeof *h);
  if (h == NULL)
    return tug_error_errno(err, ENOMEM, "allocate hollow agent");
  agent_hollow_options with = *o;
  if (o->node_ca_dir && agent_hollow_identities_new(o, &h->identities, err) < 0) {
    free(h);
    return -1;
  }
  with.identities = h->identities;
  if (agent_hollow_nodes_start(&with, &h->nodes, err) < 0 ||
      agent_hollow_pods_start(&with, &h->pods, err) < 0) {
    agent_hollow_stop(h);
    return -1;
  }
  *out = h;
  return 0;
}

void agent_hollow_stop(agent_hollow *h) {
  if (h == NULL)
    return;
  if (h->pods)
    agent_hollow_pods_stop(h->pods);
  if (h->nodes)
    agent_hollow_nodes_stop(h->nodes);
  agent_hollow_identities_free(h->identities); /* after the threads that use it */
  free(h);
}
