/*
 * etcd.h — Tugboat's etcd v3 client, over the gRPC core C API.
 *
 * One client holds one HTTP/2 channel and one completion queue served by a
 * poller thread; every call, from any thread, is multiplexed on that channel.
 * Synchronous calls wait for their own completion; the *_async calls return at
 * once and run a callback on the poller thread, so many requests can be in
 * flight from one thread. Unary calls wait for the channel to become ready (it
 * reconnects by itself after etcd restarts) up to the call's deadline.
 *
 * Results that carry keys and values own their memory: free them with
 * tug_etcd_range_free / tug_etcd_txn_result_free / tug_etcd_watch_batch_free.
 * Keys and values are byte strings (key/key_len, value/value_len).
 */
#ifndef TUG_ETCD_H
#define TUG_ETCD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef struct tug_etcd tug_etcd;
typedef struct tug_etcd_watch tug_etcd_watch;

/*
 * https:// endpoints need ca_pem (the CA etcd's serving certificate chains
 * to) and a client pair (cert_pem, key_pem) when etcd asks for one
 * (--client-cert-auth); the server's name is checked against the first
 * endpoint's host. http:// and https:// endpoints cannot be mixed.
 */
typedef struct tug_etcd_options {
  int call_timeout_ms; /* deadline of each unary call; 0 = 5000 */
  const char *ca_pem, *cert_pem, *key_pem;
} tug_etcd_options;

typedef struct tug_etcd_kv {
  const char *key;
  size_t key_len;
  const char *value;
  size_t value_len;
  int64_t create_revision;
  int64_t mod_revision;
  int64_t version;
  int64_t lease;
} tug_etcd_kv;

/* Keys read at one revision of the store. */
typedef struct tug_etcd_range {
  int64_t revision; /* the store revision the read saw */
  tug_etcd_kv *kvs;
  size_t n;
  bool more;     /* a limit cut the answer short */
  int64_t count; /* keys in the whole range, before the limit */
  void *owner_;
} tug_etcd_range;

/* "http://127.0.0.1:2379,http://127.0.0.1:22379" → a gRPC target
 * ("ipv4:127.0.0.1:2379,127.0.0.1:22379", or "dns:///host:port" for one name);
 * https:// the same (tug_etcd_open then speaks TLS). */
int tug_etcd_target(const char *endpoints, char *buf, size_t size, tug_error *err);

int tug_etcd_open(tug_etcd **out, const char *endpoints, const tug_etcd_options *opts,
                  tug_error *err);
/* Waits for calls in flight; watches must have been closed first. */
void tug_etcd_close(tug_etcd *c);

/* One key; out->n is 0 when it does not exist. */
int tug_etcd_get(tug_etcd *c, const char *key, tug_etcd_range *out, tug_error *err);
/* Keys under prefix in key order, starting at start_key (inclusive; NULL = the
 * prefix), at most limit (0 = all), at revision (0 = latest). The next page
 * starts at tug_etcd_next_key(last kv), read at the first page's revision. */
int tug_etcd_list(tug_etcd *c, const char *prefix, const char *start_key, int64_t limit,
                  int64_t revision, tug_etcd_range *out, tug_error *err);
/* The smallest key after kv's key: where the next page of a list starts. */
char *tug_etcd_next_key(const tug_etcd_kv *kv);
/* Number of keys under prefix, without reading them. */
int tug_etcd_count(tug_etcd *c, const char *prefix, int64_t *count, tug_error *err);
void tug_etcd_range_free(tug_etcd_range *r);

int tug_etcd_put(tug_etcd *c, const char *key, const char *value, size_t value_len,
                 int64_t lease, int64_t *revision, tug_error *err);
int tug_etcd_delete(tug_etcd *c, const char *key, int64_t *deleted, int64_t *revision,
                    tug_error *err);
int tug_etcd_delete_prefix(tug_etcd *c, const char *prefix, int64_t *deleted, tug_error *err);
/* Forget history before revision; later reads or watches from before it fail
 * with TUG_E_COMPACTED. */
int tug_etcd_compact(tug_etcd *c, int64_t revision, tug_error *err);

/* Transactions: if every compare holds, run the success ops, else the failure ops. */
typedef enum {
  TUG_ETCD_EQUAL,
  TUG_ETCD_GREATER,
  TUG_ETCD_LESS,
  TUG_ETCD_NOT_EQUAL
} tug_etcd_cmp_result;
typedef enum {
  TUG_ETCD_VERSION,
  TUG_ETCD_CREATE_REVISION,
  TUG_ETCD_MOD_REVISION,
} tug_etcd_cmp_target;
typedef struct tug_etcd_compare {
  const char *key;
  tug_etcd_cmp_target target;
  tug_etcd_cmp_result result;
  int64_t value;
} tug_etcd_compare;

typedef enum { TUG_ETCD_OP_GET, TUG_ETCD_OP_PUT, TUG_ETCD_OP_DELETE } tug_etcd_op_type;
typedef struct tug_etcd_op {
  tug_etcd_op_type type;
  const char *key;
  const char *value; /* PUT */
  size_t value_len;
  int64_t lease; /* PUT */
} tug_etcd_op;

typedef struct tug_etcd_op_result {
  tug_etcd_op_type type;
  tug_etcd_kv *kvs; /* GET: the key if it exists */
  size_t n;
  int64_t deleted; /* DELETE */
} tug_etcd_op_result;

typedef struct tug_etcd_txn_result {
  bool succeeded;
  int64_t revision; /* the store revision after the transaction */
  tug_etcd_op_result *results;
  size_t n;
  void *owner_;
} tug_etcd_txn_result;

int tug_etcd_txn(tug_etcd *c, const tug_etcd_compare *cmp, size_t ncmp,
                 const tug_etcd_op *success, size_t nsuccess, const tug_etcd_op *failure,
                 size_t nfailure, tug_etcd_txn_result *out, tug_error *err);
void tug_etcd_txn_result_free(tug_etcd_txn_result *r);

/* Put only if the key does not exist: TUG_E_CONFLICT ("already exists") otherwise. */
int tug_etcd_create(tug_etcd *c, const char *key, const char *value, size_t value_len,
                    int64_t lease, int64_t *revision, tug_error *err);
/* Put only if the key's mod_revision is still expected_revision: TUG_E_CONFLICT
 * when it changed, ENOENT when it is gone. */
int tug_etcd_update(tug_etcd *c, const char *key, const char *value, size_t value_len,
                    int64_t expected_revision, int64_t *revision, tug_error *err);

/* Asynchronous forms: the callback runs once, on the client's poller thread,
 * and must not block. rc is 0 or -1 with err filled. */
typedef void (*tug_etcd_put_cb)(void *arg, int rc, int64_t revision, const tug_error *err);
int tug_etcd_put_async(tug_etcd *c, const char *key, const char *value, size_t value_len,
                       int64_t lease, tug_etcd_put_cb cb, void *arg, tug_error *err);
/* The callback owns *res (free it with tug_etcd_txn_result_free) when rc is 0. */
typedef void (*tug_etcd_txn_cb)(void *arg, int rc, tug_etcd_txn_result *res,
                                const tug_error *err);
int tug_etcd_txn_async(tug_etcd *c, const tug_etcd_compare *cmp, size_t ncmp,
                       const tug_etcd_op *success, size_t nsuccess, const tug_etcd_op *failure,
                       size_t nfailure, tug_etcd_txn_cb cb, void *arg, tug_error *err);

/* Leases: keys put with a lease vanish when it expires or is revoked. */
int tug_etcd_lease_grant(tug_etcd *c, int64_t ttl_seconds, int64_t *id, tug_error *err);
/* One renewal; *ttl is the TTL granted back (ENOENT when the lease expired). */
int tug_etcd_lease_keepalive(tug_etcd *c, int64_t id, int64_t *ttl, tug_error *err);
int tug_etcd_lease_revoke(tug_etcd *c, int64_t id, tug_error *err);

/*
 * Watches. A watch delivers batches in revision order through
 * tug_etcd_watch_next. When the stream breaks (etcd restarted, connection lost)
 * the watch reopens itself from the revision after the last one it delivered,
 * so the reader sees neither a gap nor a duplicate. A start revision that was
 * compacted away ends the watch with one TUG_ETCD_WATCH_COMPACTED batch: the
 * reader must list again and watch from the list's revision.
 */
enum { TUG_ETCD_WATCH_PREV_KV = 1, TUG_ETCD_WATCH_PROGRESS_NOTIFY = 2 };

typedef enum { TUG_ETCD_EVENT_PUT, TUG_ETCD_EVENT_DELETE } tug_etcd_event_type;
typedef struct tug_etcd_event {
  tug_etcd_event_type type;
  tug_etcd_kv kv; /* for DELETE: key and mod_revision of the deletion */
  tug_etcd_kv prev_kv;
  bool has_prev_kv;
} tug_etcd_event;

typedef enum {
  TUG_ETCD_WATCH_EVENTS,
  TUG_ETCD_WATCH_PROGRESS,  /* nothing new up to revision */
  TUG_ETCD_WATCH_COMPACTED, /* compact_revision is the oldest revision still held */
  TUG_ETCD_WATCH_CANCELED,  /* etcd ended the watch; reason says why */
} tug_etcd_watch_kind;

typedef struct tug_etcd_watch_batch {
  tug_etcd_watch_kind kind;
  int64_t revision; /* EVENTS: the last event's; PROGRESS: the store's */
  int64_t compact_revision;
  tug_etcd_event *events;
  size_t n;
  char reason[256];
  void *owner_;
} tug_etcd_watch_batch;

/* Watch key (or every key under it when prefix) from start_revision (0 = from now). */
int tug_etcd_watch_open(tug_etcd *c, const char *key, bool prefix, int64_t start_revision,
                        int flags, tug_etcd_watch **out, tug_error *err);
/* 1 with a batch, 0 when timeout_ms passed first (-1 waits forever), -1 once the
 * watch has ended (after a COMPACTED or CANCELED batch, or when closed). */
int tug_etcd_watch_next(tug_etcd_watch *w, tug_etcd_watch_batch *out, int timeout_ms,
                        tug_error *err);
void tug_etcd_watch_batch_free(tug_etcd_watch_batch *b);
/* Ask etcd for a PROGRESS batch once every earlier event has been delivered. */
int tug_etcd_watch_request_progress(tug_etcd_watch *w, tug_error *err);
/* How many times the stream was reopened after breaking. */
int tug_etcd_watch_reopens(const tug_etcd_watch *w);
void tug_etcd_watch_close(tug_etcd_watch *w);

#endif
