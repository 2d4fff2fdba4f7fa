/*
 * describe-pod.h — what `tug describe pod` shows beyond every kind's spec and
 * status: the init containers and containers, kubectl's way.
 */
#ifndef TUG_CLI_DESCRIBE_POD_H
#define TUG_CLI_DESCRIBE_POD_H

#include <jansson.h>
#include <stdio.h>

/* "Init Containers:" (when the pod has any) and "Containers:" on stdout. */
void cli_describe_pod_containers(const json_t *pod);

#endif
