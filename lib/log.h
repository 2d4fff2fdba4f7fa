/*
 * log.h — structured logging: one line per event, logfmt shaped.
 *
 *   ts=2026-11-24T01:02:03.456Z level=info component=scheduler msg="bound" pod=ns/a node=n1
 *
 * The component and threshold are set once per process; the key=value tail is a
 * printf format the caller writes (values that may hold spaces go in quotes via
 * tug_log_quote). Writes are a single write(2) per line, so lines from
 * several threads never interleave.
 */
#ifndef TUG_LOG_H
#define TUG_LOG_H

#include <stdio.h>

#include "error.h"

typedef enum { TUG_LOG_DEBUG, TUG_LOG_INFO, TUG_LOG_WARN, TUG_LOG_ERROR } tug_log_level;

/* path NULL or "-" logs to stderr. Returns -1 when the file cannot be opened. */
int tug_log_init(const char *component, tug_log_level level, const char *path);
/* "debug", "info", "warn"/"warning", "error" → level; -1 when unknown. */
int tug_log_level_parse(const char *name);
int tug_log_enabled(tug_log_level level);

void tug_log(tug_log_level level, const char *msg, const char *kv_fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define tug_debug(msg, ...) tug_log(TUG_LOG_DEBUG, msg, __VA_ARGS__)
#define tug_info(msg, ...) tug_log(TUG_LOG_INFO, msg, __VA_ARGS__)
#define tug_warn(msg, ...) tug_log(TUG_LOG_WARN, msg, __VA_ARGS__)
#define tug_errorlog(msg, ...) tug_log(TUG_LOG_ERROR, msg, __VA_ARGS__)

/* Write s as a logfmt-quoted value into buf ("a \"b\""), truncating to fit. */
const char *tug_log_quote(char *buf, size_t size, const char *s);

/*
 * s quoted for a log line, in a buffer that lives as long as the enclosing
 * block: tug_info("pulled", "image=%s", TUG_LOG_Q(ref)). Every error goes
 * through it (or through TUG_LOG_ERR below, for a tug_error) as err=...,
 * never as "err=\"%s\"" by hand: messages hold quotes, and a raw one breaks
 * the line for logfmt readers (scripts/lint.sh refuses the hand-written form).
 */
enum { TUG_LOG_QUOTE_MAX = 512 };
#define TUG_LOG_Q(s) tug_log_quote((char[TUG_LOG_QUOTE_MAX]){0}, TUG_LOG_QUOTE_MAX, (s))

/*
 * An error for err=%s: its message quoted and, when the API server answered
 * the call that failed, the answer's Audit-Id as one more pair:
 *   tug_warn("bind failed", "pod=%s err=%s", key, TUG_LOG_ERR(&err))
 *   ... pod=ns/a err="pods \"a\" not found" audit_id=0b7c...
 * so a failed call is found in the server's audit log and its own log lines.
 */
const char *tug_log_error(char *buf, size_t size, const tug_error *err);
#define TUG_LOG_ERR(e) tug_log_error((char[TUG_LOG_QUOTE_MAX + 80]){0}, TUG_LOG_QUOTE_MAX + 80, (e))

/*
 * The Audit-Id of the request this thread is serving (the API server sets it
 * while it handles one): every line the thread logs meanwhile ends with
 * audit_id=ID. NULL clears it. At most 63 bytes are kept.
 */
void tug_log_set_audit_id(const char *id);

#endif
