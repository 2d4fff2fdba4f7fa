/* Unit tests for container log files: rotation, the previous series, and
 * reading (tail, follow) across rotated parts. Each test works in its own
 * temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent-logs.h"

typedef struct fixture {
  char dir[64];
  char log[128]; /* dir/main.log */
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  snprintf(f->dir, sizeof f->dir, "/tmp/tug-logs-test.XXXXXX");
  if (mkdtemp(f->dir) == NULL)
    return -1;
  snprintf(f->log, sizeof f->log, "%s/main.log", f->dir);
  *state = f;
  return 0;
}

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  return remove(p);
}

static int teardown(void **state) {
  fixture *f = *state;
  nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
  free(f);
  return 0;
}

static void put(const char *path, const char *text) {
  FILE *fp = fopen(path, "w");
  assert_non_null(fp);
  fputs(text, fp);
  fclose(fp);
}

static void put_part(const fixture *f, const char *suffix, const char *text) {
  char p[256];
  snprintf(p, sizeof p, "%s%s", f->log, suffix);
  put(p, text);
}

/* Everything the reader yields now, as a string. */
static char *drain(agent_logs_reader *r) {
  static char out[1 << 16];
  size_t len = 0;
  ssize_t n;
  while ((n = agent_logs_reader_read(r, out + len, sizeof out - 1 - len)) > 0)
    len += (size_t)n;
  assert_true(n == 0);
  out[len] = '\0';
  return out;
}

static char *read_tail(const char *path, long tail) {
  agent_logs_reader *r = NULL;
  tug_error err = {0};
  assert_int_equal(agent_logs_reader_open(path, tail, &r, &err), 0);
  char *s = strdup(drain(r));
  agent_logs_reader_close(r);
  return s;
}

static void assert_tail(const char *path, long tail, const char *want) {
  char *got = read_tail(path, tail);
  assert_string_equal(got, want);
  free(got);
}

static bool exists(const fixture *f, const char *suffix) {
  char p[256];
  snprintf(p, sizeof p, "%s%s", f->log, suffix);
  return access(p, F_OK) == 0;
}

/* The one file main.log<suffix>, not its series. */
static void assert_part(const fixture *f, const char *suffix, const char *want) {
  char p[256], got[256] = "";
  snprintf(p, sizeof p, "%s%s", f->log, suffix);
  FILE *fp = fopen(p, "r");
  assert_non_null(fp);
  size_t n = fread(got, 1, sizeof got - 1, fp);
  fclose(fp);
  got[n] = '\0';
  assert_string_equal(got, want);
}

static void tail_keeps_the_last_lines(void **state) {
  fixture *f = *state;
  put(f->log, "a\nb\nc\n");
  assert_tail(f->log, 2, "b\nc\n");
  assert_tail(f->log, 1, "c\n");
  put(f->log, "a\nb\nc");
  assert_tail(f->log, 2, "b\nc");
}

static void tail_of_more_lines_than_there_are_is_everything(void **state) {
  fixture *f = *state;
  put(f->log, "a\nb\n");
  assert_tail(f->log, 10, "a\nb\n");
  put(f->log, "");
  assert_tail(f->log, 3, "");
}

static void negative_tail_is_everything_and_zero_is_nothing(void **state) {
  fixture *f = *state;
  put(f->log, "a\nb\n");
  assert_tail(f->log, -1, "a\nb\n");
  assert_tail(f->log, 0, "");
}

static void tail_spans_rotated_files_oldest_first(void **state) {
  fixture *f = *state;
  put_part(f, ".2", "l1\nl2\n");
  put_part(f, ".1", "l3\nl4\n");
  put(f->log, "l5\n");
  assert_tail(f->log, 3, "l3\nl4\nl5\n");
  assert_tail(f->log, 4, "l2\nl3\nl4\nl5\n");
  assert_tail(f->log, -1, "l1\nl2\nl3\nl4\nl5\n");
  assert_tail(f->log, 99, "l1\nl2\nl3\nl4\nl5\n");
  assert_tail(f->log, 0, "");
}

static void a_line_cut_by_rotation_is_one_line(void **state) {
  fixture *f = *state;
  put_part(f, ".1", "a\nbe");
  put(f->log, "fore\nc\n");
  assert_tail(f->log, 2, "before\nc\n");
  put(f->log, ""); /* just rotated: the live file is empty */
  assert_tail(f->log, 1, "be");
  assert_tail(f->log, 2, "a\nbe");
}

static void a_log_under_the_limit_is_not_rotated(void **state) {
  fixture *f = *state;
  put(f->log, "small\n");
  tug_error err = {0};
  assert_int_equal(agent_logs_rotate(f->log, 100, 5, &err), 0);
  assert_false(exists(f, ".1"));
  assert_int_equal(agent_logs_rotate("/nonexistent/x.log", 1, 5, &err), 0);
}

static void rotation_copies_truncates_and_shifts_keeping_max_files(void **state) {
  fixture *f = *state;
  tug_error err = {0};
  put(f->log, "first 0123456789\n");
  assert_int_equal(agent_logs_rotate(f->log, 10, 3, &err), 1);
  assert_part(f, ".1", "first 0123456789\n");
  assert_part(f, "", "");
  put(f->log, "second 0123456789\n");
  assert_int_equal(agent_logs_rotate(f->log, 10, 3, &err), 1);
  put(f->log, "third 0123456789\n");
  assert_int_equal(agent_logs_rotate(f->log, 10, 3, &err), 1);
  /* Three files in all, live included: the first copy is gone. */
  assert_part(f, ".2", "second 0123456789\n");
  assert_part(f, ".1", "third 0123456789\n");
  assert_false(exists(f, ".3"));
  assert_false(exists(f, ".tmp"));
}

static void an_appending_writer_goes_on_at_the_start_after_rotation(void **state) {
  fixture *f = *state;
  int fd = open(f->log, O_WRONLY | O_CREAT | O_APPEND, 0640);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, "before rotation\n", 16), 16);
  tug_error err = {0};
  assert_int_equal(agent_logs_rotate(f->log, 4, 5, &err), 1);
  assert_int_equal(write(fd, "after\n", 6), 6);
  close(fd);
  assert_part(f, "", "after\n"); /* no hole of zeros before it */
  assert_tail(f->log, -1, "before rotation\nafter\n");
}

static void rotate_all_rotates_every_pod_and_skips_previous_logs(void **state) {
  fixture *f = *state;
  char logs[128], pod[192], live[256], prev[256];
  snprintf(logs, sizeof logs, "%s/logs", f->dir);
  snprintf(pod, sizeof pod, "%s/default_p_123", logs);
  assert_int_equal(mkdir(logs, 0750), 0);
  assert_int_equal(mkdir(pod, 0750), 0);
  snprintf(live, sizeof live, "%s/c.log", pod);
  snprintf(prev, sizeof prev, "%s/c.previous.log", pod);
  put(live, "0123456789\n");
  put(prev, "0123456789\n");
  agent_logs_rotate_all(f->dir, 5, 5);
  strcat(live, ".1");
  strcat(prev, ".1");
  assert_int_equal(access(live, F_OK), 0);
  assert_int_equal(access(prev, F_OK), -1);
}

static void keep_previous_moves_the_series_and_replaces_the_old_one(void **state) {
  fixture *f = *state;
  char prev[192];
  snprintf(prev, sizeof prev, "%s/main.previous.log", f->dir);
  put(prev, "oldest run\n");
  put_part(f, ".previous.log.1", "x");
  put_part(f, ".1", "run 2 a\n");
  put(f->log, "run 2 b\n");
  tug_error err = {0};
  assert_int_equal(agent_logs_keep_previous(f->log, &err), 0);
  assert_false(exists(f, ""));
  assert_false(exists(f, ".1"));
  assert_tail(prev, -1, "run 2 a\nrun 2 b\n");
  assert_tail(prev, 1, "run 2 b\n");
}

static void keep_previous_without_a_log_is_not_an_error(void **state) {
  fixture *f = *state;
  tug_error err = {0};
  assert_int_equal(agent_logs_keep_previous(f->log, &err), 0);
  assert_int_equal(agent_logs_keep_previous("/tmp/not-a-log", &err), -1);
}

static void a_missing_log_cannot_be_opened(void **state) {
  fixture *f = *state;
  agent_logs_reader *r = NULL;
  tug_error err = {0};
  assert_int_equal(agent_logs_reader_open(f->log, -1, &r, &err), -1);
  assert_null(r);
}

static void a_plain_read_ends_where_the_log_ended_when_opened(void **state) {
  fixture *f = *state;
  int fd = open(f->log, O_WRONLY | O_CREAT | O_APPEND, 0640);
  assert_int_equal(write(fd, "old\n", 4), 4);
  agent_logs_reader *r = NULL;
  tug_error err = {0};
  assert_int_equal(agent_logs_reader_open(f->log, -1, &r, &err), 0);
  assert_int_equal(write(fd, "new\n", 4), 4);
  assert_string_equal(drain(r), "old\n");
  assert_int_equal(agent_logs_reader_follow(r), 0);
  assert_string_equal(drain(r), "new\n");
  close(fd);
  agent_logs_reader_close(r);
}

static void follow_picks_up_lines_written_around_a_rotation(void **state) {
  fixture *f = *state;
  int fd = open(f->log, O_WRONLY | O_CREAT | O_APPEND, 0640);
  assert_int_equal(write(fd, "A\n", 2), 2);
  agent_logs_reader *r = NULL;
  tug_error err = {0};
  assert_int_equal(agent_logs_reader_open(f->log, -1, &r, &err), 0);
  assert_string_equal(drain(r), "A\n");
  assert_int_equal(write(fd, "B\n", 2), 2); /* not read before the rotation */
  assert_int_equal(agent_logs_rotate(f->log, 1, 5, &err), 1);
  assert_int_equal(write(fd, "C\n", 2), 2);
  assert_string_equal(drain(r), "");
  assert_int_equal(agent_logs_reader_follow(r), 0);
  assert_string_equal(drain(r), "B\nC\n");
  assert_int_equal(write(fd, "D\n", 2), 2);
  assert_int_equal(agent_logs_reader_follow(r), 0);
  assert_string_equal(drain(r), "D\n");
  close(fd);
  agent_logs_reader_close(r);
}

static void follow_moves_to_the_next_container_and_ends_with_the_dir(void **state) {
  fixture *f = *state;
  put(f->log, "run 1\n");
  agent_logs_reader *r = NULL;
  tug_error err = {0};
  assert_int_equal(agent_logs_reader_open(f->log, -1, &r, &err), 0);
  assert_string_equal(drain(r), "run 1\n");
  assert_int_equal(agent_logs_keep_previous(f->log, &err), 0);
  assert_int_equal(agent_logs_reader_follow(r), 0); /* no new file yet */
  put(f->log, "run 2\n");
  assert_int_equal(agent_logs_reader_follow(r), 0);
  assert_string_equal(drain(r), "run 2\n");
  char prev[192];
  snprintf(prev, sizeof prev, "%s/main.previous.log", f->dir);
  unlink(prev);
  unlink(f->log);
  rmdir(f->dir);
  assert_int_equal(agent_logs_reader_follow(r), -1);
  agent_logs_reader_close(r);
  mkdir(f->dir, 0700); /* for teardown */
}

static void container_of_takes_live_logs_only(void **state) {
  (void)state;
  char c[64];
  assert_true(agent_logs_container_of("main.log", c, sizeof c));
  assert_string_equal(c, "main");
  assert_false(agent_logs_container_of("main.log.1", c, sizeof c));
  assert_false(agent_logs_container_of("main.previous.log", c, sizeof c));
  assert_false(agent_logs_container_of("main.log.tmp", c, sizeof c));
  assert_false(agent_logs_container_of(".log", c, sizeof c));
  assert_false(agent_logs_container_of("x.log", c, 1));
}

int main(void) {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
  const struct CMUnitTest tests[] = {
      T(tail_keeps_the_last_lines),
      T(tail_of_more_lines_than_there_are_is_everything),
      T(negative_tail_is_everything_and_zero_is_nothing),
      T(tail_spans_rotated_files_oldest_first),
      T(a_line_cut_by_rotation_is_one_line),
      T(a_log_under_the_limit_is_not_rotated),
      T(rotation_copies_truncates_and_shifts_keeping_max_files),
      T(an_appending_writer_goes_on_at_the_start_after_rotation),
      T(rotate_all_rotates_every_pod_and_skips_previous_logs),
      T(keep_previous_moves_the_series_and_replaces_the_old_one),
      T(keep_previous_without_a_log_is_not_an_error),
      T(a_missing_log_cannot_be_opened),
      T(a_plain_read_ends_where_the_log_ended_when_opened),
      T(follow_picks_up_lines_written_around_a_rotation),
      T(follow_moves_to_the_next_container_and_ends_with_the_dir),
      T(container_of_takes_live_logs_only),
  };
#undef T
  return cmocka_run_group_tests_name("agent_logs", tests, NULL, NULL);
}
