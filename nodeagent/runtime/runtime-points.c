/*
 * runtime-points.c — the mount points layer of a pulled image: one small
 * directory stacked above the image's layers that holds the paths every
 * container gets something mounted on (agent_mount_points), where the image
 * lacks them.
 *
 * The one idea: paths are looked up in the merged view of the layers, as
 * overlayfs will show them to the container: the topmost entry wins, a 0/0
 * character device hides what is below it, a directory merges with the
 * directories below it down to an opaque one, and symlinks are followed
 * inside the image (RESOLVE_IN_ROOT's rules: ".." stops at the root). A
 * directory the layer must hold to reach a missing point takes the mode,
 * owner and times of the directory it covers, since overlayfs shows the
 * topmost one's. Without this layer each container of the image would copy
 * them up into its own upper dir at every start.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cleanup.h"
#include "runtime-internal.h"
#include "pki.h"

enum { MAX_SYMLINKS = 40 };

typedef struct merged {
  const char *const *layers; /* top first */
  size_t n;
} merged;

static bool whiteout(const struct stat *st) {
  return S_ISCHR(st->st_mode) && st->st_rdev == 0;
}

static bool opaque(const char *path) {
  char v[2];
  return lgetxattr(path, "trusted.overlay.opaque", v, sizeof v) == 1 && v[0] == 'y';
}

static void off(bool *on, size_t from, size_t n) {
  for (size_t j = from; j < n; j++)
    on[j] = false;
}

/* The merged view's entry at rel (no symlink above its last component):
 * 1 with its stat and the index of the layer that shows it, 0 when absent. */
static int merged_lstat(const merged *m, const char *rel, struct stat *st, size_t *top) {
  bool on[AGENT_POINTS_MAX_LAYERS];
  size_t n = m->n < AGENT_POINTS_MAX_LAYERS ? m->n : AGENT_POINTS_MAX_LAYERS;
  for (size_t i = 0; i < n; i++)
    on[i] = true;
  char prefix[PATH_MAX] = "";
  size_t len = 0;
  int found = 1;
  for (const char *c = rel; *c && found;) {
    size_t clen = strcspn(c, "/");
    if (clen > 0) {
      len += (size_t)snprintf(prefix + len, sizeof prefix - len, "%s%.*s", len ? "/" : "",
                              (int)clen, c);
      found = 0;
      for (size_t i = 0; i < n; i++) {
        char path[PATH_MAX * 2];
        struct stat s;
        snprintf(path, sizeof path, "%s/%s", m->layers[i], prefix);
        if (!on[i] || lstat(path, &s) < 0) {
          on[i] = false;
          continue;
        }
        if (!found) {
          if (whiteout(&s))
            return 0;
          found = 1;
          *st = s;
          *top = i;
        } else if (!S_ISDIR(s.st_mode)) {
          off(on, i, n); /* a non-directory ends the stack */
          break;
        }
        if (!S_ISDIR(s.st_mode) || opaque(path)) {
          off(on, i + 1, n);
          break;
        }
      }
    }
    c += clen + (c[clen] == '/');
  }
  return found;
}

/* Append component c (clen bytes) to the resolved path buf. */
static void push(char *buf, size_t size, const char *c, size_t clen) {
  size_t len = strlen(buf);
  snprintf(buf + len, size - len, "%s%.*s", len ? "/" : "", (int)clen, c);
}

static void pop(char *buf) {
  char *slash = strrchr(buf, '/');
  *(slash ? slash : buf) = '\0';
}

/* Resolve path in the merged view, symlinks followed (the last one too),
 * into out; *exists: whether the whole of it is there. -1 with errno on a
 * loop or a non-directory in the way. */
static int resolve(const merged *m, const char *path, char *out, size_t size, bool *exists) {
  char todo[PATH_MAX], next[PATH_MAX * 2];
  snprintf(todo, sizeof todo, "%s", path);
  out[0] = '\0';
  *exists = true;
  int links = 0;
  const char *c = todo;
  while (*c) {
    size_t clen = strcspn(c, "/");
    const char *rest = c + clen + (c[clen] == '/');
    if (clen == 0 || (clen == 1 && c[0] == '.')) {
      c = rest;
      continue;
    }
    if (clen == 2 && c[0] == '.' && c[1] == '.') {
      pop(out);
      c = rest;
      continue;
    }
    char cand[PATH_MAX];
    snprintf(cand, sizeof cand, "%s", out);
    push(cand, sizeof cand, c, clen);
    struct stat st;
    size_t top;
    if (!*exists || !merged_lstat(m, cand, &st, &top)) {
      *exists = false;
      snprintf(out, size, "%s", cand);
    } else if (S_ISLNK(st.st_mode)) {
      char target[PATH_MAX], lpath[PATH_MAX * 2];
      snprintf(lpath, sizeof lpath, "%s/%s", m->layers[top], cand);
      ssize_t tlen = readlink(lpath, target, sizeof target - 1);
      if (tlen < 0 || ++links > MAX_SYMLINKS) {
        errno = tlen < 0 ? errno : ELOOP;
        return -1;
      }
      target[tlen] = '\0';
      if (target[0] == '/')
        out[0] = '\0';
      if (snprintf(next, sizeof next, "%s/%s", target, rest) >= (int)sizeof todo) {
        errno = ENAMETOOLONG;
        return -1;
      }
      memcpy(todo, next, strlen(next) + 1);
      c = todo;
      continue;
    } else if (!S_ISDIR(st.st_mode) && *rest) {
      errno = ENOTDIR;
      return -1;
    } else {
      snprintf(out, size, "%s", cand);
    }
    c = rest;
  }
  return 0;
}

/* Directory rel in the points layer, as the merged view's (mode, owner, times). */
static int copy_dir(const merged *m, int points, const char *rel) {
  struct stat st;
  size_t top;
  if (!merged_lstat(m, rel, &st, &top) || !S_ISDIR(st.st_mode)) {
    errno = ENOTDIR;
    return -1;
  }
  /* The root exists already and still takes the attributes. */
  if (mkdirat(points, rel, 0700) < 0 && (errno != EEXIST || strcmp(rel, ".") != 0))
    return errno == EEXIST ? 0 : -1;
  struct timespec times[2] = {st.st_atim, st.st_mtim};
  if (fchownat(points, rel, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
      fchmodat(points, rel, st.st_mode & 07777, 0) < 0 ||
      utimensat(points, rel, times, AT_SYMLINK_NOFOLLOW) < 0)
    return -1;
  return 0;
}

/* Make the point at path unless the image has it: the directories above it
 * that exist copied, the missing ones 0755, the point itself as kind. */
static int make_point(const merged *m, int points, const char *path, agent_file_kind kind) {
  char rel[PATH_MAX];
  bool exists;
  if (resolve(m, path, rel, sizeof rel, &exists) < 0)
    return -1;
  if (exists || rel[0] == '\0')
    return 0;
  bool missing = false;
  for (char *slash = rel;; slash++) {
    slash = strchr(slash, '/');
    if (slash)
      *slash = '\0';
    struct stat st;
    size_t top;
    bool last = slash == NULL;
    missing = missing || !merged_lstat(m, rel, &st, &top);
    int rc;
    if (!missing)
      rc = copy_dir(m, points, rel);
    else if (last && kind == AGENT_KIND_FILE) {
      rc = openat(points, rel, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
      if (rc >= 0)
        close(rc);
    } else
      rc = mkdirat(points, rel, 0755) < 0 && errno != EEXIST ? -1 : 0;
    if (rc < 0)
      return -1;
    if (last)
      return 0;
    *slash = '/';
  }
}

int agent_points_layer_make(const char *const *layers, size_t n, const char *dir, tug_error *err) {
  if (n > AGENT_POINTS_MAX_LAYERS)
    return tug_error_set(err, E2BIG, "mount points of %zu layers: at most %d", n,
                         AGENT_POINTS_MAX_LAYERS);
  char staging[PATH_MAX + 8];
  if (snprintf(staging, sizeof staging, "%s.new", dir) >= (int)sizeof staging)
    return tug_error_set(err, ENAMETOOLONG, "points layer %s", dir);
  if (agent_rm_rf(staging, err) < 0)
    return -1;
  if (mkdir(staging, 0755) < 0)
    return tug_error_errno(err, errno, "mkdir %s", staging);
  merged m = {.layers = layers, .n = n};
  _cleanup_close_ int points = open(staging, O_PATH | O_DIRECTORY | O_CLOEXEC);
  int rc = points < 0 ? tug_error_errno(err, errno, "open %s", staging) : 0;
  if (rc == 0) {
    if (copy_dir(&m, points, ".") < 0)
      fchmodat(points, ".", 0755, 0); /* no root dir in any layer: overlay's default */
    for (size_t i = 0; i < agent_n_mount_points; i++)
      /* Best effort, as at import: what cannot be made here (a file in the way,
       * a loop) is made, or refused with its reason, when a container starts. */
      make_point(&m, points, agent_mount_points[i].path, agent_mount_points[i].kind);
  }
  if (rc == 0 && rename(staging, dir) < 0)
    rc = tug_error_errno(err, errno, "rename %s", staging);
  if (rc < 0)
    agent_rm_rf(staging, NULL);
  return rc;
}

char *agent_layers_read_file(const char *lowerdir, const char *path, size_t max) {
  char *dirs = strdup(lowerdir);
  const char *layers[AGENT_POINTS_MAX_LAYERS];
  size_t n = 0;
  char *save = NULL;
  for (char *d = dirs ? strtok_r(dirs, ":", &save) : NULL; d && n < AGENT_POINTS_MAX_LAYERS;
       d = strtok_r(NULL, ":", &save))
    layers[n++] = d;
  merged m = {.layers = layers, .n = n};
  char rel[PATH_MAX], full[PATH_MAX * 2];
  bool exists = false;
  struct stat st;
  size_t top;
  char *out = NULL;
  if (dirs && resolve(&m, path, rel, sizeof rel, &exists) == 0 && exists &&
      merged_lstat(&m, rel, &st, &top) && S_ISREG(st.st_mode)) {
    snprintf(full, sizeof full, "%s/%s", layers[top], rel);
    out = tug_read_file(full, max, NULL, NULL);
  }
  free(dirs);
  return out;
}
