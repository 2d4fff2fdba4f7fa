/*
 * commit.h — group commit: concurrent writes to different keys go to etcd
 * as one transaction.
 *
 * A write is one object's transaction: its compares, its ops, and the ops to
 * run instead when a compare fails (a GET of its key, to say why). While
 * `batches` transactions of writes are in flight, new writes wait in a
 * queue; when one completes, the queue goes out as the next transaction:
 * every write's compares and ops together, as long as no two touch the same
 * key (a write that would waits for the one after) and etcd's limits on
 * operations and request size hold. So the window is etcd's own commit
 * time, and a lone write waits for nothing.
 *
 * When the whole batch commits, every write of it succeeded at the batch's
 * revision. When any compare fails, or etcd refuses the batch as invalid, each
 * write is sent again alone, so each gets exactly the answer it would have had
 * alone (succeeded or not, and its failure ops' results). When the outcome is
 * unknown (a timeout, etcd unavailable), each gets that error, as alone.
 */
#ifndef TUG_APISERVER_COMMIT_H
#define TUG_APISERVER_COMMIT_H

#include <stddef.h>

#include "etcd.h"

typedef struct api_committer api_committer;

/* batches: transactions of grouped writes in flight at once; 0 sends every
 * write alone, at once. */
api_committer *api_committer_new(tug_etcd *etcd, int batches);
/* Every write must have been answered. */
void api_committer_free(api_committer *c);

/* tug_etcd_txn for one write, waiting for its answer: a caller on a fiber
 * (fiber.h) parks it meanwhile. A write that
 * succeeded within a batch has no op results (out->n is 0); a failed one
 * has its own transaction's. The arrays are read until it returns. */
int api_commit(api_committer *c, const tug_etcd_compare *cmp, size_t ncmp, const tug_etcd_op *ops,
               size_t nops, const tug_etcd_op *failure, size_t nfailure, tug_etcd_txn_result *out,
               tug_error *err);

/* Transactions sent and the writes they carried, since the start. */
void api_committer_counts(api_committer *c, long *txns, long *writes);

#endif
