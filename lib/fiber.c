/*
 * fiber.c — fibers on ucontext (see fiber.h).
 *
 * The one idea: a fiber's sleep word moves RUNNING → PARKED (it went back to
 * its runner) → WAITING (its owner waits for on_wake), and any wake swaps in
 * WOKEN; whoever sees the other side's step already taken acts instead: a
 * park that finds WOKEN returns at once, an owner that finds WOKEN runs the
 * fiber again, and only a wake that finds WAITING calls on_wake.
 */
#include "fiber.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

enum { RUNNING, PARKED, WAITING, WOKEN };
enum { SPARE_FIBERS = 8 };

struct tug_fiber {
  ucontext_t ctx, runner;
  void (*fn)(void *);
  void *arg;
  void (*on_wake)(void *);
  void *owner;
  atomic_int sleep;
  bool done;
  void *stack; /* mapping, guard page first */
  size_t stack_size;
  tug_fiber *next_spare;
};

static _Thread_local tug_fiber *current;
static _Thread_local tug_fiber *spares;
static _Thread_local int nspares;

static void trampoline(void) {
  tug_fiber *f = current;
  f->fn(f->arg);
  f->done = true;
  /* returning ends the context; uc_link goes back to the runner */
}

static tug_fiber *fiber_alloc(void) {
  if (spares) {
    tug_fiber *f = spares;
    spares = f->next_spare;
    nspares--;
    return f;
  }
  tug_fiber *f = calloc(1, sizeof *f);
  if (f == NULL)
    return NULL;
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  f->stack_size = TUG_FIBER_STACK + page;
  f->stack = mmap(NULL, f->stack_size, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
  if (f->stack == MAP_FAILED || mprotect(f->stack, page, PROT_NONE) < 0) {
    if (f->stack != MAP_FAILED)
      munmap(f->stack, f->stack_size);
    free(f);
    return NULL;
  }
  return f;
}

/* getcontext is declared to return twice (it never does here: makecontext
 * points the context elsewhere), so the fiber is held in a volatile. */
static int start_context(tug_fiber *fiber) {
  tug_fiber *volatile f = fiber;
  if (getcontext(&f->ctx) < 0)
    return -1;
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  f->ctx.uc_stack.ss_sp = (char *)f->stack + page;
  f->ctx.uc_stack.ss_size = f->stack_size - page;
  f->ctx.uc_link = &f->runner;
  makecontext(&f->ctx, trampoline, 0);
  return 0;
}

tug_fiber *tug_fiber_new(void (*fn)(void *), void *arg, void (*on_wake)(void *), void *owner) {
  tug_fiber *f = fiber_alloc();
  if (f == NULL)
    return NULL;
  f->fn = fn, f->arg = arg, f->on_wake = on_wake, f->owner = owner;
  f->done = false;
  atomic_store(&f->sleep, RUNNING);
  if (start_context(f) < 0) {
    tug_fiber_free(f);
    return NULL;
  }
  return f;
}

tug_fiber_state tug_fiber_run(tug_fiber *f) {
  tug_fiber *outer = current;
  current = f;
  atomic_store(&f->sleep, RUNNING);
  swapcontext(&f->runner, &f->ctx);
  current = outer;
  return f->done ? TUG_FIBER_DONE : TUG_FIBER_PARKED;
}

bool tug_fiber_parked(tug_fiber *f) {
  int expected = PARKED;
  return atomic_compare_exchange_strong(&f->sleep, &expected, WAITING);
}

void tug_fiber_free(tug_fiber *f) {
  if (f == NULL)
    return;
  if (nspares < SPARE_FIBERS) {
    f->next_spare = spares;
    spares = f;
    nspares++;
    return;
  }
  munmap(f->stack, f->stack_size);
  free(f);
}

tug_fiber *tug_fiber_current(void) {
  return current;
}

void tug_fiber_park(tug_fiber *f) {
  int expected = RUNNING;
  if (!atomic_compare_exchange_strong(&f->sleep, &expected, PARKED)) {
    atomic_store(&f->sleep, RUNNING); /* woken before it parked */
    return;
  }
  swapcontext(&f->ctx, &f->runner);
}

void tug_fiber_wake(tug_fiber *f) {
  if (atomic_exchange(&f->sleep, WOKEN) == WAITING)
    f->on_wake(f->owner);
}
