/*
 * image-load.c — `docker save` archives and OCI image layouts into the
 * store (image-load.h).
 *
 * A tar is unpacked into the store's tmp dir first (libarchive's secure
 * extraction), then read as a directory. Blobs are opened beneath that
 * directory without following any symlink, so an archive cannot make the
 * agent read a file of the host, and hashed before use.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "digest.h"
#include "cleanup.h"
#include "image-load.h"
#include "image-manifest.h"
#include "image-ref.h"
#include "object.h"
#include "runtime-internal.h"

/* Open rel beneath dir, no symlinks, no "..". */
static int open_beneath(int dir, const char *rel) {
  return agent_open_at(dir, rel, O_RDONLY, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
}

/* "sha256:<hex>" of the file rel beneath dir, and its size. */
static int hash_file(int dir, const char *rel, char *digest, int64_t *size, tug_error *err) {
  _cleanup_close_ int fd = open_beneath(dir, rel);
  if (fd < 0)
    return tug_error_errno(err, errno, "open %s in the archive", rel);
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  EVP_DigestInit_ex(md, EVP_sha256(), NULL);
  char buf[64 * 1024];
  ssize_t n;
  *size = 0;
  while ((n = read(fd, buf, sizeof buf)) > 0) {
    EVP_DigestUpdate(md, buf, (size_t)n);
    *size += n;
  }
  tug_digest_final(md, digest);
  EVP_MD_CTX_free(md);
  if (n < 0)
    return tug_error_errno(err, errno, "read %s in the archive", rel);
  return 0;
}

static json_t *load_json(int dir, const char *rel, tug_error *err) {
  _cleanup_close_ int fd = open_beneath(dir, rel);
  json_error_t jerr;
  json_t *doc = fd < 0 ? NULL : json_loadfd(fd, 0, &jerr);
  if (fd < 0)
    tug_error_errno(err, errno, "open %s in the archive", rel);
  else if (doc == NULL)
    tug_error_set(err, TUG_E_PARSE, "%s in the archive: line %d: %s", rel, jerr.line, jerr.text);
  return doc;
}

/* The blob of digest in an OCI layout, checked; its path under root into path. */
static int layout_blob(int dir, const char *digest, char *rel, size_t size, tug_error *err) {
  if (!agent_image_digest_valid(digest))
    return tug_error_set(err, EINVAL, "digest \"%s\" is not sha256:<64 hex>", digest);
  snprintf(rel, size, "blobs/sha256/%s", digest + 7);
  char got[80];
  int64_t n;
  if (hash_file(dir, rel, got, &n, err) < 0)
    return -1;
  if (strcmp(got, digest) != 0)
    return tug_error_set(err, EBADMSG, "blob %s: content has digest %s: refused", digest, got);
  return 0;
}

static void local_image_free(agent_local_image *img) {
  for (size_t i = 0; i < img->n_layers; i++) {
    free(img->blobs[i]);
    free(img->blob_digests[i]);
  }
  free(img->blobs);
  free(img->blob_digests);
  json_decref(img->names);
  json_decref(img->config);
  memset(img, 0, sizeof *img);
}

/* Room for n layers. */
static int layers_alloc(agent_local_image *img, size_t n, tug_error *err) {
  img->blobs = calloc(n ? n : 1, sizeof *img->blobs);
  img->blob_digests = calloc(n ? n : 1, sizeof *img->blob_digests);
  if (img->blobs == NULL || img->blob_digests == NULL)
    return tug_error_set(err, ENOMEM, "image layers");
  return 0;
}

/* Names as the store keeps them ("app:v1", "host:5000/team/app:v1"), from
 * references given in the archive; the repository of the first. */
static int add_name(agent_local_image *img, const char *given, tug_error *err) {
  agent_image_ref ref;
  char name[700];
  if (agent_image_ref_parse(given, NULL, &ref, err) < 0)
    return tug_error_wrap(err, "image name \"%s\" in the archive", given);
  agent_image_ref_format(&ref, name, sizeof name);
  json_array_append_new(img->names, json_string(name));
  if (!img->repository[0])
    agent_image_ref_name(&ref, img->repository, sizeof img->repository);
  return 0;
}

static int record(agent_image_store *s, agent_local_image *img, const char *path, json_t *loaded,
                  tug_error *err) {
  for (size_t i = 0; i < img->n_layers; i++) {
    char *full = NULL;
    if (asprintf(&full, "%s/%s", path, img->blobs[i]) < 0)
      return tug_error_set(err, ENOMEM, "layer path");
    free(img->blobs[i]);
    img->blobs[i] = full;
  }
  if (agent_image_store_add(s, img, err) < 0)
    return -1;
  if (json_array_size(img->names))
    json_array_extend(loaded, img->names);
  else
    json_array_append_new(loaded, json_string(img->digest));
  return 0;
}

/* One entry of a docker archive's manifest.json. */
static int docker_one(agent_image_store *s, int dir, const char *path, const json_t *entry,
                      const char *name, json_t *loaded, tug_error *err) {
  agent_local_image img = {.names = json_array()};
  const char *config = tug_obj_get_str(entry, "Config");
  const json_t *layers = json_object_get(entry, "Layers");
  int64_t n;
  int rc = config ? 0 : tug_error_set(err, EINVAL, "manifest.json: an entry has no Config");
  if (rc == 0 && (rc = hash_file(dir, config, img.digest, &n, err)) == 0)
    img.size = n;
  if (rc == 0 && (img.config = load_json(dir, config, err)) == NULL)
    rc = -1;
  if (rc == 0)
    rc = agent_image_config_check(img.config, err);
  if (rc == 0)
    rc = layers_alloc(&img, json_array_size(layers), err);
  size_t i;
  json_t *v;
  json_array_foreach(rc == 0 ? layers : NULL, i, v) {
    char digest[80];
    if ((rc = hash_file(dir, json_string_value(v) ? json_string_value(v) : "", digest, &n, err)) <
        0)
      break;
    img.blobs[i] = strdup(json_string_value(v));
    img.blob_digests[i] = strdup(digest);
    img.n_layers++;
    img.size += n;
  }
  json_array_foreach(rc == 0 ? json_object_get(entry, "RepoTags") : NULL, i,
                     v) if ((rc = add_name(&img, json_string_value(v) ? json_string_value(v) : "",
                                           err)) < 0) break;
  if (rc == 0 && name && json_array_size(img.names) == 0)
    rc = add_name(&img, name, err);
  if (rc == 0)
    rc = record(s, &img, path, loaded, err);
  local_image_free(&img);
  return rc;
}

/* The image manifest a layout's descriptor leads to (through an index for linux/amd64). */
static json_t *layout_manifest(int dir, const json_t *desc, char *digest, tug_error *err) {
  char rel[128];
  snprintf(digest, 80, "%s",
           tug_obj_get_str(desc, "digest") ? tug_obj_get_str(desc, "digest") : "");
  for (int depth = 0; depth < 2; depth++) {
    if (layout_blob(dir, digest, rel, sizeof rel, err) < 0)
      return NULL;
    json_t *doc = load_json(dir, rel, err);
    agent_manifest_kind kind;
    if (doc == NULL || agent_manifest_kind_of(doc, NULL, &kind, err) < 0) {
      json_decref(doc);
      return NULL;
    }
    if (kind == AGENT_MANIFEST_IMAGE)
      return doc;
    int rc = agent_manifest_pick(doc, digest, err);
    json_decref(doc);
    if (rc < 0)
      return NULL;
  }
  tug_error_set(err, EPROTO, "an index inside an index");
  return NULL;
}

/* Its name: containerd's annotation, else ref.name when it is a whole reference. */
static const char *layout_name(const json_t *desc, const char *given) {
  const json_t *a = json_object_get(desc, "annotations");
  const char *full = tug_obj_get_str(a, "io.containerd.image.name"),
             *ref = tug_obj_get_str(a, "org.opencontainers.image.ref.name");
  if (full)
    return full;
  if (ref && (strchr(ref, '/') || strchr(ref, ':')))
    return ref;
  return given;
}

static int layout_one(agent_image_store *s, int dir, const char *path, const json_t *desc,
                      const char *name, json_t *loaded, tug_error *err) {
  agent_local_image img = {.names = json_array()};
  agent_image_manifest *m = calloc(1, sizeof *m);
  _cleanup_json_ json_t *doc = NULL;
  char rel[128];
  int rc = m ? 0 : tug_error_set(err, ENOMEM, "manifest");
  if (rc == 0 && (doc = layout_manifest(dir, desc, img.digest, err)) == NULL)
    rc = -1;
  if (rc == 0)
    rc = agent_manifest_parse(doc, m, err);
  if (rc == 0)
    rc = layout_blob(dir, m->config.digest, rel, sizeof rel, err);
  if (rc == 0 && (img.config = load_json(dir, rel, err)) == NULL)
    rc = -1;
  if (rc == 0)
    rc = agent_image_config_check(img.config, err);
  if (rc == 0)
    rc = layers_alloc(&img, m->n_layers, err);
  img.size = rc == 0 ? m->config.size : 0;
  for (size_t i = 0; rc == 0 && i < m->n_layers; i++) {
    if ((rc = layout_blob(dir, m->layers[i].digest, rel, sizeof rel, err)) < 0)
      break;
    img.blobs[i] = strdup(rel);
    img.blob_digests[i] = strdup(m->layers[i].digest);
    img.n_layers++;
    img.size += m->layers[i].size;
  }
  const char *n = layout_name(desc, name);
  if (rc == 0 && n)
    rc = add_name(&img, n, err);
  if (rc == 0)
    rc = record(s, &img, path, loaded, err);
  local_image_free(&img);
  free(m);
  return rc;
}

static int load_dir(agent_image_store *s, const char *path, const char *name, json_t *loaded,
                    tug_error *err) {
  _cleanup_close_ int dir = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0)
    return tug_error_errno(err, errno, "open %s", path);
  bool docker = faccessat(dir, "manifest.json", F_OK, 0) == 0;
  _cleanup_json_ json_t *doc = load_json(dir, docker ? "manifest.json" : "index.json", err);
  if (doc == NULL) {
    char why[sizeof err->msg];
    snprintf(why, sizeof why, "%s", err->msg);
    return tug_error_set(err, EINVAL,
                         "neither a docker save archive (manifest.json) nor an OCI image "
                         "layout (index.json): %s",
                         why);
  }
  const json_t *list = docker ? doc : json_object_get(doc, "manifests");
  if (json_array_size(list) == 0)
    return tug_error_set(err, EINVAL, "%s: no image in it", path);
  size_t i;
  json_t *v;
  json_array_foreach(list, i, v) {
    if ((docker ? docker_one : layout_one)(s, dir, path, v, name, loaded, err) < 0)
      return tug_error_wrap(err, "image %zu of %s", i, path);
  }
  return 0;
}

int agent_image_load(agent_image_store *s, const char *src, const char *name, json_t **loaded,
                     tug_error *err) {
  struct stat st;
  if (stat(src, &st) < 0)
    return tug_error_errno(err, errno, "load %s", src);
  *loaded = json_array();
  if (S_ISDIR(st.st_mode))
    return load_dir(s, src, name, *loaded, err);
  char tmp[PATH_MAX];
  snprintf(tmp, sizeof tmp, "%s/tmp/load.%d", agent_image_store_dir(s), (int)getpid());
  agent_rm_rf(tmp, NULL);
  int rc = agent_archive_extract(src, tmp, err);
  if (rc == 0)
    rc = load_dir(s, tmp, name, *loaded, err);
  agent_rm_rf(tmp, NULL);
  return rc < 0 ? tug_error_wrap(err, "load %s", src) : 0;
}
