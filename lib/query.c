/* query.c — Kubernetes' rules for boolean and integer query parameters (see query.h). */
#include "query.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool tug_query_bool(bool present, const char *value) {
  if (!present)
    return false;
  return value == NULL || (strcmp(value, "0") != 0 && strcasecmp(value, "false") != 0);
}

int tug_query_int(const char *value, int64_t *out) {
  char *end = NULL;
  errno = 0;
  long long v = value ? strtoll(value, &end, 10) : 0;
  if (value == NULL || end == value || *end != '\0') {
    errno = EINVAL;
    return -1;
  }
  if (errno == ERANGE)
    return -1;
  *out = v;
  return 0;
}
