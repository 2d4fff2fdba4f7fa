/*
 * etcd-watch.c — watch streams that survive broken connections.
 *
 * A watch owns at most one gRPC stream at a time. Its callbacks run on the
 * client's poller thread and only queue batches; readers take them with
 * tug_etcd_watch_next. The invariant that makes reopening safe: next_rev is
 * always the first revision the reader has not yet been given, so a new
 * stream started there repeats nothing and skips nothing.
 *
 * Stream state changes only under w->mu; the stream is gone when every batch
 * started on it has completed (ops_pending == 0), and only then is the call
 * released and either reopened or reported finished to close().
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "etcd-internal.h"
#include "cleanup.h"
#include "clock.h"
#include "log.h"

#define PB_FREE(m) protobuf_c_message_free_unpacked((ProtobufCMessage *)(m), NULL)
#define WATCH_OF(tagp, field) ((tug_etcd_watch *)((char *)(tagp)-offsetof(tug_etcd_watch, field)))

/* A stream that dies this many times in a row without one answer is given up. */
enum { WATCH_MAX_BARREN_STREAMS = 5 };

typedef struct batch_node {
  tug_etcd_watch_batch batch;
  struct batch_node *next;
} batch_node;

struct tug_etcd_watch {
  tug_etcd *client;
  char *key;
  ProtobufCBinaryData range_end;
  int flags;

  pthread_mutex_t mu;
  pthread_cond_t cond;
  batch_node *head, *tail;
  bool ended;    /* no batch will be queued any more */
  bool closing;  /* close() is waiting for the stream to go */
  bool streaming; /* a stream exists (maybe still finishing) */

  grpc_call *call;
  etcd_tag start_tag, recv_tag, status_tag, send_tag;
  grpc_byte_buffer *send_buf, *recv_buf;
  grpc_metadata_array initial_md, trailing_md;
  grpc_status_code status;
  grpc_slice details;
  int ops_pending;
  bool send_busy;
  bool answered; /* this stream delivered at least one response */
  int barren;    /* streams in a row that ended without an answer */

  int64_t next_rev; /* 0 until known: "from now" */
  int reopens;
};

static void queue_batch(tug_etcd_watch *w, batch_node *n) {
  n->next = NULL;
  if (w->tail)
    w->tail->next = n;
  else
    w->head = n;
  w->tail = n;
  pthread_cond_broadcast(&w->cond);
}

static void queue_simple(tug_etcd_watch *w, tug_etcd_watch_kind kind, int64_t rev,
                         const char *reason) {
  batch_node *n = calloc(1, sizeof *n);
  if (n == NULL)
    abort();
  n->batch.kind = kind;
  n->batch.revision = rev;
  if (kind == TUG_ETCD_WATCH_COMPACTED)
    n->batch.compact_revision = rev;
  snprintf(n->batch.reason, sizeof n->batch.reason, "%s", reason ? reason : "");
  queue_batch(w, n);
}

/* End the watch for good: queue the final batch and stop the stream. */
static void end_watch(tug_etcd_watch *w, tug_etcd_watch_kind kind, int64_t rev,
                      const char *reason) {
  if (w->ended)
    return;
  queue_simple(w, kind, rev, reason);
  w->ended = true;
  if (w->call)
    grpc_call_cancel(w->call, NULL);
}

static void queue_events(tug_etcd_watch *w, Etcdserverpb__WatchResponse *r) {
  batch_node *n = calloc(1, sizeof *n);
  tug_etcd_event *ev = calloc(r->n_events, sizeof *ev);
  if (n == NULL || ev == NULL)
    abort();
  for (size_t i = 0; i < r->n_events; i++) {
    Etcdserverpb__Event *e = r->events[i];
    ev[i].type = e->type == ETCDSERVERPB__EVENT__EVENT_TYPE__DELETE ? TUG_ETCD_EVENT_DELETE
                                                                    : TUG_ETCD_EVENT_PUT;
    if (e->kv)
      etcd_kv_from_pb(&ev[i].kv, e->kv);
    if (e->prev_kv) {
      etcd_kv_from_pb(&ev[i].prev_kv, e->prev_kv);
      ev[i].has_prev_kv = true;
    }
  }
  n->batch.kind = TUG_ETCD_WATCH_EVENTS;
  n->batch.events = ev;
  n->batch.n = r->n_events;
  n->batch.revision = ev[r->n_events - 1].kv.mod_revision;
  n->batch.owner_ = r;
  w->next_rev = n->batch.revision + 1;
  queue_batch(w, n);
}

/* Decide what one response means; takes ownership of r. */
static void handle_response(tug_etcd_watch *w, Etcdserverpb__WatchResponse *r) {
  int64_t header_rev = r->header ? r->header->revision : 0;
  w->answered = true;
  if (r->compact_revision > 0) {
    end_watch(w, TUG_ETCD_WATCH_COMPACTED, r->compact_revision, "required revision compacted");
  } else if (r->canceled) {
    end_watch(w, TUG_ETCD_WATCH_CANCELED, header_rev,
              r->cancel_reason && r->cancel_reason[0] ? r->cancel_reason : "canceled by etcd");
  } else if (r->n_events > 0) {
    queue_events(w, r);
    return; /* the batch owns r now */
  } else if (r->created) {
    /* Watching "from now" means from the revision after this one. */
    if (w->next_rev == 0)
      w->next_rev = header_rev + 1;
  } else if (!w->ended) {
    if (header_rev + 1 > w->next_rev)
      w->next_rev = header_rev + 1;
    queue_simple(w, TUG_ETCD_WATCH_PROGRESS, header_rev, NULL);
  }
  PB_FREE(r);
}

static grpc_byte_buffer *create_request(tug_etcd_watch *w) {
  Etcdserverpb__WatchCreateRequest cr = ETCDSERVERPB__WATCH_CREATE_REQUEST__INIT;
  cr.key = etcd_bytes(w->key);
  cr.range_end = w->range_end;
  cr.start_revision = w->next_rev;
  cr.prev_kv = (w->flags & TUG_ETCD_WATCH_PREV_KV) != 0;
  cr.progress_notify = (w->flags & TUG_ETCD_WATCH_PROGRESS_NOTIFY) != 0;
  Etcdserverpb__WatchRequest req = ETCDSERVERPB__WATCH_REQUEST__INIT;
  req.request_union_case = ETCDSERVERPB__WATCH_REQUEST__REQUEST_UNION_CREATE_REQUEST;
  req.create_request = &cr;
  return etcd_pack(&req.base);
}

static int start_recv(tug_etcd_watch *w) {
  grpc_op op;
  memset(&op, 0, sizeof op);
  op.op = GRPC_OP_RECV_MESSAGE;
  op.data.recv_message.recv_message = &w->recv_buf;
  if (grpc_call_start_batch(w->call, &op, 1, &w->recv_tag, NULL) != GRPC_CALL_OK)
    return -1;
  w->ops_pending++;
  return 0;
}

/* Open a stream from next_rev. Called with w->mu held. */
static int stream_start(tug_etcd_watch *w) {
  w->call = etcd_new_call(w->client, ETCD_WATCH, gpr_inf_future(GPR_CLOCK_REALTIME));
  w->answered = false;
  w->status = GRPC_STATUS_OK;
  grpc_metadata_array_init(&w->initial_md);
  grpc_metadata_array_init(&w->trailing_md);
  w->details = grpc_empty_slice();
  w->send_buf = create_request(w);
  w->send_busy = true;

  grpc_op ops[3];
  memset(ops, 0, sizeof ops);
  ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
  ops[0].flags = GRPC_INITIAL_METADATA_WAIT_FOR_READY |
                 GRPC_INITIAL_METADATA_WAIT_FOR_READY_EXPLICITLY_SET;
  ops[1].op = GRPC_OP_SEND_MESSAGE;
  ops[1].data.send_message.send_message = w->send_buf;
  ops[2].op = GRPC_OP_RECV_INITIAL_METADATA;
  ops[2].data.recv_initial_metadata.recv_initial_metadata = &w->initial_md;
  grpc_op st;
  memset(&st, 0, sizeof st);
  st.op = GRPC_OP_RECV_STATUS_ON_CLIENT;
  st.data.recv_status_on_client.trailing_metadata = &w->trailing_md;
  st.data.recv_status_on_client.status = &w->status;
  st.data.recv_status_on_client.status_details = &w->details;

  if (grpc_call_start_batch(w->call, ops, 3, &w->start_tag, NULL) != GRPC_CALL_OK) {
    grpc_byte_buffer_destroy(w->send_buf);
    w->send_buf = NULL;
    w->send_busy = false;
    grpc_metadata_array_destroy(&w->initial_md);
    grpc_metadata_array_destroy(&w->trailing_md);
    grpc_call_unref(w->call);
    w->call = NULL;
    return -1;
  }
  w->ops_pending++;
  w->streaming = true; /* from here on a batch is pending: close must wait */
  if (grpc_call_start_batch(w->call, &st, 1, &w->status_tag, NULL) != GRPC_CALL_OK) {
    grpc_call_cancel(w->call, NULL);
    return 0; /* the start batch completes and finishes the stream */
  }
  w->ops_pending++;
  if (start_recv(w) < 0)
    grpc_call_cancel(w->call, NULL);
  return 0;
}

/* After a completion: when the stream is over, release it and reopen or stop. */
static void stream_maybe_finished(tug_etcd_watch *w) {
  if (w->ops_pending > 0)
    return;
  _cleanup_free_ char *why = grpc_slice_to_c_string(w->details);
  grpc_status_code status = w->status;
  grpc_metadata_array_destroy(&w->initial_md);
  grpc_metadata_array_destroy(&w->trailing_md);
  grpc_slice_unref(w->details);
  w->details = grpc_empty_slice();
  grpc_call_unref(w->call);
  w->call = NULL;
  w->barren = w->answered ? 0 : w->barren + 1;
  if (!w->closing && !w->ended && w->barren >= WATCH_MAX_BARREN_STREAMS) {
    char reason[200];
    snprintf(reason, sizeof reason, "watch stream failed %d times: %s (gRPC status %d)",
             w->barren, why, (int)status);
    end_watch(w, TUG_ETCD_WATCH_CANCELED, w->next_rev - 1, reason);
  }
  if (w->closing || w->ended) {
    w->streaming = false;
    pthread_cond_broadcast(&w->cond);
    return;
  }
  tug_debug("etcd watch reopened", "key=%s from_revision=%lld status=%d", w->key,
            (long long)w->next_rev, (int)status);
  w->reopens++;
  if (stream_start(w) < 0) {
    end_watch(w, TUG_ETCD_WATCH_CANCELED, w->next_rev - 1, "cannot reopen watch stream");
    w->streaming = false;
    pthread_cond_broadcast(&w->cond);
  }
}

/* A batch that sent a message (the create request, or a progress request)
 * completed: free the message and let the next send go. */
static void send_done(tug_etcd_watch *w) {
  pthread_mutex_lock(&w->mu);
  grpc_byte_buffer_destroy(w->send_buf);
  w->send_buf = NULL;
  w->send_busy = false;
  w->ops_pending--;
  stream_maybe_finished(w);
  pthread_mutex_unlock(&w->mu);
}

static void on_start(etcd_tag *tag, bool ok) {
  (void)ok; /* a failed start shows up as the stream's status */
  send_done(WATCH_OF(tag, start_tag));
}

static void on_send(etcd_tag *tag, bool ok) {
  (void)ok;
  send_done(WATCH_OF(tag, send_tag));
}

static void on_recv(etcd_tag *tag, bool ok) {
  tug_etcd_watch *w = WATCH_OF(tag, recv_tag);
  pthread_mutex_lock(&w->mu);
  w->ops_pending--;
  grpc_byte_buffer *bb = w->recv_buf;
  w->recv_buf = NULL;
  if (ok && bb != NULL) {
    ProtobufCMessage *m = etcd_unpack(bb, &etcdserverpb__watch_response__descriptor);
    grpc_byte_buffer_destroy(bb);
    if (m == NULL)
      grpc_call_cancel(w->call, NULL);
    else if (!w->closing)
      handle_response(w, (Etcdserverpb__WatchResponse *)m);
    else
      PB_FREE(m);
    if (m != NULL && !w->ended && !w->closing && start_recv(w) < 0)
      grpc_call_cancel(w->call, NULL);
  } else if (bb != NULL) {
    grpc_byte_buffer_destroy(bb);
  }
  stream_maybe_finished(w);
  pthread_mutex_unlock(&w->mu);
}

static void on_status(etcd_tag *tag, bool ok) {
  (void)ok;
  tug_etcd_watch *w = WATCH_OF(tag, status_tag);
  pthread_mutex_lock(&w->mu);
  w->ops_pending--;
  stream_maybe_finished(w);
  pthread_mutex_unlock(&w->mu);
}

int tug_etcd_watch_open(tug_etcd *c, const char *key, bool prefix, int64_t start_revision,
                        int flags, tug_etcd_watch **out, tug_error *err) {
  tug_etcd_watch *w = calloc(1, sizeof *w);
  if (w == NULL || (w->key = strdup(key)) == NULL) {
    free(w);
    return tug_error_errno(err, ENOMEM, "watch %s", key);
  }
  w->client = c;
  if (prefix)
    w->range_end = etcd_prefix_end(key);
  w->flags = flags;
  w->next_rev = start_revision;
  w->start_tag.done = on_start;
  w->recv_tag.done = on_recv;
  w->status_tag.done = on_status;
  w->send_tag.done = on_send;
  w->details = grpc_empty_slice();
  pthread_mutex_init(&w->mu, NULL);
  tug_cond_init_monotonic(&w->cond);
  etcd_inflight(c, +1);
  pthread_mutex_lock(&w->mu);
  int rc = stream_start(w);
  pthread_mutex_unlock(&w->mu);
  if (rc < 0) {
    tug_etcd_watch_close(w);
    return tug_error_set(err, EIO, "watch %s: cannot start stream", key);
  }
  *out = w;
  return 0;
}

int tug_etcd_watch_next(tug_etcd_watch *w, tug_etcd_watch_batch *out, int timeout_ms,
                        tug_error *err) {
  struct timespec deadline = tug_deadline_ms(timeout_ms >= 0 ? timeout_ms : 0);
  pthread_mutex_lock(&w->mu);
  while (w->head == NULL && !w->ended && !w->closing) {
    if (timeout_ms < 0) {
      pthread_cond_wait(&w->cond, &w->mu);
    } else if (pthread_cond_timedwait(&w->cond, &w->mu, &deadline) == ETIMEDOUT) {
      pthread_mutex_unlock(&w->mu);
      return 0;
    }
  }
  batch_node *n = w->head;
  if (n == NULL) {
    pthread_mutex_unlock(&w->mu);
    return tug_error_set(err, ECANCELED, "watch %s: ended", w->key);
  }
  w->head = n->next;
  if (w->head == NULL)
    w->tail = NULL;
  pthread_mutex_unlock(&w->mu);
  *out = n->batch;
  free(n);
  return 1;
}

void tug_etcd_watch_batch_free(tug_etcd_watch_batch *b) {
  if (b == NULL)
    return;
  free(b->events);
  if (b->owner_)
    PB_FREE(b->owner_);
  memset(b, 0, sizeof *b);
}

int tug_etcd_watch_request_progress(tug_etcd_watch *w, tug_error *err) {
  pthread_mutex_lock(&w->mu);
  if (w->call == NULL || w->ended || w->closing || w->send_busy) {
    pthread_mutex_unlock(&w->mu);
    return tug_error_set(err, EAGAIN, "watch %s: cannot ask for progress now", w->key);
  }
  Etcdserverpb__WatchProgressRequest pr = ETCDSERVERPB__WATCH_PROGRESS_REQUEST__INIT;
  Etcdserverpb__WatchRequest req = ETCDSERVERPB__WATCH_REQUEST__INIT;
  req.request_union_case = ETCDSERVERPB__WATCH_REQUEST__REQUEST_UNION_PROGRESS_REQUEST;
  req.progress_request = &pr;
  w->send_buf = etcd_pack(&req.base);
  grpc_op op;
  memset(&op, 0, sizeof op);
  op.op = GRPC_OP_SEND_MESSAGE;
  op.data.send_message.send_message = w->send_buf;
  int rc = 0;
  if (grpc_call_start_batch(w->call, &op, 1, &w->send_tag, NULL) == GRPC_CALL_OK) {
    w->send_busy = true;
    w->ops_pending++;
  } else {
    grpc_byte_buffer_destroy(w->send_buf);
    w->send_buf = NULL;
    rc = tug_error_set(err, EIO, "watch %s: send progress request", w->key);
  }
  pthread_mutex_unlock(&w->mu);
  return rc;
}

int tug_etcd_watch_reopens(const tug_etcd_watch *w) {
  tug_etcd_watch *mw = (tug_etcd_watch *)w;
  pthread_mutex_lock(&mw->mu);
  int n = mw->reopens;
  pthread_mutex_unlock(&mw->mu);
  return n;
}

void tug_etcd_watch_close(tug_etcd_watch *w) {
  if (w == NULL)
    return;
  pthread_mutex_lock(&w->mu);
  w->closing = true;
  if (w->call)
    grpc_call_cancel(w->call, NULL);
  while (w->streaming)
    pthread_cond_wait(&w->cond, &w->mu);
  pthread_mutex_unlock(&w->mu);
  for (batch_node *n = w->head, *next; n; n = next) {
    next = n->next;
    tug_etcd_watch_batch_free(&n->batch);
    free(n);
  }
  grpc_slice_unref(w->details);
  tug_etcd *c = w->client;
  free(w->range_end.data);
  free(w->key);
  pthread_mutex_destroy(&w->mu);
  pthread_cond_destroy(&w->cond);
  free(w);
  etcd_inflight(c, -1);
}
