/*
 * runtime-cgroup.c — cgroups through libcgroup, v1 and v2 behind one interface.
 *
 * The one idea: everything version-specific is a table (controllers, file
 * names, value formats) chosen by agent_cgroup_mode; the libcgroup calls are
 * the same for both. Deletion goes controller by controller and checks the
 * directory is gone, because one recursive delete over several v1 hierarchies
 * can return 0 and leave groups behind.
 */
#include "runtime-cgroup.h"

#include <errno.h>
#include <inttypes.h>
#include <libcgroup.h>
#include <linux/magic.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>

#include "cleanup.h"

static const char *const v1_controllers[] = {"cpu", "cpuacct", "memory", "pids", NULL};
static const char *const v2_controllers[] = {"cpu", "memory", "pids", NULL};

const char *const *agent_cgroup_controllers(agent_cgroup_mode mode) {
  return mode == AGENT_CGROUP_V2 ? v2_controllers : v1_controllers;
}

uint64_t agent_cgroup_cpu_shares(int64_t milli) {
  if (milli <= 0)
    return 2;
  uint64_t shares = (uint64_t)milli * 1024 / 1000;
  if (shares < 2)
    return 2;
  return shares > 262144 ? 262144 : shares;
}

uint64_t agent_cgroup_cpu_weight(uint64_t shares) {
  if (shares < 2)
    shares = 2;
  if (shares > 262144)
    shares = 262144;
  return 1 + ((shares - 2) * 9999) / 262142;
}

static agent_cgroup_setting *add_setting(agent_cgroup_setting *out, size_t *n,
                                         const char *controller, const char *file) {
  agent_cgroup_setting *s = &out[(*n)++];
  s->controller = controller;
  s->file = file;
  s->value[0] = '\0';
  return s;
}

static uint64_t cfs_quota_us(int64_t limit_milli) {
  uint64_t quota = (uint64_t)limit_milli * AGENT_CGROUP_CFS_PERIOD_US / 1000;
  return quota < 1000 ? 1000 : quota; /* the kernel's minimum is 1 ms */
}

size_t agent_cgroup_settings(agent_cgroup_mode mode, const agent_resources *r,
                             agent_cgroup_setting out[AGENT_CGROUP_MAX_SETTINGS]) {
  size_t n = 0;
  bool v2 = mode == AGENT_CGROUP_V2;
  /* Like Kubernetes: a container with only a limit is requested at its limit. */
  int64_t request = r->cpu_request_milli > 0 ? r->cpu_request_milli : r->cpu_limit_milli;
  if (request > 0) {
    uint64_t shares = agent_cgroup_cpu_shares(request);
    agent_cgroup_setting *s = add_setting(out, &n, "cpu", v2 ? "cpu.weight" : "cpu.shares");
    snprintf(s->value, sizeof s->value, "%" PRIu64, v2 ? agent_cgroup_cpu_weight(shares) : shares);
  }
  if (r->cpu_limit_milli > 0) {
    uint64_t quota = cfs_quota_us(r->cpu_limit_milli);
    if (v2) {
      snprintf(add_setting(out, &n, "cpu", "cpu.max")->value, sizeof out->value,
               "%" PRIu64 " %d", quota, AGENT_CGROUP_CFS_PERIOD_US);
    } else {
      /* Period first: the kernel checks quota against the current period. */
      snprintf(add_setting(out, &n, "cpu", "cpu.cfs_period_us")->value, sizeof out->value, "%d",
               AGENT_CGROUP_CFS_PERIOD_US);
      snprintf(add_setting(out, &n, "cpu", "cpu.cfs_quota_us")->value, sizeof out->value,
               "%" PRIu64, quota);
    }
  }
  if (r->memory_limit > 0)
    snprintf(add_setting(out, &n, "memory", v2 ? "memory.max" : "memory.limit_in_bytes")->value,
             sizeof out->value, "%" PRId64, r->memory_limit);
  if (r->pids_max > 0)
    snprintf(add_setting(out, &n, "pids", "pids.max")->value, sizeof out->value, "%" PRId64,
             r->pids_max);
  return n;
}

static int cg_error(tug_error *err, int rc, const char *what, const char *path) {
  if (rc == ECGOTHER)
    return tug_error_errno(err, cgroup_get_last_errno(), "%s %s", what, path);
  return tug_error_set(err, rc, "%s %s: %s", what, path, cgroup_strerror(rc));
}

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_rc;

static void init_libcgroup(void) { init_rc = cgroup_init(); }

int agent_cgroup_init(agent_cgroup_mode *mode, tug_error *err) {
  struct statfs fs;
  if (statfs("/sys/fs/cgroup", &fs) < 0)
    return tug_error_errno(err, errno, "statfs /sys/fs/cgroup");
  *mode = fs.f_type == CGROUP2_SUPER_MAGIC ? AGENT_CGROUP_V2 : AGENT_CGROUP_V1;
  pthread_once(&init_once, init_libcgroup);
  if (init_rc != 0)
    return cg_error(err, init_rc, "cgroup_init", "");
  return 0;
}

static void cgroup_freep(struct cgroup **cg) {
  if (*cg)
    cgroup_free(cg);
}
#define _cleanup_cgroup_ __attribute__((cleanup(cgroup_freep)))

/* A libcgroup group for path in the given controllers, with r's settings. */
static struct cgroup *new_group(agent_cgroup_mode mode, const char *path,
                                const char *const *controllers, const agent_resources *r) {
  struct cgroup *cg = cgroup_new_cgroup(path);
  if (cg == NULL)
    return NULL;
  agent_cgroup_setting settings[AGENT_CGROUP_MAX_SETTINGS];
  size_t n = r ? agent_cgroup_settings(mode, r, settings) : 0;
  for (const char *const *c = controllers; *c; c++) {
    struct cgroup_controller *ctl = cgroup_add_controller(cg, *c);
    if (ctl == NULL)
      goto fail;
    for (size_t i = 0; i < n; i++)
      if (strcmp(settings[i].controller, *c) == 0 &&
          cgroup_add_value_string(ctl, settings[i].file, settings[i].value) != 0)
        goto fail;
  }
  return cg;
fail:
  cgroup_free(&cg);
  return NULL;
}

int agent_cgroup_create(agent_cgroup_mode mode, const char *path, const agent_resources *r,
                        tug_error *err) {
  _cleanup_cgroup_ struct cgroup *cg = new_group(mode, path, agent_cgroup_controllers(mode), r);
  if (cg == NULL)
    return tug_error_set(err, ENOMEM, "prepare cgroup %s", path);
  int rc = cgroup_create_cgroup(cg, 0);
  if (rc != 0)
    return cg_error(err, rc, "create cgroup", path);
  return 0;
}

int agent_cgroup_attach(agent_cgroup_mode mode, const char *path, pid_t pid, tug_error *err) {
  _cleanup_cgroup_ struct cgroup *cg = new_group(mode, path, agent_cgroup_controllers(mode), NULL);
  if (cg == NULL)
    return tug_error_set(err, ENOMEM, "prepare cgroup %s", path);
  int rc = cgroup_attach_task_pid(cg, pid);
  if (rc != 0)
    return cg_error(err, rc, "attach to cgroup", path);
  return 0;
}

static bool dir_exists_in(const char *controller, const char *path) {
  _cleanup_free_ char *mnt = NULL;
  if (cgroup_get_subsys_mount_point(controller, &mnt) != 0)
    return false;
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/%s", mnt, path);
  struct stat st;
  return stat(dir, &st) == 0;
}

bool agent_cgroup_exists(agent_cgroup_mode mode, const char *path) {
  for (const char *const *c = agent_cgroup_controllers(mode); *c; c++)
    if (dir_exists_in(*c, path))
      return true;
  return false;
}

static int delete_in(agent_cgroup_mode mode, const char *controller, const char *path,
                     tug_error *err) {
  const char *one[] = {controller, NULL};
  /* Tasks of a killed container can take a moment to leave: retry ~2 s. */
  for (int attempt = 0; attempt < 200; attempt++) {
    if (!dir_exists_in(controller, path))
      return 0;
    _cleanup_cgroup_ struct cgroup *cg = new_group(mode, path, one, NULL);
    if (cg == NULL)
      return tug_error_set(err, ENOMEM, "prepare cgroup %s", path);
    cgroup_delete_cgroup_ext(cg, CGFLAG_DELETE_IGNORE_MIGRATION | CGFLAG_DELETE_RECURSIVE);
    if (!dir_exists_in(controller, path))
      return 0;
    nanosleep(&(struct timespec){.tv_nsec = 10 * 1000 * 1000}, NULL);
  }
  return tug_error_set(err, EBUSY, "delete cgroup %s in %s: still present", path, controller);
}

int agent_cgroup_delete(agent_cgroup_mode mode, const char *path, tug_error *err) {
  int rc = 0;
  for (const char *const *c = agent_cgroup_controllers(mode); *c; c++)
    if (delete_in(mode, *c, path, rc < 0 ? NULL : err) < 0)
      rc = -1; /* keep going: delete what can be deleted, report the first failure */
  return rc;
}

/* The number after key in a "key value" file, or on its first line if key is NULL. */
static int read_value(const char *controller, const char *path, const char *file,
                      const char *key, uint64_t *out) {
  void *handle = NULL;
  char line[256];
  int rc = cgroup_read_value_begin(controller, path, (char *)file, &handle, line, sizeof line);
  size_t klen = key ? strlen(key) : 0;
  while (rc == 0) {
    if (key == NULL || (strncmp(line, key, klen) == 0 && line[klen] == ' ')) {
      *out = strtoull(line + klen, NULL, 10);
      break;
    }
    rc = cgroup_read_value_next(&handle, line, sizeof line);
  }
  if (handle)
    cgroup_read_value_end(&handle);
  return rc == 0 ? 0 : -1;
}

int agent_cgroup_stats(agent_cgroup_mode mode, const char *path, agent_container_stats *st,
                       tug_error *err) {
  *st = (agent_container_stats){0};
  bool v2 = mode == AGENT_CGROUP_V2;
  int rc = 0;
  if (v2) {
    rc |= read_value("cpu", path, "cpu.stat", "usage_usec", &st->cpu_usage_ns);
    st->cpu_usage_ns *= 1000;
  } else {
    rc |= read_value("cpuacct", path, "cpuacct.usage", NULL, &st->cpu_usage_ns);
  }
  rc |= read_value("cpu", path, "cpu.stat", "nr_throttled", &st->cpu_nr_throttled);
  rc |= read_value("memory", path, v2 ? "memory.current" : "memory.usage_in_bytes", NULL,
                   &st->memory_usage);
  rc |= read_value("memory", path, v2 ? "memory.events" : "memory.oom_control", "oom_kill",
                   &st->oom_kills);
  rc |= read_value("pids", path, "pids.current", NULL, &st->pids_current);
  rc |= read_value("pids", path, "pids.events", "max", &st->pids_max_hits);
  if (rc != 0)
    return tug_error_set(err, EIO, "read cgroup stats of %s", path);
  return 0;
}
