/*
 * table-time.c — time the way kubectl prints it: RFC 3339 timestamps read into
 * seconds since the epoch, ages in Kubernetes' HumanDuration form ("5m30s",
 * "2d3h"), and the clock ages are measured against, replaceable so that tests
 * can pin "now".
 *
 * Dates convert with plain civil-calendar arithmetic rather than timegm so that
 * Go's zero time (year 1), which is what an unset timestamp reads as, is exact.
 */
#include "table-internal.h"
#include "table.h"

#include <inttypes.h>
#include <stdio.h>

static time_t (*table_clock)(void);

void api_table_set_clock(time_t (*now)(void)) {
  table_clock = now;
}

time_t table_now(void) {
  return table_clock ? table_clock() : time(NULL);
}

/* ---- parsing ---- */

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : days[m - 1];
}

/* Reads exactly n digits at *p. */
static bool read_digits(const char **p, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    char c = (*p)[i];
    if (c < '0' || c > '9')
      return false;
    v = v * 10 + (c - '0');
  }
  *p += n;
  *out = v;
  return true;
}

static bool read_char(const char **p, char c) {
  if (**p != c)
    return false;
  (*p)++;
  return true;
}

/* "Z" or "+hh:mm"/"-hh:mm" as seconds east of UTC. */
static bool read_offset(const char **p, int64_t *offset) {
  if (read_char(p, 'Z')) {
    *offset = 0;
    return true;
  }
  int sign = **p == '+' ? 1 : **p == '-' ? -1 : 0;
  int hh, mm;
  if (sign == 0)
    return false;
  (*p)++;
  if (!read_digits(p, 2, &hh) || !read_char(p, ':') || !read_digits(p, 2, &mm) || hh > 23 ||
      mm > 59)
    return false;
  *offset = sign * (hh * 3600 + mm * 60);
  return true;
}

/* Fractional seconds are read and dropped: ages are whole seconds. */
static void skip_fraction(const char **p) {
  if (**p != '.' || (*p)[1] < '0' || (*p)[1] > '9')
    return;
  (*p)++;
  while (**p >= '0' && **p <= '9')
    (*p)++;
}

bool table_parse_time(const char *s, int64_t *out) {
  int y, mo, d, h, mi, sec;
  int64_t offset;
  const char *p = s;
  if (s == NULL || !read_digits(&p, 4, &y) || !read_char(&p, '-') || !read_digits(&p, 2, &mo) ||
      !read_char(&p, '-') || !read_digits(&p, 2, &d) || !read_char(&p, 'T') ||
      !read_digits(&p, 2, &h) || !read_char(&p, ':') || !read_digits(&p, 2, &mi) ||
      !read_char(&p, ':') || !read_digits(&p, 2, &sec))
    return false;
  skip_fraction(&p);
  if (!read_offset(&p, &offset) || *p != '\0')
    return false;
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 59)
    return false;
  *out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
  return true;
}

int64_t api_age_seconds(const char *rfc3339, time_t now) {
  int64_t t;
  if (!table_parse_time(rfc3339, &t))
    return -1;
  int64_t age = (int64_t)now - t;
  return age == -1 ? 0 : age;
}

/* ---- printing ---- */

const char *api_human_duration(int64_t seconds, char *buf, size_t size) {
  int64_t minutes = seconds / 60, hours = seconds / 3600, days = hours / 24;
  if (seconds < -1)
    snprintf(buf, size, "<invalid>");
  else if (seconds < 0)
    snprintf(buf, size, "0s");
  else if (seconds < 60 * 2)
    snprintf(buf, size, "%" PRId64 "s", seconds);
  else if (minutes < 10 && seconds % 60 != 0)
    snprintf(buf, size, "%" PRId64 "m%" PRId64 "s", minutes, seconds % 60);
  else if (minutes < 60 * 3)
    snprintf(buf, size, "%" PRId64 "m", minutes);
  else if (hours < 8 && minutes % 60 != 0)
    snprintf(buf, size, "%" PRId64 "h%" PRId64 "m", hours, minutes % 60);
  else if (hours < 48)
    snprintf(buf, size, "%" PRId64 "h", hours);
  else if (hours < 24 * 8 && hours % 24 != 0)
    snprintf(buf, size, "%" PRId64 "d%" PRId64 "h", days, hours % 24);
  else if (hours < 24 * 365 * 2)
    snprintf(buf, size, "%" PRId64 "d", days);
  else if (hours < 24 * 365 * 8 && days % 365 != 0)
    snprintf(buf, size, "%" PRId64 "y%" PRId64 "d", days / 365, days % 365);
  else
    snprintf(buf, size, "%" PRId64 "y", days / 365);
  return buf;
}

const char *table_since(const char *ts, char *buf, size_t size) {
  int64_t t;
  if (!table_parse_time(ts, &t) || t == TABLE_ZERO_TIME) {
    snprintf(buf, size, "<unknown>");
    return buf;
  }
  return api_human_duration((int64_t)table_now() - t, buf, size);
}
