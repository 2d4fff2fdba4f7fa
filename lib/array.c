/*
 * array.c — see array.h.
 */
#include "array.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int tug_array_reserve(void *items, size_t *cap, size_t need, size_t size, size_t first) {
  if (need <= *cap)
    return 0;
  size_t n = *cap ? *cap : (first ? first : 4);
  while (n < need) {
    if (n > SIZE_MAX / 2 / size) {
      errno = ENOMEM;
      return -1;
    }
    n *= 2;
  }
  if (n > SIZE_MAX / size) {
    errno = ENOMEM;
    return -1;
  }
  void *old, *grown;
  memcpy(&old, items, sizeof old);
  if ((grown = realloc(old, n * size)) == NULL)
    return -1;
  memcpy(items, &grown, sizeof grown);
  *cap = n;
  return 0;
}
