/*
 * satoken.c — ServiceAccount token keys and claims (see satoken.h).
 */
#include "satoken.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define SA_PREFIX "system:serviceaccount:"

static int add_key(api_satokens *t, tug_jwt_key *k, tug_error *err) {
  tug_jwt_key **grown = realloc(t->keys, (t->nkeys + 1) * sizeof *t->keys);
  if (grown == NULL)
    return tug_error_set(err, ENOMEM, "keep the service account key");
  t->keys = grown;
  t->keys[t->nkeys++] = k;
  return 0;
}

/* Every file of a comma-separated list. */
static int load_verifiers(api_satokens *t, const char *key_files, tug_error *err) {
  char *list = strdup(key_files), *save = NULL;
  int rc = 0;
  for (char *f = strtok_r(list, ",", &save); f && rc == 0; f = strtok_r(NULL, ",", &save))
    if (f[0])
      rc = tug_jwt_keys_load(f, &t->keys, &t->nkeys, err);
  free(list);
  if (rc < 0)
    tug_error_wrap(err, "--service-account-key-file");
  return rc;
}

int api_satokens_init(api_satokens *t, const char *signing_key_file, const char *key_files,
                      const char *issuer, tug_error *err) {
  *t = (api_satokens){.issuer = issuer};
  if (signing_key_file && signing_key_file[0]) {
    t->signer = tug_jwt_key_load(signing_key_file, err);
    if (t->signer == NULL)
      return tug_error_wrap(err, "--service-account-signing-key-file");
  } else {
    /* RSA: tokens are verified on every request, and RSA verifies several
     * times faster than ECDSA (signing, rarer, is the slower side). */
    t->signer = tug_jwt_key_generate("RS256", err);
    if (t->signer == NULL)
      return -1;
    t->generated = true;
    tug_warn("no --service-account-signing-key-file: made a key whose tokens die with this server",
             "alg=%s kid=%s", tug_jwt_key_alg(t->signer), tug_jwt_key_id(t->signer));
  }
  if (add_key(t, t->signer, err) < 0)
    return -1;
  if (key_files && key_files[0] && load_verifiers(t, key_files, err) < 0)
    return -1;
  return 0;
}

void api_satokens_free(api_satokens *t) {
  for (size_t i = 0; i < t->nkeys; i++)
    tug_jwt_key_free(t->keys[i]);
  free(t->keys);
  *t = (api_satokens){0};
}

const char *api_satoken_username(const char *ns, const char *name, char *buf, size_t size) {
  snprintf(buf, size, SA_PREFIX "%s:%s", ns, name);
  return buf;
}

static json_t *ref(const char *name, const char *uid) {
  return json_pack("{s:s, s:s}", "name", name, "uid", uid ? uid : "");
}

json_t *api_satoken_claims(const char *issuer, const json_t *audiences,
                           const api_satoken_subject *s, int64_t now, int64_t seconds,
                           const char *jti) {
  char sub[600];
  json_t *aud = json_array_size(audiences) ? json_deep_copy(audiences) : json_pack("[s]", issuer);
  json_t *k8s =
      json_pack("{s:s, s:o}", "namespace", s->ns, "serviceaccount", ref(s->sa_name, s->sa_uid));
  if (s->pod_name)
    json_object_set_new(k8s, "pod", ref(s->pod_name, s->pod_uid));
  if (s->node_name)
    json_object_set_new(k8s, "node", ref(s->node_name, s->node_uid));
  return json_pack("{s:s, s:s, s:o, s:I, s:I, s:I, s:s, s:o}", "iss", issuer, "sub",
                   api_satoken_username(s->ns, s->sa_name, sub, sizeof sub), "aud", aud, "exp",
                   (json_int_t)(now + seconds), "iat", (json_int_t)now, "nbf", (json_int_t)now,
                   "jti", jti, "kubernetes.io", k8s);
}

/* name and uid of a {name, uid} claim; false when either is missing. */
static bool read_ref(const json_t *k8s, const char *key, const char **name, const char **uid) {
  json_t *r = json_object_get(k8s, key);
  *name = json_string_value(json_object_get(r, "name"));
  *uid = json_string_value(json_object_get(r, "uid"));
  return *name && *name[0] && *uid && *uid[0];
}

int api_satoken_subject_of(const json_t *claims, api_satoken_subject *out, tug_error *err) {
  *out = (api_satoken_subject){0};
  json_t *k8s = json_object_get(claims, "kubernetes.io");
  out->ns = json_string_value(json_object_get(k8s, "namespace"));
  if (out->ns == NULL || out->ns[0] == '\0' ||
      !read_ref(k8s, "serviceaccount", &out->sa_name, &out->sa_uid))
    return tug_error_set(err, EINVAL, "token lacks its service account claims");
  if (json_object_get(k8s, "pod") && !read_ref(k8s, "pod", &out->pod_name, &out->pod_uid))
    return tug_error_set(err, EINVAL, "token has a malformed pod claim");
  if (json_object_get(k8s, "node") && !read_ref(k8s, "node", &out->node_name, &out->node_uid))
    return tug_error_set(err, EINVAL, "token has a malformed node claim");
  char want[600];
  const char *sub = json_string_value(json_object_get(claims, "sub"));
  if (sub == NULL || strcmp(sub, api_satoken_username(out->ns, out->sa_name, want, sizeof want)))
    return tug_error_set(err, EINVAL, "token subject does not match its service account claims");
  return 0;
}

bool api_satoken_for_audience(const json_t *claims, const char *audience) {
  json_t *aud = json_object_get(claims, "aud");
  if (json_is_string(aud))
    return strcmp(json_string_value(aud), audience) == 0;
  size_t i;
  json_t *a;
  json_array_foreach(aud, i, a) {
    if (json_is_string(a) && strcmp(json_string_value(a), audience) == 0)
      return true;
  }
  return false;
}
