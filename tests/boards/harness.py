"""Virtual boards for tests: an `airlab air` hub on a free loopback port, `airlab board`
processes on it, and each board's serial port driven as MicroPython's tools drive a real one.

    from harness import Air
    with Air() as air:
        board = air.board("master", "4c:11:ae:89:bd:d5")
        out, err = board.exec("print(1 + 1)")      # raw REPL: ("2\r\n", "")
        board.write(b"\x03")                        # bytes on the port, as a terminal sends

The airlab binary is $AIRLAB_BINARY, else build/release/cli/airlab under the source tree.
Every process the harness starts is stopped (SIGTERM, then SIGKILL) when the `with` ends;
scratch folders (flash, logs) live in a temporary folder removed then too.
"""

import os
import re
import select
import signal
import socket
import subprocess
import tempfile
import termios
import time
import tty
import unittest

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def airlab_binary():
    return os.environ.get("AIRLAB_BINARY") or os.path.join(SOURCE, "build/release/cli/airlab")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class BoardError(AssertionError):
    """The board did not answer as MicroPython's protocol says."""


def _stop(process, timeout=10):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def _wait_for_line(path, pattern, process, timeout):
    """The first match of `pattern` in the file `path` a process writes, waiting for it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(path, encoding="utf-8", errors="replace") as f:
            match = re.search(pattern, f.read())
        if match:
            return match
        if process.poll() is not None:
            break
        time.sleep(0.02)
    with open(path, encoding="utf-8", errors="replace") as f:
        raise BoardError("no %r from %s (exit %s):\n%s" % (pattern, process.args, process.poll(), f.read()))


class Port:
    """A serial port opened as a tool opens it: raw, read with timeouts."""

    def __init__(self, path):
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(self.fd, termios.TCSANOW)
        self.buffer = b""  # read from the port, not yet returned

    def close(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def write(self, data):
        view = memoryview(data)
        while view:
            n = os.write(self.fd, view)
            view = view[n:]

    def _fill(self, wait):
        ready, _, _ = select.select([self.fd], [], [], max(wait, 0))
        if ready:
            self.buffer += os.read(self.fd, 65536)
        return bool(ready)

    def read_available(self, wait=0.0):
        """What arrived within `wait` seconds (b"" when nothing)."""
        if not self.buffer:
            self._fill(wait)
        data, self.buffer = self.buffer, b""
        return data

    def read_until(self, ending, timeout=10.0):
        """Bytes up to and including `ending`; BoardError with what came on a timeout."""
        deadline = time.monotonic() + timeout
        while ending not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BoardError("waited %.1f s for %r; got %d bytes ending %r" % (
                    timeout, ending, len(self.buffer), self.buffer[-300:]))
            self._fill(left)
        end = self.buffer.index(ending) + len(ending)
        data, self.buffer = self.buffer[:end], self.buffer[end:]
        return data

    def drain(self, quiet=0.2):
        """Reads until nothing comes for `quiet` seconds; returns it."""
        while self._fill(quiet):
            pass
        data, self.buffer = self.buffer, b""
        return data


class Board:
    """One `airlab board` process and its serial port."""

    def __init__(self, air, name, mac, fs, extra_args=(), start_timeout=60, prompt=True):
        self.name = name
        self.fs = fs
        self.log = os.path.join(air.folder, name + ".log")
        args = list(air.prefix) + [airlab_binary(), "board", "--name", name, "--mac", mac,
                                   "--hub", air.address, "--fs", fs] + list(extra_args)
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL)
        self.path = _wait_for_line(self.log, r"serial port (/dev/pts/\d+)", self.process,
                                   start_timeout).group(1)
        self.port = Port(self.path)
        self.in_raw = False
        if prompt:
            self.wait_prompt(start_timeout)

    def wait_prompt(self, timeout=60):
        """Waits for the friendly REPL after the power-on reset (boot.py, main.py ran). What
        the board printed before the port was open is lost, as on a real board, so this asks
        for the banner again with Ctrl-B."""
        self.port.write(b"\x02")
        self.boot_output = self.port.read_until(b">>> ", timeout) + self.port.drain(0.3)
        self.in_raw = False
        return self.boot_output

    def write(self, data):
        self.port.write(data)

    def log_line(self, pattern, timeout=60):
        """The first match of `pattern` in what the board process printed (its log, not
        the serial port), waiting for it."""
        return _wait_for_line(self.log, pattern, self.process, timeout)

    def enter_raw(self, timeout=10):
        """Ctrl-C twice then Ctrl-A, as pyboard.py and mpremote do; waits for the raw prompt."""
        self.port.write(b"\r\x03")
        time.sleep(0.05)
        self.port.drain(0.1)
        self.port.write(b"\r\x01")
        self.port.read_until(b"raw REPL; CTRL-B to exit\r\n>", timeout)
        self.in_raw = True

    def exec(self, code, timeout=30):
        """Runs `code` in the raw REPL: (output, error text), "\r\n" line ends as the board
        sends them."""
        if not self.in_raw:
            self.enter_raw()
        self.port.write(code.encode() + b"\x04")
        ok = self.port.read_until(b"OK", timeout)
        if ok != b"OK":
            raise BoardError("expected OK, got %r" % ok)
        out = self.port.read_until(b"\x04", timeout)[:-1]
        err = self.port.read_until(b"\x04", timeout)[:-1]
        self.port.read_until(b">", timeout)
        return out.decode(errors="replace"), err.decode(errors="replace")

    def leave_raw(self):
        self.port.write(b"\x02")
        self.port.read_until(b">>> ")
        self.in_raw = False

    def stop(self):
        self.port.close()
        return _stop(self.process)


class Air:
    """An `airlab air` hub on a free port, and the boards started on it."""

    def __init__(self, prefix=()):
        # `prefix` runs the hub and the boards through a command, e.g. ["ip", "netns",
        # "exec", NAME] to put them in a network namespace.
        self.prefix = tuple(prefix)
        self._temp = tempfile.TemporaryDirectory(prefix="airlab-boards-")
        self.folder = self._temp.name
        self.boards = []
        self.process = None

    def __enter__(self):
        port = free_port()
        self.address = "127.0.0.1:%d" % port
        log = os.path.join(self.folder, "air.log")
        with open(log, "w") as f:
            self.process = subprocess.Popen(list(self.prefix) + [airlab_binary(), "air", "--port",
                                                                 str(port)],
                                            stdout=f, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL)
        _wait_for_line(log, "clients join", self.process, 30)
        return self

    def board(self, name, mac, fs=None, extra_args=(), prompt=True):
        """Starts a board (flash in the scratch folder unless `fs`); waits for its prompt
        unless `prompt` is False (its boot.py serves forever)."""
        fs = fs or os.path.join(self.folder, name + "-flash")
        os.makedirs(fs, exist_ok=True)
        board = Board(self, name, mac, fs, extra_args, prompt=prompt)
        self.boards.append(board)
        return board

    def __exit__(self, *exc):
        for board in reversed(self.boards):
            board.stop()
        if self.process:
            _stop(self.process)
        self._temp.cleanup()


class AirTestCase(unittest.TestCase):
    """Tests that share one hub for the whole class: setUpClass starts it as `cls.air` (a
    subclass adds its boards after calling super().setUpClass()), and it is stopped after
    the class, also when the subclass's setUpClass fails half way."""

    @classmethod
    def setUpClass(cls):
        cls.air = Air().__enter__()
        cls.addClassCleanup(cls.air.__exit__, None, None, None)


# MicroPython for a test's programs: err(f, *args) is f's result, or the exception it raised
# as "Type(args)" so one printed line shows either.
ERR_HELPER = """
def err(f, *args):
    try:
        return f(*args)
    except Exception as x:
        return '%s%r' % (type(x).__name__, x.args)
"""
