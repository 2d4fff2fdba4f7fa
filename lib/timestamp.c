/*
 * timestamp.c — see timestamp.h.
 */
#include "timestamp.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *tug_time_format(time_t t, char *buf, size_t size) {
  struct tm tm;
  gmtime_r(&t, &tm);
  if (strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0 && size > 0)
    buf[0] = '\0';
  return buf;
}

const char *tug_time_format_micro(const struct timespec *ts, char *buf, size_t size) {
  char secs[32];
  tug_time_format(ts->tv_sec, secs, sizeof secs);
  snprintf(buf, size, "%.19s.%06ldZ", secs, ts->tv_nsec / 1000);
  return buf;
}

const char *tug_time_now(char *buf, size_t size) {
  return tug_time_format(time(NULL), buf, size);
}

const char *tug_time_now_micro(char *buf, size_t size) {
  struct timespec ts;
  struct tm tm;
  char whole[TUG_TIME_BUFSIZE];
  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  strftime(whole, sizeof whole, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf, size, "%s.%06ldZ", whole, ts.tv_nsec / 1000);
  return buf;
}

double tug_time_parse(const char *s) {
  static const char shape[] = "dddd-dd-ddTdd:dd:dd";
  size_t n = sizeof shape - 1;
  if (s == NULL || strlen(s) < n + 1)
    return -1;
  for (size_t i = 0; i < n; i++)
    if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != shape[i])
      return -1;
  double fraction = 0;
  const char *rest = s + n;
  if (*rest == '.') {
    const char *digits = rest;
    for (rest++; isdigit((unsigned char)*rest); rest++)
      ;
    fraction = strtod(digits, NULL);
  }
  if (strcmp(rest, "Z") != 0)
    return -1;
  int year, mon, mday, hour, min, sec;
  sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &year, &mon, &mday, &hour, &min, &sec);
  if (mon < 1 || mon > 12 || mday < 1 || mday > 31 || hour > 23 || min > 59 || sec > 60)
    return -1;
  struct tm tm = {.tm_year = year - 1900,
                  .tm_mon = mon - 1,
                  .tm_mday = mday,
                  .tm_hour = hour,
                  .tm_min = min,
                  .tm_sec = sec};
  return (double)timegm(&tm) + fraction;
}
