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
 * used. The uncompressed tar is hashed on the way and must match the diff_id
 * the image config lists for the layer.
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
#include <openssl/evp.h>
#include <unistd.h>

#include "digest.h"
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

/* The uncompressed stream: the blob through libarchive's filters (gzip, zstd,
 * none) as one raw entry, hashed as the tar reader takes it, so the layer's
 * diff_id is checked with one decompression. */
typedef struct hashed_stream {
  struct archive *raw;
  EVP_MD_CTX *md;
  char buf[64 * 1024];
} hashed_stream;

static la_ssize_t hashed_read(struct archive *a, void *arg, const void **out) {
  hashed_stream *h = arg;
  la_ssize_t n = archive_read_data(h->raw, h->buf, sizeof h->buf);
  if (n < 0)
    archive_set_error(a, EIO, "%s", archive_error_string(h->raw));
  else
    EVP_DigestUpdate(h->md, h->buf, (size_t)n);
  *out = h->buf;
  return n;
}

static int open_raw(const char *blob, struct archive **out, tug_error *err) {
  struct archive *raw = archive_read_new();
  struct archive_entry *e;
  if (raw == NULL)
    return tug_error_set(err, ENOMEM, "archive_read_new");
  archive_read_support_filter_all(raw);
  archive_read_support_format_raw(raw);
  if (archive_read_open_filename(raw, blob, 256 * 1024) != ARCHIVE_OK ||
      archive_read_next_header(raw, &e) != ARCHIVE_OK) {
    tug_error_set(err, EIO, "open %s: %s", blob, archive_error_string(raw));
    archive_read_free(raw);
    return -1;
  }
  *out = raw;
  return 0;
}

/* Hash what the tar reader left (its end-of-archive padding), then compare. */
static int check_diff_id(hashed_stream *h, const char *diff_id, tug_error *err) {
  la_ssize_t n;
  while ((n = archive_read_data(h->raw, h->buf, sizeof h->buf)) > 0)
    EVP_DigestUpdate(h->md, h->buf, (size_t)n);
  if (n < 0)
    return tug_error_set(err, EIO, "read layer: %s", archive_error_string(h->raw));
  char got[TUG_DIGEST_SIZE];
  tug_digest_final(h->md, got);
  if (strcmp(got, diff_id) != 0)
    return tug_error_set(err, EBADMSG, "uncompressed layer has digest %s, config says %s: refused",
                         got, diff_id);
  return 0;
}

static int unpack(const char *blob, const char *dest, const char *diff_id, tug_error *err) {
  hashed_stream *h = calloc(1, sizeof *h);
  _cleanup_archive_read_ struct archive *in = archive_read_new();
  if (h == NULL || in == NULL || (h->md = EVP_MD_CTX_new()) == NULL) {
    free(h);
    return tug_error_set(err, ENOMEM, "layer reader");
  }
  int rc = open_raw(blob, &h->raw, err);
  EVP_DigestInit_ex(h->md, EVP_sha256(), NULL);
  archive_read_support_format_tar(in);
  archive_read_support_format_gnutar(in);
  if (rc == 0 && archive_read_open(in, h, NULL, hashed_read, NULL) != ARCHIVE_OK)
    rc = tug_error_set(err, EIO, "open %s: %s", blob, archive_error_string(in));
  if (rc == 0 && mkdir(dest, 0755) < 0)
    rc = tug_error_errno(err, errno, "mkdir %s", dest);
  opaque_dirs o = {0};
  if (rc == 0)
    rc = agent_archive_copy(in, false, 0, dest, whiteout_hook, &o, err);
  for (size_t i = 0; rc == 0 && i < o.n; i++)
    rc = mark_opaque(dest, o.paths[i], err);
  opaque_dirs_free(&o);
  if (rc == 0 && diff_id && diff_id[0])
    rc = check_diff_id(h, diff_id, err);
  if (h->raw)
    archive_read_free(h->raw);
  EVP_MD_CTX_free(h->md);
  free(h);
  return rc;
}

int agent_layer_unpack(const char *blob, const char *dir, const char *diff_id, tug_error *err) {
  char staging[PATH_MAX + 8];
  if (snprintf(staging, sizeof staging, "%s.new", dir) >= (int)sizeof staging)
    return tug_error_set(err, ENAMETOOLONG, "layer dir %s", dir);
  if (agent_rm_rf(staging, err) < 0)
    return -1;
  if (unpack(blob, staging, diff_id, err) < 0 || rename(staging, dir) < 0) {
    if (err->msg[0] == '\0')
      tug_error_errno(err, errno, "rename %s", staging);
    agent_rm_rf(staging, NULL);
    return tug_error_wrap(err, "unpack layer into %s", dir);
  }
  return 0;
}
