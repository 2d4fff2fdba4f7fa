/*
 * agent-time.c — Time and MicroTime, always in UTC: Time through lib/timestamp.h,
 * under the names the agent has always used.
 */
#include <stdio.h>

#include "agent-time.h"
#include "timestamp.h"

const char *agent_time_format(time_t t, char *buf, size_t size) {
  return tug_time_format(t, buf, size);
}

const char *agent_time_format_micro(const struct timespec *ts, char *buf, size_t size) {
  return tug_time_format_micro(ts, buf, size);
}

time_t agent_time_parse(const char *s) {
  double t = tug_time_parse(s);
  return t < 0 ? -1 : (time_t)t;
}
