/*
 * registry.c — plugins by name. Adding a plugin is a file and a row here.
 */
#include <string.h>

#include "plugin.h"

static const sched_plugin *const all[] = {
    &sched_plugin_node_status,    &sched_plugin_resources_fit, &sched_plugin_node_affinity,
    &sched_plugin_taints,         &sched_plugin_host_ports,    &sched_plugin_spread,
    &sched_plugin_least,          &sched_plugin_most,          &sched_plugin_balanced,
    &sched_plugin_volume_binding,
};

const sched_plugin *sched_plugin_find(const char *name) {
  for (size_t i = 0; name && i < sizeof all / sizeof all[0]; i++)
    if (strcmp(all[i]->name, name) == 0)
      return all[i];
  return NULL;
}
