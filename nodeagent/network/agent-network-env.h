/*
 * agent-network-env.h — Services as a starting pod sees them: Kubernetes'
 * environment variables and /etc/hosts lines (pure functions over a cached
 * list of Service objects, so they can be tested alone).
 */
#ifndef TUG_AGENT_NETWORK_ENV_H
#define TUG_AGENT_NETWORK_ENV_H

#include <jansson.h>

/* For every Service of namespace ns with a virtual IP, and for the API
 * server's `kubernetes` Service in `default` whatever ns, kubelet's variables:
 * NAME_SERVICE_HOST, NAME_SERVICE_PORT (first port), NAME_SERVICE_PORT_PNAME
 * per named port, NAME_PORT=tcp://IP:PORT, NAME_PORT_<port>_<PROTO>[_PROTO,
 * _PORT, _ADDR]. A new object, name → string. */
json_t *agent_service_env(const json_t *services, const char *ns);

/* /etc/hosts: localhost, "pod_ip hostname" (127.0.1.1 without an address),
 * then "IP NAME.NS.svc NAME.NS.svc.cluster.local" for every Service with a
 * virtual IP, plus the bare NAME for those in ns. malloc'd, or NULL. */
char *agent_service_hosts(const json_t *services, const char *ns, const char *pod_ip,
                          const char *hostname);

#endif
