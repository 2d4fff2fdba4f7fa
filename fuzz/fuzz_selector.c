/*
 * fuzz_selector.c — label selectors as ?labelSelector= brings them
 * ("app=web,tier in (a,b),!canary"), parsed and matched against labels.
 */
#include "fuzz.h"
#include "selector.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *s = fuzz_string(data, size);
  tug_selector *sel = NULL;
  tug_error err = {0};
  if (tug_selector_parse(s, &sel, &err) == 0) {
    json_t *labels = json_pack("{s:s, s:s}", "app", "web", "tier", "a");
    tug_selector_matches(sel, labels);
    json_decref(labels);
    tug_selector_free(sel);
  }
  free(s);
  return 0;
}
