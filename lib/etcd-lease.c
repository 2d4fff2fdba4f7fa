/*
 * etcd-lease.c — leases: grant, renew, revoke.
 *
 * A renewal is one request on etcd's LeaseKeepAlive stream, half-closed at
 * once: etcd answers it and then ends the stream, so it travels as a unary
 * call and callers renew on their own schedule (agents every few seconds).
 */
#include <errno.h>

#include "etcd-internal.h"

#define PB_FREE(m) protobuf_c_message_free_unpacked((ProtobufCMessage *)(m), NULL)

int tug_etcd_lease_grant(tug_etcd *c, int64_t ttl_seconds, int64_t *id, tug_error *err) {
  Etcdserverpb__LeaseGrantRequest req = ETCDSERVERPB__LEASE_GRANT_REQUEST__INIT;
  req.ttl = ttl_seconds;
  ProtobufCMessage *resp;
  if (etcd_unary(c, ETCD_LEASE_GRANT, &req.base, &etcdserverpb__lease_grant_response__descriptor,
                 &resp, err) < 0)
    return tug_error_wrap(err, "grant lease of %llds", (long long)ttl_seconds);
  Etcdserverpb__LeaseGrantResponse *gr = (Etcdserverpb__LeaseGrantResponse *)resp;
  int rc = 0;
  if (gr->error && gr->error[0])
    rc = tug_error_set(err, EIO, "grant lease: %s", gr->error);
  else
    *id = gr->id;
  PB_FREE(gr);
  return rc;
}

int tug_etcd_lease_keepalive(tug_etcd *c, int64_t id, int64_t *ttl, tug_error *err) {
  Etcdserverpb__LeaseKeepAliveRequest req = ETCDSERVERPB__LEASE_KEEP_ALIVE_REQUEST__INIT;
  req.id = id;
  ProtobufCMessage *resp;
  if (etcd_unary(c, ETCD_LEASE_KEEPALIVE, &req.base,
                 &etcdserverpb__lease_keep_alive_response__descriptor, &resp, err) < 0)
    return tug_error_wrap(err, "renew lease %llx", (long long)id);
  Etcdserverpb__LeaseKeepAliveResponse *kr = (Etcdserverpb__LeaseKeepAliveResponse *)resp;
  int64_t granted = kr->ttl;
  PB_FREE(kr);
  /* etcd answers an expired or unknown lease with TTL 0 rather than an error. */
  if (granted <= 0)
    return tug_error_set(err, ENOENT, "renew lease %llx: lease not found or expired",
                         (long long)id);
  if (ttl)
    *ttl = granted;
  return 0;
}

int tug_etcd_lease_revoke(tug_etcd *c, int64_t id, tug_error *err) {
  Etcdserverpb__LeaseRevokeRequest req = ETCDSERVERPB__LEASE_REVOKE_REQUEST__INIT;
  req.id = id;
  ProtobufCMessage *resp;
  if (etcd_unary(c, ETCD_LEASE_REVOKE, &req.base,
                 &etcdserverpb__lease_revoke_response__descriptor, &resp, err) < 0)
    return tug_error_wrap(err, "revoke lease %llx", (long long)id);
  PB_FREE(resp);
  return 0;
}
