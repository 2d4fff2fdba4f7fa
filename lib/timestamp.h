/*
 * timestamp.h — the API's wall-clock timestamps: Time ("2024-05-01T10:00:00Z")
 * and MicroTime ("2024-05-01T10:00:00.123456Z"), always UTC.
 *
 * Controllers compare these with "now" to honour deadlines written in objects
 * (a taint's timeAdded, a condition's lastUpdateTime, a Job's startTime).
 */
#ifndef TUG_TIMESTAMP_H
#define TUG_TIMESTAMP_H

#include <stddef.h>
#include <time.h>

enum { TUG_TIME_BUFSIZE = 40 };

/* "2024-05-01T10:00:00Z". Returns buf. */
const char *tug_time_format(time_t t, char *buf, size_t size);
/* MicroTime: "2024-05-01T10:00:00.123456Z" for ts (CLOCK_REALTIME). Returns buf. */
const char *tug_time_format_micro(const struct timespec *ts, char *buf, size_t size);
/* The current time, as tug_time_format writes it. */
const char *tug_time_now(char *buf, size_t size);
/* "2024-05-01T10:00:00.123456Z" for the current time (a Lease's renewTime). Returns buf. */
const char *tug_time_now_micro(char *buf, size_t size);
/* Seconds since the epoch of a Time or MicroTime (fraction kept); -1 when s
 * is NULL or not of that shape. */
double tug_time_parse(const char *s);

#endif
