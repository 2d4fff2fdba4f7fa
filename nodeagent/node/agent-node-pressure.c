/*
 * agent-node-pressure.c — node pressure conditions (see agent-node-pressure.h).
 */
#include "agent-node-pressure.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "agent-time.h"
#include "cleanup.h"

void agent_pressure_decide(const agent_host_usage *u, bool on[AGENT_N_PRESSURES]) {
  on[AGENT_PRESSURE_MEMORY] =
      u->memory_available >= 0 && u->memory_available < AGENT_MEMORY_AVAILABLE_MIN;
  on[AGENT_PRESSURE_DISK] =
      (u->disk_size > 0 && u->disk_available >= 0 && u->disk_available * 10 < u->disk_size) ||
      (u->inodes > 0 && u->inodes_free >= 0 && u->inodes_free * 20 < u->inodes);
  on[AGENT_PRESSURE_PID] =
      u->pid_max > 0 && u->pids >= 0 && (u->pid_max - u->pids) * 10 < u->pid_max;
}

/* The first number on the line of /proc/meminfo that starts with key, in bytes. */
static int64_t meminfo_value(const char *key) {
  _cleanup_fclose_ FILE *f = fopen("/proc/meminfo", "re");
  char line[256];
  size_t n = strlen(key);
  while (f && fgets(line, sizeof line, f))
    if (strncmp(line, key, n) == 0 && line[n] == ':')
      return strtoll(line + n + 1, NULL, 10) * 1024;
  return -1;
}

static int64_t read_number(const char *path, int field) {
  _cleanup_fclose_ FILE *f = fopen(path, "re");
  char buf[256];
  if (f == NULL || fgets(buf, sizeof buf, f) == NULL)
    return -1;
  char *p = buf;
  for (int i = 0; i < field && p; i++)
    p = strchr(p + 1, ' ');
  return p ? strtoll(p, NULL, 10) : -1;
}

void agent_host_usage_read(const char *root, agent_host_usage *u) {
  *u = (agent_host_usage){.memory_available = meminfo_value("MemAvailable"),
                          .disk_size = -1,
                          .disk_available = -1,
                          .inodes = -1,
                          .inodes_free = -1,
                          .pid_max = read_number("/proc/sys/kernel/pid_max", 0),
                          .pids = -1};
  struct statvfs vfs;
  if (statvfs(root, &vfs) == 0) {
    u->disk_size = (int64_t)vfs.f_blocks * (int64_t)vfs.f_frsize;
    u->disk_available = (int64_t)vfs.f_bavail * (int64_t)vfs.f_frsize;
    u->inodes = (int64_t)vfs.f_files;
    u->inodes_free = (int64_t)vfs.f_favail;
  }
  /* /proc/loadavg's fourth field is "running/total" scheduling entities. */
  _cleanup_fclose_ FILE *f = fopen("/proc/loadavg", "re");
  long running, total;
  if (f && fscanf(f, "%*s %*s %*s %ld/%ld", &running, &total) == 2)
    u->pids = total;
}

json_t *agent_pressure_conditions(agent_pressure_state *st, const agent_host_usage *u, time_t now) {
  static const char *const type[] = {"MemoryPressure", "DiskPressure", "PIDPressure"};
  static const char *const reason_on[] = {"KubeletHasInsufficientMemory", "KubeletHasDiskPressure",
                                          "KubeletHasInsufficientPID"};
  static const char *const reason_off[] = {"KubeletHasSufficientMemory", "KubeletHasNoDiskPressure",
                                           "KubeletHasSufficientPID"};
  static const char *const message_on[] = {"node has memory pressure", "node has disk pressure",
                                           "node has insufficient PID available"};
  static const char *const message_off[] = {"node has sufficient memory available",
                                            "node has no disk pressure",
                                            "node has sufficient PID available"};
  bool on[AGENT_N_PRESSURES];
  agent_pressure_decide(u, on);
  char beat[AGENT_TIME_BUFSIZE], since[AGENT_TIME_BUFSIZE];
  agent_time_format(now, beat, sizeof beat);
  json_t *list = json_array();
  for (int i = 0; i < AGENT_N_PRESSURES && list; i++) {
    if (st->since[i] == 0 || st->on[i] != on[i]) {
      st->on[i] = on[i];
      st->since[i] = now;
    }
    agent_time_format(st->since[i], since, sizeof since);
    json_array_append_new(
        list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "type", type[i], "status",
                        on[i] ? "True" : "False", "reason", on[i] ? reason_on[i] : reason_off[i],
                        "message", on[i] ? message_on[i] : message_off[i], "lastHeartbeatTime",
                        beat, "lastTransitionTime", since));
  }
  return list;
}
