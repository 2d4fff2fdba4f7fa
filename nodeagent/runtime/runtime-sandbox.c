/*
 * runtime-sandbox.c — a pod's sandbox: network, IPC and UTS namespaces with
 * the pod's hostname and loopback up, plus its /etc/hosts, /etc/resolv.conf
 * and pod cgroup.
 *
 * The one idea: a short-lived child unshares the namespaces, configures them
 * and bind-mounts its /proc/self/ns/{net,ipc,uts} onto files under the
 * sandbox dir, then exits; the bind mounts keep the namespaces alive with no
 * helper process, and unmounting them is what ends the sandbox.
 */
#include <dirent.h>
#include <errno.h>
#include <linux/magic.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"
#include "runtime-internal.h"

/* Pinned for every pod; "user" too for a pod with its own (runtime-userns.c). */
static const char *const ns_names[] = {"net", "ipc", "uts", NULL};

/* Made again after each mount the runtime itself adds (the state tmpfs).
 * Without one, containers copy the agent's namespace: slower, not wrong. */
static void refresh_mnt_template(agent_runtime *rt) {
  tug_error err = {0};
  int fd;
  if (agent_mntns_template(&fd, &err) < 0) {
    tug_warn("containers copy the agent's mount namespace", "err=%s", TUG_LOG_ERR(&err));
    return;
  }
  if (rt->mnt_template >= 0)
    close(rt->mnt_template);
  rt->mnt_template = fd;
}

int agent_runtime_open(const char *state_dir, agent_runtime **out, tug_error *err) {
  agent_runtime *rt = calloc(1, sizeof *rt);
  if (rt == NULL)
    return tug_error_errno(err, ENOMEM, "allocate runtime");
  if (snprintf(rt->state_dir, sizeof rt->state_dir, "%s", state_dir) >= (int)sizeof rt->state_dir) {
    free(rt);
    return tug_error_set(err, ENAMETOOLONG, "open runtime: state dir %s too long", state_dir);
  }
  snprintf(rt->data_dir, sizeof rt->data_dir, "%s", rt->state_dir);
  snprintf(rt->idrange_dir, sizeof rt->idrange_dir, "%s/userns", rt->state_dir);
  rt->ids = (agent_idrange_pool){
      .dir = rt->idrange_dir, .first = AGENT_IDRANGE_FIRST, .count = AGENT_IDRANGE_COUNT};
  rt->mnt_template = -1;
  if (agent_mkdir_p(state_dir, 0700, err) < 0 || agent_cgroup_init(&rt->cgroup_mode, err) < 0 ||
      (rt->init_fd = agent_init_load(err)) < 0) {
    free(rt);
    return tug_error_wrap(err, "open runtime");
  }
  refresh_mnt_template(rt);
  *out = rt;
  return 0;
}

/* True when dir holds no entry at all. */
static bool dir_empty(const char *dir) {
  DIR *d = opendir(dir);
  struct dirent *e;
  bool empty = true;
  while (d && empty && (e = readdir(d)) != NULL)
    empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
  if (d)
    closedir(d);
  return empty;
}

/* Runtime state is small, rewritten on every pod start and worthless after a
 * reboot, like the containers it describes: on tmpfs it costs no disk inode
 * allocations. A state dir already in use on disk (an earlier agent's, with
 * running pods) is left where it is. */
static int state_on_tmpfs(const char *dir, tug_error *err) {
  struct statfs fs;
  if (statfs(dir, &fs) < 0)
    return tug_error_errno(err, errno, "statfs %s", dir);
  if (fs.f_type == TMPFS_MAGIC)
    return 0;
  if (!dir_empty(dir)) {
    tug_warn("runtime state stays on disk", "dir=%s why=%s", dir, TUG_LOG_Q("it is not empty"));
    return 0;
  }
  if (mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700,size=64m") < 0)
    return tug_error_errno(err, errno, "mount a tmpfs on %s", dir);
  return 0;
}

/* What a reboot left: pods' data whose sandbox state is gone. */
static void sweep_orphans(const agent_runtime *rt) {
  char dir[PATH_MAX + 16], path[2 * PATH_MAX];
  snprintf(dir, sizeof dir, "%s/sandboxes", rt->data_dir);
  DIR *d = opendir(dir);
  struct dirent *e;
  while (d && (e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.')
      continue;
    snprintf(path, sizeof path, "%s/sandboxes/%s", rt->state_dir, e->d_name);
    if (access(path, F_OK) == 0)
      continue;
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    tug_error err = {0};
    if (agent_rm_rf(path, &err) < 0)
      tug_warn("orphaned pod data not removed", "dir=%s err=%s", path, TUG_LOG_ERR(&err));
  }
  if (d)
    closedir(d);
}

int agent_runtime_set_data_dir(agent_runtime *rt, const char *data_dir, tug_error *err) {
  if (snprintf(rt->data_dir, sizeof rt->data_dir, "%s", data_dir) >= (int)sizeof rt->data_dir)
    return tug_error_set(err, ENAMETOOLONG, "data dir %s: too long", data_dir);
  if (agent_mkdir_p(data_dir, 0700, err) < 0 || state_on_tmpfs(rt->state_dir, err) < 0)
    return tug_error_wrap(err, "runtime dirs");
  refresh_mnt_template(rt);
  sweep_orphans(rt);
  return 0;
}

void agent_runtime_close(agent_runtime *rt) {
  if (rt) {
    close(rt->init_fd);
    if (rt->mnt_template >= 0)
      close(rt->mnt_template);
  }
  free(rt);
}

const char *agent_runtime_sandbox_dir(const agent_sandbox *sb) {
  return sb->dir;
}

const char *agent_runtime_sandbox_data_dir(const agent_sandbox *sb) {
  return sb->data;
}

uid_t agent_runtime_sandbox_root_id(const agent_sandbox *sb) {
  return (uid_t)sb->id_base;
}

static int loopback_up(void) {
  _cleanup_close_ int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0)
    return -1;
  struct ifreq ifr = {0};
  snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
  if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
    return -1;
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  return ioctl(s, SIOCSIFFLAGS, &ifr);
}

const char *agent_sandbox_configure(const agent_sandbox *sb) {
  if (sethostname(sb->name, strlen(sb->name)) < 0)
    return "sethostname";
  if (loopback_up() < 0)
    return "bring lo up";
  return NULL;
}

/* Child: make the namespaces and pin them. Reports "what: why" on errfd. */
static void sandbox_child(const agent_sandbox *sb, int errfd) {
  const char *what = "unshare net, ipc, uts";
  if (unshare(CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS) < 0 ||
      (what = agent_sandbox_configure(sb)) != NULL)
    goto fail;
  for (const char *const *ns = ns_names; *ns; ns++) {
    char src[64], dst[PATH_MAX + 16];
    snprintf(src, sizeof src, "/proc/self/ns/%s", *ns);
    snprintf(dst, sizeof dst, "%s/ns/%s", sb->dir, *ns);
    what = "bind-mount a namespace file";
    if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
      goto fail;
  }
  _exit(0);
fail:
  dprintf(errfd, "%s: %s", what, strerror(errno));
  _exit(1);
}

typedef struct sandbox_args {
  const agent_sandbox *sb;
  int errfd;
} sandbox_args;

static int sandbox_main(void *arg) {
  sandbox_args *a = arg;
  sandbox_child(a->sb, a->errfd);
  return 1;
}

/* The child borrows the agent's memory (CLONE_VM) and the agent's thread waits
 * until it is gone (CLONE_VFORK): no page tables are copied, which a fork of a
 * busy multi-threaded agent pays on every pod. */
static int pin_namespaces(const agent_sandbox *sb, tug_error *err) {
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) < 0)
    return tug_error_errno(err, errno, "pipe");
  sandbox_args args = {sb, pipefd[1]};
  pid_t pid = agent_clone_vfork(SIGCHLD, sandbox_main, &args);
  if (pid < 0) {
    int e = errno;
    close(pipefd[0]);
    close(pipefd[1]);
    return tug_error_errno(err, e, "clone sandbox child");
  }
  close(pipefd[1]);
  char msg[512];
  ssize_t n = read(pipefd[0], msg, sizeof msg - 1);
  close(pipefd[0]);
  int status;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (n > 0) {
    msg[n] = '\0';
    return tug_error_set(err, EIO, "%s", msg);
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return tug_error_set(err, EIO, "sandbox setup child failed (status %d)", status);
  return 0;
}

static void unmount_namespaces(const agent_sandbox *sb) {
  static const char *const all[] = {"net", "ipc", "uts", "user", NULL};
  char path[PATH_MAX + 16];
  for (const char *const *ns = all; *ns; ns++) {
    snprintf(path, sizeof path, "%s/ns/%s", sb->dir, *ns);
    umount2(path, MNT_DETACH); /* EINVAL: it was never mounted; ENOENT: no such file */
  }
}

static int write_sandbox_files(const agent_sandbox *sb, const agent_sandbox_spec *spec,
                               tug_error *err) {
  char path[PATH_MAX + 32];
  snprintf(path, sizeof path, "%s/ns", sb->dir);
  if (agent_mkdir_p(path, 0700, err) < 0)
    return -1;
  for (const char *const *ns = ns_names; *ns; ns++) {
    snprintf(path, sizeof path, "%s/ns/%s", sb->dir, *ns);
    if (agent_write_file(path, "", err) < 0)
      return -1;
  }
  snprintf(path, sizeof path, "%s/ns/user", sb->dir);
  if (sb->id_base && agent_write_file(path, "", err) < 0)
    return -1;
  char hosts[1024];
  if (spec->hosts == NULL)
    snprintf(hosts, sizeof hosts,
             "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t%s\n",
             sb->name);
  snprintf(path, sizeof path, "%s/hosts", sb->dir);
  if (agent_write_file(path, spec->hosts ? spec->hosts : hosts, err) < 0 ||
      agent_sandbox_write_hostname(sb, err) < 0)
    return -1;
  const char *resolv = spec->resolv_conf;
  _cleanup_free_ char *host_resolv = NULL;
  if (resolv == NULL) {
    _cleanup_fclose_ FILE *f = fopen("/etc/resolv.conf", "re");
    size_t len = 0;
    if (f == NULL || getdelim(&host_resolv, &len, '\0', f) < 0)
      resolv = "";
    else
      resolv = host_resolv;
  }
  snprintf(path, sizeof path, "%s/resolv.conf", sb->dir);
  return agent_write_file(path, resolv, err);
}

int agent_sandbox_init(agent_runtime *rt, const char *uid, const char *name, agent_sandbox *sb,
                       tug_error *err) {
  if (agent_check_name("pod uid", uid, err) < 0 || agent_check_name("pod name", name, err) < 0)
    return -1;
  snprintf(sb->uid, sizeof sb->uid, "%s", uid);
  snprintf(sb->name, sizeof sb->name, "%s", name);
  if (snprintf(sb->dir, sizeof sb->dir, "%s/sandboxes/%s", rt->state_dir, uid) >=
          (int)sizeof sb->dir - 64 || /* room for the files below it */
      snprintf(sb->data, sizeof sb->data, "%s/sandboxes/%s", rt->data_dir, uid) >=
          (int)sizeof sb->data - 64)
    return tug_error_set(err, ENAMETOOLONG, "sandbox %s: path too long", uid);
  snprintf(sb->cgroup, sizeof sb->cgroup, "tug/%s", uid);
  return 0;
}

/* The pod's /etc/hostname, as the kubelet mounts one: its hostname and a newline. */
int agent_sandbox_write_hostname(const agent_sandbox *sb, tug_error *err) {
  char path[PATH_MAX + 16], text[AGENT_NAME_MAX + 2];
  snprintf(path, sizeof path, "%s/hostname", sb->dir);
  snprintf(text, sizeof text, "%s\n", sb->name);
  return agent_write_file(path, text, err);
}

static int make_data_dir(const agent_sandbox *sb, tug_error *err) {
  if (strcmp(sb->data, sb->dir) != 0 && mkdir(sb->data, 0700) < 0 && errno != EEXIST)
    return tug_error_errno(err, errno, "mkdir %s", sb->data);
  return 0;
}

int agent_runtime_sandbox_create(agent_runtime *rt, const agent_sandbox_spec *spec,
                                 agent_sandbox **out, tug_error *err) {
  agent_sandbox *sb = calloc(1, sizeof *sb);
  if (sb == NULL)
    return tug_error_errno(err, ENOMEM, "allocate sandbox");
  if (agent_sandbox_init(rt, spec->pod_uid, spec->pod_name, sb, err) < 0) {
    free(sb);
    return -1;
  }
  char parent[PATH_MAX + 16], data_parent[PATH_MAX + 16];
  snprintf(parent, sizeof parent, "%s/sandboxes", rt->state_dir);
  snprintf(data_parent, sizeof data_parent, "%s/sandboxes", rt->data_dir);
  if (agent_mkdir_p(parent, 0700, err) < 0 || agent_mkdir_p(data_parent, 0700, err) < 0) {
    free(sb);
    return tug_error_wrap(err, "create sandbox %s", spec->pod_uid);
  }
  int rc = mkdir(sb->dir, 0700);
  if (rc < 0 && errno == EEXIST) {
    /* An earlier agent's: take it over when intact, else it was purged. */
    int reopened = agent_sandbox_reopen(rt, sb, err);
    if (reopened == 1) {
      *out = sb;
      return 0;
    }
    if (reopened < 0) {
      free(sb);
      return tug_error_wrap(err, "create sandbox %s", spec->pod_uid);
    }
    rc = mkdir(sb->dir, 0700);
  }
  if (rc < 0) {
    tug_error_errno(err, errno, "create sandbox %s: mkdir %s", spec->pod_uid, sb->dir);
    free(sb);
    return -1;
  }
  if (make_data_dir(sb, err) < 0 ||
      (spec->user_namespace && agent_idrange_alloc(&rt->ids, sb->uid, &sb->id_base, err) < 0) ||
      write_sandbox_files(sb, spec, err) < 0 ||
      agent_cgroup_create(rt->cgroup_mode, sb->cgroup, &spec->resources, err) < 0 ||
      (sb->id_base ? agent_userns_pin(sb, err) : pin_namespaces(sb, err)) < 0) {
    tug_error_wrap(err, "create sandbox %s", spec->pod_uid);
    agent_runtime_sandbox_remove(rt, sb, NULL);
    return -1;
  }
  *out = sb;
  return 0;
}

int agent_runtime_sandbox_remove(agent_runtime *rt, agent_sandbox *sb, tug_error *err) {
  unmount_namespaces(sb);
  int rc = 0;
  if (agent_cgroup_delete(rt->cgroup_mode, sb->cgroup, err) < 0)
    rc = -1;
  if (agent_rm_rf(sb->dir, rc < 0 ? NULL : err) < 0 ||
      agent_rm_rf(sb->data, rc < 0 ? NULL : err) < 0)
    rc = -1;
  /* Only once its processes and files are gone: ids handed to the next pod
   * must own nothing of this one's. */
  if (rc == 0 && agent_idrange_release(&rt->ids, sb->uid, err) < 0)
    rc = -1;
  if (rc < 0)
    tug_error_wrap(err, "remove sandbox %s", sb->uid);
  free(sb);
  return rc;
}

int agent_runtime_sandbox_netns(const agent_sandbox *sb, tug_error *err) {
  char path[PATH_MAX + 32];
  snprintf(path, sizeof path, "%s/ns/net", sb->dir);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return tug_error_errno(err, errno, "open %s", path);
  return fd;
}

int agent_runtime_sandbox_set_file(agent_sandbox *sb, const char *name, const char *content,
                                   tug_error *err) {
  char path[PATH_MAX + 32];
  if (strcmp(name, "hosts") != 0 && strcmp(name, "resolv.conf") != 0)
    return tug_error_set(err, EINVAL, "sandbox file %s: only hosts and resolv.conf", name);
  snprintf(path, sizeof path, "%s/%s", sb->dir, name);
  return agent_write_file(path, content, err);
}
