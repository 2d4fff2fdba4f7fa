/*
 * agent-logs.h — the agent's log endpoint, which the API server's
 * pods/{name}/log subresource reads from (as Kubernetes' API server reads the
 * kubelet's /containerLogs):
 *
 *   GET /containerLogs/{namespace}/{pod}/{container}?tailLines=N
 *
 * It serves the container's log file under ROOT/logs/{ns}_{pod}_{uid}/.
 */
#ifndef TUG_AGENT_LOGS_H
#define TUG_AGENT_LOGS_H

#include "error.h"

typedef struct agent_logs agent_logs;

int agent_logs_start(const char *root, const char *address, int port, agent_logs **out,
                     tug_error *err);
void agent_logs_stop(agent_logs *l);
/* The last n lines of text (all of it when n < 0); a pointer into text. */
const char *agent_logs_tail(const char *text, size_t len, long n);

#endif
