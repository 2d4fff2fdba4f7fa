/*
 * hashmap.h — a string-keyed hash map of pointers (separate chaining).
 *
 * Keys are copied; values are the caller's. Not thread-safe: the owner locks.
 * Iteration order is unspecified; callers that need key order sort the keys.
 */
#ifndef TUG_HASHMAP_H
#define TUG_HASHMAP_H

#include <stdbool.h>
#include <stddef.h>

typedef struct tug_hashmap tug_hashmap;

tug_hashmap *tug_hashmap_new(void);
/* Frees the map and its keys; free_value (may be NULL) is called on each value. */
void tug_hashmap_free(tug_hashmap *m, void (*free_value)(void *));
void *tug_hashmap_get(const tug_hashmap *m, const char *key);
/* Insert or replace; returns the value replaced (or NULL). NULL value is not allowed. */
void *tug_hashmap_put(tug_hashmap *m, const char *key, void *value);
/* Remove; returns the value removed (or NULL). */
void *tug_hashmap_remove(tug_hashmap *m, const char *key);
size_t tug_hashmap_size(const tug_hashmap *m);

typedef struct tug_hashmap_iter {
  const tug_hashmap *m;
  size_t bucket;
  void *entry;
} tug_hashmap_iter;

void tug_hashmap_iter_init(tug_hashmap_iter *it, const tug_hashmap *m);
/* Next entry; false at the end. Do not change the map while iterating. */
bool tug_hashmap_next(tug_hashmap_iter *it, const char **key, void **value);

#endif
