/*
 * runtime-rootfs.c — the container's file system, built by the child in its
 * new mount namespace: private propagation, overlayfs root, /proc with
 * Docker's masked and read-only paths, a nodev /dev with the standard device
 * nodes, read-only /sys, /etc/hosts, /etc/resolv.conf and /etc/hostname, the pod's volumes,
 * the root made read-only when asked, then pivot_root.
 *
 * The one idea: every mount target inside the rootfs is opened with
 * openat2(RESOLVE_IN_ROOT), so an image's symlink ("etc -> /host/etc") is
 * resolved as if the rootfs were "/" and can never point the mount outside
 * it; a new file system is then mounted on /proc/self/fd/N, the descriptor
 * we checked, and a bind is a detached copy (open_tree) given its flags
 * before move_mount puts it on that descriptor: no path is looked up again
 * after a check, so nothing swapped meanwhile can take a flag or a mount.
 * Volumes are cloned so by the agent before the child starts (their
 * sources may be mounts the child's namespace does not hold).
 * The working directory is opened the same way after pivot_root, and no
 * magic link (/proc/self/fd/N, /proc/self/cwd) is ever followed.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime-internal.h"

static int fail(char *msg, size_t size, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(char *msg, size_t size, int errnum, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(msg, size, fmt, ap);
  va_end(ap);
  if (n >= 0 && (size_t)n < size)
    snprintf(msg + n, size - n, ": %s", strerror(errnum));
  return -1;
}

static int open_in_root(int rootfd, const char *path, int flags) {
  return agent_open_at(rootfd, path, flags, RESOLVE_IN_ROOT);
}

static int ensure_in_root(int rootfd, const char *path, agent_file_kind kind) {
  return agent_ensure_at(rootfd, path, kind, RESOLVE_IN_ROOT);
}

/* mount(source, <path inside root>, ...) of a new file system through a
 * checked descriptor; MS_RDONLY holds for a new mount, unlike for a bind. */
static int mount_in_root(int rootfd, const char *path, agent_file_kind kind, const char *source,
                         const char *fstype, unsigned long flags, const char *data, char *msg,
                         size_t size) {
  int fd = ensure_in_root(rootfd, path, kind);
  if (fd < 0)
    return fail(msg, size, errno, "open /%s in rootfs", path);
  char target[64];
  snprintf(target, sizeof target, "/proc/self/fd/%d", fd);
  int rc = mount(source, target, fstype, flags, data);
  int saved = errno;
  close(fd);
  if (rc < 0)
    return fail(msg, size, saved, "mount %s on /%s", fstype, path);
  return 0;
}

/* Bind a copy of the mount tree at src (recursive: with its submounts) onto
 * target, a descriptor checked by the caller; attrs (MOUNT_ATTR_*) are set
 * on the detached copy, before it is reachable from the container. */
static int bind_fd(int src, int target, bool recursive, uint64_t attrs) {
  int tree = (int)open_tree(src, "",
                            AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
                                (recursive ? AT_RECURSIVE : 0));
  if (tree < 0)
    return -1;
  struct mount_attr attr = {.attr_set = attrs};
  int rc = attrs ? mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) : 0;
  if (rc == 0)
    rc = move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
  int saved = errno;
  close(tree);
  errno = saved;
  return rc;
}

/* A host file the agent names (not the container) bound at path in the root. */
static int bind_host_file(int rootfd, const char *source, const char *path, uint64_t attrs,
                          char *msg, size_t size) {
  int src = open(source, O_PATH | O_CLOEXEC);
  if (src < 0)
    return fail(msg, size, errno, "open %s", source);
  int fd = ensure_in_root(rootfd, path, AGENT_KIND_FILE);
  int saved = errno;
  int rc = fd < 0 ? -1 : bind_fd(src, fd, false, attrs);
  if (fd >= 0)
    saved = errno;
  close(src);
  if (fd >= 0)
    close(fd);
  if (rc < 0)
    return fail(msg, size, saved, "bind %s on /%s", source, path);
  return 0;
}

static const char *const dev_nodes[] = {"null", "zero", "full", "random", "urandom", "tty", NULL};

static const struct {
  const char *target, *link;
} dev_links[] = {
    {"/proc/self/fd", "fd"},       {"/proc/self/fd/0", "stdin"}, {"/proc/self/fd/1", "stdout"},
    {"/proc/self/fd/2", "stderr"}, {"pts/ptmx", "ptmx"},
};

static int setup_dev(int rootfd, char *msg, size_t size) {
  /* nodev: a node made here (CAP_MKNOD) opens nothing; the standard nodes
   * are binds, mounts of their own without nodev. */
  if (mount_in_root(rootfd, "dev", AGENT_KIND_DIR, "tmpfs", "tmpfs",
                    MS_NOSUID | MS_NOEXEC | MS_NODEV, "mode=755,size=65536k", msg, size) < 0)
    return -1;
  char host[32], path[32];
  for (const char *const *n = dev_nodes; *n; n++) {
    snprintf(host, sizeof host, "/dev/%s", *n);
    snprintf(path, sizeof path, "dev/%s", *n);
    if (bind_host_file(rootfd, host, path, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, msg, size) < 0)
      return -1;
  }
  if (mount_in_root(rootfd, "dev/shm", AGENT_KIND_DIR, "shm", "tmpfs",
                    MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k", msg, size) < 0 ||
      mount_in_root(rootfd, "dev/pts", AGENT_KIND_DIR, "devpts", "devpts", MS_NOSUID | MS_NOEXEC,
                    "newinstance,ptmxmode=0666,mode=0620", msg, size) < 0)
    return -1;
  int devfd = open_in_root(rootfd, "dev", O_PATH | O_DIRECTORY);
  if (devfd < 0)
    return fail(msg, size, errno, "open /dev");
  for (size_t i = 0; i < sizeof dev_links / sizeof dev_links[0]; i++)
    if (symlinkat(dev_links[i].target, devfd, dev_links[i].link) < 0) {
      int saved = errno;
      close(devfd);
      return fail(msg, size, saved, "symlink /dev/%s", dev_links[i].link);
    }
  close(devfd);
  return 0;
}

/* A volume: source opened on the host, sub_path resolved inside it (made a
 * directory when missing), both through descriptors, so a symlink a
 * container planted in a shared volume can neither lead the source out of
 * the volume nor change between the check and the bind. */
static int open_volume_source(const agent_mount *m, tug_error *err) {
  int vfd = m->source_root ? agent_open_host_path(m->source_root, m->source)
                           : open(m->source, O_PATH | O_CLOEXEC);
  if (vfd < 0)
    return tug_error_errno(err, errno, "volume source %s", m->source);
  if (m->sub_path == NULL)
    return vfd;
  int fd = open_in_root(vfd, m->sub_path, O_PATH);
  if (fd < 0 && errno == ENOENT)
    fd = ensure_in_root(vfd, m->sub_path, AGENT_KIND_DIR);
  int saved = errno;
  close(vfd);
  if (fd < 0)
    return tug_error_errno(err, saved, "subPath %s of %s", m->sub_path, m->source);
  return fd;
}

/* emptyDir and content volumes are the agent's own directories: nothing in
 * them is a device or a set-id program anyone put there for the container. */
static uint64_t volume_attrs(const agent_mount *m) {
  uint64_t attrs = m->read_only ? MOUNT_ATTR_RDONLY : 0;
  return m->source_root ? attrs : attrs | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
}

/* Recursive, and recursively read-only, unlike a remount: no submount of
 * the volume stays writable. */
static int clone_volume(const agent_mount *m, tug_error *err) {
  int src = open_volume_source(m, err);
  if (src < 0)
    return -1;
  int tree =
      (int)open_tree(src, "", AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
  int saved = errno;
  close(src);
  if (tree < 0)
    return tug_error_errno(err, saved, "clone volume %s", m->source);
  struct mount_attr attr = {.attr_set = volume_attrs(m)};
  if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0) {
    saved = errno;
    close(tree);
    return tug_error_errno(err, saved, "set the flags of volume %s", m->source);
  }
  return tree;
}

int agent_rootfs_open_volumes(agent_rootfs_config *cfg, tug_error *err) {
  cfg->n_volume_fds = 0;
  for (size_t i = 0; i < cfg->n_mounts; i++) {
    int tree = clone_volume(&cfg->mounts[i], err);
    if (tree < 0) {
      agent_rootfs_close_volumes(cfg);
      return -1;
    }
    cfg->volume_fds[cfg->n_volume_fds++] = tree;
  }
  return 0;
}

void agent_rootfs_close_volumes(agent_rootfs_config *cfg) {
  for (size_t i = 0; i < cfg->n_volume_fds; i++)
    close(cfg->volume_fds[i]);
  cfg->n_volume_fds = 0;
}

/* The agent's detached copy of the volume moved onto its mount point. */
static int mount_volume(int rootfd, const agent_mount *m, int tree, char *msg, size_t size) {
  struct stat st;
  if (fstat(tree, &st) < 0)
    return fail(msg, size, errno, "stat volume source %s", m->source);
  const char *path = m->target + 1; /* relative to the root: absolute by contract */
  int fd = ensure_in_root(rootfd, path, S_ISDIR(st.st_mode) ? AGENT_KIND_DIR : AGENT_KIND_FILE);
  if (fd < 0)
    return fail(msg, size, errno, "volume mount point %s in rootfs", m->target);
  int rc = move_mount(tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
  int saved = errno;
  close(fd);
  if (rc < 0)
    return fail(msg, size, saved, "bind volume %s on %s", m->source, m->target);
  return 0;
}

/* Docker's and Kubernetes' default masked paths: a file is covered by
 * /dev/null, a directory by an empty read-only tmpfs. */
const char *const agent_masked_paths[] = {"proc/acpi",
                                          "proc/asound",
                                          "proc/interrupts",
                                          "proc/kcore",
                                          "proc/keys",
                                          "proc/latency_stats",
                                          "proc/timer_list",
                                          "proc/timer_stats",
                                          "proc/sched_debug",
                                          "proc/scsi",
                                          "sys/firmware",
                                          "sys/devices/virtual/powercap",
                                          NULL};
/* ... and the paths bound read-only over themselves. */
const char *const agent_readonly_paths[] = {"proc/bus",           "proc/fs", "proc/irq", "proc/sys",
                                            "proc/sysrq-trigger", NULL};

static int mask_path(int rootfd, int nullfd, const char *path, char *msg, size_t size) {
  int fd = open_in_root(rootfd, path, O_PATH);
  if (fd < 0 && errno == ENOENT)
    return 0; /* this kernel has no such file */
  if (fd < 0)
    return fail(msg, size, errno, "open /%s", path);
  struct stat st;
  int rc = fstat(fd, &st);
  if (rc == 0 && S_ISDIR(st.st_mode)) {
    char target[64];
    snprintf(target, sizeof target, "/proc/self/fd/%d", fd);
    rc = mount("tmpfs", target, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
               "size=0,mode=0755");
  } else if (rc == 0) {
    rc = bind_fd(nullfd, fd, false, 0);
  }
  int saved = errno;
  close(fd);
  if (rc < 0)
    return fail(msg, size, saved, "mask /%s", path);
  return 0;
}

static int readonly_path(int rootfd, const char *path, char *msg, size_t size) {
  int fd = open_in_root(rootfd, path, O_PATH);
  if (fd < 0 && errno == ENOENT)
    return 0;
  if (fd < 0)
    return fail(msg, size, errno, "open /%s", path);
  int rc = bind_fd(fd, fd, true,
                   MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
  int saved = errno;
  close(fd);
  if (rc < 0)
    return fail(msg, size, saved, "make /%s read-only", path);
  return 0;
}

static int mask_proc_and_sys(int rootfd, char *msg, size_t size) {
  int nullfd = open("/dev/null", O_PATH | O_CLOEXEC);
  if (nullfd < 0)
    return fail(msg, size, errno, "open /dev/null");
  int rc = 0;
  for (const char *const *p = agent_masked_paths; *p && rc == 0; p++)
    rc = mask_path(rootfd, nullfd, *p, msg, size);
  for (const char *const *p = agent_readonly_paths; *p && rc == 0; p++)
    rc = readonly_path(rootfd, *p, msg, size);
  close(nullfd);
  return rc;
}

static int pivot(const char *root, char *msg, size_t size) {
  if (chdir(root) < 0)
    return fail(msg, size, errno, "chdir %s", root);
  /* pivot_root(".", "."): the old root ends up stacked on "." and is detached
   * at once, so no path to the host's tree stays reachable. */
  if (syscall(SYS_pivot_root, ".", ".") < 0)
    return fail(msg, size, errno, "pivot_root %s", root);
  if (umount2(".", MNT_DETACH) < 0)
    return fail(msg, size, errno, "detach the old root");
  if (chdir("/") < 0)
    return fail(msg, size, errno, "chdir /");
  return 0;
}

int agent_rootfs_chdir(const char *path, char *msg, size_t size) {
  char rel[PATH_MAX];
  while (*path == '/')
    path++;
  size_t len = strlen(path);
  while (len > 0 && path[len - 1] == '/')
    len--;
  if (len == 0)
    return 0; /* "/": pivot left us there */
  if (len >= sizeof rel)
    return fail(msg, size, ENAMETOOLONG, "workingDir /%s", path);
  memcpy(rel, path, len);
  rel[len] = '\0';
  int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return fail(msg, size, errno, "open /");
  int fd = ensure_in_root(rootfd, rel, AGENT_KIND_DIR);
  int saved = errno;
  close(rootfd);
  if (fd < 0)
    return fail(msg, size, saved, "workingDir /%s", rel);
  int rc = fchdir(fd);
  saved = errno;
  close(fd);
  if (rc < 0)
    return fail(msg, size, saved, "workingDir /%s", rel);
  return 0;
}

void agent_rootfs_confine(const agent_security *sec, agent_rootfs_config *cfg) {
  cfg->mask_proc = !sec->privileged && !sec->unmasked_proc;
  cfg->sys_writable = sec->privileged;
  cfg->read_only_root = sec->read_only_rootfs;
}

static int mount_proc_sys(int rootfd, const agent_rootfs_config *cfg, char *msg, size_t size) {
  const unsigned long hard = MS_NOSUID | MS_NODEV | MS_NOEXEC;
  if (mount_in_root(rootfd, "proc", AGENT_KIND_DIR, "proc", "proc", hard, NULL, msg, size) < 0 ||
      mount_in_root(rootfd, "sys", AGENT_KIND_DIR, "sysfs", "sysfs",
                    cfg->sys_writable ? hard : hard | MS_RDONLY, NULL, msg, size) < 0)
    return -1;
  return cfg->mask_proc ? mask_proc_and_sys(rootfd, msg, size) : 0;
}

static int mount_all(int rootfd, const agent_rootfs_config *cfg, char *msg, size_t size) {
  const uint64_t ro = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
  if (mount_proc_sys(rootfd, cfg, msg, size) < 0 || setup_dev(rootfd, msg, size) < 0 ||
      bind_host_file(rootfd, cfg->hosts, "etc/hosts", ro, msg, size) < 0 ||
      bind_host_file(rootfd, cfg->resolv_conf, "etc/resolv.conf", ro, msg, size) < 0 ||
      (cfg->hostname && bind_host_file(rootfd, cfg->hostname, "etc/hostname", ro, msg, size) < 0))
    return -1;
  for (size_t i = 0; i < cfg->n_mounts; i++)
    if (mount_volume(rootfd, &cfg->mounts[i], cfg->volume_fds[i], msg, size) < 0)
      return -1;
  return 0;
}

int agent_rootfs_seal(const agent_rootfs_config *cfg, char *msg, size_t size) {
  if (!cfg->read_only_root)
    return 0;
  /* Only the overlay itself, not what is mounted on it, which keeps its own
   * flags; after pivot_root it is the mount at "/". */
  int rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return fail(msg, size, errno, "open /");
  struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
  int rc = mount_setattr(rootfd, "", AT_EMPTY_PATH, &attr, sizeof attr);
  int saved = errno;
  close(rootfd);
  return rc < 0 ? fail(msg, size, saved, "make the root read-only") : 0;
}

/* The overlay on merged. The option string is limited to one page, so an
 * image with more layers than fit (about 40 under the default --root) goes
 * through the new mount API instead, one "lowerdir+" per layer (Linux 6.8). */
static int mount_overlay(const char *lowers, const agent_rootfs_config *cfg, char *msg,
                         size_t size) {
  char opts[4096];
  if (snprintf(opts, sizeof opts, "lowerdir=%s,upperdir=%s,workdir=%s", lowers, cfg->upper,
               cfg->work) < (int)sizeof opts) {
    if (mount("overlay", cfg->merged, "overlay", MS_NODEV, opts) < 0)
      return fail(msg, size, errno, "mount overlay at %s", cfg->merged);
    return 0;
  }
  int fs = fsopen("overlay", FSOPEN_CLOEXEC);
  if (fs < 0)
    return fail(msg, size, errno, "fsopen overlay");
  int rc = 0;
  for (const char *p = lowers; rc == 0 && *p;) {
    size_t n = strcspn(p, ":");
    char one[PATH_MAX];
    snprintf(one, sizeof one, "%.*s", (int)n, p);
    rc = fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir+", one, 0);
    p += n + (p[n] == ':');
  }
  if (rc == 0)
    rc = fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", cfg->upper, 0);
  if (rc == 0)
    rc = fsconfig(fs, FSCONFIG_SET_STRING, "workdir", cfg->work, 0);
  if (rc == 0)
    rc = fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0);
  int mnt = rc == 0 ? fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NODEV) : -1;
  int saved = errno;
  close(fs);
  if (mnt < 0)
    return fail(msg, size, saved, "overlay of %zu-byte lowerdir at %s", strlen(lowers),
                cfg->merged);
  rc = move_mount(mnt, "", AT_FDCWD, cfg->merged, MOVE_MOUNT_F_EMPTY_PATH);
  saved = errno;
  close(mnt);
  return rc < 0 ? fail(msg, size, saved, "move overlay to %s", cfg->merged) : 0;
}

/* Each lower dir bound idmapped at <idmapped_lower>/<i>; their list into out. */
static int idmap_lowers(const agent_rootfs_config *cfg, char *out, size_t out_size, char *msg,
                        size_t size) {
  size_t off = 0;
  int i = 0;
  for (const char *p = cfg->lower; *p; i++) {
    size_t n = strcspn(p, ":");
    char one[PATH_MAX], target[PATH_MAX];
    snprintf(one, sizeof one, "%.*s", (int)n, p);
    snprintf(target, sizeof target, "%s/%d", cfg->idmapped_lower, i);
    if (mkdir(target, 0700) < 0 && errno != EEXIST)
      return fail(msg, size, errno, "mkdir %s", target);
    if (agent_userns_idmap(one, target, cfg->userns_fd, msg, size) < 0)
      return -1;
    int w = snprintf(out + off, out_size - off, "%s%s", off ? ":" : "", target);
    if (w < 0 || (size_t)w >= out_size - off)
      return fail(msg, size, ENAMETOOLONG, "idmapped lower dirs");
    off += (size_t)w;
    p += n + (p[n] == ':');
  }
  return 0;
}

int agent_rootfs_setup(const agent_rootfs_config *cfg, char *msg, size_t size) {
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    return fail(msg, size, errno, "make / private");
  char mapped[16384];
  const char *lower = cfg->lower;
  if (cfg->idmapped_lower) {
    if (idmap_lowers(cfg, mapped, sizeof mapped, msg, size) < 0)
      return -1;
    lower = mapped;
  }
  if (mount_overlay(lower, cfg, msg, size) < 0)
    return -1;
  int rootfd = open(cfg->merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return fail(msg, size, errno, "open %s", cfg->merged);
  int rc = mount_all(rootfd, cfg, msg, size);
  if (rc == 0)
    rc = pivot(cfg->merged, msg, size);
  close(rootfd);
  return rc;
}
