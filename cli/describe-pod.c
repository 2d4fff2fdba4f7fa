/*
 * describe-pod.c — the container sections of `tug describe pod`, laid out
 * as kubectl describe prints them: "Init Containers:" (sidecars marked with
 * their restart policy) then "Containers:", each with its image, command,
 * state, last state, readiness and restart count, read from the spec entry
 * and its status entry of the same name.
 */
#include "describe-pod.h"

#include <string.h>

#include "object.h"

static void print_list(const char *title, const json_t *list) {
  if (json_array_size(list) == 0)
    return;
  size_t i;
  json_t *v;
  printf("    %s:\n", title);
  json_array_foreach(list, i, v) {
    printf("      %s\n", json_string_value(v) ? json_string_value(v) : "");
  }
}

static void print_field(const char *label, const char *value) {
  printf("    %-15s%s\n", label, value ? value : "");
}

static void print_detail(const char *label, const char *value) {
  if (value)
    printf("      %-14s%s\n", label, value);
}

/* "State:" or "Last State:" with its reason, exit code and times. */
static void print_state(const char *label, const json_t *state) {
  static const char *const kinds[] = {"running", "waiting", "terminated"};
  static const char *const shown[] = {"Running", "Waiting", "Terminated"};
  for (size_t k = 0; k < 3; k++) {
    const json_t *s = json_object_get(state, kinds[k]);
    if (!json_is_object(s))
      continue;
    print_field(label, shown[k]);
    print_detail("Reason:", tug_obj_get_str(s, "reason"));
    print_detail("Message:", tug_obj_get_str(s, "message"));
    json_t *code = json_object_get(s, "exitCode");
    if (json_is_integer(code))
      printf("      %-14s%lld\n", "Exit Code:", (long long)json_integer_value(code));
    print_detail("Started:", tug_obj_get_str(s, "startedAt"));
    print_detail("Finished:", tug_obj_get_str(s, "finishedAt"));
    return;
  }
  /* kubectl leaves out a last state that never was. */
  if (strcmp(label, "State:") == 0)
    print_field(label, "Waiting");
}

static void print_container(const json_t *c, const json_t *status) {
  const char *name = tug_obj_get_str(c, "name");
  printf("  %s:\n", name ? name : "");
  print_field("Image:", tug_obj_get_str(c, "image"));
  if (tug_obj_get_str(c, "restartPolicy"))
    print_field("Restart Policy:", tug_obj_get_str(c, "restartPolicy"));
  print_list("Command", json_object_get(c, "command"));
  print_list("Args", json_object_get(c, "args"));
  print_state("State:", json_object_get(status, "state"));
  print_state("Last State:", json_object_get(status, "lastState"));
  print_field("Ready:", json_is_true(json_object_get(status, "ready")) ? "True" : "False");
  printf("    %-15s%lld\n",
         "Restart Count:", (long long)tug_obj_get_int(status, "restartCount", 0));
}

static void print_section(const char *title, const json_t *pod, const char *list,
                          const char *statuses) {
  const json_t *ctrs = tug_obj_get(pod, list);
  if (json_array_size(ctrs) == 0)
    return;
  printf("%s:\n", title);
  size_t i;
  json_t *c;
  json_array_foreach(ctrs, i, c) {
    print_container(c, tug_obj_get_named(pod, statuses, tug_obj_get_str(c, "name")));
  }
}

void cli_describe_pod_containers(const json_t *pod) {
  print_section("Init Containers", pod, "spec.initContainers", "status.initContainerStatuses");
  print_section("Containers", pod, "spec.containers", "status.containerStatuses");
}
