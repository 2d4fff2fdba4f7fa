/* json_text.c — see json_text.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first; the blank line keeps clang-format from
 * sorting it ahead of them. */

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "json_text.h"

json_t *js(const char *single_quoted) {
  char *s = strdup(single_quoted);
  for (char *p = s; *p; p++)
    if (*p == '\'')
      *p = '"';
  json_error_t e;
  json_t *v = json_loads(s, JSON_DECODE_ANY, &e);
  if (v == NULL)
    fail_msg("bad test JSON (%s): %s", e.text, s);
  free(s);
  return v;
}
