/*
 * audit-policy.h — which requests are audited, and how much of them:
 * Kubernetes' audit.k8s.io/v1 Policy, read from --audit-policy-file (YAML or JSON).
 *
 *   apiVersion: audit.k8s.io/v1
 *   kind: Policy
 *   omitStages: [RequestReceived]          # for every rule
 *   rules:
 *   - level: None                          # None, Metadata, Request, RequestResponse
 *     users: [system:kube-scheduler]       # every field a rule sets must match;
 *     userGroups: [system:nodes]           # lists match when any entry does
 *     verbs: [get, list, watch]
 *     resources: [{group: "", resources: [pods, pods/log], resourceNames: [a]}]
 *                                          # also "*", "pods/ *" (any subresource) and
 *                                          # "* /status" (any resource), written without spaces
 *     namespaces: [kube-system]            # "" is cluster scope
 *     nonResourceURLs: [/healthz, "/api*"] # a trailing * is a prefix
 *     omitStages: [ResponseStarted]
 *
 * The first rule that matches gives the level; a request no rule matches is
 * not audited. resources and namespaces only match resource requests,
 * nonResourceURLs only the others.
 */
#ifndef TUG_APISERVER_AUDIT_POLICY_H
#define TUG_APISERVER_AUDIT_POLICY_H

#include <jansson.h>

#include "authn.h"
#include "error.h"
#include "requestinfo.h"

typedef enum {
  API_AUDIT_NONE,
  API_AUDIT_METADATA,
  API_AUDIT_REQUEST,
  API_AUDIT_REQUEST_RESPONSE,
} api_audit_level;

/* Stages, as bits of a set of stages to omit. */
typedef enum {
  API_AUDIT_REQUEST_RECEIVED = 1,
  API_AUDIT_RESPONSE_STARTED = 2,
  API_AUDIT_RESPONSE_COMPLETE = 4,
  API_AUDIT_PANIC = 8,
} api_audit_stage;

typedef struct api_audit_policy api_audit_policy;

/* A policy from a file; errors name the file and the field ("rules[2].level"). */
api_audit_policy *api_audit_policy_load(const char *path, tug_error *err);
/* The same from a decoded document (borrowed); name is used in messages. */
api_audit_policy *api_audit_policy_new(const json_t *doc, const char *name, tug_error *err);
void api_audit_policy_free(api_audit_policy *p);

/* The level of a request for path (without its query) by user u (the
 * authenticated one, before any impersonation); *omit gets the stages not to
 * write. */
api_audit_level api_audit_policy_level(const api_audit_policy *p, const api_user *u,
                                       const api_request_info *ri, const char *path,
                                       unsigned *omit);

const char *api_audit_level_name(api_audit_level level);
const char *api_audit_stage_name(api_audit_stage stage);

#endif
