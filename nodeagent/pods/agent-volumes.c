/*
 * agent-volumes.c — resolve a pod's volumes into host paths and one
 * container's volumeMounts into the runtime's mount list (agent-volumes.h).
 *
 * Everything here runs in the agent, before the container's child: it checks
 * what the spec asks for and says precisely what is wrong, so that the child
 * only binds paths that exist. Files of configMap, secret, downwardAPI and projected
 * volumes are written by agent-volumes-files.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent-env.h"
#include "agent-volumes-internal.h"
#include "cleanup.h"
#include "object.h"
#include "quantity.h"
#include "runtime-internal.h"

static const char *const volume_types[] = {"emptyDir",
                                           "hostPath",
                                           "configMap",
                                           "secret",
                                           "downwardAPI",
                                           "projected",
                                           "persistentVolumeClaim",
                                           NULL};

/* The volume's type: one of volume_types, or the first other source key
 * (unsupported), or emptyDir when none is given (Kubernetes' default). */
static const char *volume_type(const json_t *vol) {
  const char *key, *other = NULL;
  json_t *value;
  json_object_foreach((json_t *)vol, key, value) {
    for (const char *const *t = volume_types; *t; t++)
      if (strcmp(key, *t) == 0)
        return *t;
    if (other == NULL && strcmp(key, "name") != 0)
      other = key;
  }
  return other ? other : "emptyDir";
}

static bool is_content_volume(const char *type) {
  return strcmp(type, "configMap") == 0 || strcmp(type, "secret") == 0 ||
         strcmp(type, "downwardAPI") == 0 || strcmp(type, "projected") == 0;
}

char *agent_volume_clean_path(const char *path, bool absolute, tug_error *err) {
  if (path == NULL || path[0] == '\0' || (path[0] == '/') != absolute)
    return tug_error_set(err, EINVAL, "\"%s\" must be %s", path ? path : "",
                         absolute ? "an absolute path" : "a relative path"),
           NULL;
  char *out = malloc(strlen(path) + 2);
  if (out == NULL)
    return tug_error_errno(err, ENOMEM, "allocate path"), NULL;
  size_t n = 0;
  for (const char *p = path; *p;) {
    while (*p == '/')
      p++;
    size_t len = strcspn(p, "/");
    if (len == 2 && strncmp(p, "..", 2) == 0) {
      free(out);
      return tug_error_set(err, EINVAL, "\"%s\" must not contain \"..\"", path), NULL;
    }
    if (len > 0 && !(len == 1 && *p == '.')) {
      if (absolute || n > 0)
        out[n++] = '/';
      memcpy(out + n, p, len);
      n += len;
    }
    p += len;
  }
  out[n] = '\0';
  if (n == 0) {
    free(out);
    return tug_error_set(err, EINVAL, "\"%s\" names %s", path, absolute ? "the root" : "no file"),
           NULL;
  }
  return out;
}

static int mkdir_mode(const char *path, mode_t mode, tug_error *err) {
  if (mkdir(path, mode) < 0 && errno != EEXIST)
    return tug_error_errno(err, errno, "mkdir %s", path);
  /* Not the umask's: an emptyDir is world-writable, as Kubernetes makes it. */
  if (chmod(path, mode) < 0)
    return tug_error_errno(err, errno, "chmod %s", path);
  return 0;
}

/* A mount point of its own: a different device than its parent dir. */
static bool is_mount_point(const char *path) {
  char parent[PATH_MAX];
  struct stat st, pst;
  if (snprintf(parent, sizeof parent, "%s/..", path) >= (int)sizeof parent)
    return false;
  return stat(path, &st) == 0 && stat(parent, &pst) == 0 && st.st_dev != pst.st_dev;
}

/* spec.securityContext.fsGroup as a host gid (the pod's own user namespace
 * maps its ids from root_id on): true with *gid when the pod sets one. */
static bool fs_group(const agent_volume_ctx *ctx, gid_t *gid) {
  json_t *g = tug_obj_get(ctx->pod, "spec.securityContext.fsGroup");
  if (!json_is_integer(g) || json_integer_value(g) < 0 || json_integer_value(g) > UINT32_MAX - 1)
    return false;
  *gid = (gid_t)ctx->root_id + (gid_t)json_integer_value(g);
  return true;
}

/* The pod's root owns its emptyDir: with a user namespace of its own, the
 * host ids that are root inside (agent_runtime_sandbox_root_id); with an
 * fsGroup, that group, and what is made in it stays the group's (setgid). */
static int own_empty_dir(const agent_volume_ctx *ctx, const char *dir, mode_t mode,
                         tug_error *err) {
  gid_t gid;
  bool grouped = fs_group(ctx, &gid);
  if (chown(dir, ctx->root_id, grouped ? gid : ctx->root_id) < 0)
    return tug_error_errno(err, errno, "chown %s", dir);
  /* chown cleared the setgid bit */
  if (grouped && chmod(dir, mode) < 0)
    return tug_error_errno(err, errno, "chmod %s", dir);
  return 0;
}

static int prepare_empty_dir(const agent_volume_ctx *ctx, const json_t *vol, const char *dir,
                             tug_error *err) {
  const char *medium = tug_obj_get_str(vol, "emptyDir.medium");
  bool memory = medium && strcmp(medium, "Memory") == 0;
  if (medium && medium[0] && !memory)
    return tug_error_set(err, EINVAL, "emptyDir medium \"%s\" is not supported (\"\" or Memory)",
                         medium);
  gid_t gid;
  mode_t mode = fs_group(ctx, &gid) ? 02777 : 0777;
  if (mkdir_mode(dir, mode, err) < 0 || own_empty_dir(ctx, dir, mode, err) < 0)
    return -1;
  if (!memory || is_mount_point(dir))
    return 0;
  char opts[64];
  const char *limit = tug_obj_get_str(vol, "emptyDir.sizeLimit");
  int64_t bytes = 0;
  snprintf(opts, sizeof opts, "mode=0%o", (unsigned)mode);
  if (limit) {
    if (tug_quantity_parse_value(limit, 0, &bytes, err) < 0 || bytes <= 0)
      return tug_error_set(err, EINVAL, "emptyDir sizeLimit \"%s\" is not a size", limit);
    snprintf(opts, sizeof opts, "mode=0%o,size=%lld", (unsigned)mode, (long long)bytes);
  }
  if (mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
    return tug_error_errno(err, errno, "mount tmpfs on %s", dir);
  return own_empty_dir(ctx, dir, mode, err);
}

static const struct {
  const char *type;
  mode_t kind; /* S_IFMT bits */
  bool create;
} host_path_types[] = {
    {"", S_IFDIR, true},
    {"DirectoryOrCreate", S_IFDIR, true},
    {"Directory", S_IFDIR, false},
    {"FileOrCreate", S_IFREG, true},
    {"File", S_IFREG, false},
    {"Socket", S_IFSOCK, false},
    {"CharDevice", S_IFCHR, false},
    {"BlockDevice", S_IFBLK, false},
};

static const char *kind_name(mode_t kind) {
  switch (kind & S_IFMT) {
  case S_IFDIR:
    return "a directory";
  case S_IFREG:
    return "a file";
  case S_IFSOCK:
    return "a socket";
  case S_IFCHR:
    return "a character device";
  case S_IFBLK:
    return "a block device";
  default:
    return "something else";
  }
}

int agent_host_path_root(const char *allowed, const char *path, char *root, size_t size) {
  size_t best = 0;
  bool found = false;
  for (const char *p = allowed ? allowed : ""; *p;) {
    size_t len = strcspn(p, ",");
    char entry[PATH_MAX];
    if (len > 0 && len < sizeof entry) {
      memcpy(entry, p, len);
      entry[len] = '\0';
      /* "/" cleans to nothing: it is its own prefix of everything. */
      char *clean =
          strspn(entry, "/") == len ? strdup("/") : agent_volume_clean_path(entry, true, NULL);
      if (clean && agent_host_path_rel(clean, path) && (!found || strlen(clean) > best) &&
          strlen(clean) < size) {
        snprintf(root, size, "%s", clean);
        best = strlen(clean);
        found = true;
      }
      free(clean);
    }
    p += len + (p[len] == ',');
  }
  return found ? 0 : -1;
}

static int host_path_refused(const char *path, const char *root, int errnum, tug_error *err) {
  switch (errnum) {
  case EPERM:
    return tug_error_set(err, EPERM, "hostPath %s is in /proc (refused)", path);
  case ELOOP:
    return tug_error_set(err, ELOOP, "hostPath %s leads through a magic link (refused)", path);
  case EXDEV:
    return tug_error_set(err, EXDEV, "hostPath %s: a symlink or \"..\" leads out of %s (refused)",
                         path, root);
  default:
    return tug_error_errno(err, errnum, "hostPath %s", path);
  }
}

/* Made beneath root as type asks (an unset type that finds nothing makes a
 * directory, as containerd does for Kubernetes), never through a symlink
 * that leaves it. */
static int create_host_path(const char *root, const char *path, mode_t kind, tug_error *err) {
  _cleanup_close_ int rfd = agent_open_at(AT_FDCWD, root, O_PATH | O_DIRECTORY, 0);
  if (rfd < 0)
    return tug_error_errno(err, errno, "hostPath prefix %s", root);
  int fd = agent_ensure_at(rfd, agent_host_path_rel(root, path),
                           kind == S_IFDIR ? AGENT_KIND_DIR : AGENT_KIND_FILE, RESOLVE_BENEATH);
  if (fd < 0)
    return host_path_refused(path, root, errno, err);
  close(fd);
  return 0;
}

/* Under an allowed prefix, reached beneath it, checked or created as its
 * type says; root gets the prefix, which the child resolves from again. */
static int check_host_path(const agent_volume_ctx *ctx, const char *path, const char *type,
                           char *root, size_t rsize, tug_error *err) {
  size_t i, n = sizeof host_path_types / sizeof host_path_types[0];
  for (i = 0; i < n && strcmp(host_path_types[i].type, type) != 0; i++)
    ;
  if (i == n)
    return tug_error_set(err, EINVAL, "hostPath type \"%s\" is not supported", type);
  const char *allowed = ctx->allowed_host_paths;
  if (agent_host_path_root(allowed, path, root, rsize) < 0)
    return tug_error_set(err, EACCES, "hostPath %s is not under --allowed-host-paths (%s)", path,
                         allowed && allowed[0] ? allowed : "none on this node");
  int fd = agent_open_host_path(root, path);
  if (fd < 0 && errno == ENOENT && host_path_types[i].create) {
    if (create_host_path(root, path, host_path_types[i].kind, err) < 0)
      return -1;
    fd = agent_open_host_path(root, path);
  }
  if (fd < 0 && errno == ENOENT)
    return tug_error_errno(err, errno, "hostPath %s (type %s)", path, type[0] ? type : "\"\"");
  if (fd < 0)
    return host_path_refused(path, root, errno, err);
  struct stat st;
  int rc = fstat(fd, &st);
  close(fd);
  if (rc < 0)
    return tug_error_errno(err, errno, "hostPath %s: stat", path);
  if (type[0] && (st.st_mode & S_IFMT) != host_path_types[i].kind)
    return tug_error_set(err, EINVAL, "hostPath %s is %s, not %s (type %s)", path,
                         kind_name(st.st_mode), kind_name(host_path_types[i].kind), type);
  return 0;
}

/* ---- persistentVolumeClaim ---- */

/* The directory of the volume bound to the claim vol names, into path, and
 * the prefix it is reached beneath into root: this node's local-path root
 * for provisioned volumes, an --allowed-host-paths prefix for others. */
static int claim_source(const agent_volume_ctx *ctx, const json_t *vol, char *path, size_t psize,
                        char *root, size_t rsize, tug_error *err) {
  const char *claim = tug_obj_get_str(vol, "persistentVolumeClaim.claimName");
  char api[1024];
  _cleanup_json_ json_t *pvc = NULL, *pv = NULL;
  if (ctx->get == NULL || claim == NULL)
    return tug_error_set(err, ENOTSUP, "persistentVolumeClaim volumes need the API");
  snprintf(api, sizeof api, "/api/v1/namespaces/%s/persistentvolumeclaims/%s",
           tug_obj_namespace(ctx->pod), claim);
  if (ctx->get(ctx->get_arg, api, &pvc, err) < 0)
    return tug_error_wrap(err, "persistentvolumeclaim \"%s\"", claim);
  const char *volume = tug_obj_get_str(pvc, "spec.volumeName");
  if (volume == NULL || volume[0] == '\0')
    return tug_error_set(err, EAGAIN, "persistentvolumeclaim \"%s\" is not bound yet", claim);
  snprintf(api, sizeof api, "/api/v1/persistentvolumes/%s", volume);
  if (ctx->get(ctx->get_arg, api, &pv, err) < 0)
    return tug_error_wrap(err, "persistentvolume \"%s\"", volume);
  const char *dir = tug_obj_get_str(pv, "spec.local.path");
  if (dir == NULL)
    dir = tug_obj_get_str(pv, "spec.hostPath.path");
  _cleanup_free_ char *clean = dir ? agent_volume_clean_path(dir, true, err) : NULL;
  if (clean == NULL)
    return tug_error_set(err, ENOTSUP,
                         "persistentvolume \"%s\": only local and hostPath "
                         "volumes are supported",
                         volume);
  snprintf(path, psize, "%s", clean);
  if (ctx->local_path_root && agent_host_path_rel(ctx->local_path_root, clean) &&
      strlen(ctx->local_path_root) < rsize) {
    snprintf(root, rsize, "%s", ctx->local_path_root);
    return 0;
  }
  if (agent_host_path_root(ctx->allowed_host_paths, clean, root, rsize) < 0)
    return tug_error_set(err, EACCES,
                         "persistentvolume \"%s\": %s is not under this node's "
                         "local-path root nor --allowed-host-paths",
                         volume, clean);
  return 0;
}

/* Made on first use like an emptyDir (world-writable, the pod's root's,
 * fsGroup's group); then, like Kubernetes' ownership management, given to an
 * fsGroup again at every mount, and to a pod with a user namespace of its
 * own whose root does not own it yet. */
static int prepare_claim(const agent_volume_ctx *ctx, const json_t *vol, tug_error *err) {
  char path[PATH_MAX], root[PATH_MAX];
  if (claim_source(ctx, vol, path, sizeof path, root, sizeof root, err) < 0)
    return -1;
  gid_t gid;
  bool grouped = fs_group(ctx, &gid);
  mode_t mode = grouped ? 02777 : 0777;
  struct stat st;
  if (lstat(path, &st) < 0) {
    if (create_host_path(root, path, S_IFDIR, err) < 0 || chmod(path, mode) < 0 ||
        own_empty_dir(ctx, path, mode, err) < 0)
      return tug_error_wrap(err, "make volume dir %s", path);
    return 0;
  }
  if (grouped && agent_volume_set_fs_group(path, gid, false, err) < 0)
    return -1;
  if (ctx->root_id != 0 && st.st_uid != ctx->root_id)
    return agent_volume_give_to_root(path, ctx->root_id, err);
  return 0;
}

/* Secrets and the pod's own metadata never touch the disk; nor does a
 * projected volume, which may hold either (as the kubelet does it). */
static bool in_memory(const char *type) {
  return strcmp(type, "secret") == 0 || strcmp(type, "downwardAPI") == 0 ||
         strcmp(type, "projected") == 0;
}

/* Room for a Secret (at most 1 MiB) or the pod's metadata, several times over. */
#define CONTENT_TMPFS_OPTS "mode=0755,size=4m"

/* A fresh <dir>.tmp: what an interrupted attempt left is removed first. */
static int fresh_dir(const char *tmp, bool memory, tug_error *err) {
  if (is_mount_point(tmp) && umount2(tmp, MNT_DETACH) < 0)
    return tug_error_errno(err, errno, "unmount %s", tmp);
  if (agent_rm_rf(tmp, err) < 0 || mkdir_mode(tmp, 0755, err) < 0)
    return -1;
  if (memory &&
      mount("tmpfs", tmp, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, CONTENT_TMPFS_OPTS) < 0)
    return tug_error_errno(err, errno, "mount tmpfs on %s", tmp);
  return 0;
}

/* tmp into place at dir: renamed, or for a tmpfs moved onto a new dir. */
static int put_in_place(const char *tmp, const char *dir, bool memory, tug_error *err) {
  if (!memory)
    return rename(tmp, dir) < 0 ? tug_error_errno(err, errno, "rename %s", tmp) : 0;
  if (mkdir(dir, 0755) < 0 && errno != EEXIST)
    return tug_error_errno(err, errno, "mkdir %s", dir);
  if (mount(tmp, dir, NULL, MS_MOVE, NULL) < 0)
    return tug_error_errno(err, errno, "move %s to %s", tmp, dir);
  rmdir(tmp);
  return 0;
}

/* Write a content volume into <dir>.tmp (its own tmpfs for secrets and
 * downwardAPI) and put it into place: what is in place is whole, and stays
 * as it is. */
static int prepare_content(const agent_volume_ctx *ctx, const json_t *vol, const char *type,
                           const char *dir, tug_error *err) {
  bool memory = in_memory(type);
  struct stat st;
  if (memory ? is_mount_point(dir) : lstat(dir, &st) == 0)
    return 0;
  if (memory)
    rmdir(dir); /* an empty mount point an interrupted move left */
  char tmp[PATH_MAX];
  if (snprintf(tmp, sizeof tmp, "%s.tmp", dir) >= (int)sizeof tmp)
    return tug_error_set(err, ENAMETOOLONG, "volume dir %s", dir);
  if (fresh_dir(tmp, memory, err) < 0)
    return -1;
  gid_t gid;
  int rc = agent_volume_write_files(ctx, vol, type, tmp, err);
  if (rc == 0 && ctx->root_id != 0)
    rc = agent_volume_give_to_root(tmp, ctx->root_id, err);
  if (rc == 0 && fs_group(ctx, &gid))
    rc = agent_volume_set_fs_group(tmp, gid, true, err);
  if (rc == 0)
    rc = put_in_place(tmp, dir, memory, err);
  if (rc < 0) {
    if (memory)
      umount2(tmp, MNT_DETACH);
    agent_rm_rf(tmp, NULL);
  }
  return rc;
}

static int volume_dir(const agent_volume_ctx *ctx, const char *name, char *buf, size_t size,
                      tug_error *err) {
  if (snprintf(buf, size, "%s/volumes/%s", ctx->sandbox_dir, name) >= (int)size)
    return tug_error_set(err, ENAMETOOLONG, "volume dir for %s", name);
  return 0;
}

static int prepare_volume(const agent_volume_ctx *ctx, const json_t *vol, tug_error *err) {
  const char *type = volume_type(vol), *name = tug_obj_get_str(vol, "name");
  char dir[PATH_MAX];
  if (strcmp(type, "hostPath") == 0) {
    const char *htype = tug_obj_get_str(vol, "hostPath.type");
    char root[PATH_MAX];
    _cleanup_free_ char *path =
        agent_volume_clean_path(tug_obj_get_str(vol, "hostPath.path"), true, err);
    return path ? check_host_path(ctx, path, htype ? htype : "", root, sizeof root, err) : -1;
  }
  if (strcmp(type, "persistentVolumeClaim") == 0)
    return prepare_claim(ctx, vol, err);
  if (volume_dir(ctx, name, dir, sizeof dir, err) < 0)
    return -1;
  if (strcmp(type, "emptyDir") == 0)
    return prepare_empty_dir(ctx, vol, dir, err);
  if (is_content_volume(type))
    return prepare_content(ctx, vol, type, dir, err);
  return tug_error_set(err, ENOTSUP,
                       "volume type %s is not supported (tug-agent supports emptyDir, hostPath, "
                       "configMap, secret, downwardAPI, projected, persistentVolumeClaim)",
                       type);
}

static int prepare_all(const agent_volume_ctx *ctx, const json_t *vols, tug_error *err) {
  char dir[PATH_MAX];
  if (json_array_size(vols) > 0 &&
      (snprintf(dir, sizeof dir, "%s/volumes", ctx->sandbox_dir) >= (int)sizeof dir ||
       mkdir_mode(dir, 0755, err) < 0))
    return tug_error_wrap(err, "volumes");
  size_t i, j;
  json_t *vol, *other;
  json_array_foreach(vols, i, vol) {
    const char *name = tug_obj_get_str(vol, "name");
    if (!json_is_object(vol) || agent_check_name("volume name", name, err) < 0)
      return tug_error_wrap(err, "spec.volumes[%zu]", i);
    json_array_foreach(vols, j, other) {
      if (j < i && json_equal(json_object_get(other, "name"), json_object_get(vol, "name")))
        return tug_error_set(err, EINVAL, "volume \"%s\" is declared twice", name);
    }
    if (prepare_volume(ctx, vol, err) < 0)
      return tug_error_wrap(err, "volume \"%s\"", name);
  }
  return 0;
}

static char *own(agent_volume_plan *plan, char *s) {
  if (s)
    plan->owned[plan->n_owned++] = s;
  return s;
}

/* The mount's subPath, or its subPathExpr with $(VAR) expanded over the
 * container's env (kubelet's rules: every variable set and not empty), then
 * checked as any subPath is; *out stays NULL when it has neither. */
static int sub_path(const agent_volume_ctx *ctx, const json_t *vm, const json_t *env, char **out,
                    tug_error *err) {
  const char *sub = tug_obj_get_str(vm, "subPath"), *expr = tug_obj_get_str(vm, "subPathExpr");
  bool has_sub = sub && sub[0], has_expr = expr && expr[0];
  *out = NULL;
  if (has_sub && has_expr)
    return tug_error_set(err, EINVAL, "subPathExpr and subPath are mutually exclusive");
  if (has_sub)
    return (*out = agent_volume_clean_path(sub, false, err)) ? 0 : tug_error_wrap(err, "subPath");
  if (!has_expr)
    return 0;
  _cleanup_free_ char *expanded = NULL;
  if (agent_env_expand_strict(expr, env, ctx->service_env, &expanded, err) < 0 ||
      (*out = agent_volume_clean_path(expanded, false, err)) == NULL)
    return tug_error_wrap(err, "subPathExpr %s", expr);
  return 0;
}

static int plan_mount(const agent_volume_ctx *ctx, const json_t *vols, const json_t *vm,
                      const json_t *env, agent_volume_plan *plan, tug_error *err) {
  const char *name = tug_obj_get_str(vm, "name"), *at = tug_obj_get_str(vm, "mountPath");
  agent_mount *m = &plan->mounts[plan->n];
  const json_t *vol = tug_obj_get_named(vols, NULL, name);
  if (vol == NULL)
    return tug_error_set(err, ENOENT, "no volume named \"%s\" (mountPath %s)", name ? name : "",
                         at ? at : "");
  if ((m->target = own(plan, agent_volume_clean_path(at, true, err))) == NULL)
    return tug_error_wrap(err, "mountPath");
  char *sub;
  if (sub_path(ctx, vm, env, &sub, err) < 0)
    return -1;
  m->sub_path = own(plan, sub);
  const char *type = volume_type(vol);
  m->read_only = json_is_true(json_object_get(vm, "readOnly")) || is_content_volume(type) ||
                 json_is_true(tug_obj_get(vol, "persistentVolumeClaim.readOnly"));
  char dir[PATH_MAX];
  if (strcmp(type, "persistentVolumeClaim") == 0) {
    char root[PATH_MAX];
    if (claim_source(ctx, vol, dir, sizeof dir, root, sizeof root, err) < 0 ||
        (m->source = own(plan, strdup(dir))) == NULL ||
        (m->source_root = own(plan, strdup(root))) == NULL)
      return tug_error_wrap(err, "volume \"%s\"", name);
  } else if (strcmp(type, "hostPath") == 0) {
    /* Checked by prepare_all: only memory can fail here. */
    char root[PATH_MAX];
    if ((m->source = own(plan, agent_volume_clean_path(tug_obj_get_str(vol, "hostPath.path"), true,
                                                       err))) == NULL ||
        agent_host_path_root(ctx->allowed_host_paths, m->source, root, sizeof root) < 0 ||
        (m->source_root = own(plan, strdup(root))) == NULL)
      return tug_error_set(err, ENOMEM, "hostPath %s", tug_obj_get_str(vol, "hostPath.path"));
  } else {
    if (volume_dir(ctx, name, dir, sizeof dir, err) < 0)
      return -1;
    if ((m->source = own(plan, strdup(dir))) == NULL)
      return tug_error_errno(err, ENOMEM, "allocate path");
  }
  plan->n++;
  return 0;
}

int agent_volumes_prepare(const agent_volume_ctx *ctx, const json_t *ctr, agent_volume_plan *plan,
                          tug_error *err) {
  *plan = (agent_volume_plan){0};
  const json_t *vols = tug_obj_get(ctx->pod, "spec.volumes");
  const json_t *vms = json_object_get(ctr, "volumeMounts");
  if (json_array_size(vms) > AGENT_MAX_MOUNTS)
    return tug_error_set(err, E2BIG, "%zu volumeMounts, tug-agent allows %d", json_array_size(vms),
                         AGENT_MAX_MOUNTS);
  if (prepare_all(ctx, vols, err) < 0)
    return -1;
  _cleanup_json_ json_t *env = json_object(); /* the container's env, resolved: name → value */
  size_t i;
  json_t *vm, *e;
  json_array_foreach(json_object_get(ctr, "env"), i, e) {
    const char *k = tug_obj_get_str(e, "name"), *v = tug_obj_get_str(e, "value");
    if (k && v)
      json_object_set_new(env, k, json_string(v));
  }
  json_array_foreach(vms, i, vm) {
    if (plan_mount(ctx, vols, vm, env, plan, err) < 0) {
      agent_volume_plan_free(plan);
      return tug_error_wrap(err, "volumeMounts[%zu]", i);
    }
  }
  return 0;
}

void agent_volume_plan_free(agent_volume_plan *plan) {
  for (size_t i = 0; i < plan->n_owned; i++)
    free(plan->owned[i]);
  *plan = (agent_volume_plan){0};
}

int agent_volumes_release(const char *sandbox_dir, tug_error *err) {
  char dir[PATH_MAX], path[PATH_MAX + 256];
  snprintf(dir, sizeof dir, "%s/volumes", sandbox_dir);
  DIR *d = opendir(dir);
  if (d == NULL)
    return errno == ENOENT ? 0 : tug_error_errno(err, errno, "open %s", dir);
  int rc = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.')
      continue;
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    /* Detached: a process still holding it must not keep the pod's dir. */
    if (is_mount_point(path) && umount2(path, MNT_DETACH) < 0)
      rc = tug_error_errno(err, errno, "unmount %s", path);
  }
  closedir(d);
  return rc;
}
