/*
 * runtime-cgroup.h — pod and container cgroups, v1 and v2 behind one interface.
 *
 * The hierarchy version is detected once (cgroup2 mounted at /sys/fs/cgroup
 * means v2; anything else, including the hybrid layout with a controller-less
 * /sys/fs/cgroup/unified, is v1). Paths are relative to each hierarchy's root
 * ("tug/<pod-uid>/<container>"), so Tugboat's groups sit at the top, not under
 * the agent's own cgroup. The mapping from resources to files is a pure
 * function so that it can be tested on any machine.
 */
#ifndef TUG_NODEAGENT_RUNTIME_CGROUP_H
#define TUG_NODEAGENT_RUNTIME_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "runtime.h"

typedef enum { AGENT_CGROUP_V1 = 1, AGENT_CGROUP_V2 = 2 } agent_cgroup_mode;

typedef struct agent_cgroup_setting {
  const char *controller;
  const char *file;
  char value[48];
} agent_cgroup_setting;

enum { AGENT_CGROUP_MAX_SETTINGS = 6, AGENT_CGROUP_CFS_PERIOD_US = 100000 };

/* millicores → cpu.shares as Kubernetes computes it (min 2, max 262144). */
uint64_t agent_cgroup_cpu_shares(int64_t milli);
/* cpu.shares → cpu.weight (1..10000), runc's and Kubernetes' conversion. */
uint64_t agent_cgroup_cpu_weight(uint64_t shares);
/* The files and values that enforce r, in the order they must be written. */
size_t agent_cgroup_settings(agent_cgroup_mode mode, const agent_resources *r,
                             agent_cgroup_setting out[AGENT_CGROUP_MAX_SETTINGS]);
/* NULL-terminated list of the controllers a Tugboat cgroup is made in. */
const char *const *agent_cgroup_controllers(agent_cgroup_mode mode);

int agent_cgroup_init(agent_cgroup_mode *mode, tug_error *err);
/* Creates path in every controller and writes r's settings (r may be NULL). */
int agent_cgroup_create(agent_cgroup_mode mode, const char *path, const agent_resources *r,
                        tug_error *err);
int agent_cgroup_attach(agent_cgroup_mode mode, const char *path, pid_t pid, tug_error *err);
/* Deletes path (and below) controller by controller, and checks it is gone. */
int agent_cgroup_delete(agent_cgroup_mode mode, const char *path, tug_error *err);
/* True when path's directory exists in any controller's hierarchy. */
bool agent_cgroup_exists(agent_cgroup_mode mode, const char *path);
int agent_cgroup_stats(agent_cgroup_mode mode, const char *path, agent_container_stats *st,
                       tug_error *err);

#endif
