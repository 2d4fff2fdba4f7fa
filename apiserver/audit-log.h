/*
 * audit-log.h — the audit log backend: lines written to a file (or stdout)
 * by a thread of its own, so request threads only queue them.
 *
 * The queue holds at most queue_lines lines. When it is full (the disk does
 * not keep up), a blocking log makes the request thread wait for room, as
 * Kubernetes' default "blocking" mode does, and loses nothing; a batch log
 * drops the line and counts it, as Kubernetes' "batch" mode does, so requests
 * never wait on the disk. Dropped lines are apiserver_audit_error_total.
 *
 * Rotation by size, with lumberjack's rules as Kubernetes uses them: before a
 * line would take the file past max_bytes, it is renamed to
 * NAME-YYYY-MM-DDTHH-MM-SS.mmm.EXT (UTC) and a new one begun; beyond
 * max_backups old files (0: keep all) the oldest go, as do those older than
 * max_age_days (0: keep all). max_bytes 0 never rotates. "-" is stdout, which
 * never rotates.
 */
#ifndef TUG_APISERVER_AUDIT_LOG_H
#define TUG_APISERVER_AUDIT_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"

typedef struct api_audit_log_config {
  const char *path;
  int64_t max_bytes;
  int max_backups;
  int max_age_days;
  int queue_lines;
  bool blocking;
} api_audit_log_config;

typedef struct api_audit_log api_audit_log;

api_audit_log *api_audit_log_open(const api_audit_log_config *cfg, tug_error *err);
/* Write what is queued, then close. */
void api_audit_log_close(api_audit_log *l);
/* Queue one line (ending in '\n'), which the log now owns. */
void api_audit_log_write(api_audit_log *l, char *line);

typedef struct api_audit_log_stats {
  uint64_t written;     /* lines written */
  uint64_t dropped;     /* lines dropped: queue full in batch mode, or a write failed */
  uint64_t rotations;   /* files begun by rotation */
  unsigned queue_depth; /* lines waiting now */
} api_audit_log_stats;

void api_audit_log_stats_get(api_audit_log *l, api_audit_log_stats *out);

#endif
