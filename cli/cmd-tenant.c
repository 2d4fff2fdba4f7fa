/*
 * cmd-tenant.c — `tug create tenant NAME --cpu C --memory M --pods N
 * [--weight W] [--cohort C] [--user U] [--pod-security LEVEL] [--dir PKI]`
 * and `tug delete tenant NAME`: everything a team needs to share the
 * cluster, made in one step.
 *
 * A tenant is its namespace (labelled tug.io/tenant, with a Pod Security
 * enforce level), the ResourceQuota and LimitRange `tenant` in it, the Queue
 * NAME holding the namespace with the same nominal as the quota, the
 * RoleBinding `tenant-edit` giving the user ClusterRole edit there, the
 * NetworkPolicy `tenant-isolation` (ingress only from the namespace's own
 * pods), and a
 * client certificate and kubeconfig for the user (its namespace the
 * tenant's), issued by the CA in --dir. Running it again brings every object
 * back to what the flags say (idempotent); when a step fails, what this run
 * created is deleted again, so the cluster is left as it was found.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "cli.h"
#include "kinds.h"
#include "object.h"
#include "quantity.h"

enum { MAX_MADE = 8 };

typedef struct tenant_run {
  cli_ctx *ctx;
  const char *name, *user;
  char made[MAX_MADE][512]; /* paths of objects this run created, to undo on failure */
  int nmade;
} tenant_run;

/* "ResourceQuota" → "resourcequota", as kubectl names what it made. */
static const char *lower(const char *kind, char buf[64]) {
  size_t i = 0;
  for (; kind[i] && i < 63; i++)
    buf[i] = (char)(kind[i] >= 'A' && kind[i] <= 'Z' ? kind[i] + 32 : kind[i]);
  buf[i] = '\0';
  return buf;
}

/* Create obj, or bring the one there to it with a merge patch. */
static int ensure(tenant_run *t, const char *kind, const char *ns, json_t *obj, tug_error *err) {
  char coll[512], path[512];
  const char *name = tug_obj_name(obj);
  if (tug_api_path(coll, sizeof coll, kind, ns, NULL, NULL, err) < 0 ||
      tug_api_path(path, sizeof path, kind, ns, name, NULL, err) < 0)
    return -1;
  if (tug_client_create(t->ctx->client, coll, obj, NULL, err) >= 0) {
    snprintf(t->made[t->nmade++], sizeof t->made[0], "%s", path);
    printf("%s/%s created\n", lower(kind, (char[64]){0}), name);
    return 0;
  }
  if (err->code != TUG_E_CONFLICT)
    return tug_error_wrap(err, "create %s %s", kind, name);
  json_object_del(obj, "apiVersion");
  json_object_del(obj, "kind");
  if (tug_client_patch(t->ctx->client, path, TUG_PATCH_MERGE, obj, NULL, err) < 0)
    return tug_error_wrap(err, "update %s %s", kind, name);
  printf("%s/%s configured\n", lower(kind, (char[64]){0}), name);
  return 0;
}

static json_t *namespace_of(const tenant_run *t) {
  const char *level = t->ctx->opts.pod_security ? t->ctx->opts.pod_security : "baseline";
  return json_pack("{s:s, s:s, s:{s:s, s:{s:s, s:s}}}", "apiVersion", "v1", "kind", "Namespace",
                   "metadata", "name", t->name, "labels", "tug.io/tenant", t->name,
                   "pod-security.kubernetes.io/enforce", level);
}

static json_t *quota_of(const tenant_run *t) {
  const cli_opts *o = &t->ctx->opts;
  return json_pack("{s:s, s:s, s:{s:s}, s:{s:{s:s, s:s, s:s}}}", "apiVersion", "v1", "kind",
                   "ResourceQuota", "metadata", "name", "tenant", "spec", "hard", "requests.cpu",
                   o->cpu, "requests.memory", o->memory, "pods", o->pods);
}

/* Defaults for containers that state no resources, so the quota admits them. */
static json_t *limits_of(void) {
  return json_pack("{s:s, s:s, s:{s:s}, s:{s:[{s:s, s:{s:s, s:s}, s:{s:s, s:s}}]}}", "apiVersion",
                   "v1", "kind", "LimitRange", "metadata", "name", "tenant", "spec", "limits",
                   "type", "Container", "defaultRequest", "cpu", "100m", "memory", "64Mi",
                   "default", "cpu", "500m", "memory", "256Mi");
}

static json_t *queue_of(const tenant_run *t) {
  const cli_opts *o = &t->ctx->opts;
  json_t *spec = json_pack("{s:[s], s:{s:s, s:s, s:s}, s:f}", "namespaces", t->name, "nominal",
                           "cpu", o->cpu, "memory", o->memory, "pods", o->pods, "weight",
                           o->weight ? strtod(o->weight, NULL) : 1.0);
  json_object_set_new(spec, "cohort", o->cohort ? json_string(o->cohort) : json_null());
  return json_pack("{s:s, s:s, s:{s:s}, s:o}", "apiVersion", "scheduling.tug.io/v1", "kind",
                   "Queue", "metadata", "name", t->name, "spec", spec);
}

/* Ingress only from pods of the tenant's own namespace: other tenants' pods
 * cannot connect (the node's own traffic, probes included, always can). */
static json_t *isolation_of(void) {
  return json_pack("{s:s, s:s, s:{s:s}, s:{s:{}, s:[s], s:[{s:[{s:{}}]}]}}", "apiVersion",
                   "networking.k8s.io/v1", "kind", "NetworkPolicy", "metadata", "name",
                   "tenant-isolation", "spec", "podSelector", "policyTypes", "Ingress", "ingress",
                   "from", "podSelector");
}

static json_t *binding_of(const tenant_run *t) {
  return json_pack("{s:s, s:s, s:{s:s}, s:{s:s, s:s, s:s}, s:[{s:s, s:s, s:s}]}", "apiVersion",
                   "rbac.authorization.k8s.io/v1", "kind", "RoleBinding", "metadata", "name",
                   "tenant-edit", "roleRef", "apiGroup", "rbac.authorization.k8s.io", "kind",
                   "ClusterRole", "name", "edit", "subjects", "apiGroup",
                   "rbac.authorization.k8s.io", "kind", "User", "name", t->user);
}

/* The flags, checked before anything is written. */
static int check_flags(const cli_opts *o, tug_error *err) {
  const char *q[][2] = {{"cpu", o->cpu}, {"memory", o->memory}, {"pods", o->pods}};
  for (size_t i = 0; i < 3; i++) {
    int64_t v;
    if (q[i][1] == NULL)
      return tug_error_set(err, EINVAL, "--%s is required", q[i][0]);
    if (tug_quantity_parse_resource(q[i][0], q[i][1], &v) < 0 || v < 0)
      return tug_error_set(err, EINVAL, "--%s %s: not a quantity", q[i][0], q[i][1]);
  }
  char *end = NULL;
  double w = o->weight ? strtod(o->weight, &end) : 1;
  if (o->weight && (*end != '\0' || !(w > 0)))
    return tug_error_set(err, EINVAL, "--weight %s: want a number above 0", o->weight);
  const char *ps = o->pod_security;
  if (ps && strcmp(ps, "privileged") != 0 && strcmp(ps, "baseline") != 0 &&
      strcmp(ps, "restricted") != 0)
    return tug_error_set(err, EINVAL, "--pod-security %s: want privileged, baseline or restricted",
                         ps);
  return 0;
}

static int make_objects(tenant_run *t, tug_error *err) {
  _cleanup_json_ json_t *ns = namespace_of(t), *quota = quota_of(t), *limits = limits_of(),
                        *queue = queue_of(t), *binding = binding_of(t), *isolation = isolation_of();
  if (ensure(t, "Namespace", NULL, ns, err) < 0 ||
      ensure(t, "ResourceQuota", t->name, quota, err) < 0 ||
      ensure(t, "LimitRange", t->name, limits, err) < 0 ||
      ensure(t, "Queue", NULL, queue, err) < 0 ||
      ensure(t, "NetworkPolicy", t->name, isolation, err) < 0)
    return -1;
  return ensure(t, "RoleBinding", t->name, binding, err);
}

/* Delete what this run created, newest first. */
static void undo(tenant_run *t) {
  for (int i = t->nmade - 1; i >= 0; i--) {
    tug_error ignored = {0};
    if (tug_client_delete(t->ctx->client, t->made[i], NULL, &ignored) >= 0)
      printf("%s deleted (undone)\n", t->made[i]);
  }
}

int cli_tenant_create(cli_ctx *ctx, const char *name) {
  tenant_run t = {.ctx = ctx, .name = name, .user = ctx->opts.user ? ctx->opts.user : name};
  char dir[4096], kubeconfig[4500], ca[4200];
  cli_certs_dir(ctx, dir, sizeof dir);
  snprintf(ca, sizeof ca, "%s/ca.key", dir);
  tug_error err = {0};
  if (check_flags(&ctx->opts, &err) < 0)
    return cli_failf("create tenant %s: %s", name, err.msg);
  if (access(ca, R_OK) != 0)
    return cli_failf("create tenant %s: %s: %s (the cluster's CA; --dir names its folder)", name,
                     ca, strerror(errno));
  if (cli_client(ctx, &err) == NULL)
    return cli_fail(ctx, &err);
  if (make_objects(&t, &err) < 0 ||
      cli_certs_user(ctx, dir, t.user, name, NULL, kubeconfig, sizeof kubeconfig, &err) < 0) {
    undo(&t);
    return cli_fail(ctx, &err);
  }
  printf("user %s: kubeconfig %s (namespace %s, role edit)\n", t.user, kubeconfig, name);
  return 0;
}

/* The user the tenant's RoleBinding names, for its files; "" when unknown. */
static void tenant_user(cli_ctx *ctx, const char *name, char *user, size_t size) {
  char path[512];
  tug_error err = {0};
  _cleanup_json_ json_t *rb = NULL;
  user[0] = '\0';
  if (tug_api_path(path, sizeof path, "RoleBinding", name, "tenant-edit", NULL, &err) == 0 &&
      tug_client_get(ctx->client, path, &rb, &err) >= 0) {
    const char *u = json_string_value(
        json_object_get(json_array_get(json_object_get(rb, "subjects"), 0), "name"));
    snprintf(user, size, "%s", u ? u : "");
  }
}

/* Its kubeconfig and key: the certificate stays valid until it expires, but
 * once the binding is gone it is allowed nothing a stranger is not. */
static void remove_user_files(cli_ctx *ctx, const char *user) {
  char dir[4096], path[4400];
  cli_certs_dir(ctx, dir, sizeof dir);
  const char *ext[] = {"kubeconfig", "key", "crt"};
  for (size_t i = 0; i < 3 && user[0] && strchr(user, '/') == NULL; i++) {
    snprintf(path, sizeof path, "%s/user-%s.%s", dir, user, ext[i]);
    if (unlink(path) == 0)
      printf("%s removed\n", path);
  }
}

int cli_tenant_delete(cli_ctx *ctx, const char *name) {
  tug_error err = {0};
  if (cli_client(ctx, &err) == NULL)
    return cli_fail(ctx, &err);
  char user[256], path[512];
  tenant_user(ctx, name, user, sizeof user);
  const char *kinds[] = {"Queue", "Namespace"};
  int rc = 0;
  for (size_t i = 0; i < 2; i++) {
    if (tug_api_path(path, sizeof path, kinds[i], NULL, name, NULL, &err) < 0)
      return cli_fail(ctx, &err);
    if (tug_client_delete(ctx->client, path, NULL, &err) >= 0)
      printf("%s/%s deleted\n", lower(kinds[i], (char[64]){0}), name);
    else if (err.code != ENOENT)
      rc = cli_fail(ctx, &err);
  }
  remove_user_files(ctx, user);
  return rc;
}
