/*
 * cron.c — parsing cron schedules and finding their next run (see cron.h).
 */
#include "cron.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- parsing ---- */

typedef struct cron_field {
  const char *what;
  int min, max;
  const char *const *names; /* names[i] stands for min + i */
} cron_field;

static const char *const month_names[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul",
                                          "aug", "sep", "oct", "nov", "dec", NULL};
static const char *const dow_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL};

static const cron_field fields[5] = {
    {"minute", 0, 59, NULL},          {"hour", 0, 23, NULL},
    {"day of month", 1, 31, NULL},    {"month", 1, 12, month_names},
    {"day of week", 0, 6, dow_names},
};

/* A number or (for months and days) a name; -1 with err set otherwise. */
static int parse_value(const cron_field *f, const char *s, size_t n, tug_error *err) {
  for (int i = 0; f->names && f->names[i]; i++)
    if (n == strlen(f->names[i]) && strncasecmp(s, f->names[i], n) == 0)
      return f->min + i;
  if (n == 0 || n > 9 || strspn(s, "0123456789") < n)
    return tug_error_set(err, TUG_E_PARSE, "failed to parse int from %.*s", (int)n, s);
  return atoi(s);
}

/* One comma-separated part: `*`, `?`, a, a-b, each with an optional /step. */
static int parse_range(const cron_field *f, const char *s, size_t n, uint64_t *bits, bool *star,
                       tug_error *err) {
  const char *slash = memchr(s, '/', n);
  size_t head = slash ? (size_t)(slash - s) : n;
  const char *dash = memchr(s, '-', head);
  int lo, hi, step = 1;
  bool any = head == 1 && (s[0] == '*' || s[0] == '?');
  if (any) {
    lo = f->min, hi = f->max;
  } else {
    if ((lo = parse_value(f, s, dash ? (size_t)(dash - s) : head, err)) < 0)
      return -1;
    hi = lo;
    if (dash && (hi = parse_value(f, dash + 1, head - (size_t)(dash + 1 - s), err)) < 0)
      return -1;
  }
  if (slash) {
    if ((step = parse_value(f, slash + 1, n - head - 1, err)) < 0)
      return -1;
    if (step == 0)
      return tug_error_set(err, TUG_E_PARSE, "step of range should be a positive number: %.*s",
                           (int)n, s);
    if (!any && !dash)
      hi = f->max; /* "N/step" means N through the maximum */
  }
  if (lo < f->min)
    return tug_error_set(err, TUG_E_PARSE, "beginning of range (%d) below minimum (%d): %.*s", lo,
                         f->min, (int)n, s);
  if (hi > f->max)
    return tug_error_set(err, TUG_E_PARSE, "end of range (%d) above maximum (%d): %.*s", hi, f->max,
                         (int)n, s);
  if (lo > hi)
    return tug_error_set(err, TUG_E_PARSE, "beginning of range (%d) beyond end of range (%d): %.*s",
                         lo, hi, (int)n, s);
  for (int v = lo; v <= hi; v += step)
    *bits |= UINT64_C(1) << v;
  *star = *star || (any && step == 1);
  return 0;
}

static int parse_field(const cron_field *f, const char *s, uint64_t *bits, bool *star,
                       tug_error *err) {
  *bits = 0;
  *star = false;
  for (const char *p = s;;) {
    size_t n = strcspn(p, ",");
    if (parse_range(f, p, n, bits, star, err) < 0)
      return tug_error_wrap(err, "%s", f->what);
    if (p[n] == '\0')
      return 0;
    p += n + 1;
  }
}

/* "1h30m", "90s", "5m": Go's duration units that make sense for a schedule. */
static int parse_every(const char *s, int64_t *out, tug_error *err) {
  int64_t total = 0;
  const char *p = s;
  while (*p) {
    char *end;
    errno = 0;
    long long v = strtoll(p, &end, 10);
    int64_t unit = *end == 'h' ? 3600 : *end == 'm' ? 60 : *end == 's' ? 1 : 0;
    int64_t part;
    /* Digits only (strtoll would take spaces and signs), and a sum that fits:
     * the fuzzer's "@every 2s 2s7777...s" overflowed it. */
    if (end == p || *p < '0' || *p > '9' || errno == ERANGE || unit == 0 ||
        __builtin_mul_overflow(v, unit, &part) || __builtin_add_overflow(total, part, &total))
      return tug_error_set(err, TUG_E_PARSE, "failed to parse duration @every %s", s);
    p = end + 1;
  }
  if (total <= 0)
    return tug_error_set(err, TUG_E_PARSE, "failed to parse duration @every %s", s);
  *out = total;
  return 0;
}

/* The macros, as the five fields they stand for. */
static const struct {
  const char *name, *fields;
} macros[] = {
    {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"},
    {"@weekly", "0 0 * * 0"}, {"@daily", "0 0 * * *"},    {"@midnight", "0 0 * * *"},
    {"@hourly", "0 * * * *"},
};

static int parse_descriptor(const char *spec, tug_cron *out, tug_error *err) {
  for (size_t i = 0; i < sizeof macros / sizeof macros[0]; i++)
    if (strcmp(spec, macros[i].name) == 0)
      return tug_cron_parse(macros[i].fields, out, err);
  if (strncmp(spec, "@every ", 7) == 0)
    return parse_every(spec + 7, &out->every_s, err);
  return tug_error_set(err, TUG_E_PARSE, "unrecognized descriptor: %s", spec);
}

int tug_cron_parse(const char *spec, tug_cron *out, tug_error *err) {
  tug_cron c = {0};
  if (spec == NULL || spec[0] == '\0')
    return tug_error_set(err, TUG_E_PARSE, "empty spec string");
  if (spec[0] == '@') {
    if (parse_descriptor(spec, &c, err) < 0)
      return -1;
    *out = c;
    return 0;
  }
  char buf[256], *words[6], *save = NULL;
  int n = 0;
  snprintf(buf, sizeof buf, "%s", spec);
  for (char *w = strtok_r(buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
    if (n < 6)
      words[n++] = w;
    else
      n++;
  if (n != 5)
    return tug_error_set(err, TUG_E_PARSE, "expected exactly 5 fields, found %d: %s", n, spec);
  uint64_t *bits[5] = {&c.minute, &c.hour, &c.dom, &c.month, &c.dow};
  bool unused;
  bool *stars[5] = {&unused, &unused, &c.dom_star, &unused, &c.dow_star};
  for (int i = 0; i < 5; i++)
    if (parse_field(&fields[i], words[i], bits[i], stars[i], err) < 0)
      return -1;
  *out = c;
  return 0;
}

bool tug_cron_has_zone_prefix(const char *spec) {
  return spec && strstr(spec, "TZ") != NULL;
}

/* ---- zones ---- */

static const char *zoneinfo_dir(void) {
  const char *d = getenv("TZDIR");
  return d && d[0] ? d : "/usr/share/zoneinfo";
}

/* Kubernetes' check of each path element before loading: no ".", "..", or
 * leading '-', only [A-Za-z.-_0-9+], at most 14 characters. */
static bool zone_name_ok(const char *zone) {
  char buf[256];
  snprintf(buf, sizeof buf, "%s", zone);
  if (zone[0] == '\0' || strlen(zone) >= sizeof buf || zone[0] == '/')
    return false;
  char *save = NULL;
  for (char *part = strtok_r(buf, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
    size_t n = strlen(part);
    if (n > 14 || strcmp(part, ".") == 0 || strcmp(part, "..") == 0 || part[0] == '-' ||
        strspn(part, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.-_0123456789+") != n)
      return false;
  }
  return strstr(zone, "//") == NULL && zone[strlen(zone) - 1] != '/';
}

int tug_cron_zone_check(const char *zone, tug_error *err) {
  if (zone == NULL || !zone_name_ok(zone))
    return tug_error_set(err, TUG_E_PARSE, "unknown time zone %s", zone ? zone : "");
  char path[512], magic[4];
  snprintf(path, sizeof path, "%s/%s", zoneinfo_dir(), zone);
  FILE *f = fopen(path, "rb");
  size_t got = f ? fread(magic, 1, sizeof magic, f) : 0;
  if (f)
    fclose(f);
  if (got != sizeof magic || memcmp(magic, "TZif", 4) != 0)
    return tug_error_set(err, TUG_E_PARSE, "unknown time zone %s", zone);
  return 0;
}

/* ---- the next run ---- */

static pthread_mutex_t tz_mu = PTHREAD_MUTEX_INITIALIZER;
static bool tz_saved;
static char *tz_original; /* NULL: TZ was unset */
static char tz_current[300];

/* Make zone the C library's local zone; the caller holds tz_mu. */
static void use_zone(const char *zone) {
  if (!tz_saved) {
    const char *tz = getenv("TZ");
    tz_original = tz ? strdup(tz) : NULL;
    tz_saved = true;
  }
  char want[300];
  if (zone)
    snprintf(want, sizeof want, ":%s", zone);
  else
    snprintf(want, sizeof want, "%s", tz_original ? tz_original : "");
  if (strcmp(want, tz_current) == 0)
    return;
  snprintf(tz_current, sizeof tz_current, "%s", want);
  if (zone || tz_original)
    setenv("TZ", want, 1);
  else
    unsetenv("TZ");
  tzset();
}

static bool has(uint64_t bits, int v) {
  return (bits >> v) & 1;
}

static bool day_matches(const tug_cron *c, const struct tm *tm) {
  bool dom = has(c->dom, tm->tm_mday), dow = has(c->dow, tm->tm_wday);
  if (c->dom_star || c->dow_star)
    return dom && dow;
  return dom || dow;
}

/* Local midnight of the day `days` after tm's (day 1 of the next month when
 * next_month); mktime settles a midnight that a zone skips. */
static time_t local_midnight(const struct tm *tm, int days, bool next_month) {
  struct tm m = {
      .tm_year = tm->tm_year, .tm_mon = tm->tm_mon, .tm_mday = tm->tm_mday + days, .tm_isdst = -1};
  if (next_month)
    m.tm_mon++, m.tm_mday = 1;
  return mktime(&m);
}

/* One step towards the next run from t (a whole minute): t itself when it
 * matches, else a later instant no matching minute lies before. */
static time_t step(const tug_cron *c, time_t t, bool *match) {
  struct tm tm;
  localtime_r(&t, &tm);
  time_t next = t;
  *match = false;
  if (!has(c->month, tm.tm_mon + 1))
    next = local_midnight(&tm, 0, true);
  else if (!day_matches(c, &tm))
    next = local_midnight(&tm, 1, false);
  else if (!has(c->hour, tm.tm_hour))
    next = t + (60 - tm.tm_min) * 60 - tm.tm_sec;
  else if (!has(c->minute, tm.tm_min)) {
    int m = tm.tm_min + 1;
    while (m < 60 && !has(c->minute, m))
      m++;
    next = t + (m - tm.tm_min) * 60 - tm.tm_sec;
  } else
    *match = true;
  return next > t || *match ? next : t + 60;
}

time_t tug_cron_next(const tug_cron *c, const char *zone, time_t after) {
  if (c->every_s > 0)
    return after + c->every_s;
  time_t t = (after / 60 + 1) * 60, limit = after + (time_t)5 * 366 * 86400;
  pthread_mutex_lock(&tz_mu);
  use_zone(zone);
  bool match = false;
  while (t <= limit && !match) {
    time_t next = step(c, t, &match);
    if (!match)
      t = next;
  }
  pthread_mutex_unlock(&tz_mu);
  return match ? t : -1;
}

const char *tug_cron_format_time(time_t t, const char *zone, char *buf, size_t size) {
  struct tm tm;
  pthread_mutex_lock(&tz_mu);
  use_zone(zone);
  localtime_r(&t, &tm);
  pthread_mutex_unlock(&tz_mu);
  int off = (int)(tm.tm_gmtoff / 60);
  char tail[16] = "Z";
  if (off != 0)
    snprintf(tail, sizeof tail, "%c%02d:%02d", off < 0 ? '-' : '+', abs(off) / 60 % 100,
             abs(off) % 60);
  snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d%s", tm.tm_year + 1900, tm.tm_mon + 1,
           tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, tail);
  return buf;
}
