/*
 * node-status.c — NodeUnschedulable: no new pods on a node that is not
 * Ready or is cordoned (spec.unschedulable), but for pods that tolerate
 * node.kubernetes.io/unschedulable:NoSchedule on a cordoned one — DaemonSet
 * pods do, as in Kubernetes, so a cordoned node keeps its daemons.
 */
#include "object.h"
#include "plugin.h"
#include "pod-rules.h"

static bool tolerates_unschedulable(const sched_pod *p) {
  size_t i;
  json_t *t;
  json_array_foreach(tug_obj_get(p->obj, "spec.tolerations"), i, t) {
    tug_toleration to;
    tug_toleration_parse(t, &to);
    if (tug_toleration_matches(&to, "node.kubernetes.io/unschedulable", NULL, "NoSchedule"))
      return true;
  }
  return false;
}

static const char *filter(const sched_pod *p, void *state, const sched_node *n) {
  (void)state;
  if (!n->ready)
    return "node(s) were not ready";
  if (n->unschedulable && !tolerates_unschedulable(p))
    return "node(s) were unschedulable";
  return NULL;
}

const sched_plugin sched_plugin_node_status = {.name = "NodeUnschedulable", .filter = filter};
