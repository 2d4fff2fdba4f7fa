/*
 * manifest.h — decoding what users give `tug apply -f` into JSON objects.
 *
 * The one idea: whatever the input (a file, a directory, stdin; YAML with
 * several documents or JSON), the result is one flat array of objects that
 * each have apiVersion and kind, in input order, plus a parallel array saying
 * where each came from. Either everything decodes or nothing is returned.
 *
 * Input rules, chosen to match kubectl where it matters:
 *  - Input whose first non-blank character is '{' is JSON (jansson): one object
 *    or several in a row. Anything else is YAML; `---` separates documents and
 *    empty (or null) documents are skipped.
 *  - A document whose kind ends in "List" and whose items is an array (List,
 *    PodList, ...) contributes its items, each of which must be an object.
 *  - YAML scalars: quoted, block (| >) and !!str-tagged ones are strings. Plain
 *    ones follow Kubernetes (go-yaml v2) where it matters: "", ~, null/Null/NULL
 *    are null; true/false (also True, TRUE...) are booleans; integers may be
 *    decimal, 0x hex, 0b binary, 0o or leading-0 octal (mode: 0644 is 420, as in
 *    Kubernetes); floats look like 1.5, .5, 1e3, so `version: 1.10` is the
 *    number 1.1 (quote it to keep "1.10"); everything else is a string (500m,
 *    yes/no/on/off, 1_000, .inf). Integers beyond int64 become floats. Keys are
 *    always strings, as written.
 *  - Anchors and aliases are resolved (each alias is a deep copy). Aliases may
 *    add at most TUG_MANIFEST_MAX_ALIAS_NODES values per file, which stops
 *    "billion laughs". Merge keys (<<) and duplicate keys are errors.
 *  - Nesting is limited to TUG_MANIFEST_MAX_DEPTH, values per file to
 *    TUG_MANIFEST_MAX_NODES, and input size to TUG_MANIFEST_MAX_BYTES.
 *  - Directories: files ending in .yaml, .yml or .json, sorted by name;
 *    subdirectories (not symlinks to them) only when recursive. A file named
 *    explicitly is read whatever its name.
 *
 * Syntax errors read "web.yaml:7:3: mapping values are not allowed in this
 * context" (1-based line and column); other errors name the file, document
 * and line: "web.yaml: document 2 (line 14): missing kind". Codes: TUG_E_PARSE
 * for bad input, errno values for I/O.
 */
#ifndef TUG_MANIFEST_H
#define TUG_MANIFEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"

enum {
  TUG_MANIFEST_MAX_BYTES = 64 << 20,
  TUG_MANIFEST_MAX_DEPTH = 128,
  TUG_MANIFEST_MAX_NODES = 1000000,
  TUG_MANIFEST_MAX_ALIAS_NODES = 100000,
};

/* Where one decoded object came from. */
typedef struct tug_manifest_origin {
  char *file;   /* path as given or joined ("dir/web.yaml"), "<stdin>", or the buffer name */
  int document; /* 1-based index of the YAML document or JSON value within the file */
  int item;     /* 1-based index within a List's items; 0 when not from a List */
  int line;     /* 1-based line where the object starts */
} tug_manifest_origin;

/*
 * Decode buf (len bytes; need not be NUL-terminated). name is used in messages
 * and origins. On success *out_array is a new array of objects and, when
 * out_origins is not NULL, *out_origins has one entry per object (free with
 * tug_manifest_origins_free). On failure both stay NULL.
 */
int tug_manifest_decode_buffer(const char *buf, size_t len, const char *name, json_t **out_array,
                               tug_manifest_origin **out_origins, tug_error *err);

/* Decode a file, a directory (see above) or, for "-", standard input. */
int tug_manifest_decode_path(const char *path, bool recursive, json_t **out_array,
                             tug_manifest_origin **out_origins, tug_error *err);

void tug_manifest_origins_free(tug_manifest_origin *origins, size_t n);

#endif
