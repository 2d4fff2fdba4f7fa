/*
 * runtime-cgroup.h — pod and container cgroups, v1 and v2 behind one interface.
 *
 * The hierarchy version is detected once (cgroup2 mounted at /sys/fs/cgroup
 * means v2; anything else, including the hybrid layout with a controller-less
 * /sys/fs/cgroup/unified, is v1). Paths are relative to each hierarchy's root
 * ("tug/<pod-uid>/<container>"), so Tugboat's groups sit at the top, not under
 * the agent's own cgroup. The mapping from resources to files, and the
 * parsing of the stat files, are pure functions so that both versions can be
 * tested on any machine.
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
/* Beyond these the kernel refuses the value: a larger cpu limit sets no quota
 * (its quota would pass the kernel's 2^44-1 us), a larger pids limit is "max". */
#define AGENT_CGROUP_MAX_CPU_LIMIT_MILLI INT64_C(175921860444)
#define AGENT_CGROUP_PIDS_MAX INT64_C(4194304)

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
/*
 * A container's first process moves itself into its cgroups, between clone
 * and exec, through cgroup.procs files the agent opened for it: being a
 * vfork child (it shares the agent's memory and the agent waits for its
 * exec) is what keeps the kernel's OOM killer from choosing it and, with it,
 * every process that shares its memory — the agent. A memory cgroup already
 * at its limit then fails the child's setup with ENOMEM instead.
 */
enum { AGENT_CGROUP_MAX_HIERARCHIES = 4 };
/* Open path's cgroup.procs in each hierarchy (controllers mounted together
 * share one); *n gets how many. On failure none stays open. */
int agent_cgroup_open_procs(agent_cgroup_mode mode, const char *path,
                            int fds[AGENT_CGROUP_MAX_HIERARCHIES], size_t *n, tug_error *err);
/* Child side, allocates nothing: move the calling process in through fds. */
int agent_cgroup_join(const int *fds, size_t n, char *msg, size_t size);
/* Deletes path (and below) controller by controller, and checks it is gone. */
int agent_cgroup_delete(agent_cgroup_mode mode, const char *path, tug_error *err);
/* True when path's directory exists in any controller's hierarchy. */
bool agent_cgroup_exists(agent_cgroup_mode mode, const char *path);
int agent_cgroup_stats(agent_cgroup_mode mode, const char *path, agent_container_stats *st,
                       tug_error *err);
/* Fold the content of one stat file that agent_cgroup_stats reads (v1:
 * cpuacct.usage, cpu.stat, memory.usage_in_bytes, memory.oom_control,
 * pids.current, pids.events; v2: cpu.stat, memory.current, memory.events,
 * pids.current, pids.events) into the fields of st it carries. Fails on a
 * file it does not read or on content without the expected numbers. */
int agent_cgroup_stats_parse(agent_cgroup_mode mode, const char *file, const char *content,
                             agent_container_stats *st);

#endif
