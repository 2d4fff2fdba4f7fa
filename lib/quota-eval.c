/*
 * quota-eval.c — an object's use of a quota resource (see quota-eval.h).
 */
#include "quota-eval.h"

#include <stdio.h>
#include <string.h>

#include "pod-rules.h"

bool tug_quota_plain_count(const char *res) {
  static const char *const plain[] = {"pods", "services", "configmaps", "secrets"};
  for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
    if (strcmp(res, plain[i]) == 0)
      return true;
  return false;
}

const tug_kind *tug_quota_kind(const char *res) {
  if (tug_quota_compute_resource(res))
    return tug_kind_find("v1", "Pod");
  if (tug_quota_plain_count(res))
    return tug_kind_by_resource("", res);
  if (strncmp(res, "count/", 6) != 0)
    return NULL;
  const char *what = res + 6, *dot = strchr(what, '.');
  char resource[128];
  snprintf(resource, sizeof resource, "%.*s", dot ? (int)(dot - what) : (int)strlen(what), what);
  return tug_kind_by_resource(dot ? dot + 1 : "", resource);
}

int64_t tug_quota_usage(const tug_kind *k, const json_t *obj, const char *res, bool *missing) {
  if (missing)
    *missing = false;
  const tug_kind *measured = tug_quota_kind(res);
  bool pod = k && strcmp(k->kind, "Pod") == 0;
  if (measured == NULL || measured != k || (pod && tug_pod_terminal(obj)))
    return 0;
  if (!tug_quota_compute_resource(res))
    return 1;
  return tug_pod_quota_usage(obj, res, missing);
}
