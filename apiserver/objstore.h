/*
 * objstore.h — the watch cache's current objects, grouped by namespace.
 *
 * Objects are filed under the namespace segment of their key
 * (/registry/pods/NS/NAME), so listing one namespace visits only its objects,
 * however many the cluster holds. Cluster-scoped kinds use one group, "".
 * Not thread-safe: the watch cache holds its lock around every call.
 *
 * A store may also index its objects by one string field (a pod's
 * spec.nodeName): api_objstore_each_indexed visits the objects whose field
 * has one value, in time proportional to their number.
 */
#ifndef TUG_APISERVER_OBJSTORE_H
#define TUG_APISERVER_OBJSTORE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct api_cached api_cached;
typedef struct api_objstore api_objstore;

/* prefix_len: length of "/registry/pods/"; namespaced: whether keys carry a
 * namespace; index_path: the field to index by (tug_obj_get_str's path), or NULL. */
api_objstore *api_objstore_new(size_t prefix_len, bool namespaced, const char *index_path);
void api_objstore_free(api_objstore *s);
/* Store o under its key (the store takes the caller's reference); returns the
 * object replaced, whose reference passes to the caller, or NULL. */
api_cached *api_objstore_put(api_objstore *s, api_cached *o);
/* Remove by key; returns the object (its reference passes to the caller) or NULL. */
api_cached *api_objstore_remove(api_objstore *s, const char *key);
api_cached *api_objstore_get(const api_objstore *s, const char *key);
size_t api_objstore_size(const api_objstore *s);
/* Call fn on every object of namespace ns (NULL: of every namespace). */
void api_objstore_each(const api_objstore *s, const char *ns, void (*fn)(api_cached *, void *),
                       void *arg);

/* Call fn on every object whose indexed field is value; false (nothing
 * called) when the store has no index. */
bool api_objstore_each_indexed(const api_objstore *s, const char *value,
                               void (*fn)(api_cached *, void *), void *arg);

#endif
