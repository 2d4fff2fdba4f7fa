/*
 * runtime-layer.c — unpack one image layer (a tar, gzip- or zstd-compressed)
 * into a directory that overlayfs stacks as one lower dir.
 *
 * The one idea: a layer records deletions as OCI whiteouts, and overlayfs
 * records them its own way, so each is translated while unpacking: ".wh.NAME"
 * becomes a 0/0 character device NAME (overlay hides NAME of the layers
 * below), ".wh..wh..opq" in a directory sets trusted.overlay.opaque=y on it
 * (overlay shows none of what lower layers hold there). The tree is unpacked
 * beside its place and renamed into it, so a half-unpacked layer is never
 * used.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cleanup.h"
#include "runtime-internal.h"

#define WH_PREFIX ".wh."
#define WH_OPAQUE ".wh..wh..opq"

agent_whiteout agent_layer_whiteout(const char *path, char *target, size_t size) {
  while (path[0] == '.' && path[1] == '/')
    path += 2;
  while (*path == '/')
    path++;
  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  int dir_len = slash ? (int)(slash - path) : 0;
  if (strcmp(base, WH_OPAQUE) == 0) {
    if (dir_len)
      snprintf(target, size, "%.*s", dir_len, path);
    else
      snprintf(target, size, ".");
    return AGENT_WHITEOUT_OPAQUE;
  }
  if (strncmp(base, WH_PREFIX, strlen(WH_PREFIX)) != 0 || base[strlen(WH_PREFIX)] == '\0')
    return AGENT_WHITEOUT_NONE;
  snprintf(target, size, "%.*s%s%s", dir_len, path, slash ? "/" : "", base + strlen(WH_PREFIX));
  return AGENT_WHITEOUT_FILE;
}

typedef struct opaque_dirs {
  char **paths;
  size_t n;
} opaque_dirs;

static void opaque_dirs_free(opaque_dirs *o) {
  for (size_t i = 0; i < o->n; i++)
    free(o->paths[i]);
  free(o->paths);
}

/* Whiteouts become what overlayfs reads; opaque markers are kept for later,
 * since their directory may come after them in the tar. */
static int whiteout_hook(struct archive_entry *e, void *arg, tug_error *err) {
  opaque_dirs *o = arg;
  char target[PATH_MAX];
  switch (agent_layer_whiteout(archive_entry_pathname(e), target, sizeof target)) {
  case AGENT_WHITEOUT_NONE:
    return 0;
  case AGENT_WHITEOUT_OPAQUE: {
    char **grown = realloc(o->paths, (o->n + 1) * sizeof *grown);
    if (grown == NULL || (grown[o->n] = strdup(target)) == NULL) {
      if (grown)
        o->paths = grown;
      return tug_error_set(err, ENOMEM, "remember opaque dir %s", target);
    }
    o->paths = grown;
    o->n++;
    return 1;
  }
  case AGENT_WHITEOUT_FILE:
    archive_entry_set_pathname(e, target);
    archive_entry_set_hardlink(e, NULL);
    archive_entry_set_symlink(e, NULL);
    archive_entry_set_filetype(e, AE_IFCHR);
    archive_entry_set_perm(e, 0);
    archive_entry_set_rdev(e, makedev(0, 0));
    archive_entry_set_size(e, 0);
    return 0;
  }
  return 0;
}

static int mark_opaque(const char *root, const char *dir, tug_error *err) {
  _cleanup_close_ int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return tug_error_errno(err, errno, "open %s", root);
  _cleanup_close_ int made = agent_ensure_at(rootfd, dir, AGENT_KIND_DIR, RESOLVE_IN_ROOT);
  if (made < 0)
    return tug_error_errno(err, errno, "opaque dir %s in layer", dir);
  _cleanup_close_ int fd = agent_open_at(rootfd, dir, O_RDONLY | O_DIRECTORY, RESOLVE_IN_ROOT);
  if (fd < 0 || fsetxattr(fd, "trusted.overlay.opaque", "y", 1, 0) < 0)
    return tug_error_errno(err, errno, "mark %s opaque in layer", dir);
  return 0;
}

static int unpack(const char *blob, const char *dest, tug_error *err) {
  _cleanup_archive_read_ struct archive *in = NULL;
  if (agent_archive_open_tar(blob, &in, err) < 0)
    return -1;
  if (mkdir(dest, 0755) < 0)
    return tug_error_errno(err, errno, "mkdir %s", dest);
  opaque_dirs o = {0};
  int rc = agent_archive_copy(in, false, 0, dest, whiteout_hook, &o, err);
  for (size_t i = 0; rc == 0 && i < o.n; i++)
    rc = mark_opaque(dest, o.paths[i], err);
  opaque_dirs_free(&o);
  return rc;
}

int agent_layer_unpack(const char *blob, const char *dir, tug_error *err) {
  char staging[PATH_MAX + 8];
  if (snprintf(staging, sizeof staging, "%s.new", dir) >= (int)sizeof staging)
    return tug_error_set(err, ENAMETOOLONG, "layer dir %s", dir);
  if (agent_rm_rf(staging, err) < 0)
    return -1;
  if (unpack(blob, staging, err) < 0 || rename(staging, dir) < 0) {
    if (err->msg[0] == '\0')
      tug_error_errno(err, errno, "rename %s", staging);
    agent_rm_rf(staging, NULL);
    return tug_error_wrap(err, "unpack layer into %s", dir);
  }
  return 0;
}
