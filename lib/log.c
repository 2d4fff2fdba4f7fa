/* log.c — logfmt lines to stderr or a file; see log.h. */
#include "log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static const char *log_component = "tug";
static tug_log_level log_threshold = TUG_LOG_INFO;
static int log_fd = 2;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

static _Thread_local char thread_audit_id[64];

int tug_log_init(const char *component, tug_log_level level, const char *path) {
  log_component = component;
  log_threshold = level;
  if (path == NULL || strcmp(path, "-") == 0) {
    log_fd = 2;
    return 0;
  }
  int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0)
    return -1;
  log_fd = fd;
  return 0;
}

int tug_log_level_parse(const char *name) {
  for (int i = 0; i < 4; i++)
    if (strcasecmp(name, level_names[i]) == 0)
      return i;
  if (strcasecmp(name, "warning") == 0)
    return TUG_LOG_WARN;
  return -1;
}

int tug_log_enabled(tug_log_level level) {
  return level >= log_threshold;
}

const char *tug_log_quote(char *buf, size_t size, const char *s) {
  size_t o = 0;
  if (size < 3) {
    if (size)
      buf[0] = '\0';
    return buf;
  }
  buf[o++] = '"';
  for (; *s && o + 3 < size; s++) {
    char c = *s;
    if (c == '"' || c == '\\') {
      buf[o++] = '\\';
      buf[o++] = c;
    } else if (c == '\n') {
      buf[o++] = '\\';
      buf[o++] = 'n';
    } else {
      buf[o++] = c;
    }
  }
  buf[o++] = '"';
  buf[o] = '\0';
  return buf;
}

const char *tug_log_error(char *buf, size_t size, const tug_error *err) {
  tug_log_quote(buf, size > 80 ? size - 80 : size, err->msg); /* room for the ID */
  size_t n = strlen(buf);
  if (err->audit_id[0] && n < size)
    snprintf(buf + n, size - n, " audit_id=%s", err->audit_id);
  return buf;
}

void tug_log_set_audit_id(const char *id) {
  snprintf(thread_audit_id, sizeof thread_audit_id, "%s", id ? id : "");
}

void tug_log(tug_log_level level, const char *msg, const char *kv_fmt, ...) {
  if (!tug_log_enabled(level))
    return;
  char line[4096];
  struct timeval tv;
  struct tm tm;
  gettimeofday(&tv, NULL);
  gmtime_r(&tv.tv_sec, &tm);
  char quoted[1024];
  int n = snprintf(line, sizeof line,
                   "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ level=%s component=%s msg=%s",
                   tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                   (long)tv.tv_usec / 1000, level_names[level], log_component,
                   tug_log_quote(quoted, sizeof quoted, msg));
  if (kv_fmt != NULL && kv_fmt[0] != '\0' && n < (int)sizeof line - 2) {
    line[n++] = ' ';
    va_list ap;
    va_start(ap, kv_fmt);
    int m = vsnprintf(line + n, sizeof line - n, kv_fmt, ap);
    va_end(ap);
    n = m < 0 ? n : n + m;
  }
  if (thread_audit_id[0] && n < (int)sizeof line - 2) {
    int m = snprintf(line + n, sizeof line - n, " audit_id=%s", thread_audit_id);
    n = m < 0 ? n : n + m;
  }
  if (n > (int)sizeof line - 2)
    n = sizeof line - 2;
  line[n++] = '\n';
  ssize_t w = write(log_fd, line, n);
  (void)w;
}
