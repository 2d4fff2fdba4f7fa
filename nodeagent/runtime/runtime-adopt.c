/*
 * runtime-adopt.c — taking over what an earlier agent left running.
 *
 * The one idea: a container is identified again by its pid and that
 * process's start time (a pid alone may have been reused), both written to
 * <container dir>/state once it has exec'd, with the identity and privileges
 * its exec probes must keep having; a sandbox by its namespace files
 * still being nsfs mounts. What runs is adopted through a pidfd, which works
 * for a process that is no longer the agent's child; what does not is torn
 * down through its cgroups, so nothing is left running unowned.
 *
 * The price of having no shim process: an adopted container's parent is now
 * init, which reaps it, so its exit status is known only if it is read from
 * the zombie before that happens; otherwise it is reported as unknown (137,
 * as Kubernetes does for ContainerStatusUnknown).
 */
#include <dirent.h>
#include <errno.h>
#include <libcgroup.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cleanup.h"
#include "runtime-internal.h"

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

/* Field 3 (state), 22 (starttime) and 52 (exit_code) of /proc/pid/stat. */
typedef struct proc_stat {
  char state;
  unsigned long long start_ticks;
  int exit_status; /* waitpid(2) form; meaningful for a zombie only */
} proc_stat;

static int read_proc_stat(pid_t pid, proc_stat *out) {
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  _cleanup_fclose_ FILE *f = fopen(path, "re");
  if (f == NULL || fgets(buf, sizeof buf, f) == NULL)
    return -1;
  /* The command name may hold spaces and parentheses: fields start after the last ')'. */
  char *p = strrchr(buf, ')');
  if (p == NULL || p[1] != ' ')
    return -1;
  p += 2;
  *out = (proc_stat){.state = *p};
  for (int field = 3; field <= 52 && *p; field++) {
    if (field == 22)
      out->start_ticks = strtoull(p, NULL, 10);
    else if (field == 52)
      out->exit_status = (int)strtol(p, NULL, 10);
    p = strchr(p, ' ');
    if (p == NULL)
      return field >= 22 ? 0 : -1;
    p++;
  }
  return 0;
}

static bool is_zombie(pid_t pid) {
  proc_stat ps;
  return read_proc_stat(pid, &ps) < 0 || ps.state == 'Z'; /* gone counts too */
}

/* SIGKILL every live process listed in one group's cgroup.procs; counts them. */
static void kill_procs_in(const char *dir, size_t *found) {
  char file[PATH_MAX + 16];
  snprintf(file, sizeof file, "%s/cgroup.procs", dir);
  _cleanup_fclose_ FILE *f = fopen(file, "re");
  long pid;
  while (f && fscanf(f, "%ld", &pid) == 1)
    if (pid > 1 && !is_zombie((pid_t)pid) && kill((pid_t)pid, SIGKILL) == 0)
      (*found)++;
}

/* The group and its children (a pod's containers): one level is all Tugboat makes. */
static size_t kill_pass(const char *root) {
  size_t found = 0;
  kill_procs_in(root, &found);
  DIR *d = opendir(root);
  struct dirent *e;
  while (d && (e = readdir(d)) != NULL) {
    if (e->d_type != DT_DIR || e->d_name[0] == '.')
      continue;
    char sub[PATH_MAX];
    if (snprintf(sub, sizeof sub, "%s/%s", root, e->d_name) < (int)sizeof sub)
      kill_procs_in(sub, &found);
  }
  if (d)
    closedir(d);
  return found;
}

int agent_cgroup_kill_all(agent_cgroup_mode mode, const char *path, tug_error *err) {
  (void)mode; /* the pids controller has cgroup.procs in v1 and v2 alike */
  _cleanup_free_ char *mnt = NULL;
  if (cgroup_get_subsys_mount_point("pids", &mnt) != 0)
    return tug_error_set(err, ENOENT, "kill cgroup %s: no pids hierarchy", path);
  char root[PATH_MAX];
  if (snprintf(root, sizeof root, "%s/%s", mnt, path) >= (int)sizeof root)
    return tug_error_set(err, ENAMETOOLONG, "kill cgroup %s: path too long", path);
  /* A dying process can fork no more, but one forked just before a pass
   * shows up in the next: repeat until a pass finds nobody (~2 s at most). */
  for (int pass = 0; pass < 200; pass++) {
    if (kill_pass(root) == 0)
      return 0;
    nanosleep(&(struct timespec){.tv_nsec = 10 * 1000 * 1000}, NULL);
  }
  return tug_error_set(err, EBUSY, "kill cgroup %s: processes keep appearing", path);
}

unsigned long long agent_proc_start_ticks(pid_t pid) {
  proc_stat ps;
  return read_proc_stat(pid, &ps) == 0 ? ps.start_ticks : 0;
}

/* "creds CAPS UID GID NO_NEW_PRIVS N GROUP...", the state file's second line. */
static void format_creds(const agent_creds *cr, char *buf, size_t size) {
  int n = snprintf(buf, size, "creds %llx %u %u %d %zu", (unsigned long long)cr->caps,
                   (unsigned)cr->uid, (unsigned)cr->gid, cr->no_new_privs, cr->n_groups);
  for (size_t i = 0; i < cr->n_groups && n > 0 && (size_t)n < size; i++)
    n += snprintf(buf + n, size - (size_t)n, " %u", (unsigned)cr->groups[i]);
}

/* An older agent's state file has no creds line: cr keeps the defaults. */
static void load_creds(FILE *f, agent_creds *cr) {
  unsigned long long caps;
  unsigned uid, gid, g;
  int nnp;
  size_t n;
  if (fscanf(f, " creds %llx %u %u %d %zu", &caps, &uid, &gid, &nnp, &n) != 5 ||
      n > AGENT_MAX_GROUPS)
    return;
  agent_creds got = {.caps = caps, .uid = uid, .gid = gid, .no_new_privs = nnp != 0};
  for (; got.n_groups < n; got.n_groups++) {
    if (fscanf(f, "%u", &g) != 1)
      return;
    got.groups[got.n_groups] = g;
  }
  *cr = got;
}

int agent_container_save(const agent_container *c, tug_error *err) {
  char path[PATH_MAX + 16], tmp[PATH_MAX + 16], creds[1024], text[1200];
  snprintf(path, sizeof path, "%s/state", c->dir);
  snprintf(tmp, sizeof tmp, "%s/state.tmp", c->dir);
  format_creds(&c->creds, creds, sizeof creds);
  snprintf(text, sizeof text, "%d %llu %lld\n%s\n", (int)c->pid, c->start_ticks,
           (long long)c->started_at, creds);
  if (agent_write_file(tmp, text, err) < 0)
    return -1;
  if (rename(tmp, path) < 0)
    return tug_error_errno(err, errno, "rename %s", tmp);
  return 0;
}

/* The state file's pid, start time and wall-clock start, and c's creds;
 * -1 when unreadable. */
static int load_state(agent_container *c, pid_t *pid, unsigned long long *ticks, time_t *started) {
  char path[PATH_MAX + 16];
  snprintf(path, sizeof path, "%s/state", c->dir);
  _cleanup_fclose_ FILE *f = fopen(path, "re");
  int p;
  long long s;
  if (f == NULL || fscanf(f, "%d %llu %lld", &p, ticks, &s) != 3 || p <= 1)
    return -1;
  *pid = p;
  *started = (time_t)s;
  load_creds(f, &c->creds);
  return 0;
}

/* c still runs as the process the state file names: take a pidfd on it. */
static bool take_over(agent_container *c, pid_t pid, unsigned long long ticks) {
  proc_stat ps;
  if (read_proc_stat(pid, &ps) < 0 || ps.start_ticks != ticks || ps.state == 'Z')
    return false;
  int fd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (fd < 0)
    return false;
  /* The pid may have been reused between the check and the open: check again. */
  if (read_proc_stat(pid, &ps) < 0 || ps.start_ticks != ticks || ps.state == 'Z') {
    close(fd);
    return false;
  }
  c->pid = pid;
  c->pidfd = fd;
  c->start_ticks = ticks;
  c->adopted = true;
  return true;
}

void agent_container_record_foreign_exit(agent_container *c, int *status, bool *known) {
  proc_stat ps;
  *known = read_proc_stat(c->pid, &ps) == 0 && ps.state == 'Z' && ps.start_ticks == c->start_ticks;
  *status = *known ? ps.exit_status : 0;
}

int agent_runtime_container_adopt(agent_runtime *rt, agent_sandbox *sb, const char *name,
                                  const char *log_path, agent_container **out,
                                  agent_container_record *rec, tug_error *err) {
  *rec = (agent_container_record){0};
  *out = NULL;
  if (agent_check_name("container name", name, err) < 0)
    return -1;
  agent_container *c = calloc(1, sizeof *c);
  if (c == NULL)
    return tug_error_errno(err, ENOMEM, "allocate container");
  if (agent_container_init(rt, sb, name, log_path, c, err) < 0) {
    free(c);
    return -1;
  }
  struct stat st;
  if (stat(c->dir, &st) < 0) {
    free(c);
    return 0;
  }
  rec->found = true;
  pid_t pid;
  unsigned long long ticks;
  if (load_state(c, &pid, &ticks, &rec->started_at) == 0 && take_over(c, pid, ticks)) {
    c->started_at = rec->started_at;
    *out = c;
    return 1;
  }
  /* Dead, or never got as far as its state file: nothing of it may stay. */
  int rc = 0;
  if (agent_cgroup_kill_all(c->cgroup_mode, c->cgroup, err) < 0 ||
      agent_cgroup_delete(c->cgroup_mode, c->cgroup, err) < 0 ||
      agent_container_remove_dirs(c, err) < 0)
    rc = tug_error_wrap(err, "clear dead container %s", name);
  free(c);
  return rc;
}

static bool ns_pinned(const agent_sandbox *sb, const char *ns) {
  char path[PATH_MAX + 16];
  struct statfs fs;
  snprintf(path, sizeof path, "%s/ns/%s", sb->dir, ns);
  return statfs(path, &fs) == 0 && fs.f_type == NSFS_MAGIC;
}

/* A pod with a user namespace of its own (its ns/user file exists) is intact
 * only with that namespace pinned and its id range still recorded. */
static bool userns_intact(agent_runtime *rt, agent_sandbox *sb) {
  char path[PATH_MAX + 16];
  snprintf(path, sizeof path, "%s/ns/user", sb->dir);
  if (access(path, F_OK) < 0)
    return true;
  return ns_pinned(sb, "user") && agent_idrange_lookup(&rt->ids, sb->uid, &sb->id_base) == 1;
}

int agent_sandbox_reopen(agent_runtime *rt, agent_sandbox *sb, tug_error *err) {
  bool pinned =
      ns_pinned(sb, "net") && ns_pinned(sb, "ipc") && ns_pinned(sb, "uts") && userns_intact(rt, sb);
  if (pinned) {
    sb->adopted = true;
    return 1;
  }
  if (agent_runtime_sandbox_purge(rt, sb->uid, err) < 0)
    return -1;
  return 0;
}

const char *agent_runtime_state_dir(const agent_runtime *rt) {
  return rt->state_dir;
}

const char *agent_runtime_data_dir(const agent_runtime *rt) {
  return rt->data_dir;
}

bool agent_runtime_sandbox_adopted(const agent_sandbox *sb) {
  return sb->adopted;
}

char **agent_runtime_sandbox_list(agent_runtime *rt, tug_error *err) {
  char dir[PATH_MAX + 16];
  snprintf(dir, sizeof dir, "%s/sandboxes", rt->state_dir);
  size_t n = 0, cap = 16;
  char **list = calloc(cap + 1, sizeof *list);
  if (list == NULL) {
    tug_error_errno(err, ENOMEM, "list sandboxes");
    return NULL;
  }
  DIR *d = opendir(dir);
  if (d == NULL && errno != ENOENT) {
    tug_error_errno(err, errno, "open %s", dir);
    free(list);
    return NULL;
  }
  struct dirent *e;
  while (d && (e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.')
      continue;
    if (n == cap) {
      char **grown = realloc(list, (2 * cap + 1) * sizeof *list);
      if (grown == NULL)
        break;
      list = grown;
      cap *= 2;
    }
    if ((list[n] = strdup(e->d_name)) != NULL)
      n++;
    list[n] = NULL;
  }
  if (d)
    closedir(d);
  return list;
}

void agent_runtime_free_list(char **list) {
  for (char **p = list; p && *p; p++)
    free(*p);
  free(list);
}

int agent_runtime_sandbox_purge(agent_runtime *rt, const char *pod_uid, tug_error *err) {
  agent_sandbox *sb = calloc(1, sizeof *sb);
  if (sb == NULL)
    return tug_error_errno(err, ENOMEM, "allocate sandbox");
  if (agent_sandbox_init(rt, pod_uid, pod_uid, sb, err) < 0) {
    free(sb);
    return -1;
  }
  if (agent_cgroup_kill_all(rt->cgroup_mode, sb->cgroup, err) < 0) {
    free(sb);
    return tug_error_wrap(err, "purge sandbox %s", pod_uid);
  }
  return agent_runtime_sandbox_remove(rt, sb, err);
}

int agent_runtime_container_open(agent_runtime *rt, const char *pod_uid, const char *name,
                                 agent_container **out, tug_error *err) {
  *out = NULL;
  agent_sandbox sb = {0};
  if (agent_sandbox_init(rt, pod_uid, "pod", &sb, err) < 0 ||
      agent_check_name("container name", name, err) < 0)
    return -1;
  agent_container *c = calloc(1, sizeof *c);
  if (c == NULL)
    return tug_error_errno(err, ENOMEM, "allocate container");
  pid_t pid;
  unsigned long long ticks;
  time_t started;
  if (agent_container_init(rt, &sb, name, NULL, c, err) < 0 ||
      load_state(c, &pid, &ticks, &started) < 0 || !take_over(c, pid, ticks)) {
    free(c);
    return err->code ? -1 : tug_error_set(err, ESRCH, "container %s is not running", name);
  }
  *out = c;
  return 0;
}

int agent_runtime_pod_netns(agent_runtime *rt, const char *pod_uid, tug_error *err) {
  agent_sandbox sb = {0};
  if (agent_sandbox_init(rt, pod_uid, "pod", &sb, err) < 0)
    return -1;
  return agent_runtime_sandbox_netns(&sb, err);
}

void agent_runtime_container_close(agent_container *c) {
  if (c == NULL)
    return;
  if (c->pidfd >= 0)
    close(c->pidfd);
  free(c);
}

int agent_runtime_container_pidfd(const agent_container *c) {
  return c->pidfd;
}
