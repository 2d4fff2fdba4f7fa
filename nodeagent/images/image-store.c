/*
 * image-store.c — the node's image store and its pulls (image-store.h).
 *
 * Records are read from disk on each lookup rather than cached: a handful of
 * small JSON files, and the CLI (`tug-agent image ls/rm`) changes them from
 * another process. Writes go through a temporary file and rename.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "image-manifest.h"
#include "image-registry.h"
#include "image-store.h"
#include "object.h"
#include "runtime-internal.h"

static void closedirp(DIR **d) {
  if (*d)
    closedir(*d);
}
#define _cleanup_dir_ __attribute__((cleanup(closedirp)))

struct agent_image_store {
  char dir[3072]; /* <root>/store */
  pthread_mutex_t mu;
  pthread_cond_t changed;
  char **busy; /* layer digests being fetched */
  size_t n_busy;
  int pulling;   /* pulls in flight: their layers may be in no record yet */
  int downloads; /* layers of one pull fetched at once */
};

void agent_image_store_set_downloads(agent_image_store *s, int n) {
  s->downloads = n > 0 ? n : AGENT_IMAGE_DOWNLOADS;
}

const char *agent_image_store_dir(const agent_image_store *s) {
  return s->dir;
}

void agent_image_info_clear(agent_image_info *info) {
  json_decref(info->config);
  free(info->lowerdir);
  memset(info, 0, sizeof *info);
}

int agent_image_store_open(const char *root, agent_image_store **out, tug_error *err) {
  agent_image_store *s = calloc(1, sizeof *s);
  if (s == NULL)
    return tug_error_set(err, ENOMEM, "image store");
  snprintf(s->dir, sizeof s->dir, "%s/store", root);
  s->downloads = AGENT_IMAGE_DOWNLOADS;
  static const char *const subdirs[] = {"layers", "points", "blobs", "images", "tmp"};
  for (size_t i = 0; i < sizeof subdirs / sizeof subdirs[0]; i++) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", s->dir, subdirs[i]);
    if (agent_mkdir_p(path, 0700, err) < 0) {
      free(s);
      return tug_error_wrap(err, "open image store");
    }
  }
  pthread_mutex_init(&s->mu, NULL);
  pthread_cond_init(&s->changed, NULL);
  *out = s;
  return 0;
}

void agent_image_store_close(agent_image_store *s) {
  if (s == NULL)
    return;
  pthread_mutex_destroy(&s->mu);
  pthread_cond_destroy(&s->changed);
  free(s->busy);
  free(s);
}

static json_t *load_record(const agent_image_store *s, const char *file) {
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/images/%s", s->dir, file);
  return json_load_file(path, 0, NULL);
}

static int save_record(const agent_image_store *s, const char *hex, json_t *rec, tug_error *err) {
  char path[PATH_MAX], tmp[PATH_MAX + 8];
  snprintf(path, sizeof path, "%s/images/%s.json", s->dir, hex);
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  if (json_dump_file(rec, tmp, JSON_COMPACT) < 0 || rename(tmp, path) < 0)
    return tug_error_errno(err, errno, "write image record %s", path);
  return 0;
}

/* Call fn on each record (with its file name) until it returns non-zero; that value, or 0. */
typedef int (*record_fn)(json_t *rec, const char *file, void *arg);
static int each_record(const agent_image_store *s, record_fn fn, void *arg) {
  char dir[PATH_MAX];
  snprintf(dir, sizeof dir, "%s/images", s->dir);
  _cleanup_dir_ DIR *d = opendir(dir);
  struct dirent *e;
  while (d && (e = readdir(d))) {
    size_t len = strlen(e->d_name);
    if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
      continue;
    _cleanup_json_ json_t *rec = load_record(s, e->d_name);
    int rc = rec ? fn(rec, e->d_name, arg) : 0;
    if (rc != 0)
      return rc;
  }
  return 0;
}

/* Whether the array of names holds name. */
static bool has_name(const json_t *names, const char *name) {
  size_t i;
  const json_t *v;
  json_array_foreach(names, i, v) if (strcmp(json_string_value(v), name) == 0) return true;
  return false;
}

/* Fill info from a record (its layers must all be there). */
static int info_from(const agent_image_store *s, const json_t *rec, agent_image_info *info,
                     tug_error *err) {
  memset(info, 0, sizeof *info);
  const json_t *layers = json_object_get(rec, "layers");
  size_t n = json_array_size(layers);
  size_t cap = (n + 1) * (strlen(s->dir) + 80) + 1;
  info->lowerdir = calloc(1, cap);
  if (info->lowerdir == NULL)
    return tug_error_set(err, ENOMEM, "lowerdir");
  size_t off = 0;
  const char *digest = tug_obj_get_str(rec, "digest");
  if (json_is_true(json_object_get(rec, "points")) && digest && strlen(digest) > 7)
    off += (size_t)snprintf(info->lowerdir, cap, "%s/points/%s", s->dir, digest + 7);
  for (size_t i = n; i-- > 0;) { /* overlay wants the top layer first */
    const char *d = json_string_value(json_array_get(layers, i));
    off += (size_t)snprintf(info->lowerdir + off, cap - off, "%s%s/layers/%s", off ? ":" : "",
                            s->dir, d ? d + 7 : "");
  }
  snprintf(info->digest, sizeof info->digest, "%s", digest ? digest : "");
  const char *repo = tug_obj_get_str(rec, "repository");
  snprintf(info->image_id, sizeof info->image_id, "%s%s%s", repo ? repo : "",
           repo && *repo ? "@" : "", info->digest);
  info->size = json_integer_value(json_object_get(rec, "size"));
  info->config = json_incref(json_object_get(rec, "config"));
  return 0;
}

typedef struct lookup_arg {
  const agent_image_store *s;
  const char *name;
  agent_image_info *info;
  tug_error *err;
} lookup_arg;

static int lookup_one(json_t *rec, const char *file, void *arg) {
  (void)file;
  lookup_arg *a = arg;
  if (!has_name(json_object_get(rec, "names"), a->name))
    return 0;
  return info_from(a->s, rec, a->info, a->err) < 0 ? -1 : 1;
}

int agent_image_store_lookup(agent_image_store *s, const agent_image_ref *ref,
                             agent_image_info *info, tug_error *err) {
  char name[700];
  agent_image_ref_format(ref, name, sizeof name);
  lookup_arg a = {.s = s, .name = name, .info = info, .err = err};
  return each_record(s, lookup_one, &a);
}

static bool layer_busy(const agent_image_store *s, const char *hex) {
  for (size_t i = 0; i < s->n_busy; i++)
    if (strcmp(s->busy[i], hex) == 0)
      return true;
  return false;
}

/* Claim hex unless it is there: 1 claimed, 0 there. While another pull
 * fetches it: wait, or with wait false return -1 at once. */
static int claim_layer_or(agent_image_store *s, const char *hex, const char *path, bool wait) {
  pthread_mutex_lock(&s->mu);
  while (layer_busy(s, hex)) {
    if (!wait) {
      pthread_mutex_unlock(&s->mu);
      return -1;
    }
    pthread_cond_wait(&s->changed, &s->mu);
  }
  struct stat st;
  int claimed = stat(path, &st) < 0;
  char **grown = claimed ? realloc(s->busy, (s->n_busy + 1) * sizeof *grown) : NULL;
  if (grown) {
    s->busy = grown;
    s->busy[s->n_busy++] = (char *)hex;
  }
  pthread_mutex_unlock(&s->mu);
  return claimed;
}

static int claim_layer(agent_image_store *s, const char *hex, const char *path) {
  return claim_layer_or(s, hex, path, true);
}

static void release_layer(agent_image_store *s, const char *hex) {
  pthread_mutex_lock(&s->mu);
  for (size_t i = 0; i < s->n_busy; i++)
    if (s->busy[i] == hex) {
      s->busy[i] = s->busy[--s->n_busy];
      break;
    }
  pthread_cond_broadcast(&s->changed);
  pthread_mutex_unlock(&s->mu);
}

static int fetch_layer(agent_image_store *s, agent_registry *rg, const agent_blob_desc *l,
                       const char *diff_id, tug_error *err) {
  const char *hex = l->digest + 7;
  char dir[PATH_MAX], tmp[PATH_MAX];
  snprintf(dir, sizeof dir, "%s/layers/%s", s->dir, hex);
  if (!claim_layer(s, hex, dir))
    return 0;
  snprintf(tmp, sizeof tmp, "%s/tmp/%s.%d", s->dir, hex, (int)gettid());
  int64_t size;
  int rc = agent_registry_blob(rg, l->digest, tmp, &size, err);
  if (rc == 0)
    rc = agent_layer_unpack(tmp, dir, diff_id, err);
  unlink(tmp);
  release_layer(s, hex);
  return rc;
}

/* Layers download s->downloads at a time (containerd's default is 3), each
 * unpacked as soon as it is in while the others go on arriving. */

typedef struct layer_job {
  agent_image_store *s;
  const char *hex, *diff_id;
  char dir[PATH_MAX], tmp[PATH_MAX];
} layer_job;

typedef struct layers_arg {
  int rc;
  tug_error *err; /* the first failure's */
} layers_arg;

static void unpack_fetched(agent_blob_fetch *f, void *arg) {
  layers_arg *a = arg;
  layer_job *j = f->arg;
  int rc = f->rc;
  if (rc == 0)
    rc = agent_layer_unpack(j->tmp, j->dir, j->diff_id, &f->err);
  unlink(j->tmp);
  release_layer(j->s, j->hex);
  if (rc < 0 && a->rc == 0) {
    a->rc = -1;
    *a->err = f->err;
  }
}

/* Every layer of m not in the store yet. A layer another pull is fetching
 * is waited for only once this pull's own are in: waiting while holding
 * claims could deadlock two pulls that share layers. */
static int fetch_layers(agent_image_store *s, agent_registry *rg, const agent_image_manifest *m,
                        const json_t *diff_ids, tug_error *err) {
  size_t n = 0, n_busy = 0, busy[AGENT_IMAGE_MAX_LAYERS];
  layer_job *jobs = calloc(m->n_layers ? m->n_layers : 1, sizeof *jobs);
  agent_blob_fetch *f = calloc(m->n_layers ? m->n_layers : 1, sizeof *f);
  if (jobs == NULL || f == NULL || m->n_layers > AGENT_IMAGE_MAX_LAYERS) {
    free(jobs);
    free(f);
    return tug_error_set(err, ENOMEM, "%zu layers", m->n_layers);
  }
  for (size_t i = 0; i < m->n_layers; i++) {
    layer_job *j = &jobs[n];
    *j = (layer_job){.s = s,
                     .hex = m->layers[i].digest + 7,
                     .diff_id = json_string_value(json_array_get(diff_ids, i))};
    snprintf(j->dir, sizeof j->dir, "%s/layers/%s", s->dir, j->hex);
    snprintf(j->tmp, sizeof j->tmp, "%s/tmp/%s.%d", s->dir, j->hex, (int)gettid());
    int claimed = claim_layer_or(s, j->hex, j->dir, false);
    if (claimed < 0)
      busy[n_busy++] = i;
    else if (claimed == 1)
      f[n] = (agent_blob_fetch){.digest = m->layers[i].digest, .path = j->tmp, .arg = j}, n++;
  }
  layers_arg a = {.err = err};
  if (agent_registry_blobs(rg, f, n, (size_t)s->downloads, unpack_fetched, &a, err) < 0)
    a.rc = -1;
  for (size_t k = 0; a.rc == 0 && k < n_busy; k++)
    a.rc = fetch_layer(s, rg, &m->layers[busy[k]],
                       json_string_value(json_array_get(diff_ids, busy[k])), err);
  free(jobs);
  free(f);
  return a.rc;
}

/* The config blob, checked, parsed. */
static json_t *fetch_config(agent_image_store *s, agent_registry *rg, const agent_blob_desc *c,
                            tug_error *err) {
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/blobs/%s", s->dir, c->digest + 7);
  int64_t size;
  if (agent_registry_blob(rg, c->digest, path, &size, err) < 0)
    return NULL;
  json_error_t jerr;
  json_t *doc = json_load_file(path, 0, &jerr);
  if (doc == NULL)
    tug_error_set(err, TUG_E_PARSE, "image config %s: %s", c->digest, jerr.text);
  else if (agent_image_config_check(doc, err) < 0) {
    json_decref(doc);
    return NULL;
  }
  return doc;
}

/* The image manifest ref names, through an index when it is one. */
static int resolve_manifest(agent_registry *rg, const agent_image_ref *ref, agent_image_manifest *m,
                            char *top_digest, tug_error *err) {
  agent_manifest_body body;
  if (agent_registry_manifest(rg, ref->digest[0] ? ref->digest : ref->tag, &body, err) < 0)
    return -1;
  snprintf(top_digest, 80, "%s", body.digest);
  for (int depth = 0;; depth++) {
    _cleanup_json_ json_t *doc = json_loadb(body.data, body.len, 0, NULL);
    agent_manifest_kind kind;
    int rc = agent_manifest_kind_of(doc, body.content_type, &kind, err);
    free(body.data);
    if (rc < 0)
      return -1;
    if (kind == AGENT_MANIFEST_IMAGE)
      return agent_manifest_parse(doc, m, err);
    char digest[80];
    if (depth > 0 || agent_manifest_pick(doc, digest, err) < 0 ||
        agent_registry_manifest(rg, digest, &body, err) < 0)
      return depth > 0 ? tug_error_set(err, EPROTO, "an index inside an index") : -1;
  }
}

typedef struct take_arg {
  agent_image_store *s;
  const char *name, *keep_hex;
} take_arg;

static int take_one(json_t *rec, const char *file, void *arg) {
  take_arg *a = arg;
  json_t *names = json_object_get(rec, "names");
  size_t i;
  json_t *v;
  if (strncmp(file, a->keep_hex, 64) == 0)
    return 0;
  json_array_foreach(names, i, v) if (strcmp(json_string_value(v), a->name) == 0) {
    json_array_remove(names, i);
    char hex[65];
    snprintf(hex, sizeof hex, "%.64s", file);
    save_record(a->s, hex, rec, NULL);
    break;
  }
  return 0;
}

/* Move name off whichever other record holds it (a tag that moved). */
static void take_name(agent_image_store *s, const char *name, const char *keep_hex) {
  take_arg a = {.s = s, .name = name, .keep_hex = keep_hex};
  each_record(s, take_one, &a);
}

/* The image's mount points layer (runtime-points.c), once per image. */
static int make_points(agent_image_store *s, const char *top, const json_t *layer_digests,
                       tug_error *err) {
  char dir[PATH_MAX];
  const char *layers[AGENT_IMAGE_MAX_LAYERS];
  size_t n = json_array_size(layer_digests);
  struct stat st;
  snprintf(dir, sizeof dir, "%s/points/%s", s->dir, top + 7);
  if (stat(dir, &st) == 0)
    return 0;
  if (n > AGENT_IMAGE_MAX_LAYERS)
    return tug_error_set(err, E2BIG, "%zu layers: at most %d", n, AGENT_IMAGE_MAX_LAYERS);
  char(*paths)[PATH_MAX] = calloc(n ? n : 1, PATH_MAX);
  if (paths == NULL)
    return tug_error_set(err, ENOMEM, "points layer");
  for (size_t i = 0; i < n; i++) { /* top layer first */
    const char *d = json_string_value(json_array_get(layer_digests, n - 1 - i));
    snprintf(paths[i], PATH_MAX, "%s/layers/%s", s->dir, d ? d + 7 : "");
    layers[i] = paths[i];
  }
  int rc = agent_points_layer_make(layers, n, dir, err);
  free(paths);
  return rc;
}

/* Write the record of image top (its points layer made first): its names are
 * the old record's plus new_names; a tag in moving_names leaves any other record. */
static int save_image(agent_image_store *s, const char *top, const char *repo,
                      const json_t *new_names, const json_t *moving_names, json_t *layers,
                      int64_t size, const json_t *config, tug_error *err) {
  if (make_points(s, top, layers, err) < 0)
    return -1;
  pthread_mutex_lock(&s->mu);
  char file[80];
  snprintf(file, sizeof file, "%s.json", top + 7);
  _cleanup_json_ json_t *old = load_record(s, file);
  json_t *names = json_array();
  size_t i;
  json_t *v;
  json_array_foreach(json_object_get(old, "names"), i, v) json_array_append(names, v);
  json_array_foreach(new_names, i, v) if (!has_name(names, json_string_value(v)))
      json_array_append(names, v);
  const json_t *run = json_object_get(config, "config");
  _cleanup_json_ json_t *rec =
      json_pack("{s:s, s:s, s:o, s:I, s:O, s:b, s:O, s:I}", "digest", top, "repository", repo,
                "names", names, "size", (json_int_t)size, "layers", layers, "points", 1, "config",
                run ? run : json_null(), "lastUsed", (json_int_t)time(NULL));
  int rc = save_record(s, top + 7, rec, err);
  json_array_foreach(rc == 0 ? moving_names : NULL, i, v)
      take_name(s, json_string_value(v), top + 7);
  pthread_mutex_unlock(&s->mu);
  return rc;
}

static int record(agent_image_store *s, const agent_image_ref *ref, const char *top,
                  const agent_image_manifest *m, json_t *config, tug_error *err) {
  char name[700], repo[600], by_digest[700];
  agent_image_ref_format(ref, name, sizeof name);
  agent_image_ref_name(ref, repo, sizeof repo);
  snprintf(by_digest, sizeof by_digest, "%s@%s", repo, top);
  int64_t size = m->config.size;
  _cleanup_json_ json_t *layers = json_array();
  for (size_t i = 0; i < m->n_layers; i++) {
    size += m->layers[i].size;
    json_array_append_new(layers, json_string(m->layers[i].digest));
  }
  _cleanup_json_ json_t *names = json_pack("[s,s]", name, by_digest);
  _cleanup_json_ json_t *moving = json_array();
  if (ref->tag[0] && !ref->digest[0])
    json_array_append_new(moving, json_string(name));
  return save_image(s, top, repo, names, moving, layers, size, config, err);
}

int agent_image_store_add(agent_image_store *s, const agent_local_image *img, tug_error *err) {
  const json_t *diff_ids = tug_obj_get(img->config, "rootfs.diff_ids");
  if (json_array_size(diff_ids) != img->n_layers)
    return tug_error_set(err, EBADMSG, "image config lists %zu diff_ids for %zu layers",
                         json_array_size(diff_ids), img->n_layers);
  _cleanup_json_ json_t *layers = json_array();
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < img->n_layers; i++) {
    const char *hex = img->blob_digests[i] + 7;
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/layers/%s", s->dir, hex);
    if (claim_layer(s, hex, dir)) {
      rc = agent_layer_unpack(img->blobs[i], dir, json_string_value(json_array_get(diff_ids, i)),
                              err);
      release_layer(s, hex);
    }
    json_array_append_new(layers, json_string(img->blob_digests[i]));
  }
  if (rc < 0)
    return -1;
  return save_image(s, img->digest, img->repository, img->names, img->names, layers, img->size,
                    img->config, err);
}

int agent_image_store_pull(agent_image_store *s, const agent_image_ref *ref, bool insecure,
                           const agent_registry_creds *creds, agent_image_info *info,
                           tug_error *err) {
  agent_registry *rg = NULL;
  if (agent_registry_open(ref->registry, ref->repository, insecure, creds, &rg, err) < 0)
    return -1;
  pthread_mutex_lock(&s->mu);
  s->pulling++;
  pthread_mutex_unlock(&s->mu);
  agent_image_manifest *m = malloc(sizeof *m);
  char top[80];
  json_t *config = NULL;
  int rc = m ? resolve_manifest(rg, ref, m, top, err) : tug_error_set(err, ENOMEM, "manifest");
  if (rc == 0 && (config = fetch_config(s, rg, &m->config, err)) == NULL)
    rc = -1;
  const json_t *diff_ids = tug_obj_get(config, "rootfs.diff_ids");
  if (rc == 0 && json_array_size(diff_ids) != m->n_layers)
    rc = tug_error_set(err, EBADMSG, "image config lists %zu diff_ids for %zu layers: refused",
                       json_array_size(diff_ids), m->n_layers);
  if (rc == 0)
    rc = fetch_layers(s, rg, m, diff_ids, err);
  if (rc == 0)
    rc = record(s, ref, top, m, config, err);
  json_decref(config);
  free(m);
  agent_registry_close(rg);
  pthread_mutex_lock(&s->mu);
  s->pulling--;
  pthread_mutex_unlock(&s->mu);
  if (rc < 0)
    return -1;
  return agent_image_store_lookup(s, ref, info, err) == 1
             ? 0
             : tug_error_set(err, EIO, "image record vanished after the pull");
}

typedef struct list_arg {
  agent_image_entry *items;
  size_t n;
} list_arg;

static int list_one(json_t *rec, const char *file, void *arg) {
  (void)file;
  list_arg *a = arg;
  agent_image_entry *grown = realloc(a->items, (a->n + 1) * sizeof *grown);
  if (grown == NULL)
    return -1;
  a->items = grown;
  agent_image_entry *it = &grown[a->n++];
  snprintf(it->digest, sizeof it->digest, "%s", tug_obj_get_str(rec, "digest"));
  it->names = json_incref(json_object_get(rec, "names"));
  it->size = json_integer_value(json_object_get(rec, "size"));
  it->last_used = (time_t)json_integer_value(json_object_get(rec, "lastUsed"));
  return 0;
}

int agent_image_store_list(agent_image_store *s, agent_image_entry **out, size_t *n,
                           tug_error *err) {
  list_arg a = {0};
  int rc = each_record(s, list_one, &a);
  *out = a.items;
  *n = a.n;
  return rc < 0 ? tug_error_set(err, ENOMEM, "list images") : 0;
}

void agent_image_list_free(agent_image_entry *list, size_t n) {
  for (size_t i = 0; i < n; i++)
    json_decref(list[i].names);
  free(list);
}

typedef struct shared_arg {
  const char *digest, *skip_hex;
} shared_arg;

static int shares_layer(json_t *rec, const char *file, void *arg) {
  shared_arg *a = arg;
  size_t i;
  json_t *v;
  if (strncmp(file, a->skip_hex, 64) == 0)
    return 0;
  json_array_foreach(json_object_get(rec, "layers"), i,
                     v) if (strcmp(json_string_value(v), a->digest) == 0) return 1;
  return 0;
}

/* Whether any record but skip_hex's lists layer digest. */
static bool layer_shared(agent_image_store *s, const char *digest, const char *skip_hex) {
  shared_arg a = {.digest = digest, .skip_hex = skip_hex};
  return each_record(s, shares_layer, &a) == 1;
}

int agent_image_store_remove(agent_image_store *s, const char *digest, tug_error *err) {
  if (!agent_image_digest_valid(digest))
    return tug_error_set(err, EINVAL, "image digest %s is not sha256:<64 hex>", digest);
  const char *hex = digest + 7;
  char file[80], path[PATH_MAX];
  snprintf(file, sizeof file, "%s.json", hex);
  pthread_mutex_lock(&s->mu);
  _cleanup_json_ json_t *rec = load_record(s, file);
  int rc = 0;
  if (s->pulling > 0)
    rc = tug_error_set(err, EBUSY, "image %s: a pull is in flight, try again", digest);
  else if (rec == NULL)
    rc = tug_error_set(err, ENOENT, "no image %s on this node", digest);
  snprintf(path, sizeof path, "%s/images/%s", s->dir, file);
  if (rc == 0 && unlink(path) < 0)
    rc = tug_error_errno(err, errno, "remove %s", path);
  size_t i;
  json_t *v;
  snprintf(path, sizeof path, "%s/points/%s", s->dir, hex);
  if (rc == 0 && agent_rm_rf(path, err) < 0)
    rc = -1;
  json_array_foreach(rc == 0 ? json_object_get(rec, "layers") : NULL, i, v) {
    const char *layer = json_string_value(v);
    if (layer_shared(s, layer, hex))
      continue;
    snprintf(path, sizeof path, "%s/layers/%s", s->dir, layer + 7);
    if (agent_rm_rf(path, err) < 0)
      rc = -1;
  }
  pthread_mutex_unlock(&s->mu);
  return rc;
}
