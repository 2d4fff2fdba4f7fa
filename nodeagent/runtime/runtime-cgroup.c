/*
 * runtime-cgroup.c — cgroups through libcgroup, v1 and v2 behind one interface.
 *
 * The one idea: everything version-specific is a table (controllers, file
 * names, value formats) chosen by agent_cgroup_mode; the code that makes,
 * joins and removes groups is the same for both. libcgroup finds the
 * hierarchies once (cgroup_init) and reads the counters; groups are made,
 * joined and removed by hand, since libcgroup re-reads /proc/mounts on each
 * of those calls (agent_cgroup_create). Deletion goes controller by controller and checks the
 * directory is gone, because one recursive delete over several v1 hierarchies
 * can return 0 and leave groups behind.
 */
#include "runtime-cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <libcgroup.h>
#include <linux/magic.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"

static const char *const v1_controllers[] = {"cpu", "cpuacct", "memory", "pids", "devices", NULL};
static const char *const v2_controllers[] = {"cpu", "memory", "pids", NULL};

const char *const *agent_cgroup_controllers(agent_cgroup_mode mode) {
  return mode == AGENT_CGROUP_V2 ? v2_controllers : v1_controllers;
}

uint64_t agent_cgroup_cpu_shares(int64_t milli) {
  if (milli <= 0)
    return 2;
  if (milli >= 256000) /* 262144 shares; checked first so the product cannot overflow */
    return 262144;
  uint64_t shares = (uint64_t)milli * 1024 / 1000;
  return shares < 2 ? 2 : shares;
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

/* A quota the kernel accepts: it refuses more than 2^44-1 us (EINVAL), so a
 * larger limit — far beyond any machine's cores — cannot be enforced at all. */
static bool cpu_limit_enforceable(int64_t limit_milli) {
  return limit_milli > 0 && limit_milli <= AGENT_CGROUP_MAX_CPU_LIMIT_MILLI;
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
  if (cpu_limit_enforceable(r->cpu_limit_milli)) {
    uint64_t quota = cfs_quota_us(r->cpu_limit_milli);
    if (v2) {
      snprintf(add_setting(out, &n, "cpu", "cpu.max")->value, sizeof out->value, "%" PRIu64 " %d",
               quota, AGENT_CGROUP_CFS_PERIOD_US);
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
  /* The kernel refuses a pids.max above its own pid limit; "max" is what it would mean. */
  if (r->pids_max > 0 && r->pids_max <= AGENT_CGROUP_PIDS_MAX)
    snprintf(add_setting(out, &n, "pids", "pids.max")->value, sizeof out->value, "%" PRId64,
             r->pids_max);
  else if (r->pids_max > 0)
    snprintf(add_setting(out, &n, "pids", "pids.max")->value, sizeof out->value, "max");
  return n;
}

static int cg_error(tug_error *err, int rc, const char *what, const char *path) {
  if (rc == ECGOTHER)
    return tug_error_errno(err, cgroup_get_last_errno(), "%s %s", what, path);
  return tug_error_set(err, rc, "%s %s: %s", what, path, cgroup_strerror(rc));
}

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_rc;

static void init_libcgroup(void) {
  init_rc = cgroup_init();
}

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

/* mkdir -p of path below a hierarchy's mount point, and nothing above it.
 * The parents ("tug", the pod's group) usually exist: the group itself is
 * tried first, and the walk down from the top only when a parent is missing. */
static int mkdir_below(const char *mnt, const char *path, tug_error *err) {
  char dir[PATH_MAX];
  if (snprintf(dir, sizeof dir, "%s/%s", mnt, path) >= (int)sizeof dir)
    return tug_error_set(err, ENAMETOOLONG, "create cgroup %s", path);
  if (mkdir(dir, 0755) == 0 || errno == EEXIST)
    return 0;
  if (errno != ENOENT)
    return tug_error_errno(err, errno, "create cgroup %s", dir);
  for (char *p = dir + strlen(mnt) + 1;; p++) {
    bool end = *p == '\0';
    if (*p == '/' || end) {
      *p = '\0';
      if (mkdir(dir, 0755) < 0 && errno != EEXIST)
        return tug_error_errno(err, errno, "create cgroup %s", dir);
      if (end)
        return 0;
      *p = '/';
    }
  }
}

static int write_setting(const char *mnt, const char *path, const agent_cgroup_setting *s,
                         tug_error *err) {
  char file[PATH_MAX];
  snprintf(file, sizeof file, "%s/%s/%s", mnt, path, s->file);
  _cleanup_close_ int fd = open(file, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, s->value, strlen(s->value)) < 0)
    return tug_error_errno(err, errno, "set %s to %s", file, s->value);
  return 0;
}

/* By hand rather than through cgroup_create_cgroup: libcgroup re-reads
 * /proc/mounts before every directory and every value (its mounted-fs
 * check) and walks mkdir up from "/", which on a node with a few hundred
 * pods' mounts cost more than the rest of the group's creation. The mount
 * points are libcgroup's, read once by cgroup_init. */
int agent_cgroup_create(agent_cgroup_mode mode, const char *path, const agent_resources *r,
                        tug_error *err) {
  agent_cgroup_setting settings[AGENT_CGROUP_MAX_SETTINGS];
  size_t n = r ? agent_cgroup_settings(mode, r, settings) : 0;
  for (const char *const *c = agent_cgroup_controllers(mode); *c; c++) {
    _cleanup_free_ char *mnt = NULL;
    if (cgroup_get_subsys_mount_point(*c, &mnt) != 0 || mnt == NULL)
      return tug_error_set(err, ENOENT, "create cgroup %s: no %s hierarchy", path, *c);
    if (mkdir_below(mnt, path, err) < 0)
      return -1;
    for (size_t i = 0; i < n; i++)
      if (strcmp(settings[i].controller, *c) == 0 && write_setting(mnt, path, &settings[i], err) < 0)
        return -1;
  }
  return 0;
}

static void close_fds(int *fds, size_t n) {
  for (size_t i = 0; i < n; i++)
    close(fds[i]);
}

/* By hand rather than through libcgroup: the process that joins is a child
 * sharing the agent's memory, which may not allocate (see the header). */
int agent_cgroup_open_procs(agent_cgroup_mode mode, const char *path,
                            int fds[AGENT_CGROUP_MAX_HIERARCHIES], size_t *n, tug_error *err) {
  char mounts[AGENT_CGROUP_MAX_HIERARCHIES][PATH_MAX];
  *n = 0;
  for (const char *const *c = agent_cgroup_controllers(mode); *c; c++) {
    _cleanup_free_ char *mnt = NULL;
    if (cgroup_get_subsys_mount_point(*c, &mnt) != 0 || mnt == NULL) {
      close_fds(fds, *n);
      return tug_error_set(err, ENOENT, "join cgroup %s: no %s hierarchy", path, *c);
    }
    bool seen = false; /* controllers mounted together (v2, cpu,cpuacct) share one file */
    for (size_t i = 0; i < *n; i++)
      seen |= strcmp(mounts[i], mnt) == 0;
    if (seen)
      continue;
    if (*n == AGENT_CGROUP_MAX_HIERARCHIES) { /* a process outside its devices group is loose */
      close_fds(fds, *n);
      return tug_error_set(err, E2BIG, "join cgroup %s: more than %d hierarchies", path,
                           AGENT_CGROUP_MAX_HIERARCHIES);
    }
    char file[PATH_MAX + 256];
    snprintf(mounts[*n], sizeof mounts[*n], "%s", mnt);
    snprintf(file, sizeof file, "%s/%s/cgroup.procs", mnt, path);
    int fd = open(file, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
      int e = errno;
      close_fds(fds, *n);
      return tug_error_errno(err, e, "join cgroup: open %s", file);
    }
    fds[(*n)++] = fd;
  }
  return 0;
}

int agent_cgroup_join(const int *fds, size_t n, char *msg, size_t size) {
  for (size_t i = 0; i < n; i++)
    if (write(fds[i], "0", 1) != 1) { /* 0: the writing process */
      snprintf(msg, size, "join the container's cgroups: %s", strerror(errno));
      return -1;
    }
  return 0;
}

static int group_dir(const char *controller, const char *path, char *dir, size_t size) {
  _cleanup_free_ char *mnt = NULL;
  if (cgroup_get_subsys_mount_point(controller, &mnt) != 0 || mnt == NULL)
    return -1;
  return snprintf(dir, size, "%s/%s", mnt, path) < (int)size ? 0 : -1;
}

static bool dir_exists_in(const char *controller, const char *path) {
  char dir[PATH_MAX];
  struct stat st;
  return group_dir(controller, path, dir, sizeof dir) == 0 && stat(dir, &st) == 0;
}

bool agent_cgroup_exists(agent_cgroup_mode mode, const char *path) {
  for (const char *const *c = agent_cgroup_controllers(mode); *c; c++)
    if (dir_exists_in(*c, path))
      return true;
  return false;
}

/* rmdir of a group and the groups below it, deepest first; a group holding
 * tasks stays (EBUSY), which the caller retries. */
static void remove_tree(const char *dir) {
  DIR *d = opendir(dir);
  struct dirent *e;
  while (d && (e = readdir(d)) != NULL) {
    if (e->d_type != DT_DIR || strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    char child[PATH_MAX];
    if (snprintf(child, sizeof child, "%s/%s", dir, e->d_name) < (int)sizeof child)
      remove_tree(child);
  }
  if (d)
    closedir(d);
  rmdir(dir);
}

/* By hand too: libcgroup's recursive delete reads /proc/mounts for each
 * group and moves tasks out, where the caller has already killed them. */
static int delete_in(const char *controller, const char *path, tug_error *err) {
  char dir[PATH_MAX];
  if (group_dir(controller, path, dir, sizeof dir) < 0)
    return 0; /* no such hierarchy: nothing was made in it */
  /* Tasks of a killed container can take a moment to leave: retry ~2 s. */
  struct stat st;
  for (int attempt = 0; attempt < 200; attempt++) {
    if (stat(dir, &st) < 0)
      return 0;
    remove_tree(dir);
    if (stat(dir, &st) < 0)
      return 0;
    nanosleep(&(struct timespec){.tv_nsec = 10 * 1000 * 1000}, NULL);
  }
  return tug_error_set(err, EBUSY, "delete cgroup %s in %s: still present", path, controller);
}

int agent_cgroup_delete(agent_cgroup_mode mode, const char *path, tug_error *err) {
  int rc = 0;
  for (const char *const *c = agent_cgroup_controllers(mode); *c; c++)
    if (delete_in(*c, path, rc < 0 ? NULL : err) < 0)
      rc = -1; /* keep going: delete what can be deleted, report the first failure */
  return rc;
}

/* One counter of agent_container_stats: the file it is read from, the line
 * ("key value"; NULL: the file holds just the number) and its unit. Entries of
 * one file are adjacent, so that each file is read once. */
typedef struct stat_source {
  const char *controller, *file, *key;
  size_t offset;
  uint64_t scale;
} stat_source;

#define STAT(ctl, file, key, field, scale)                                                         \
  { ctl, file, key, offsetof(agent_container_stats, field), scale }

static const stat_source v1_stats[] = {
    STAT("cpuacct", "cpuacct.usage", NULL, cpu_usage_ns, 1),
    STAT("cpu", "cpu.stat", "nr_throttled", cpu_nr_throttled, 1),
    STAT("memory", "memory.usage_in_bytes", NULL, memory_usage, 1),
    STAT("memory", "memory.oom_control", "oom_kill", oom_kills, 1),
    STAT("pids", "pids.current", NULL, pids_current, 1),
    STAT("pids", "pids.events", "max", pids_max_hits, 1),
    {0},
};

static const stat_source v2_stats[] = {
    STAT("cpu", "cpu.stat", "usage_usec", cpu_usage_ns, 1000),
    STAT("cpu", "cpu.stat", "nr_throttled", cpu_nr_throttled, 1),
    STAT("memory", "memory.current", NULL, memory_usage, 1),
    STAT("memory", "memory.events", "oom_kill", oom_kills, 1),
    STAT("pids", "pids.current", NULL, pids_current, 1),
    STAT("pids", "pids.events", "max", pids_max_hits, 1),
    {0},
};

static const stat_source *stat_sources(agent_cgroup_mode mode) {
  return mode == AGENT_CGROUP_V2 ? v2_stats : v1_stats;
}

/* The decimal number at s, which must end the line. */
static int parse_number(const char *s, uint64_t *out) {
  if (*s < '0' || *s > '9')
    return -1;
  char *end;
  errno = 0;
  uint64_t v = strtoull(s, &end, 10);
  if (errno != 0 || (*end != '\0' && *end != '\n'))
    return -1;
  *out = v;
  return 0;
}

/* The number after "key " at the start of a line, or at the start of content if key is NULL. */
static int parse_value(const char *content, const char *key, uint64_t *out) {
  if (key == NULL)
    return parse_number(content, out);
  size_t klen = strlen(key);
  for (const char *line = content; *line; line++) {
    if (strncmp(line, key, klen) == 0 && line[klen] == ' ')
      return parse_number(line + klen + 1, out);
    if ((line = strchr(line, '\n')) == NULL)
      break;
  }
  return -1;
}

int agent_cgroup_stats_parse(agent_cgroup_mode mode, const char *file, const char *content,
                             agent_container_stats *st) {
  bool known = false;
  for (const stat_source *s = stat_sources(mode); s->file; s++) {
    if (strcmp(s->file, file) != 0)
      continue;
    known = true;
    uint64_t v;
    if (parse_value(content, s->key, &v) < 0)
      return -1;
    *(uint64_t *)((char *)st + s->offset) = v * s->scale;
  }
  return known ? 0 : -1;
}

/* The whole file (its first size-1 bytes) through libcgroup's line reader. */
static int read_file(const char *controller, const char *path, const char *file, char *buf,
                     size_t size) {
  void *handle = NULL;
  size_t len = 0;
  buf[0] = '\0';
  int rc = cgroup_read_value_begin(controller, path, (char *)file, &handle, buf, (int)size);
  while (rc == 0) {
    len += strlen(buf + len);
    if (len + 1 >= size)
      break;
    rc = cgroup_read_value_next(&handle, buf + len, (int)(size - len));
  }
  if (handle)
    cgroup_read_value_end(&handle);
  return rc == 0 || rc == ECGEOF ? 0 : -1;
}

int agent_cgroup_stats(agent_cgroup_mode mode, const char *path, agent_container_stats *st,
                       tug_error *err) {
  *st = (agent_container_stats){0};
  const char *last = NULL;
  char content[1024];
  for (const stat_source *s = stat_sources(mode); s->file; s++) {
    if (last && strcmp(last, s->file) == 0)
      continue; /* parsed with the entry before it */
    last = s->file;
    if (read_file(s->controller, path, s->file, content, sizeof content) < 0 ||
        agent_cgroup_stats_parse(mode, s->file, content, st) < 0)
      return tug_error_set(err, EIO, "read cgroup stats of %s: %s", path, s->file);
  }
  return 0;
}
