/*
 * agent-node-pressure.h — the node's MemoryPressure, DiskPressure and
 * PIDPressure conditions, from kubelet's default hard-eviction thresholds:
 * memory.available < 100Mi, the agent's root filesystem with less than 10 %
 * of its space or 5 % of its inodes free, fewer than 10 % of pid_max left.
 *
 * The one idea: measuring the host and deciding are apart, so the decision
 * is a pure function tested with made-up figures.
 */
#ifndef TUG_AGENT_NODE_PRESSURE_H
#define TUG_AGENT_NODE_PRESSURE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

enum { AGENT_PRESSURE_MEMORY, AGENT_PRESSURE_DISK, AGENT_PRESSURE_PID, AGENT_N_PRESSURES };

#define AGENT_MEMORY_AVAILABLE_MIN (100LL << 20)

/* What the host has left; a negative figure is unknown and never pressure. */
typedef struct agent_host_usage {
  int64_t memory_available; /* MemAvailable, bytes */
  int64_t disk_size, disk_available;
  int64_t inodes, inodes_free;
  int64_t pid_max, pids; /* kernel.pid_max, processes running now */
} agent_host_usage;

/* Each condition's status and when it last changed (0: not yet reported). */
typedef struct agent_pressure_state {
  bool on[AGENT_N_PRESSURES];
  time_t since[AGENT_N_PRESSURES];
} agent_pressure_state;

/* Which pressures u shows. */
void agent_pressure_decide(const agent_host_usage *u, bool on[AGENT_N_PRESSURES]);
/* Read /proc/meminfo, statvfs(root), pid_max and the process count. */
void agent_host_usage_read(const char *root, agent_host_usage *u);
/* Fold what u shows into st at now (a change moves its since), and return the
 * three conditions as a new array, heartbeat now. */
json_t *agent_pressure_conditions(agent_pressure_state *st, const agent_host_usage *u, time_t now);

#endif
