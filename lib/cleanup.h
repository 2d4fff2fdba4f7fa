/*
 * cleanup.h — scope-bound cleanup, crun style.
 *
 * Declare a variable with one of these attributes and it is released when it
 * goes out of scope, so every early return frees what it holds. Hand ownership
 * on with tug_steal_ptr()/tug_steal_fd(), which also disarm the cleanup.
 */
#ifndef TUG_CLEANUP_H
#define TUG_CLEANUP_H

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void tug_freep(void *p) { free(*(void **)p); }
static inline void tug_closep(int *fd) {
  if (*fd >= 0)
    close(*fd);
}
static inline void tug_fclosep(FILE **f) {
  if (*f)
    fclose(*f);
}
static inline void tug_json_decrefp(json_t **j) { json_decref(*j); }

#define _cleanup_free_ __attribute__((cleanup(tug_freep)))
#define _cleanup_close_ __attribute__((cleanup(tug_closep)))
#define _cleanup_fclose_ __attribute__((cleanup(tug_fclosep)))
#define _cleanup_json_ __attribute__((cleanup(tug_json_decrefp)))

static inline void *tug_steal_ptr_(void *pp) {
  void **p = pp;
  void *v = *p;
  *p = NULL;
  return v;
}
#define tug_steal_ptr(pp) tug_steal_ptr_(pp)

static inline int tug_steal_fd(int *fd) {
  int v = *fd;
  *fd = -1;
  return v;
}

#endif
