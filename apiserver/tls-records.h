/*
 * tls-records.h — one TLS record for a small answer instead of two.
 *
 * libmicrohttpd 0.9.75 sends an answer's headers and its body with two
 * gnutls_record_send calls over TLS (it joins them in one sendmsg only on
 * plain sockets): two records, two system calls, for an answer of a few
 * hundred bytes. A GET from the watch cache costs the server less than the
 * second system call does. So for an answer whose size is known and small,
 * the TLS session is corked (gnutls_record_cork) when the answer is queued,
 * libmicrohttpd's writes collect in GnuTLS, and when the request completes
 * they leave as one record in one sendmsg (gnutls_record_uncork).
 *
 * Should the socket be full at that point (a client that sends requests and
 * does not read the answers), the flush waits for room up to a second and
 * then shuts the connection down: libmicrohttpd believes the bytes gone and
 * would never send them.
 */
#ifndef TUG_APISERVER_TLS_RECORDS_H
#define TUG_APISERVER_TLS_RECORDS_H

#include <stdbool.h>
#include <stddef.h>

#include <microhttpd.h>

/* Answers up to this many bytes of body are corked: one record holds 16 KiB. */
enum { API_TLS_CORK_MAX_BODY = 12 * 1024 };

/* Cork conn's TLS session for an answer of body_len bytes; false (nothing
 * done) when the answer is too large to hold. */
bool api_tls_cork(struct MHD_Connection *conn, size_t body_len);
/* Send what the corked session holds, as one record. */
void api_tls_uncork(struct MHD_Connection *conn);

#endif
