/*
 * authn-x509.c — the user a TLS connection's client certificate names: CN
 * the user, O the groups, verified against the client CA (lib/tls-peer.h).
 * The verdict is kept on the connection (api_conn), so keep-alive requests
 * pay for it once.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "authn.h"
#include "server.h"
#include "tls-peer.h"

/* 1: a valid certificate, 0: none, -1: an invalid one (why in err). */
static int verify_peer(api_request *r, api_user *out, tug_error *err) {
  tug_pki_identity id;
  int rc = tug_tls_peer_identity(r->conn, r->server->client_ca, &id, err);
  if (rc <= 0)
    return rc;
  api_user_set(out, id.user, NULL);
  for (int i = 0; i < id.ngroups; i++)
    api_user_add_group(out, id.groups[i]);
  return 1;
}

int api_authn_x509(api_request *r, api_user *out, tug_error *err) {
  api_conn *c = r->tls;
  if (c == NULL)
    return verify_peer(r, out, err);
  if (c->x509_state == 0) {
    tug_error why = {0};
    c->x509_state = verify_peer(r, &c->x509_user, &why) + 2;
    snprintf(c->x509_why, sizeof c->x509_why, "%.200s", why.msg);
  }
  int rc = c->x509_state - 2;
  if (rc > 0)
    *out = c->x509_user;
  else if (rc < 0)
    tug_error_set(err, EACCES, "%s", c->x509_why);
  return rc;
}
