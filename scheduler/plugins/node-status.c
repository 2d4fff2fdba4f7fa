/*
 * node-status.c — NodeUnschedulable: no new pods on a node that is not
 * Ready or is cordoned (spec.unschedulable).
 */
#include "plugin.h"

static const char *filter(const sched_pod *p, void *state, const sched_node *n) {
  (void)p, (void)state;
  if (!n->ready)
    return "node(s) were not ready";
  if (n->unschedulable)
    return "node(s) were unschedulable";
  return NULL;
}

const sched_plugin sched_plugin_node_status = {.name = "NodeUnschedulable", .filter = filter};
