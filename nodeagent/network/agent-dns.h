/*
 * agent-dns.h — a small authoritative DNS responder for the cluster zone, so
 * pods resolve NAME.NAMESPACE.svc.cluster.local (and, through the search
 * path of the resolv.conf below, NAME, NAME.NAMESPACE, NAME.NAMESPACE.svc)
 * to a Service's virtual IP — or, for a headless Service, to its ready pods'
 * addresses — and HOST.NAME.NAMESPACE.svc.cluster.local to the pod of that
 * hostname behind headless Service NAME (StatefulSets' stable names).
 *
 * The one idea: the responder knows nothing about Services. It parses a
 * query, decides what kind of name it is (ours and a Service name, ours but
 * not one, or not ours) and asks a lookup function only for Service names;
 * the agent's network thread, which watches Services, answers from its
 * cache. It never recurses: names outside cluster.local are REFUSED.
 */
#ifndef TUG_AGENT_DNS_H
#define TUG_AGENT_DNS_H

#include <stddef.h>

#include "error.h"

/* At most this many addresses in one answer (a headless Service's pods). */
#define AGENT_DNS_MAX_IPS 32

/* Answer for one fully qualified name (lower-case, no trailing dot, e.g.
 * "web.demo.svc.cluster.local", or a pod's "web-0.web.demo.svc.cluster.local"):
 * fill ips (dotted IPv4) and return how many, at most AGENT_DNS_MAX_IPS; 0
 * when the name is unknown (NXDOMAIN). Called from the DNS thread. */
typedef int (*agent_dns_lookup_fn)(const char *fqdn, char ips[][16], void *arg);

typedef struct agent_dns agent_dns;

/* Listen on UDP listen_ip:port inside netns_fd (-1: here) and serve from a
 * thread of its own. port 0 picks a free port (see agent_dns_port). */
int agent_dns_start(int netns_fd, const char *listen_ip, int port, agent_dns_lookup_fn fn,
                    void *arg, agent_dns **out, tug_error *err);
/* The UDP port it listens on (the chosen one, when started with port 0). */
int agent_dns_port(const agent_dns *d);
void agent_dns_stop(agent_dns *d); /* NULL-safe */

/* Pure, for tests: answer one query packet. Returns the reply length written
 * to out (at most out_size), or -1 to drop it (shorter than a header, a
 * response rather than a query, or out_size too small for the reply). */
int agent_dns_answer(const unsigned char *query, size_t len, agent_dns_lookup_fn fn, void *arg,
                     unsigned char *out, size_t out_size);

/* The pod's /etc/resolv.conf: "search NS.svc.cluster.local svc.cluster.local
 * cluster.local\nnameserver IP\noptions ndots:5\n". malloc'd, or NULL. */
char *agent_dns_resolv_conf(const char *ns, const char *nameserver_ip);

#endif
