/*
 * upgrade.h — an HTTP/1.1 connection upgraded to another protocol (here a
 * WebSocket), over libcurl so that TLS and client certificates are set up as
 * for every other request: the API server's proxy to agents and `tug exec`
 * both dial through it.
 *
 * The one idea: libcurl only connects (CURLOPT_CONNECT_ONLY); the request and
 * the answer's head are written and read here, and the bytes after the head
 * (the new protocol's first ones, if they came with it) are kept in pending.
 */
#ifndef TUG_UPGRADE_H
#define TUG_UPGRADE_H

#include <stddef.h>
#include <sys/types.h>

#include "error.h"

typedef struct tug_upgrade {
  void *curl;    /* the connection; owned */
  int fd;        /* its socket, for poll */
  long code;     /* the answer's status: 101 when switched */
  char *pending; /* bytes after the head, owned */
  size_t pending_len;
  char accept[128], protocol[128]; /* Sec-WebSocket-Accept and -Protocol of the answer */
  char body[512];                  /* an answer other than 101: what of its body came with it */
} tug_upgrade;

/* curl is an easy handle with its URL (scheme, host, port) and TLS set; it
 * becomes u's. Sends "GET path" asking for a WebSocket with key and
 * protocols; extra_header ("Name: value") may be NULL. 0 with u->code set,
 * whatever it is; -1 when the server cannot be reached or answers nothing
 * within timeout_ms. u is to be closed either way. */
int tug_upgrade_dial(void *curl, const char *path, const char *key, const char *protocols,
                     const char *extra_header, int timeout_ms, tug_upgrade *u, tug_error *err);
/* Like recv/send on a non-blocking socket: -1 with errno EAGAIN when
 * nothing moves now (which may hold even when poll said the socket is
 * readable: TLS), 0 from read at the peer's EOF. pending is read first. */
ssize_t tug_upgrade_read(void *u, void *buf, size_t len);
ssize_t tug_upgrade_write(void *u, const void *buf, size_t len);
void tug_upgrade_close(tug_upgrade *u);

/* A fresh Sec-WebSocket-Key (base64 of 16 random bytes) in out (25+ bytes). */
void tug_upgrade_new_key(char *out, size_t size);

#endif
