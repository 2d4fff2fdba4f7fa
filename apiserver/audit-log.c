/*
 * audit-log.c — the audit log's queue, writer thread and rotation; see audit-log.h.
 *
 * The queue is a ring of line pointers under one mutex. The writer takes
 * everything queued at once and writes it after letting go of the mutex, so
 * request threads wait on it only to store a pointer, never across I/O.
 */
#include "audit-log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

struct api_audit_log {
  api_audit_log_config cfg;
  char *path;
  int fd;
  int64_t size; /* of the current file */
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t has_lines, has_room;
  char **ring;
  unsigned head, count; /* lines queued: ring[head .. head+count) mod queue_lines */
  bool closing;
  bool writer_idle; /* waiting for lines: the next line must wake it */
  api_audit_log_stats stats;
};

static int open_file(api_audit_log *l, tug_error *err) {
  if (strcmp(l->path, "-") == 0) {
    l->fd = STDOUT_FILENO;
    return 0;
  }
  l->fd = open(l->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (l->fd < 0)
    return tug_error_errno(err, errno, "open audit log %s", l->path);
  struct stat st;
  l->size = fstat(l->fd, &st) == 0 ? st.st_size : 0;
  return 0;
}

/* NAME.EXT → NAME and .EXT (EXT may be empty), for backup names. */
static void split_name(const char *base, char *stem, size_t size, const char **ext) {
  const char *dot = strrchr(base, '.');
  *ext = dot && dot != base ? dot : base + strlen(base);
  snprintf(stem, size, "%.*s", (int)(*ext - base), base);
}

static bool is_backup(const char *name, const char *stem, const char *ext) {
  size_t s = strlen(stem), e = strlen(ext), n = strlen(name);
  /* stem "-" 2026-12-07T18-44-30.123 ext */
  return n == s + 1 + 23 + e && strncmp(name, stem, s) == 0 && name[s] == '-' &&
         strcmp(name + n - e, ext) == 0;
}

static int compare_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Backups sort by name as by time, oldest first. */
static void prune_backups(api_audit_log *l) {
  if (l->cfg.max_backups <= 0 && l->cfg.max_age_days <= 0)
    return;
  char dirbuf[4096], basebuf[4096], stem[4096];
  snprintf(dirbuf, sizeof dirbuf, "%s", l->path);
  snprintf(basebuf, sizeof basebuf, "%s", l->path);
  const char *dir = dirname(dirbuf), *ext;
  split_name(basename(basebuf), stem, sizeof stem, &ext);
  DIR *d = opendir(dir);
  if (d == NULL)
    return;
  char **names = NULL;
  size_t n = 0;
  for (struct dirent *e; (e = readdir(d));)
    if (is_backup(e->d_name, stem, ext) && (names = realloc(names, (n + 1) * sizeof *names)))
      names[n++] = strdup(e->d_name);
  closedir(d);
  qsort(names, n, sizeof *names, compare_names);
  time_t cutoff = time(NULL) - (time_t)l->cfg.max_age_days * 86400;
  for (size_t i = 0; i < n; i++) {
    char full[8192];
    snprintf(full, sizeof full, "%s/%s", dir, names[i]);
    struct stat st;
    bool too_many = l->cfg.max_backups > 0 && n - i > (size_t)l->cfg.max_backups;
    bool too_old = l->cfg.max_age_days > 0 && stat(full, &st) == 0 && st.st_mtime < cutoff;
    if (too_many || too_old)
      unlink(full);
    free(names[i]);
  }
  free(names);
}

static void backup_name(const char *path, char *out, size_t size) {
  char stem[4096];
  const char *ext, *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  split_name(base, stem, sizeof stem, &ext);
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  char when[32];
  strftime(when, sizeof when, "%Y-%m-%dT%H-%M-%S", &tm);
  snprintf(out, size, "%.*s%s-%s.%03ld%s", (int)(base - path), path, stem, when,
           ts.tv_nsec / 1000000, ext);
}

static void rotate(api_audit_log *l) {
  char backup[8192];
  backup_name(l->path, backup, sizeof backup);
  close(l->fd);
  if (rename(l->path, backup) < 0)
    tug_warn("audit log rotation failed", "path=%s err=%s", l->path, TUG_LOG_Q(strerror(errno)));
  tug_error err = {0};
  if (open_file(l, &err) < 0) {
    tug_errorlog("audit log lost", "err=%s", TUG_LOG_ERR(&err));
    return;
  }
  l->size = 0;
  l->stats.rotations++;
  prune_backups(l);
}

static bool write_all(int fd, const char *data, size_t n) {
  for (size_t o = 0; o < n;) {
    ssize_t w = fd < 0 ? -1 : write(fd, data + o, n - o);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return false;
    o += (size_t)w;
  }
  return true;
}

/* Lines gathered for one write(2): a busy server's events cost a write each
 * otherwise, and the writer would compete with requests for the CPU. */
typedef struct pending {
  char *data;
  size_t len, cap;
  unsigned lines;
} pending;

enum { PENDING_MAX = 256 * 1024 };

/* Returns the lines written. */
static unsigned flush(api_audit_log *l, pending *p) {
  unsigned ok = 0;
  if (p->len > 0 && write_all(l->fd, p->data, p->len)) {
    l->size += (int64_t)p->len;
    ok = p->lines;
  }
  p->len = 0;
  p->lines = 0;
  return ok;
}

static void append(pending *p, const char *line, size_t n) {
  if (p->len + n > p->cap) {
    size_t cap = p->len + n > PENDING_MAX ? p->len + n : PENDING_MAX;
    char *d = realloc(p->data, cap);
    if (d == NULL)
      return;
    p->data = d;
    p->cap = cap;
  }
  memcpy(p->data + p->len, line, n);
  p->len += n;
  p->lines++;
}

/* Write lines, rotating before one would take the file past its size. */
static unsigned write_lines(api_audit_log *l, char **lines, unsigned n, pending *p) {
  bool rotates = strcmp(l->path, "-") != 0 && l->cfg.max_bytes > 0;
  unsigned ok = 0;
  for (unsigned i = 0; i < n; i++) {
    size_t len = strlen(lines[i]);
    int64_t size = l->size + (int64_t)p->len;
    if (rotates && size > 0 && size + (int64_t)len > l->cfg.max_bytes) {
      ok += flush(l, p);
      rotate(l);
    } else if (p->len + len > PENDING_MAX) {
      ok += flush(l, p);
    }
    append(p, lines[i], len);
    free(lines[i]);
  }
  return ok + flush(l, p);
}

/*
 * Waking the writer for each event cost a busy server more CPU in context
 * switches than the events themselves: after a batch that left the queue more
 * than half empty, the writer lets lines gather this long. Events reach the
 * file at most this late; the queue (10,000 lines by default) fills in that
 * time only beyond a million events a second.
 */
enum { GATHER_NS = 5 * 1000 * 1000 };

/* Take every queued line at once, so the mutex is never held across I/O. */
static void *writer_main(void *arg) {
  api_audit_log *l = arg;
  unsigned cap = (unsigned)l->cfg.queue_lines;
  char **batch = calloc(cap, sizeof *batch);
  pending p = {0};
  for (;;) {
    pthread_mutex_lock(&l->mu);
    while (l->count == 0 && !l->closing) {
      l->writer_idle = true;
      pthread_cond_wait(&l->has_lines, &l->mu);
    }
    l->writer_idle = false;
    unsigned n = l->count;
    for (unsigned i = 0; i < n; i++)
      batch[i] = l->ring[(l->head + i) % cap];
    l->head = (l->head + n) % cap;
    l->count = 0;
    bool done = l->closing && n == 0;
    pthread_cond_broadcast(&l->has_room);
    pthread_mutex_unlock(&l->mu);
    if (done)
      break;
    unsigned ok = write_lines(l, batch, n, &p);
    pthread_mutex_lock(&l->mu);
    l->stats.written += ok;
    l->stats.dropped += n - ok;
    pthread_mutex_unlock(&l->mu);
    if (n < cap / 2)
      nanosleep(&(struct timespec){.tv_nsec = GATHER_NS}, NULL);
  }
  free(batch);
  free(p.data);
  return NULL;
}

api_audit_log *api_audit_log_open(const api_audit_log_config *cfg, tug_error *err) {
  api_audit_log *l = calloc(1, sizeof *l);
  l->cfg = *cfg;
  if (l->cfg.queue_lines < 1)
    l->cfg.queue_lines = 1;
  l->path = strdup(cfg->path);
  l->ring = calloc((size_t)l->cfg.queue_lines, sizeof *l->ring);
  if (open_file(l, err) < 0) {
    free(l->ring);
    free(l->path);
    free(l);
    return NULL;
  }
  pthread_mutex_init(&l->mu, NULL);
  pthread_cond_init(&l->has_lines, NULL);
  pthread_cond_init(&l->has_room, NULL);
  pthread_create(&l->thread, NULL, writer_main, l);
  return l;
}

void api_audit_log_write(api_audit_log *l, char *line) {
  pthread_mutex_lock(&l->mu);
  while (l->cfg.blocking && l->count == (unsigned)l->cfg.queue_lines && !l->closing)
    pthread_cond_wait(&l->has_room, &l->mu);
  if (l->count == (unsigned)l->cfg.queue_lines || l->closing) {
    l->stats.dropped++;
    pthread_mutex_unlock(&l->mu);
    free(line);
    return;
  }
  l->ring[(l->head + l->count) % (unsigned)l->cfg.queue_lines] = line;
  l->count++;
  if (l->writer_idle)
    pthread_cond_signal(&l->has_lines);
  pthread_mutex_unlock(&l->mu);
}

void api_audit_log_stats_get(api_audit_log *l, api_audit_log_stats *out) {
  pthread_mutex_lock(&l->mu);
  *out = l->stats;
  out->queue_depth = l->count;
  pthread_mutex_unlock(&l->mu);
}

void api_audit_log_close(api_audit_log *l) {
  if (l == NULL)
    return;
  pthread_mutex_lock(&l->mu);
  l->closing = true;
  pthread_cond_broadcast(&l->has_lines);
  pthread_cond_broadcast(&l->has_room);
  pthread_mutex_unlock(&l->mu);
  pthread_join(l->thread, NULL);
  if (l->fd > STDERR_FILENO)
    close(l->fd);
  pthread_mutex_destroy(&l->mu);
  pthread_cond_destroy(&l->has_lines);
  pthread_cond_destroy(&l->has_room);
  free(l->ring);
  free(l->path);
  free(l);
}
