/*
 * fuzz.h — what the libFuzzer targets share: the input as a NUL-terminated
 * string, since the parsers under test read C strings.
 */
#ifndef TUG_FUZZ_H
#define TUG_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A copy of data with a NUL after it; the caller frees it. */
static inline char *fuzz_string(const uint8_t *data, size_t size) {
  char *s = malloc(size + 1);
  if (s == NULL)
    abort();
  memcpy(s, data, size);
  s[size] = '\0';
  return s;
}

#endif
