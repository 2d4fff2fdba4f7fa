/*
 * agent-dns.c — the cluster zone's DNS responder (see agent-dns.h).
 *
 * A query is untrusted bytes from any pod, so the question's name is decoded
 * with every read bounds-checked, and a compression pointer must point
 * strictly before itself while the decoded name stays within 255 octets:
 * together these end every pointer chain and every loop. Replies echo the
 * question uncompressed (with the asker's letter case) and hold at most one
 * A record, so they always fit in 512 bytes and UDP is all we serve.
 */
#include "agent-dns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"
#include "nsrun.h"

enum {
  HEADER_LEN = 12,
  MAX_NAME = 255, /* octets of a name on the wire, RFC 1035 2.3.4 */
  MAX_LABELS = 128,
  TTL_SECONDS = 5, /* CoreDNS kubernetes plugin's default */
  RECV_BUF = 4096,
  SEND_BUF = 512,
};

enum { TYPE_A = 1, TYPE_ANY = 255, CLASS_IN = 1, CLASS_ANY = 255 };
enum { RCODE_OK = 0, RCODE_FORMERR = 1, RCODE_SERVFAIL = 2, RCODE_NXDOMAIN = 3 };
enum { RCODE_NOTIMP = 4, RCODE_REFUSED = 5 };

/* Flag bits of header byte 2 (byte 3 holds RA, Z and the rcode). */
enum { FLAG_QR = 0x80, FLAG_OPCODE = 0x78, FLAG_AA = 0x04, FLAG_RD = 0x01 };

typedef struct question {
  unsigned char wire[MAX_NAME]; /* the name uncompressed, as asked */
  size_t wire_len;
  char name[MAX_NAME + 1]; /* lower-case, dotted, no trailing dot */
  size_t label_at[MAX_LABELS];
  int labels;
  bool plain; /* no label holds a dot or a byte outside printable ASCII */
  uint16_t type, cls;
} question;

/* What the zone makes of a name. */
typedef enum {
  NAME_NOT_OURS, /* outside cluster.local: REFUSED */
  NAME_EMPTY,    /* exists but holds no records (zone apex, svc, a namespace): NODATA */
  NAME_NONE,     /* in the zone, cannot exist: NXDOMAIN */
  NAME_SERVICE,  /* [HOST.]NAME.NS.svc.cluster.local: ask the lookup */
} name_kind;

static uint16_t get16(const unsigned char *p) {
  return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(unsigned char *p, unsigned v) {
  p[0] = (unsigned char)(v >> 8);
  p[1] = (unsigned char)v;
}

static void add_label(question *q, const unsigned char *label, size_t n) {
  size_t at = q->labels == 0 ? 0 : strlen(q->name) + 1;
  if (q->labels > 0)
    q->name[at - 1] = '.';
  q->label_at[q->labels++] = at;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = label[i];
    if (c == '.' || c < 0x21 || c > 0x7e)
      q->plain = false;
    q->name[at + i] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
  }
  q->name[at + n] = '\0';
}

/* Decode the question at offset 12. Returns 0, or -1 when it is malformed. */
static int parse_question(const unsigned char *p, size_t len, question *q) {
  size_t pos = HEADER_LEN, end = 0;
  bool jumped = false;
  memset(q, 0, sizeof *q);
  q->plain = true;
  for (;;) {
    if (pos >= len)
      return -1;
    unsigned char c = p[pos];
    if ((c & 0xc0) == 0xc0) {
      if (pos + 1 >= len)
        return -1;
      size_t target = (size_t)(c & 0x3f) << 8 | p[pos + 1];
      if (target >= pos) /* only backwards: every chain ends */
        return -1;
      if (!jumped)
        end = pos + 2;
      jumped = true;
      pos = target;
      continue;
    }
    if (c & 0xc0) /* extended label types, obsolete */
      return -1;
    if (c == 0)
      break;
    if (q->wire_len + 1 + c + 1 > MAX_NAME) /* this label and the root's zero must fit */
      return -1;
    if (pos + 1 + c > len || q->labels == MAX_LABELS)
      return -1;
    memcpy(q->wire + q->wire_len, p + pos, (size_t)c + 1);
    q->wire_len += (size_t)c + 1;
    add_label(q, p + pos + 1, c);
    pos += (size_t)c + 1;
  }
  q->wire[q->wire_len++] = 0;
  if (!jumped)
    end = pos + 1;
  if (end + 4 > len)
    return -1;
  q->type = get16(p + end);
  q->cls = get16(p + end + 2);
  return 0;
}

/* The name from its n-th label from the end ("" when it has fewer). */
static const char *last_labels(const question *q, int n) {
  return n <= q->labels ? q->name + q->label_at[q->labels - n] : "";
}

/* As CoreDNS's kubernetes plugin, for the records we serve. Names between
 * the zone and a Service (cluster.local, svc.cluster.local, NS.svc...) exist
 * without records: NODATA, since NXDOMAIN would deny the names below them. */
static name_kind classify(const question *q) {
  if (q->labels < 2 || strcmp(last_labels(q, 2), "cluster.local") != 0)
    return NAME_NOT_OURS;
  if (q->labels == 2)
    return NAME_EMPTY;
  if (strcmp(last_labels(q, 3), "svc.cluster.local") != 0)
    return NAME_NONE;
  if (q->labels <= 4)
    return NAME_EMPTY;
  return (q->labels == 5 || q->labels == 6) && q->plain ? NAME_SERVICE : NAME_NONE;
}

/* A header-only reply (no question echoed) to a query we cannot read. */
static int header_reply(const unsigned char *query, int rcode, unsigned char *out,
                        size_t out_size) {
  if (out_size < HEADER_LEN)
    return -1;
  memset(out, 0, HEADER_LEN);
  memcpy(out, query, 2);
  out[2] = (unsigned char)(FLAG_QR | (query[2] & (FLAG_OPCODE | FLAG_RD)));
  out[3] = (unsigned char)rcode;
  return HEADER_LEN;
}

/* ips are the answer's n addresses (n may be 0). */
static int full_reply(const unsigned char *query, const question *q, int rcode, bool authoritative,
                      const struct in_addr *ips, size_t n_ips, unsigned char *out,
                      size_t out_size) {
  size_t n = HEADER_LEN + q->wire_len + 4 + 16 * n_ips;
  if (n > out_size)
    return -1;
  header_reply(query, rcode, out, out_size);
  if (authoritative)
    out[2] |= FLAG_AA;
  put16(out + 4, 1);
  put16(out + 6, (unsigned)n_ips);
  unsigned char *p = out + HEADER_LEN;
  memcpy(p, q->wire, q->wire_len);
  p += q->wire_len;
  put16(p, q->type);
  put16(p + 2, q->cls);
  p += 4;
  for (size_t i = 0; i < n_ips; i++, p += 16) {
    put16(p, 0xc000 | HEADER_LEN); /* the owner is the question's name */
    put16(p + 2, TYPE_A);
    put16(p + 4, CLASS_IN);
    put16(p + 6, 0);
    put16(p + 8, TTL_SECONDS);
    put16(p + 10, 4);
    memcpy(p + 12, &ips[i].s_addr, 4);
  }
  return (int)n;
}

static int answer_service(const unsigned char *query, const question *q, agent_dns_lookup_fn fn,
                          void *arg, unsigned char *out, size_t out_size) {
  char ips[AGENT_DNS_MAX_IPS][16] = {{0}};
  struct in_addr addrs[AGENT_DNS_MAX_IPS];
  int n = fn(q->name, ips, arg);
  if (n <= 0)
    return full_reply(query, q, RCODE_NXDOMAIN, true, NULL, 0, out, out_size);
  if (n > AGENT_DNS_MAX_IPS)
    n = AGENT_DNS_MAX_IPS;
  for (int i = 0; i < n; i++) {
    ips[i][15] = '\0';
    if (inet_pton(AF_INET, ips[i], &addrs[i]) != 1)
      return full_reply(query, q, RCODE_SERVFAIL, false, NULL, 0, out, out_size);
  }
  bool wants_a = q->type == TYPE_A || q->type == TYPE_ANY;
  return full_reply(query, q, RCODE_OK, true, addrs, wants_a ? (size_t)n : 0, out, out_size);
}

int agent_dns_answer(const unsigned char *query, size_t len, agent_dns_lookup_fn fn, void *arg,
                     unsigned char *out, size_t out_size) {
  question q;
  if (len < HEADER_LEN || (query[2] & FLAG_QR))
    return -1; /* never answer a response: two responders must not ping-pong */
  if ((query[2] & FLAG_OPCODE) != 0)
    return header_reply(query, RCODE_NOTIMP, out, out_size);
  if (get16(query + 4) != 1 || parse_question(query, len, &q) < 0)
    return header_reply(query, RCODE_FORMERR, out, out_size);
  if (q.cls != CLASS_IN && q.cls != CLASS_ANY)
    return full_reply(query, &q, RCODE_REFUSED, false, NULL, 0, out, out_size);
  switch (classify(&q)) {
  case NAME_NOT_OURS:
    return full_reply(query, &q, RCODE_REFUSED, false, NULL, 0, out, out_size);
  case NAME_EMPTY:
    return full_reply(query, &q, RCODE_OK, true, NULL, 0, out, out_size);
  case NAME_NONE:
    return full_reply(query, &q, RCODE_NXDOMAIN, true, NULL, 0, out, out_size);
  case NAME_SERVICE:
    break;
  }
  return answer_service(query, &q, fn, arg, out, out_size);
}

char *agent_dns_resolv_conf(const char *ns, const char *nameserver_ip) {
  char *s = NULL;
  if (asprintf(&s,
               "search %s.svc.cluster.local svc.cluster.local cluster.local\n"
               "nameserver %s\n"
               "options ndots:5\n",
               ns, nameserver_ip) < 0)
    return NULL;
  return s;
}

struct agent_dns {
  int udp_fd, stop_fd, port;
  agent_dns_lookup_fn fn;
  void *arg;
  pthread_t thread;
};

static void serve_one(agent_dns *d) {
  unsigned char in[RECV_BUF], out[SEND_BUF];
  struct sockaddr_storage from;
  socklen_t from_len = sizeof from;
  ssize_t n = recvfrom(d->udp_fd, in, sizeof in, MSG_DONTWAIT, (struct sockaddr *)&from, &from_len);
  if (n <= 0)
    return;
  int reply = agent_dns_answer(in, (size_t)n, d->fn, d->arg, out, sizeof out);
  if (reply > 0)
    sendto(d->udp_fd, out, (size_t)reply, MSG_DONTWAIT, (struct sockaddr *)&from, from_len);
}

static void *serve_loop(void *arg) {
  agent_dns *d = arg;
  struct pollfd fds[2] = {{.fd = d->udp_fd, .events = POLLIN},
                          {.fd = d->stop_fd, .events = POLLIN}};
  for (;;) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR)
        continue;
      tug_errorlog("dns server stopped", "err=\"poll: %s\"", strerror(errno));
      return NULL;
    }
    if (fds[1].revents)
      return NULL;
    if (fds[0].revents)
      serve_one(d);
  }
}

static int udp_socket(int netns_fd, const char *listen_ip, int port, int *bound_port,
                      tug_error *err) {
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  socklen_t sa_len = sizeof sa;
  if (port < 0 || port > 65535 || inet_pton(AF_INET, listen_ip, &sa.sin_addr) != 1)
    return tug_error_set(err, EINVAL, "dns server on %s:%d: not an IPv4 address and port",
                         listen_ip, port);
  _cleanup_close_ int fd = tug_netns_socket(netns_fd, AF_INET, SOCK_DGRAM, 0, err);
  if (fd < 0)
    return tug_error_wrap(err, "dns server on %s:%d", listen_ip, port);
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
    return tug_error_errno(err, errno, "dns server: bind %s:%d", listen_ip, port);
  if (getsockname(fd, (struct sockaddr *)&sa, &sa_len) < 0)
    return tug_error_errno(err, errno, "dns server: getsockname");
  *bound_port = ntohs(sa.sin_port);
  return tug_steal_fd(&fd);
}

int agent_dns_start(int netns_fd, const char *listen_ip, int port, agent_dns_lookup_fn fn,
                    void *arg, agent_dns **out, tug_error *err) {
  int bound_port = 0;
  _cleanup_close_ int udp = udp_socket(netns_fd, listen_ip, port, &bound_port, err);
  if (udp < 0)
    return -1;
  _cleanup_close_ int stop = eventfd(0, EFD_CLOEXEC);
  if (stop < 0)
    return tug_error_errno(err, errno, "dns server: eventfd");
  _cleanup_free_ agent_dns *d = calloc(1, sizeof *d);
  if (d == NULL)
    return tug_error_set(err, ENOMEM, "dns server: allocate");
  *d = (agent_dns){.udp_fd = udp, .stop_fd = stop, .port = bound_port, .fn = fn, .arg = arg};
  int rc = pthread_create(&d->thread, NULL, serve_loop, d);
  if (rc != 0)
    return tug_error_errno(err, rc, "dns server: start thread");
  tug_steal_fd(&udp);
  tug_steal_fd(&stop);
  tug_info("dns server listening", "address=%s port=%d", listen_ip, bound_port);
  *out = tug_steal_ptr(&d);
  return 0;
}

int agent_dns_port(const agent_dns *d) {
  return d->port;
}

void agent_dns_stop(agent_dns *d) {
  if (d == NULL)
    return;
  eventfd_write(d->stop_fd, 1); /* cannot fail: the counter is far from full */
  pthread_join(d->thread, NULL);
  close(d->udp_fd);
  close(d->stop_fd);
  free(d);
}
