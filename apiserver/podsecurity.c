/*
 * podsecurity.c — the Pod Security Standards' checks (see podsecurity.h).
 *
 * One function per control of the standard, each looking at the pod's own
 * securityContext and at every container, init container and ephemeral
 * container. The table at the end orders them as Kubernetes reports them
 * (baseline first) and says which baseline checks a restricted one replaces:
 * restricted capabilities, seccomp and volume types are stricter forms of
 * baseline's, so a restricted pod is told about each problem once.
 */
#include "podsecurity.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "object.h"

static const char *const container_lists[] = {"containers", "initContainers",
                                              "ephemeralContainers"};

/* Every container of spec, borrowed, in one array. */
static json_t *all_containers(const json_t *spec) {
  json_t *all = json_array();
  for (size_t l = 0; l < sizeof container_lists / sizeof container_lists[0]; l++) {
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(spec, container_lists[l]), i, c) {
      if (json_is_object(c))
        json_array_append(all, c);
    }
  }
  return all;
}

static const char *name_of(const json_t *o) {
  const char *n = json_string_value(json_object_get(o, "name"));
  return n ? n : "";
}

static bool in_list(const char *s, const char *const *list) {
  for (size_t i = 0; s && list[i]; i++)
    if (strcmp(s, list[i]) == 0)
      return true;
  return false;
}

/* Appends s to the string array set unless it is there already. */
static void add_unique(json_t *set, const char *s) {
  size_t i;
  json_t *v;
  json_array_foreach(set, i, v) {
    if (strcmp(json_string_value(v), s) == 0)
      return;
  }
  json_array_append_new(set, json_string(s));
}

/* ---- wording ---- */

/* The text of a violation's detail, written with fprintf and handed to report(). */
typedef struct detail {
  char *text;
  size_t len;
  FILE *f;
} detail;

static void detail_open(detail *d) {
  d->text = NULL;
  d->f = open_memstream(&d->text, &d->len);
}

/* "; " between the parts of a detail that says several things. */
static void detail_part(detail *d) {
  fflush(d->f);
  if (d->len > 0)
    fputs("; ", d->f);
}

/* `"a", "b"`: strings quoted as JSON quotes them, other values as they are. */
static void put_list(FILE *f, const json_t *values) {
  size_t i;
  json_t *v;
  json_array_foreach(values, i, v) {
    char *text = json_dumps(v, JSON_ENCODE_ANY);
    fprintf(f, "%s%s", i ? ", " : "", text);
    free(text);
  }
}

/* `container "a"` or `containers "a", "b"`. */
static void put_whom(FILE *f, const char *one, const char *many, const json_t *names) {
  fprintf(f, "%s ", json_array_size(names) == 1 ? one : many);
  put_list(f, names);
}

/* `container "a" uses hostPort 80` or `containers "a", "b" use hostPorts 80, 81`. */
static void put_uses(FILE *f, const char *who, const json_t *names, const char *what,
                     const json_t *values) {
  bool many = json_array_size(names) > 1;
  fprintf(f, "%s%s ", who, many ? "s" : "");
  put_list(f, names);
  fprintf(f, " %s %s%s ", many ? "use" : "uses", what, json_array_size(values) > 1 ? "s" : "");
  put_list(f, values);
}

/* `pod`, `container "a"` or `pod and containers "a", "b"`; nothing when neither. */
static void put_setters(FILE *f, bool pod, const json_t *names) {
  if (pod)
    fputs("pod", f);
  if (json_array_size(names) > 0) {
    fputs(pod ? " and " : "", f);
    put_whom(f, "container", "containers", names);
  }
}

/* Adds {reason, detail} to out when anything was written to d; frees d either way. */
static void report(json_t *out, const char *reason, detail *d) {
  fclose(d->f);
  if (d->len > 0)
    json_array_append_new(out, json_pack("{s:s, s:s}", "reason", reason, "detail", d->text));
  free(d->text);
}

static const char *plural(size_t n, const char *one, const char *many) {
  return n == 1 ? one : many;
}

/* Whether a container breaks a rule that looks at it alone. */
typedef bool (*container_rule)(const json_t *container);

static json_t *containers_where(const json_t *spec, container_rule bad) {
  json_t *all = all_containers(spec), *names = json_array();
  size_t i;
  json_t *c;
  json_array_foreach(all, i, c) {
    if (bad(c))
      json_array_append_new(names, json_string(name_of(c)));
  }
  json_decref(all);
  return names;
}

/* The common shape: `container "c" <must>`, e.g. must not set securityContext.privileged=true. */
static void containers_violation(json_t *out, const json_t *spec, container_rule bad,
                                 const char *reason, const char *must) {
  json_t *names = containers_where(spec, bad);
  detail d;
  detail_open(&d);
  if (json_array_size(names) > 0) {
    put_whom(d.f, "container", "containers", names);
    fprintf(d.f, " %s", must);
  }
  report(out, reason, &d);
  json_decref(names);
}

/* ---- baseline ---- */

static bool valid_apparmor_type(const json_t *profile) {
  static const char *const allowed[] = {"RuntimeDefault", "Localhost", NULL};
  return profile == NULL || in_list(json_string_value(json_object_get(profile, "type")), allowed);
}

static bool bad_apparmor(const json_t *c) {
  return !valid_apparmor_type(tug_obj_get(c, "securityContext.appArmorProfile"));
}

/* AppArmor: profile type RuntimeDefault or Localhost, or the annotations'
 * runtime/default and localhost/<profile>; never unconfined. */
static void check_apparmor(const json_t *meta, const json_t *spec, json_t *out) {
  static const char prefix[] = "container.apparmor.security.beta.kubernetes.io/";
  detail d;
  detail_open(&d);
  bool pod_bad = !valid_apparmor_type(tug_obj_get(spec, "securityContext.appArmorProfile"));
  json_t *names = containers_where(spec, bad_apparmor);
  size_t bad = (pod_bad ? 1 : 0) + json_array_size(names);
  put_setters(d.f, pod_bad, names);
  if (bad > 0)
    fputs(" must not set securityContext.appArmorProfile.type to \"Unconfined\"", d.f);
  json_decref(names);
  const char *key;
  json_t *v;
  json_object_foreach(json_object_get(meta, "annotations"), key, v) {
    const char *value = json_string_value(v);
    if (strncmp(key, prefix, sizeof prefix - 1) != 0 || value == NULL ||
        strcmp(value, "runtime/default") == 0 || strncmp(value, "localhost/", 10) == 0)
      continue;
    detail_part(&d);
    fprintf(d.f, "annotation %s=\"%s\"", key, value);
    bad++;
  }
  report(out, plural(bad, "forbidden AppArmor profile", "forbidden AppArmor profiles"), &d);
}

/* Containers adding a capability that is not in allowed, and those capabilities,
 * written as `container "c" must not include "SYS_ADMIN" in ...add` (nothing when none). */
static void put_forbidden_adds(detail *d, const json_t *spec, const char *const *allowed) {
  json_t *all = all_containers(spec), *names = json_array(), *caps = json_array();
  size_t i, j;
  json_t *c, *cap;
  json_array_foreach(all, i, c) {
    bool bad = false;
    json_array_foreach(tug_obj_get(c, "securityContext.capabilities.add"), j, cap) {
      if (json_is_string(cap) && !in_list(json_string_value(cap), allowed)) {
        add_unique(caps, json_string_value(cap));
        bad = true;
      }
    }
    if (bad)
      json_array_append_new(names, json_string(name_of(c)));
  }
  if (json_array_size(names) > 0) {
    detail_part(d);
    put_whom(d->f, "container", "containers", names);
    fputs(" must not include ", d->f);
    put_list(d->f, caps);
    fputs(" in securityContext.capabilities.add", d->f);
  }
  json_decref(all);
  json_decref(names);
  json_decref(caps);
}

/* Capabilities: add only what container runtimes give by default. */
static void check_capabilities_baseline(const json_t *meta, const json_t *spec, json_t *out) {
  (void)meta;
  static const char *const allowed[] = {
      "AUDIT_WRITE",      "CHOWN",   "DAC_OVERRIDE", "FOWNER",  "FSETID", "KILL",       "MKNOD",
      "NET_BIND_SERVICE", "SETFCAP", "SETGID",       "SETPCAP", "SETUID", "SYS_CHROOT", NULL};
  detail d;
  detail_open(&d);
  put_forbidden_adds(&d, spec, allowed);
  report(out, "non-default capabilities", &d);
}

/* Host namespaces: no hostNetwork, hostPID or hostIPC. */
static void check_host_namespaces(const json_t *meta, const json_t *spec, json_t *out) {
  (void)meta;
  static const char *const fields[] = {"hostNetwork", "hostPID", "hostIPC"};
  detail d;
  detail_open(&d);
  bool any = false;
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
    if (json_is_true(json_object_get(spec, fields[i]))) {
      fprintf(d.f, "%s%s=true", any ? ", " : "", fields[i]);
      any = true;
    }
  report(out, "host namespaces", &d);
}

/* hostPath volumes: none. */
static void check_host_path_volumes(const json_t *meta, const json_t *spec, json_t *out) {
  (void)meta;
  json_t *names = json_array();
  size_t i;
  json_t *v;
  json_array_foreach(json_object_get(spec, "volumes"), i, v) {
    if (json_object_get(v, "hostPath"))
      json_array_append_new(names, json_string(name_of(v)));
  }
  detail d;
  detail_open(&d);
  if (json_array_size(names) > 0)
    put_whom(d.f, "volume", "volumes", names);
  report(out, "hostPath volumes", &d);
  json_decref(names);
}

/* Host ports: none (0 means none). */
static void check_host_ports(const json_t *meta, const json_t *spec, json_t *out) {
  (void)meta;
  json_t *all = all_containers(spec), *names = json_array(), *ports = json_array();
  size_t i, j;
  json_t *c, *p;
  json_array_foreach(all, i, c) {
    bool bad = false;
    json_array_foreach(json_object_get(c, "ports"), j, p) {
      json_t *hp = json_object_get(p, "hostPort");
      if (json_is_integer(hp) && json_integer_value(hp) != 0) {
        json_array_append(ports, hp);
        bad = true;
      }
    }
    if (bad)
      json_array_append_new(names, json_string(name_of(c)));
  }
  detail d;
  detail_open(&d);
  if (json_array_size(names) > 0)
    put_uses(d.f, "container", names, "hostPort", ports);
  report(out, "hostPort", &d);
  json_decref(all);
  json_decref(names);
  json_decref(ports);
}

static bool is_privileged(const json_t *c) {
  return json_is_true(tug_obj_get(c, "securityContext.privileged"));
}

static void check_privileged(const json_t *meta, const json_t *spec, json_t *out) {
  (void)meta;
  containers_violation(out, spec, is_privileged, "privileged",
                       "must not set securityContext.privileged=true");
}

static bool unmasked_proc(const json_t *c) {
  const char *pm = tug_obj_get_str(c, "securityContext.procMount");
  return pm && strcmp(pm, "Default") != 0;
}

static void check_proc_mount(const json_t *meta, const json_t *spec, json_t *out) {
  (void)meta;
  containers_violation(out, spec, unmasked_proc, "procMount",
                       "must not set securityContext.procMount to \"Unmasked\"");
}

/* What is wrong with seLinuxOptions, written to d (nothing when all is well). */
static bool selinux_problems(const json_t *opts, FILE *f) {
  static const char *const types[] = {
      "", "container_t", "container_init_t", "container_kvm_t", "container_engine_t", NULL};
  const char *type = json_string_value(json_object_get(opts, "type"));
  const char *user = json_string_value(json_object_get(opts, "user"));
  const char *role = json_string_value(json_object_get(opts, "role"));
  bool bad = false;
  if (type && !in_list(type, types)) {
    if (f)
      fprintf(f, "type \"%s\"", type);
    bad = true;
  }
  if (user && *user) {
    if (f)
      fprintf(f, "%suser \"%s\"", bad ? "; " : "", user);
    bad = true;
  }
  if (role && *role) {
    if (f)
      fprintf(f, "%srole \"%s\"", bad ? "; " : "", role);
    bad = true;
  }
  return bad;
}

static bool bad_selinux(const json_t *c) {
  return selinux_problems(tug_obj_get(c, "securityContext.seLinuxOptions"), NULL);
}

/* SELinux: only the container types, no user or role. */
static void check_selinux(const json_t *meta, const json_t *spec, json_t *out) {
  (void)meta;
  json_t *all = all_containers(spec), *names = containers_where(spec, bad_selinux);
  json_t *pod_opts = tug_obj_get(spec, "securityContext.seLinuxOptions");
  bool pod_bad = selinux_problems(pod_opts, NULL);
  detail d;
  detail_open(&d);
  if (pod_bad || json_array_size(names) > 0) {
    put_setters(d.f, pod_bad, names);
    fputs(" set forbidden securityContext.seLinuxOptions: ", d.f);
    /* The values of the first offender; the others are named above. */
    const json_t *first = pod_bad ? pod_opts : NULL;
    size_t i;
    json_t *c;
    json_array_foreach(all, i, c) {
      if (first == NULL && bad_selinux(c))
        first = tug_obj_get(c, "securityContext.seLinuxOptions");
    }
    selinux_problems(first, d.f);
  }
  report(out, "seLinuxOptions", &d);
  json_decref(all);
  json_decref(names);
}

static const char *seccomp_type(const json_t *holder) {
  return tug_obj_get_str(holder, "securityContext.seccompProfile.type");
}

static bool unconfined(const char *type) {
  return type && strcmp(type, "Unconfined") == 0;
}

static bool unconfined_container(const json_t *c) {
  return unconfined(seccomp_type(c));
}

/* The part both seccomp checks share: nobody sets Unconfined. */
static void put_unconfined(detail *d, const json_t *spec) {
  static const char must[] = " must not set securityContext.seccompProfile.type to \"Unconfined\"";
  if (unconfined(seccomp_type(spec)))
    fprintf(d->f, "pod%s", must);
  json_t *names = containers_where(spec, unconfined_container);
  if (json_array_size(names) > 0) {
    detail_part(d);
    put_whom(d->f, "container", "containers", names);
    fputs(must, d->f);
  }
  json_decref(names);
}

static void check_seccomp_baseline(const json_t *meta, const json_t *spec, json_t *out) {
  (void)meta;
  detail d;
  detail_open(&d);
  put_unconfined(&d, spec);
  report(out, "seccompProfile", &d);
}

/* Sysctls: only those namespaced and isolated per pod. */
static void check_sysctls(const json_t *meta, const json_t *spec, json_t *out) {
  (void)meta;
  static const char *const safe[] = {"kernel.shm_rmid_forced",
                                     "net.ipv4.ip_local_port_range",
                                     "net.ipv4.ip_unprivileged_port_start",
                                     "net.ipv4.tcp_syncookies",
                                     "net.ipv4.ping_group_range",
                                     "net.ipv4.ip_local_reserved_ports",
                                     "net.ipv4.tcp_keepalive_time",
                                     "net.ipv4.tcp_fin_timeout",
                                     "net.ipv4.tcp_keepalive_intvl",
                                     "net.ipv4.tcp_keepalive_probes",
                                     "net.ipv4.tcp_rmem",
                                     "net.ipv4.tcp_wmem",
                                     NULL};
  detail d;
  detail_open(&d);
  size_t i;
  json_t *s;
  json_array_foreach(tug_obj_get(spec, "securityContext.sysctls"), i, s) {
    const char *name = json_string_value(json_object_get(s, "name"));
    if (name && !in_list(name, safe)) {
      fflush(d.f);
      fprintf(d.f, "%s%s", d.len ? ", " : "", name);
    }
  }
  report(out, "forbidden sysctls", &d);
}

static bool host_process(const json_t *c) {
  return json_is_true(tug_obj_get(c, "securityContext.windowsOptions.hostProcess"));
}

static void check_host_process(const json_t *meta, const json_t *spec, json_t *out) {
  (void)meta;
  bool pod = host_process(spec);
  json_t *names = containers_where(spec, host_process);
  detail d;
  detail_open(&d);
  if (pod || json_array_size(names) > 0) {
    put_setters(d.f, pod, names);
    fputs(" must not set securityContext.windowsOptions.hostProcess=true", d.f);
  }
  report(out, "hostProcess", &d);
  json_decref(names);
}

/* ---- restricted ---- */

static bool may_escalate(const json_t *c) {
  return !json_is_false(tug_obj_get(c, "securityContext.allowPrivilegeEscalation"));
}

static void check_allow_privilege_escalation(const json_t *meta, const json_t *spec, json_t *out) {
  (void)meta;
  containers_violation(out, spec, may_escalate, "allowPrivilegeEscalation != false",
                       "must set securityContext.allowPrivilegeEscalation=false");
}

static bool keeps_capabilities(const json_t *c) {
  size_t i;
  json_t *cap;
  json_array_foreach(tug_obj_get(c, "securityContext.capabilities.drop"), i, cap) {
    if (json_is_string(cap) && strcmp(json_string_value(cap), "ALL") == 0)
      return false;
  }
  return true;
}

/* Capabilities: drop ALL, add back NET_BIND_SERVICE at most. */
static void check_capabilities_restricted(const json_t *meta, const json_t *spec, json_t *out) {
  (void)meta;
  static const char *const allowed[] = {"NET_BIND_SERVICE", NULL};
  json_t *droppers = containers_where(spec, keeps_capabilities);
  detail d;
  detail_open(&d);
  if (json_array_size(droppers) > 0) {
    put_whom(d.f, "container", "containers", droppers);
    fputs(" must set securityContext.capabilities.drop=[\"ALL\"]", d.f);
  }
  put_forbidden_adds(&d, spec, allowed);
  report(out, "unrestricted capabilities", &d);
  json_decref(droppers);
}

/* Volume types: only those that cannot reach the host. */
static void check_restricted_volumes(const json_t *meta, const json_t *spec, json_t *out) {
  (void)meta;
  static const char *const allowed[] = {"configMap", "csi",       "downwardAPI",
                                        "emptyDir",  "ephemeral", "persistentVolumeClaim",
                                        "projected", "secret",    NULL};
  json_t *names = json_array(), *types = json_array();
  size_t i;
  json_t *vol, *v;
  json_array_foreach(json_object_get(spec, "volumes"), i, vol) {
    const char *key;
    bool bad = false;
    json_object_foreach(vol, key, v) {
      if (strcmp(key, "name") != 0 && !json_is_null(v) && !in_list(key, allowed)) {
        add_unique(types, key);
        bad = true;
      }
    }
    if (bad)
      json_array_append_new(names, json_string(name_of(vol)));
  }
  detail d;
  detail_open(&d);
  if (json_array_size(names) > 0)
    put_uses(d.f, "volume", names, "restricted volume type", types);
  report(out, "restricted volume types", &d);
  json_decref(names);
  json_decref(types);
}

static bool sets_root_allowed(const json_t *c) {
  return json_is_false(tug_obj_get(c, "securityContext.runAsNonRoot"));
}

static bool leaves_non_root_unset(const json_t *c) {
  return !json_is_boolean(tug_obj_get(c, "securityContext.runAsNonRoot"));
}

/* runAsNonRoot: true on the pod (and not undone by a container) or on every container. */
static void check_run_as_non_root(const json_t *meta, const json_t *spec, json_t *out) {
  (void)meta;
  json_t *pod = tug_obj_get(spec, "securityContext.runAsNonRoot");
  detail d;
  detail_open(&d);
  if (json_is_false(pod))
    fputs("pod must not set securityContext.runAsNonRoot=false", d.f);
  json_t *names = containers_where(spec, sets_root_allowed);
  if (json_array_size(names) > 0) {
    detail_part(&d);
    put_whom(d.f, "container", "containers", names);
    fputs(" must not set securityContext.runAsNonRoot=false", d.f);
  }
  json_decref(names);
  if (!json_is_true(pod)) {
    names = containers_where(spec, leaves_non_root_unset);
    if (json_array_size(names) > 0) {
      detail_part(&d);
      put_whom(d.f, "pod or container", "pod or containers", names);
      fputs(" must set securityContext.runAsNonRoot=true", d.f);
    }
    json_decref(names);
  }
  report(out, "runAsNonRoot != true", &d);
}

static bool runs_as_root(const json_t *c) {
  json_t *uid = tug_obj_get(c, "securityContext.runAsUser");
  return json_is_integer(uid) && json_integer_value(uid) == 0;
}

static void check_run_as_user(const json_t *meta, const json_t *spec, json_t *out) {
  (void)meta;
  detail d;
  detail_open(&d);
  if (runs_as_root(spec))
    fputs("pod must not set runAsUser=0", d.f);
  json_t *names = containers_where(spec, runs_as_root);
  if (json_array_size(names) > 0) {
    detail_part(&d);
    put_whom(d.f, "container", "containers", names);
    fputs(" must not set runAsUser=0", d.f);
  }
  json_decref(names);
  report(out, "runAsUser=0", &d);
}

static bool confined(const char *type) {
  return type && (strcmp(type, "RuntimeDefault") == 0 || strcmp(type, "Localhost") == 0);
}

static bool leaves_seccomp_unset(const json_t *c) {
  return seccomp_type(c) == NULL;
}

/* Seccomp: RuntimeDefault or Localhost on the pod or on every container. */
static void check_seccomp_restricted(const json_t *meta, const json_t *spec, json_t *out) {
  (void)meta;
  detail d;
  detail_open(&d);
  put_unconfined(&d, spec);
  if (!confined(seccomp_type(spec))) {
    json_t *names = containers_where(spec, leaves_seccomp_unset);
    if (json_array_size(names) > 0) {
      detail_part(&d);
      put_whom(d.f, "pod or container", "pod or containers", names);
      fputs(" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or "
            "\"Localhost\"",
            d.f);
    }
    json_decref(names);
  }
  report(out, "seccompProfile", &d);
}

/* ---- levels and the table ---- */

typedef void (*podsec_check_fn)(const json_t *meta, const json_t *spec, json_t *out);

typedef struct podsec_check {
  const char *id;
  api_podsec_level level;
  const char *replaces; /* the baseline check a restricted one supersedes */
  podsec_check_fn fn;
} podsec_check;

static const podsec_check checks[] = {
    {"appArmorProfile", API_PODSEC_BASELINE, NULL, check_apparmor},
    {"capabilities_baseline", API_PODSEC_BASELINE, NULL, check_capabilities_baseline},
    {"hostNamespaces", API_PODSEC_BASELINE, NULL, check_host_namespaces},
    {"hostPathVolumes", API_PODSEC_BASELINE, NULL, check_host_path_volumes},
    {"hostPorts", API_PODSEC_BASELINE, NULL, check_host_ports},
    {"privileged", API_PODSEC_BASELINE, NULL, check_privileged},
    {"procMount", API_PODSEC_BASELINE, NULL, check_proc_mount},
    {"seLinuxOptions", API_PODSEC_BASELINE, NULL, check_selinux},
    {"seccompProfile_baseline", API_PODSEC_BASELINE, NULL, check_seccomp_baseline},
    {"sysctls", API_PODSEC_BASELINE, NULL, check_sysctls},
    {"windowsHostProcess", API_PODSEC_BASELINE, NULL, check_host_process},
    {"allowPrivilegeEscalation", API_PODSEC_RESTRICTED, NULL, check_allow_privilege_escalation},
    {"capabilities_restricted", API_PODSEC_RESTRICTED, "capabilities_baseline",
     check_capabilities_restricted},
    {"restrictedVolumes", API_PODSEC_RESTRICTED, "hostPathVolumes", check_restricted_volumes},
    {"runAsNonRoot", API_PODSEC_RESTRICTED, NULL, check_run_as_non_root},
    {"runAsUser", API_PODSEC_RESTRICTED, NULL, check_run_as_user},
    {"seccompProfile_restricted", API_PODSEC_RESTRICTED, "seccompProfile_baseline",
     check_seccomp_restricted},
};

enum { CHECK_COUNT = sizeof checks / sizeof checks[0] };

static bool replaced_at(const podsec_check *c, api_podsec_level level) {
  for (size_t i = 0; i < CHECK_COUNT; i++)
    if (checks[i].replaces && checks[i].level <= level && strcmp(checks[i].replaces, c->id) == 0)
      return true;
  return false;
}

json_t *api_podsec_check(api_podsec_level level, const json_t *meta, const json_t *spec) {
  json_t *out = json_array();
  for (size_t i = 0; i < CHECK_COUNT && level != API_PODSEC_PRIVILEGED; i++)
    if (checks[i].level <= level && !replaced_at(&checks[i], level))
      checks[i].fn(meta, spec, out);
  return out;
}

char *api_podsec_describe(const json_t *violations) {
  detail d;
  detail_open(&d);
  size_t i;
  json_t *v;
  json_array_foreach(violations, i, v) {
    const char *reason = json_string_value(json_object_get(v, "reason"));
    const char *why = json_string_value(json_object_get(v, "detail"));
    fprintf(d.f, "%s%s", i ? ", " : "", reason);
    if (why)
      fprintf(d.f, " (%s)", why);
  }
  fclose(d.f);
  return d.text;
}

static const char *const level_names[] = {"privileged", "baseline", "restricted"};

int api_podsec_level_parse(const char *s, api_podsec_level *out) {
  for (int i = 0; s && i < 3; i++)
    if (strcmp(s, level_names[i]) == 0) {
      *out = (api_podsec_level)i;
      return 0;
    }
  return -1;
}

const char *api_podsec_level_name(api_podsec_level level) {
  return level_names[level];
}

/* The level of mode's label: dflt when absent, restricted when not a level. */
static api_podsec_level label_level(const json_t *labels, const char *mode, api_podsec_level dflt) {
  char key[64];
  snprintf(key, sizeof key, "pod-security.kubernetes.io/%s", mode);
  json_t *v = json_object_get(labels, key);
  api_podsec_level level;
  if (v == NULL)
    return dflt;
  return api_podsec_level_parse(json_string_value(v), &level) == 0 ? level : API_PODSEC_RESTRICTED;
}

void api_podsec_policy_of(const json_t *ns_labels, api_podsec_level dflt, api_podsec_policy *out) {
  bool labelled = json_object_get(ns_labels, "pod-security.kubernetes.io/enforce") != NULL;
  out->enforce = label_level(ns_labels, "enforce", dflt);
  out->warn = label_level(ns_labels, "warn", labelled ? API_PODSEC_PRIVILEGED : dflt);
  out->audit = label_level(ns_labels, "audit", API_PODSEC_PRIVILEGED);
}

/* ---- updates ---- */

static bool same_string(const json_t *a, const json_t *b) {
  const char *x = json_string_value(a), *y = json_string_value(b);
  return (x == NULL && y == NULL) || (x && y && strcmp(x, y) == 0);
}

static bool images_changed(const json_t *spec, const json_t *old_spec, const char *list) {
  json_t *now = json_object_get(spec, list), *before = json_object_get(old_spec, list);
  if (json_array_size(now) != json_array_size(before))
    return true;
  for (size_t i = 0; i < json_array_size(now); i++)
    if (!same_string(json_object_get(json_array_get(now, i), "image"),
                     json_object_get(json_array_get(before, i), "image")))
      return true;
  return false;
}

static bool profile_annotation(const char *key) {
  return strncmp(key, "seccomp.security.alpha.kubernetes.io/", 37) == 0 ||
         strncmp(key, "container.seccomp.security.alpha.kubernetes.io/", 47) == 0 ||
         strncmp(key, "container.apparmor.security.beta.kubernetes.io/", 47) == 0;
}

static bool profile_annotations_changed(const json_t *a, const json_t *b) {
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)a, key, v) {
    if (profile_annotation(key) && !same_string(v, json_object_get(b, key)))
      return true;
  }
  json_object_foreach((json_t *)b, key, v) {
    if (profile_annotation(key) && !json_object_get(a, key))
      return true;
  }
  return false;
}

bool api_podsec_significant_update(const json_t *pod, const json_t *old) {
  const json_t *spec = json_object_get(pod, "spec"), *old_spec = json_object_get(old, "spec");
  return images_changed(spec, old_spec, "containers") ||
         images_changed(spec, old_spec, "initContainers") ||
         json_array_size(json_object_get(spec, "ephemeralContainers")) !=
             json_array_size(json_object_get(old_spec, "ephemeralContainers")) ||
         profile_annotations_changed(tug_obj_annotations(pod), tug_obj_annotations(old));
}
