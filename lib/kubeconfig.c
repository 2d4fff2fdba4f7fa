/*
 * kubeconfig.c — kubeconfig files in and out (see kubeconfig.h).
 *
 * Reading goes through the manifest decoder (YAML or JSON, Kubernetes'
 * scalar rules), then picks the context, its cluster and its user by name.
 */
#include "kubeconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base64.h"
#include "cleanup.h"
#include "manifest.h"
#include "object.h"
#include "pki.h"

enum { MAX_FILE = 1 << 20 };

void tug_kubeconfig_default_path(char *buf, size_t size) {
  const char *env = getenv("KUBECONFIG");
  while (env && *env) {
    size_t n = strcspn(env, ":");
    snprintf(buf, size, "%.*s", (int)n, env);
    if (n > 0 && access(buf, R_OK) == 0)
      return;
    env += n + (env[n] == ':');
  }
  const char *home = getenv("HOME");
  snprintf(buf, size, "%s/.kube/config", home && home[0] ? home : ".");
}

/* The entry of list (clusters, users, contexts) called name, its inner object. */
static json_t *named(const json_t *doc, const char *list, const char *inner, const char *name) {
  size_t i;
  json_t *e;
  json_array_foreach(json_object_get(doc, list), i, e) {
    const char *n = tug_obj_get_str(e, "name");
    if (n && strcmp(n, name) == 0)
      return json_object_get(e, inner);
  }
  return NULL;
}

/* A file path from the kubeconfig, relative to its folder. */
static char *resolve(const char *kc_path, const char *file) {
  char *out;
  const char *slash = strrchr(kc_path, '/');
  if (file[0] == '/' || slash == NULL)
    return strdup(file);
  return asprintf(&out, "%.*s/%s", (int)(slash - kc_path), kc_path, file) < 0 ? NULL : out;
}

/*
 * One credential: FIELD-data (base64) or FIELD (a file path), in that order of
 * preference, as kubectl reads them. *out stays NULL when neither is set.
 */
static int pem_field(const json_t *obj, const char *field, const char *path, char **out,
                     tug_error *err) {
  char key[96];
  snprintf(key, sizeof key, "%s-data", field);
  const char *data = tug_obj_get_str(obj, key), *file = tug_obj_get_str(obj, field);
  if (data && data[0]) {
    unsigned char *raw;
    size_t len, bad;
    if (tug_base64_decode(data, strlen(data), &raw, &len, &bad) < 0)
      return tug_error_set(err, TUG_E_PARSE, "%s: %s: not base64 (byte %zu)", path, key, bad);
    *out = realloc(raw, len + 1);
    if (*out == NULL) {
      free(raw);
      return tug_error_errno(err, ENOMEM, "%s: %s", path, key);
    }
    (*out)[len] = '\0';
    return 0;
  }
  if (file && file[0]) {
    _cleanup_free_ char *full = resolve(path, file);
    if (full == NULL || (*out = tug_read_file(full, MAX_FILE, NULL, err)) == NULL)
      return tug_error_wrap(err, "%s: %s", path, field);
  }
  return 0;
}

static int dup_field(const json_t *obj, const char *field, char **out) {
  const char *v = tug_obj_get_str(obj, field);
  if (v == NULL || v[0] == '\0')
    return 0;
  return (*out = strdup(v)) ? 0 : -1;
}

static int read_user(const json_t *user, tug_kubeconfig *k, tug_error *err) {
  if (pem_field(user, "client-certificate", k->path, &k->cert_pem, err) < 0 ||
      pem_field(user, "client-key", k->path, &k->key_pem, err) < 0)
    return -1;
  if ((k->cert_pem == NULL) != (k->key_pem == NULL))
    return tug_error_set(err, TUG_E_PARSE,
                         "%s: user of context %s: a client certificate needs "
                         "its key (client-certificate and client-key)",
                         k->path, k->context);
  if (dup_field(user, "token", &k->token) < 0)
    return tug_error_errno(err, ENOMEM, "%s", k->path);
  const char *file = tug_obj_get_str(user, "tokenFile");
  if (file == NULL)
    file = tug_obj_get_str(user, "token-file");
  if (k->token == NULL && file && file[0]) {
    _cleanup_free_ char *full = resolve(k->path, file);
    if (full == NULL || (k->token = tug_read_file(full, MAX_FILE, NULL, err)) == NULL)
      return tug_error_wrap(err, "%s: token-file", k->path);
    k->token[strcspn(k->token, "\r\n")] = '\0';
  }
  return 0;
}

static int pick(const json_t *doc, const char *context, tug_kubeconfig *k, tug_error *err) {
  const char *name = context ? context : tug_obj_get_str(doc, "current-context");
  if (name == NULL || name[0] == '\0')
    return tug_error_set(err, TUG_E_PARSE, "%s: no current-context (and none was asked for)",
                         k->path);
  if ((k->context = strdup(name)) == NULL)
    return tug_error_errno(err, ENOMEM, "%s", k->path);
  const json_t *ctx = named(doc, "contexts", "context", name);
  if (ctx == NULL)
    return tug_error_set(err, TUG_E_PARSE, "%s: contexts: no context named \"%s\"", k->path, name);
  const char *cname = tug_obj_get_str(ctx, "cluster"), *uname = tug_obj_get_str(ctx, "user");
  const json_t *cluster = cname ? named(doc, "clusters", "cluster", cname) : NULL;
  if (cluster == NULL)
    return tug_error_set(err, TUG_E_PARSE, "%s: context %s: no cluster named \"%s\"", k->path, name,
                         cname ? cname : "");
  if (dup_field(cluster, "server", &k->server) < 0 ||
      dup_field(ctx, "namespace", &k->namespace) < 0)
    return tug_error_errno(err, ENOMEM, "%s", k->path);
  if (k->server == NULL)
    return tug_error_set(err, TUG_E_PARSE, "%s: cluster %s: no server", k->path, cname);
  if (pem_field(cluster, "certificate-authority", k->path, &k->ca_pem, err) < 0)
    return -1;
  const json_t *user = uname ? named(doc, "users", "user", uname) : NULL;
  if (uname && user == NULL)
    return tug_error_set(err, TUG_E_PARSE, "%s: context %s: no user named \"%s\"", k->path, name,
                         uname);
  return user ? read_user(user, k, err) : 0;
}

int tug_kubeconfig_parse(const char *text, size_t len, const char *path, const char *context,
                         tug_kubeconfig *out, tug_error *err) {
  *out = (tug_kubeconfig){0};
  _cleanup_json_ json_t *docs = NULL;
  if ((out->path = strdup(path)) == NULL)
    return tug_error_errno(err, ENOMEM, "%s", path);
  if (tug_manifest_decode_buffer(text, len, path, &docs, NULL, err) < 0)
    return -1;
  const json_t *doc = json_array_get(docs, 0);
  const char *kind = tug_obj_get_str(doc, "kind");
  int rc =
      json_array_size(docs) != 1 || kind == NULL || strcmp(kind, "Config") != 0
          ? tug_error_set(err, TUG_E_PARSE, "%s: not a kubeconfig (want one kind: Config)", path)
          : pick(doc, context, out, err);
  if (rc < 0)
    tug_kubeconfig_clear(out);
  return rc;
}

int tug_kubeconfig_load(const char *path, const char *context, tug_kubeconfig *out,
                        tug_error *err) {
  size_t len;
  _cleanup_free_ char *text = tug_read_file(path, MAX_FILE, &len, err);
  if (text == NULL)
    return tug_error_wrap(err, "kubeconfig");
  return tug_kubeconfig_parse(text, len, path, context, out, err);
}

void tug_kubeconfig_clear(tug_kubeconfig *k) {
  free(k->path);
  free(k->context);
  free(k->server);
  free(k->namespace);
  free(k->ca_pem);
  free(k->cert_pem);
  free(k->key_pem);
  free(k->token);
  *k = (tug_kubeconfig){0};
}

tug_client *tug_kubeconfig_client(const tug_kubeconfig *k, const char *server, tug_error *err) {
  tug_client_tls tls = {.ca_pem = k->ca_pem, .cert_pem = k->cert_pem, .key_pem = k->key_pem};
  if (k->cert_pem) {
    const char *what = k->path ? k->path : "kubeconfig";
    if (tug_pki_check_cert_pem(what, k->cert_pem, strlen(k->cert_pem), 0, err) < 0)
      return NULL;
  }
  return tug_client_new_tls(server ? server : k->server, k->token, &tls, err);
}

tug_client *tug_kubeconfig_client_for_flags(const char *kubeconfig, const char *server,
                                            const char *token, tug_error *err) {
  if (kubeconfig == NULL) {
    if (server == NULL)
      tug_error_set(err, EINVAL, "--kubeconfig (or --server) is required");
    return server ? tug_client_new(server, token, err) : NULL;
  }
  tug_kubeconfig k;
  if (tug_kubeconfig_load(kubeconfig, NULL, &k, err) < 0)
    return NULL;
  if (token) {
    free(k.token);
    k.token = strdup(token);
  }
  tug_client *c = tug_kubeconfig_client(&k, server, err);
  tug_kubeconfig_clear(&k);
  return c;
}

/* A PEM as one base64 line, for a *-data field. */
static void put_data(FILE *f, const char *indent, const char *field, const char *pem) {
  if (pem == NULL)
    return;
  _cleanup_free_ char *b64 = tug_base64_encode(pem, strlen(pem));
  fprintf(f, "%s%s-data: %s\n", indent, field, b64 ? b64 : "");
}

int tug_kubeconfig_write(const char *path, const tug_kubeconfig_spec *s, tug_error *err) {
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
  if (f == NULL) {
    if (fd >= 0)
      close(fd);
    return tug_error_errno(err, errno, "write %s", path);
  }
  fchmod(fd, 0600);
  fprintf(f,
          "# written by tug\napiVersion: v1\nkind: Config\nclusters:\n- name: %s\n  cluster:\n"
          "    server: %s\n",
          s->name, s->server);
  put_data(f, "    ", "certificate-authority", s->ca_pem);
  fprintf(f, "users:\n- name: %s\n  user:%s\n", s->name, s->cert_pem || s->token ? "" : " {}");
  put_data(f, "    ", "client-certificate", s->cert_pem);
  put_data(f, "    ", "client-key", s->key_pem);
  if (s->token)
    fprintf(f, "    token: %s\n", s->token);
  fprintf(f, "contexts:\n- name: %s\n  context:\n    cluster: %s\n    user: %s\n", s->name, s->name,
          s->name);
  if (s->namespace)
    fprintf(f, "    namespace: %s\n", s->namespace);
  fprintf(f, "current-context: %s\n", s->name);
  if (fclose(f) != 0 || rename(tmp, path) < 0) {
    unlink(tmp);
    return tug_error_errno(err, errno, "write %s", path);
  }
  return 0;
}
