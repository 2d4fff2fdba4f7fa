/*
 * error.h — the one error convention of Tugboat.
 *
 * A function that can fail returns a negative value and fills a caller-owned
 * tug_error with a code (an errno value, or a TUG_E* code above errno's range)
 * and a message that says what was being done ("put /registry/pods/a: deadline
 * exceeded"). Callers that add context wrap the message with tug_error_wrap and
 * return -1 again; only the top level prints it.
 *
 * An error that came back from the API server also names the request's
 * Audit-Id (audit_id, "" otherwise), so the line that logs it can be matched
 * to the server's audit log; setting a new error clears it, wrapping keeps it.
 */
#ifndef TUG_ERROR_H
#define TUG_ERROR_H

#include <stddef.h>

/* Codes beyond errno for conditions that errno does not name. */
enum {
  TUG_E_BASE = 1000,
  TUG_E_CONFLICT,    /* a compare failed: stale revision, already exists */
  TUG_E_COMPACTED,   /* the requested revision was compacted away */
  TUG_E_UNAVAILABLE, /* the server could not be reached in time */
  TUG_E_PARSE,       /* malformed input */
};

typedef struct tug_error {
  int code;
  char msg[1024];
  char audit_id[64];
} tug_error;

/* Set code and message; always returns -1 so callers can `return tug_error_set(...)`. */
int tug_error_set(tug_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like tug_error_set, with strerror(errnum) appended: "open x: No such file". */
int tug_error_errno(tug_error *err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefix the existing message with context: "apply web.yaml: <old message>". */
int tug_error_wrap(tug_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void tug_error_clear(tug_error *err);

#endif
