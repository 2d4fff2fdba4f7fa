/*
 * authn-x509.c — the user a TLS connection's client certificate names.
 *
 * libmicrohttpd's GnuTLS asks clients for a certificate (issued by the client
 * CA, whose name it sends) but does not judge it; the leaf the peer sent is
 * verified here with OpenSSL (lib/pki.h) against the client CA: signature,
 * validity period, client-authentication usage. The verdict is kept on the
 * connection (api_conn), so keep-alive requests pay for it once.
 */
#include <errno.h>
#include <gnutls/gnutls.h>
#include <stdio.h>
#include <string.h>

#include "authn.h"
#include "pki.h"
#include "server.h"

/* 1: a valid certificate, 0: none, -1: an invalid one (why in err). */
static int verify_peer(api_request *r, api_user *out, tug_error *err) {
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
  if (ci == NULL || ci->tls_session == NULL || r->server->client_ca == NULL)
    return 0;
  unsigned n = 0;
  const gnutls_datum_t *peers = gnutls_certificate_get_peers(ci->tls_session, &n);
  if (peers == NULL || n == 0)
    return 0;
  tug_pki_identity id;
  if (tug_pki_verify_der(r->server->client_ca, peers[0].data, peers[0].size, 0, &id, err) < 0)
    return -1;
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
