/* Unit tests for lib/ws.c: the channel byte on the wire, masking, the close
 * after what was queued, and the WebSocket handshake's helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first; the blank line keeps clang-format from
 * sorting it ahead of them. */

#include <cmocka.h>

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ws.h"

typedef struct got {
  int channel[8];
  char data[8][64];
  size_t len[8];
  int n;
} got;

static void record(void *arg, int channel, const uint8_t *data, size_t len) {
  got *g = arg;
  if (g->n < 8) {
    g->channel[g->n] = channel;
    memcpy(g->data[g->n], data, len < 64 ? len : 64);
    g->len[g->n++] = len;
  }
}

static void nonblocking_pair(int fds[2]) {
  assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  for (int i = 0; i < 2; i++)
    fcntl(fds[i], F_SETFL, O_NONBLOCK);
}

/* Pump both sessions until neither moves (or both finished). */
static void pump_both(tug_ws *a, tug_ws *b) {
  for (int i = 0; i < 50; i++) {
    tug_ws_pump(a);
    tug_ws_pump(b);
  }
}

static void test_accept_key_is_rfc6455s(void **state) {
  (void)state;
  char out[64];
  tug_ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==", out, sizeof out);
  assert_string_equal(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

static void test_protocol_pick_prefers_ours_in_order(void **state) {
  (void)state;
  const char *const ours[] = {TUG_WS_V5, TUG_WS_V4, NULL};
  assert_string_equal(tug_ws_pick_protocol("v4.channel.k8s.io, v5.channel.k8s.io", ours),
                      TUG_WS_V5);
  assert_string_equal(tug_ws_pick_protocol("v4.channel.k8s.io,v3.channel.k8s.io", ours), TUG_WS_V4);
  assert_null(tug_ws_pick_protocol("xv5.channel.k8s.io", ours));
  assert_null(tug_ws_pick_protocol("v5.channel.k8s.io.x", ours));
  assert_null(tug_ws_pick_protocol("base64.channel.k8s.io", ours));
  assert_null(tug_ws_pick_protocol(NULL, ours));
}

static void test_server_frame_is_unmasked_binary_with_channel_byte(void **state) {
  (void)state;
  int fds[2];
  nonblocking_pair(fds);
  got g = {0};
  tug_ws *server = tug_ws_new_fd(fds[0], true, record, &g);
  assert_int_equal(tug_ws_send(server, TUG_WS_STDOUT, "hi", 2), 0);
  assert_int_equal(tug_ws_pump(server), 0);
  uint8_t raw[16];
  assert_int_equal(read(fds[1], raw, sizeof raw), 5);
  const uint8_t want[] = {0x82, 0x03, 0x01, 'h', 'i'}; /* FIN|binary, unmasked, length 3 */
  assert_memory_equal(raw, want, sizeof want);
  tug_ws_free(server);
  close(fds[0]);
  close(fds[1]);
}

static void test_client_frames_are_masked(void **state) {
  (void)state;
  int fds[2];
  nonblocking_pair(fds);
  got g = {0};
  tug_ws *client = tug_ws_new_fd(fds[0], false, record, &g);
  assert_int_equal(tug_ws_send(client, TUG_WS_STDIN, "abc", 3), 0);
  assert_int_equal(tug_ws_pump(client), 0);
  uint8_t raw[32];
  assert_int_equal(read(fds[1], raw, sizeof raw), 2 + 4 + 4);
  assert_int_equal(raw[0], 0x82);
  assert_int_equal(raw[1], 0x80 | 4); /* masked, channel byte + 3 */
  uint8_t plain[4];
  for (int i = 0; i < 4; i++)
    plain[i] = raw[6 + i] ^ raw[2 + i % 4];
  const uint8_t want[] = {TUG_WS_STDIN, 'a', 'b', 'c'};
  assert_memory_equal(plain, want, 4);
  tug_ws_free(client);
  close(fds[0]);
  close(fds[1]);
}

static void test_channels_round_trip_and_close_comes_last(void **state) {
  (void)state;
  int fds[2];
  nonblocking_pair(fds);
  got at_server = {0}, at_client = {0};
  tug_ws *server = tug_ws_new_fd(fds[0], true, record, &at_server);
  tug_ws *client = tug_ws_new_fd(fds[1], false, record, &at_client);
  const uint8_t stdin_closed = TUG_WS_STDIN;
  tug_ws_send(client, TUG_WS_STDIN, "ls\n", 3);
  tug_ws_send(client, TUG_WS_CLOSE, &stdin_closed, 1);
  tug_ws_send(client, TUG_WS_RESIZE, "{\"Width\":80,\"Height\":24}", 24);
  pump_both(server, client);
  assert_int_equal(at_server.n, 3);
  assert_int_equal(at_server.channel[0], TUG_WS_STDIN);
  assert_memory_equal(at_server.data[0], "ls\n", 3);
  assert_int_equal(at_server.channel[1], TUG_WS_CLOSE);
  assert_int_equal(at_server.len[1], 1);
  assert_int_equal(at_server.data[1][0], TUG_WS_STDIN);
  assert_int_equal(at_server.channel[2], TUG_WS_RESIZE);
  /* The status and output queued before the close all arrive before it. */
  tug_ws_send(server, TUG_WS_STDOUT, "out", 3);
  tug_ws_send(server, TUG_WS_STATUS, "{\"status\":\"Success\"}", 20);
  tug_ws_close(server, TUG_WS_NORMAL_CLOSURE);
  pump_both(server, client);
  assert_int_equal(at_client.n, 2);
  assert_int_equal(at_client.channel[0], TUG_WS_STDOUT);
  assert_int_equal(at_client.channel[1], TUG_WS_STATUS);
  assert_true(tug_ws_finished(server));
  assert_true(tug_ws_finished(client));
  tug_ws_free(server);
  tug_ws_free(client);
  close(fds[0]);
  close(fds[1]);
}

static void test_peer_gone_breaks_the_session(void **state) {
  (void)state;
  int fds[2];
  nonblocking_pair(fds);
  got g = {0};
  tug_ws *server = tug_ws_new_fd(fds[0], true, record, &g);
  close(fds[1]);
  assert_int_equal(tug_ws_pump(server), -1);
  assert_true(tug_ws_finished(server));
  tug_ws_free(server);
  close(fds[0]);
}

/* A raw session (port-forward's tunnel): no channel byte either way. */
static void test_raw_session_carries_whole_messages(void **state) {
  (void)state;
  int fds[2];
  nonblocking_pair(fds);
  got gs = {0}, gc = {0};
  tug_ws *server = tug_ws_new_fd(fds[0], true, record, &gs);
  tug_ws *client = tug_ws_new_fd(fds[1], false, record, &gc);
  tug_ws_set_raw(server);
  tug_ws_set_raw(client);
  assert_int_equal(tug_ws_send(client, TUG_WS_RAW, "\x80\x03spdy", 6), 0);
  assert_int_equal(tug_ws_send(server, TUG_WS_STDOUT, "x", 1), -1); /* channels mean nothing */
  pump_both(client, server);
  assert_int_equal(gs.n, 1);
  assert_int_equal(gs.channel[0], TUG_WS_RAW);
  assert_int_equal(gs.len[0], 6);
  assert_memory_equal(gs.data[0], "\x80\x03spdy", 6);
  tug_ws_free(server);
  tug_ws_free(client);
  close(fds[0]);
  close(fds[1]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_accept_key_is_rfc6455s),
      cmocka_unit_test(test_protocol_pick_prefers_ours_in_order),
      cmocka_unit_test(test_server_frame_is_unmasked_binary_with_channel_byte),
      cmocka_unit_test(test_client_frames_are_masked),
      cmocka_unit_test(test_channels_round_trip_and_close_comes_last),
      cmocka_unit_test(test_peer_gone_breaks_the_session),
      cmocka_unit_test(test_raw_session_carries_whole_messages),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
