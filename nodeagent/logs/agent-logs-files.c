/*
 * agent-logs-files.c — a container's log series on disk (see agent-logs.h):
 * rotation by copytruncate, the previous container's series, and a reader
 * that starts at the series' last lines and can follow the live file.
 *
 * A follower notices a rotation by the inode at {c}.log.1 changing: the bytes
 * it had not read yet from the live file are then at the end of the new .1
 * (from the offset it had reached), and the live file goes on from 0. One
 * mutex keeps a rotation pass, keep_previous and a reader's opening from
 * renaming files under each other; the agent is the only process doing so.
 */
#include "agent-logs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"

static pthread_mutex_t series_mu = PTHREAD_MUTEX_INITIALIZER;

enum { COPY_ROUNDS = 4, SCAN_CHUNK = 16 * 1024 };

/* base for k == 0, base.k otherwise (callers checked that base fits). */
static bool part(char *buf, size_t size, const char *base, int k) {
  char suffix[16] = "";
  if (k > 0)
    snprintf(suffix, sizeof suffix, ".%d", k);
  size_t n = strlen(base), m = strlen(suffix);
  if (n + m >= size) {
    buf[0] = '\0';
    return false;
  }
  memcpy(buf, base, n);
  memcpy(buf + n, suffix, m + 1);
  return true;
}

static bool fits(const char *path, tug_error *err) {
  if (strlen(path) + 24 < PATH_MAX)
    return true;
  tug_error_set(err, ENAMETOOLONG, "log path %.64s…: too long", path);
  return false;
}

static bool has_suffix(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

bool agent_logs_container_of(const char *file, char *buf, size_t size) {
  size_t n = strlen(file);
  if (n <= 4 || !has_suffix(file, ".log") || has_suffix(file, ".previous.log") || file[0] == '.' ||
      n - 4 >= size)
    return false;
  memcpy(buf, file, n - 4);
  buf[n - 4] = '\0';
  return true;
}

static int min_int(int a, int b) {
  return a < b ? a : b;
}

static int clamp_files(int max_files) {
  if (max_files <= 0)
    max_files = AGENT_LOGS_DEFAULT_MAX_FILES;
  return max_files < 2 ? 2 : min_int(max_files, AGENT_LOGS_MAX_FILES_LIMIT);
}

/* Copy what from holds into to, again while a writer adds to it (a few rounds
 * at most, so that a flood cannot keep the rotation going). */
static int copy_all(int from, int to, const char *path, tug_error *err) {
  off_t copied = 0;
  for (int round = 0; round < COPY_ROUNDS; round++) {
    struct stat st;
    if (fstat(from, &st) < 0)
      return tug_error_errno(err, errno, "rotate %s: stat", path);
    if (st.st_size <= copied)
      return 0;
    while (copied < st.st_size) {
      ssize_t n = sendfile(to, from, &copied, (size_t)(st.st_size - copied));
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return tug_error_errno(err, errno, "rotate %s: copy", path);
      if (n == 0)
        break;
    }
  }
  return 0;
}

static int rename_if_there(const char *from, const char *to) {
  return rename(from, to) < 0 && errno != ENOENT ? -1 : 0;
}

static int unlink_if_there(const char *path) {
  return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}

/* Copy, truncate, then shift the parts and put the copy in place as .1: the
 * window in which lines can be lost is only between copy and truncate. */
static int rotate_locked(int fd, const char *path, int max_files, tug_error *err) {
  char tmp[PATH_MAX], from[PATH_MAX], to[PATH_MAX];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  _cleanup_close_ int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0640);
  if (out < 0)
    return tug_error_errno(err, errno, "rotate %s: create %s", path, tmp);
  if (copy_all(fd, out, path, err) < 0) {
    unlink(tmp);
    return -1;
  }
  if (ftruncate(fd, 0) < 0) {
    int saved = errno;
    unlink(tmp);
    return tug_error_errno(err, saved, "rotate %s: truncate", path);
  }
  part(to, sizeof to, path, max_files - 1);
  if (unlink_if_there(to) < 0)
    return tug_error_errno(err, errno, "rotate %s: remove %s", path, to);
  for (int k = max_files - 2; k >= 1; k--) {
    part(from, sizeof from, path, k);
    part(to, sizeof to, path, k + 1);
    if (rename_if_there(from, to) < 0)
      return tug_error_errno(err, errno, "rotate %s: rename %s", path, from);
  }
  part(to, sizeof to, path, 1);
  if (rename(tmp, to) < 0)
    return tug_error_errno(err, errno, "rotate %s: rename %s", path, tmp);
  return 0;
}

int agent_logs_rotate(const char *log_path, int64_t max_size, int max_files, tug_error *err) {
  if (!fits(log_path, err))
    return -1;
  _cleanup_close_ int fd = open(log_path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return errno == ENOENT ? 0 : tug_error_errno(err, errno, "rotate %s: open", log_path);
  struct stat st;
  if (fstat(fd, &st) < 0)
    return tug_error_errno(err, errno, "rotate %s: stat", log_path);
  if (!S_ISREG(st.st_mode) || st.st_size <= max_size)
    return 0;
  pthread_mutex_lock(&series_mu);
  int rc = rotate_locked(fd, log_path, clamp_files(max_files), err);
  pthread_mutex_unlock(&series_mu);
  return rc < 0 ? -1 : 1;
}

typedef struct rotation {
  int64_t max_size;
  int max_files;
} rotation;

static void rotate_pod_dir(const char *dir, const char *pod, void *arg) {
  (void)pod;
  const rotation *o = arg;
  DIR *d = opendir(dir);
  if (d == NULL)
    return;
  struct dirent *e;
  char name[256], path[PATH_MAX];
  while ((e = readdir(d)) != NULL) {
    if (!agent_logs_container_of(e->d_name, name, sizeof name))
      continue;
    if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path)
      continue;
    tug_error err = {0};
    int rc = agent_logs_rotate(path, o->max_size, o->max_files, &err);
    if (rc < 0)
      tug_warn("log rotation failed", "path=%s err=%s", path, TUG_LOG_ERR(&err));
    else if (rc > 0)
      tug_debug("log rotated", "path=%s", path);
  }
  closedir(d);
}

void agent_logs_each_pod(const char *root, void (*fn)(const char *dir, const char *name, void *arg),
                         void *arg) {
  char logs[PATH_MAX], dir[PATH_MAX + 256];
  snprintf(logs, sizeof logs, "%s/logs", root);
  DIR *d = opendir(logs);
  if (d == NULL)
    return;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.')
      continue;
    snprintf(dir, sizeof dir, "%s/%s", logs, e->d_name);
    fn(dir, e->d_name, arg);
  }
  closedir(d);
}

void agent_logs_rotate_all(const char *root, int64_t max_size, int max_files) {
  rotation o = {.max_size = max_size, .max_files = max_files};
  agent_logs_each_pod(root, rotate_pod_dir, &o);
}

int agent_logs_keep_previous(const char *log_path, tug_error *err) {
  if (!fits(log_path, err))
    return -1;
  if (!has_suffix(log_path, ".log"))
    return tug_error_set(err, EINVAL, "keep previous log: %s does not end in .log", log_path);
  char prev_base[PATH_MAX], from[PATH_MAX], to[PATH_MAX];
  snprintf(prev_base, sizeof prev_base, "%.*s.previous.log", (int)(strlen(log_path) - 4), log_path);
  int rc = 0;
  pthread_mutex_lock(&series_mu);
  for (int k = 0; k < AGENT_LOGS_MAX_FILES_LIMIT && rc == 0; k++) {
    part(to, sizeof to, prev_base, k);
    if (unlink_if_there(to) < 0)
      rc = tug_error_errno(err, errno, "keep previous log: remove %s", to);
  }
  for (int k = 0; k < AGENT_LOGS_MAX_FILES_LIMIT && rc == 0; k++) {
    part(from, sizeof from, log_path, k);
    part(to, sizeof to, prev_base, k);
    if (rename_if_there(from, to) < 0)
      rc = tug_error_errno(err, errno, "keep previous log: rename %s", from);
  }
  pthread_mutex_unlock(&series_mu);
  return rc;
}

/* ---- reading ---- */

typedef struct segment {
  int fd;
  off_t off;
} segment;

struct agent_logs_reader {
  char path[PATH_MAX];
  segment seg[AGENT_LOGS_MAX_FILES_LIMIT + 1]; /* oldest first; the last is the live file */
  int n, cur;
  ino_t rotated_ino; /* of path.1 when last looked, 0 when there was none */
  bool shrunk;       /* the live file was found shorter than our offset once */
  bool following;    /* else reading ends at end_at in the live file */
  off_t end_at;      /* its size at opening: a flood cannot make a read endless */
};

static ino_t ino_of(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 ? st.st_ino : 0;
}

static int open_series(agent_logs_reader *r, tug_error *err) {
  char p[PATH_MAX];
  int parts = 0;
  while (parts + 1 < AGENT_LOGS_MAX_FILES_LIMIT) {
    part(p, sizeof p, r->path, parts + 1);
    if (access(p, F_OK) < 0)
      break;
    parts++;
  }
  for (int k = parts; k >= 0; k--) {
    part(p, sizeof p, r->path, k);
    int fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 && (k == 0 || errno != ENOENT))
      return tug_error_errno(err, errno, "open log %s", p);
    if (fd >= 0)
      r->seg[r->n++] = (segment){.fd = fd};
  }
  part(p, sizeof p, r->path, 1);
  r->rotated_ino = ino_of(p);
  return 0;
}

/* Place cur/off after the n-th newline from the end, not counting a newline
 * that ends the series: a final newline ends the last line. */
static int seek_tail(agent_logs_reader *r, long n) {
  if (n < 0)
    return 0;
  char buf[SCAN_CHUNK];
  bool last_byte = true;
  long seen = 0;
  for (int i = r->n - 1; i >= 0; i--) {
    struct stat st;
    if (fstat(r->seg[i].fd, &st) < 0)
      return -1;
    if (n == 0) {
      r->cur = i;
      r->seg[i].off = st.st_size;
      return 0;
    }
    for (off_t pos = st.st_size; pos > 0;) {
      size_t want = pos < SCAN_CHUNK ? (size_t)pos : SCAN_CHUNK;
      ssize_t got = pread(r->seg[i].fd, buf, want, pos - (off_t)want);
      if (got != (ssize_t)want)
        return -1;
      pos -= (off_t)want;
      for (ssize_t j = got - 1; j >= 0; j--) {
        bool skip = last_byte && buf[j] == '\n';
        last_byte = false;
        if (!skip && buf[j] == '\n' && ++seen == n) {
          r->cur = i;
          r->seg[i].off = pos + j + 1;
          return 0;
        }
      }
    }
  }
  return 0;
}

static void close_segments(agent_logs_reader *r) {
  for (int i = 0; i < r->n; i++)
    if (r->seg[i].fd >= 0)
      close(r->seg[i].fd);
  r->n = r->cur = 0;
}

int agent_logs_reader_open(const char *log_path, long tail, agent_logs_reader **out,
                           tug_error *err) {
  if (!fits(log_path, err))
    return -1;
  agent_logs_reader *r = calloc(1, sizeof *r);
  if (r == NULL)
    return tug_error_set(err, ENOMEM, "open log %s", log_path);
  snprintf(r->path, sizeof r->path, "%s", log_path);
  pthread_mutex_lock(&series_mu);
  int rc = open_series(r, err);
  pthread_mutex_unlock(&series_mu);
  struct stat st;
  if (rc == 0 && fstat(r->seg[r->n - 1].fd, &st) == 0)
    r->end_at = st.st_size;
  if (rc == 0 && seek_tail(r, tail) < 0)
    rc = tug_error_errno(err, errno ? errno : EIO, "read log %s", log_path);
  if (rc < 0) {
    agent_logs_reader_close(r);
    return -1;
  }
  *out = r;
  return 0;
}

ssize_t agent_logs_reader_read(agent_logs_reader *r, char *buf, size_t max) {
  while (r->cur < r->n) {
    segment *s = &r->seg[r->cur];
    bool live = r->cur == r->n - 1;
    if (live && !r->following) {
      off_t left = r->end_at - s->off;
      if (left <= 0)
        return 0;
      if ((size_t)left < max)
        max = (size_t)left;
    }
    ssize_t got = pread(s->fd, buf, max, s->off);
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0)
      return -1;
    if (got > 0) {
      s->off += got;
      return got;
    }
    if (live)
      return 0;
    close(s->fd);
    s->fd = -1;
    r->cur++;
  }
  return 0;
}

static bool dir_exists(const char *path) {
  char dir[PATH_MAX];
  snprintf(dir, sizeof dir, "%s", path);
  char *slash = strrchr(dir, '/');
  if (slash)
    *slash = '\0';
  struct stat st;
  return stat(slash ? dir : ".", &st) == 0 && S_ISDIR(st.st_mode);
}

/* Only the live file is left to read, from off; first the rest of the part
 * at path.1 from from_off when one is given. */
static void restart_segments(agent_logs_reader *r, int part_fd, off_t from_off, int live_fd,
                             off_t live_off) {
  for (int i = 0; i < r->n; i++)
    if (r->seg[i].fd >= 0 && r->seg[i].fd != live_fd)
      close(r->seg[i].fd);
  r->n = r->cur = 0;
  if (part_fd >= 0)
    r->seg[r->n++] = (segment){.fd = part_fd, .off = from_off};
  r->seg[r->n++] = (segment){.fd = live_fd, .off = live_off};
  r->shrunk = false;
}

static void follow_rotation(agent_logs_reader *r, ino_t rot) {
  segment live = r->seg[r->n - 1];
  char p[PATH_MAX];
  part(p, sizeof p, r->path, 1);
  r->rotated_ino = rot;
  int fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  struct stat st;
  if (fd >= 0 && (fstat(fd, &st) < 0 || st.st_size <= live.off)) {
    close(fd);
    fd = -1;
  }
  restart_segments(r, fd, live.off, live.fd, 0);
}

int agent_logs_reader_follow(agent_logs_reader *r) {
  r->following = true;
  if (r->n == 0 || r->cur < r->n - 1)
    return 0;
  segment *live = &r->seg[r->n - 1];
  struct stat at_path, now;
  if (stat(r->path, &at_path) < 0)
    return dir_exists(r->path) ? 0 : -1;
  if (fstat(live->fd, &now) < 0)
    return -1;
  if (at_path.st_ino != now.st_ino || at_path.st_dev != now.st_dev) {
    /* A new container's file; the one we read to its end became .previous.log. */
    int fd = open(r->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
      return 0;
    close(live->fd);
    restart_segments(r, -1, 0, fd, 0);
    char p[PATH_MAX];
    part(p, sizeof p, r->path, 1);
    r->rotated_ino = ino_of(p);
    return 0;
  }
  char p[PATH_MAX];
  part(p, sizeof p, r->path, 1);
  ino_t rot = ino_of(p);
  if (rot != 0 && rot != r->rotated_ino) {
    follow_rotation(r, rot);
  } else if (now.st_size < live->off) {
    /* Truncated while .1 is not in place yet (a rotation between its two
     * steps), or by someone else: start over if it still is next time. */
    if (r->shrunk)
      live->off = 0;
    r->shrunk = !r->shrunk;
  }
  return 0;
}

void agent_logs_reader_close(agent_logs_reader *r) {
  if (r == NULL)
    return;
  close_segments(r);
  free(r);
}
