/* error.c — filling and wrapping tug_error (see error.h for the convention). */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int tug_error_set(tug_error *err, int code, const char *fmt, ...) {
  if (err == NULL)
    return -1;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->msg, sizeof err->msg, fmt, ap);
  va_end(ap);
  err->code = code;
  err->audit_id[0] = '\0';
  return -1;
}

int tug_error_errno(tug_error *err, int errnum, const char *fmt, ...) {
  if (err == NULL)
    return -1;
  char what[sizeof err->msg];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  return tug_error_set(err, errnum, "%s: %s", what, strerror(errnum));
}

int tug_error_wrap(tug_error *err, const char *fmt, ...) {
  if (err == NULL)
    return -1;
  char ctx[sizeof err->msg];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ctx, sizeof ctx, fmt, ap);
  va_end(ap);
  char old[sizeof err->msg];
  memcpy(old, err->msg, sizeof old);
  /* Truncation keeps the head of the message, which says what failed first. */
  if (snprintf(err->msg, sizeof err->msg, "%s: %s", ctx, old) >= (int)sizeof err->msg)
    err->msg[sizeof err->msg - 1] = '\0';
  return -1;
}

void tug_error_clear(tug_error *err) {
  if (err == NULL)
    return;
  err->code = 0;
  err->msg[0] = '\0';
  err->audit_id[0] = '\0';
}
