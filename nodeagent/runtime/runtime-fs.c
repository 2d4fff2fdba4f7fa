/*
 * runtime-fs.c — small file-system helpers: name checks, mkdir -p, write a
 * file, rm -r that stays on one mount so a forgotten mount under a state dir
 * is reported, never emptied; and paths opened, or made, below a directory
 * descriptor without ever leaving it (the child and the agent share these:
 * they allocate nothing).
 */
#include <errno.h>
#include <sys/syscall.h>
#include <sys/mman.h>
#include <sched.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/openat2.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "cleanup.h"
#include "runtime-internal.h"

int agent_check_name(const char *what, const char *name, tug_error *err) {
  size_t n = name ? strlen(name) : 0;
  if (n == 0 || n >= AGENT_NAME_MAX || strchr(name, '/') || strcmp(name, ".") == 0 ||
      strcmp(name, "..") == 0)
    return tug_error_set(err, EINVAL, "invalid %s \"%s\"", what, name ? name : "");
  return 0;
}

int agent_mkdir_p(const char *path, mode_t mode, tug_error *err) {
  /* Mostly the parents exist: one call then, not one per component. */
  if (mkdir(path, mode) == 0 || errno == EEXIST)
    return 0;
  char buf[PATH_MAX];
  if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
    return tug_error_set(err, ENAMETOOLONG, "mkdir %s", path);
  for (char *p = buf + 1;; p++) {
    if (*p != '/' && *p != '\0')
      continue;
    char c = *p;
    *p = '\0';
    if (mkdir(buf, mode) < 0 && errno != EEXIST)
      return tug_error_errno(err, errno, "mkdir %s", buf);
    if (c == '\0')
      return 0;
    *p = c;
  }
}

int agent_write_file(const char *path, const char *content, tug_error *err) {
  _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return tug_error_errno(err, errno, "open %s", path);
  size_t len = strlen(content);
  for (size_t off = 0; off < len;) {
    ssize_t n = write(fd, content + off, len - off);
    if (n < 0 && errno != EINTR)
      return tug_error_errno(err, errno, "write %s", path);
    off += n > 0 ? (size_t)n : 0;
  }
  return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st;
  (void)ftw;
  if (flag == FTW_DP ? rmdir(path) : unlink(path))
    return errno ? errno : EIO;
  return 0;
}

int agent_rm_rf(const char *path, tug_error *err) {
  struct stat st;
  if (lstat(path, &st) < 0)
    return errno == ENOENT ? 0 : tug_error_errno(err, errno, "stat %s", path);
  int rc = nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
  if (rc != 0)
    return tug_error_errno(err, rc > 0 ? rc : errno, "remove %s", path);
  return 0;
}

enum { CLONE_STACK_SIZE = 1 << 20 };

pid_t agent_clone_vfork(int flags, int (*fn)(void *), void *arg) {
#if defined(__SANITIZE_ADDRESS__)
  pid_t pid = (pid_t)syscall(SYS_clone, CLONE_VFORK | flags, NULL, NULL, NULL, NULL);
  if (pid == 0)
    _exit(fn(arg));
  return pid;
#else
  void *stack = mmap(NULL, CLONE_STACK_SIZE, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED)
    return -1;
  pid_t pid = clone(fn, (char *)stack + CLONE_STACK_SIZE, CLONE_VM | CLONE_VFORK | flags, arg);
  int saved = errno;
  /* The child has exec'd or exited (CLONE_VFORK): its stack is free again. */
  munmap(stack, CLONE_STACK_SIZE);
  errno = saved;
  return pid;
#endif
}

int agent_open_at(int dirfd, const char *path, int flags, uint64_t resolve) {
  struct open_how how = {
      .flags = (unsigned)(flags | O_CLOEXEC),
      .resolve = resolve | RESOLVE_NO_MAGICLINKS,
  };
  return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

int agent_ensure_at(int dirfd, const char *path, agent_file_kind kind, uint64_t resolve) {
  int fd = agent_open_at(dirfd, path, O_PATH, resolve);
  if (fd < 0 && errno == ENOENT) {
    char parent[PATH_MAX];
    snprintf(parent, sizeof parent, "%s", path);
    char *slash = strrchr(parent, '/');
    const char *leaf = path;
    int pfd = dirfd;
    if (slash) {
      *slash = '\0';
      leaf = slash + 1;
      pfd = agent_ensure_at(dirfd, parent, AGENT_KIND_DIR, resolve);
      if (pfd < 0)
        return -1;
    }
    /* leaf has no '/', and O_EXCL never follows a symlink planted there. */
    int rc = kind == AGENT_KIND_DIR
                 ? mkdirat(pfd, leaf, 0755)
                 : openat(pfd, leaf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    int saved = errno;
    if (kind == AGENT_KIND_FILE && rc >= 0)
      close(rc);
    if (pfd != dirfd)
      close(pfd);
    if (rc < 0 && saved != EEXIST) {
      errno = saved;
      return -1;
    }
    fd = agent_open_at(dirfd, path, O_PATH, resolve);
  }
  if (fd < 0)
    return -1;
  struct stat st;
  if (fstat(fd, &st) < 0 || (kind == AGENT_KIND_DIR) != S_ISDIR(st.st_mode) ||
      (kind == AGENT_KIND_FILE && !S_ISREG(st.st_mode))) {
    close(fd);
    errno = ENOTDIR;
    return -1;
  }
  return fd;
}

const char *agent_host_path_rel(const char *root, const char *path) {
  size_t n = strlen(root);
  while (n > 0 && root[n - 1] == '/')
    n--; /* "/" and "/data/" as prefixes */
  if (strncmp(path, root, n) != 0 || (path[n] != '/' && path[n] != '\0'))
    return NULL;
  const char *rel = path + n;
  while (*rel == '/')
    rel++;
  return *rel ? rel : ".";
}

int agent_open_host_path(const char *root, const char *path) {
  const char *rel = agent_host_path_rel(root, path);
  if (rel == NULL) {
    errno = EXDEV;
    return -1;
  }
  /* By name first: a PID's root or cwd may answer EACCES before it is seen
   * to be a magic link. */
  if (agent_host_path_rel("/proc", path)) {
    errno = EPERM;
    return -1;
  }
  int rfd = agent_open_at(AT_FDCWD, root, O_PATH | O_DIRECTORY, 0);
  if (rfd < 0)
    return -1;
  int fd =
      agent_is_procfs(rfd) ? (errno = EPERM, -1) : agent_open_at(rfd, rel, O_PATH, RESOLVE_BENEATH);
  int saved = errno;
  close(rfd);
  errno = saved;
  if (fd >= 0 && agent_is_procfs(fd)) {
    close(fd);
    errno = EPERM;
    return -1;
  }
  return fd;
}

bool agent_is_procfs(int fd) {
  struct statfs fs;
  return fstatfs(fd, &fs) == 0 && fs.f_type == PROC_SUPER_MAGIC;
}
