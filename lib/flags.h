/*
 * flags.h — every daemon's command line from one table.
 *
 * The one idea: a flag is a row (name, type, where its value goes, bounds,
 * help), so parsing, range checks, error messages and the usage text come
 * from the same place and cannot disagree. Defaults are whatever the fields
 * hold before parsing; the usage text shows them.
 *
 *   static const tug_flag flags[] = {
 *       {"server", TUG_FLAG_STRING, &c->server, .arg = "URL", .help = "API server"},
 *       {"workers", TUG_FLAG_INT, &c->workers, .min = 1, .max = 256, .help = "..."},
 *       {"node-grace", TUG_FLAG_DURATION, &c->grace_s, .max = 86400, .help = "..."},
 *       {0}};
 *   if (tug_flags_parse(flags, argc, argv, &err) < 0) ... err.msg names the flag
 *
 * Values: INT and INT64 are decimal integers within [min, max] (both 0: no
 * bound); DURATION is seconds as a number ("30", "0.5") or with units
 * ("250ms", "5m", "1h30m"), within [min, max] seconds; QUANTITY is a
 * Kubernetes quantity ("128Mi", "2") and MILLI one read in thousandths
 * ("500m" cpu); BOOL takes no value ("--x" sets true). A flag may be given
 * as "--name value" or "--name=value".
 */
#ifndef TUG_FLAGS_H
#define TUG_FLAGS_H

#include <stdint.h>
#include <stdio.h>

#include "error.h"

typedef enum tug_flag_type {
  TUG_FLAG_STRING,   /* const char ** (points into argv) */
  TUG_FLAG_BOOL,     /* bool * */
  TUG_FLAG_INT,      /* int * */
  TUG_FLAG_INT64,    /* int64_t * */
  TUG_FLAG_DURATION, /* double *, seconds */
  TUG_FLAG_QUANTITY, /* int64_t *, the quantity's value */
  TUG_FLAG_MILLI,    /* int64_t *, the quantity in thousandths */
} tug_flag_type;

typedef struct tug_flag {
  const char *name; /* without the leading "--"; NULL ends the table */
  tug_flag_type type;
  void *field;
  double min, max;  /* bounds for numbers and durations; both 0: none */
  const char *arg;  /* the value's name in the usage text ("URL", "N") */
  const char *help; /* one line */
} tug_flag;

/*
 * Parse argv[1..] into the table's fields. "--help" or "-h" prints the usage
 * to stdout and returns 1 (the caller exits 0). An unknown flag, a missing or
 * bad value, or a stray argument is -1 with err naming the flag and what it
 * wants ("--compaction-interval: \"5x\" is not a duration (30, 250ms, 5m,
 * 1h30m)").
 */
int tug_flags_parse(const char *program, const char *summary, const tug_flag *flags, int argc,
                    char **argv, tug_error *err);

/* "usage: PROGRAM [flags]", the summary, then one line per flag with its
 * default. */
void tug_flags_usage(FILE *f, const char *program, const char *summary, const tug_flag *flags);

/* A duration as tug_flags reads it, into seconds. */
int tug_flags_duration(const char *s, double *seconds);

#endif
