/*
 * cache.c — nodes, their allocations, and assumed pods (see cache.h).
 */
#include "cache.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "object.h"

sched_cache *sched_cache_new(void) {
  sched_cache *c = calloc(1, sizeof *c);
  if (c && (c->by_name = tug_hashmap_new()) == NULL) {
    free(c);
    return NULL;
  }
  if (c) {
    c->claims = json_object();
    c->volumes = json_object();
    c->classes = json_object();
  }
  return c;
}

static void clear_taints(sched_node *n) {
  for (size_t i = 0; i < n->n_taints; i++) {
    free(n->taints[i].key);
    free(n->taints[i].value);
  }
  free(n->taints);
  n->taints = NULL;
  n->n_taints = 0;
}

static void node_free(void *v) {
  sched_node *n = v;
  clear_taints(n);
  json_decref(n->obj);
  free(n->pods);
  free(n->name);
  free(n);
}

void sched_cache_free(sched_cache *c) {
  if (c == NULL)
    return;
  tug_hashmap_free(c->by_name, node_free);
  json_decref(c->claims);
  json_decref(c->volumes);
  json_decref(c->classes);
  free(c->nodes);
  free(c);
}

void sched_cache_set_storage(json_t *map, const char *key, json_t *obj) {
  if (key == NULL)
    return;
  if (obj)
    json_object_set(map, key, obj);
  else
    json_object_del(map, key);
}

sched_node *sched_cache_node(const sched_cache *c, const char *name) {
  return tug_hashmap_get(c->by_name, name);
}

static sched_node *node_get_or_add(sched_cache *c, const char *name) {
  sched_node *n = tug_hashmap_get(c->by_name, name);
  if (n)
    return n;
  if ((n = calloc(1, sizeof *n)) == NULL || (n->name = strdup(name)) == NULL) {
    free(n);
    return NULL;
  }
  n->index = SIZE_MAX;
  tug_hashmap_put(c->by_name, name, n);
  return n;
}

static sched_effect effect_of(const char *e) {
  if (e && strcmp(e, "NoExecute") == 0)
    return SCHED_NO_EXECUTE;
  if (e && strcmp(e, "PreferNoSchedule") == 0)
    return SCHED_PREFER_NO_SCHEDULE;
  return SCHED_NO_SCHEDULE;
}

static void parse_taints(sched_node *n) {
  json_t *list = tug_obj_get(n->obj, "spec.taints");
  size_t count = json_array_size(list), i;
  json_t *t;
  clear_taints(n);
  if (count == 0 || (n->taints = calloc(count, sizeof *n->taints)) == NULL)
    return;
  json_array_foreach(list, i, t) {
    const char *key = tug_obj_get_str(t, "key"), *value = tug_obj_get_str(t, "value");
    if (key == NULL)
      continue;
    sched_taint *st = &n->taints[n->n_taints++];
    st->key = strdup(key);
    st->value = strdup(value ? value : "");
    st->effect = effect_of(tug_obj_get_str(t, "effect"));
  }
}

static bool node_ready(const json_t *node) {
  size_t i;
  json_t *cond;
  json_array_foreach(tug_obj_get(node, "status.conditions"), i, cond) {
    const char *type = tug_obj_get_str(cond, "type");
    if (type && strcmp(type, "Ready") == 0) {
      const char *st = tug_obj_get_str(cond, "status");
      return st && strcmp(st, "True") == 0;
    }
  }
  return false;
}

static int list_node(sched_cache *c, sched_node *n) {
  if (n->index != SIZE_MAX)
    return 0;
  if (TUG_ARRAY_RESERVE(c->nodes, c->cap_nodes, c->n_nodes + 1, 64) < 0)
    return -1;
  n->index = c->n_nodes;
  c->nodes[c->n_nodes++] = n;
  return 0;
}

static void unlist_node(sched_cache *c, sched_node *n) {
  if (n->index == SIZE_MAX)
    return;
  sched_node *last = c->nodes[--c->n_nodes];
  c->nodes[n->index] = last;
  last->index = n->index;
  n->index = SIZE_MAX;
}

int sched_cache_set_node(sched_cache *c, json_t *node) {
  const char *name = tug_obj_name(node);
  sched_node *n = name ? node_get_or_add(c, name) : NULL;
  if (n == NULL || list_node(c, n) < 0)
    return -1;
  json_incref(node);
  json_decref(n->obj);
  n->obj = node;
  n->labels = tug_obj_labels(node);
  n->ready = node_ready(node);
  n->unschedulable = json_is_true(tug_obj_get(node, "spec.unschedulable"));
  json_t *alloc = tug_obj_get(node, "status.allocatable");
  tug_error err;
  if (sched_res_parse(alloc ? alloc : tug_obj_get(node, "status.capacity"), &n->alloc, NULL, &err) <
      0)
    memset(&n->alloc, 0, sizeof n->alloc);
  parse_taints(n);
  return 0;
}

static void drop_if_unused(sched_cache *c, sched_node *n) {
  if (n->obj == NULL && n->n_pods == 0)
    node_free(tug_hashmap_remove(c->by_name, n->name));
}

void sched_cache_delete_node(sched_cache *c, const char *name) {
  sched_node *n = tug_hashmap_get(c->by_name, name);
  if (n == NULL)
    return;
  unlist_node(c, n);
  json_decref(n->obj);
  n->obj = NULL;
  n->labels = NULL;
  clear_taints(n);
  drop_if_unused(c, n);
}

/* n's sums from its pods, after a saturated sum lost count. */
static void recount(sched_node *n) {
  memset(&n->requested, 0, sizeof n->requested);
  memset(&n->nonzero, 0, sizeof n->nonzero);
  for (size_t i = 0; i < n->n_pods; i++) {
    sched_res_add(&n->requested, &n->pods[i]->req);
    sched_res_add(&n->nonzero, &n->pods[i]->nonzero);
  }
}

int sched_cache_add_pod(sched_cache *c, sched_pod *pod, const char *node_name,
                        sched_pod_state state) {
  if (pod->node)
    sched_cache_remove_pod(c, pod);
  sched_node *n = node_get_or_add(c, node_name);
  if (n == NULL)
    return -1;
  if (TUG_ARRAY_RESERVE(n->pods, n->cap_pods, n->n_pods + 1, 8) < 0) {
    drop_if_unused(c, n);
    return -1;
  }
  pod->node_slot = n->n_pods;
  n->pods[n->n_pods++] = pod;
  pod->node = n;
  pod->state = state;
  sched_res_add(&n->requested, &pod->req);
  sched_res_add(&n->nonzero, &pod->nonzero);
  return 0;
}

void sched_cache_remove_pod(sched_cache *c, sched_pod *pod) {
  sched_node *n = pod->node;
  if (n == NULL)
    return;
  sched_pod *last = n->pods[--n->n_pods];
  n->pods[pod->node_slot] = last;
  last->node_slot = pod->node_slot;
  if (sched_res_saturated(&n->requested) || sched_res_saturated(&n->nonzero)) {
    recount(n);
  } else {
    sched_res_sub(&n->requested, &pod->req);
    sched_res_sub(&n->nonzero, &pod->nonzero);
  }
  pod->node = NULL;
  pod->state = SCHED_POD_PENDING;
  drop_if_unused(c, n);
}

sched_res sched_cache_capacity(const sched_cache *c) {
  sched_res total = {{0}};
  for (size_t i = 0; i < c->n_nodes; i++)
    if (sched_node_usable(c->nodes[i]))
      sched_res_add(&total, &c->nodes[i]->alloc);
  return total;
}
