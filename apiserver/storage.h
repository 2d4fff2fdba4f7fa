/*
 * storage.h — objects in etcd: keys, serialization and the one-transaction
 * writes every verb is built on.
 *
 * An object is stored as compact JSON under /registry/{plural}/{ns}/{name}
 * (cluster-scoped: /registry/{plural}/{name}) without resourceVersion; on the
 * way out, resourceVersion is the key's etcd mod_revision. Every write is one
 * etcd transaction that also carries the compares and puts admission added
 * (quota usage), so nothing is ever half-written.
 */
#ifndef TUG_APISERVER_STORAGE_H
#define TUG_APISERVER_STORAGE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "etcd.h"
#include "registry.h"
#include "server.h"

/* "/registry/pods/ns/name"; ns ignored for cluster-scoped kinds. Returns buf. */
const char *api_key(const api_kind *k, const char *ns, const char *name, char *buf, size_t size);
/* "/registry/pods/ns/" or "/registry/pods/" (ns NULL: every namespace). */
const char *api_prefix(const api_kind *k, const char *ns, char *buf, size_t size);

/* Extra conditions and writes that ride in an object's transaction. Strings
 * put here are owned by the txn and freed with it. */
/* Room for quota updates and a NodePort Service's allocation keys (svcalloc.h);
 * etcd's own default limit is 128 operations. */
#define API_TXN_MAX 64
typedef struct api_txn {
  tug_etcd_compare cmp[API_TXN_MAX];
  size_t ncmp;
  tug_etcd_op ops[API_TXN_MAX];
  size_t nops;
  char *owned[2 * API_TXN_MAX];
  size_t nowned;
} api_txn;

void api_txn_compare_mod(api_txn *t, const char *key, int64_t rev);
/* The key must not exist (create-only, as an object create). */
void api_txn_compare_absent(api_txn *t, const char *key);
void api_txn_put(api_txn *t, const char *key, char *value /* owned */);
void api_txn_delete(api_txn *t, const char *key);
void api_txn_clear(api_txn *t);

/* Read one object with its resourceVersion set; ENOENT when absent. */
int api_storage_get(api_server *s, const api_kind *k, const char *ns, const char *name,
                    json_t **out, int64_t *rev, tug_error *err);

/* Store obj as new: TUG_E_CONFLICT "already exists" when the key exists,
 * EAGAIN when only an admission compare failed (the caller retries). On
 * success obj's resourceVersion is set. */
int api_storage_create(api_server *s, const api_kind *k, json_t *obj, api_txn *extra,
                       tug_error *err);
/* Replace obj if its key is still at expected_rev: TUG_E_CONFLICT when not
 * (or ENOENT when gone), EAGAIN as above. */
int api_storage_update(api_server *s, const api_kind *k, json_t *obj, int64_t expected_rev,
                       api_txn *extra, tug_error *err);
/* Remove the key if still at expected_rev. */
int api_storage_delete(api_server *s, const api_kind *k, const char *ns, const char *name,
                       int64_t expected_rev, api_txn *extra, int64_t *rev, tug_error *err);

/* Object serialization without resourceVersion, before encryption. */
char *api_storage_encode(const json_t *obj);
/* What goes to etcd for obj of kind k at key: its encoding, sealed when the
 * encryption configuration names k's resource (encryption.h). NULL with err
 * when it cannot be sealed. *len: its length (a sealed value is binary). */
char *api_storage_value(api_server *s, const api_kind *k, const char *key, const json_t *obj,
                        size_t *len, tug_error *err);
/* The object stored at key (value, len bytes), opened and parsed; NULL with
 * err (EIO) when it does not open or is not a JSON object. */
json_t *api_storage_decode(api_server *s, const api_kind *k, const char *key, const char *value,
                           size_t len, tug_error *err);
/* api_storage_get that also says whether the stored value is stale: sealed
 * otherwise than a write would seal it now (api_encryption_open). */
int api_storage_get_stale(api_server *s, const api_kind *k, const char *ns, const char *name,
                          json_t **out, int64_t *rev, bool *stale, tug_error *err);
/* Put obj of kind k at key in t, as api_storage_value stores it; -1 with err. */
int api_txn_put_object(api_server *s, api_txn *t, const api_kind *k, const char *key,
                       const json_t *obj, tug_error *err);
void api_set_resource_version(json_t *obj, int64_t rev);

/* RFC 3339 UTC, seconds precision ("2026-11-24T01:02:03Z"). */
const char *api_now(char *buf, size_t size);
/* RFC 3339 with microseconds, for Lease and Event times. */
const char *api_now_micro(char *buf, size_t size);
/* A random RFC 4122 version 4 UUID. */
const char *api_new_uid(char *buf, size_t size);
/* Five random lowercase alphanumerics, as Kubernetes appends to generateName. */
void api_random_suffix(char out[6]);

#endif
