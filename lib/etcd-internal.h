/*
 * etcd-internal.h — what the pieces of the etcd client share: the client
 * struct, completion-queue tags, and the unary call machinery of etcd-call.c.
 *
 * Every operation started on the completion queue carries an etcd_tag whose
 * done() the poller thread calls with the operation's success flag.
 */
#ifndef TUG_ETCD_INTERNAL_H
#define TUG_ETCD_INTERNAL_H

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc_security.h>
#include <grpc/grpc.h>
#include <protobuf-c/protobuf-c.h>
#include <pthread.h>

#include "etcd.h"
#include "etcd.pb-c.h"

typedef enum {
  ETCD_RANGE,
  ETCD_PUT,
  ETCD_DELETE_RANGE,
  ETCD_TXN,
  ETCD_COMPACT,
  ETCD_LEASE_GRANT,
  ETCD_LEASE_REVOKE,
  ETCD_LEASE_KEEPALIVE,
  ETCD_WATCH,
  ETCD_METHOD_COUNT
} etcd_method;

struct tug_etcd {
  grpc_channel *channel;
  grpc_completion_queue *cq;
  pthread_t poller;
  void *methods[ETCD_METHOD_COUNT]; /* registered call handles */
  int timeout_ms;
  pthread_mutex_t mu;
  pthread_cond_t idle;
  long inflight; /* calls and watches that still hold the completion queue */
};

typedef struct etcd_tag {
  void (*done)(struct etcd_tag *tag, bool ok);
} etcd_tag;

void etcd_inflight(tug_etcd *c, int delta);
grpc_call *etcd_new_call(tug_etcd *c, etcd_method m, gpr_timespec deadline);

grpc_byte_buffer *etcd_pack(const ProtobufCMessage *msg);
/* NULL when the buffer is not a valid message of that type. */
ProtobufCMessage *etcd_unpack(grpc_byte_buffer *bb, const ProtobufCMessageDescriptor *desc);
/* Turn a non-OK gRPC status into a tug_error; returns -1. */
int etcd_status_error(grpc_status_code status, grpc_slice details, tug_error *err);

/* A unary call; cb runs on the poller thread with the unpacked response (owned
 * by the callback) or rc -1 and err. */
typedef void (*etcd_unary_cb)(void *arg, int rc, ProtobufCMessage *resp, const tug_error *err);
int etcd_unary_async(tug_etcd *c, etcd_method m, const ProtobufCMessage *req,
                     const ProtobufCMessageDescriptor *resp_desc, etcd_unary_cb cb, void *arg,
                     tug_error *err);
/* The same, waiting for the answer. */
int etcd_unary(tug_etcd *c, etcd_method m, const ProtobufCMessage *req,
               const ProtobufCMessageDescriptor *resp_desc, ProtobufCMessage **resp,
               tug_error *err);

/* Copy a KeyValue's fields into a tug_etcd_kv that points into it. */
void etcd_kv_from_pb(tug_etcd_kv *out, const Etcdserverpb__KeyValue *kv);
ProtobufCBinaryData etcd_bytes(const char *s);
/* The first key after every key that starts with prefix. */
ProtobufCBinaryData etcd_prefix_end(const char *prefix);

#endif
