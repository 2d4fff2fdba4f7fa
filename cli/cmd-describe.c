/*
 * cmd-describe.c — `tug describe KIND NAME`: who the object is, its spec and
 * status, its conditions as a table, and the Events recorded about it.
 *
 * One shape for every kind: the spec and status print as YAML, so a kind the
 * server adds describes itself; conditions and events get kubectl's tables
 * because that is where people look first.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apply-plan.h"
#include "base64.h"
#include "cleanup.h"
#include "cli.h"
#include "describe-pod.h"
#include "object.h"
#include "printer.h"
#include "timestamp.h"
#include "kinds.h"

static void print_map(const char *title, const json_t *m) {
  printf("%-13s", title);
  const char *k;
  json_t *v;
  bool first = true;
  json_object_foreach((json_t *)m, k, v) {
    if (strcmp(k, CLI_LAST_APPLIED) == 0 || !json_is_string(v))
      continue;
    printf("%*s%s=%s\n", first ? 0 : 13, "", k, json_string_value(v));
    first = false;
  }
  if (first)
    printf("<none>\n");
}

static void print_rows(const char *const *hdr, size_t ncol, const char *const *cells,
                       size_t nrows) {
  size_t width[8] = {0};
  for (size_t c = 0; c < ncol; c++) {
    width[c] = strlen(hdr[c]);
    for (size_t r = 0; r < nrows; r++)
      if (strlen(cells[r * ncol + c]) > width[c])
        width[c] = strlen(cells[r * ncol + c]);
  }
  for (size_t r = 0; r < nrows + 2; r++) {
    printf(" ");
    for (size_t c = 0; c < ncol; c++) {
      char dash[256];
      size_t dl = strlen(hdr[c]) < sizeof dash ? strlen(hdr[c]) : sizeof dash - 1;
      memset(dash, '-', dl);
      dash[dl] = '\0';
      const char *s = r == 0 ? hdr[c] : r == 1 ? dash : cells[(r - 2) * ncol + c];
      if (c + 1 == ncol)
        printf(" %s\n", s);
      else
        printf(" %-*s ", (int)width[c], s);
    }
  }
}

static void print_conditions(const json_t *conds) {
  size_t n = json_array_size(conds);
  if (n == 0)
    return;
  printf("Conditions:\n");
  _cleanup_free_ const char **cells = calloc(n * 4, sizeof *cells);
  if (cells == NULL)
    return;
  for (size_t i = 0; i < n; i++) {
    const json_t *c = json_array_get(conds, i);
    const char *f[] = {"type", "status", "reason", "message"};
    for (size_t k = 0; k < 4; k++) {
      const char *s = tug_obj_get_str(c, f[k]);
      cells[i * 4 + k] = s ? s : "";
    }
  }
  const char *hdr[] = {"Type", "Status", "Reason", "Message"};
  print_rows(hdr, 4, cells, n);
}

static int by_last_time(const void *a, const void *b) {
  const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
  double tx = tug_time_parse(tug_obj_get_str(x, "lastTimestamp"));
  double ty = tug_time_parse(tug_obj_get_str(y, "lastTimestamp"));
  return tx < ty ? -1 : tx > ty;
}

/* One row of Events: an Event, or several that say the same thing (same
 * type, reason, source and message: the same probe failure recorded again
 * after an agent restart, say) folded into one series, as kubectl shows a
 * series: its count, first and last time. */
typedef struct event_row {
  const json_t *event;
  int64_t count;
  double first, last;
} event_row;

static bool same_event(const json_t *a, const json_t *b) {
  const char *keys[] = {"type", "reason", "source.component", "message",
                        "involvedObject.fieldPath"};
  for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
    const char *x = tug_obj_get_str(a, keys[k]), *y = tug_obj_get_str(b, keys[k]);
    if (strcmp(x ? x : "", y ? y : "") != 0)
      return false;
  }
  return true;
}

/* An Event's count and times, from its series when it has one (events.k8s.io). */
static event_row event_figures(const json_t *e) {
  event_row r = {.event = e};
  const json_t *series = json_object_get(e, "series");
  r.count = series ? tug_obj_get_int(series, "count", 1) : tug_obj_get_int(e, "count", 1);
  r.last = tug_time_parse(series ? tug_obj_get_str(series, "lastObservedTime")
                                 : tug_obj_get_str(e, "lastTimestamp"));
  r.first = tug_time_parse(tug_obj_get_str(e, "firstTimestamp"));
  if (r.first < 0)
    r.first = tug_time_parse(tug_obj_get_str(e, "eventTime"));
  if (r.first < 0 || (r.last >= 0 && r.first > r.last))
    r.first = r.last;
  return r;
}

/* ev sorted oldest first; rows get one entry per series, at its latest
 * Event's place. Returns the number of rows. */
static size_t fold_events(json_t **ev, size_t n, event_row *rows) {
  size_t kept = 0;
  for (size_t i = 0; i < n; i++) {
    event_row r = event_figures(ev[i]);
    size_t j = 0;
    while (j < kept && !same_event(rows[j].event, ev[i]))
      j++;
    if (j == kept) {
      rows[kept++] = r;
      continue;
    }
    rows[j].count += r.count;
    if (r.first >= 0 && (rows[j].first < 0 || r.first < rows[j].first))
      rows[j].first = r.first;
    if (r.last > rows[j].last) {
      rows[j].last = r.last;
      rows[j].event = r.event;
    }
  }
  return kept;
}

/* kubectl's Age column: "5m", or "5m (x24 over 12m)" for a series. */
static void format_event_age(const event_row *r, time_t now, char *out, size_t size) {
  if (r->last < 0) {
    snprintf(out, size, "<unknown>");
    return;
  }
  cli_format_age((double)now - r->last, out, size);
  if (r->count <= 1)
    return;
  char over[16];
  cli_format_age((double)now - (r->first >= 0 ? r->first : r->last), over, sizeof over);
  size_t len = strlen(out);
  snprintf(out + len, size - len, " (x%lld over %s)", (long long)r->count, over);
}

static void print_events(cli_ctx *ctx, const cli_resource *r, const json_t *obj) {
  const char *uid = tug_obj_uid(obj);
  const char *ns = r->namespaced ? tug_obj_namespace(obj) : "default";
  _cleanup_free_ char *sel = NULL;
  if (uid ? asprintf(&sel, "involvedObject.uid=%s", uid) < 0
          : asprintf(&sel, "involvedObject.name=%s,involvedObject.kind=%s", tug_obj_name(obj),
                     r->kind) < 0)
    return;
  char path[512];
  tug_list_options lo = {.field_selector = sel};
  _cleanup_json_ json_t *list = NULL;
  tug_error err = {0};
  if (tug_api_path(path, sizeof path, "Event", ns ? ns : "default", NULL, NULL, &err) < 0)
    return;
  if (tug_client_list(ctx->client, path, &lo, &list, &err) < 0) {
    printf("Events:       <unavailable: %s>\n", err.msg);
    return;
  }
  json_t *items = json_object_get(list, "items");
  size_t n = json_array_size(items);
  if (n == 0) {
    printf("Events:       <none>\n");
    return;
  }
  _cleanup_free_ json_t **ev = calloc(n, sizeof *ev);
  _cleanup_free_ const char **cells = calloc(n * 5, sizeof *cells);
  _cleanup_free_ char *ages = calloc(n, 32);
  if (!ev || !cells || !ages)
    return;
  for (size_t i = 0; i < n; i++)
    ev[i] = json_array_get(items, i);
  qsort(ev, n, sizeof *ev, by_last_time);
  _cleanup_free_ event_row *rows = calloc(n, sizeof *rows);
  if (rows == NULL)
    return;
  size_t kept = fold_events(ev, n, rows);
  time_t now = time(NULL);
  for (size_t i = 0; i < kept; i++) {
    const json_t *e = rows[i].event;
    const char *type = tug_obj_get_str(e, "type");
    const char *reason = tug_obj_get_str(e, "reason");
    const char *from = tug_obj_get_str(e, "source.component");
    const char *msg = tug_obj_get_str(e, "message");
    format_event_age(&rows[i], now, ages + i * 32, 32);
    cells[i * 5 + 0] = type ? type : "";
    cells[i * 5 + 1] = reason ? reason : "";
    cells[i * 5 + 2] = ages + i * 32;
    cells[i * 5 + 3] = from ? from : "";
    cells[i * 5 + 4] = msg ? msg : "";
  }
  printf("Events:\n");
  const char *hdr[] = {"Type", "Reason", "Age", "From", "Message"};
  print_rows(hdr, 5, cells, kept);
}

/* A Secret's data as kubectl describes it: each key with its size, never
 * its value (a describe is often pasted into a ticket or shown on screen). */
static void print_secret_data(const json_t *secret) {
  const char *type = tug_obj_get_str(secret, "type");
  printf("%-13s%s\n\nData\n====\n", "Type:", type ? type : "Opaque");
  const char *key;
  json_t *v;
  json_object_foreach(json_object_get(secret, "data"), key, v) {
    const char *b64 = json_string_value(v);
    unsigned char *raw = NULL;
    size_t len = 0, bad;
    if (b64 && tug_base64_decode(b64, strlen(b64), &raw, &len, &bad) == 0)
      printf("%s:  %zu bytes\n", key, len);
    else
      printf("%s:  <not base64>\n", key);
    free(raw);
  }
}

int cmd_describe(cli_ctx *ctx) {
  _cleanup_target_ cli_target t;
  if (cli_target_parse(ctx, &t) != 0)
    return 1;
  const cli_resource r = t.res;
  const char *name = t.name;
  tug_error err = {0};
  _cleanup_json_ json_t *obj = NULL;
  if (tug_client_get(ctx->client, t.path, &obj, &err) < 0)
    return cli_fail(ctx, &err);
  printf("%-13s%s\n", "Name:", name);
  if (r.namespaced)
    printf("%-13s%s\n", "Namespace:", tug_obj_namespace(obj) ? tug_obj_namespace(obj) : "");
  printf("%-13s%s\n", "Kind:", r.kind);
  print_map("Labels:", tug_obj_labels(obj));
  print_map("Annotations:", tug_obj_annotations(obj));
  const char *created = tug_obj_get_str(obj, "metadata.creationTimestamp");
  printf("%-13s%s\n", "Created:", created ? created : "<unknown>");
  const char *deleting = tug_obj_deletion_timestamp(obj);
  if (deleting)
    printf("%-13s%s\n", "Deleting:", deleting);
  if (strcmp(r.kind, "Pod") == 0)
    cli_describe_pod_containers(obj);
  bool secret = strcmp(r.kind, "Secret") == 0;
  if (secret)
    print_secret_data(obj);
  const char *sections[] = {"spec", "status", secret ? NULL : "data", NULL};
  for (int s = 0; sections[s]; s++) {
    _cleanup_json_ json_t *part = json_deep_copy(json_object_get(obj, sections[s]));
    if (part == NULL)
      continue;
    json_t *conds = json_object_get(part, "conditions");
    if (json_is_object(part) && conds)
      json_object_del(part, "conditions");
    if (!json_is_object(part) || json_object_size(part) > 0) {
      printf("%c%s:\n", sections[s][0] - 'a' + 'A', sections[s] + 1);
      cli_print_yaml_indented(stdout, part, 2);
    }
  }
  print_conditions(tug_obj_get(obj, "status.conditions"));
  print_events(ctx, &r, obj);
  return 0;
}
