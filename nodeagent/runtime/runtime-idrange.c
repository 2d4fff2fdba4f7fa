/*
 * runtime-idrange.c — pods' host id ranges as files under one directory (see
 * runtime-idrange.h). Allocation is next-fit from the last range handed out,
 * O_CREAT|O_EXCL deciding every race; lookups scan the directory, which holds
 * one file per pod with a user namespace on this node.
 */
#include "runtime-idrange.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"

enum { UID_MAX_LEN = 256 };

static bool uid_ok(const char *uid) {
  return uid && uid[0] && strlen(uid) < UID_MAX_LEN && !strpbrk(uid, "/\n");
}

/* A record's name: a base in decimal, canonical, inside the pool. */
static bool record_name(const agent_idrange_pool *pool, const char *name, uint32_t *base) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(name, &end, 10);
  char canon[24]; /* any unsigned long long */
  if (errno || *end || v < pool->first || v % AGENT_IDRANGE_SIZE ||
      (v - pool->first) / AGENT_IDRANGE_SIZE >= pool->count)
    return false;
  snprintf(canon, sizeof canon, "%llu", v);
  *base = (uint32_t)v;
  return strcmp(canon, name) == 0;
}

static int open_dir(const agent_idrange_pool *pool, tug_error *err) {
  if (mkdir(pool->dir, 0700) < 0 && errno != EEXIST)
    return tug_error_errno(err, errno, "create id range directory %s", pool->dir);
  int fd = open(pool->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return tug_error_errno(err, errno, "open id range directory %s", pool->dir);
  return fd;
}

/* A small file's first line; -1 with errno. */
static int read_line(int dirfd, const char *name, char *buf, size_t size) {
  _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  ssize_t n = read(fd, buf, size - 1);
  if (n < 0)
    return -1;
  buf[n] = '\0';
  buf[strcspn(buf, "\n")] = '\0';
  return 0;
}

/* The base pod_uid holds: 1, 0 none, -1 with errno. */
static int find(const agent_idrange_pool *pool, int dirfd, const char *pod_uid, uint32_t *base) {
  int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
  if (d == NULL) {
    if (fd >= 0)
      close(fd);
    return -1;
  }
  int found = 0;
  struct dirent *de;
  char holder[UID_MAX_LEN];
  while (!found && (de = readdir(d)) != NULL)
    found = record_name(pool, de->d_name, base) &&
            read_line(dirfd, de->d_name, holder, sizeof holder) == 0 &&
            strcmp(holder, pod_uid) == 0;
  closedir(d);
  return found;
}

int agent_idrange_lookup(const agent_idrange_pool *pool, const char *pod_uid, uint32_t *base) {
  if (!uid_ok(pod_uid))
    return 0;
  _cleanup_close_ int dirfd = open(pool->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    return errno == ENOENT ? 0 : -1;
  return find(pool, dirfd, pod_uid, base);
}

/* Take base for pod_uid: 1 taken, 0 held by another, -1 error. */
static int take(int dirfd, uint32_t base, const char *pod_uid, tug_error *err) {
  char name[16], text[UID_MAX_LEN + 1];
  snprintf(name, sizeof name, "%" PRIu32, base);
  int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 && errno == EEXIST)
    return 0;
  if (fd < 0)
    return tug_error_errno(err, errno, "create id range record %s", name);
  size_t len = (size_t)snprintf(text, sizeof text, "%s\n", pod_uid);
  errno = 0;
  bool written = write(fd, text, len) == (ssize_t)len && fsync(fd) == 0;
  int e = errno ? errno : EIO;
  close(fd);
  if (!written) {
    unlinkat(dirfd, name, 0);
    return tug_error_errno(err, e, "write id range record %s", name);
  }
  return 1;
}

/* Where the search starts: after the last base handed out, else the first. */
static uint32_t start_slot(const agent_idrange_pool *pool, int dirfd) {
  char text[32];
  uint32_t last;
  if (read_line(dirfd, "last", text, sizeof text) == 0 && record_name(pool, text, &last))
    return ((last - pool->first) / AGENT_IDRANGE_SIZE + 1) % pool->count;
  return 0;
}

int agent_idrange_alloc(const agent_idrange_pool *pool, const char *pod_uid, uint32_t *base,
                        tug_error *err) {
  if (!uid_ok(pod_uid))
    return tug_error_set(err, EINVAL, "allocate an id range: bad pod uid");
  _cleanup_close_ int dirfd = open_dir(pool, err);
  if (dirfd < 0)
    return tug_error_wrap(err, "allocate an id range for %s", pod_uid);
  int held = find(pool, dirfd, pod_uid, base);
  if (held < 0)
    return tug_error_errno(err, errno, "read id range records in %s", pool->dir);
  if (held)
    return 0;
  uint32_t start = start_slot(pool, dirfd);
  for (uint32_t i = 0; i < pool->count; i++) {
    uint32_t candidate = pool->first + (start + i) % pool->count * AGENT_IDRANGE_SIZE;
    int rc = take(dirfd, candidate, pod_uid, err);
    if (rc < 0)
      return tug_error_wrap(err, "allocate an id range for %s", pod_uid);
    if (rc == 0)
      continue;
    /* The mark only spreads allocations: losing it costs nothing. */
    char text[16];
    snprintf(text, sizeof text, "%" PRIu32 "\n", candidate);
    _cleanup_close_ int fd = openat(dirfd, "last", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd >= 0 && write(fd, text, strlen(text)) < 0)
      unlinkat(dirfd, "last", 0);
    *base = candidate;
    return 0;
  }
  return tug_error_set(err, ENOSPC, "allocate an id range for %s: all %" PRIu32 " ranges are held",
                       pod_uid, pool->count);
}

int agent_idrange_release(const agent_idrange_pool *pool, const char *pod_uid, tug_error *err) {
  _cleanup_close_ int dirfd = open(pool->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0 && errno == ENOENT)
    return 0;
  if (dirfd < 0)
    return tug_error_errno(err, errno, "open id range directory %s", pool->dir);
  uint32_t base;
  int held;
  char name[16];
  /* Loop: a pod holds one range, but two racing allocations may leave two. */
  while (uid_ok(pod_uid) && (held = find(pool, dirfd, pod_uid, &base)) != 0) {
    if (held < 0)
      return tug_error_errno(err, errno, "read id range records in %s", pool->dir);
    snprintf(name, sizeof name, "%" PRIu32, base);
    if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
      return tug_error_errno(err, errno, "remove id range record %s/%s", pool->dir, name);
  }
  return 0;
}
