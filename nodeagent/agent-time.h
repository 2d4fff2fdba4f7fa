/*
 * agent-time.h — wall-clock timestamps as the API writes them.
 *
 * Kubernetes has two shapes: Time (RFC 3339, whole seconds, "Z") for status
 * fields and MicroTime (six fractional digits) for Lease renewTime.
 */
#ifndef TUG_AGENT_TIME_H
#define TUG_AGENT_TIME_H

#include <stddef.h>
#include <time.h>

enum { AGENT_TIME_BUFSIZE = 40 };

/* "2024-05-01T10:00:00Z". Returns buf. */
const char *agent_time_format(time_t t, char *buf, size_t size);
/* "2024-05-01T10:00:00.123456Z" for ts (CLOCK_REALTIME). Returns buf. */
const char *agent_time_format_micro(const struct timespec *ts, char *buf, size_t size);
/* A Time ("2024-05-01T10:00:00Z", fractional seconds ignored) in seconds since
 * the epoch; -1 when s is NULL or not of that shape. */
time_t agent_time_parse(const char *s);

#endif
