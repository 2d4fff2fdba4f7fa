/* Unit tests for base64 (lib/base64.c): Go's StdEncoding, byte for byte and error for error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first; the blank line keeps clang-format from
 * sorting it ahead of them. */

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base64.h"

static void assert_encodes(const char *plain, size_t n, const char *want) {
  char *got = tug_base64_encode(plain, n);
  assert_non_null(got);
  assert_string_equal(got, want);
  free(got);
}

static void assert_decodes(const char *coded, const char *want, size_t want_len) {
  unsigned char *got = NULL;
  size_t len = 99, bad = 99;
  if (tug_base64_decode(coded, strlen(coded), &got, &len, &bad) < 0)
    fail_msg("\"%s\" refused at byte %zu", coded, bad);
  assert_int_equal(len, want_len);
  assert_memory_equal(got, want, want_len);
  free(got);
  /* Without an output buffer it only measures. */
  assert_int_equal(tug_base64_decode(coded, strlen(coded), NULL, &len, &bad), 0);
  assert_int_equal(len, want_len);
}

static void assert_refused_at(const char *coded, size_t want_at) {
  unsigned char *got = (unsigned char *)"untouched";
  size_t len = 0, bad = 99;
  assert_int_equal(tug_base64_decode(coded, strlen(coded), &got, &len, &bad), -1);
  assert_int_equal(bad, want_at);
  assert_string_equal((char *)got, "untouched");
}

static void encoding_pads_to_whole_quanta(void **state) {
  (void)state;
  assert_encodes("", 0, "");
  assert_encodes("f", 1, "Zg==");
  assert_encodes("fo", 2, "Zm8=");
  assert_encodes("foo", 3, "Zm9v");
  assert_encodes("foob", 4, "Zm9vYg==");
  assert_encodes("\xff\xfe\x00", 3, "//4A");
}

static void decoding_inverts_encoding_for_every_length(void **state) {
  (void)state;
  assert_decodes("", "", 0);
  assert_decodes("Zg==", "f", 1);
  assert_decodes("Zm8=", "fo", 2);
  assert_decodes("Zm9v", "foo", 3);
  assert_decodes("Zm9vYmFy", "foobar", 6);
  assert_decodes("//4A", "\xff\xfe\x00", 3);
}

static void decoding_skips_newlines_anywhere(void **state) {
  (void)state;
  assert_decodes("Zm9v\nYmFy\r\n", "foobar", 6);
  assert_decodes("Z\ng=\r=", "f", 1);
  assert_decodes("\n", "", 0);
}

static void decoding_refuses_what_go_refuses_at_the_same_byte(void **state) {
  (void)state;
  assert_refused_at("Zg", 0);       /* missing padding */
  assert_refused_at("Zm9vYg", 4);   /* a partial last quantum */
  assert_refused_at("Zm9v!", 4);    /* outside the alphabet */
  assert_refused_at("Zm 9v", 2);    /* spaces are not skipped */
  assert_refused_at("Z===", 1);     /* padding after one sextet */
  assert_refused_at("Zg=", 3);      /* "=" needs its second "=" */
  assert_refused_at("Zg=x", 2);     /* ... and not something else */
  assert_refused_at("Zg==Zg==", 4); /* data after padding */
  assert_refused_at("Zm8=\nx", 5);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(encoding_pads_to_whole_quanta),
      cmocka_unit_test(decoding_inverts_encoding_for_every_length),
      cmocka_unit_test(decoding_skips_newlines_anywhere),
      cmocka_unit_test(decoding_refuses_what_go_refuses_at_the_same_byte),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
