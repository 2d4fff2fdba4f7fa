/*
 * serviceaccounts.c — what every namespace holds for its pods' identity:
 * the `default` ServiceAccount, and the `kube-root-ca.crt` ConfigMap whose
 * ca.crt is the cluster CA (--root-ca-file), which pods' token volumes mount.
 *
 * Kubernetes' ServiceAccountsController and root-CA publisher in one
 * reconcile keyed by namespace: either object missing is created again, a
 * ConfigMap whose ca.crt differs from the file is put back. A namespace being
 * deleted is left alone (the API server would refuse the writes anyway).
 * Without --root-ca-file no ConfigMap is published or changed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "ctl.h"
#include "log.h"
#include "object.h"

#define DEFAULT_SA "default"
#define ROOT_CA_CONFIGMAP "kube-root-ca.crt"
#define ROOT_CA_KEY "ca.crt"

/* A ServiceAccount or the CA ConfigMap changed: look at its namespace. */
static void namespaced_changed(tug_controller *c, const json_t *old, const json_t *obj,
                               bool deleted, void *arg) {
  (void)old, (void)deleted, (void)arg;
  const char *ns = tug_obj_namespace(obj);
  if (ns)
    tug_controller_enqueue(c, ns);
}

static int ensure_account(ctl_ctx *x, const char *ns, tug_error *err) {
  char key[300], path[300];
  snprintf(key, sizeof key, "%s/%s", ns, DEFAULT_SA);
  _cleanup_json_ json_t *have = ctl_get(x, CTL_SERVICEACCOUNTS, key);
  if (have)
    return 0;
  snprintf(path, sizeof path, "/api/v1/namespaces/%s/serviceaccounts", ns);
  _cleanup_json_ json_t *sa = json_pack("{s:s, s:s, s:{s:s}}", "apiVersion", "v1", "kind",
                                        "ServiceAccount", "metadata", "name", DEFAULT_SA);
  if (tug_client_create(x->client, path, sa, NULL, err) < 0)
    return err->code == TUG_E_CONFLICT ? (tug_error_clear(err), 0) : -1;
  tug_info("service account created", "namespace=%s name=%s", ns, DEFAULT_SA);
  return 0;
}

static json_t *root_ca_configmap(const char *pem) {
  return json_pack("{s:s, s:s, s:{s:s, s:{s:s}}, s:{s:s}}", "apiVersion", "v1", "kind", "ConfigMap",
                   "metadata", "name", ROOT_CA_CONFIGMAP, "annotations",
                   "kubernetes.io/description",
                   "The cluster's CA bundle, for pods to verify the API server behind the "
                   "kubernetes Service (kubernetes.default.svc).",
                   "data", ROOT_CA_KEY, pem);
}

static int ensure_root_ca(ctl_ctx *x, const char *ns, tug_error *err) {
  const char *pem = x->cfg.root_ca_pem;
  char key[300], path[300];
  snprintf(key, sizeof key, "%s/%s", ns, ROOT_CA_CONFIGMAP);
  _cleanup_json_ json_t *have = ctl_get(x, CTL_ROOT_CA, key);
  const char *current =
      json_string_value(json_object_get(json_object_get(have, "data"), ROOT_CA_KEY));
  if (have && current && strcmp(current, pem) == 0)
    return 0;
  _cleanup_json_ json_t *cm = root_ca_configmap(pem);
  snprintf(path, sizeof path, "/api/v1/namespaces/%s/configmaps", ns);
  int rc;
  if (have == NULL) {
    rc = tug_client_create(x->client, path, cm, NULL, err);
  } else {
    /* Keep what others added (labels, other keys); put ca.crt back. */
    json_t *data = json_object_get(have, "data");
    if (!json_is_object(data))
      json_object_set_new(have, "data", data = json_object());
    json_object_set_new(data, ROOT_CA_KEY, json_string(pem));
    snprintf(path + strlen(path), sizeof path - strlen(path), "/%s", ROOT_CA_CONFIGMAP);
    rc = tug_client_update(x->client, path, have, NULL, err);
  }
  if (rc < 0)
    return -1; /* a conflict too: the informer brings the newer object, then again */
  tug_info("root CA published", "namespace=%s configmap=%s", ns, ROOT_CA_CONFIGMAP);
  return 0;
}

static int reconcile(tug_controller *c, const char *ns, void *arg, tug_error *err) {
  (void)c;
  ctl_ctx *x = arg;
  _cleanup_json_ json_t *nso = ctl_get(x, CTL_NAMESPACES, ns);
  if (nso == NULL || tug_obj_deletion_timestamp(nso))
    return 0;
  const char *phase = tug_obj_get_str(nso, "status.phase");
  if (phase && strcmp(phase, "Terminating") == 0)
    return 0;
  if (ensure_account(x, ns, err) < 0)
    return tug_error_wrap(err, "namespace %s: service account %s", ns, DEFAULT_SA);
  if (x->cfg.root_ca_pem && ensure_root_ca(x, ns, err) < 0)
    return tug_error_wrap(err, "namespace %s: configmap %s", ns, ROOT_CA_CONFIGMAP);
  return 0;
}

tug_controller *ctl_serviceaccounts_new(ctl_ctx *x, tug_error *err) {
  tug_controller_options o = {
      .name = "serviceaccounts", .reconcile = reconcile, .arg = x, .workers = x->cfg.workers};
  tug_controller *c = tug_controller_new(&o, err);
  if (c == NULL)
    return NULL;
  if (tug_controller_watch(c, x->inf[CTL_NAMESPACES], err) < 0 ||
      tug_controller_watch_fn(c, x->inf[CTL_SERVICEACCOUNTS], namespaced_changed, x, err) < 0 ||
      tug_controller_watch_fn(c, x->inf[CTL_ROOT_CA], namespaced_changed, x, err) < 0) {
    tug_controller_free(c);
    return NULL;
  }
  return c;
}
