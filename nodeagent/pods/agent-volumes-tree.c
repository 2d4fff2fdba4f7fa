/*
 * agent-volumes-tree.c — what the agent does to a volume's whole tree once
 * it exists: give it to the pod's fsGroup (Kubernetes' ownership rules),
 * and measure an emptyDir's disk usage against its sizeLimit, as kubelet's
 * eviction manager does.
 *
 * The one idea: one walk by descriptors (openat, fstatat with
 * AT_SYMLINK_NOFOLLOW) that never follows a symlink nor leaves the volume's
 * mount, because a container may have planted anything in the tree.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent-volumes-internal.h"
#include "object.h"
#include "quantity.h"

typedef int (*walk_fn)(int dirfd, const char *name, const struct stat *st, void *arg);

/* fn on every entry below dfd (not dfd itself), depth first, on one mount. */
static int walk(int dfd, dev_t dev, walk_fn fn, void *arg, int depth) {
  if (depth > 64)
    return 0; /* deeper trees are a container's doing: not followed further */
  int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = fd < 0 ? NULL : fdopendir(fd);
  if (d == NULL) {
    if (fd >= 0)
      close(fd);
    return -1;
  }
  int rc = 0;
  struct dirent *e;
  while (rc == 0 && (e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    struct stat st;
    if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != dev)
      continue; /* gone meanwhile, or another mount */
    rc = fn(dirfd(d), e->d_name, &st, arg);
    if (rc == 0 && S_ISDIR(st.st_mode)) {
      int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub >= 0) {
        rc = walk(sub, dev, fn, arg, depth + 1);
        close(sub);
      }
    }
  }
  closedir(d);
  return rc;
}

static int walk_dir(const char *dir, walk_fn fn, void *arg, struct stat *top) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return -1;
  int rc = fstat(fd, top);
  if (rc == 0)
    rc = walk(fd, top->st_dev, fn, arg, 0);
  int saved = errno;
  close(fd);
  errno = saved;
  return rc;
}

mode_t agent_fs_group_mode(mode_t mode, bool dir, bool read_only) {
  mode_t add = read_only ? 0440 : 0660;
  if (dir)
    add |= S_ISGID | 0110;
  return (mode & 07777) | add;
}

typedef struct owner {
  gid_t gid;
  bool read_only;
} owner;

static int own_entry(int dirfd, const char *name, const struct stat *st, void *arg) {
  const owner *o = arg;
  if (S_ISLNK(st->st_mode))
    return fchownat(dirfd, name, (uid_t)-1, o->gid, AT_SYMLINK_NOFOLLOW) < 0 ? -1 : 0;
  if (fchownat(dirfd, name, (uid_t)-1, o->gid, AT_SYMLINK_NOFOLLOW) < 0)
    return -1;
  /* chown clears set-id bits: chmod after it. */
  return fchmodat(dirfd, name, agent_fs_group_mode(st->st_mode, S_ISDIR(st->st_mode), o->read_only),
                  0) < 0
             ? -1
             : 0;
}

int agent_volume_set_fs_group(const char *dir, gid_t gid, bool read_only, tug_error *err) {
  owner o = {.gid = gid, .read_only = read_only};
  struct stat top;
  if (walk_dir(dir, own_entry, &o, &top) < 0 || chown(dir, (uid_t)-1, gid) < 0 ||
      chmod(dir, agent_fs_group_mode(top.st_mode, true, read_only)) < 0)
    return tug_error_errno(err, errno, "give %s to fsGroup %u", dir, (unsigned)gid);
  return 0;
}

static int own_by_root(int dirfd, const char *name, const struct stat *st, void *arg) {
  (void)st;
  uid_t id = *(const uid_t *)arg;
  return fchownat(dirfd, name, id, id, AT_SYMLINK_NOFOLLOW) < 0 ? -1 : 0;
}

int agent_volume_give_to_root(const char *dir, uid_t root_id, tug_error *err) {
  struct stat top;
  if (walk_dir(dir, own_by_root, &root_id, &top) < 0 || chown(dir, root_id, root_id) < 0)
    return tug_error_errno(err, errno, "give %s to the pod's root (%u)", dir, (unsigned)root_id);
  return 0;
}

static int add_usage(int dirfd, const char *name, const struct stat *st, void *arg) {
  (void)dirfd;
  (void)name;
  *(int64_t *)arg += (int64_t)st->st_blocks * 512;
  return 0;
}

int64_t agent_dir_usage(const char *dir) {
  int64_t bytes = 0;
  struct stat top;
  if (walk_dir(dir, add_usage, &bytes, &top) < 0)
    return -1;
  return bytes + (int64_t)top.st_blocks * 512;
}

bool agent_empty_dir_over_limit(const json_t *vol, int64_t usage, char *msg, size_t size) {
  const char *medium = tug_obj_get_str(vol, "emptyDir.medium");
  const char *limit = tug_obj_get_str(vol, "emptyDir.sizeLimit");
  int64_t bytes = 0;
  if (!json_is_object(json_object_get(vol, "emptyDir")) || limit == NULL ||
      (medium && strcmp(medium, "Memory") == 0) ||
      tug_quantity_parse_value(limit, 0, &bytes, NULL) < 0 || bytes <= 0 || usage <= bytes)
    return false;
  snprintf(msg, size, "Usage of EmptyDir volume \"%s\" exceeds the limit \"%s\".",
           tug_obj_get_str(vol, "name") ?: "", limit);
  return true;
}

bool agent_volumes_over_limit(const json_t *pod, const char *sandbox_dir, char *msg, size_t size) {
  size_t i;
  json_t *vol;
  json_array_foreach(tug_obj_get(pod, "spec.volumes"), i, vol) {
    const char *name = tug_obj_get_str(vol, "name");
    char dir[PATH_MAX], scratch[8];
    if (name == NULL || !agent_empty_dir_over_limit(vol, INT64_MAX, scratch, sizeof scratch) ||
        snprintf(dir, sizeof dir, "%s/volumes/%s", sandbox_dir, name) >= (int)sizeof dir)
      continue; /* no disk limit to check */
    int64_t usage = agent_dir_usage(dir);
    if (usage >= 0 && agent_empty_dir_over_limit(vol, usage, msg, size))
      return true;
  }
  return false;
}
