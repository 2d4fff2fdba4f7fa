/*
 * runtime-rootfs.c — the container's file system, built by the child in its
 * new mount namespace: private propagation, overlayfs root, /proc, minimal
 * /dev, read-only /sys, /etc/hosts and /etc/resolv.conf, the pod's volumes,
 * then pivot_root.
 *
 * The one idea: every mount target inside the rootfs is opened with
 * openat2(RESOLVE_IN_ROOT), so an image's symlink ("etc -> /host/etc") is
 * resolved as if the rootfs were "/" and can never point the mount outside
 * it; the mount is then made on /proc/self/fd/N, the descriptor we checked.
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
  struct open_how how = {
      .flags = (unsigned)(flags | O_CLOEXEC),
      .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  return (int)syscall(SYS_openat2, rootfd, path, &how, sizeof how);
}

enum kind { KIND_DIR, KIND_FILE };

/* An O_PATH descriptor of path inside the root, made (with its parents) when
 * missing; it must turn out to be of the wanted kind. */
static int ensure_in_root(int rootfd, const char *path, enum kind kind) {
  int fd = open_in_root(rootfd, path, O_PATH);
  if (fd < 0 && errno == ENOENT) {
    char parent[PATH_MAX];
    snprintf(parent, sizeof parent, "%s", path);
    char *slash = strrchr(parent, '/');
    const char *leaf = path;
    int pfd = rootfd;
    if (slash) {
      *slash = '\0';
      leaf = slash + 1;
      pfd = ensure_in_root(rootfd, parent, KIND_DIR);
      if (pfd < 0)
        return -1;
    }
    /* leaf has no '/', and O_EXCL never follows a symlink planted there. */
    int rc = kind == KIND_DIR ? mkdirat(pfd, leaf, 0755)
                              : openat(pfd, leaf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    int saved = errno;
    if (kind == KIND_FILE && rc >= 0)
      close(rc);
    if (pfd != rootfd)
      close(pfd);
    if (rc < 0 && saved != EEXIST) {
      errno = saved;
      return -1;
    }
    fd = open_in_root(rootfd, path, O_PATH);
  }
  if (fd < 0)
    return -1;
  struct stat st;
  if (fstat(fd, &st) < 0 || (kind == KIND_DIR) != S_ISDIR(st.st_mode) ||
      (kind == KIND_FILE && !S_ISREG(st.st_mode))) {
    close(fd);
    errno = ENOTDIR;
    return -1;
  }
  return fd;
}

/* mount(source, <path inside root>, ...) through a checked descriptor. */
static int mount_in_root(int rootfd, const char *path, enum kind kind, const char *source,
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
    return fail(msg, size, saved, "mount %s on /%s", fstype ? fstype : source, path);
  if ((flags & MS_BIND) && (flags & MS_RDONLY)) {
    /* A bind ignores MS_RDONLY: remount the new mount, reopened by path. */
    fd = open_in_root(rootfd, path, O_PATH);
    if (fd < 0)
      return fail(msg, size, errno, "reopen /%s", path);
    snprintf(target, sizeof target, "/proc/self/fd/%d", fd);
    rc = mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL);
    saved = errno;
    close(fd);
    if (rc < 0)
      return fail(msg, size, saved, "remount /%s read-only", path);
  }
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
  if (mount_in_root(rootfd, "dev", KIND_DIR, "tmpfs", "tmpfs", MS_NOSUID | MS_NOEXEC,
                    "mode=755,size=65536k", msg, size) < 0)
    return -1;
  char host[32], path[32];
  for (const char *const *n = dev_nodes; *n; n++) {
    snprintf(host, sizeof host, "/dev/%s", *n);
    snprintf(path, sizeof path, "dev/%s", *n);
    if (mount_in_root(rootfd, path, KIND_FILE, host, NULL, MS_BIND, NULL, msg, size) < 0)
      return -1;
  }
  if (mount_in_root(rootfd, "dev/shm", KIND_DIR, "shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                    "mode=1777,size=65536k", msg, size) < 0 ||
      mount_in_root(rootfd, "dev/pts", KIND_DIR, "devpts", "devpts", MS_NOSUID | MS_NOEXEC,
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
static int open_volume_source(const agent_mount *m, char *msg, size_t size) {
  int vfd = open(m->source, O_PATH | O_CLOEXEC);
  if (vfd < 0)
    return fail(msg, size, errno, "volume source %s", m->source);
  if (m->sub_path == NULL)
    return vfd;
  int fd = open_in_root(vfd, m->sub_path, O_PATH);
  if (fd < 0 && errno == ENOENT)
    fd = ensure_in_root(vfd, m->sub_path, KIND_DIR);
  int saved = errno;
  close(vfd);
  if (fd < 0)
    return fail(msg, size, saved, "subPath %s of %s", m->sub_path, m->source);
  return fd;
}

static int mount_volume(int rootfd, const agent_mount *m, char *msg, size_t size) {
  int src = open_volume_source(m, msg, size);
  if (src < 0)
    return -1;
  struct stat st;
  if (fstat(src, &st) < 0) {
    int saved = errno;
    close(src);
    return fail(msg, size, saved, "stat volume source %s", m->source);
  }
  const char *path = m->target + 1; /* relative to the root: absolute by contract */
  int fd = ensure_in_root(rootfd, path, S_ISDIR(st.st_mode) ? KIND_DIR : KIND_FILE);
  if (fd < 0) {
    int saved = errno;
    close(src);
    return fail(msg, size, saved, "volume mount point %s in rootfs", m->target);
  }
  char source[32], target[32];
  snprintf(source, sizeof source, "/proc/self/fd/%d", src);
  snprintf(target, sizeof target, "/proc/self/fd/%d", fd);
  int rc = mount(source, target, NULL, MS_BIND | MS_REC, NULL);
  int saved = errno;
  close(src);
  close(fd);
  if (rc < 0)
    return fail(msg, size, saved, "bind volume %s on %s", m->source, m->target);
  if (!m->read_only)
    return 0;
  /* Recursively, unlike a remount: no submount of the volume stays writable. */
  fd = open_in_root(rootfd, path, O_PATH);
  if (fd < 0)
    return fail(msg, size, errno, "reopen %s", m->target);
  struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
  rc = mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr);
  saved = errno;
  close(fd);
  if (rc < 0)
    return fail(msg, size, saved, "make volume mount %s read-only", m->target);
  return 0;
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
  int fd = ensure_in_root(rootfd, rel, KIND_DIR);
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

int agent_rootfs_setup(const agent_rootfs_config *cfg, char *msg, size_t size) {
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    return fail(msg, size, errno, "make / private");
  const char *lower = cfg->lower;
  if (cfg->idmapped_lower) {
    if (agent_userns_idmap(cfg->lower, cfg->idmapped_lower, cfg->userns_fd, msg, size) < 0)
      return -1;
    lower = cfg->idmapped_lower;
  }
  char opts[3 * PATH_MAX + 64];
  if (snprintf(opts, sizeof opts, "lowerdir=%s,upperdir=%s,workdir=%s", lower, cfg->upper,
               cfg->work) >= (int)sizeof opts)
    return fail(msg, size, ENAMETOOLONG, "overlay options");
  if (mount("overlay", cfg->merged, "overlay", MS_NODEV, opts) < 0)
    return fail(msg, size, errno, "mount overlay at %s", cfg->merged);
  int rootfd = open(cfg->merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return fail(msg, size, errno, "open %s", cfg->merged);
  const unsigned long hard = MS_NOSUID | MS_NODEV | MS_NOEXEC;
  int rc = -1;
  if (mount_in_root(rootfd, "proc", KIND_DIR, "proc", "proc", hard, NULL, msg, size) < 0 ||
      setup_dev(rootfd, msg, size) < 0 ||
      mount_in_root(rootfd, "sys", KIND_DIR, "sysfs", "sysfs", hard | MS_RDONLY, NULL, msg, size) <
          0 ||
      mount_in_root(rootfd, "etc/hosts", KIND_FILE, cfg->hosts, NULL, MS_BIND | MS_RDONLY, NULL,
                    msg, size) < 0 ||
      mount_in_root(rootfd, "etc/resolv.conf", KIND_FILE, cfg->resolv_conf, NULL,
                    MS_BIND | MS_RDONLY, NULL, msg, size) < 0)
    goto out;
  for (size_t i = 0; i < cfg->n_mounts; i++)
    if (mount_volume(rootfd, &cfg->mounts[i], msg, size) < 0)
      goto out;
  rc = pivot(cfg->merged, msg, size);
out:
  close(rootfd);
  return rc;
}
