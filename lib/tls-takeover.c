/*
 * tls-takeover.c — an HTTPS connection taken from libmicrohttpd for a
 * protocol switch, read and written through its GnuTLS session (see
 * tls-takeover.h for why and for who closes what).
 */
#include "tls-takeover.h"

#include <errno.h>
#include <gnutls/gnutls.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "clock.h"

bool tug_tls_take(struct MHD_Connection *conn, tug_tls_taken *t) {
  const union MHD_ConnectionInfo *s =
      MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
  const union MHD_ConnectionInfo *fd =
      MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
  if (s == NULL || s->tls_session == NULL || fd == NULL)
    return false;
  *t = (tug_tls_taken){.fd = fd->connect_fd, .tls = s->tls_session};
  return true;
}

int tug_tls_switching_head(char *out, size_t size, const char *const *headers) {
  int n = snprintf(out, size, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n");
  for (size_t i = 0; n >= 0 && (size_t)n < size && headers[i] && headers[i + 1]; i += 2)
    n += snprintf(out + n, size - (size_t)n, "%s: %s\r\n", headers[i], headers[i + 1]);
  if (n >= 0 && (size_t)n < size)
    n += snprintf(out + n, size - (size_t)n, "\r\n");
  return n < 0 || (size_t)n >= size ? -1 : n;
}

int tug_tls_taken_send_all(tug_tls_taken *t, const char *buf, size_t len, int timeout_ms,
                           tug_error *err) {
  double deadline = tug_monotonic_seconds() + timeout_ms / 1000.0;
  for (size_t off = 0; off < len;) {
    ssize_t n = tug_tls_taken_write(t, buf + off, len - off);
    if (n > 0) {
      off += (size_t)n;
      continue;
    }
    int left_ms = (int)((deadline - tug_monotonic_seconds()) * 1000);
    struct pollfd p = {.fd = t->fd, .events = POLLOUT};
    if ((n < 0 && errno != EAGAIN) || left_ms <= 0 || poll(&p, 1, left_ms) <= 0)
      return tug_error_set(err, n < 0 && errno != EAGAIN ? errno : ETIMEDOUT,
                           "writing the 101 answer");
  }
  return 0;
}

ssize_t tug_tls_taken_read(void *io, void *buf, size_t len) {
  tug_tls_taken *t = io;
  ssize_t n = gnutls_record_recv(t->tls, buf, len);
  if (n >= 0)
    return n;
  if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
    errno = EAGAIN;
  else if (n == GNUTLS_E_PREMATURE_TERMINATION)
    return 0; /* the peer closed the socket without close_notify: an end all the same */
  else
    errno = EIO;
  return -1;
}

ssize_t tug_tls_taken_write(void *io, const void *buf, size_t len) {
  tug_tls_taken *t = io;
  ssize_t n = gnutls_record_send(t->tls, buf, len);
  if (n >= 0)
    return n;
  errno = n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED ? EAGAIN : EPIPE;
  return -1;
}

bool tug_tls_taken_pending(const tug_tls_taken *t) {
  return t->tls && gnutls_record_check_pending(t->tls) > 0;
}

/* close_notify first, as libmicrohttpd's own relay ends: one try, for the
 * socket is non-blocking and the peer may be gone. */
void tug_tls_taken_end(tug_tls_taken *t) {
  if (t->tls)
    gnutls_bye(t->tls, GNUTLS_SHUT_WR);
  if (t->fd >= 0)
    shutdown(t->fd, SHUT_RDWR);
}

/* Set by the handler that closes a taken connection, read by the logger
 * libmicrohttpd calls next on the same thread. */
static _Thread_local bool closing_taken;

enum MHD_Result tug_tls_taken_close(void) {
  closing_taken = true;
  return MHD_NO;
}

/* The message is formatted first: libmicrohttpd passes it as "%s\n". */
void tug_tls_mhd_log(void *cls, const char *fmt, va_list ap) {
  (void)cls;
  char line[1024];
  vsnprintf(line, sizeof line, fmt, ap);
  bool expected = closing_taken && strstr(line, "Application reported internal error") != NULL;
  closing_taken = false;
  if (!expected)
    fputs(line, stderr);
}
