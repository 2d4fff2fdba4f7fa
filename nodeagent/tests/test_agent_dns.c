/*
 * The cluster zone's DNS responder: hand-built queries for each answer it
 * gives, hostile packets (pointer loops, truncation, random bytes) that must
 * never make it read out of bounds, the pod's resolv.conf, and one real UDP
 * round trip through the server thread on 127.0.0.1.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above first. */

#include <cmocka.h>

#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent-dns.h"
#include "cleanup.h"

enum { TYPE_A = 1, TYPE_AAAA = 28, TYPE_SRV = 33, TYPE_ANY = 255, CLASS_IN = 1, CLASS_CH = 3 };

/* The lookup the agent would give: two Services, a headless one with two
 * ready pods (db-0 and db-1), and a count of the calls. */
static int lookups;
static char last_fqdn[256];

static int lookup(const char *fqdn, char ips[][16], void *arg) {
  (void)arg;
  lookups++;
  snprintf(last_fqdn, sizeof last_fqdn, "%s", fqdn);
  if (strcmp(fqdn, "web.demo.svc.cluster.local") == 0) {
    strcpy(ips[0], "198.19.0.10");
    return 1;
  }
  if (strcmp(fqdn, "broken.demo.svc.cluster.local") == 0) {
    strcpy(ips[0], "not-an-ip");
    return 1;
  }
  if (strcmp(fqdn, "db.demo.svc.cluster.local") == 0) {
    strcpy(ips[0], "198.18.0.7");
    strcpy(ips[1], "198.18.1.9");
    return 2;
  }
  if (strcmp(fqdn, "db-1.db.demo.svc.cluster.local") == 0) {
    strcpy(ips[0], "198.18.1.9");
    return 1;
  }
  return 0;
}

static int setup(void **state) {
  (void)state;
  lookups = 0;
  last_fqdn[0] = '\0';
  return 0;
}

/* A query: id 0x1234, RD set, one question for dotted name. Returns its length. */
static size_t build_query(unsigned char *p, const char *name, unsigned type, unsigned cls) {
  unsigned char hdr[12] = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
  memcpy(p, hdr, sizeof hdr);
  size_t n = sizeof hdr;
  for (const char *s = name; *s;) {
    size_t l = strcspn(s, ".");
    p[n++] = (unsigned char)l;
    memcpy(p + n, s, l);
    n += l;
    s += l;
    if (*s == '.')
      s++;
  }
  p[n++] = 0;
  p[n++] = (unsigned char)(type >> 8);
  p[n++] = (unsigned char)type;
  p[n++] = (unsigned char)(cls >> 8);
  p[n++] = (unsigned char)cls;
  return n;
}

static unsigned rcode(const unsigned char *r) {
  return r[3] & 0x0f;
}
static unsigned count(const unsigned char *r, int at) {
  return (unsigned)(r[at] << 8 | r[at + 1]);
}

typedef struct reply {
  unsigned char q[512], r[512];
  size_t qlen;
  int rlen;
} reply;

static reply ask(const char *name, unsigned type) {
  reply x = {0};
  x.qlen = build_query(x.q, name, type, CLASS_IN);
  x.rlen = agent_dns_answer(x.q, x.qlen, lookup, NULL, x.r, sizeof x.r);
  return x;
}

/* The reply echoes the id and the question, byte for byte. */
static void assert_echoes_question(const reply *x) {
  assert_true(x->rlen >= (int)x->qlen);
  assert_memory_equal(x->r, x->q, 2);
  assert_int_equal(count(x->r, 4), 1);
  assert_memory_equal(x->r + 12, x->q + 12, x->qlen - 12);
}

static void test_a_for_a_service_is_one_authoritative_record(void **state) {
  (void)state;
  reply x = ask("web.demo.svc.cluster.local", TYPE_A);
  assert_echoes_question(&x);
  assert_int_equal(x.rlen, x.qlen + 16);
  assert_int_equal(x.r[2], 0x80 | 0x04 | 0x01); /* QR, AA, RD copied */
  assert_int_equal(x.r[3], 0);                  /* RA clear, NOERROR */
  assert_int_equal(count(x.r, 6), 1);
  assert_int_equal(count(x.r, 8), 0);
  assert_int_equal(count(x.r, 10), 0);
  const unsigned char rr[16] = {0xc0, 12, 0, TYPE_A, 0, CLASS_IN, 0, 0, 0, 5, 0, 4, 198, 19, 0, 10};
  assert_memory_equal(x.r + x.qlen, rr, sizeof rr);
  assert_string_equal(last_fqdn, "web.demo.svc.cluster.local");
}

static void test_names_are_case_insensitive_and_echoed_as_asked(void **state) {
  (void)state;
  reply x = ask("WEB.Demo.SVC.cluster.LOCAL", TYPE_A);
  assert_echoes_question(&x);
  assert_int_equal(rcode(x.r), 0);
  assert_int_equal(count(x.r, 6), 1);
  assert_string_equal(last_fqdn, "web.demo.svc.cluster.local");
}

static void test_rd_clear_stays_clear(void **state) {
  (void)state;
  reply x = {0};
  x.qlen = build_query(x.q, "web.demo.svc.cluster.local", TYPE_A, CLASS_IN);
  x.q[2] = 0;
  x.rlen = agent_dns_answer(x.q, x.qlen, lookup, NULL, x.r, sizeof x.r);
  assert_int_equal(x.r[2], 0x80 | 0x04);
}

static void test_unknown_service_is_nxdomain(void **state) {
  (void)state;
  reply x = ask("nope.demo.svc.cluster.local", TYPE_A);
  assert_echoes_question(&x);
  assert_int_equal(x.rlen, x.qlen);
  assert_int_equal(rcode(x.r), 3);
  assert_true(x.r[2] & 0x04);
  assert_int_equal(count(x.r, 6), 0);
  assert_int_equal(lookups, 1);
}

static void test_other_types_for_a_service_are_nodata(void **state) {
  (void)state;
  unsigned types[] = {TYPE_AAAA, TYPE_SRV, 16 /* TXT */};
  for (size_t i = 0; i < sizeof types / sizeof *types; i++) {
    reply x = ask("web.demo.svc.cluster.local", types[i]);
    assert_echoes_question(&x);
    assert_int_equal(x.rlen, x.qlen);
    assert_int_equal(rcode(x.r), 0);
    assert_true(x.r[2] & 0x04);
    assert_int_equal(count(x.r, 6), 0);
  }
  reply any = ask("web.demo.svc.cluster.local", TYPE_ANY);
  assert_int_equal(count(any.r, 6), 1);
}

static void test_names_outside_the_cluster_are_refused(void **state) {
  (void)state;
  const char *names[] = {"example.com",
                         "web",
                         "web.demo.svc",
                         "evilcluster.local",
                         "web.demo.svc.cluster.local.example.com",
                         ""};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
    reply x = ask(names[i], TYPE_A);
    assert_echoes_question(&x);
    assert_int_equal(rcode(x.r), 5);
    assert_false(x.r[2] & 0x04);
    assert_int_equal(count(x.r, 6), 0);
  }
  assert_int_equal(lookups, 0);
}

static void test_names_between_zone_and_service_are_nodata(void **state) {
  (void)state;
  const char *names[] = {"cluster.local", "svc.cluster.local", "demo.svc.cluster.local"};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
    reply x = ask(names[i], TYPE_A);
    assert_int_equal(rcode(x.r), 0);
    assert_true(x.r[2] & 0x04);
    assert_int_equal(count(x.r, 6), 0);
  }
  assert_int_equal(lookups, 0);
}

static void test_other_names_in_the_zone_are_nxdomain(void **state) {
  (void)state;
  const char *names[] = {"_http._tcp.web.demo.svc.cluster.local", "a.b.web.demo.svc.cluster.local",
                         "1-2-3-4.demo.pod.cluster.local", "x.cluster.local"};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
    reply x = ask(names[i], TYPE_A);
    assert_int_equal(rcode(x.r), 3);
    assert_int_equal(count(x.r, 6), 0);
  }
  assert_int_equal(lookups, 0);
}

static void test_a_headless_service_answers_every_ready_pod(void **state) {
  (void)state;
  reply x = ask("db.demo.svc.cluster.local", TYPE_A);
  assert_echoes_question(&x);
  assert_int_equal(rcode(x.r), 0);
  assert_int_equal(count(x.r, 6), 2);
  assert_int_equal(x.rlen, x.qlen + 32);
  const unsigned char second[4] = {198, 18, 1, 9};
  assert_memory_equal(x.r + x.qlen + 16 + 12, second, 4);
}

static void test_a_pod_behind_a_headless_service_has_a_name(void **state) {
  (void)state;
  reply x = ask("db-1.db.demo.svc.cluster.local", TYPE_A);
  assert_int_equal(rcode(x.r), 0);
  assert_int_equal(count(x.r, 6), 1);
  const unsigned char ip[4] = {198, 18, 1, 9};
  assert_memory_equal(x.r + x.qlen + 12, ip, 4);
  assert_string_equal(last_fqdn, "db-1.db.demo.svc.cluster.local");
  reply none = ask("db-7.db.demo.svc.cluster.local", TYPE_A);
  assert_int_equal(rcode(none.r), 3);
}

static void test_a_label_holding_a_dot_is_never_looked_up(void **state) {
  (void)state;
  reply odd = ask("we!b.demo.svc.cluster.local", TYPE_A);
  assert_int_equal(rcode(odd.r), 3);
  assert_int_equal(lookups, 1); /* printable, so asked */
  /* "a.c" as one label: only the wire form can say it. */
  reply x = {0};
  x.qlen = build_query(x.q, "abc.demo.svc.cluster.local", TYPE_A, CLASS_IN);
  x.q[14] = '.';
  x.rlen = agent_dns_answer(x.q, x.qlen, lookup, NULL, x.r, sizeof x.r);
  assert_int_equal(rcode(x.r), 3);
  assert_int_equal(lookups, 1);
}

static void test_a_bad_address_from_the_lookup_is_servfail(void **state) {
  (void)state;
  reply x = ask("broken.demo.svc.cluster.local", TYPE_A);
  assert_int_equal(rcode(x.r), 2);
  assert_int_equal(count(x.r, 6), 0);
}

static void test_a_class_other_than_in_is_refused(void **state) {
  (void)state;
  reply x = {0};
  x.qlen = build_query(x.q, "web.demo.svc.cluster.local", TYPE_A, CLASS_CH);
  x.rlen = agent_dns_answer(x.q, x.qlen, lookup, NULL, x.r, sizeof x.r);
  assert_int_equal(rcode(x.r), 5);
  assert_int_equal(lookups, 0);
}

static void test_question_count_other_than_one_is_formerr(void **state) {
  (void)state;
  for (int qd = 0; qd <= 2; qd += 2) {
    reply x = {0};
    x.qlen = build_query(x.q, "web.demo.svc.cluster.local", TYPE_A, CLASS_IN);
    x.q[5] = (unsigned char)qd;
    x.rlen = agent_dns_answer(x.q, x.qlen, lookup, NULL, x.r, sizeof x.r);
    assert_int_equal(x.rlen, 12);
    assert_memory_equal(x.r, x.q, 2);
    assert_int_equal(x.r[2], 0x81);
    assert_int_equal(rcode(x.r), 1);
    assert_int_equal(count(x.r, 4), 0);
  }
}

static void test_other_opcodes_are_notimp(void **state) {
  (void)state;
  reply x = {0};
  x.qlen = build_query(x.q, "web.demo.svc.cluster.local", TYPE_A, CLASS_IN);
  x.q[2] |= 2 << 3; /* STATUS */
  x.rlen = agent_dns_answer(x.q, x.qlen, lookup, NULL, x.r, sizeof x.r);
  assert_int_equal(x.rlen, 12);
  assert_int_equal(rcode(x.r), 4);
}

static void test_responses_and_short_packets_are_dropped(void **state) {
  (void)state;
  reply x = ask("web.demo.svc.cluster.local", TYPE_A);
  unsigned char out[512];
  /* Our own reply fed back: a response, never answered. */
  assert_int_equal(agent_dns_answer(x.r, (size_t)x.rlen, lookup, NULL, out, sizeof out), -1);
  assert_int_equal(agent_dns_answer(x.q, 11, lookup, NULL, out, sizeof out), -1);
  assert_int_equal(agent_dns_answer(x.q, 0, lookup, NULL, out, sizeof out), -1);
  /* No room for the whole reply: nothing rather than a cut one. */
  assert_int_equal(agent_dns_answer(x.q, x.qlen, lookup, NULL, out, (size_t)x.rlen - 1), -1);
  assert_int_equal(agent_dns_answer(x.q, x.qlen, lookup, NULL, out, (size_t)x.rlen), x.rlen);
}

static void test_a_pointer_backwards_is_followed_and_echoed_uncompressed(void **state) {
  (void)state;
  /* Header bytes 7..11 spell "\3svc\0" (ancount/nscount/arcount, ignored);
   * the name is "web" then a pointer to offset 7: "web.svc". */
  unsigned char q[] = {0x12, 0x34, 0x01, 0,   0,   1,    0, 3, 's',    'v', 'c',
                       0,    3,    'w',  'e', 'b', 0xc0, 7, 0, TYPE_A, 0,   CLASS_IN};
  unsigned char r[512];
  int n = agent_dns_answer(q, sizeof q, lookup, NULL, r, sizeof r);
  const unsigned char echo[] = {3, 'w', 'e', 'b', 3, 's', 'v', 'c', 0, 0, TYPE_A, 0, CLASS_IN};
  assert_int_equal(n, 12 + sizeof echo);
  assert_int_equal(rcode(r), 5);
  assert_memory_equal(r + 12, echo, sizeof echo);
}

static void test_pointer_loops_and_forward_pointers_are_formerr(void **state) {
  (void)state;
  unsigned char self[] = {0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1};
  unsigned char fwd[] = {0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 14, 0, 0, 1, 0, 1};
  /* A label then a pointer back to it: each pass adds a label, never ends. */
  unsigned char loop[] = {0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'a', 0xc0, 12, 0, 1, 0, 1};
  unsigned char r[512];
  assert_int_equal(agent_dns_answer(self, sizeof self, lookup, NULL, r, sizeof r), 12);
  assert_int_equal(rcode(r), 1);
  assert_int_equal(agent_dns_answer(fwd, sizeof fwd, lookup, NULL, r, sizeof r), 12);
  assert_int_equal(rcode(r), 1);
  assert_int_equal(agent_dns_answer(loop, sizeof loop, lookup, NULL, r, sizeof r), 12);
  assert_int_equal(rcode(r), 1);
}

/* labels of n letters, then ".cluster.local" */
static void name_of(char *buf, const int *labels, size_t n) {
  buf[0] = '\0';
  for (size_t i = 0; i < n; i++) {
    size_t at = strlen(buf);
    memset(buf + at, 'a', (size_t)labels[i]);
    strcpy(buf + at + labels[i], ".");
  }
  strcat(buf, "cluster.local");
}

static void test_names_longer_than_255_octets_are_formerr(void **state) {
  (void)state;
  char name[400];
  name_of(name, (int[]){63, 63, 63, 48}, 4); /* 254 characters, 256 octets */
  reply x = ask(name, TYPE_A);
  assert_int_equal(x.rlen, 12);
  assert_int_equal(rcode(x.r), 1);
  /* 253 characters, 255 octets: the longest name there is, still answered. */
  name_of(name, (int[]){63, 63, 63, 47}, 4);
  assert_int_equal(strlen(name), 253);
  reply y = ask(name, TYPE_A);
  assert_echoes_question(&y);
  assert_int_equal(rcode(y.r), 3);
}

/* Every reply is -1 or a whole reply within out; ASan (make asan) catches any
 * read past the packet. Each packet is copied to a buffer of exactly its size. */
static void check_survives(const unsigned char *p, size_t len) {
  unsigned char *copy = malloc(len ? len : 1), out[512];
  memcpy(copy, p, len);
  int n = agent_dns_answer(copy, len, lookup, NULL, out, sizeof out);
  assert_true(n == -1 || (n >= 12 && n <= (int)sizeof out));
  if (n >= 12)
    assert_memory_equal(out, p, 2);
  free(copy);
}

static void test_truncated_and_random_packets_never_crash(void **state) {
  (void)state;
  reply x = ask("web.demo.svc.cluster.local", TYPE_A);
  for (size_t len = 0; len <= x.qlen; len++)
    check_survives(x.q, len);
  srand(42);
  unsigned char p[600];
  for (int i = 0; i < 20000; i++) {
    size_t len = (size_t)rand() % sizeof p;
    for (size_t j = 0; j < len; j++)
      p[j] = (unsigned char)rand();
    if (len > 5 && i % 2) { /* make half of them get past the header checks */
      p[2] &= 0x07;
      p[4] = 0;
      p[5] = 1;
    }
    check_survives(p, len);
  }
  for (int i = 0; i < 20000; i++) { /* a valid query with a few bytes flipped */
    memcpy(p, x.q, x.qlen);
    for (int k = 0; k < 3; k++)
      p[12 + (size_t)rand() % (x.qlen - 12)] = (unsigned char)rand();
    check_survives(p, x.qlen - (size_t)rand() % 4);
  }
}

static void test_resolv_conf_searches_the_namespace_first(void **state) {
  (void)state;
  _cleanup_free_ char *text = agent_dns_resolv_conf("demo", "198.19.0.2");
  assert_string_equal(text, "search demo.svc.cluster.local svc.cluster.local cluster.local\n"
                            "nameserver 198.19.0.2\n"
                            "options ndots:5\n");
}

static void test_server_answers_a_real_udp_query(void **state) {
  (void)state;
  tug_error err = {0};
  agent_dns *d = NULL;
  assert_int_equal(agent_dns_start(-1, "127.0.0.1", 0, lookup, NULL, &d, &err), 0);
  assert_true(agent_dns_port(d) > 0);

  _cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)agent_dns_port(d))};
  inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
  reply x = ask("web.demo.svc.cluster.local", TYPE_A);
  assert_int_equal(sendto(fd, x.q, x.qlen, 0, (struct sockaddr *)&sa, sizeof sa), (ssize_t)x.qlen);
  struct pollfd pfd = {.fd = fd, .events = POLLIN};
  assert_int_equal(poll(&pfd, 1, 5000), 1);
  unsigned char r[512];
  ssize_t n = recv(fd, r, sizeof r, 0);
  assert_int_equal(n, x.rlen);
  assert_memory_equal(r, x.r, (size_t)n);
  agent_dns_stop(d);
  agent_dns_stop(NULL);
}

static void test_server_rejects_a_bad_address(void **state) {
  (void)state;
  tug_error err = {0};
  agent_dns *d = NULL;
  assert_int_equal(agent_dns_start(-1, "localhost", 0, lookup, NULL, &d, &err), -1);
  assert_non_null(strstr(err.msg, "localhost"));
  assert_null(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(test_a_for_a_service_is_one_authoritative_record, setup),
      cmocka_unit_test_setup(test_names_are_case_insensitive_and_echoed_as_asked, setup),
      cmocka_unit_test_setup(test_rd_clear_stays_clear, setup),
      cmocka_unit_test_setup(test_unknown_service_is_nxdomain, setup),
      cmocka_unit_test_setup(test_other_types_for_a_service_are_nodata, setup),
      cmocka_unit_test_setup(test_names_outside_the_cluster_are_refused, setup),
      cmocka_unit_test_setup(test_names_between_zone_and_service_are_nodata, setup),
      cmocka_unit_test_setup(test_other_names_in_the_zone_are_nxdomain, setup),
      cmocka_unit_test_setup(test_a_headless_service_answers_every_ready_pod, setup),
      cmocka_unit_test_setup(test_a_pod_behind_a_headless_service_has_a_name, setup),
      cmocka_unit_test_setup(test_a_label_holding_a_dot_is_never_looked_up, setup),
      cmocka_unit_test_setup(test_a_bad_address_from_the_lookup_is_servfail, setup),
      cmocka_unit_test_setup(test_a_class_other_than_in_is_refused, setup),
      cmocka_unit_test_setup(test_question_count_other_than_one_is_formerr, setup),
      cmocka_unit_test_setup(test_other_opcodes_are_notimp, setup),
      cmocka_unit_test_setup(test_responses_and_short_packets_are_dropped, setup),
      cmocka_unit_test_setup(test_a_pointer_backwards_is_followed_and_echoed_uncompressed, setup),
      cmocka_unit_test_setup(test_pointer_loops_and_forward_pointers_are_formerr, setup),
      cmocka_unit_test_setup(test_names_longer_than_255_octets_are_formerr, setup),
      cmocka_unit_test_setup(test_truncated_and_random_packets_never_crash, setup),
      cmocka_unit_test_setup(test_resolv_conf_searches_the_namespace_first, setup),
      cmocka_unit_test_setup(test_server_answers_a_real_udp_query, setup),
      cmocka_unit_test_setup(test_server_rejects_a_bad_address, setup),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
