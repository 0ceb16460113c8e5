"""
Runs a command on a new pseudo-terminal, as an operator's shell would: its stdin, stdout and
stderr are the terminal (120 columns), what it writes comes out on this process's stdout as the
terminal's bytes, and what this process reads on stdin is typed at it (so b"\x03" is a real
Ctrl-C: the terminal echoes ^C and sends SIGINT to the command's process group). Exits with the
command's status (128 + the signal's number when a signal ended it).

  python3 pty-run.py <command> [args...]
"""
import fcntl
import os
import pty
import select
import struct
import sys
import termios

COLUMNS, ROWS = 120, 40

pid, master = pty.fork()
if pid == 0:
    fcntl.ioctl(sys.stdout.fileno(), termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
    os.execvp(sys.argv[1], sys.argv[1:])

inputs = [master, sys.stdin.fileno()]
while True:
    readable, _, _ = select.select(inputs, [], [])
    if master in readable:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the command has ended and closed the terminal
            data = b""
        if not data:
            break
        os.write(sys.stdout.fileno(), data)
    if sys.stdin.fileno() in readable:
        typed = os.read(sys.stdin.fileno(), 1024)
        if typed:
            os.write(master, typed)
        else:
            inputs.remove(sys.stdin.fileno())

_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))
