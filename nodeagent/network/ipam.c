/*
 * ipam.c — node-local pod addresses as files under one directory (see
 * ipam.h). Allocation is next-fit from the last address handed out, with
 * O_CREAT|O_EXCL deciding every race; lookups scan the directory, which holds
 * at most one file per address of the node's range.
 */
#include "ipam.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "netlink.h"

enum { PREFIX_MIN = 8, PREFIX_MAX = 30 };

struct agent_ipam {
  int dirfd;
  char dir[PATH_MAX];
  char range[32]; /* "" until set */
  uint32_t net;   /* host order */
  int prefix;
};

static void ip_text(uint32_t ip, char out[16]) {
  struct in_addr a = {.s_addr = htonl(ip)};
  inet_ntop(AF_INET, &a, out, 16);
}

/* A record's name: an address in its canonical text form. */
static bool record_name(const char *name, uint32_t *ip) {
  struct in_addr a;
  char canon[16];
  if (inet_pton(AF_INET, name, &a) != 1)
    return false;
  *ip = ntohl(a.s_addr);
  ip_text(*ip, canon);
  return strcmp(canon, name) == 0;
}

static bool uid_ok(const char *uid) {
  return uid && uid[0] && strlen(uid) < AGENT_IPAM_UID_MAX && !strpbrk(uid, "/\n");
}

/* A small file's text without its trailing newline; -1 with errno. */
static int read_text(int dirfd, const char *name, char *buf, size_t size) {
  _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  ssize_t n = read(fd, buf, size - 1);
  if (n < 0)
    return -1;
  buf[n] = '\0';
  buf[strcspn(buf, "\n")] = '\0';
  return 0;
}

/* Replace name's content whole: a reader sees the old text or the new. */
static int write_text(agent_ipam *m, const char *name, const char *text, tug_error *err) {
  char tmp[64];
  snprintf(tmp, sizeof tmp, ".%s.tmp", name);
  errno = 0;
  _cleanup_close_ int fd = openat(m->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  size_t len = strlen(text);
  if (fd < 0 || write(fd, text, len) != (ssize_t)len || fsync(fd) < 0 ||
      renameat(m->dirfd, tmp, m->dirfd, name) < 0) {
    int e = errno ? errno : EIO;
    unlinkat(m->dirfd, tmp, 0);
    return tug_error_errno(err, e, "write %s/%s", m->dir, name);
  }
  return 0;
}

static int parse_range(const char *cidr, uint32_t *net, int *prefix, char out[32]) {
  struct in_addr a;
  if (tug_cidr4_parse(cidr, &a, prefix) < 0 || *prefix < PREFIX_MIN || *prefix > PREFIX_MAX)
    return -1;
  *net = ntohl(a.s_addr) & (UINT32_MAX << (32 - *prefix));
  char text[16];
  ip_text(*net, text);
  snprintf(out, 32, "%s/%d", text, *prefix);
  return 0;
}

int agent_ipam_open(const char *dir, agent_ipam **out, tug_error *err) {
  if (dir == NULL || dir[0] == '\0' || strlen(dir) >= PATH_MAX)
    return tug_error_set(err, EINVAL, "open IPAM records: bad directory");
  if (mkdir(dir, 0755) < 0 && errno != EEXIST)
    return tug_error_errno(err, errno, "create IPAM directory %s", dir);
  agent_ipam *m = calloc(1, sizeof *m);
  if (m == NULL)
    return tug_error_errno(err, ENOMEM, "open IPAM records in %s", dir);
  snprintf(m->dir, sizeof m->dir, "%s", dir);
  m->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (m->dirfd < 0) {
    int e = errno;
    free(m);
    return tug_error_errno(err, e, "open IPAM directory %s", dir);
  }
  char stored[64];
  if (read_text(m->dirfd, "cidr", stored, sizeof stored) == 0 &&
      parse_range(stored, &m->net, &m->prefix, m->range) < 0) {
    agent_ipam_close(m);
    return tug_error_set(err, TUG_E_PARSE, "IPAM range in %s/cidr: bad CIDR \"%s\"", dir, stored);
  }
  *out = m;
  return 0;
}

void agent_ipam_close(agent_ipam *m) {
  if (m == NULL)
    return;
  if (m->dirfd >= 0)
    close(m->dirfd);
  free(m);
}

int agent_ipam_set_range(agent_ipam *m, const char *cidr, tug_error *err) {
  uint32_t net;
  int prefix;
  char range[32];
  if (parse_range(cidr, &net, &prefix, range) < 0)
    return tug_error_set(err, EINVAL, "pod CIDR \"%s\": not an IPv4 CIDR from /%d to /%d",
                         cidr ? cidr : "", PREFIX_MIN, PREFIX_MAX);
  if (m->range[0] && strcmp(m->range, range) != 0)
    return tug_error_set(err, TUG_E_CONFLICT,
                         "pod CIDR %s differs from %s that the IPAM records in %s are from "
                         "(remove the pod network first)",
                         range, m->range, m->dir);
  if (m->range[0] == '\0') {
    char text[40];
    snprintf(text, sizeof text, "%s\n", range);
    if (write_text(m, "cidr", text, err) < 0)
      return tug_error_wrap(err, "store pod CIDR");
    snprintf(m->range, sizeof m->range, "%s", range);
    m->net = net;
    m->prefix = prefix;
  }
  return 0;
}

const char *agent_ipam_range(const agent_ipam *m) {
  return m->range;
}

/* Call fn for every record until it returns non-zero; returns that, 0 at the
 * end, or -1 with errno when the directory cannot be read. */
static int each_record(agent_ipam *m, int (*fn)(const agent_ipam_record *r, void *arg), void *arg) {
  int fd = openat(m->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
  if (d == NULL) {
    if (fd >= 0)
      close(fd);
    return -1;
  }
  int rc = 0;
  struct dirent *de;
  while (rc == 0 && (de = readdir(d)) != NULL) {
    agent_ipam_record r;
    uint32_t ip;
    if (!record_name(de->d_name, &ip))
      continue;
    ip_text(ip, r.ip);
    if (read_text(m->dirfd, de->d_name, r.uid, sizeof r.uid) < 0)
      continue; /* released meanwhile */
    rc = fn(&r, arg);
  }
  closedir(d);
  return rc;
}

typedef struct find_uid {
  const char *uid;
  char *ip;
} find_uid;

static int match_uid(const agent_ipam_record *r, void *arg) {
  find_uid *f = arg;
  if (strcmp(r->uid, f->uid) != 0)
    return 0;
  snprintf(f->ip, 16, "%s", r->ip);
  return 1;
}

int agent_ipam_lookup(agent_ipam *m, const char *uid, char ip[16]) {
  if (!uid_ok(uid))
    return 0;
  find_uid f = {.uid = uid, .ip = ip};
  return each_record(m, match_uid, &f);
}

/* Take ip for uid: 1 taken, 0 held by another, -1 error. */
static int take(agent_ipam *m, uint32_t ip, const char *uid, char out[16], tug_error *err) {
  char name[16];
  ip_text(ip, name);
  int fd = openat(m->dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0 && errno == EEXIST)
    return 0;
  if (fd < 0)
    return tug_error_errno(err, errno, "create IPAM record %s/%s", m->dir, name);
  char text[AGENT_IPAM_UID_MAX + 1];
  size_t len = (size_t)snprintf(text, sizeof text, "%s\n", uid);
  errno = 0;
  bool written = write(fd, text, len) == (ssize_t)len;
  int e = errno ? errno : EIO;
  close(fd);
  if (!written) {
    unlinkat(m->dirfd, name, 0);
    return tug_error_errno(err, e, "write IPAM record %s/%s", m->dir, name);
  }
  snprintf(out, 16, "%s", name);
  return 1;
}

int agent_ipam_alloc(agent_ipam *m, const char *uid, char ip[16], tug_error *err) {
  if (!uid_ok(uid))
    return tug_error_set(err, EINVAL, "allocate an address: bad pod uid");
  if (m->range[0] == '\0')
    return tug_error_set(err, EAGAIN, "allocate an address for %s: no pod CIDR yet", uid);
  int held = agent_ipam_lookup(m, uid, ip);
  if (held < 0)
    return tug_error_errno(err, errno, "read IPAM records in %s", m->dir);
  if (held)
    return 0;
  uint32_t first = m->net + 2, last = (m->net | (UINT32_MAX >> m->prefix)) - 1;
  uint32_t size = last - first + 1, start = first;
  char prev[32];
  uint32_t prev_ip;
  if (read_text(m->dirfd, "last", prev, sizeof prev) == 0 && record_name(prev, &prev_ip) &&
      prev_ip >= first && prev_ip < last)
    start = prev_ip + 1;
  for (uint32_t i = 0; i < size; i++) {
    uint32_t candidate = first + (start - first + i) % size;
    int rc = take(m, candidate, uid, ip, err);
    if (rc < 0)
      return tug_error_wrap(err, "allocate an address for %s", uid);
    if (rc == 0)
      continue;
    char text[20];
    snprintf(text, sizeof text, "%s\n", ip);
    /* The mark only spreads allocations: losing it costs nothing. */
    tug_error ignored = {0};
    write_text(m, "last", text, &ignored);
    return 0;
  }
  return tug_error_set(err, ENOSPC, "allocate an address for %s: all %u addresses of %s are held",
                       uid, size, m->range);
}

static int unlink_record(agent_ipam *m, const char *ip, tug_error *err) {
  if (unlinkat(m->dirfd, ip, 0) < 0 && errno != ENOENT)
    return tug_error_errno(err, errno, "remove IPAM record %s/%s", m->dir, ip);
  return 0;
}

int agent_ipam_release(agent_ipam *m, const char *uid, tug_error *err) {
  char ip[16];
  int held;
  /* Loop: a uid holds one address, but a crash may have left two. */
  while ((held = agent_ipam_lookup(m, uid, ip)) > 0)
    if (unlink_record(m, ip, err) < 0)
      return -1;
  if (held < 0)
    return tug_error_errno(err, errno, "read IPAM records in %s", m->dir);
  return 0;
}

int agent_ipam_release_record(agent_ipam *m, const agent_ipam_record *r, tug_error *err) {
  char uid[AGENT_IPAM_UID_MAX];
  uint32_t ip;
  if (!record_name(r->ip, &ip) || read_text(m->dirfd, r->ip, uid, sizeof uid) < 0 ||
      strcmp(uid, r->uid) != 0)
    return 0;
  return unlink_record(m, r->ip, err);
}

typedef struct collect {
  agent_ipam_record *items;
  size_t count, cap;
} collect;

static int add_record(const agent_ipam_record *r, void *arg) {
  collect *c = arg;
  if (c->count == c->cap) {
    size_t cap = c->cap ? c->cap * 2 : 32;
    agent_ipam_record *items = realloc(c->items, cap * sizeof *items);
    if (items == NULL) {
      errno = ENOMEM;
      return -1;
    }
    c->items = items;
    c->cap = cap;
  }
  c->items[c->count++] = *r;
  return 0;
}

int agent_ipam_list(agent_ipam *m, agent_ipam_record **out, size_t *count, tug_error *err) {
  collect c = {0};
  if (each_record(m, add_record, &c) < 0) {
    free(c.items);
    return tug_error_errno(err, errno, "read IPAM records in %s", m->dir);
  }
  *out = c.items;
  *count = c.count;
  return 0;
}

int agent_ipam_clear(agent_ipam *m, tug_error *err) {
  agent_ipam_record *records = NULL;
  size_t count = 0;
  if (agent_ipam_list(m, &records, &count, err) < 0)
    return -1;
  int rc = 0;
  for (size_t i = 0; i < count && rc == 0; i++)
    rc = unlink_record(m, records[i].ip, err);
  free(records);
  if (rc == 0)
    rc = unlink_record(m, "last", err);
  if (rc == 0)
    rc = unlink_record(m, "cidr", err);
  if (rc == 0)
    m->range[0] = '\0';
  return rc;
}
