/*
 * etcd-call.c — the client's transport: channel, completion queue and poller
 * thread, message packing, and unary calls.
 *
 * The one idea: each call is a heap object that begins with an etcd_tag. The
 * poller thread takes completions off the queue and calls tag->done(), which
 * decodes the answer and either wakes a waiting thread (synchronous calls) or
 * runs the caller's callback (asynchronous ones). The client counts calls in
 * flight so that close can wait for the last one before it shuts the queue.
 */
#include <errno.h>
#include <grpc/grpc_security.h>
#include <grpc/support/alloc.h>
#include <grpc/support/time.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "etcd-internal.h"
#include "log.h"

static const char *const method_paths[ETCD_METHOD_COUNT] = {
    [ETCD_RANGE] = "/etcdserverpb.KV/Range",
    [ETCD_PUT] = "/etcdserverpb.KV/Put",
    [ETCD_DELETE_RANGE] = "/etcdserverpb.KV/DeleteRange",
    [ETCD_TXN] = "/etcdserverpb.KV/Txn",
    [ETCD_COMPACT] = "/etcdserverpb.KV/Compact",
    [ETCD_LEASE_GRANT] = "/etcdserverpb.Lease/LeaseGrant",
    [ETCD_LEASE_REVOKE] = "/etcdserverpb.Lease/LeaseRevoke",
    [ETCD_LEASE_KEEPALIVE] = "/etcdserverpb.Lease/LeaseKeepAlive",
    [ETCD_WATCH] = "/etcdserverpb.Watch/Watch",
};

static int is_ipv4_hostport(const char *s, size_t len) {
  size_t dots = 0, colon = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '.')
      dots++;
    else if (s[i] == ':')
      colon++;
    else if (s[i] < '0' || s[i] > '9')
      return 0;
  }
  return dots == 3 && colon == 1;
}

int tug_etcd_target(const char *endpoints, char *buf, size_t size, tug_error *err) {
  size_t o = 0;
  int n_names = 0, n_ips = 0;
  const char *p = endpoints;
  int n_tls = 0, n_plain = 0;
  while (*p) {
    const char *comma = strchr(p, ',');
    const char *next = comma ? comma + 1 : p + strlen(p);
    size_t len = comma ? (size_t)(comma - p) : strlen(p);
    if (len >= 8 && strncmp(p, "https://", 8) == 0)
      p += 8, len -= 8, n_tls++;
    else
      n_plain++;
    if (len >= 7 && strncmp(p, "http://", 7) == 0)
      p += 7, len -= 7;
    while (len > 0 && p[len - 1] == '/')
      len--;
    if (len == 0 || memchr(p, ':', len) == NULL)
      return tug_error_set(err, EINVAL, "etcd endpoint \"%s\": expected host:port", endpoints);
    if (is_ipv4_hostport(p, len))
      n_ips++;
    else
      n_names++;
    int w = snprintf(buf + o, size - o, "%s%.*s", o ? "," : "", (int)len, p);
    if (w < 0 || (size_t)w >= size - o - 8)
      return tug_error_set(err, E2BIG, "etcd endpoints \"%s\": too long", endpoints);
    o += w;
    p = next;
  }
  if (n_ips + n_names == 0)
    return tug_error_set(err, EINVAL, "etcd endpoints: none given");
  if (n_tls > 0 && n_plain > 0)
    return tug_error_set(err, EINVAL, "etcd endpoints \"%s\": all https:// or none", endpoints);
  if (n_names > 0 && n_ips + n_names > 1)
    return tug_error_set(err, EINVAL,
                         "etcd endpoints \"%s\": several endpoints must be IPv4 addresses",
                         endpoints);
  const char *scheme = n_names ? "dns:///" : "ipv4:";
  size_t sl = strlen(scheme);
  memmove(buf + sl, buf, o + 1);
  memcpy(buf, scheme, sl);
  return 0;
}

static void *poller_main(void *arg) {
  tug_etcd *c = arg;
  for (;;) {
    grpc_event ev = grpc_completion_queue_next(c->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
    if (ev.type == GRPC_QUEUE_SHUTDOWN)
      return NULL;
    if (ev.type == GRPC_OP_COMPLETE) {
      etcd_tag *tag = ev.tag;
      tag->done(tag, ev.success != 0);
    }
  }
}

static pthread_once_t grpc_once = PTHREAD_ONCE_INIT;
static void grpc_init_once(void) { grpc_init(); }

/* The host of the first endpoint, which etcd's serving certificate must name. */
static void first_host(const char *endpoints, char *buf, size_t size) {
  const char *p = strstr(endpoints, "://");
  p = p ? p + 3 : endpoints;
  size_t n = strcspn(p, ",");
  const char *colon = memrchr(p, ':', n);
  snprintf(buf, size, "%.*s", (int)(colon ? (size_t)(colon - p) : n), p);
}

/* TLS with the CA and the client pair when the endpoints are https://. */
static grpc_channel_credentials *channel_creds(const char *endpoints,
                                               const tug_etcd_options *opts) {
  if (strncmp(endpoints, "https://", 8) != 0)
    return grpc_insecure_credentials_create();
  grpc_ssl_pem_key_cert_pair pair = {opts ? opts->key_pem : NULL, opts ? opts->cert_pem : NULL};
  return grpc_ssl_credentials_create(opts ? opts->ca_pem : NULL, pair.private_key ? &pair : NULL,
                                     NULL, NULL);
}

static grpc_channel *open_channel(const char *target, const char *endpoints,
                                  const tug_etcd_options *opts) {
  char host[256];
  first_host(endpoints, host, sizeof host);
  grpc_arg args[] = {
      {GRPC_ARG_INTEGER, GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, {.integer = -1}},
      {GRPC_ARG_INTEGER, GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, {.integer = 100}},
      {GRPC_ARG_INTEGER, GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, {.integer = 100}},
      {GRPC_ARG_INTEGER, GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, {.integer = 2000}},
      /* etcd refuses pings more often than every 5 s, or without a stream open. */
      {GRPC_ARG_INTEGER, GRPC_ARG_KEEPALIVE_TIME_MS, {.integer = 10000}},
      {GRPC_ARG_INTEGER, GRPC_ARG_KEEPALIVE_TIMEOUT_MS, {.integer = 5000}},
      {GRPC_ARG_INTEGER, GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, {.integer = 0}},
      {GRPC_ARG_STRING, GRPC_SSL_TARGET_NAME_OVERRIDE_ARG, {.string = host}},
  };
  grpc_channel_args chargs = {sizeof args / sizeof args[0], args};
  grpc_channel_credentials *creds = channel_creds(endpoints, opts);
  grpc_channel *ch = grpc_channel_create(target, creds, &chargs);
  grpc_channel_credentials_release(creds);
  return ch;
}

int tug_etcd_open(tug_etcd **out, const char *endpoints, const tug_etcd_options *opts,
                  tug_error *err) {
  char target[1024];
  if (tug_etcd_target(endpoints, target, sizeof target, err) < 0)
    return -1;
  pthread_once(&grpc_once, grpc_init_once);
  tug_etcd *c = calloc(1, sizeof *c);
  if (c == NULL)
    return tug_error_errno(err, ENOMEM, "etcd client");
  c->timeout_ms = opts && opts->call_timeout_ms > 0 ? opts->call_timeout_ms : 5000;
  pthread_mutex_init(&c->mu, NULL);
  pthread_cond_init(&c->idle, NULL);
  c->channel = open_channel(target, endpoints, opts);
  for (int m = 0; m < ETCD_METHOD_COUNT; m++)
    c->methods[m] = grpc_channel_register_call(c->channel, method_paths[m], NULL, NULL);
  c->cq = grpc_completion_queue_create_for_next(NULL);
  int rc = pthread_create(&c->poller, NULL, poller_main, c);
  if (rc != 0) {
    grpc_completion_queue_shutdown(c->cq);
    grpc_completion_queue_destroy(c->cq);
    grpc_channel_destroy(c->channel);
    free(c);
    return tug_error_errno(err, rc, "etcd client: start poller thread");
  }
  *out = c;
  return 0;
}

void tug_etcd_close(tug_etcd *c) {
  if (c == NULL)
    return;
  pthread_mutex_lock(&c->mu);
  while (c->inflight > 0)
    pthread_cond_wait(&c->idle, &c->mu);
  pthread_mutex_unlock(&c->mu);
  grpc_completion_queue_shutdown(c->cq);
  pthread_join(c->poller, NULL);
  grpc_completion_queue_destroy(c->cq);
  grpc_channel_destroy(c->channel);
  pthread_mutex_destroy(&c->mu);
  pthread_cond_destroy(&c->idle);
  free(c);
}

void etcd_inflight(tug_etcd *c, int delta) {
  pthread_mutex_lock(&c->mu);
  c->inflight += delta;
  if (c->inflight == 0)
    pthread_cond_broadcast(&c->idle);
  pthread_mutex_unlock(&c->mu);
}

grpc_call *etcd_new_call(tug_etcd *c, etcd_method m, gpr_timespec deadline) {
  return grpc_channel_create_registered_call(c->channel, NULL, GRPC_PROPAGATE_DEFAULTS, c->cq,
                                             c->methods[m], deadline, NULL);
}

grpc_byte_buffer *etcd_pack(const ProtobufCMessage *msg) {
  size_t len = protobuf_c_message_get_packed_size(msg);
  grpc_slice slice = grpc_slice_malloc(len);
  protobuf_c_message_pack(msg, GRPC_SLICE_START_PTR(slice));
  grpc_byte_buffer *bb = grpc_raw_byte_buffer_create(&slice, 1);
  grpc_slice_unref(slice);
  return bb;
}

ProtobufCMessage *etcd_unpack(grpc_byte_buffer *bb, const ProtobufCMessageDescriptor *desc) {
  grpc_byte_buffer_reader reader;
  if (!grpc_byte_buffer_reader_init(&reader, bb))
    return NULL;
  grpc_slice slice = grpc_byte_buffer_reader_readall(&reader);
  grpc_byte_buffer_reader_destroy(&reader);
  ProtobufCMessage *msg =
      protobuf_c_message_unpack(desc, NULL, GRPC_SLICE_LENGTH(slice), GRPC_SLICE_START_PTR(slice));
  grpc_slice_unref(slice);
  return msg;
}

int etcd_status_error(grpc_status_code status, grpc_slice details, tug_error *err) {
  _cleanup_free_ char *msg = grpc_slice_to_c_string(details);
  int code;
  switch (status) {
  case GRPC_STATUS_DEADLINE_EXCEEDED:
    code = ETIMEDOUT;
    break;
  case GRPC_STATUS_UNAVAILABLE:
    code = TUG_E_UNAVAILABLE;
    break;
  case GRPC_STATUS_CANCELLED:
    code = ECANCELED;
    break;
  case GRPC_STATUS_NOT_FOUND:
    code = ENOENT;
    break;
  case GRPC_STATUS_OUT_OF_RANGE:
    code = strstr(msg, "compacted") ? TUG_E_COMPACTED : ERANGE;
    break;
  case GRPC_STATUS_INVALID_ARGUMENT:
  case GRPC_STATUS_FAILED_PRECONDITION:
    code = EINVAL;
    break;
  default:
    code = EIO;
  }
  return tug_error_set(err, code, "etcd: %s (gRPC status %d)", msg[0] ? msg : "no detail",
                       (int)status);
}

/* One unary call in flight. */
typedef struct unary_call {
  etcd_tag tag;
  tug_etcd *client;
  grpc_call *call;
  grpc_byte_buffer *request;
  grpc_byte_buffer *response;
  grpc_metadata_array initial_md, trailing_md;
  grpc_status_code status;
  grpc_slice details;
  const ProtobufCMessageDescriptor *resp_desc;
  etcd_unary_cb cb;
  void *arg;
} unary_call;

static void unary_free(unary_call *u) {
  grpc_metadata_array_destroy(&u->initial_md);
  grpc_metadata_array_destroy(&u->trailing_md);
  grpc_slice_unref(u->details);
  if (u->request)
    grpc_byte_buffer_destroy(u->request);
  if (u->response)
    grpc_byte_buffer_destroy(u->response);
  if (u->call)
    grpc_call_unref(u->call);
  free(u);
}

static void unary_done(etcd_tag *tag, bool ok) {
  unary_call *u = (unary_call *)tag;
  tug_error err = {0};
  ProtobufCMessage *resp = NULL;
  int rc = 0;
  if (!ok)
    rc = tug_error_set(&err, EIO, "etcd: call failed");
  else if (u->status != GRPC_STATUS_OK)
    rc = etcd_status_error(u->status, u->details, &err);
  else if (u->response == NULL || (resp = etcd_unpack(u->response, u->resp_desc)) == NULL)
    rc = tug_error_set(&err, EPROTO, "etcd: malformed %s response", u->resp_desc->name);
  tug_etcd *c = u->client;
  u->cb(u->arg, rc, resp, rc < 0 ? &err : NULL);
  unary_free(u);
  etcd_inflight(c, -1);
}

int etcd_unary_async(tug_etcd *c, etcd_method m, const ProtobufCMessage *req,
                     const ProtobufCMessageDescriptor *resp_desc, etcd_unary_cb cb, void *arg,
                     tug_error *err) {
  unary_call *u = calloc(1, sizeof *u);
  if (u == NULL)
    return tug_error_errno(err, ENOMEM, "etcd call");
  u->tag.done = unary_done;
  u->client = c;
  u->resp_desc = resp_desc;
  u->cb = cb;
  u->arg = arg;
  u->details = grpc_empty_slice();
  grpc_metadata_array_init(&u->initial_md);
  grpc_metadata_array_init(&u->trailing_md);
  gpr_timespec deadline = gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
                                       gpr_time_from_millis(c->timeout_ms, GPR_TIMESPAN));
  u->call = etcd_new_call(c, m, deadline);
  u->request = etcd_pack(req);

  grpc_op ops[6];
  memset(ops, 0, sizeof ops);
  ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
  /* Wait for a connection (etcd restarting) rather than fail at once. */
  ops[0].flags = GRPC_INITIAL_METADATA_WAIT_FOR_READY |
                 GRPC_INITIAL_METADATA_WAIT_FOR_READY_EXPLICITLY_SET;
  ops[1].op = GRPC_OP_SEND_MESSAGE;
  ops[1].data.send_message.send_message = u->request;
  ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
  ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
  ops[3].data.recv_initial_metadata.recv_initial_metadata = &u->initial_md;
  ops[4].op = GRPC_OP_RECV_MESSAGE;
  ops[4].data.recv_message.recv_message = &u->response;
  ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
  ops[5].data.recv_status_on_client.trailing_metadata = &u->trailing_md;
  ops[5].data.recv_status_on_client.status = &u->status;
  ops[5].data.recv_status_on_client.status_details = &u->details;

  etcd_inflight(c, +1);
  grpc_call_error e = grpc_call_start_batch(u->call, ops, 6, &u->tag, NULL);
  if (e != GRPC_CALL_OK) {
    unary_free(u);
    etcd_inflight(c, -1);
    return tug_error_set(err, EIO, "etcd: start call: grpc error %d", (int)e);
  }
  return 0;
}

/* A synchronous call waits on a semaphore that the poller thread posts. */
typedef struct sync_wait {
  sem_t done;
  int rc;
  ProtobufCMessage *resp;
  tug_error err;
} sync_wait;

static void sync_cb(void *arg, int rc, ProtobufCMessage *resp, const tug_error *err) {
  sync_wait *w = arg;
  w->rc = rc;
  w->resp = resp;
  if (err)
    w->err = *err;
  sem_post(&w->done);
}

int etcd_unary(tug_etcd *c, etcd_method m, const ProtobufCMessage *req,
               const ProtobufCMessageDescriptor *resp_desc, ProtobufCMessage **resp,
               tug_error *err) {
  sync_wait w = {.rc = 0};
  sem_init(&w.done, 0, 0);
  if (etcd_unary_async(c, m, req, resp_desc, sync_cb, &w, err) < 0) {
    sem_destroy(&w.done);
    return -1;
  }
  while (sem_wait(&w.done) < 0 && errno == EINTR)
    ;
  sem_destroy(&w.done);
  if (w.rc < 0) {
    if (err)
      *err = w.err;
    return -1;
  }
  *resp = w.resp;
  return 0;
}

void etcd_kv_from_pb(tug_etcd_kv *out, const Etcdserverpb__KeyValue *kv) {
  out->key = (const char *)kv->key.data;
  out->key_len = kv->key.len;
  out->value = (const char *)kv->value.data;
  out->value_len = kv->value.len;
  out->create_revision = kv->create_revision;
  out->mod_revision = kv->mod_revision;
  out->version = kv->version;
  out->lease = kv->lease;
}

ProtobufCBinaryData etcd_bytes(const char *s) {
  return (ProtobufCBinaryData){strlen(s), (uint8_t *)s};
}

ProtobufCBinaryData etcd_prefix_end(const char *prefix) {
  size_t len = strlen(prefix);
  uint8_t *end = malloc(len + 1);
  if (end == NULL)
    abort();
  memcpy(end, prefix, len);
  /* Increment the last byte that is not 0xff, dropping those after it. */
  while (len > 0) {
    if (end[len - 1] < 0xff) {
      end[len - 1]++;
      return (ProtobufCBinaryData){len, end};
    }
    len--;
  }
  /* Every byte 0xff (or empty prefix): "\0" means "to the end of the keyspace". */
  end[0] = 0;
  return (ProtobufCBinaryData){1, end};
}
