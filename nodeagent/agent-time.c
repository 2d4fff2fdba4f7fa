/*
 * agent-time.c — Time and MicroTime formatting, always in UTC.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "agent-time.h"

const char *agent_time_format(time_t t, char *buf, size_t size) {
  struct tm tm;
  gmtime_r(&t, &tm);
  if (strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0 && size > 0)
    buf[0] = '\0';
  return buf;
}

const char *agent_time_format_micro(const struct timespec *ts, char *buf, size_t size) {
  struct tm tm;
  char secs[32];
  gmtime_r(&ts->tv_sec, &tm);
  strftime(secs, sizeof secs, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf, size, "%s.%06ldZ", secs, ts->tv_nsec / 1000);
  return buf;
}

time_t agent_time_parse(const char *s) {
  static const char shape[] = "dddd-dd-ddTdd:dd:dd";
  size_t n = strlen(shape);
  if (s == NULL || strlen(s) < n + 1)
    return -1;
  for (size_t i = 0; i < n; i++)
    if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != shape[i])
      return -1;
  const char *rest = s + n;
  if (*rest == '.')
    for (rest++; isdigit((unsigned char)*rest); rest++)
      ;
  if (strcmp(rest, "Z") != 0)
    return -1;
  struct tm tm = {0};
  sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
         &tm.tm_min, &tm.tm_sec);
  if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
      tm.tm_min > 59 || tm.tm_sec > 60)
    return -1;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return timegm(&tm);
}
