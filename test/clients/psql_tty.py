"""Runs psql interactively in a pseudo terminal, so that readline's tab completion queries the
server: the keys to type come on stdin, everything psql shows goes to stdout.

    python3 psql_tty.py /usr/bin/psql < keys

Connection settings come from the PG* environment. Reading stops when psql exits (the keys
should end with \\q) or after 30 seconds.
"""
import os
import pty
import struct
import termios
import fcntl
import select
import sys
import time

psql = sys.argv[1]
keys = sys.stdin.buffer.read()
pid, fd = pty.fork()
if pid == 0:
    os.environ.update({"TERM": "dumb", "PAGER": "cat", "PSQL_HISTORY": "/dev/null", "INPUTRC": "/dev/null"})
    os.execv(psql, [psql, "-X", "-P", "pager=off"])

# A wide terminal: readline redraws long lines in place on a narrow one.
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 400, 0, 0))
os.write(fd, keys)
out = b""
deadline = time.monotonic() + 30
while time.monotonic() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.5)
    if not ready:
        continue
    try:
        chunk = os.read(fd, 65536)
    except OSError:  # the terminal closed: psql exited
        break
    if not chunk:
        break
    out += chunk
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode("utf-8", errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
