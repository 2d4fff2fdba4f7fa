/*
 * daemon.c — see daemon.h.
 */
#include "daemon.h"

#include <pthread.h>
#include <signal.h>
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "log.h"

static void stop_signals(sigset_t *set) {
  sigemptyset(set);
  sigaddset(set, SIGTERM);
  sigaddset(set, SIGINT);
}

int tug_daemon_init(const char *program, const char *component, const char *level,
                    const char *log_file) {
  int lv = tug_log_level_parse(level);
  if (lv < 0 || tug_log_init(component, (tug_log_level)lv, log_file) < 0) {
    fprintf(stderr, "%s: bad --log-level or --log-file\n", program);
    return -1;
  }
  sigset_t set;
  stop_signals(&set);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  signal(SIGPIPE, SIG_IGN);
  return 0;
}

int tug_daemon_wait_signal(void) {
  sigset_t set;
  int sig = 0;
  stop_signals(&set);
  while (sigwait(&set, &sig) != 0)
    ;
  return sig;
}

int tug_daemon_wait_signal_ms(long ms) {
  sigset_t set;
  stop_signals(&set);
  struct timespec left = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
  int sig = sigtimedwait(&set, NULL, &left);
  return sig > 0 ? sig : 0; /* EAGAIN: the time passed; EINTR: another signal, treated alike */
}
