/* json_text.h — JSON for the API server's tests, written with ' for " so that it
 * reads in a C string: js("{'kind':'Pod'}"). */
#ifndef TUG_APISERVER_TESTS_JSON_TEXT_H
#define TUG_APISERVER_TESTS_JSON_TEXT_H

#include <jansson.h>

/* Any JSON value; the test fails on text that does not parse. */
json_t *js(const char *single_quoted);

#endif
