/*
 * flags.c — command lines from a table (see flags.h).
 */
#include "flags.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "quantity.h"

static bool bounded(const tug_flag *f) {
  return f->min != 0 || f->max != 0;
}

static int out_of_range(const tug_flag *f, const char *value, tug_error *err) {
  return tug_error_set(err, ERANGE, "--%s: %s is out of range %.15g..%.15g", f->name, value, f->min,
                       f->max);
}

static int parse_integer(const tug_flag *f, const char *value, int64_t *out, tug_error *err) {
  char *end;
  errno = 0;
  long long v = strtoll(value, &end, 10);
  if (errno || end == value || *end)
    return tug_error_set(err, EINVAL, "--%s: \"%s\" is not an integer", f->name, value);
  if (bounded(f) && ((double)v < f->min || (double)v > f->max))
    return out_of_range(f, value, err);
  *out = v;
  return 0;
}

int tug_flags_duration(const char *s, double *seconds) {
  char *end;
  errno = 0;
  double plain = strtod(s, &end);
  if (errno == 0 && end != s && *end == '\0' && isfinite(plain)) {
    *seconds = plain;
    return 0;
  }
  static const struct {
    const char *unit;
    double seconds;
  } units[] = {{"ms", 0.001}, {"s", 1}, {"m", 60}, {"h", 3600}};
  double total = 0;
  const char *p = s;
  if (*p == '\0')
    return -1;
  while (*p) {
    double v = strtod(p, &end);
    if (end == p || v < 0 || !isfinite(v))
      return -1;
    size_t i, n = sizeof units / sizeof units[0];
    for (i = 0; i < n; i++) /* "ms" before "m" and "s" */
      if (strncmp(end, units[i].unit, strlen(units[i].unit)) == 0)
        break;
    if (i == n)
      return -1;
    total += v * units[i].seconds;
    p = end + strlen(units[i].unit);
  }
  *seconds = total;
  return 0;
}

static int set_value(const tug_flag *f, const char *value, tug_error *err) {
  int64_t i64;
  double d;
  tug_error qerr = {0};
  switch (f->type) {
  case TUG_FLAG_STRING:
    *(const char **)f->field = value;
    return 0;
  case TUG_FLAG_BOOL:
    *(bool *)f->field = true;
    return 0;
  case TUG_FLAG_INT:
    if (parse_integer(f, value, &i64, err) < 0)
      return -1;
    if (i64 < INT32_MIN || i64 > INT32_MAX)
      return out_of_range(f, value, err);
    *(int *)f->field = (int)i64;
    return 0;
  case TUG_FLAG_INT64:
    return parse_integer(f, value, (int64_t *)f->field, err);
  case TUG_FLAG_DURATION:
    if (tug_flags_duration(value, &d) < 0)
      return tug_error_set(err, EINVAL,
                           "--%s: \"%s\" is not a duration (30, 0.5, 250ms, 5m, 1h30m)", f->name,
                           value);
    if (bounded(f) && (d < f->min || d > f->max))
      return out_of_range(f, value, err);
    *(double *)f->field = d;
    return 0;
  case TUG_FLAG_QUANTITY:
  case TUG_FLAG_MILLI:
    if ((f->type == TUG_FLAG_MILLI ? tug_quantity_parse_milli(value, 0, &i64, &qerr)
                                   : tug_quantity_parse_value(value, 0, &i64, &qerr)) < 0)
      return tug_error_set(err, EINVAL, "--%s: %s", f->name, qerr.msg);
    if (bounded(f) && ((double)i64 < f->min || (double)i64 > f->max))
      return out_of_range(f, value, err);
    *(int64_t *)f->field = i64;
    return 0;
  }
  return tug_error_set(err, EINVAL, "--%s: unknown flag type", f->name);
}

static const tug_flag *find(const tug_flag *flags, const char *name, size_t len) {
  for (const tug_flag *f = flags; f->name; f++)
    if (strlen(f->name) == len && strncmp(f->name, name, len) == 0)
      return f;
  return NULL;
}

int tug_flags_parse(const char *program, const char *summary, const tug_flag *flags, int argc,
                    char **argv, tug_error *err) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      tug_flags_usage(stdout, program, summary, flags);
      return 1;
    }
    if (strncmp(a, "--", 2) != 0)
      return tug_error_set(err, EINVAL, "unexpected argument \"%s\"", a);
    const char *name = a + 2, *eq = strchr(name, '=');
    const tug_flag *f = find(flags, name, eq ? (size_t)(eq - name) : strlen(name));
    if (f == NULL)
      return tug_error_set(err, EINVAL, "unknown flag %.*s", (int)(eq ? eq - a : (long)strlen(a)),
                           a);
    const char *value = eq ? eq + 1 : NULL;
    if (f->type == TUG_FLAG_BOOL) {
      if (value)
        return tug_error_set(err, EINVAL, "--%s takes no value", f->name);
    } else if (value == NULL) {
      if (i + 1 >= argc)
        return tug_error_set(err, EINVAL, "--%s needs a value (%s)", f->name,
                             f->arg ? f->arg : "VALUE");
      value = argv[++i];
    }
    if (set_value(f, value, err) < 0)
      return -1;
  }
  return 0;
}

static void print_default(FILE *out, const tug_flag *f) {
  char buf[64];
  switch (f->type) {
  case TUG_FLAG_STRING:
    if (*(const char **)f->field)
      fprintf(out, " (default %s)", *(const char **)f->field);
    break;
  case TUG_FLAG_BOOL:
    break;
  case TUG_FLAG_INT:
    fprintf(out, " (default %d)", *(int *)f->field);
    break;
  case TUG_FLAG_INT64:
    fprintf(out, " (default %lld)", (long long)*(int64_t *)f->field);
    break;
  case TUG_FLAG_DURATION:
    fprintf(out, " (default %gs)", *(double *)f->field);
    break;
  case TUG_FLAG_QUANTITY:
    fprintf(out, " (default %s)", tug_quantity_format_bytes(*(int64_t *)f->field, buf, sizeof buf));
    break;
  case TUG_FLAG_MILLI:
    fprintf(out, " (default %s)", tug_quantity_format_milli(*(int64_t *)f->field, buf, sizeof buf));
    break;
  }
}

void tug_flags_usage(FILE *out, const char *program, const char *summary, const tug_flag *flags) {
  fprintf(out, "usage: %s [flags]\n\n%s\n\nflags:\n", program, summary ? summary : "");
  for (const tug_flag *f = flags; f->name; f++) {
    char left[64];
    snprintf(left, sizeof left, "--%s%s%s", f->name, f->type == TUG_FLAG_BOOL ? "" : " ",
             f->type == TUG_FLAG_BOOL ? "" : (f->arg ? f->arg : "VALUE"));
    /* A name too long for the column gets the help on a line of its own. */
    fprintf(out, strlen(left) > 34 ? "  %s\n  %34s %s" : "  %-34s%s %s", left, "",
            f->help ? f->help : "");
    print_default(out, f);
    fputc('\n', out);
  }
}
