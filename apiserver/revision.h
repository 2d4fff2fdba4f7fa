/*
 * revision.h — etcd's current revision for consistent reads, shared.
 *
 * A consistent read must reflect every write that finished before the read
 * began, so it needs a revision read from etcd after it arrived. Reads that
 * arrive while such a fetch is in flight wait for the next one, which starts
 * as soon as the current one ends: however many reads come at once, at most
 * two etcd round trips serve them all. With that revision in hand, the watch
 * cache answers once it has caught up (watchcache.h, sync_to).
 *
 * When this API server is etcd's only writer (Tugboat runs one; nothing else
 * writes under /registry), the newest revision it has written is etcd's
 * current revision, and "local" mode uses it without asking etcd. Run several
 * API servers against one etcd with --consistent-reads=etcd.
 */
#ifndef TUG_APISERVER_REVISION_H
#define TUG_APISERVER_REVISION_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "etcd.h"

typedef struct api_revision {
  pthread_mutex_t mu;
  pthread_cond_t cond;
  int64_t started; /* sequence number of the latest fetch begun */
  int64_t done;    /* sequence number of the latest fetch finished */
  int64_t value;   /* the revision it read */
  int err_code;
  char err_msg[256];
  bool inflight;
  bool local;                /* trust local_max instead of asking etcd */
  _Atomic int64_t local_max; /* newest revision this server wrote or read at start */
} api_revision;

void api_revision_init(api_revision *r, bool local);
/* Record a revision this server's own write produced. */
void api_revision_observe(api_revision *r, int64_t rev);
void api_revision_destroy(api_revision *r);
/* A revision at least as new as every write finished before this call. */
int api_revision_current(api_revision *r, tug_etcd *etcd, int64_t *rev, tug_error *err);

#endif
