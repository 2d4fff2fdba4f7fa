/*
 * tls-peer.c — a TLS peer's client certificate, from libmicrohttpd's GnuTLS
 * session to lib/pki's verifier (see tls-peer.h).
 *
 * libmicrohttpd, given a trust list (MHD_OPTION_HTTPS_MEM_TRUST), asks
 * clients for a certificate but never judges the one it gets: the leaf is
 * checked here (signature, validity, client-authentication usage).
 */
#include "tls-peer.h"

#include <gnutls/gnutls.h>

int tug_tls_peer_identity(struct MHD_Connection *conn, tug_pki_verifier *v, tug_pki_identity *out,
                          tug_error *err) {
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
  if (v == NULL || ci == NULL || ci->tls_session == NULL)
    return 0;
  unsigned n = 0;
  const gnutls_datum_t *peers = gnutls_certificate_get_peers(ci->tls_session, &n);
  if (peers == NULL || n == 0)
    return 0;
  return tug_pki_verify_der(v, peers[0].data, peers[0].size, 0, out, err) < 0 ? -1 : 1;
}
