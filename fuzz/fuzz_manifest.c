/*
 * fuzz_manifest.c — manifest decoding (YAML streams, JSON, Lists), what
 * `tug apply -f` and the API server's YAML bodies go through.
 */
#include "fuzz.h"
#include "manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  json_t *objects = NULL;
  tug_manifest_origin *origins = NULL;
  tug_error err = {0};
  if (tug_manifest_decode_buffer((const char *)data, size, "fuzz", &objects, &origins, &err) == 0) {
    tug_manifest_origins_free(origins, json_array_size(objects));
    json_decref(objects);
  }
  return 0;
}
