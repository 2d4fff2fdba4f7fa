/* Unit tests for lib/spdy.c: frame heads on the wire, header blocks through
 * zlib with SPDY/3's dictionary across several frames, partial input, and
 * bytes that break the protocol. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first; the blank line keeps clang-format from
 * sorting it ahead of them. */

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "spdy.h"

/* zlib's id of a dictionary is its Adler-32; a peer refuses a header block
 * primed with any other bytes, so the table must match the protocol's. */
static void test_dictionary_is_spdy3s(void **state) {
  (void)state;
  assert_int_equal(tug_spdy_dictionary_len, 1423);
  assert_int_equal(adler32(1, tug_spdy_dictionary, (uInt)tug_spdy_dictionary_len), 0xe3c6a7c2);
}

static void test_data_head_carries_stream_fin_and_length(void **state) {
  (void)state;
  uint8_t h[TUG_SPDY_HEAD];
  tug_spdy_data_head(5, TUG_SPDY_FLAG_FIN, 0x10203, h);
  const uint8_t want[] = {0, 0, 0, 5, 0x01, 0x01, 0x02, 0x03};
  assert_memory_equal(h, want, sizeof want);
}

static void test_control_frames_have_spdy3_heads(void **state) {
  (void)state;
  uint8_t b[32];
  assert_int_equal(tug_spdy_rst_stream(3, TUG_SPDY_RST_CANCEL, b, sizeof b), 16);
  const uint8_t rst[] = {0x80, 3, 0, 3, 0, 0, 0, 8, 0, 0, 0, 3, 0, 0, 0, 5};
  assert_memory_equal(b, rst, sizeof rst);
  assert_int_equal(tug_spdy_ping(7, b, sizeof b), 12);
  const uint8_t ping[] = {0x80, 3, 0, 6, 0, 0, 0, 4, 0, 0, 0, 7};
  assert_memory_equal(b, ping, sizeof ping);
  assert_int_equal(tug_spdy_goaway(9, 0, b, 12), -1); /* does not fit */
}

/* A client's SYN_STREAMs, parsed by a server: the second block is inflated
 * with the zlib state the first left, as on a real connection. */
static void test_header_blocks_round_trip_across_frames(void **state) {
  (void)state;
  tug_spdy *client = tug_spdy_new(), *server = tug_spdy_new();
  uint8_t wire[1024];
  const char *const error[] = {"streamtype", "error", "port", "80", "requestid", "0", NULL};
  const char *const data[] = {"streamtype", "data", "port", "80", "requestid", "0", NULL};
  ssize_t a = tug_spdy_syn_stream(client, 1, error, wire, sizeof wire);
  assert_true(a > 0);
  ssize_t b = tug_spdy_syn_stream(client, 3, data, wire + a, sizeof wire - (size_t)a);
  assert_true(b > 0);

  tug_spdy_frame f;
  assert_int_equal(tug_spdy_parse(server, wire, (size_t)a - 1, &f), 0); /* not whole yet */
  assert_int_equal(tug_spdy_parse(server, wire, (size_t)(a + b), &f), a);
  assert_true(f.control);
  assert_int_equal(f.type, TUG_SPDY_SYN_STREAM);
  assert_int_equal(f.stream, 1);
  assert_string_equal(tug_spdy_header(&f, "streamtype"), "error");
  assert_int_equal(tug_spdy_parse(server, wire + a, (size_t)b, &f), b);
  assert_int_equal(f.stream, 3);
  assert_string_equal(tug_spdy_header(&f, "streamtype"), "data");
  assert_string_equal(tug_spdy_header(&f, "port"), "80");
  assert_string_equal(tug_spdy_header(&f, "requestid"), "0");
  assert_null(tug_spdy_header(&f, "missing"));

  /* The server's answer: an empty block, read back by the client. */
  ssize_t r = tug_spdy_syn_reply(server, 3, NULL, wire, sizeof wire);
  assert_true(r > 0);
  assert_int_equal(tug_spdy_parse(client, wire, (size_t)r, &f), r);
  assert_int_equal(f.type, TUG_SPDY_SYN_REPLY);
  assert_int_equal(f.stream, 3);
  assert_int_equal(f.n_headers, 0);
  tug_spdy_free(client);
  tug_spdy_free(server);
}

static void test_data_frame_parses_in_place(void **state) {
  (void)state;
  tug_spdy *s = tug_spdy_new();
  size_t n;
  uint8_t *wire = tug_spdy_data(3, 0, "hello", 5, &n);
  assert_int_equal(n, TUG_SPDY_HEAD + 5);
  tug_spdy_frame f;
  assert_int_equal(tug_spdy_parse(s, wire, n, &f), n);
  assert_false(f.control);
  assert_int_equal(f.stream, 3);
  assert_int_equal(f.flags, 0);
  assert_int_equal(f.len, 5);
  assert_memory_equal(f.data, "hello", 5);
  free(wire);
  tug_spdy_free(s);
}

typedef struct seen {
  uint32_t streams[4];
  int n;
} seen;

static void collect(void *arg, const tug_spdy_frame *f) {
  seen *s = arg;
  if (s->n < 4)
    s->streams[s->n++] = f->stream;
}

/* A tunnel's messages cut frames anywhere: fed a byte at a time, every
 * frame comes out whole and in order, and nothing is left over. */
static void test_feed_joins_frames_cut_anywhere(void **state) {
  (void)state;
  tug_spdy *client = tug_spdy_new(), *server = tug_spdy_new();
  uint8_t wire[1024];
  const char *const h[] = {"streamtype", "data", "port", "80", "requestid", "1", NULL};
  ssize_t a = tug_spdy_syn_stream(client, 1, h, wire, sizeof wire);
  size_t n;
  uint8_t *d = tug_spdy_data(1, TUG_SPDY_FLAG_FIN, "xyz", 3, &n);
  memcpy(wire + a, d, n);
  ssize_t p = tug_spdy_ping(3, wire + a + (ssize_t)n, sizeof wire - (size_t)a - n);
  seen got = {0};
  for (size_t i = 0; i < (size_t)a + n + (size_t)p; i++)
    assert_int_equal(tug_spdy_feed(server, wire + i, 1, collect, &got), 0);
  assert_int_equal(got.n, 3);
  assert_int_equal(got.streams[0], 1);
  assert_int_equal(got.streams[1], 1);
  assert_int_equal(got.streams[2], 3);
  /* After bytes that break the protocol, nothing more is taken. */
  const uint8_t v2[] = {0x80, 2, 0, 6, 0, 0, 0, 4, 0, 0, 0, 1};
  assert_int_equal(tug_spdy_feed(server, v2, sizeof v2, collect, &got), -1);
  assert_int_equal(tug_spdy_feed(server, d, n, collect, &got), -1);
  assert_int_equal(got.n, 3);
  free(d);
  tug_spdy_free(client);
  tug_spdy_free(server);
}

static void test_broken_bytes_are_refused(void **state) {
  (void)state;
  tug_spdy *s = tug_spdy_new();
  tug_spdy_frame f;
  /* A SYN_STREAM whose header block is not zlib. */
  const uint8_t junk[] = {0x80, 3, 0, 1, 0, 0, 0, 14, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4};
  assert_int_equal(tug_spdy_parse(s, junk, sizeof junk, &f), -1);
  /* SPDY/2. */
  const uint8_t v2[] = {0x80, 2, 0, 6, 0, 0, 0, 4, 0, 0, 0, 1};
  assert_int_equal(tug_spdy_parse(s, v2, sizeof v2, &f), -1);
  /* A length past the bound, refused before its bytes arrive. */
  const uint8_t huge[] = {0, 0, 0, 1, 0, 0xff, 0xff, 0xff};
  assert_int_equal(tug_spdy_parse(s, huge, sizeof huge, &f), -1);
  tug_spdy_free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_dictionary_is_spdy3s),
      cmocka_unit_test(test_data_head_carries_stream_fin_and_length),
      cmocka_unit_test(test_control_frames_have_spdy3_heads),
      cmocka_unit_test(test_header_blocks_round_trip_across_frames),
      cmocka_unit_test(test_data_frame_parses_in_place),
      cmocka_unit_test(test_feed_joins_frames_cut_anywhere),
      cmocka_unit_test(test_broken_bytes_are_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
