/* tls-records.c — corking a TLS session around a small answer; see tls-records.h. */
#include "tls-records.h"

#include <gnutls/gnutls.h>
#include <poll.h>
#include <sys/socket.h>

#include "log.h"

enum { FLUSH_WAIT_MS = 1000 };

static gnutls_session_t session_of(struct MHD_Connection *conn) {
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
  return ci ? (gnutls_session_t)ci->tls_session : NULL;
}

bool api_tls_cork(struct MHD_Connection *conn, size_t body_len) {
  gnutls_session_t s = body_len <= API_TLS_CORK_MAX_BODY ? session_of(conn) : NULL;
  if (s == NULL)
    return false;
  gnutls_record_cork(s);
  return true;
}

void api_tls_uncork(struct MHD_Connection *conn) {
  gnutls_session_t s = session_of(conn);
  if (s == NULL)
    return;
  int rc = gnutls_record_uncork(s, 0);
  const union MHD_ConnectionInfo *fd =
      MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
  for (int waited = 0; (rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED) && fd; waited += 100) {
    if (waited >= FLUSH_WAIT_MS) {
      tug_warn("tls answer not sent", "reason=%s", TUG_LOG_Q("the client reads no answers"));
      shutdown(fd->connect_fd, SHUT_RDWR);
      return;
    }
    struct pollfd p = {.fd = fd->connect_fd, .events = POLLOUT};
    poll(&p, 1, 100);
    rc = gnutls_record_uncork(s, 0);
  }
}
