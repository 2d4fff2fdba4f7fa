/*
 * daemon.h — what every Tugboat daemon does first and last: set up logging
 * from its flags, leave SIGTERM and SIGINT to the main thread, and wait there.
 *
 * The one idea: signals are blocked before any thread starts (every thread
 * inherits the mask), so only the main thread takes them, synchronously, in
 * tug_daemon_wait_signal; no handler ever runs in a library's thread.
 */
#ifndef TUG_DAEMON_H
#define TUG_DAEMON_H

/*
 * tug_log_init(component, level, log_file), then block SIGTERM and SIGINT and
 * ignore SIGPIPE. On a bad level or file, prints "PROGRAM: bad --log-level or
 * --log-file" to stderr and returns -1.
 */
int tug_daemon_init(const char *program, const char *component, const char *level,
                    const char *log_file);

/* Wait for SIGTERM or SIGINT (blocked by tug_daemon_init); returns it. */
int tug_daemon_wait_signal(void);
/* The same for at most ms milliseconds; 0 when none came in that time. */
int tug_daemon_wait_signal_ms(long ms);

#endif
