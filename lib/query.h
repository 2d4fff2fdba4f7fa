/*
 * query.h — how Kubernetes reads a boolean URL query parameter.
 *
 * One rule for every server in Tugboat (API server, node agent): a parameter
 * that is present is true whatever its value, an empty one included, except
 * "0" and "false" in any case; an absent one is false. So the Python
 * client's "watch=True" watches, as it does against Kubernetes.
 */
#ifndef TUG_QUERY_H
#define TUG_QUERY_H

#include <stdbool.h>

/* present: the key is in the query; value: its value, NULL when it has none
 * ("?watch"). */
bool tug_query_bool(bool present, const char *value);

#endif
