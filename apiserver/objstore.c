/* objstore.c — namespace → (key → object) maps, and value → (key → object)
 * for the index (see objstore.h). The index borrows the namespace maps' references. */
#include "objstore.h"

#include <stdlib.h>
#include <string.h>

#include "hashmap.h"
#include "object.h"
#include "watchcache.h"

struct api_objstore {
  tug_hashmap *namespaces; /* ns → tug_hashmap of key → api_cached* */
  size_t prefix_len;
  bool namespaced;
  size_t size;
  const char *index_path; /* NULL: no index */
  tug_hashmap *index;     /* field value → tug_hashmap of key → api_cached* (borrowed) */
};

api_objstore *api_objstore_new(size_t prefix_len, bool namespaced, const char *index_path) {
  api_objstore *s = calloc(1, sizeof *s);
  s->namespaces = tug_hashmap_new();
  s->index_path = index_path;
  s->index = index_path ? tug_hashmap_new() : NULL;
  s->prefix_len = prefix_len;
  s->namespaced = namespaced;
  return s;
}

static void unref(void *v) {
  api_cached_unref(v);
}
static void free_group(void *g) {
  tug_hashmap_free(g, unref);
}

static void free_index_group(void *g) {
  tug_hashmap_free(g, NULL);
}

/* The indexed field's value of o, or NULL (no index, field absent or empty). */
static const char *index_value(const api_objstore *s, const api_cached *o) {
  const char *v = s->index ? tug_obj_get_str(o->obj, s->index_path) : NULL;
  return v && v[0] ? v : NULL;
}

static void index_add(api_objstore *s, api_cached *o) {
  const char *v = index_value(s, o);
  if (v == NULL)
    return;
  tug_hashmap *g = tug_hashmap_get(s->index, v);
  if (g == NULL)
    tug_hashmap_put(s->index, v, g = tug_hashmap_new());
  tug_hashmap_put(g, o->key, o);
}

static void index_remove(api_objstore *s, const api_cached *o) {
  const char *v = index_value(s, o);
  tug_hashmap *g = v ? tug_hashmap_get(s->index, v) : NULL;
  if (g == NULL)
    return;
  tug_hashmap_remove(g, o->key);
  if (tug_hashmap_size(g) == 0)
    tug_hashmap_free(tug_hashmap_remove(s->index, v), NULL);
}

void api_objstore_free(api_objstore *s) {
  if (s == NULL)
    return;
  tug_hashmap_free(s->namespaces, free_group);
  if (s->index)
    tug_hashmap_free(s->index, free_index_group);
  free(s);
}

/* The namespace segment of key, copied into buf ("" for cluster-scoped kinds). */
static const char *ns_of(const api_objstore *s, const char *key, char *buf, size_t size) {
  buf[0] = '\0';
  if (!s->namespaced || strlen(key) <= s->prefix_len)
    return buf;
  const char *ns = key + s->prefix_len, *slash = strchr(ns, '/');
  size_t len = slash ? (size_t)(slash - ns) : strlen(ns);
  if (len >= size)
    len = size - 1;
  memcpy(buf, ns, len);
  buf[len] = '\0';
  return buf;
}

static tug_hashmap *group(const api_objstore *s, const char *key, bool create) {
  char ns[256];
  ns_of(s, key, ns, sizeof ns);
  tug_hashmap *g = tug_hashmap_get(s->namespaces, ns);
  if (g == NULL && create) {
    g = tug_hashmap_new();
    tug_hashmap_put(s->namespaces, ns, g);
  }
  return g;
}

api_cached *api_objstore_put(api_objstore *s, api_cached *o) {
  api_cached *prev = tug_hashmap_put(group(s, o->key, true), o->key, o);
  if (prev == NULL)
    s->size++;
  else
    index_remove(s, prev);
  index_add(s, o);
  return prev;
}

api_cached *api_objstore_remove(api_objstore *s, const char *key) {
  tug_hashmap *g = group(s, key, false);
  api_cached *o = g ? tug_hashmap_remove(g, key) : NULL;
  if (o == NULL)
    return NULL;
  s->size--;
  index_remove(s, o);
  if (tug_hashmap_size(g) == 0) {
    char ns[256];
    tug_hashmap_free(tug_hashmap_remove(s->namespaces, ns_of(s, key, ns, sizeof ns)), NULL);
  }
  return o;
}

api_cached *api_objstore_get(const api_objstore *s, const char *key) {
  tug_hashmap *g = group(s, key, false);
  return g ? tug_hashmap_get(g, key) : NULL;
}

size_t api_objstore_size(const api_objstore *s) {
  return s->size;
}

static void each_in(const tug_hashmap *g, void (*fn)(api_cached *, void *), void *arg) {
  tug_hashmap_iter it;
  tug_hashmap_iter_init(&it, g);
  void *v;
  while (tug_hashmap_next(&it, NULL, &v))
    fn(v, arg);
}

void api_objstore_each(const api_objstore *s, const char *ns, void (*fn)(api_cached *, void *),
                       void *arg) {
  if (ns && s->namespaced) {
    tug_hashmap *g = tug_hashmap_get(s->namespaces, ns);
    if (g)
      each_in(g, fn, arg);
    return;
  }
  tug_hashmap_iter it;
  tug_hashmap_iter_init(&it, s->namespaces);
  void *g;
  while (tug_hashmap_next(&it, NULL, &g))
    each_in(g, fn, arg);
}

bool api_objstore_each_indexed(const api_objstore *s, const char *value,
                               void (*fn)(api_cached *, void *), void *arg) {
  if (s->index == NULL)
    return false;
  tug_hashmap *g = tug_hashmap_get(s->index, value);
  if (g)
    each_in(g, fn, arg);
  return true;
}
