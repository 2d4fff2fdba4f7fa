/*
 * fuzz_cron.c — CronJob schedules (five fields, "@hourly", "CRON_TZ=..." prefixes),
 * parsed and asked for their next run.
 */
#include "cron.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *s = fuzz_string(data, size);
  tug_cron c;
  tug_error err = {0};
  if (tug_cron_parse(s, &c, &err) == 0)
    tug_cron_next(&c, NULL, 1700000000);
  free(s);
  return 0;
}
