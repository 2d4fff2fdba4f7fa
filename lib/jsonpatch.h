/*
 * jsonpatch.h — JSON Patch (RFC 6902) and JSON Pointer (RFC 6901) on jansson
 * values.
 *
 * The one idea: a patch is all or nothing. The operations run in order on a
 * private copy of the document, and the caller gets the patched copy only
 * when every one of them applied (a failed "test" included); the input is
 * never touched.
 *
 * Failures say which kind they are, because an HTTP server answers them
 * differently: err->code TUG_E_PARSE when the patch is not a JSON Patch
 * document at all (not an array of objects), EINVAL when an operation is
 * malformed or does not apply to this document (bad or missing path, unknown
 * op, failed test), ENOMEM when memory runs out.
 */
#ifndef TUG_JSONPATCH_H
#define TUG_JSONPATCH_H

#include <jansson.h>
#include <stdbool.h>

#include "error.h"

/* Apply patch to doc; *out is a new value (owned by the caller) on success. */
int tug_json_patch(const json_t *doc, const json_t *patch, json_t **out, tug_error *err);

/* The value a JSON Pointer ("", "/a/0", "/a~1b") names in doc, borrowed; NULL
 * when it names nothing or is malformed. */
json_t *tug_json_pointer_get(const json_t *doc, const char *pointer);

/* Equality as RFC 6902's "test" defines it: numbers compare by value (1 and
 * 1.0 are equal), objects ignore member order, arrays compare element-wise. */
bool tug_json_patch_equal(const json_t *a, const json_t *b);

#endif
