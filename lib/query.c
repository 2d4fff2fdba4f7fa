/* query.c — Kubernetes' boolean query parameter rule (see query.h). */
#include "query.h"

#include <string.h>
#include <strings.h>

bool tug_query_bool(bool present, const char *value) {
  if (!present)
    return false;
  return value == NULL || (strcmp(value, "0") != 0 && strcasecmp(value, "false") != 0);
}
