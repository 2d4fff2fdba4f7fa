/*
 * resources.c — parsing resource maps and pod requests into sched_res.
 */
#include "resources.h"

#include <string.h>

#include "object.h"
#include "pod-rules.h"
#include "quantity.h"

const char *const sched_res_names[SCHED_NRES] = {"cpu", "memory", "pods"};

#define DEFAULT_CPU_MILLI 100
#define DEFAULT_MEMORY (200LL * 1024 * 1024)

static int parse_one(int r, const json_t *v, int64_t *out, tug_error *err) {
  if (json_is_integer(v)) {
    int64_t n = json_integer_value(v);
    if (n < 0 || (r == SCHED_CPU && n > INT64_MAX / 1000))
      return tug_error_set(err, TUG_E_PARSE, "%s: %lld is out of range", sched_res_names[r],
                           (long long)n);
    *out = r == SCHED_CPU ? n * 1000 : n;
    return 0;
  }
  const char *s = json_string_value(v);
  if (s == NULL)
    return tug_error_set(err, TUG_E_PARSE, "%s: not a quantity", sched_res_names[r]);
  int rc = r == SCHED_CPU ? tug_quantity_parse_milli(s, 0, out, err)
                          : tug_quantity_parse_value(s, 0, out, err);
  return rc < 0 ? tug_error_wrap(err, "%s", sched_res_names[r]) : 0;
}

int sched_res_parse(const json_t *map, sched_res *out, bool set[SCHED_NRES], tug_error *err) {
  memset(out, 0, sizeof *out);
  for (int r = 0; r < SCHED_NRES; r++) {
    json_t *v = json_object_get(map, sched_res_names[r]);
    if (set)
      set[r] = v != NULL;
    if (v && parse_one(r, v, &out->v[r], err) < 0)
      return -1;
  }
  return 0;
}

json_t *sched_res_to_json(const sched_res *r) {
  char cpu[TUG_QUANTITY_BUFSIZE], mem[TUG_QUANTITY_BUFSIZE], pods[TUG_QUANTITY_BUFSIZE];
  snprintf(pods, sizeof pods, "%lld", (long long)r->v[SCHED_PODS]);
  return json_pack("{s:s, s:s, s:s}", "cpu",
                   tug_quantity_format_milli(r->v[SCHED_CPU], cpu, sizeof cpu), "memory",
                   tug_quantity_format_bytes(r->v[SCHED_MEMORY], mem, sizeof mem), "pods", pods);
}

/* One container's cpu and memory request (its limit when it has no request). */
static void container_request(const json_t *c, sched_res *req, sched_res *nonzero) {
  const json_t *requests = tug_obj_get(c, "resources.requests");
  const json_t *limits = tug_obj_get(c, "resources.limits");
  memset(req, 0, sizeof *req);
  for (int r = SCHED_CPU; r <= SCHED_MEMORY; r++) {
    json_t *v = json_object_get(requests, sched_res_names[r]);
    if (v == NULL)
      v = json_object_get(limits, sched_res_names[r]);
    tug_error err;
    if (v && parse_one(r, v, &req->v[r], &err) < 0)
      req->v[r] = 0; /* the API server validated it; a bad value asks for nothing */
  }
  *nonzero = *req;
  if (nonzero->v[SCHED_CPU] == 0)
    nonzero->v[SCHED_CPU] = DEFAULT_CPU_MILLI;
  if (nonzero->v[SCHED_MEMORY] == 0)
    nonzero->v[SCHED_MEMORY] = DEFAULT_MEMORY;
}

/* Which figure of a container tug_pod_effective reads. */
typedef struct request_read {
  int r;
  bool nonzero;
} request_read;

static int64_t request_value(const json_t *ctr, void *arg) {
  const request_read *rr = arg;
  sched_res c, cnz;
  container_request(ctr, &c, &cnz);
  return rr->nonzero ? cnz.v[rr->r] : c.v[rr->r];
}

void sched_pod_requests(const json_t *spec, sched_res *req, sched_res *nonzero) {
  sched_res sum = {{0}}, sum_nz = {{0}};
  for (int r = SCHED_CPU; r <= SCHED_MEMORY; r++) {
    request_read exact = {.r = r}, nz = {.r = r, .nonzero = true};
    sum.v[r] = tug_pod_effective(spec, request_value, &exact);
    sum_nz.v[r] = tug_pod_effective(spec, request_value, &nz);
  }
  sum.v[SCHED_PODS] = sum_nz.v[SCHED_PODS] = 1;
  *req = sum;
  if (nonzero)
    *nonzero = sum_nz;
}
