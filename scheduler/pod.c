/*
 * pod.c — parsing a Pod object into a sched_pod.
 */
#include "pod.h"

#include <stdlib.h>
#include <string.h>

#include "object.h"
#include "timestamp.h"

const char *sched_pod_node_name(const json_t *obj) {
  const char *n = tug_obj_get_str(obj, "spec.nodeName");
  return n && n[0] ? n : NULL;
}

static int protocol_of(const char *p) {
  if (p && strcmp(p, "UDP") == 0)
    return 1;
  if (p && strcmp(p, "SCTP") == 0)
    return 2;
  return 0;
}

static void parse_ports(sched_pod *p, const json_t *spec) {
  size_t i, j, n = 0;
  json_t *c, *port;
  json_array_foreach(json_object_get(spec, "containers"), i, c) {
    json_array_foreach(json_object_get(c, "ports"), j, port) {
      if (json_integer_value(json_object_get(port, "hostPort")) > 0)
        n++;
    }
  }
  if (n == 0 || (p->ports = calloc(n, sizeof *p->ports)) == NULL)
    return;
  json_array_foreach(json_object_get(spec, "containers"), i, c) {
    json_array_foreach(json_object_get(c, "ports"), j, port) {
      json_int_t hp = json_integer_value(json_object_get(port, "hostPort"));
      if (hp <= 0)
        continue;
      sched_host_port *hpp = &p->ports[p->n_ports++];
      hpp->port = (int)hp;
      hpp->protocol = protocol_of(tug_obj_get_str(port, "protocol"));
      const char *ip = tug_obj_get_str(port, "hostIP");
      snprintf(hpp->ip, sizeof hpp->ip, "%s", ip ? ip : "");
    }
  }
}

static void parse_spread(sched_pod *p, const json_t *spec) {
  json_t *list = json_object_get(spec, "topologySpreadConstraints");
  size_t n = json_array_size(list), i;
  json_t *c;
  if (n == 0 || (p->spread = calloc(n, sizeof *p->spread)) == NULL)
    return;
  json_array_foreach(list, i, c) {
    const char *key = tug_obj_get_str(c, "topologyKey");
    json_t *ls = json_object_get(c, "labelSelector");
    tug_selector *sel = NULL;
    tug_error err;
    if (key == NULL ||
        tug_selector_from_match_labels(json_object_get(ls, "matchLabels"),
                                       json_object_get(ls, "matchExpressions"), &sel, &err) < 0)
      continue;
    sched_spread *s = &p->spread[p->n_spread++];
    s->key = strdup(key);
    s->selector = sel;
    s->max_skew = (int)tug_obj_get_int(c, "maxSkew", 1);
    if (s->max_skew < 1)
      s->max_skew = 1;
    const char *when = tug_obj_get_str(c, "whenUnsatisfiable");
    s->hard = when == NULL || strcmp(when, "ScheduleAnyway") != 0;
  }
}

sched_pod *sched_pod_new(json_t *obj, uint64_t seq) {
  const char *name = tug_obj_name(obj), *ns = tug_obj_namespace(obj);
  if (name == NULL)
    return NULL;
  sched_pod *p = calloc(1, sizeof *p);
  if (p == NULL)
    return NULL;
  if (ns == NULL)
    ns = "default";
  const char *uid = tug_obj_uid(obj);
  p->ns = strdup(ns);
  p->name = strdup(name);
  p->uid = strdup(uid ? uid : "");
  if (asprintf(&p->key, "%s/%s", ns, name) < 0)
    p->key = NULL;
  if (!p->ns || !p->name || !p->uid || !p->key) {
    sched_pod_free(p);
    return NULL;
  }
  p->obj = json_incref(obj);
  p->seq = seq;
  json_t *spec = json_object_get(obj, "spec");
  p->priority = tug_obj_get_int(spec, "priority", 0);
  const char *policy = tug_obj_get_str(spec, "preemptionPolicy");
  p->preempt_never = policy && strcmp(policy, "Never") == 0;
  p->terminating = tug_obj_deletion_timestamp(obj) != NULL;
  p->created = tug_time_parse(tug_obj_get_str(obj, "metadata.creationTimestamp"));
  if (p->created < 0)
    p->created = 0;
  sched_pod_requests(spec, &p->req, &p->nonzero);
  parse_ports(p, spec);
  parse_spread(p, spec);
  return p;
}

void sched_pod_free(sched_pod *p) {
  if (p == NULL)
    return;
  for (size_t i = 0; i < p->n_spread; i++) {
    free(p->spread[i].key);
    tug_selector_free(p->spread[i].selector);
  }
  free(p->spread);
  free(p->ports);
  free(p->preemptor);
  free(p->wait_message);
  json_decref(p->obj);
  free(p->key);
  free(p->ns);
  free(p->name);
  free(p->uid);
  free(p);
}
