/*
 * test_image_points.c — the mount points layer of a pulled image: points
 * looked up through the stacked layers, symlinks followed inside the image,
 * what the image has left alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime-internal.h"

typedef struct fixture {
  char dir[64], top[96], base[96], points[96];
} fixture;

static void make(const char *root, const char *rel, mode_t mode) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", root, rel);
  if (rel[strlen(rel) - 1] == '/')
    assert_int_equal(mkdir(path, mode), 0);
  else {
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
    assert_true(fd >= 0);
    close(fd);
  }
  assert_int_equal(chmod(path, mode), 0);
}

static void link_at(const char *root, const char *rel, const char *target) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", root, rel);
  assert_int_equal(symlink(target, path), 0);
}

static int setup(void **state) {
  fixture *fx = calloc(1, sizeof *fx);
  snprintf(fx->dir, sizeof fx->dir, "/tmp/tug-points.XXXXXX");
  assert_non_null(mkdtemp(fx->dir));
  snprintf(fx->top, sizeof fx->top, "%s/top", fx->dir);
  snprintf(fx->base, sizeof fx->base, "%s/base", fx->dir);
  snprintf(fx->points, sizeof fx->points, "%s/points", fx->dir);
  mkdir(fx->top, 0755);
  mkdir(fx->base, 0755);
  /* base: /etc (0750), /dev, /run, /var/run -> ../run */
  make(fx->base, "etc/", 0750);
  make(fx->base, "etc/passwd", 0644);
  make(fx->base, "dev/", 0755);
  make(fx->base, "run/", 0710);
  make(fx->base, "var/", 0755);
  link_at(fx->base, "var/run", "../run");
  /* top: /etc again (0711), its own /etc/hosts, and /etc/resolv.conf as a
   * dangling absolute symlink. */
  make(fx->top, "etc/", 0711);
  make(fx->top, "etc/hosts", 0600);
  link_at(fx->top, "etc/resolv.conf", "/run/systemd/resolve/stub.conf");
  *state = fx;
  return 0;
}

static int teardown(void **state) {
  fixture *fx = *state;
  agent_rm_rf(fx->dir, NULL);
  free(fx);
  return 0;
}

static mode_t mode_of(const fixture *fx, const char *rel) {
  char path[512];
  struct stat st;
  snprintf(path, sizeof path, "%s/%s", fx->points, rel);
  if (lstat(path, &st) < 0)
    return 0;
  return st.st_mode;
}

static void points_layer_holds_what_the_merged_image_lacks(void **state) {
  fixture *fx = *state;
  const char *layers[] = {fx->top, fx->base};
  tug_error err = {0};
  assert_int_equal(agent_points_layer_make(layers, 2, fx->points, &err), 0);
  assert_int_equal(mode_of(fx, "proc"), S_IFDIR | 0755);
  assert_int_equal(mode_of(fx, "sys"), S_IFDIR | 0755);
  /* The image's own /etc/hosts stays; /etc/hostname is added, in an /etc
   * that takes the topmost layer's mode (overlay shows the topmost directory's). */
  assert_int_equal(mode_of(fx, "etc"), S_IFDIR | 0711);
  assert_int_equal(mode_of(fx, "etc/hostname"), S_IFREG | 0644);
  assert_int_equal(mode_of(fx, "etc/hosts"), 0);
  assert_int_equal(mode_of(fx, "etc/passwd"), 0);
  /* Symlinks resolve inside the image: the points lie where they lead. */
  assert_int_equal(mode_of(fx, "etc/resolv.conf"), 0);
  /* A directory the layer covers shows the mode of the one below. */
  assert_int_equal(mode_of(fx, "run"), S_IFDIR | 0710);
  assert_int_equal(mode_of(fx, "run/systemd/resolve/stub.conf"), S_IFREG | 0644);
  assert_int_equal(mode_of(fx, "run/secrets/kubernetes.io/serviceaccount"), S_IFDIR | 0755);
  assert_int_equal(mode_of(fx, "var"), 0);
  /* What the image has already is not repeated. */
  assert_int_equal(mode_of(fx, "dev"), 0);
}

static void points_layer_follows_the_topmost_entry(void **state) {
  fixture *fx = *state;
  /* A file /proc in the top layer hides nothing and cannot hold a mount
   * point: left to the container's start, which refuses it with its reason. */
  make(fx->top, "proc", 0644);
  const char *layers[] = {fx->top, fx->base};
  tug_error err = {0};
  assert_int_equal(agent_points_layer_make(layers, 2, fx->points, &err), 0);
  assert_int_equal(mode_of(fx, "proc"), 0);
  assert_int_equal(mode_of(fx, "sys"), S_IFDIR | 0755);
  /* Made once: the staging dir is gone. */
  char staging[160];
  snprintf(staging, sizeof staging, "%s.new", fx->points);
  assert_int_equal(access(staging, F_OK), -1);
}

static void points_layer_survives_a_symlink_loop(void **state) {
  fixture *fx = *state;
  link_at(fx->top, "sys", "sys2");
  link_at(fx->top, "sys2", "sys");
  const char *layers[] = {fx->top, fx->base};
  tug_error err = {0};
  assert_int_equal(agent_points_layer_make(layers, 2, fx->points, &err), 0);
  assert_int_equal(mode_of(fx, "sys"), 0);
  assert_int_equal(mode_of(fx, "proc"), S_IFDIR | 0755);
}

static void a_file_is_read_through_the_layers_and_their_symlinks(void **state) {
  fixture *fx = *state;
  make(fx->base, "usr/", 0755);
  char path[256];
  snprintf(path, sizeof path, "%s/usr/passwd", fx->base);
  FILE *f = fopen(path, "w");
  fputs("app:x:1000:1000::/:/bin/sh\n", f);
  fclose(f);
  link_at(fx->top, "etc/group", "../usr/passwd");
  char lowerdir[256];
  snprintf(lowerdir, sizeof lowerdir, "%s:%s", fx->top, fx->base);
  char *text = agent_layers_read_file(lowerdir, "etc/group", 4096);
  assert_non_null(text);
  assert_string_equal(text, "app:x:1000:1000::/:/bin/sh\n");
  free(text);
  assert_null(agent_layers_read_file(lowerdir, "etc/shadow", 4096));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(points_layer_holds_what_the_merged_image_lacks, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(points_layer_follows_the_topmost_entry, setup, teardown),
      cmocka_unit_test_setup_teardown(points_layer_survives_a_symlink_loop, setup, teardown),
      cmocka_unit_test_setup_teardown(a_file_is_read_through_the_layers_and_their_symlinks, setup,
                                      teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
