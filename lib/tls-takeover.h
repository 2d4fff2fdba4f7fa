/*
 * tls-takeover.h — an HTTPS request's connection taken from libmicrohttpd
 * to switch protocols (101) over GnuTLS here, instead of through
 * libmicrohttpd's own relay of upgraded TLS connections.
 *
 * Why: Debian's libmicrohttpd 0.9.75 relays an upgraded TLS connection
 * through a 4-byte buffer (the connection's memory pool is used up by the
 * 101's headers when the relay sizes its buffers; fixed upstream in 0.9.77),
 * so exec, attach and port-forward moved 4 bytes per TLS record. Taking the
 * GnuTLS session and socket before any response is queued keeps that relay
 * out of the path.
 *
 * The one idea: libmicrohttpd keeps owning the socket. The taker writes the
 * 101 itself, reads and writes through the session, and at the end shuts the
 * socket down (tug_tls_taken_end) and returns MHD_NO from the request's
 * handler (at once, or on the call that follows its resumption), so that
 * libmicrohttpd only closes a dead socket: nothing it writes reaches the peer
 * and the socket is closed once, by it. Plain-HTTP connections are not taken
 * (libmicrohttpd hands their socket over without a relay).
 */
#ifndef TUG_TLS_TAKEOVER_H
#define TUG_TLS_TAKEOVER_H

#include <microhttpd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

typedef struct tug_tls_taken {
  int fd;    /* the connection's socket, for poll; libmicrohttpd's */
  void *tls; /* its gnutls_session_t */
} tug_tls_taken;

/* Fills t with conn's session and socket when conn is TLS; false otherwise.
 * Called from conn's request handler before any response is queued; the
 * caller then keeps libmicrohttpd away from it (a suspension, or the
 * handler not returning while it streams). */
bool tug_tls_take(struct MHD_Connection *conn, tug_tls_taken *t);

/* "HTTP/1.1 101 Switching Protocols" with "Connection: Upgrade" and the
 * headers (name, value, name, value, ..., NULL) into out; -1 when it does not
 * fit. */
int tug_tls_switching_head(char *out, size_t size, const char *const *headers);

/* Writes all of buf, waiting up to timeout_ms in all; -1 (with err) when
 * the peer is gone or slower. */
int tug_tls_taken_send_all(tug_tls_taken *t, const char *buf, size_t len, int timeout_ms,
                           tug_error *err);

/* Like recv/send on a non-blocking socket: -1 with errno EAGAIN when nothing
 * moves now, 0 from read at the peer's end. A write that got EAGAIN must be
 * repeated with the same bytes (GnuTLS's rule). */
ssize_t tug_tls_taken_read(void *t, void *buf, size_t len);
ssize_t tug_tls_taken_write(void *t, const void *buf, size_t len);
/* Decrypted bytes wait in the session: poll would not see them. */
bool tug_tls_taken_pending(const tug_tls_taken *t);

/* The stream is over: the socket is shut down both ways (libmicrohttpd
 * closes it when the handler returns MHD_NO). */
void tug_tls_taken_end(tug_tls_taken *t);

/* What the handler returns for a taken connection whose stream is over:
 * MHD_NO, and libmicrohttpd's "Application reported internal error" that
 * follows on this thread is no error, so tug_tls_mhd_log leaves it out. */
enum MHD_Result tug_tls_taken_close(void);
/* libmicrohttpd's error log (MHD_OPTION_EXTERNAL_LOGGER; cls unused): to
 * stderr as its own logger writes, but for the line above. */
void tug_tls_mhd_log(void *cls, const char *fmt, va_list ap);

#endif
