/*
 * encryption-config.c — reading Kubernetes' EncryptionConfiguration into
 * rules: which resources, and their providers' keys in the order listed.
 *
 *   apiVersion: apiserver.config.k8s.io/v1
 *   kind: EncryptionConfiguration
 *   resources:
 *     - resources: [secrets]
 *       providers:
 *         - aesgcm: {keys: [{name: key1, secret: <base64>}]}
 *         - identity: {}
 *
 * A resource is "secrets" (core group), "deployments.apps", "*.apps" or
 * "*.*"; the first rule naming it wins. Providers Tugboat does not have
 * (kms, secretbox) are refused rather than skipped: skipping one would store
 * in plain text what its author meant to be sealed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "cleanup.h"
#include "encryption-internal.h"
#include "manifest.h"
#include "object.h"

static int bad(tug_error *err, const char *name, const char *field, const char *why) {
  return tug_error_set(err, EINVAL, "%s: %s: %s", name, field, why);
}

static int parse_key(const json_t *k, enc_provider type, const char *name, const char *field,
                     enc_key *out, tug_error *err) {
  const char *kname = json_string_value(json_object_get(k, "name"));
  const char *secret = json_string_value(json_object_get(k, "secret"));
  if (kname == NULL || kname[0] == '\0' || strlen(kname) >= sizeof out->name || strchr(kname, ':'))
    return bad(err, name, field, "name: required, without ':' and at most 63 characters");
  if (secret == NULL)
    return bad(err, name, field, "secret: required (base64)");
  _cleanup_free_ unsigned char *raw = NULL;
  size_t len = 0, bad_at;
  if (tug_base64_decode(secret, strlen(secret), &raw, &len, &bad_at) < 0)
    return bad(err, name, field, "secret: not base64");
  if (len != 16 && len != 24 && len != 32)
    return bad(err, name, field, "secret: must be 16, 24 or 32 bytes (AES-128, -192 or -256)");
  out->type = type;
  snprintf(out->name, sizeof out->name, "%s", kname);
  memcpy(out->secret, raw, len);
  out->secret_len = len;
  snprintf(out->prefix, sizeof out->prefix,
           "k8s:enc:%s:v1:%s:", type == ENC_AESGCM ? "aesgcm" : "aescbc", kname);
  return 0;
}

static int add_key(enc_rule *r, const enc_key *k) {
  enc_key *v = realloc(r->keys, (r->nkeys + 1) * sizeof *v);
  if (v == NULL)
    return -1;
  r->keys = v;
  r->keys[r->nkeys++] = *k;
  return 0;
}

/* One entry of providers: {"aesgcm": {"keys": [...]}} or {"identity": {}}. */
static int parse_provider(const json_t *p, const char *name, size_t i, enc_rule *r,
                          tug_error *err) {
  char field[96];
  if (json_object_size(p) != 1)
    return bad(err, name, "providers", "each provider names exactly one type");
  void *it = json_object_iter((json_t *)p);
  const char *type = json_object_iter_key(it);
  json_t *body = json_object_iter_value(it);
  snprintf(field, sizeof field, "providers[%zu].%s", i, type);
  if (strcmp(type, "identity") == 0) {
    enc_key id = {.type = ENC_IDENTITY};
    return add_key(r, &id) < 0 ? tug_error_set(err, ENOMEM, "no memory") : 0;
  }
  enc_provider t = strcmp(type, "aesgcm") == 0 ? ENC_AESGCM : ENC_AESCBC;
  if (strcmp(type, "aesgcm") != 0 && strcmp(type, "aescbc") != 0)
    return bad(err, name, field, "unsupported provider: use aesgcm, aescbc or identity");
  json_t *keys = json_object_get(body, "keys");
  if (json_array_size(keys) == 0)
    return bad(err, name, field, "keys: at least one key is required");
  size_t j;
  json_t *k;
  json_array_foreach(keys, j, k) {
    char kfield[128];
    snprintf(kfield, sizeof kfield, "%s.keys[%zu]", field, j);
    enc_key key;
    if (parse_key(k, t, name, kfield, &key, err) < 0)
      return -1;
    if (add_key(r, &key) < 0)
      return tug_error_set(err, ENOMEM, "no memory");
  }
  return 0;
}

/* "secrets" names core secrets, "deployments.apps" apps deployments;
 * "*.apps" every resource of a group, "*." the core group's, "*.*" all. */
static bool names(const char *pattern, const char *group, const char *plural) {
  const char *dot = strchr(pattern, '.');
  const char *pres = pattern, *pgroup = dot ? dot + 1 : "";
  size_t plen = dot ? (size_t)(dot - pattern) : strlen(pattern);
  bool any_res = plen == 1 && pres[0] == '*';
  bool res_ok = any_res || (strlen(plural) == plen && strncmp(pres, plural, plen) == 0);
  bool group_ok = strcmp(pgroup, "*") == 0 || strcmp(pgroup, group) == 0;
  return res_ok && group_ok;
}

static int parse_rule(const json_t *entry, const char *name, size_t i, enc_rule *r,
                      tug_error *err) {
  char field[64];
  snprintf(field, sizeof field, "resources[%zu]", i);
  json_t *res = json_object_get(entry, "resources"),
         *providers = json_object_get(entry, "providers");
  if (json_array_size(res) == 0)
    return bad(err, name, field, "resources: at least one resource is required");
  if (json_array_size(providers) == 0)
    return bad(err, name, field, "providers: at least one provider is required");
  r->resources = json_incref(res);
  size_t j;
  json_t *v;
  json_array_foreach(res, j, v) {
    if (!json_is_string(v) || json_string_length(v) == 0)
      return bad(err, name, field, "resources: must be names like secrets or deployments.apps");
    /* The Service IP and port allocator repairs itself from the stored
     * Services without the API server's storage layer. */
    if (names(json_string_value(v), "", "services"))
      return bad(err, name, field, "resources: services cannot be encrypted in Tugboat");
  }
  json_array_foreach(providers, j, v) {
    if (parse_provider(v, name, j, r, err) < 0)
      return -1;
  }
  return 0;
}

api_encryption *api_encryption_parse(const char *text, size_t len, const char *name,
                                     tug_error *err) {
  _cleanup_json_ json_t *docs = NULL;
  if (tug_manifest_decode_buffer(text, len, name, &docs, NULL, err) < 0)
    return NULL;
  json_t *cfg = json_array_get(docs, 0);
  /* A configuration file's kind, not an API object's. */
  static const char config_kind[] = "EncryptionConfiguration";
  const char *kind = tug_obj_kind(cfg), *av = tug_obj_api_version(cfg);
  if (json_array_size(docs) != 1 || kind == NULL || strcmp(config_kind, kind) != 0 || av == NULL ||
      strcmp(av, "apiserver.config.k8s.io/v1") != 0) {
    bad(err, name, "kind", "must be one EncryptionConfiguration of apiserver.config.k8s.io/v1");
    return NULL;
  }
  json_t *rules = json_object_get(cfg, "resources");
  api_encryption *e = calloc(1, sizeof *e);
  if (e == NULL || (e->rules = calloc(json_array_size(rules) + 1, sizeof *e->rules)) == NULL) {
    free(e);
    tug_error_set(err, ENOMEM, "no memory");
    return NULL;
  }
  size_t i;
  json_t *entry;
  json_array_foreach(rules, i, entry) {
    e->nrules++;
    if (parse_rule(entry, name, i, &e->rules[i], err) < 0) {
      api_encryption_free(e);
      return NULL;
    }
  }
  return e;
}

api_encryption *api_encryption_load(const char *path, tug_error *err) {
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    tug_error_set(err, errno, "--encryption-provider-config: open %s: %s", path, strerror(errno));
    return NULL;
  }
  char *text = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&text, &len);
  char buf[4096];
  size_t n;
  while (mem && (n = fread(buf, 1, sizeof buf, f)) > 0)
    fwrite(buf, 1, n, mem);
  fclose(f);
  if (mem)
    fclose(mem);
  api_encryption *e = text ? api_encryption_parse(text, len, path, err) : NULL;
  if (text == NULL)
    tug_error_set(err, ENOMEM, "read %s: no memory", path);
  explicit_bzero(text, len);
  free(text);
  return e;
}

void api_encryption_free(api_encryption *e) {
  if (e == NULL)
    return;
  for (size_t i = 0; i < e->nrules; i++) {
    explicit_bzero(e->rules[i].keys, e->rules[i].nkeys * sizeof *e->rules[i].keys);
    free(e->rules[i].keys);
    json_decref(e->rules[i].resources);
  }
  free(e->rules);
  free(e);
}

const enc_rule *enc_rule_for(const api_encryption *e, const char *group, const char *plural) {
  for (size_t i = 0; e && i < e->nrules; i++) {
    size_t j;
    json_t *v;
    json_array_foreach(e->rules[i].resources, j, v) {
      if (names(json_string_value(v), group, plural))
        return &e->rules[i];
    }
  }
  return NULL;
}
