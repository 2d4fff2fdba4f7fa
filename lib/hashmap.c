/*
 * hashmap.c — string → pointer map with chaining; grows at load factor 1.
 */
#include "hashmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
  struct entry *next;
  uint64_t hash;
  void *value;
  char key[];
} entry;

struct tug_hashmap {
  entry **buckets;
  size_t nbuckets;
  size_t size;
};

static uint64_t hash_key(const char *s) {
  uint64_t h = 1469598103934665603ULL; /* FNV-1a */
  for (; *s; s++) {
    h ^= (unsigned char)*s;
    h *= 1099511628211ULL;
  }
  return h;
}

static void *xcalloc(size_t n, size_t size) {
  void *p = calloc(n, size);
  if (p == NULL)
    abort();
  return p;
}

tug_hashmap *tug_hashmap_new(void) {
  tug_hashmap *m = xcalloc(1, sizeof *m);
  m->nbuckets = 64;
  m->buckets = xcalloc(m->nbuckets, sizeof *m->buckets);
  return m;
}

void tug_hashmap_free(tug_hashmap *m, void (*free_value)(void *)) {
  if (m == NULL)
    return;
  for (size_t b = 0; b < m->nbuckets; b++) {
    for (entry *e = m->buckets[b], *next; e; e = next) {
      next = e->next;
      if (free_value)
        free_value(e->value);
      free(e);
    }
  }
  free(m->buckets);
  free(m);
}

static entry **find(const tug_hashmap *m, const char *key, uint64_t h) {
  entry **pp = &m->buckets[h % m->nbuckets];
  while (*pp && ((*pp)->hash != h || strcmp((*pp)->key, key) != 0))
    pp = &(*pp)->next;
  return pp;
}

void *tug_hashmap_get(const tug_hashmap *m, const char *key) {
  entry *e = *find(m, key, hash_key(key));
  return e ? e->value : NULL;
}

static void grow(tug_hashmap *m) {
  size_t n = m->nbuckets * 2;
  entry **b = xcalloc(n, sizeof *b);
  for (size_t i = 0; i < m->nbuckets; i++) {
    for (entry *e = m->buckets[i], *next; e; e = next) {
      next = e->next;
      e->next = b[e->hash % n];
      b[e->hash % n] = e;
    }
  }
  free(m->buckets);
  m->buckets = b;
  m->nbuckets = n;
}

void *tug_hashmap_put(tug_hashmap *m, const char *key, void *value) {
  uint64_t h = hash_key(key);
  entry **pp = find(m, key, h);
  if (*pp) {
    void *old = (*pp)->value;
    (*pp)->value = value;
    return old;
  }
  size_t len = strlen(key);
  entry *e = xcalloc(1, sizeof *e + len + 1);
  memcpy(e->key, key, len + 1);
  e->hash = h;
  e->value = value;
  *pp = e;
  if (++m->size > m->nbuckets)
    grow(m);
  return NULL;
}

void *tug_hashmap_remove(tug_hashmap *m, const char *key) {
  entry **pp = find(m, key, hash_key(key));
  entry *e = *pp;
  if (e == NULL)
    return NULL;
  *pp = e->next;
  void *v = e->value;
  free(e);
  m->size--;
  return v;
}

size_t tug_hashmap_size(const tug_hashmap *m) { return m->size; }

void tug_hashmap_iter_init(tug_hashmap_iter *it, const tug_hashmap *m) {
  it->m = m;
  it->bucket = 0;
  it->entry = NULL;
}

bool tug_hashmap_next(tug_hashmap_iter *it, const char **key, void **value) {
  entry *e = it->entry ? ((entry *)it->entry)->next : NULL;
  while (e == NULL && it->bucket < it->m->nbuckets)
    e = it->m->buckets[it->bucket++];
  it->entry = e;
  if (e == NULL)
    return false;
  if (key)
    *key = e->key;
  if (value)
    *value = e->value;
  return true;
}
