/*
 * cron.h — cron schedules as Kubernetes' CronJobs read them (the standard
 * five fields of robfig/cron, which Kubernetes uses): minute, hour, day of
 * month, month, day of week; names (JAN, MON), ranges, steps, lists, `?` for
 * `*`, and the macros @yearly @annually @monthly @weekly @daily @midnight
 * @hourly and `@every <duration>`.
 *
 * The one idea of tug_cron_next: the next run is the first whole minute after
 * a given instant whose wall-clock reading in the time zone matches. Time
 * moves in real seconds, so a wall-clock minute that a spring-forward skips
 * never runs and one that a fall-back repeats runs twice — what robfig/cron,
 * and so Kubernetes, does. When day of month and day of week are both
 * restricted, either may match (Vixie cron's rule); when one is `*`, both must.
 *
 * Zones come from the system's zoneinfo (TZDIR, else /usr/share/zoneinfo)
 * through the C library; the process's TZ is switched under a lock for each
 * computation, so callers on any thread may use different zones at once. The
 * rest of Tugboat formats times in UTC only, which the switch does not touch.
 */
#ifndef TUG_CRON_H
#define TUG_CRON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "error.h"

typedef struct tug_cron {
  uint64_t minute, hour, dom, month, dow; /* bit n: value n matches */
  bool dom_star, dow_star;                /* the field was `*` or `?` */
  int64_t every_s;                        /* @every: the period in seconds, else 0 */
} tug_cron;

/* Parse spec; -1 with TUG_E_PARSE and a robfig/cron-style message otherwise. */
int tug_cron_parse(const char *spec, tug_cron *out, tug_error *err);

/* Whether spec names a zone (it holds "TZ", as TZ= and CRON_TZ= prefixes do),
 * which Kubernetes refuses in favour of spec.timeZone. */
bool tug_cron_has_zone_prefix(const char *spec);

/* Whether zone is an IANA name with a zoneinfo file here; else -1 with
 * "unknown time zone <zone>" (Go's time.LoadLocation's message). */
int tug_cron_zone_check(const char *zone, tug_error *err);

/* The first run strictly after `after` in zone (NULL: the zone the process
 * started in, its TZ or /etc/localtime, as Kubernetes uses the controller
 * manager's); -1 when
 * there is none within five years (a 30th of February), as robfig/cron gives up. */
time_t tug_cron_next(const tug_cron *c, const char *zone, time_t after);

/* t as RFC 3339 in zone (NULL as above): "2024-05-01T12:00:00+02:00", or
 * "...Z" at offset zero, as Go formats it. Returns buf. */
const char *tug_cron_format_time(time_t t, const char *zone, char *buf, size_t size);

#endif
