/*
 * runtime-image.c — the local image store: <root>/images/<name>/<tag>/rootfs.
 *
 * The one idea: an image is unpacked beside its final place (rootfs.new) and
 * renamed into it, so a container never sees a half-imported rootfs. Imports
 * go through libarchive both for tarballs and for directories (read_disk →
 * write_disk), with the "secure" extraction flags that refuse "..", absolute
 * paths and writes through symlinks.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "runtime-internal.h"

extern char **environ;

static const int extract_flags =
    ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_ACL |
    ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS;

int agent_image_rootfs(const char *root, const char *name, const char *tag, char *buf, size_t size,
                       tug_error *err) {
  if (agent_check_name("image name", name, err) < 0 || agent_check_name("image tag", tag, err) < 0)
    return -1;
  if (snprintf(buf, size, "%s/images/%s/%s/rootfs", root, name, tag) >= (int)size)
    return tug_error_set(err, ENAMETOOLONG, "image path of %s:%s", name, tag);
  return 0;
}

void agent_archive_read_freep(struct archive **a) {
  if (*a)
    archive_read_free(*a);
}
static void archive_write_freep(struct archive **a) {
  if (*a)
    archive_write_free(*a);
}
#define _cleanup_archive_write_ __attribute__((cleanup(archive_write_freep)))

/* Rewrites one path of an entry: strip `strip` chars, put it under dest. */
static int rebase(const char *path, size_t strip, const char *dest, char *out, size_t size) {
  const char *rel = path + (strlen(path) >= strip ? strip : strlen(path));
  while (*rel == '/')
    rel++;
  return snprintf(out, size, "%s/%s", dest, rel) >= (int)size ? -1 : 0;
}

int agent_archive_copy(struct archive *in, bool disk, size_t strip, const char *dest,
                       agent_entry_hook hook, void *arg, tug_error *err) {
  _cleanup_archive_write_ struct archive *out = archive_write_disk_new();
  if (out == NULL)
    return tug_error_set(err, ENOMEM, "archive_write_disk_new");
  archive_write_disk_set_options(out, extract_flags);
  archive_write_disk_set_standard_lookup(out);
  struct archive_entry *e;
  char path[PATH_MAX], link[PATH_MAX];
  int r;
  while ((r = archive_read_next_header(in, &e)) == ARCHIVE_OK) {
    if (disk)
      archive_read_disk_descend(in); /* read_disk walks a tree only when asked */
    int h = hook ? hook(e, arg, err) : 0;
    if (h < 0)
      return -1;
    if (h > 0)
      continue;
    if (rebase(archive_entry_pathname(e), strip, dest, path, sizeof path) < 0)
      return tug_error_set(err, ENAMETOOLONG, "path %s", archive_entry_pathname(e));
    archive_entry_copy_pathname(e, path);
    const char *hard = archive_entry_hardlink(e);
    if (hard) {
      if (rebase(hard, strip, dest, link, sizeof link) < 0)
        return tug_error_set(err, ENAMETOOLONG, "link %s", hard);
      archive_entry_copy_hardlink(e, link);
    }
    if (archive_write_header(out, e) < ARCHIVE_WARN)
      return tug_error_set(err, EIO, "write %s: %s", path, archive_error_string(out));
    const void *buf;
    size_t len;
    la_int64_t off;
    while ((r = archive_read_data_block(in, &buf, &len, &off)) == ARCHIVE_OK)
      if (archive_write_data_block(out, buf, len, off) < ARCHIVE_WARN)
        return tug_error_set(err, EIO, "write %s: %s", path, archive_error_string(out));
    if (r != ARCHIVE_EOF)
      return tug_error_set(err, EIO, "read %s: %s", path, archive_error_string(in));
    if (archive_write_finish_entry(out) < ARCHIVE_WARN)
      return tug_error_set(err, EIO, "finish %s: %s", path, archive_error_string(out));
  }
  if (r != ARCHIVE_EOF)
    return tug_error_set(err, EIO, "read: %s", archive_error_string(in));
  if (archive_write_close(out) != ARCHIVE_OK)
    return tug_error_set(err, EIO, "close %s: %s", dest, archive_error_string(out));
  return 0;
}

static int copy_dir(const char *src, const char *dest, tug_error *err) {
  _cleanup_archive_read_ struct archive *in = archive_read_disk_new();
  if (in == NULL)
    return tug_error_set(err, ENOMEM, "archive_read_disk_new");
  archive_read_disk_set_symlink_physical(in);
  archive_read_disk_set_standard_lookup(in);
  if (archive_read_disk_open(in, src) != ARCHIVE_OK)
    return tug_error_set(err, EIO, "open %s: %s", src, archive_error_string(in));
  return agent_archive_copy(in, true, strlen(src), dest, NULL, NULL, err);
}

int agent_archive_open_tar(const char *src, struct archive **out, tug_error *err) {
  struct archive *in = archive_read_new();
  if (in == NULL)
    return tug_error_set(err, ENOMEM, "archive_read_new");
  archive_read_support_filter_all(in);
  archive_read_support_format_tar(in);
  archive_read_support_format_gnutar(in);
  if (archive_read_open_filename(in, src, 256 * 1024) != ARCHIVE_OK) {
    tug_error_set(err, EIO, "open %s: %s", src, archive_error_string(in));
    archive_read_free(in);
    return -1;
  }
  *out = in;
  return 0;
}

int agent_archive_extract(const char *src, const char *dest, tug_error *err) {
  _cleanup_archive_read_ struct archive *in = NULL;
  if (agent_archive_open_tar(src, &in, err) < 0)
    return -1;
  if (mkdir(dest, 0755) < 0)
    return tug_error_errno(err, errno, "mkdir %s", dest);
  return agent_archive_copy(in, false, 0, dest, NULL, NULL, err);
}

/* The paths every container gets something mounted on: /proc, /sys, /dev,
 * /etc/hosts, /etc/resolv.conf, /etc/hostname and the ServiceAccount token directory that
 * admission adds to every pod. Made once in the image, their mount points lie
 * in the read-only lower layer, and a container's start creates nothing on
 * disk for them: no copy-up into its upper dir, no new inodes (each costs a
 * search through recently freed inodes on a file system without a journal).
 * Paths resolve inside the image, so an image's symlink (/var/run -> /run)
 * is followed as the container will see it, and whatever an image has there
 * itself (a file, a symlink) is left alone. */
const agent_mount_point agent_mount_points[] = {
    {"proc", AGENT_KIND_DIR},
    {"sys", AGENT_KIND_DIR},
    {"dev", AGENT_KIND_DIR},
    {"etc/hosts", AGENT_KIND_FILE},
    {"etc/resolv.conf", AGENT_KIND_FILE},
    {"etc/hostname", AGENT_KIND_FILE},
    {"var/run/secrets/kubernetes.io/serviceaccount", AGENT_KIND_DIR},
};
const size_t agent_n_mount_points = sizeof agent_mount_points / sizeof agent_mount_points[0];

static int add_mount_points(const char *staging, tug_error *err) {
  _cleanup_close_ int rootfd = open(staging, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return tug_error_errno(err, errno, "open %s", staging);
  for (size_t i = 0; i < agent_n_mount_points; i++) {
    /* Best effort: what cannot be made here (a dangling symlink, a file in
     * the way) is made, or refused with its reason, when a container starts. */
    int fd = agent_ensure_at(rootfd, agent_mount_points[i].path, agent_mount_points[i].kind,
                             RESOLVE_IN_ROOT);
    if (fd >= 0)
      close(fd);
  }
  return 0;
}

/* Puts the tree at staging in place of <dir>/rootfs. */
static int commit(const char *dir, const char *staging, tug_error *err) {
  char final[PATH_MAX + 16], old[PATH_MAX + 16];
  if (add_mount_points(staging, err) < 0)
    return -1;
  snprintf(final, sizeof final, "%s/rootfs", dir);
  snprintf(old, sizeof old, "%s/rootfs.old", dir);
  if (agent_rm_rf(old, err) < 0)
    return -1;
  if (rename(final, old) < 0 && errno != ENOENT)
    return tug_error_errno(err, errno, "rename %s", final);
  if (rename(staging, final) < 0)
    return tug_error_errno(err, errno, "rename %s to %s", staging, final);
  return agent_rm_rf(old, err);
}

static int image_dirs(const char *root, const char *name, const char *tag, char *dir, char *staging,
                      tug_error *err) {
  char rootfs[PATH_MAX];
  if (agent_image_rootfs(root, name, tag, rootfs, sizeof rootfs, err) < 0)
    return -1;
  snprintf(dir, PATH_MAX, "%s", rootfs);
  *strrchr(dir, '/') = '\0';
  snprintf(staging, PATH_MAX + 16, "%s/rootfs.new", dir);
  if (agent_mkdir_p(dir, 0755, err) < 0 || agent_rm_rf(staging, err) < 0)
    return -1;
  return 0;
}

int agent_image_import(const char *root, const char *name, const char *tag, const char *src,
                       tug_error *err) {
  char dir[PATH_MAX], staging[PATH_MAX + 16];
  struct stat st;
  if (stat(src, &st) < 0)
    return tug_error_errno(err, errno, "import %s:%s: stat %s", name, tag, src);
  if (image_dirs(root, name, tag, dir, staging, err) < 0)
    return tug_error_wrap(err, "import %s:%s", name, tag);
  int rc =
      S_ISDIR(st.st_mode) ? copy_dir(src, staging, err) : agent_archive_extract(src, staging, err);
  if (rc < 0 || commit(dir, staging, err) < 0) {
    agent_rm_rf(staging, NULL);
    return tug_error_wrap(err, "import %s:%s from %s", name, tag, src);
  }
  return 0;
}

/* The applet names of `busybox --list`, one per line, into buf. */
static int busybox_applets(const char *busybox, char *buf, size_t size, tug_error *err) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0)
    return tug_error_errno(err, errno, "pipe");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, p[1], 1);
  char *argv[] = {(char *)busybox, "--list", NULL};
  pid_t pid;
  int rc = posix_spawn(&pid, busybox, &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(p[1]);
  if (rc != 0) {
    close(p[0]);
    return tug_error_errno(err, rc, "run %s --list", busybox);
  }
  size_t len = 0;
  ssize_t n;
  while (len < size - 1 && (n = read(p[0], buf + len, size - 1 - len)) > 0)
    len += (size_t)n;
  buf[len] = '\0';
  close(p[0]);
  int status;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || len == 0)
    return tug_error_set(err, EIO, "%s --list failed", busybox);
  return 0;
}

static int copy_file(const char *from, const char *to, mode_t mode, tug_error *err) {
  _cleanup_close_ int in = open(from, O_RDONLY | O_CLOEXEC);
  if (in < 0)
    return tug_error_errno(err, errno, "open %s", from);
  _cleanup_close_ int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (out < 0)
    return tug_error_errno(err, errno, "create %s", to);
  char buf[1 << 16];
  ssize_t n;
  while ((n = read(in, buf, sizeof buf)) > 0)
    if (write(out, buf, (size_t)n) != n)
      return tug_error_errno(err, errno, "write %s", to);
  if (n < 0)
    return tug_error_errno(err, errno, "read %s", from);
  return fchmod(out, mode) < 0 ? tug_error_errno(err, errno, "chmod %s", to) : 0;
}

static int populate_busybox(const char *rootfs, tug_error *err) {
  static const struct {
    const char *path;
    mode_t mode;
  } dirs[] = {{"", 0755},    {"bin", 0755},  {"etc", 0755},  {"proc", 0555}, {"sys", 0555},
              {"dev", 0755}, {"tmp", 01777}, {"root", 0700}, {"usr", 0755},  {"var", 0755}};
  char path[PATH_MAX + 64];
  for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
    snprintf(path, sizeof path, "%s/%s", rootfs, dirs[i].path);
    if (mkdir(path, dirs[i].mode) < 0 || chmod(path, dirs[i].mode) < 0)
      return tug_error_errno(err, errno, "mkdir %s", path);
  }
  snprintf(path, sizeof path, "%s/bin/busybox", rootfs);
  if (copy_file("/bin/busybox", path, 0755, err) < 0)
    return -1;
  snprintf(path, sizeof path, "%s/etc/passwd", rootfs);
  if (agent_write_file(path, "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n",
                       err) < 0)
    return -1;
  snprintf(path, sizeof path, "%s/etc/group", rootfs);
  if (agent_write_file(path, "root:x:0:\nnogroup:x:65534:\n", err) < 0)
    return -1;
  /* `busybox --install -s` would link to the host path it runs from: link
   * each applet to "busybox" relatively instead. */
  _cleanup_free_ char *list = malloc(64 * 1024);
  if (list == NULL)
    return tug_error_errno(err, ENOMEM, "allocate");
  if (busybox_applets("/bin/busybox", list, 64 * 1024, err) < 0)
    return -1;
  snprintf(path, sizeof path, "%s/bin", rootfs);
  _cleanup_close_ int bin = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (bin < 0)
    return tug_error_errno(err, errno, "open %s", path);
  char *save = NULL;
  for (char *a = strtok_r(list, "\n", &save); a; a = strtok_r(NULL, "\n", &save))
    if (strcmp(a, "busybox") != 0 && !strchr(a, '/') && symlinkat("busybox", bin, a) < 0 &&
        errno != EEXIST)
      return tug_error_errno(err, errno, "link /bin/%s", a);
  return 0;
}

int agent_image_build_busybox(const char *root, tug_error *err) {
  char dir[PATH_MAX], staging[PATH_MAX + 16];
  if (image_dirs(root, "busybox", "latest", dir, staging, err) < 0)
    return tug_error_wrap(err, "build busybox:latest");
  if (populate_busybox(staging, err) < 0 || commit(dir, staging, err) < 0) {
    agent_rm_rf(staging, NULL);
    return tug_error_wrap(err, "build busybox:latest");
  }
  return 0;
}
