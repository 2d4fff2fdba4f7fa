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
enum { AGENT_CGROUP_MAX_HIERARCHIES = 5 }; /* v1: cpu, cpuacct, memory, pids, devices */
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

/*
 * Devices (runtime-devices.c): a container uses only the devices of
 * agent_default_devices — null, zero, full, random, urandom, tty, console,
 * ptmx, pts — and may mknod any node, which then opens nothing.
 */
enum { AGENT_DEV_MKNOD = 1, AGENT_DEV_READ = 2, AGENT_DEV_WRITE = 4 }; /* BPF_DEVCG_ACC_* */
typedef struct agent_device_rule {
  char type;            /* 'c', 'b', or 'a' for both */
  int64_t major, minor; /* -1: any */
  unsigned access;      /* AGENT_DEV_* bits */
} agent_device_rule;
extern const agent_device_rule agent_default_devices[];
extern const size_t agent_n_default_devices;
/* "c 1:3 rwm", as devices.allow takes it; its length, or -1 when size is short. */
int agent_device_rule_format(const agent_device_rule *r, char *buf, size_t size);
/* "rwm", or the part of it that access allows, into buf. */
const char *agent_device_access(unsigned access, char buf[4]);

/* The cgroup v2 device program for rules: returns 1 (allow) when an access
 * matches a rule, else 0. Its length, or 0 when max is short; at most
 * 8 + AGENT_DEVICE_BPF_PER_RULE per rule instructions. */
enum { AGENT_DEVICE_BPF_PER_RULE = 8 };
struct bpf_insn;
size_t agent_device_bpf_build(const agent_device_rule *rules, size_t n, struct bpf_insn *out,
                              size_t max);
/* Load a device program (the kernel's verifier checks it): an fd, or -1. */
int agent_device_bpf_load(const struct bpf_insn *insns, size_t n, tug_error *err);
/* Load the program of agent_default_devices and attach it to the cgroup2
 * directory dir (absolute). */
int agent_device_program_attach(const char *dir, tug_error *err);
/* Restrict the cgroup at path to agent_default_devices (v1: devices.deny and
 * devices.allow; v2: the program attached); allow_all (privileged): nothing. */
int agent_cgroup_set_devices(agent_cgroup_mode mode, const char *path, bool allow_all,
                             tug_error *err);

#endif
