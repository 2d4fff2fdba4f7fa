/*
 * watchlimit.c — per-user and global caps on open watches (see watchlimit.h).
 *
 * One mutex over a map of user name → open watches; a slot remembers its
 * user so that the count it took is the count it gives back.
 */
#include "watchlimit.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"

struct api_watch_limits {
  pthread_mutex_t mu;
  tug_hashmap *by_user; /* name → (uintptr_t) open watches, never 0 */
  int per_user, total;
  int open;
};

struct api_watch_slot {
  api_watch_limits *l;
  char user[];
};

api_watch_limits *api_watch_limits_new(int per_user, int total) {
  api_watch_limits *l = calloc(1, sizeof *l);
  if (l == NULL || (l->by_user = tug_hashmap_new()) == NULL) {
    free(l);
    return NULL;
  }
  pthread_mutex_init(&l->mu, NULL);
  l->per_user = per_user;
  l->total = total;
  return l;
}

void api_watch_limits_free(api_watch_limits *l) {
  if (l == NULL)
    return;
  tug_hashmap_free(l->by_user, NULL);
  pthread_mutex_destroy(&l->mu);
  free(l);
}

static size_t count_of(const api_watch_limits *l, const char *user) {
  return (size_t)(uintptr_t)tug_hashmap_get(l->by_user, user);
}

static void set_count(api_watch_limits *l, const char *user, size_t n) {
  if (n == 0)
    tug_hashmap_remove(l->by_user, user);
  else
    tug_hashmap_put(l->by_user, user, (void *)(uintptr_t)n);
}

api_watch_slot *api_watch_slot_take(api_watch_limits *l, const char *user, const char **why) {
  if (l == NULL)
    return calloc(1, sizeof(api_watch_slot) + 1);
  size_t len = strlen(user);
  api_watch_slot *s = malloc(sizeof *s + len + 1);
  if (s == NULL) {
    *why = "out of memory";
    return NULL;
  }
  s->l = l;
  memcpy(s->user, user, len + 1);
  pthread_mutex_lock(&l->mu);
  size_t mine = count_of(l, user);
  *why = l->total > 0 && l->open >= l->total              ? "in all"
         : l->per_user > 0 && mine >= (size_t)l->per_user ? "per user"
                                                          : NULL;
  if (*why == NULL) {
    set_count(l, user, mine + 1);
    l->open++;
  }
  pthread_mutex_unlock(&l->mu);
  if (*why) {
    free(s);
    return NULL;
  }
  return s;
}

void api_watch_slot_release(api_watch_slot *s) {
  if (s == NULL)
    return;
  api_watch_limits *l = s->l;
  if (l) {
    pthread_mutex_lock(&l->mu);
    size_t mine = count_of(l, s->user);
    set_count(l, s->user, mine > 0 ? mine - 1 : 0);
    l->open--;
    pthread_mutex_unlock(&l->mu);
  }
  free(s);
}

size_t api_watch_limits_count(api_watch_limits *l, const char *user) {
  pthread_mutex_lock(&l->mu);
  size_t n = count_of(l, user);
  pthread_mutex_unlock(&l->mu);
  return n;
}
