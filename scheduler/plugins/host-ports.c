/*
 * host-ports.c — NodePorts: a hostPort (port, protocol) is taken on a node
 * when a pod there uses it on the same address or either uses all of them.
 */
#include <string.h>

#include "plugin.h"

static int prepare(const sched_cache *c, const sched_pod *p, void **state) {
  (void)c, (void)state;
  return p->n_ports ? 0 : 1;
}

static bool wildcard(const char *ip) {
  return ip[0] == '\0' || strcmp(ip, "0.0.0.0") == 0;
}

static bool conflict(const sched_host_port *a, const sched_host_port *b) {
  return a->port == b->port && a->protocol == b->protocol &&
         (wildcard(a->ip) || wildcard(b->ip) || strcmp(a->ip, b->ip) == 0);
}

static const char *filter(const sched_pod *p, void *state, const sched_node *n) {
  (void)state;
  for (size_t i = 0; i < n->n_pods; i++) {
    const sched_pod *o = n->pods[i];
    for (size_t a = 0; a < o->n_ports; a++)
      for (size_t b = 0; b < p->n_ports; b++)
        if (conflict(&o->ports[a], &p->ports[b]))
          return "node(s) didn't have free ports for the requested pod ports";
  }
  return NULL;
}

const sched_plugin sched_plugin_host_ports = {
    .name = "NodePorts", .prepare = prepare, .filter = filter};
