/*
 * agent-time.c — Time and MicroTime formatting, always in UTC.
 */
#include <stdio.h>

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
