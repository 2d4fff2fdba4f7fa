/*
 * fiber.h — a function run on a stack of its own, which can pause while it
 * waits and be continued later, on the thread that runs it.
 *
 * The API server runs each write request on a fiber so that no thread waits
 * on etcd: the request parks its fiber while its transaction is in flight,
 * the thread goes on serving other connections, and the completion wakes the
 * fiber, whose owner then runs it again from where it parked.
 *
 *   tug_fiber *f = tug_fiber_new(fn, arg, on_wake, owner);
 *   while (tug_fiber_run(f) == TUG_FIBER_PARKED)
 *     if (tug_fiber_parked(f))       // false: already woken, run it again
 *       return and wait for on_wake(owner), then tug_fiber_run(f) again
 *   tug_fiber_free(f);
 *
 * Inside fn, code waits with `while (!ready) tug_fiber_park(f);`, and whoever
 * makes it ready (any thread) calls tug_fiber_wake(f) once. A wake that comes
 * before the park, or before the owner has gone to wait, is never lost:
 * tug_fiber_park returns at once, or tug_fiber_parked says false.
 *
 * A fiber must not park while it holds a lock another fiber of its thread
 * may take. Stacks are TUG_FIBER_STACK bytes, touched only as used, with a
 * guard page below; each thread keeps a few finished fibers for reuse.
 */
#ifndef TUG_FIBER_H
#define TUG_FIBER_H

#include <stdbool.h>

enum { TUG_FIBER_STACK = 256 * 1024 };

typedef struct tug_fiber tug_fiber;
typedef enum { TUG_FIBER_DONE, TUG_FIBER_PARKED } tug_fiber_state;

/* NULL when out of memory. on_wake(owner) runs, on the waking thread, when
 * a parked fiber whose owner had gone to wait is woken. */
tug_fiber *tug_fiber_new(void (*fn)(void *), void *arg, void (*on_wake)(void *), void *owner);
/* Run (or continue) f on this thread until fn returns or it parks. */
tug_fiber_state tug_fiber_run(tug_fiber *f);
/* The owner is about to wait for on_wake: true; false when f was woken
 * meanwhile and on_wake will not come (run it again now). */
bool tug_fiber_parked(tug_fiber *f);
void tug_fiber_free(tug_fiber *f);

/* The fiber this code runs on, or NULL on a thread's own stack. */
tug_fiber *tug_fiber_current(void);
/* Inside f: go back to its runner until woken (or return at once if a wake
 * came since the last park). Callers check what they wait for and park again. */
void tug_fiber_park(tug_fiber *f);
void tug_fiber_wake(tug_fiber *f);

#endif
