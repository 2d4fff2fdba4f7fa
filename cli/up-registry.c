/*
 * up-registry.c — a local cluster's registry and its demo image (up-registry.h).
 *
 * The demo image is one uncompressed tar layer (so its diff_id is its
 * digest): busybox-static with a link per applet, /etc/passwd and /etc/group
 * (root, nobody), and the directories a container expects. libarchive writes
 * it from memory; skopeo pushes the layout, as a user would push theirs.
 */
#include <archive.h>
#include <archive_entry.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "digest.h"
#include "cleanup.h"
#include "object.h"
#include "pki.h"
#include "up-registry.h"

extern char **environ;

int up_registry_config(const char *dir, const char *addr, char *config, size_t size,
                       tug_error *err) {
  char reg[600];
  snprintf(reg, sizeof reg, "%s/registry", dir);
  if (mkdir(reg, 0700) < 0 && errno != EEXIST)
    return tug_error_errno(err, errno, "mkdir %s", reg);
  snprintf(config, size, "%s/config.yml", reg);
  _cleanup_fclose_ FILE *f = fopen(config, "w");
  if (f == NULL)
    return tug_error_errno(err, errno, "write %s", config);
  fprintf(f,
          "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: "
          "%s/storage\n  delete:\n    enabled: true\nhttp:\n  addr: %s\n",
          reg, addr);
  return 0;
}

static size_t discard(char *p, size_t size, size_t n, void *arg) {
  (void)p;
  (void)arg;
  return size * n;
}

int up_registry_wait(const char *addr, int seconds, tug_error *err) {
  char url[128];
  snprintf(url, sizeof url, "http://%s/v2/", addr);
  CURL *c = curl_easy_init();
  if (c == NULL)
    return tug_error_set(err, ENOMEM, "curl");
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 2L);
  long code = 0;
  for (int i = 0; i < seconds * 5 && code != 200; i++) {
    if (curl_easy_perform(c) == CURLE_OK)
      curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    if (code != 200)
      usleep(200 * 1000);
  }
  curl_easy_cleanup(c);
  return code == 200 ? 0 : tug_error_set(err, ETIMEDOUT, "registry %s: no answer", addr);
}

/* Run argv to its end; its output goes to log (appended). */
static int run(char *const argv[], const char *log, tug_error *err) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid;
  int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0)
    return tug_error_set(err, rc, "run %s: %s", argv[0], strerror(rc));
  int st;
  if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
    return tug_error_set(err, EIO, "%s failed (see %s)", argv[0], log);
  return 0;
}

static void entry(struct archive *a, const char *path, mode_t type, mode_t perm, const char *link,
                  const void *data, size_t len) {
  struct archive_entry *e = archive_entry_new();
  archive_entry_set_pathname(e, path);
  archive_entry_set_filetype(e, type);
  archive_entry_set_perm(e, perm);
  archive_entry_set_size(e, (la_int64_t)len);
  if (link)
    archive_entry_set_symlink(e, link);
  archive_write_header(a, e);
  if (len)
    archive_write_data(a, data, len);
  archive_entry_free(e);
}

/* The applets of the host's busybox, one per line. */
static char *applets(void) {
  FILE *p = popen("/bin/busybox --list", "r");
  if (p == NULL)
    return NULL;
  size_t cap = 1 << 16, len = 0;
  char *buf = malloc(cap);
  size_t n;
  while (buf && (n = fread(buf + len, 1, cap - 1 - len, p)) > 0)
    len += n;
  pclose(p);
  if (buf)
    buf[len] = '\0';
  return buf;
}

static int write_layer(const char *path, tug_error *err) {
  size_t size = 0;
  _cleanup_free_ char *busybox = tug_read_file("/bin/busybox", 64 << 20, &size, err);
  _cleanup_free_ char *list = applets();
  if (busybox == NULL || list == NULL)
    return tug_error_set(err, EIO, "read /bin/busybox and its applets (busybox-static)");
  struct archive *a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  if (archive_write_open_filename(a, path) != ARCHIVE_OK) {
    tug_error_set(err, EIO, "write %s: %s", path, archive_error_string(a));
    archive_write_free(a);
    return -1;
  }
  static const struct {
    const char *path;
    mode_t perm;
  } dirs[] = {{"bin", 0755},  {"etc", 0755},  {"proc", 0555}, {"sys", 0555}, {"dev", 0755},
              {"tmp", 01777}, {"root", 0700}, {"usr", 0755},  {"var", 0755}};
  for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
    entry(a, dirs[i].path, AE_IFDIR, dirs[i].perm, NULL, NULL, 0);
  entry(a, "bin/busybox", AE_IFREG, 0755, NULL, busybox, size);
  static const char passwd[] =
      "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n",
                    group[] = "root:x:0:\nnogroup:x:65534:\n";
  entry(a, "etc/passwd", AE_IFREG, 0644, NULL, passwd, strlen(passwd));
  entry(a, "etc/group", AE_IFREG, 0644, NULL, group, strlen(group));
  char *save = NULL, name[300];
  for (char *s = strtok_r(list, "\n", &save); s; s = strtok_r(NULL, "\n", &save))
    if (strcmp(s, "busybox") != 0 && !strchr(s, '/')) {
      snprintf(name, sizeof name, "bin/%s", s);
      entry(a, name, AE_IFLNK, 0777, "busybox", NULL, 0);
    }
  int rc = archive_write_close(a) == ARCHIVE_OK
               ? 0
               : tug_error_set(err, EIO, "write %s: %s", path, archive_error_string(a));
  archive_write_free(a);
  return rc;
}

/* Move file into the layout's blobs by its digest; its descriptor (a new object). */
static json_t *blob(const char *layout, const char *file, const char *media_type, tug_error *err) {
  size_t len = 0;
  _cleanup_free_ char *data = tug_read_file(file, 256 << 20, &len, err);
  if (data == NULL)
    return NULL;
  char digest[TUG_DIGEST_SIZE], path[700];
  tug_digest_of(data, len, digest);
  snprintf(path, sizeof path, "%s/blobs/sha256/%s", layout, digest + 7);
  if (rename(file, path) < 0) {
    tug_error_errno(err, errno, "rename %s", file);
    return NULL;
  }
  return json_pack("{s:s, s:s, s:I}", "mediaType", media_type, "digest", digest, "size",
                   (json_int_t)len);
}

static int dump(const char *path, const json_t *doc, tug_error *err) {
  return json_dump_file(doc, path, JSON_COMPACT) == 0 ? 0
                                                      : tug_error_set(err, EIO, "write %s", path);
}

/* The OCI layout of busybox:latest in layout. */
static int build_layout(const char *layout, tug_error *err) {
  char path[700], blobs[700];
  snprintf(blobs, sizeof blobs, "%s/blobs/sha256", layout);
  snprintf(path, sizeof path, "%s/blobs", layout);
  if ((mkdir(layout, 0700) < 0 && errno != EEXIST) || (mkdir(path, 0700) < 0 && errno != EEXIST) ||
      (mkdir(blobs, 0700) < 0 && errno != EEXIST))
    return tug_error_errno(err, errno, "mkdir %s", blobs);
  snprintf(path, sizeof path, "%s/layer.tar", layout);
  if (write_layer(path, err) < 0)
    return -1;
  _cleanup_json_ json_t *layer = blob(layout, path, "application/vnd.oci.image.layer.v1.tar", err);
  if (layer == NULL)
    return -1;
  _cleanup_json_ json_t *config =
      json_pack("{s:s, s:s, s:{s:[s], s:[s]}, s:{s:s, s:[O]}}", "architecture", "amd64", "os",
                "linux", "config", "Cmd", "sh", "Env", "PATH=/bin", "rootfs", "type", "layers",
                "diff_ids", json_object_get(layer, "digest"));
  snprintf(path, sizeof path, "%s/config.json", layout);
  _cleanup_json_ json_t *cdesc = NULL;
  if (dump(path, config, err) < 0 ||
      (cdesc = blob(layout, path, "application/vnd.oci.image.config.v1+json", err)) == NULL)
    return -1;
  _cleanup_json_ json_t *manifest =
      json_pack("{s:i, s:s, s:O, s:[O]}", "schemaVersion", 2, "mediaType",
                "application/vnd.oci.image.manifest.v1+json", "config", cdesc, "layers", layer);
  snprintf(path, sizeof path, "%s/manifest.json", layout);
  _cleanup_json_ json_t *mdesc = NULL;
  if (dump(path, manifest, err) < 0 ||
      (mdesc = blob(layout, path, "application/vnd.oci.image.manifest.v1+json", err)) == NULL)
    return -1;
  json_object_set_new(mdesc, "annotations",
                      json_pack("{s:s}", "org.opencontainers.image.ref.name", "latest"));
  _cleanup_json_ json_t *index = json_pack("{s:i, s:[O]}", "schemaVersion", 2, "manifests", mdesc);
  _cleanup_json_ json_t *marker = json_pack("{s:s}", "imageLayoutVersion", "1.0.0");
  snprintf(path, sizeof path, "%s/index.json", layout);
  if (dump(path, index, err) < 0)
    return -1;
  snprintf(path, sizeof path, "%s/oci-layout", layout);
  return dump(path, marker, err);
}

int up_registry_push_demo(const char *dir, const char *addr, tug_error *err) {
  char layout[600], src[700], dest[200], log[600];
  snprintf(layout, sizeof layout, "%s/registry/demo", dir);
  snprintf(log, sizeof log, "%s/registry-push.log", dir);
  if (build_layout(layout, err) < 0)
    return tug_error_wrap(err, "build the demo image busybox:latest");
  snprintf(src, sizeof src, "oci:%s:latest", layout);
  snprintf(dest, sizeof dest, "docker://%s/library/busybox:latest", addr);
  char *argv[] = {"skopeo", "copy", "--quiet", "--dest-tls-verify=false", src, dest, NULL};
  return run(argv, log, err) < 0 ? tug_error_wrap(err, "push busybox:latest to %s", addr) : 0;
}
