/* Unit tests for lib/tls-takeover.c: the 101 a taken connection writes, and
 * its reads and writes through a GnuTLS session (anonymous, over a socket
 * pair), where EAGAIN, the peer's end and pending bytes must look as they do
 * on a plain socket. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first; the blank line keeps clang-format from
 * sorting it ahead of them. */

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tls-takeover.h"

static void head_has_status_connection_and_headers(void **state) {
  (void)state;
  const char *headers[] = {"Upgrade", "websocket", "Sec-WebSocket-Protocol", "v5.channel.k8s.io",
                           NULL};
  char out[256];
  int n = tug_tls_switching_head(out, sizeof out, headers);
  assert_string_equal(out,
                      "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
                      "Upgrade: websocket\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n");
  assert_int_equal(n, (int)strlen(out));
}

static void head_that_does_not_fit_is_refused(void **state) {
  (void)state;
  const char *headers[] = {"Upgrade", "websocket", NULL};
  char out[64];
  assert_int_equal(tug_tls_switching_head(out, sizeof out, headers), -1);
  assert_int_equal(tug_tls_switching_head(out, 10, (const char *[]){NULL}), -1);
}

/* ---- a session pair ---- */

typedef struct side {
  gnutls_session_t s;
  gnutls_anon_server_credentials_t sc;
  gnutls_anon_client_credentials_t cc;
  gnutls_dh_params_t dh;
  int fd;
} side;

static void *handshake(void *arg) {
  side *x = arg;
  int rc;
  do
    rc = gnutls_handshake(x->s);
  while (rc < 0 && !gnutls_error_is_fatal(rc));
  return (void *)(intptr_t)rc;
}

static void pair(side *server, side *client) {
  int sv[2];
  assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  *server = (side){.fd = sv[0]};
  *client = (side){.fd = sv[1]};
  gnutls_anon_allocate_server_credentials(&server->sc);
  gnutls_anon_allocate_client_credentials(&client->cc);
  gnutls_init(&server->s, GNUTLS_SERVER);
  gnutls_init(&client->s, GNUTLS_CLIENT);
  const char *prio = "NORMAL:-VERS-TLS1.3:+ANON-ECDH:+ANON-DH";
  gnutls_priority_set_direct(server->s, prio, NULL);
  gnutls_priority_set_direct(client->s, prio, NULL);
  gnutls_credentials_set(server->s, GNUTLS_CRD_ANON, server->sc);
  gnutls_credentials_set(client->s, GNUTLS_CRD_ANON, client->cc);
  gnutls_transport_set_int(server->s, server->fd);
  gnutls_transport_set_int(client->s, client->fd);
  pthread_t t;
  pthread_create(&t, NULL, handshake, client);
  assert_int_equal((int)(intptr_t)handshake(server), 0);
  void *rc;
  pthread_join(t, &rc);
  assert_int_equal((int)(intptr_t)rc, 0);
  fcntl(server->fd, F_SETFL, fcntl(server->fd, F_GETFL) | O_NONBLOCK);
}

static void unpair(side *server, side *client) {
  side *both[] = {server, client};
  for (int i = 0; i < 2; i++) {
    gnutls_deinit(both[i]->s);
    if (both[i]->fd >= 0)
      close(both[i]->fd);
  }
  gnutls_anon_free_server_credentials(server->sc);
  gnutls_anon_free_client_credentials(client->cc);
}

static void reads_and_writes_look_like_a_socket(void **state) {
  (void)state;
  side server, client;
  pair(&server, &client);
  tug_tls_taken t = {.fd = server.fd, .tls = server.s};
  char buf[64];
  errno = 0;
  assert_int_equal(tug_tls_taken_read(&t, buf, sizeof buf), -1);
  assert_int_equal(errno, EAGAIN);
  /* Two records sent; a short read leaves the rest pending in the session. */
  assert_int_equal(gnutls_record_send(client.s, "hello", 5), 5);
  assert_int_equal(tug_tls_taken_read(&t, buf, 2), 2);
  assert_true(tug_tls_taken_pending(&t));
  assert_int_equal(tug_tls_taken_read(&t, buf + 2, sizeof buf - 2), 3);
  assert_memory_equal(buf, "hello", 5);
  assert_false(tug_tls_taken_pending(&t));
  tug_error err = {0};
  assert_int_equal(tug_tls_taken_send_all(&t, "back", 4, 1000, &err), 0);
  assert_int_equal(gnutls_record_recv(client.s, buf, sizeof buf), 4);
  assert_memory_equal(buf, "back", 4);
  /* The end: close_notify reaches the client; the client's close is an end. */
  tug_tls_taken_end(&t);
  assert_int_equal(gnutls_record_recv(client.s, buf, sizeof buf), 0);
  close(client.fd);
  client.fd = -1;
  unpair(&server, &client);
}

static void peer_gone_without_close_notify_is_an_end(void **state) {
  (void)state;
  side server, client;
  pair(&server, &client);
  tug_tls_taken t = {.fd = server.fd, .tls = server.s};
  close(client.fd);
  client.fd = -1;
  char buf[16];
  assert_int_equal(tug_tls_taken_read(&t, buf, sizeof buf), 0);
  unpair(&server, &client);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(head_has_status_connection_and_headers),
      cmocka_unit_test(head_that_does_not_fit_is_refused),
      cmocka_unit_test(reads_and_writes_look_like_a_socket),
      cmocka_unit_test(peer_gone_without_close_notify_is_an_end),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
