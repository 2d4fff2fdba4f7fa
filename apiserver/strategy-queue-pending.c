/*
 * strategy-queue-pending.c — GET of a Queue's /pendingworkloads: the pods
 * waiting in it, in the order it will offer them, with why each waits.
 *
 * Kueue serves the same question from its visibility API. Here the scheduler
 * already writes the answer into the Queue's status.pendingWorkloads (its first
 * SCHED_PENDING_SHOWN pods, every --status-period-ms), so the subresource is a
 * read of that, paged with ?offset= and ?limit= as Kueue's is. It is a
 * PendingWorkloadsSummary, not the Queue, so a client asking for the list need
 * not read quota and usage.
 */
#include <string.h>

#include "cleanup.h"
#include "handlers.h"
#include "object.h"
#include "storage.h"

#define SUMMARY_KIND "PendingWorkloadsSummary"

void api_handle_queue_pending(api_request *r, const api_route *rt, api_response *out) {
  if (strcmp(r->method, "GET") != 0) {
    api_fail(out, 405, "method %s not allowed on pendingworkloads", r->method);
    return;
  }
  int64_t offset, limit;
  if (api_query_int(r, "offset", 0, &offset, out) < 0 ||
      api_query_int(r, "limit", 1000, &limit, out) < 0)
    return;
  if (offset < 0 || limit < 0) {
    api_fail(out, 400, "offset and limit must not be negative");
    return;
  }
  _cleanup_json_ json_t *queue = NULL;
  tug_error err = {0};
  if (api_storage_get(r->server, rt->kind, rt->ns, rt->name, &queue, NULL, &err) < 0) {
    api_fail_error(out, rt->kind, rt->name, &err);
    return;
  }
  json_t *all = tug_obj_get(queue, "status.pendingWorkloads"), *items = json_array();
  for (size_t i = (size_t)offset; i < json_array_size(all) && (int64_t)(i - offset) < limit; i++)
    json_array_append(items, json_array_get(all, i));
  char av[256];
  snprintf(av, sizeof av, "%s/%s", rt->kind->group, rt->kind->version);
  out->code = 200;
  out->body = json_pack("{s:s, s:s, s:{}, s:o}", "kind", SUMMARY_KIND, "apiVersion", av, "metadata",
                        "items", items);
}
