/* json_text.c — JSON fixtures parsed or the test fails (see json_text.h). */
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

json_t *test_json(const char *text) {
  json_error_t e;
  json_t *v = json_loads(text, JSON_DECODE_ANY, &e);
  if (v == NULL)
    fail_msg("bad test JSON at column %d (%s): %s", e.column, e.text, text);
  return v;
}

json_t *js(const char *single_quoted) {
  char *s = strdup(single_quoted);
  if (s == NULL)
    fail_msg("out of memory");
  for (char *p = s; *p; p++)
    if (*p == '\'')
      *p = '"';
  json_t *v = test_json(s);
  free(s);
  return v;
}
