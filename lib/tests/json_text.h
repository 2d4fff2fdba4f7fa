/*
 * json_text.h — JSON written in a test's source, parsed; the test fails (with
 * the text and the parser's complaint) on text that does not parse, so a typo
 * in a fixture never reads as a failure of the code under test.
 */
#ifndef TUG_TESTS_JSON_TEXT_H
#define TUG_TESTS_JSON_TEXT_H

#include <jansson.h>

/* Any JSON value, a new reference. */
json_t *test_json(const char *text);
/* The same, written with ' for " so that it reads in a C string: js("{'kind':'Pod'}"). */
json_t *js(const char *single_quoted);

#endif
