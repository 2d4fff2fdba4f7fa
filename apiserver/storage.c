/* storage.c — keys, encoding and transactional writes (see storage.h). */
#include "storage.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/time.h>
#include <time.h>

#include "clock.h"
#include "commit.h"
#include "crd.h"
#include "encryption.h"
#include "metrics.h"
#include "object.h"

/* A custom kind's objects live under their group, as in Kubernetes, so that
 * two groups may have the same plural. */
static const char *segment(const api_kind *k) {
  return k->custom ? k->custom->key_segment : k->plural;
}

const char *api_key(const api_kind *k, const char *ns, const char *name, char *buf, size_t size) {
  if (k->namespaced)
    snprintf(buf, size, "/registry/%s/%s/%s", segment(k), ns, name);
  else
    snprintf(buf, size, "/registry/%s/%s", segment(k), name);
  return buf;
}

const char *api_prefix(const api_kind *k, const char *ns, char *buf, size_t size) {
  if (k->namespaced && ns)
    snprintf(buf, size, "/registry/%s/%s/", segment(k), ns);
  else
    snprintf(buf, size, "/registry/%s/", segment(k));
  return buf;
}

static char *own(api_txn *t, const char *s) {
  char *c = strdup(s);
  t->owned[t->nowned++] = c;
  return c;
}

/* The resource an EncryptionConfiguration names: a custom kind's plural. */
static const char *segment_plural(const api_kind *k) {
  return k->plural;
}

/* obj as stored: a custom object in its storage version. */
static char *encode_for(const api_kind *k, const json_t *obj) {
  return k->custom ? api_custom_encode(k, obj) : api_storage_encode(obj);
}

static const char *group_of(const api_kind *k) {
  return k->group ? k->group : "";
}

char *api_storage_value(api_server *s, const api_kind *k, const char *key, const json_t *obj,
                        size_t *len, tug_error *err) {
  char *plain = encode_for(k, obj), *sealed = NULL;
  if (plain == NULL) {
    tug_error_set(err, ENOMEM, "encoding %s: no memory", k->plural);
    return NULL;
  }
  size_t plain_len = strlen(plain);
  int rc = api_encryption_seal(s->encryption, group_of(k), segment_plural(k), key, plain, plain_len,
                               &sealed, len, err);
  explicit_bzero(plain, plain_len);
  free(plain);
  return rc < 0 ? NULL : sealed;
}

static json_t *decode(api_server *s, const api_kind *k, const char *key, const char *value,
                      size_t len, bool *stale, tug_error *err) {
  char *plain = NULL;
  size_t plain_len = 0;
  if (api_encryption_open(s->encryption, group_of(k), segment_plural(k), key, value, len, &plain,
                          &plain_len, stale, err) < 0)
    return NULL;
  json_error_t jerr;
  json_t *obj = json_loadb(plain, plain_len, 0, &jerr);
  explicit_bzero(plain, plain_len);
  free(plain);
  if (!json_is_object(obj)) {
    json_decref(obj);
    tug_error_set(err, EIO, "%s: stored value is not a JSON object: %s", key, jerr.text);
    return NULL;
  }
  return obj;
}

json_t *api_storage_decode(api_server *s, const api_kind *k, const char *key, const char *value,
                           size_t len, tug_error *err) {
  return decode(s, k, key, value, len, NULL, err);
}

int api_txn_put_object(api_server *s, api_txn *t, const api_kind *k, const char *key,
                       const json_t *obj, tug_error *err) {
  size_t len;
  char *value = api_storage_value(s, k, key, obj, &len, err);
  if (value == NULL)
    return -1;
  t->owned[t->nowned++] = value;
  t->ops[t->nops++] = (tug_etcd_op){TUG_ETCD_OP_PUT, own(t, key), value, len, 0};
  return 0;
}

void api_txn_compare_mod(api_txn *t, const char *key, int64_t rev) {
  t->cmp[t->ncmp++] = (tug_etcd_compare){own(t, key), TUG_ETCD_MOD_REVISION, TUG_ETCD_EQUAL, rev};
}

void api_txn_compare_absent(api_txn *t, const char *key) {
  t->cmp[t->ncmp++] = (tug_etcd_compare){own(t, key), TUG_ETCD_CREATE_REVISION, TUG_ETCD_EQUAL, 0};
}

void api_txn_put(api_txn *t, const char *key, char *value) {
  t->owned[t->nowned++] = value;
  t->ops[t->nops++] = (tug_etcd_op){TUG_ETCD_OP_PUT, own(t, key), value, strlen(value), 0};
}

void api_txn_delete(api_txn *t, const char *key) {
  t->ops[t->nops++] = (tug_etcd_op){TUG_ETCD_OP_DELETE, own(t, key), NULL, 0, 0};
}

/* Only the counts: the arrays (5 KB) are read up to them, never beyond. */
void api_txn_clear(api_txn *t) {
  for (size_t i = 0; i < t->nowned; i++)
    free(t->owned[i]);
  t->ncmp = t->nops = t->nowned = 0;
}

void api_set_resource_version(json_t *obj, int64_t rev) {
  char rv[24];
  snprintf(rv, sizeof rv, "%lld", (long long)rev);
  tug_obj_set_resource_version(obj, rv, NULL);
}

char *api_storage_encode(const json_t *obj) {
  json_t *copy = json_copy((json_t *)obj); /* shallow: only metadata changes */
  json_t *meta = json_object_get(copy, "metadata");
  if (json_is_object(meta)) {
    json_t *m2 = json_copy(meta);
    json_object_del(m2, "resourceVersion");
    json_object_set_new(copy, "metadata", m2);
  }
  char *s = json_dumps(copy, JSON_COMPACT);
  json_decref(copy);
  return s;
}

int api_storage_get(api_server *s, const api_kind *k, const char *ns, const char *name,
                    json_t **out, int64_t *rev, tug_error *err) {
  return api_storage_get_stale(s, k, ns, name, out, rev, NULL, err);
}

int api_storage_get_stale(api_server *s, const api_kind *k, const char *ns, const char *name,
                          json_t **out, int64_t *rev, bool *stale, tug_error *err) {
  char key[512];
  api_key(k, ns, name, key, sizeof key);
  tug_etcd_range r;
  double t0 = tug_monotonic_seconds();
  int rc = tug_etcd_get(s->etcd, key, &r, err);
  api_metrics_etcd(s->metrics, "get", tug_monotonic_seconds() - t0);
  if (rc < 0)
    return -1;
  if (r.n == 0) {
    tug_etcd_range_free(&r);
    return tug_error_set(err, ENOENT, "%s \"%s\" not found", k->plural, name);
  }
  json_t *obj = decode(s, k, key, r.kvs[0].value, r.kvs[0].value_len, stale, err);
  int64_t mod = r.kvs[0].mod_revision;
  tug_etcd_range_free(&r);
  if (obj == NULL)
    return tug_error_wrap(err, "%s \"%s\"", k->plural, name);
  api_set_resource_version(obj, mod);
  if (k->custom)
    api_custom_set_version(k, obj);
  if (rev)
    *rev = mod;
  *out = obj;
  return 0;
}

/* The transaction: the object's own compare and write first, then the extras.
 * On failure etcd returns a GET of the key, to tell "exists"/"changed" from
 * "an admission compare failed". It may commit together with other
 * requests' writes (commit.h). */
static int run_txn(api_server *s, const char *op_name, tug_etcd_compare *own_cmp,
                   tug_etcd_op *own_op, const char *key, api_txn *extra, tug_etcd_txn_result *res,
                   tug_error *err) {
  tug_etcd_compare cmp[API_TXN_MAX + 1];
  tug_etcd_op ops[API_TXN_MAX + 1];
  size_t ncmp = 0, nops = 0;
  cmp[ncmp++] = *own_cmp;
  ops[nops++] = *own_op;
  for (size_t i = 0; extra && i < extra->ncmp; i++)
    cmp[ncmp++] = extra->cmp[i];
  for (size_t i = 0; extra && i < extra->nops; i++)
    ops[nops++] = extra->ops[i];
  tug_etcd_op get = {TUG_ETCD_OP_GET, key, NULL, 0, 0};
  double t0 = tug_monotonic_seconds();
  int rc = s->committer ? api_commit(s->committer, cmp, ncmp, ops, nops, &get, 1, res, err)
                        : tug_etcd_txn(s->etcd, cmp, ncmp, ops, nops, &get, 1, res, err);
  api_metrics_etcd(s->metrics, op_name, tug_monotonic_seconds() - t0);
  return rc;
}

int api_storage_create(api_server *s, const api_kind *k, json_t *obj, api_txn *extra,
                       tug_error *err) {
  char key[512];
  const char *name = tug_obj_name(obj);
  api_key(k, tug_obj_namespace(obj), name, key, sizeof key);
  size_t len;
  char *value = api_storage_value(s, k, key, obj, &len, err);
  if (value == NULL)
    return -1;
  tug_etcd_compare c = {key, TUG_ETCD_CREATE_REVISION, TUG_ETCD_EQUAL, 0};
  tug_etcd_op put = {TUG_ETCD_OP_PUT, key, value, len, 0};
  tug_etcd_txn_result res;
  int rc = run_txn(s, "create", &c, &put, key, extra, &res, err);
  free(value);
  if (rc < 0)
    return -1;
  bool ok = res.succeeded, exists = !ok && res.results[0].n > 0;
  int64_t rev = res.revision;
  tug_etcd_txn_result_free(&res);
  if (exists)
    return tug_error_set(err, TUG_E_CONFLICT, "%s \"%s\" already exists", k->plural, name);
  if (!ok)
    return tug_error_set(err, EAGAIN, "%s \"%s\": admission state changed", k->plural, name);
  api_revision_observe(&s->revision, rev);
  api_set_resource_version(obj, rev);
  return 0;
}

int api_storage_update(api_server *s, const api_kind *k, json_t *obj, int64_t expected_rev,
                       api_txn *extra, tug_error *err) {
  char key[512];
  const char *name = tug_obj_name(obj);
  api_key(k, tug_obj_namespace(obj), name, key, sizeof key);
  size_t len;
  char *value = api_storage_value(s, k, key, obj, &len, err);
  if (value == NULL)
    return -1;
  tug_etcd_compare c = {key, TUG_ETCD_MOD_REVISION, TUG_ETCD_EQUAL, expected_rev};
  tug_etcd_op put = {TUG_ETCD_OP_PUT, key, value, len, 0};
  tug_etcd_txn_result res;
  int rc = run_txn(s, "update", &c, &put, key, extra, &res, err);
  free(value);
  if (rc < 0)
    return -1;
  bool ok = res.succeeded;
  bool gone = !ok && res.results[0].n == 0;
  bool changed = !ok && !gone && res.results[0].kvs[0].mod_revision != expected_rev;
  int64_t rev = res.revision;
  tug_etcd_txn_result_free(&res);
  if (gone)
    return tug_error_set(err, ENOENT, "%s \"%s\" not found", k->plural, name);
  if (changed)
    return tug_error_set(err, TUG_E_CONFLICT,
                         "Operation cannot be fulfilled on %s \"%s\": the object has been "
                         "modified; please apply your changes to the latest version and try again",
                         k->plural, name);
  if (!ok)
    return tug_error_set(err, EAGAIN, "%s \"%s\": admission state changed", k->plural, name);
  api_revision_observe(&s->revision, rev);
  api_set_resource_version(obj, rev);
  return 0;
}

int api_storage_delete(api_server *s, const api_kind *k, const char *ns, const char *name,
                       int64_t expected_rev, api_txn *extra, int64_t *rev, tug_error *err) {
  char key[512];
  api_key(k, ns, name, key, sizeof key);
  tug_etcd_compare c = {key, TUG_ETCD_MOD_REVISION, TUG_ETCD_EQUAL, expected_rev};
  tug_etcd_op del = {TUG_ETCD_OP_DELETE, key, NULL, 0, 0};
  tug_etcd_txn_result res;
  if (run_txn(s, "delete", &c, &del, key, extra, &res, err) < 0)
    return -1;
  bool ok = res.succeeded, gone = !ok && res.results[0].n == 0;
  if (ok)
    api_revision_observe(&s->revision, res.revision);
  if (rev)
    *rev = res.revision;
  tug_etcd_txn_result_free(&res);
  if (gone)
    return tug_error_set(err, ENOENT, "%s \"%s\" not found", k->plural, name);
  if (!ok)
    return tug_error_set(err, TUG_E_CONFLICT, "%s \"%s\" changed during delete", k->plural, name);
  return 0;
}

const char *api_now(char *buf, size_t size) {
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

const char *api_now_micro(char *buf, size_t size) {
  struct timeval tv;
  gettimeofday(&tv, NULL);
  struct tm tm;
  gmtime_r(&tv.tv_sec, &tm);
  char base[32];
  strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf, size, "%s.%06ldZ", base, (long)tv.tv_usec);
  return buf;
}

const char *api_new_uid(char *buf, size_t size) {
  unsigned char b[16];
  if (getrandom(b, sizeof b, 0) != sizeof b)
    abort();
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  snprintf(buf, size, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
           b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
           b[15]);
  return buf;
}

void api_random_suffix(char out[6]) {
  /* Kubernetes leaves out vowels and look-alikes so suffixes spell nothing. */
  static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  unsigned char b[5];
  if (getrandom(b, sizeof b, 0) != sizeof b)
    abort();
  for (int i = 0; i < 5; i++)
    out[i] = alphabet[b[i] % (sizeof alphabet - 1)];
  out[5] = '\0';
}
