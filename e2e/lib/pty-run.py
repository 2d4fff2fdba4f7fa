#!/usr/bin/env python3
"""pty-run.py ROWS COLS INPUT -- COMMAND...: runs COMMAND on a new terminal of
ROWS x COLS, types INPUT into it (one line every second, after a second's
wait, so a shell has its prompt up), prints what the terminal shows and exits
with COMMAND's exit code. A line "#resize ROWS COLS" resizes the terminal
instead (its foreground process gets SIGWINCH, as from a user's window). For e2e tests of `exec -it`: a terminal as a user's,
without one on the test's side."""
import fcntl
import os
import pty
import select
import struct
import sys
import termios
import time


def main():
    rows, cols, text = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    command = sys.argv[sys.argv.index("--") + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(command[0], command)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    lines = text.split("\n")
    next_at = time.monotonic() + 2
    out = b""
    while True:
        if lines and time.monotonic() >= next_at:
            line = lines.pop(0)
            if line.startswith("#resize "):
                size = [int(n) for n in line.split()[1:3]]
                fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", *size, 0, 0))
            else:
                os.write(fd, (line + "\n").encode())
            next_at = time.monotonic() + 1
        ready, _, _ = select.select([fd], [], [], 0.1)
        if not ready:
            continue
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        out += data
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(out.decode(errors="replace"))
    sys.exit(os.waitstatus_to_exitcode(status))


main()
