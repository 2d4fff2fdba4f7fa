/*
 * agent-volumes-files.c — the files of configMap, secret, downwardAPI and
 * projected volumes: one file per key (or per item, at its path and mode),
 * from a ConfigMap's data and binaryData, a Secret's data and stringData, the
 * pod's own metadata, or a ServiceAccount token (agent-volumes-token.c).
 *
 * The one idea: the files go into a fresh directory no container sees yet
 * (agent-volumes.c renames it into place), so writing them needs no care
 * about what a container might have planted there.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent-volumes-internal.h"
#include "cleanup.h"
#include "object.h"
#include "runtime-internal.h"

/* One file's content; data is owned when it was decoded or built. */
typedef struct content {
  char *data;
  size_t len;
} content;

/* One key of a JSON object; tug_obj_get_str would split keys with dots. */
static const char *str_at(const json_t *obj, const char *key) {
  return json_string_value(json_object_get(obj, key));
}

static int write_file(const char *dir, const char *rel, const content *c, int mode,
                      tug_error *err) {
  _cleanup_free_ char *clean = agent_volume_clean_path(rel, false, err);
  char path[PATH_MAX];
  if (clean == NULL)
    return tug_error_wrap(err, "path");
  if (snprintf(path, sizeof path, "%s/%s", dir, clean) >= (int)sizeof path)
    return tug_error_set(err, ENAMETOOLONG, "path %s", clean);
  char *slash = strrchr(path, '/');
  *slash = '\0';
  int rc = agent_mkdir_p(path, 0755, err);
  *slash = '/';
  if (rc < 0)
    return -1;
  _cleanup_close_ int fd =
      open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, (mode_t)mode);
  if (fd < 0)
    return tug_error_errno(err, errno, "create %s", clean);
  if (fchmod(fd, (mode_t)mode) < 0)
    return tug_error_errno(err, errno, "chmod %s", clean);
  for (size_t off = 0; off < c->len;) {
    ssize_t n = write(fd, c->data + off, c->len - off);
    if (n < 0 && errno != EINTR)
      return tug_error_errno(err, errno, "write %s", clean);
    off += n > 0 ? (size_t)n : 0;
  }
  return 0;
}

static int base64_decode(const char *s, content *out) {
  size_t n = strlen(s);
  out->data = malloc(n + 4);
  EVP_ENCODE_CTX *ctx = EVP_ENCODE_CTX_new();
  int a = 0, b = 0;
  bool ok = out->data && ctx;
  if (ok) {
    EVP_DecodeInit(ctx);
    ok = EVP_DecodeUpdate(ctx, (unsigned char *)out->data, &a, (const unsigned char *)s, (int)n) >=
             0 &&
         EVP_DecodeFinal(ctx, (unsigned char *)out->data + a, &b) >= 0;
  }
  EVP_ENCODE_CTX_free(ctx);
  out->len = ok ? (size_t)(a + b) : 0;
  return ok ? 0 : -1;
}

/* A ConfigMap's or Secret's key: *found false when it has none; an owned
 * copy otherwise (base64 decoded where the API keeps bytes). */
static int key_content(const json_t *obj, bool secret, const char *key, content *out, bool *found,
                       tug_error *err) {
  const char *plain = str_at(json_object_get(obj, secret ? "stringData" : "data"), key);
  const char *coded = str_at(json_object_get(obj, secret ? "data" : "binaryData"), key);
  *out = (content){0};
  *found = plain || coded;
  if (plain) {
    out->len = strlen(plain);
    if ((out->data = strdup(plain)) == NULL)
      return tug_error_errno(err, ENOMEM, "copy key %s", key);
  } else if (coded && base64_decode(coded, out) < 0) {
    free(out->data);
    *out = (content){0};
    return tug_error_set(err, EINVAL, "key %s is not valid base64", key);
  }
  return 0;
}

int agent_volume_key_value(const json_t *obj, bool secret, const char *key, char **value,
                           tug_error *err) {
  content c;
  bool found;
  *value = NULL;
  if (key_content(obj, secret, key, &c, &found, err) < 0)
    return -1;
  if (!found)
    return 0;
  /* A value as a string: NUL-terminated (what follows a NUL is dropped). */
  *value = realloc(c.data, c.len + 1);
  if (*value == NULL) {
    free(c.data);
    return tug_error_errno(err, ENOMEM, "copy key %s", key);
  }
  (*value)[c.len] = '\0';
  return 1;
}

static int file_mode(const json_t *item, int dflt) {
  json_int_t m = tug_obj_get_int(item, "mode", dflt);
  return m >= 0 && m <= 0777 ? (int)m : dflt;
}

/* The source's defaultMode, else 0644. */
static int default_mode(const json_t *src) {
  json_int_t m = tug_obj_get_int(src, "defaultMode", 0644);
  return m >= 0 && m <= 0777 ? (int)m : 0644;
}

static int write_key(const char *dir, const json_t *obj, bool secret, const char *key,
                     const char *path, int mode, bool optional, tug_error *err) {
  content c;
  bool found;
  if (key == NULL || key_content(obj, secret, key, &c, &found, err) < 0)
    return key ? -1 : tug_error_set(err, EINVAL, "an item without a key");
  if (!found)
    return optional
               ? 0
               : tug_error_set(err, ENOENT, "%s references non-existent %s key: %s",
                               secret ? "secret" : "configmap", secret ? "secret" : "config", key);
  int rc = write_file(dir, path, &c, mode, err);
  free(c.data);
  return rc < 0 ? tug_error_wrap(err, "key %s", key) : 0;
}

/* Every key, or the items' keys to their paths. */
static int write_keys(const char *dir, const json_t *src, const json_t *obj, bool secret,
                      bool optional, int dflt, tug_error *err) {
  const json_t *items = json_object_get(src, "items");
  size_t i;
  json_t *item;
  if (json_array_size(items) > 0) {
    json_array_foreach(items, i, item) {
      if (write_key(dir, obj, secret, str_at(item, "key"), str_at(item, "path"),
                    file_mode(item, dflt), optional, err) < 0)
        return tug_error_wrap(err, "items[%zu]", i);
    }
    return 0;
  }
  const char *maps[2] = {"data", secret ? "stringData" : "binaryData"};
  for (int k = 0; k < 2; k++) {
    const char *key;
    json_t *v;
    json_object_foreach(json_object_get(obj, maps[k]), key, v) {
      /* A Secret's stringData wins over its data: write such a key once. */
      if (secret && k == 0 && json_object_get(json_object_get(obj, "stringData"), key))
        continue;
      if (write_key(dir, obj, secret, key, key, dflt, false, err) < 0)
        return -1;
    }
  }
  return 0;
}

static bool api_name_ok(const char *name) {
  size_t n = name ? strlen(name) : 0;
  return n > 0 && n <= 253 && strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789.-") == n &&
         strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

/* The keys of the ConfigMap or Secret that src (a volume's or a projection's
 * source) names under name_key. */
static int write_object_keys(const agent_volume_ctx *ctx, const json_t *src, bool secret,
                             const char *name_key, int dflt, const char *dir, tug_error *err) {
  const char *name = str_at(src, name_key), *what = secret ? "secret" : "configmap";
  bool optional = json_is_true(json_object_get(src, "optional"));
  if (!api_name_ok(name))
    return tug_error_set(err, EINVAL, "invalid %s name \"%s\"", what, name ? name : "");
  if (ctx->get == NULL)
    return tug_error_set(err, ENOTSUP, "%s volumes need the API server", what);
  char path[1024];
  snprintf(path, sizeof path, "/api/v1/namespaces/%s/%s/%s",
           tug_obj_namespace(ctx->pod) ?: "default", secret ? "secrets" : "configmaps", name);
  _cleanup_json_ json_t *obj = NULL;
  tug_error gerr = {0};
  if (ctx->get(ctx->get_arg, path, &obj, &gerr) < 0) {
    if (gerr.code == ENOENT)
      return optional ? 0 : tug_error_set(err, ENOENT, "%s \"%s\" not found", what, name);
    return tug_error_set(err, gerr.code, "get %s \"%s\": %s", what, name, gerr.msg);
  }
  return write_keys(dir, src, obj, secret, optional, dflt, err);
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A label or annotation map as the kubelet writes it: sorted key="value" lines. */
static int map_lines(const json_t *map, content *out, tug_error *err) {
  size_t n = json_object_size(map), i = 0;
  _cleanup_free_ const char **keys = calloc(n ? n : 1, sizeof *keys);
  FILE *f = open_memstream(&out->data, &out->len);
  if (keys == NULL || f == NULL) {
    if (f)
      fclose(f);
    return tug_error_errno(err, ENOMEM, "build downwardAPI file");
  }
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)map, key, v) keys[i++] = key;
  qsort(keys, n, sizeof *keys, cmp_str);
  for (i = 0; i < n; i++) {
    fprintf(f, "%s=\"", keys[i]);
    for (const char *s = json_string_value(json_object_get(map, keys[i])); s && *s; s++)
      fprintf(f, *s == '"' || *s == '\\' ? "\\%c" : *s == '\n' ? "\\n" : "%c", *s);
    fputs(i + 1 < n ? "\"\n" : "\"", f);
  }
  return fclose(f) == 0 ? 0 : tug_error_errno(err, ENOMEM, "build downwardAPI file");
}

/* fieldRef.fieldPath of the pod, as Kubernetes supports it in volumes. */
static int field_content(const json_t *pod, const char *field, content *out, tug_error *err) {
  static const char *const strings[] = {"metadata.name", "metadata.namespace",      "metadata.uid",
                                        "spec.nodeName", "spec.serviceAccountName", NULL};
  *out = (content){0};
  for (const char *const *s = strings; *s; s++)
    if (strcmp(field, *s) == 0) {
      const char *v = tug_obj_get_str(pod, field) ?: "";
      out->len = strlen(v);
      return (out->data = strdup(v)) ? 0 : tug_error_errno(err, ENOMEM, "copy %s", field);
    }
  if (strcmp(field, "metadata.labels") == 0 || strcmp(field, "metadata.annotations") == 0)
    return map_lines(tug_obj_get(pod, field), out, err);
  char map[32], key[256];
  if (sscanf(field, "metadata.%31[a-z]['%255[^']']", map, key) == 2 &&
      (strcmp(map, "labels") == 0 || strcmp(map, "annotations") == 0)) {
    const char *v = str_at(json_object_get(json_object_get(pod, "metadata"), map), key) ?: "";
    out->len = strlen(v);
    return (out->data = strdup(v)) ? 0 : tug_error_errno(err, ENOMEM, "copy %s", field);
  }
  return tug_error_set(err, ENOTSUP, "fieldPath %s is not supported", field);
}

static int write_downward(const agent_volume_ctx *ctx, const json_t *src, int dflt, const char *dir,
                          tug_error *err) {
  size_t i;
  json_t *item;
  json_array_foreach(json_object_get(src, "items"), i, item) {
    const char *field = tug_obj_get_str(item, "fieldRef.fieldPath");
    content c;
    int rc = field ? field_content(ctx->pod, field, &c, err)
                   : tug_error_set(err, ENOTSUP, "only fieldRef items are supported");
    if (rc == 0) {
      rc = write_file(dir, str_at(item, "path"), &c, file_mode(item, dflt), err);
      free(c.data);
    }
    if (rc < 0)
      return tug_error_wrap(err, "downwardAPI items[%zu]", i);
  }
  return 0;
}

static int write_token(const agent_volume_ctx *ctx, const json_t *src, int dflt, const char *dir,
                       tug_error *err) {
  content c = {.data = agent_volume_request_token(ctx, src, err)};
  if (c.data == NULL)
    return -1;
  c.len = strlen(c.data);
  int rc = write_file(dir, str_at(src, "path"), &c, dflt, err);
  free(c.data);
  return rc < 0 ? tug_error_wrap(err, "serviceAccountToken") : 0;
}

/* One source of a projected volume: the keys of a configMap or secret,
 * downwardAPI items, or a ServiceAccount token, with the projection's defaultMode. */
static int write_projection(const agent_volume_ctx *ctx, const json_t *source, int dflt,
                            const char *dir, tug_error *err) {
  const json_t *src;
  if ((src = json_object_get(source, "configMap")) != NULL)
    return write_object_keys(ctx, src, false, "name", dflt, dir, err);
  if ((src = json_object_get(source, "secret")) != NULL)
    return write_object_keys(ctx, src, true, "name", dflt, dir, err);
  if ((src = json_object_get(source, "downwardAPI")) != NULL)
    return write_downward(ctx, src, dflt, dir, err);
  if ((src = json_object_get(source, "serviceAccountToken")) != NULL)
    return write_token(ctx, src, dflt, dir, err);
  return tug_error_set(err, ENOTSUP,
                       "a projection of neither configMap, secret, downwardAPI nor "
                       "serviceAccountToken is not supported");
}

static int write_projected(const agent_volume_ctx *ctx, const json_t *vol, const char *dir,
                           tug_error *err) {
  const json_t *projected = json_object_get(vol, "projected"), *source;
  int dflt = default_mode(projected);
  size_t i;
  json_array_foreach(json_object_get(projected, "sources"), i, source) {
    if (write_projection(ctx, source, dflt, dir, err) < 0)
      return tug_error_wrap(err, "projected sources[%zu]", i);
  }
  return 0;
}

int agent_volume_write_files(const agent_volume_ctx *ctx, const json_t *vol, const char *type,
                             const char *dir, tug_error *err) {
  const json_t *src = json_object_get(vol, type);
  if (strcmp(type, "projected") == 0)
    return write_projected(ctx, vol, dir, err);
  if (strcmp(type, "downwardAPI") == 0)
    return write_downward(ctx, src, default_mode(src), dir, err);
  bool secret = strcmp(type, "secret") == 0;
  return write_object_keys(ctx, src, secret, secret ? "secretName" : "name", default_mode(src), dir,
                           err);
}
