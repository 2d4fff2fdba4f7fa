/*
 * fuzz_quantity.c — quantities ("500m", "1.5Gi", "1e3") as every resource
 * reads them; a value that parses must format and parse back to itself.
 */
#include "fuzz.h"
#include "quantity.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *s = fuzz_string(data, size);
  const char *resources[] = {"cpu", "memory", "pods"};
  for (size_t i = 0; i < 3; i++) {
    int64_t v, again;
    if (tug_quantity_parse_resource(resources[i], s, &v) < 0)
      continue;
    char buf[64];
    const char *text = tug_quantity_format_resource(resources[i], v, buf, sizeof buf);
    if (text && tug_quantity_parse_resource(resources[i], text, &again) == 0 && again != v)
      abort();
  }
  free(s);
  return 0;
}
