/*
 * array.h — the one way a growable array grows.
 *
 *   if (TUG_ARRAY_RESERVE(q->items, q->cap, q->n + 1, 16) < 0)
 *     return -1;
 *   q->items[q->n++] = item;
 *
 * Capacity doubles (from `first` when the array is empty), so n appends
 * cost O(n); on failure (ENOMEM, or a size that would overflow) the array
 * is left as it was.
 */
#ifndef TUG_ARRAY_H
#define TUG_ARRAY_H

#include <stddef.h>

/* items: the address of the array pointer (T **); size: sizeof(T). */
int tug_array_reserve(void *items, size_t *cap, size_t need, size_t size, size_t first);

#define TUG_ARRAY_RESERVE(ptr, cap, need, first)                                                   \
  tug_array_reserve(&(ptr), &(cap), (need), sizeof *(ptr), (first))

#endif
