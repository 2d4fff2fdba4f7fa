/*
 * fuzz_jsonpatch.c — RFC 6902 JSON Patch (PATCH application/json-patch+json):
 * the input is a patch applied to a fixed pod-like document.
 */
#include "fuzz.h"
#include "jsonpatch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  json_t *patch = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
  if (patch == NULL)
    return 0;
  json_t *doc = json_pack("{s:{s:s, s:{s:s}}, s:{s:[{s:s, s:s}]}}", "metadata", "name", "p",
                          "labels", "app", "web", "spec", "containers", "name", "c", "image", "i");
  json_t *out = NULL;
  tug_error err = {0};
  if (tug_json_patch(doc, patch, &out, &err) == 0)
    json_decref(out);
  json_decref(doc);
  json_decref(patch);
  return 0;
}
