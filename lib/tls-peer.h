/*
 * tls-peer.h — who is at the other end of one of our HTTPS servers
 * (libmicrohttpd over GnuTLS): the client certificate the peer sent,
 * verified against a CA with lib/pki.h. The API server and the agent's own
 * server both ask this way.
 */
#ifndef TUG_TLS_PEER_H
#define TUG_TLS_PEER_H

#include <microhttpd.h>

#include "pki.h"

/* 1 with out filled when the peer sent a certificate v vouches for, 0 when
 * it sent none (or the connection is not TLS), -1 (EACCES) with the reason
 * when it sent one that is not valid now. */
int tug_tls_peer_identity(struct MHD_Connection *conn, tug_pki_verifier *v, tug_pki_identity *out,
                          tug_error *err);

#endif
