/*
 * watchlimit.h — caps on open watches: so many per user, so many in all.
 *
 * A watch holds a connection, a queue of events and a share of every write's
 * fan-out for as long as its client likes, so one user opening watches in a
 * loop could take the server's memory and the other users' fan-out with it.
 * Beyond a cap the watch is refused with 429 and Retry-After, which every
 * Kubernetes client already retries. A slot is taken when the watch starts
 * and given back when its connection ends.
 */
#ifndef TUG_APISERVER_WATCHLIMIT_H
#define TUG_APISERVER_WATCHLIMIT_H

#include <stddef.h>

typedef struct api_watch_limits api_watch_limits;
typedef struct api_watch_slot api_watch_slot;

/* per_user, total: the caps (0: none). NULL when memory runs out. */
api_watch_limits *api_watch_limits_new(int per_user, int total);
void api_watch_limits_free(api_watch_limits *l);

/* A slot for one more watch of user; NULL when a cap is reached, with why
 * ("per user" or "in all") saying which. l may be NULL: no caps. */
api_watch_slot *api_watch_slot_take(api_watch_limits *l, const char *user, const char **why);
/* Give the slot back (NULL is fine). */
void api_watch_slot_release(api_watch_slot *s);

/* Open watches of user (for tests and metrics). */
size_t api_watch_limits_count(api_watch_limits *l, const char *user);

#endif
