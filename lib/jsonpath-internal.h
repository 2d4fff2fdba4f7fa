/*
 * jsonpath-internal.h — a parsed JSONPath template, shared by the parser
 * (jsonpath-parse.c) and the evaluator (jsonpath.c).
 *
 * A template is a body of segments: literal text, an action (a chain of
 * steps, each mapping a set of values to a set of values), or a range (an
 * action whose results each run an inner body, up to the matching {end}).
 */
#ifndef TUG_LIB_JSONPATH_INTERNAL_H
#define TUG_LIB_JSONPATH_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "jsonpath.h"

typedef enum {
  STEP_FIELD,
  STEP_WILDCARD,
  STEP_RECURSIVE,
  STEP_ARRAY,
  STEP_UNION,
  STEP_FILTER,
  STEP_LITERAL
} step_kind;

typedef struct step step;
typedef struct chain {
  step *v;
  size_t n, cap;
} chain;

struct step {
  step_kind kind;
  char *name;      /* FIELD */
  json_t *literal; /* LITERAL */
  long idx[3];     /* ARRAY: start, end, step */
  bool known[3];
  bool derived; /* ARRAY: [i], one element */
  chain *alts;  /* UNION */
  size_t nalts, cap_alts;
  chain left, right; /* FILTER; op "" means "left exists" */
  char op[3];
};

typedef enum { SEG_TEXT, SEG_ACTION, SEG_RANGE } seg_kind;

typedef struct segment segment;
typedef struct body {
  segment *v;
  size_t n, cap;
} body;

struct segment {
  seg_kind kind;
  char *text; /* TEXT */
  chain expr; /* ACTION, RANGE */
  body inner; /* RANGE */
};

struct tug_jsonpath {
  body top;
};

#endif
