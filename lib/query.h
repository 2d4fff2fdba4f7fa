/*
 * query.h — how Kubernetes reads a boolean URL query parameter.
 *
 * One rule for every server in Tugboat (API server, node agent): a parameter
 * that is present is true whatever its value, an empty one included, except
 * "0" and "false" in any case; an absent one is false. So the Python
 * client's "watch=True" watches, as it does against Kubernetes.
 *
 * A number ("limit", "timeoutSeconds", "tailLines", ...) is an int64 in
 * decimal, nothing else: Kubernetes answers 400 to "limit=ten" and to a
 * value past int64, and so do we. What the value may then be (a hint, a
 * bound) is each handler's business; none allocates in proportion to it.
 */
#ifndef TUG_QUERY_H
#define TUG_QUERY_H

#include <stdbool.h>
#include <stdint.h>

/* present: the key is in the query; value: its value, NULL when it has none
 * ("?watch"). */
bool tug_query_bool(bool present, const char *value);

/* value as a base-10 int64 into *out; -1 (EINVAL or ERANGE) when it is not one. */
int tug_query_int(const char *value, int64_t *out);

#endif
